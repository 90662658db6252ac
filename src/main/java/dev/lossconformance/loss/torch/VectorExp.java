package dev.lossconformance.loss.torch;

import jdk.incubator.vector.FloatVector;
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
