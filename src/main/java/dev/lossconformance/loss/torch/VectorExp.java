package dev.lossconformance.loss.torch;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Exp} on the Vector API (jdk.incubator.vector, JDK 17): lane-wise EXP and LOG (SVML on x86 once
 * C2 has compiled the loop), MAX and multiplies; tails done scalar. Loaded by reflection only when the
 * module is present.
 *
 * <p>Not bit-reproducible across a JVM's warm-up: before C2 compiles a loop, the API computes EXP per
 * lane with {@code Math.exp} and may add lanes in another order, so the first calls can differ from
 * later ones in the last bits (within the conformance tolerances, which this path also passes). The
 * scalar path, used by {@code java -jar} and the report, is deterministic. (A polynomial exp built from
 * plain lane-wise operations would be deterministic, but on JDK 17 it ran 3 to 10 times slower than
 * SVML here.)
 */
final class VectorExp extends Exp {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Vectors summed in float lanes before the block is added in double. */
  private static final int BLOCK = 16;

  @Override
  String name() {
    return "vector(" + S + ")";
  }

  @Override
  float max(float[] x, int from, int len) {
    int i = 0;
    int bound = S.loopBound(len);
    float m = Float.NEGATIVE_INFINITY;
    if (bound > 0) {
      FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      for (; i < bound; i += L) {
        acc = acc.max(FloatVector.fromArray(S, x, from + i));
      }
      m = acc.reduceLanes(VectorOperators.MAX);
    }
    for (; i < len; i++) {
      m = Math.max(m, x[from + i]);
    }
    return m;
  }

  @Override
  double sumExp(float[] x, int from, int len, float m) {
    return sum(x, from, len, m, null);
  }

  @Override
  double sumExpInto(float[] x, int from, int len, float m, float[] out) {
    return sum(x, from, len, m, out);
  }

  private static double sum(float[] x, int from, int len, float m, float[] out) {
    int bound = S.loopBound(len);
    FloatVector mv = FloatVector.broadcast(S, m);
    double total = 0;
    int i = 0;
    while (i < bound) {
      FloatVector acc = FloatVector.zero(S);
      int end = Math.min(bound, i + BLOCK * L);
      for (; i < end; i += L) {
        FloatVector e = FloatVector.fromArray(S, x, from + i).sub(mv).lanewise(VectorOperators.EXP);
        if (out != null) {
          e.intoArray(out, from + i);
        }
        acc = acc.add(e);
      }
      total += acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float e = (float) Math.exp(x[from + i] - m);
      if (out != null) {
        out[from + i] = e;
      }
      total += e;
    }
    return total;
  }

  /**
   * Software-pipelined rows: the sweep that exponentiates row {@code r} (and stores it for the gradient)
   * also takes the max of row {@code r + 1}, which streams in from memory while the exponentials are
   * computed, and scales the stored row {@code r - 1} into its gradient while it is still in cache. A
   * row's last partial vector is its last {@code L} elements, with the lanes already done masked out.
   * Rows narrower than a vector go to {@link #narrowRows}.
   */
  @Override
  double rows(float[] x, long[] t, int c, double[] w, long ignore, double a, int from, int to, float[] loss,
      float[] grad) {
    if (c < L) {
      return narrowRows(x, t, c, w, ignore, a, from, to, loss, grad);
    }
    // lanes of the overlapping last vector that the vector loop has already covered
    VectorMask<Float> done = S.indexInRange(0, L - (c - S.loopBound(c)));
    float[] nextMax = new float[1];
    double sum = 0;
    float m = rowMax(x, from * c, c);
    int pending = -1; // the stored row waiting for its scale, or -1
    int pendingTarget = 0;
    float pendingScale = 0;
    float pendingCorrection = 0;
    for (int r = from; r < to; r++) {
      int base = r * c;
      int next = r + 1 < to ? base + c : base;
      long y = t[r];
      if (y == ignore) {
        if (grad != null) {
          if (pending >= 0) {
            scaleRow(grad, pending, c, pendingScale, done);
            grad[pending + pendingTarget] -= pendingCorrection;
            pending = -1;
          }
          java.util.Arrays.fill(grad, base, base + c, 0f);
        }
        m = rowMax(x, next, c);
        continue;
      }
      double s;
      if (grad == null) {
        s = expSum(x, base, c, m, next, nextMax, done);
      } else if (pending < 0) {
        s = expStore(x, base, c, m, next, nextMax, grad, done);
      } else {
        s = expStoreScale(x, base, c, m, next, nextMax, grad, pending, pendingScale, done);
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
        pendingScale = (float) (a * wy / s);
        pendingCorrection = (float) (a * wy);
      }
      m = nextMax[0];
    }
    if (pending >= 0) {
      scaleRow(grad, pending, c, pendingScale, done);
      grad[pending + pendingTarget] -= pendingCorrection;
    }
    return sum;
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

  /** {@code sum exp(x - m)} over the row at {@code base}; the max of the row at {@code next} into {@code nextMax[0]}. */
  private static double expSum(float[] x, int base, int c, float m, int next, float[] nextMax,
      VectorMask<Float> done) {
    FloatVector mv = FloatVector.broadcast(S, m);
    FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int bound = S.loopBound(c);
    double total = 0;
    int i = 0;
    while (i < bound) {
      FloatVector acc = FloatVector.zero(S);
      int end = Math.min(bound, i + BLOCK * L);
      for (; i < end; i += L) {
        acc = acc.add(FloatVector.fromArray(S, x, base + i).sub(mv).lanewise(VectorOperators.EXP));
        mx = mx.max(FloatVector.fromArray(S, x, next + i));
      }
      total += acc.reduceLanes(VectorOperators.ADD);
    }
    if (bound < c) {
      FloatVector e = FloatVector.fromArray(S, x, base + c - L).sub(mv).lanewise(VectorOperators.EXP);
      total += e.blend(0f, done).reduceLanes(VectorOperators.ADD);
      mx = mx.max(FloatVector.fromArray(S, x, next + c - L));
    }
    nextMax[0] = mx.reduceLanes(VectorOperators.MAX);
    return total;
  }

  /** {@link #expSum} that also stores each exponential at its index in {@code g}. */
  private static double expStore(float[] x, int base, int c, float m, int next, float[] nextMax, float[] g,
      VectorMask<Float> done) {
    FloatVector mv = FloatVector.broadcast(S, m);
    FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int bound = S.loopBound(c);
    double total = 0;
    int i = 0;
    while (i < bound) {
      FloatVector acc = FloatVector.zero(S);
      int end = Math.min(bound, i + BLOCK * L);
      for (; i < end; i += L) {
        FloatVector e = FloatVector.fromArray(S, x, base + i).sub(mv).lanewise(VectorOperators.EXP);
        e.intoArray(g, base + i);
        acc = acc.add(e);
        mx = mx.max(FloatVector.fromArray(S, x, next + i));
      }
      total += acc.reduceLanes(VectorOperators.ADD);
    }
    if (bound < c) {
      total += storeTail(x, base, c, mv, g, done);
      mx = mx.max(FloatVector.fromArray(S, x, next + c - L));
    }
    nextMax[0] = mx.reduceLanes(VectorOperators.MAX);
    return total;
  }

  /** {@link #expStore}, also multiplying the stored row at {@code prev} by {@code k} in the same sweep. */
  private static double expStoreScale(float[] x, int base, int c, float m, int next, float[] nextMax, float[] g,
      int prev, float k, VectorMask<Float> done) {
    FloatVector mv = FloatVector.broadcast(S, m);
    FloatVector kv = FloatVector.broadcast(S, k);
    FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int bound = S.loopBound(c);
    double total = 0;
    int i = 0;
    while (i < bound) {
      FloatVector acc = FloatVector.zero(S);
      int end = Math.min(bound, i + BLOCK * L);
      for (; i < end; i += L) {
        FloatVector e = FloatVector.fromArray(S, x, base + i).sub(mv).lanewise(VectorOperators.EXP);
        e.intoArray(g, base + i);
        acc = acc.add(e);
        mx = mx.max(FloatVector.fromArray(S, x, next + i));
        FloatVector.fromArray(S, g, prev + i).mul(kv).intoArray(g, prev + i);
      }
      total += acc.reduceLanes(VectorOperators.ADD);
    }
    if (bound < c) {
      total += storeTail(x, base, c, mv, g, done);
      mx = mx.max(FloatVector.fromArray(S, x, next + c - L));
      FloatVector v = FloatVector.fromArray(S, g, prev + c - L);
      v.mul(kv).blend(v, done).intoArray(g, prev + c - L);
    }
    nextMax[0] = mx.reduceLanes(VectorOperators.MAX);
    return total;
  }

  /** The row's last {@code L} exponentials: stores the new lanes (keeping the ones stored), returns their sum. */
  private static double storeTail(float[] x, int base, int c, FloatVector mv, float[] g, VectorMask<Float> done) {
    int at = base + c - L;
    FloatVector e = FloatVector.fromArray(S, x, at).sub(mv).lanewise(VectorOperators.EXP);
    e.blend(FloatVector.fromArray(S, g, at), done).intoArray(g, at);
    return e.blend(0f, done).reduceLanes(VectorOperators.ADD);
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
            java.util.Arrays.fill(grad, base, base + c, 0f);
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

  /** {@code v[from, from + len) = exp(v)} in place; a last partial vector is done scalar. */
  private static void expInPlace(float[] v, int from, int len) {
    int bound = S.loopBound(len);
    int i = 0;
    for (; i < bound; i += L) {
      FloatVector.fromArray(S, v, from + i).lanewise(VectorOperators.EXP).intoArray(v, from + i);
    }
    for (; i < len; i++) {
      v[from + i] = (float) Math.exp(v[from + i]);
    }
  }

  @Override
  void scale(float[] v, int from, int len, float k) {
    int i = 0;
    int bound = S.loopBound(len);
    for (; i < bound; i += L) {
      FloatVector.fromArray(S, v, from + i).mul(k).intoArray(v, from + i);
    }
    for (; i < len; i++) {
      v[from + i] *= k;
    }
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
    for (; p < len; p++) {
      float e = (float) Math.exp(x[from + p] - m[p]);
      float y = e - comp[p];
      float t = s[p] + y;
      comp[p] = (t - s[p]) - y;
      s[p] = t;
      if (out != null) {
        out[from + p] = e;
      }
    }
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
          FloatVector onePlus = e.add(1f);
          // sigmoid(x) = 1/(1+e) for x >= 0, e/(1+e) below, with e = exp(-|x|): no overflow
          FloatVector sig = FloatVector.broadcast(S, 1f).div(onePlus)
              .blend(e.div(onePlus), xv.compare(VectorOperators.LT, 0f));
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
