package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Exp} on the Vector API (jdk.incubator.vector, JDK 17). Loaded by reflection only when the module
 * is present.
 *
 * <ul>
 *   <li>(N, C) rows: {@link #exp}, a polynomial on FMAs, within 1 ulp of {@code Math.exp}; rows of at
 *       least one vector end with an overlapping masked vector rather than a scalar tail, wide rows go
 *       a segment at a time, rows narrower than a vector are exponentiated a tile of rows at a time as
 *       one flat array. Sums are taken in a fixed order, so these give the same bits before and after
 *       C2 compiles them (tested against a {@code -Xint} JVM). Measured on this machine's AVX-512, the
 *       polynomial beat SVML's EXP here (e.g. (4096, 1000) forward 1.0 against 1.2–1.4 ms).
 *   <li>CTC: the lattice step along the states and the gradient row along the classes in double, with
 *       SVML's double EXP and LOG (the scalar step uses {@code Math.exp} and {@code Math.log}).
 *   <li>K-dim tiles and BCE-with-logits: SVML's EXP, LOG and LOG1P, which measured faster there (the
 *       (8, 21, 256, 256) forward took 6.2 ms with SVML, 8.2 ms with the polynomial). These are not
 *       bit-reproducible across a JVM's warm-up (nor is CTC): before C2 compiles a loop, the API computes EXP per
 *       lane with {@code Math.exp}, so the first calls can differ from later ones in the last bits, within
 *       the conformance tolerances, which this path also passes.
 * </ul>
 */
final class VectorExp extends Exp {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Vectors summed in float lanes before the block is added in double. */
  private static final int BLOCK = 16;

  @Override
  String name() {
    return "vector(" + S + ")";
  }

  /**
   * Rows of {@code c >= L} classes, a segment of at most {@link #SEGMENT} classes at a time (a row of
   * 128k classes does not fit in L1; a segment does): per segment one sweep for its max, then one that
   * exponentiates it against the row's running max, sums it and stores it for the gradient, and in the
   * same sweep scales the same segment of the previous row's stored exponentials into its gradient
   * while they are still in cache. When a later segment raises the running max, the running sum (a
   * double) is multiplied by {@code exp(old - new)}, and each segment's gradient scale carries its own
   * {@code exp(shift - max)}: the same sums and products as with the row's max known up front, to double
   * rounding. A segment's last partial vector is its last {@code L} elements with the lanes already done
   * masked out. Rows narrower than a vector go to {@link #narrowRows}.
   */
  @Override
  double rows(float[] x, long[] t, int c, double[] w, long ignore, double a, int from, int to, float[] loss,
      float[] grad) {
    if (c < L) {
      return narrowRows(x, t, c, w, ignore, a, from, to, loss, grad);
    }
    int segments = c <= SEGMENT ? 1 : c / SEGMENT; // the last one takes the rest: [SEGMENT, 2 SEGMENT)
    int lastLength = c - (segments - 1) * SEGMENT;
    // lanes of the last segment's overlapping last vector that its vector loop has already covered
    VectorMask<Float> done = S.indexInRange(0, L - (lastLength - S.loopBound(lastLength)));
    float[] lanes = new float[L];
    float[] shifts = new float[segments];
    float[] scales = new float[segments]; // the pending row's scale per segment
    double sum = 0;
    int pending = -1; // the row whose stored exponentials await their scale, or -1
    int pendingTarget = 0;
    float pendingCorrection = 0;
    for (int r = from; r < to; r++) {
      int base = r * c;
      long y = t[r];
      if (y == ignore) {
        if (grad != null) {
          ignoredRow(grad, base, c, max(x, base, c));
        }
        continue;
      }
      float m = Float.NEGATIVE_INFINITY;
      double s = 0;
      for (int g = 0; g < segments; g++) {
        int off = g * SEGMENT;
        int len = g == segments - 1 ? lastLength : SEGMENT;
        float shift = Math.max(m, rowMax(x, base + off, len));
        if (!(shift == m)) {
          s *= Math.exp((double) m - shift);
          m = shift;
        }
        int prev = pending >= 0 ? pending + off : -1;
        if (m == Float.NEGATIVE_INFINITY) {
          // every class so far is -inf: exp(x - m) would be NaN; they contribute 0 unless the whole row
          // is -inf, and then the row's NaN comes from x_y - m below
          if (grad != null) {
            java.util.Arrays.fill(grad, base + off, base + off + len, 0f);
            if (prev >= 0) {
              scaleRow(grad, prev, len, scales[g], done);
            }
          }
        } else {
          s += expRow(x, base + off, len, m, grad, prev, scales[g], done, lanes);
        }
        shifts[g] = m;
      }
      if (pending >= 0) {
        grad[pending + pendingTarget] -= pendingCorrection;
      }
      double wy = w == null ? 1 : w[(int) y];
      float l = rowLoss(wy, x[base + (int) y], m, Math.log(s));
      sum += l;
      if (loss != null) {
        loss[r] = l;
      }
      if (grad != null) {
        pending = base;
        pendingTarget = (int) y;
        for (int g = 0; g < segments; g++) {
          scales[g] = (float) (a * wy / s * Math.exp((double) shifts[g] - m));
        }
        pendingCorrection = (float) (a * wy);
      }
    }
    if (pending >= 0) {
      for (int g = 0; g < segments; g++) {
        scaleRow(grad, pending + g * SEGMENT, g == segments - 1 ? lastLength : SEGMENT, scales[g], done);
      }
      grad[pending + pendingTarget] -= pendingCorrection;
    }
    return sum;
  }

  /** Classes per segment of a wide row: 16 KB of logits, which stay in L1 between the two sweeps. */
  static final int SEGMENT = 4096;

  /** {@link VectorMath#exp(FloatVector)}: the kernels' one float-lane exponential. */
  static FloatVector exp(FloatVector v) {
    return VectorMath.exp(v);
  }

  @Override
  void expInPlace(float[] v, int from, int len) {
    int bound = S.loopBound(len);
    int i = 0;
    for (; i < bound; i += L) {
      exp(FloatVector.fromArray(S, v, from + i)).intoArray(v, from + i);
    }
    for (; i < len; i++) {
      v[from + i] = (float) Math.exp(v[from + i]);
    }
  }

  /** The max of a row of {@code c >= L} elements; the last vector overlaps the one before (max is idempotent). */
  private static float rowMax(float[] x, int base, int c) {
    int bound = S.loopBound(c);
    FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < bound; i += L) {
      acc = acc.max(FloatVector.fromArray(S, x, base + i));
    }
    if (bound < c) {
      acc = acc.max(FloatVector.fromArray(S, x, base + c - L));
    }
    return acc.reduceLanes(VectorOperators.MAX);
  }

  /**
   * {@code sum exp(x - m)} over a row of {@code c >= L}, storing each exponential in {@code g} when given
   * and, when {@code prev >= 0}, multiplying the stored row at {@code prev} by {@code k} in the same sweep.
   * Blocks of {@link #BLOCK} vectors are summed in float lanes; block sums are added with Kahan's
   * compensation (off the loop's critical path); the lanes are added in double at the end.
   */
  private static double expRow(float[] x, int base, int c, float m, float[] g, int prev, float k,
      VectorMask<Float> done, float[] lanes) {
    FloatVector mv = FloatVector.broadcast(S, m);
    FloatVector kv = FloatVector.broadcast(S, k);
    FloatVector total = FloatVector.zero(S);
    FloatVector comp = FloatVector.zero(S);
    int bound = S.loopBound(c);
    int i = 0;
    while (i < bound) {
      FloatVector acc = FloatVector.zero(S);
      int end = Math.min(bound, i + BLOCK * L);
      for (; i < end; i += L) {
        FloatVector e = exp(FloatVector.fromArray(S, x, base + i).sub(mv));
        if (g != null) {
          e.intoArray(g, base + i);
          if (prev >= 0) {
            FloatVector.fromArray(S, g, prev + i).mul(kv).intoArray(g, prev + i);
          }
        }
        acc = acc.add(e);
      }
      if (i == bound && bound < c) {
        int at = c - L;
        FloatVector e = exp(FloatVector.fromArray(S, x, base + at).sub(mv));
        if (g != null) {
          e.blend(FloatVector.fromArray(S, g, base + at), done).intoArray(g, base + at);
          if (prev >= 0) {
            FloatVector v = FloatVector.fromArray(S, g, prev + at);
            v.mul(kv).blend(v, done).intoArray(g, prev + at);
          }
        }
        acc = acc.add(e.blend(0f, done));
      }
      FloatVector y = acc.sub(comp);
      FloatVector t = total.add(y);
      comp = t.sub(total).sub(y);
      total = t;
    }
    total.intoArray(lanes, 0);
    double sum = 0;
    for (int l = 0; l < L; l++) {
      sum += lanes[l];
    }
    return sum;
  }

  /** {@code g[base, base + c) *= k} for a row of {@code c >= L}, the overlapping last vector masked. */
  private static void scaleRow(float[] g, int base, int c, float k, VectorMask<Float> done) {
    int bound = S.loopBound(c);
    FloatVector kv = FloatVector.broadcast(S, k);
    for (int i = 0; i < bound; i += L) {
      FloatVector.fromArray(S, g, base + i).mul(kv).intoArray(g, base + i);
    }
    if (bound < c) {
      FloatVector v = FloatVector.fromArray(S, g, base + c - L);
      v.mul(kv).blend(v, done).intoArray(g, base + c - L);
    }
  }

  /** Rows per tile of {@link #narrowRows}. */
  private static final int NARROW_TILE = 256;

  /**
   * Rows narrower than a vector ({@code c < L}, e.g. 10 classes): per tile of rows, {@code x - max} is
   * written row by row into a buffer (the gradient itself when there is one), the whole tile is then
   * exponentiated as one flat array of full vectors, and the sums, losses and scales are taken row by row.
   */
  private double narrowRows(float[] x, long[] t, int c, double[] w, long ignore, double a, int from, int to,
      float[] loss, float[] grad) {
    float[] buffer = grad != null ? grad : new float[Math.min(NARROW_TILE, to - from) * c];
    float[] max = new float[NARROW_TILE];
    double sum = 0;
    for (int r0 = from; r0 < to; r0 += NARROW_TILE) {
      int r1 = Math.min(to, r0 + NARROW_TILE);
      int off = grad != null ? r0 * c : 0; // where row r0 sits in the buffer
      for (int r = r0; r < r1; r++) {
        int base = r * c;
        int at = off + (r - r0) * c;
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
          m = Math.max(m, x[base + j]);
        }
        max[r - r0] = m;
        for (int j = 0; j < c; j++) {
          buffer[at + j] = x[base + j] - m;
        }
      }
      expInPlace(buffer, off, (r1 - r0) * c);
      for (int r = r0; r < r1; r++) {
        int base = r * c;
        int at = off + (r - r0) * c;
        long y = t[r];
        if (y == ignore) {
          if (grad != null) {
            ignoredRow(grad, base, c, max[r - r0]);
          }
          continue;
        }
        double s = 0;
        for (int j = 0; j < c; j++) {
          s += buffer[at + j];
        }
        double wy = w == null ? 1 : w[(int) y];
        float l = rowLoss(wy, x[base + (int) y], max[r - r0], Math.log(s));
        sum += l;
        if (loss != null) {
          loss[r] = l;
        }
        if (grad != null) {
          float k = (float) (a * wy / s);
          for (int j = 0; j < c; j++) {
            grad[base + j] *= k;
          }
          grad[base + (int) y] -= (float) (a * wy);
        }
      }
    }
    return sum;
  }

  @Override
  void log(float[] s, float[] out, int len) {
    int p = 0;
    int bound = S.loopBound(len);
    for (; p < bound; p += L) {
      FloatVector.fromArray(S, s, p).lanewise(VectorOperators.LOG).intoArray(out, p);
    }
    for (; p < len; p++) {
      out[p] = (float) Math.log(s[p]);
    }
  }

  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  /** {@link Exp#ctcStep} along the states, {@code D.length()} at a time (SVML's double EXP and LOG). */
  @Override
  void ctcStep(double[] prev, int p0, double[] cur, int c0, boolean[] skip, double[] emit, int e0, int u) {
    int bound = D.loopBound(u);
    DoubleVector negInf = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
    DoubleVector zero = DoubleVector.zero(D);
    int s = 0;
    for (; s < bound; s += D.length()) {
      DoubleVector a1 = DoubleVector.fromArray(D, prev, p0 + 2 + s);
      DoubleVector a2 = DoubleVector.fromArray(D, prev, p0 + 1 + s);
      DoubleVector a3 = DoubleVector.fromArray(D, prev, p0 + s).blend(negInf, VectorMask.fromArray(D, skip, s).not());
      DoubleVector m = a1.max(a2).max(a3);
      m = m.blend(zero, m.compare(VectorOperators.EQ, negInf));
      DoubleVector sum = a1.sub(m).lanewise(VectorOperators.EXP).add(a2.sub(m).lanewise(VectorOperators.EXP))
          .add(a3.sub(m).lanewise(VectorOperators.EXP));
      sum.lanewise(VectorOperators.LOG).add(m).add(DoubleVector.fromArray(D, emit, e0 + s)).intoArray(cur, c0 + 2 + s);
    }
    ctcStates(prev, p0, cur, c0, skip, emit, e0, s, u); // the last states, scalar
  }

  /** {@link Exp#ctcGradRow} along the classes (SVML's double EXP). */
  @Override
  void ctcGradRow(double[] lp, int row, double[] collected, int c, double nll, double upstream, double[] grad) {
    int bound = D.loopBound(c);
    int k = 0;
    for (; k < bound; k += D.length()) {
      DoubleVector x = DoubleVector.fromArray(D, lp, row + k);
      DoubleVector occ = DoubleVector.fromArray(D, collected, k).add(nll).sub(x).lanewise(VectorOperators.EXP);
      x.lanewise(VectorOperators.EXP).sub(occ).mul(upstream).intoArray(grad, row + k);
    }
    ctcGradClasses(lp, row, collected, k, c, nll, upstream, grad);
  }

  @Override
  void maxInto(float[] m, float[] x, int from, int len) {
    int p = 0;
    int bound = S.loopBound(len);
    for (; p < bound; p += L) {
      FloatVector.fromArray(S, m, p).max(FloatVector.fromArray(S, x, from + p)).intoArray(m, p);
    }
    for (; p < len; p++) {
      m[p] = Math.max(m[p], x[from + p]);
    }
  }

  @Override
  void addExp(float[] s, float[] comp, float[] x, int from, float[] m, int len, float[] out) {
    int p = 0;
    int bound = S.loopBound(len);
    for (; p < bound; p += L) {
      FloatVector e = FloatVector.fromArray(S, x, from + p).sub(FloatVector.fromArray(S, m, p))
          .lanewise(VectorOperators.EXP);
      if (out != null) {
        e.intoArray(out, from + p);
      }
      // Kahan: y = e - comp; t = s + y; comp = (t - s) - y; s = t
      FloatVector sv = FloatVector.fromArray(S, s, p);
      FloatVector y = e.sub(FloatVector.fromArray(S, comp, p));
      FloatVector t = sv.add(y);
      t.sub(sv).sub(y).intoArray(comp, p);
      t.intoArray(s, p);
    }
    addExpPositions(s, comp, x, from, m, p, len, out);
  }

  @Override
  double bceWithLogits(float[] x, float[] y, int from, int to, float[] loss, float[] grad, float gradScale) {
    int len = to - from;
    int bound = S.loopBound(len);
    double sum = 0;
    int i = 0;
    while (i < bound) {
      FloatVector acc = FloatVector.zero(S);
      int end = Math.min(bound, i + BLOCK * L);
      for (; i < end; i += L) {
        FloatVector xv = FloatVector.fromArray(S, x, from + i);
        FloatVector yv = FloatVector.fromArray(S, y, from + i);
        FloatVector e = xv.abs().neg().lanewise(VectorOperators.EXP);
        FloatVector l = yv.neg().add(1f).mul(xv).add(xv.neg().max(0f)).add(e.lanewise(VectorOperators.LOG1P));
        if (loss != null) {
          l.intoArray(loss, from + i);
        }
        acc = acc.add(l);
        if (grad != null) {
          // sigmoid as aten's CPU kernel takes it, 1 / (1 + exp(-x)) in float32: exp(-x) = e for x >= 0,
          // and for x < 0 it overflows to inf below -88.7, where the sigmoid is 0 (found by the sweep)
          FloatVector expNeg = e.blend(xv.neg().lanewise(VectorOperators.EXP), xv.compare(VectorOperators.LT, 0f));
          FloatVector sig = FloatVector.broadcast(S, 1f).div(expNeg.add(1f));
          sig.sub(yv).mul(gradScale).intoArray(grad, from + i);
        }
      }
      sum += acc.reduceLanes(VectorOperators.ADD);
    }
    return sum + super.bceWithLogits(x, y, from + i, to, loss, grad, gradScale);
  }

  @Override
  void multiply(float[] v, int from, float[] k, int len) {
    int p = 0;
    int bound = S.loopBound(len);
    for (; p < bound; p += L) {
      FloatVector.fromArray(S, v, from + p).mul(FloatVector.fromArray(S, k, p)).intoArray(v, from + p);
    }
    for (; p < len; p++) {
      v[from + p] *= k[p];
    }
  }
}
