package dev.lossconformance.loss.torch;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CtcFloat} on the Vector API (loaded by reflection only when {@code jdk.incubator.vector} is
 * present): the lattice step along the states, the gradient row along the classes and the collected
 * log-sums along the frames (a block of frames in lanes: a frame's log-adds are a chain over its states,
 * but different frames are independent). Each float op is the double op of the lanes rounded to float
 * ({@link #f}), the max is taken with aten's comparisons (not {@code Math.max}) where aten compares,
 * and EXP and LOG are SVML's double ones rounded to float.
 */
final class VectorCtcFloat extends CtcFloat {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> F =
      VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
  private static final int L = D.length();

  @Override
  int lanes() {
    return L;
  }

  /** {@code v} rounded to float, lane by lane. */
  private static DoubleVector f(DoubleVector v) {
    return (DoubleVector) v.convertShape(VectorOperators.D2F, F, 0).convertShape(VectorOperators.F2D, D, 0);
  }

  private static DoubleVector fexp(DoubleVector v) {
    return f(v.lanewise(VectorOperators.EXP));
  }

  @Override
  void step(double[] prev, int p0, double[] cur, int c0, boolean[] skip, double[] emit, int e0, int u) {
    DoubleVector negInf = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
    DoubleVector zero = DoubleVector.zero(D);
    int s = 0;
    for (; s <= u - L; s += L) {
      DoubleVector a1 = DoubleVector.fromArray(D, prev, p0 + 2 + s);
      DoubleVector a2 = DoubleVector.fromArray(D, prev, p0 + 1 + s);
      DoubleVector a3 = negInf.blend(DoubleVector.fromArray(D, prev, p0 + s), VectorMask.fromArray(D, skip, s));
      DoubleVector m = a1.blend(a2, a2.compare(VectorOperators.GT, a1));
      m = m.blend(a3, a3.compare(VectorOperators.GT, m));
      m = m.blend(zero, m.compare(VectorOperators.EQ, negInf));
      DoubleVector sum = f(f(fexp(f(a1.sub(m))).add(fexp(f(a2.sub(m))))).add(fexp(f(a3.sub(m)))));
      DoubleVector lg = f(sum.lanewise(VectorOperators.LOG));
      f(f(lg.add(m)).add(DoubleVector.fromArray(D, emit, e0 + s))).intoArray(cur, c0 + 2 + s);
    }
    states(prev, p0, cur, c0, skip, emit, e0, s, u);
  }

  @Override
  void collectBlock(double[] lab, int u, int[] labels, double[] coll) {
    DoubleVector negInf = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
    DoubleVector posInf = DoubleVector.broadcast(D, Double.POSITIVE_INFINITY);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    DoubleVector nan = DoubleVector.broadcast(D, Double.NaN);
    for (int s = u - 1; s >= 0; s--) {
      int at = labels[s] * L;
      DoubleVector fc = DoubleVector.fromArray(D, coll, at);
      DoubleVector fl = DoubleVector.fromArray(D, lab, s * L);
      DoubleVector max = fc.max(fl); // Math.max, as the scalar log-add
      // exp(max - max) is 1 exactly: 1 + exp(other - max), unless the max is +inf (exp(inf - inf) is NaN)
      DoubleVector other = fc.blend(fl, fc.compare(VectorOperators.EQ, max));
      DoubleVector sum = f(one.add(fexp(f(other.sub(max))))).blend(nan, max.compare(VectorOperators.EQ, posInf));
      DoubleVector v = f(f(sum.lanewise(VectorOperators.LOG)).add(max));
      v.blend(fl, fc.compare(VectorOperators.EQ, negInf)).intoArray(coll, at);
    }
  }

  @Override
  void collectBlock64(double[] lab, int u, int[] labels, double[] coll) {
    DoubleVector negInf = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    for (int s = u - 1; s >= 0; s--) {
      int at = labels[s] * L;
      DoubleVector fc = DoubleVector.fromArray(D, coll, at);
      DoubleVector fl = DoubleVector.fromArray(D, lab, s * L);
      DoubleVector max = fc.max(fl);
      DoubleVector other = fc.blend(fl, fc.compare(VectorOperators.EQ, max));
      DoubleVector v = one.add(other.sub(max).lanewise(VectorOperators.EXP)).lanewise(VectorOperators.LOG).add(max);
      v.blend(fl, fc.compare(VectorOperators.EQ, negInf)).intoArray(coll, at);
    }
  }

  @Override
  void gradRow(double[] lp, int row, double[] collected, int c, float nll, float upstream, double[] grad) {
    DoubleVector n = DoubleVector.broadcast(D, nll);
    DoubleVector g = DoubleVector.broadcast(D, upstream);
    int k = 0;
    for (; k <= c - L; k += L) {
      DoubleVector x = DoubleVector.fromArray(D, lp, row + k);
      DoubleVector occ = fexp(f(f(DoubleVector.fromArray(D, collected, k).add(n)).sub(x)));
      f(f(fexp(x).sub(occ)).mul(g)).intoArray(grad, row + k);
    }
    gradClasses(lp, row, collected, k, c, nll, upstream, grad);
  }
}
