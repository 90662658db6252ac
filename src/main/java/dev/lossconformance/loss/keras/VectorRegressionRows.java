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
}
