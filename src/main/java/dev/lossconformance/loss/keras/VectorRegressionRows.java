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
 * of the scalar's {@code (float) Math.log} (measured: at most 1 ulp on 2^22 random floats over
 * [2^-40, 2^100]), so those two losses' per-sample values may differ from the exact path's by the
 * roundings of the terms it moves: at most 2^-20 of the row's sum of |terms| (the test's bound; measured
 * 2^-24, KerasRegressionFastPathTest). Their gradients, which do not use the log, and MAE's, Hinge's and
 * CosineSimilarity's losses and gradients are bit-identical.
 */
final class VectorRegressionRows extends RegressionRows {
  private static final VectorSpecies<Float> S = VectorSoftmaxRows.S;
  private static final int L = VectorSoftmaxRows.L;

  @Override
  String name() {
    return "vector(" + S + ")";
  }

  /**
   * Each loss's packets in a method of its own (one loop each): C2 then inlines every Vector API call of
   * the loop, which it stops doing (and boxes the vectors) in one method holding them all.
   */
  @Override
  float row(Kind kind, float[] t, int ti, float[] p, int pi, int len, float up, float[] g, int gi, float[] terms) {
    int bound = S.loopBound(len);
    FloatVector acc = switch (kind) {
      case MAE -> mae(t, ti, p, pi, bound, up, g, gi);
      case HINGE -> hinge(t, ti, p, pi, bound, up, g, gi, false);
      case HINGE_BINARY -> hinge(t, ti, p, pi, bound, up, g, gi, true);
      case POISSON -> poisson(t, ti, p, pi, bound, up, g, gi);
      case KLD -> kld(t, ti, p, pi, bound, up, g, gi);
    };
    float accum = 0;
    for (int k = bound; k < len; k++) {
      accum += term(kind, t[ti + k], p[pi + k], up, g, gi + k);
    }
    return bound == 0 ? accum : accum + VectorSoftmaxRows.predux(acc);
  }

  /** A packet of an input, read flushed (DAZ). */
  private static FloatVector input(float[] x, int at) {
    return VectorSoftmaxRows.flush(FloatVector.fromArray(S, x, at));
  }

  private static FloatVector mae(float[] t, int ti, float[] p, int pi, int bound, float up, float[] g, int gi) {
    FloatVector u = FloatVector.broadcast(S, up);
    FloatVector acc = FloatVector.zero(S);
    for (int k = 0; k < bound; k += L) {
      FloatVector y = input(t, ti + k);
      FloatVector q = input(p, pi + k);
      FloatVector diff = VectorSoftmaxRows.flush(y.sub(q));
      u.mul(0f).blend(u, diff.compare(VectorOperators.GT, 0f)).blend(u.neg(), diff.compare(VectorOperators.LT, 0f)).neg()
          .intoArray(g, gi + k);
      acc = acc.add(diff.abs());
    }
    return acc;
  }

  private static FloatVector hinge(float[] t, int ti, float[] p, int pi, int bound, float up, float[] g, int gi,
      boolean binary) {
    FloatVector u = FloatVector.broadcast(S, up);
    FloatVector acc = FloatVector.zero(S);
    for (int k = 0; k < bound; k += L) {
      FloatVector y = input(t, ti + k);
      FloatVector q = input(p, pi + k);
      FloatVector label = binary ? y.mul(2f).sub(1f) : y;
      FloatVector m = VectorSoftmaxRows.flush(label.mul(q)).neg().add(1f);
      VectorSoftmaxRows.flush(u.broadcast(0f).blend(u, m.compare(VectorOperators.GE, 0f)).neg().mul(label))
          .intoArray(g, gi + k);
      acc = acc.add(m.max(0f));
    }
    return acc;
  }

  private static FloatVector poisson(float[] t, int ti, float[] p, int pi, int bound, float up, float[] g, int gi) {
    FloatVector u = FloatVector.broadcast(S, up);
    FloatVector acc = FloatVector.zero(S);
    for (int k = 0; k < bound; k += L) {
      FloatVector y = input(t, ti + k);
      FloatVector q = input(p, pi + k);
      FloatVector s = q.add(EPS);
      FloatVector v = VectorSoftmaxRows.flush(q.sub(VectorSoftmaxRows.flush(y.mul(s.lanewise(VectorOperators.LOG)))));
      VectorSoftmaxRows.flush(u.add(VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(u.neg().mul(y))
          .mul(VectorSoftmaxRows.flush(s.broadcast(1f).div(s)))))).intoArray(g, gi + k);
      FloatVector a = v.abs();
      VectorMask<Float> ordinary = a.compare(VectorOperators.LE, Float.MAX_VALUE)
          .and(a.compare(VectorOperators.GE, SoftmaxRows.TINY).or(a.compare(VectorOperators.EQ, 0f)));
      acc = acc.add(v.blend(Float.NaN, ordinary.not()));
    }
    return acc;
  }

  private static FloatVector kld(float[] t, int ti, float[] p, int pi, int bound, float up, float[] g, int gi) {
    FloatVector u = FloatVector.broadcast(S, up);
    FloatVector acc = FloatVector.zero(S);
    for (int k = 0; k < bound; k += L) {
      FloatVector y = input(t, ti + k);
      FloatVector q = input(p, pi + k);
      FloatVector tc = y.min(1f).max(EPS);
      FloatVector pc = q.min(1f).max(EPS);
      FloatVector ratio = tc.div(pc);
      FloatVector gr = VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(u.mul(tc))
          .mul(ratio.broadcast(1f).div(ratio))).mul(tc.neg().div(pc).div(pc)));
      u.broadcast(0f).blend(gr, q.compare(VectorOperators.GE, EPS).and(q.compare(VectorOperators.LE, 1f)))
          .intoArray(g, gi + k);
      acc = acc.add(tc.mul(ratio.lanewise(VectorOperators.LOG)));
    }
    return acc;
  }

  /**
   * {@link RegressionRows#cosineRow} with its element-wise passes (each a method of its own, so C2
   * inlines the Vector API in each) and sums in 8-lane float vectors (the same bits).
   */
  @Override
  float cosineRow(float[] t, int ti, float[] p, int pi, int c, float factor, boolean packet, float[] g, int gi,
      float[] th, float[] w, float[] packets) {
    int bound = S.loopBound(c);
    squares(t, ti, p, pi, th, w, bound);
    cosineSquares(t, ti, p, pi, th, w, bound, c);
    float normP = SoftmaxRows.flush((float) Math.sqrt(cosineSum(w, c, packets)));
    float denP = maximum(normP);
    float denT = maximum(SoftmaxRows.flush((float) Math.sqrt(cosineSum(th, c, packets))));
    products(t, ti, p, pi, denT, denP, th, w, bound);
    cosineProducts(t, ti, p, pi, denT, denP, th, w, bound, c);
    float loss = -cosineSum(w, c, packets);
    float gs = -SoftmaxRows.flush(factor);
    gradients(p, pi, gs, denP, th, w, g, gi, bound);
    cosineGradients(p, pi, gs, denP, th, w, g, gi, bound, c);
    float gSq = sqrtGrad(normP, normP >= EPS ? cosineSum(w, c, packets) : 0f, packet);
    addN(p, pi, gSq, g, gi, bound);
    cosineAddN(p, pi, gSq, g, gi, bound, c);
    return loss;
  }

  /** {@link RegressionRows#cosineSquares} of the whole packets {@code [0, bound)}. */
  private static void squares(float[] t, int ti, float[] p, int pi, float[] th, float[] w, int bound) {
    for (int k = 0; k < bound; k += L) {
      FloatVector v = input(p, pi + k);
      VectorSoftmaxRows.flush(v.mul(v)).intoArray(w, k);
      FloatVector y = input(t, ti + k);
      VectorSoftmaxRows.flush(y.mul(y)).intoArray(th, k);
    }
  }

  /** {@link RegressionRows#cosineProducts} of the whole packets {@code [0, bound)}. */
  private static void products(float[] t, int ti, float[] p, int pi, float denT, float denP, float[] th, float[] w,
      int bound) {
    for (int k = 0; k < bound; k += L) {
      FloatVector y = VectorSoftmaxRows.flush(input(t, ti + k).div(denT));
      y.intoArray(th, k);
      VectorSoftmaxRows.flush(y.mul(VectorSoftmaxRows.flush(input(p, pi + k).div(denP)))).intoArray(w, k);
    }
  }

  /** {@link RegressionRows#cosineGradients} of the whole packets {@code [0, bound)}. */
  private static void gradients(float[] p, int pi, float gs, float denP, float[] th, float[] w, float[] g, int gi,
      int bound) {
    for (int k = 0; k < bound; k += L) {
      FloatVector v = input(p, pi + k);
      FloatVector gph = VectorSoftmaxRows.flush(FloatVector.fromArray(S, th, k).mul(gs));
      VectorSoftmaxRows.flush(gph.div(denP)).intoArray(g, gi + k);
      VectorSoftmaxRows.flush(gph.mul(VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(v.neg().div(denP)).div(denP))))
          .intoArray(w, k);
    }
  }

  /** {@link RegressionRows#cosineAddN} of the whole packets {@code [0, bound)}. */
  private static void addN(float[] p, int pi, float gSq, float[] g, int gi, int bound) {
    for (int k = 0; k < bound; k += L) {
      FloatVector a = VectorSoftmaxRows.flush(input(p, pi + k).mul(gSq));
      VectorSoftmaxRows.flush(VectorSoftmaxRows.flush(FloatVector.fromArray(S, g, gi + k).add(a)).add(a))
          .intoArray(g, gi + k);
    }
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
