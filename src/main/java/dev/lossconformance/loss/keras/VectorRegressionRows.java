package dev.lossconformance.loss.keras;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RegressionRows} on the Vector API (jdk.incubator.vector), loaded by reflection only when the
 * module is present. The terms are summed on 8-lane float vectors, Eigen's AVX packet: the lanes are
 * Eigen's accumulators, the row's tail (after the last whole packet) is added from the left and then
 * {@link VectorSoftmaxRows#predux}, so the sum has the scalar's bits. Every op is the scalar's in float
 * lanes (the same IEEE roundings, the same flushes), except the log of Poisson and KLDivergence: the
 * API's {@code LOG} (SVML once C2 compiles the loop, {@code Math.log} per lane before) is within 1 ulp
 * of the scalar's {@code (float) Math.log}, so those two losses' per-sample values may differ from the
 * exact path's by the rounding of the terms it moves (measured in KerasRegressionFastPathTest); their
 * gradients, which do not use the log, and MAE's and Hinge's losses and gradients are bit-identical.
 */
final class VectorRegressionRows extends RegressionRows {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final int L = S.length();

  @Override
  String name() {
    return "vector(" + S + ")";
  }

  @Override
  float row(Kind kind, float[] t, int ti, float[] p, int pi, int len, float up, float[] g, int gi, float[] terms) {
    int bound = S.loopBound(len);
    FloatVector u = FloatVector.broadcast(S, up);
    FloatVector acc = FloatVector.zero(S);
    for (int k = 0; k < bound; k += L) {
      FloatVector y = VectorSoftmaxRows.flush(FloatVector.fromArray(S, t, ti + k));
      FloatVector q = VectorSoftmaxRows.flush(FloatVector.fromArray(S, p, pi + k));
      VectorMask<Float> bad = y.abs().compare(VectorOperators.GT, Float.MAX_VALUE)
          .or(q.abs().compare(VectorOperators.GT, Float.MAX_VALUE)).or(y.compare(VectorOperators.NE, y))
          .or(q.compare(VectorOperators.NE, q));
      FloatVector v;
      FloatVector d;
      switch (kind) {
        case MAE: {
          FloatVector diff = VectorSoftmaxRows.flush(y.sub(q));
          d = u.mul(0f).blend(u, diff.compare(VectorOperators.GT, 0f))
              .blend(u.neg(), diff.compare(VectorOperators.LT, 0f)).neg();
          v = diff.abs();
          break;
        }
        case HINGE:
        case HINGE_BINARY: {
          FloatVector label = kind == Kind.HINGE_BINARY ? y.mul(2f).sub(1f) : y;
          FloatVector m = VectorSoftmaxRows.flush(label.mul(q)).neg().add(1f);
          d = VectorSoftmaxRows.flush(FloatVector.zero(S).blend(u, m.compare(VectorOperators.GE, 0f)).neg().mul(label));
          v = m.max(0f);
          break;
        }
        case POISSON: {
          FloatVector s = q.add(EPS);
          v = VectorSoftmaxRows.flush(q.sub(VectorSoftmaxRows.flush(y.mul(s.lanewise(VectorOperators.LOG)))));
          d = VectorSoftmaxRows.flush(u.add(VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(u.neg().mul(y))
              .mul(VectorSoftmaxRows.flush(s.broadcast(1f).div(s))))));
          FloatVector a = v.abs();
          bad = bad.or(a.compare(VectorOperators.GT, Float.MAX_VALUE)).or(v.compare(VectorOperators.NE, v))
              .or(a.compare(VectorOperators.LT, SoftmaxRows.TINY).and(a.compare(VectorOperators.NE, 0f)));
          break;
        }
        default: {
          FloatVector tc = y.min(1f).max(EPS);
          FloatVector pc = q.min(1f).max(EPS);
          FloatVector ratio = tc.div(pc);
          FloatVector gr = VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(u.mul(tc))
              .mul(ratio.broadcast(1f).div(ratio))).mul(tc.neg().div(pc).div(pc)));
          d = FloatVector.zero(S).blend(gr, q.compare(VectorOperators.GE, EPS).and(q.compare(VectorOperators.LE, 1f)));
          v = tc.mul(ratio.lanewise(VectorOperators.LOG));
          break;
        }
      }
      d.intoArray(g, gi + k);
      acc = acc.add(v.blend(Float.NaN, bad));
    }
    float accum = 0;
    for (int k = bound; k < len; k++) {
      accum += term(kind, t[ti + k], p[pi + k], up, g, gi + k);
    }
    return bound == 0 ? accum : accum + VectorSoftmaxRows.predux(acc);
  }

  /** {@link RegressionRows#cosineRow} with its element-wise passes and sums in 8-lane float vectors (the same bits). */
  @Override
  float cosineRow(float[] t, int ti, float[] p, int pi, int c, float factor, boolean packet, float[] g, int gi,
      float[] th, float[] w, float[] packets) {
    int bound = S.loopBound(c);
    for (int k = 0; k < bound; k += L) {
      FloatVector v = VectorSoftmaxRows.flush(FloatVector.fromArray(S, p, pi + k));
      VectorSoftmaxRows.flush(v.mul(v)).intoArray(w, k);
      FloatVector y = VectorSoftmaxRows.flush(FloatVector.fromArray(S, t, ti + k));
      VectorSoftmaxRows.flush(y.mul(y)).intoArray(th, k);
    }
    for (int k = bound; k < c; k++) {
      float v = SoftmaxRows.flush(p[pi + k]);
      w[k] = SoftmaxRows.flush(v * v);
      float y = SoftmaxRows.flush(t[ti + k]);
      th[k] = SoftmaxRows.flush(y * y);
    }
    float normP = SoftmaxRows.flush((float) Math.sqrt(cosineSum(w, c, packets)));
    float denP = maximum(normP);
    float denT = maximum(SoftmaxRows.flush((float) Math.sqrt(cosineSum(th, c, packets))));
    for (int k = 0; k < bound; k += L) {
      FloatVector y = VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(FloatVector.fromArray(S, t, ti + k)).div(denT));
      y.intoArray(th, k);
      FloatVector v = VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(FloatVector.fromArray(S, p, pi + k)).div(denP));
      VectorSoftmaxRows.flush(y.mul(v)).intoArray(w, k);
    }
    for (int k = bound; k < c; k++) {
      th[k] = SoftmaxRows.flush(SoftmaxRows.flush(t[ti + k]) / denT);
      w[k] = SoftmaxRows.flush(th[k] * SoftmaxRows.flush(SoftmaxRows.flush(p[pi + k]) / denP));
    }
    float loss = -cosineSum(w, c, packets);
    float gs = -SoftmaxRows.flush(factor);
    for (int k = 0; k < bound; k += L) {
      FloatVector v = VectorSoftmaxRows.flush(FloatVector.fromArray(S, p, pi + k));
      FloatVector gph = VectorSoftmaxRows.flush(FloatVector.fromArray(S, th, k).mul(gs));
      VectorSoftmaxRows.flush(gph.div(denP)).intoArray(g, gi + k);
      VectorSoftmaxRows.flush(gph.mul(VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(v.neg().div(denP)).div(denP))))
          .intoArray(w, k);
    }
    for (int k = bound; k < c; k++) {
      float v = SoftmaxRows.flush(p[pi + k]);
      float gph = SoftmaxRows.flush(th[k] * gs);
      g[gi + k] = SoftmaxRows.flush(gph / denP);
      w[k] = SoftmaxRows.flush(gph * SoftmaxRows.flush(SoftmaxRows.flush(-v / denP) / denP));
    }
    float gSq = sqrtGrad(normP, normP >= EPS ? cosineSum(w, c, packets) : 0f, packet);
    for (int k = 0; k < bound; k += L) {
      FloatVector a = VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(FloatVector.fromArray(S, p, pi + k)).mul(gSq));
      VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(FloatVector.fromArray(S, g, gi + k).add(a)).add(a))
          .intoArray(g, gi + k);
    }
    for (int k = bound; k < c; k++) {
      float a = SoftmaxRows.flush(gSq * SoftmaxRows.flush(p[pi + k]));
      g[gi + k] = SoftmaxRows.flush(SoftmaxRows.flush(g[gi + k] + a) + a);
    }
    return loss;
  }

  /** {@link RegressionRows#cosineSum} with its four accumulators as 8-lane float vectors (the same bits). */
  @Override
  float cosineSum(float[] v, int n, float[] packets) {
    FloatVector a0 = FloatVector.zero(S);
    int start = 0;
    if (n >= 4 * L) {
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      int size4 = n / (4 * L) * (4 * L);
      for (int j = 0; j < size4; j += 4 * L) {
        a0 = VectorSoftmaxRows.flush(a0.add(FloatVector.fromArray(S, v, j)));
        a1 = VectorSoftmaxRows.flush(a1.add(FloatVector.fromArray(S, v, j + L)));
        a2 = VectorSoftmaxRows.flush(a2.add(FloatVector.fromArray(S, v, j + 2 * L)));
        a3 = VectorSoftmaxRows.flush(a3.add(FloatVector.fromArray(S, v, j + 3 * L)));
      }
      a0 = VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(a0.add(a1)).add(a2)).add(a3));
      start = size4;
    }
    int size = S.loopBound(n);
    for (int j = start; j < size; j += L) {
      a0 = VectorSoftmaxRows.flush(a0.add(FloatVector.fromArray(S, v, j)));
    }
    float acc = 0;
    for (int j = Math.max(start, size); j < n; j++) {
      acc = SoftmaxRows.flush(acc + v[j]);
    }
    a0.intoArray(packets, 0);
    return SoftmaxRows.flush(acc + SoftmaxRows.halve(packets));
  }
}
