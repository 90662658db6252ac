package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.VectorLog;
import dev.lossconformance.loss.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SigmoidRows} on the Vector API (jdk.incubator.vector), loaded by reflection only when the module
 * is present. Each loop does the whole vectors of its range, float32 in float lanes and float64 in double
 * lanes, op for op the exact path's: every op rounded in the dtype and its result flushed lane by lane
 * when subnormal (TF's FTZ), the inputs read with DAZ. A vector holding a NaN or infinite input goes to
 * the scalar element functions (the exact path's), and so do the elements after the last whole vector.
 * The float and double loops are twins only because the Vector API's species are typed.
 *
 * <p>Only three functions differ from the exact path's: exp is {@link VectorMath#exp} (within 1 ulp of
 * {@code Math.exp} in float, 2 in double), log and log1p are the Vector API's {@code LOG} and
 * {@code LOG1P}. Measured against the exact path (SigmoidFastPathTest, 4 M random elements per dtype,
 * logits N(0, 5), labels in [0, 1]): at most 2 float32 ulps and 2 float64 ulps in the losses and the
 * gradients, that test's bound being 4 ulps of the value or of the largest op term in it.
 * Keras' BinaryCrossentropy rows run on 8-lane float vectors, Eigen's AVX packet, so the row sums have the
 * exact path's order; their gradients, computed in double as the exact path's, on double lanes.
 */
final class VectorSigmoidRows extends SigmoidRows {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final int LF = F.length();
  private static final int LD = D.length();
  /** Eigen's 8-lane float packet for the Keras rows, and the double halves of one. */
  private static final VectorSpecies<Float> P = FloatVector.SPECIES_256;
  private static final VectorSpecies<Double> H = DoubleVector.SPECIES_256;
  private static final VectorSpecies<Float> Q = FloatVector.SPECIES_128;

  @Override
  public String name() {
    return "vector(" + F + ")";
  }

  /**
   * Where a loop's whole vectors start: the first multiple of the lane count {@code lanes} at or after
   * {@code from} (at most {@code to}). The chunks start at multiples of 64 (SigmoidFast), so which
   * elements are in a vector depends only on their index, never on the chunking or the thread count.
   */
  private static int aligned(int from, int to, int lanes) {
    return Math.min(to, (from + lanes - 1) / lanes * lanes);
  }

  /** Each lane as TF's FTZ leaves it: a subnormal is a zero of its sign. */
  private static FloatVector flush(FloatVector v) {
    return v.blend(v.mul(0f), v.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
  }

  private static DoubleVector flush(DoubleVector v) {
    return v.blend(v.mul(0.0), v.abs().compare(VectorOperators.LT, Double.MIN_NORMAL));
  }

  /** Whether every lane of both is finite. */
  private static boolean finite(FloatVector a, FloatVector b) {
    return a.abs().max(b.abs()).compare(VectorOperators.LE, Float.MAX_VALUE).allTrue();
  }

  private static boolean finite(DoubleVector a, DoubleVector b) {
    return a.abs().max(b.abs()).compare(VectorOperators.LE, Double.MAX_VALUE).allTrue();
  }

  /**
   * The sigmoid cross-entropy of finite lanes (labels {@code z}, logits {@code x}, both flushed):
   * returns the loss, writes the gradient into {@code g[at, at + lanes)}. See
   * {@link TfNn#sigmoidCrossEntropy} and {@link TfNn#sigmoidCrossEntropyGrad}.
   */
  private static FloatVector sigmoidLanes(FloatVector z, FloatVector x, float[] g, int at) {
    FloatVector zero = x.broadcast(0f);
    FloatVector one = x.broadcast(1f);
    VectorMask<Float> cond = x.compare(VectorOperators.GE, 0f);
    FloatVector e = flush(VectorMath.exp(x.abs().neg()));
    FloatVector relu = zero.blend(x, cond);
    FloatVector loss = flush(flush(relu.sub(flush(x.mul(z)))).add(flush(VectorLog.log1p(e))));
    FloatVector gn = flush(flush(one.div(flush(e.add(1f)))).mul(e));
    // AddN: (cond ? 1 : 0) + -z, + (cond ? 0 : gn), + -(cond ? gn : 0)
    FloatVector t = flush(zero.blend(one, cond).sub(z));
    t = flush(t.add(gn.blend(0f, cond)));
    flush(t.sub(zero.blend(gn, cond))).intoArray(g, at);
    return loss;
  }

  @Override
  void sigmoid(float[] z, float[] x, int from, int to, float[] loss, float[] g) {
    int start = aligned(from, to, LF);
    int end = start + F.loopBound(to - start);
    super.sigmoid(z, x, from, start, loss, g);
    for (int i = start; i < end; i += LF) {
      FloatVector xv = FloatVector.fromArray(F, x, i);
      FloatVector zv = FloatVector.fromArray(F, z, i);
      if (!finite(xv, zv)) {
        super.sigmoid(z, x, i, i + LF, loss, g);
        continue;
      }
      sigmoidLanes(flush(zv), flush(xv), g, i).intoArray(loss, i);
    }
    super.sigmoid(z, x, end, to, loss, g);
  }

  @Override
  void sigmoid(double[] z, double[] x, int from, int to, double[] loss, double[] g) {
    int start = aligned(from, to, LD);
    int end = start + D.loopBound(to - start);
    super.sigmoid(z, x, from, start, loss, g);
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    for (int i = start; i < end; i += LD) {
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      DoubleVector zv = DoubleVector.fromArray(D, z, i);
      if (!finite(xv, zv)) {
        super.sigmoid(z, x, i, i + LD, loss, g);
        continue;
      }
      xv = flush(xv);
      zv = flush(zv);
      VectorMask<Double> cond = xv.compare(VectorOperators.GE, 0);
      DoubleVector e = flush(VectorMath.exp(xv.abs().neg()));
      DoubleVector relu = zero.blend(xv, cond);
      flush(flush(relu.sub(flush(xv.mul(zv)))).add(flush(VectorLog.log1p(e)))).intoArray(loss, i);
      DoubleVector gn = flush(flush(one.div(flush(e.add(1)))).mul(e));
      DoubleVector t = flush(zero.blend(one, cond).sub(zv));
      t = flush(t.add(gn.blend(0, cond)));
      flush(t.sub(zero.blend(gn, cond))).intoArray(g, i);
    }
    super.sigmoid(z, x, end, to, loss, g);
  }

  @Override
  void weighted(float[] z, float[] x, float[] q, int qAt, int qStep, int from, int to, float[] loss,
      float[] g, double[] out) {
    int start = aligned(from, to, LF);
    int end = start + F.loopBound(to - start);
    super.weighted(z, x, q, qAt, qStep, from, start, loss, g, out);
    FloatVector zero = FloatVector.zero(F);
    FloatVector one = FloatVector.broadcast(F, 1f);
    for (int i = start; i < end; i += LF) {
      int qi = qAt + (i - from) * qStep;
      FloatVector xv = FloatVector.fromArray(F, x, i);
      FloatVector zv = FloatVector.fromArray(F, z, i);
      FloatVector qv = qStep == 0 ? FloatVector.broadcast(F, q[qAt]) : FloatVector.fromArray(F, q, qi);
      if (!finite(xv, zv) || !finite(qv, qv)) {
        super.weighted(z, x, q, qi, qStep, i, i + LF, loss, g, out);
        continue;
      }
      xv = flush(xv);
      zv = flush(zv);
      qv = flush(qv);
      FloatVector lw = flush(flush(flush(qv.sub(1f)).mul(zv)).add(1f));
      FloatVector u = flush(one.sub(zv));
      FloatVector e = flush(VectorMath.exp(xv.abs().neg()));
      FloatVector nx = xv.neg();
      VectorMask<Float> pos = nx.compare(VectorOperators.GT, 0f);
      FloatVector b = flush(lw.mul(flush(flush(VectorLog.log1p(e)).add(zero.blend(nx, pos)))));
      flush(flush(u.mul(xv)).add(b)).intoArray(loss, i);
      FloatVector reluGrad = flush(lw.mul(zero.blend(one, pos)));
      FloatVector gna = flush(flush(lw.mul(flush(one.div(flush(e.add(1f)))))).mul(e));
      FloatVector sign = zero.blend(one, xv.compare(VectorOperators.GT, 0f)).blend(-1f, xv.compare(VectorOperators.LT, 0f));
      flush(flush(u.sub(reluGrad)).add(flush(gna.neg().mul(sign)))).intoArray(g, i);
    }
    super.weighted(z, x, q, qAt + (end - from) * qStep, qStep, end, to, loss, g, out);
  }

  @Override
  void weighted(double[] z, double[] x, double[] q, int qAt, int qStep, int from, int to, double[] loss,
      double[] g, double[] out) {
    int start = aligned(from, to, LD);
    int end = start + D.loopBound(to - start);
    super.weighted(z, x, q, qAt, qStep, from, start, loss, g, out);
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    for (int i = start; i < end; i += LD) {
      int qi = qAt + (i - from) * qStep;
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      DoubleVector zv = DoubleVector.fromArray(D, z, i);
      DoubleVector qv = qStep == 0 ? DoubleVector.broadcast(D, q[qAt]) : DoubleVector.fromArray(D, q, qi);
      if (!finite(xv, zv) || !finite(qv, qv)) {
        super.weighted(z, x, q, qi, qStep, i, i + LD, loss, g, out);
        continue;
      }
      xv = flush(xv);
      zv = flush(zv);
      qv = flush(qv);
      DoubleVector lw = flush(flush(flush(qv.sub(1)).mul(zv)).add(1));
      DoubleVector u = flush(one.sub(zv));
      DoubleVector e = flush(VectorMath.exp(xv.abs().neg()));
      DoubleVector nx = xv.neg();
      VectorMask<Double> pos = nx.compare(VectorOperators.GT, 0);
      DoubleVector b = flush(lw.mul(flush(flush(VectorLog.log1p(e)).add(zero.blend(nx, pos)))));
      flush(flush(u.mul(xv)).add(b)).intoArray(loss, i);
      DoubleVector reluGrad = flush(lw.mul(zero.blend(one, pos)));
      DoubleVector gna = flush(flush(lw.mul(flush(one.div(flush(e.add(1)))))).mul(e));
      DoubleVector sign = zero.blend(one, xv.compare(VectorOperators.GT, 0)).blend(-1, xv.compare(VectorOperators.LT, 0));
      flush(flush(u.sub(reluGrad)).add(flush(gna.neg().mul(sign)))).intoArray(g, i);
    }
    super.weighted(z, x, q, qAt + (end - from) * qStep, qStep, end, to, loss, g, out);
  }

  @Override
  void logPoisson(float[] z, float[] c, int from, int to, boolean full, float[] loss, float[] g,
      double[] out) {
    int start = aligned(from, to, LF);
    int end = start + F.loopBound(to - start);
    super.logPoisson(z, c, from, start, full, loss, g, out);
    FloatVector half = FloatVector.broadcast(F, 0.5f);
    FloatVector twoPi = FloatVector.broadcast(F, (float) (2 * Math.PI));
    for (int i = start; i < end; i += LF) {
      FloatVector cv = FloatVector.fromArray(F, c, i);
      FloatVector zv = FloatVector.fromArray(F, z, i);
      if (!finite(cv, zv) || full && zv.compare(VectorOperators.LT, 0f).anyTrue()) {
        super.logPoisson(z, c, i, i + LF, full, loss, g, out);
        continue;
      }
      cv = flush(cv);
      zv = flush(zv);
      FloatVector e = flush(VectorMath.exp(cv));
      FloatVector l = flush(e.sub(flush(cv.mul(zv))));
      if (full) {
        // lanes with z <= 1 are masked below: their logs are of 1 (a positive normal argument for VectorLog)
        VectorMask<Float> low = zv.compare(VectorOperators.LE, 1f);
        FloatVector st = flush(flush(zv.mul(flush(VectorLog.log(zv.blend(1f, low))))).sub(zv));
        st = flush(st.add(flush(half.mul(flush(VectorLog.log(flush(twoPi.mul(zv)).blend(1f, low)))))));
        VectorMask<Float> inside = zv.compare(VectorOperators.GE, 0f).and(zv.compare(VectorOperators.LE, 1f));
        l = flush(l.add(st.blend(0f, inside)));
      }
      l.intoArray(loss, i);
      flush(e.sub(zv)).intoArray(g, i);
    }
    super.logPoisson(z, c, end, to, full, loss, g, out);
  }

  @Override
  void logPoisson(double[] z, double[] c, int from, int to, boolean full, double[] loss, double[] g,
      double[] out) {
    int start = aligned(from, to, LD);
    int end = start + D.loopBound(to - start);
    super.logPoisson(z, c, from, start, full, loss, g, out);
    DoubleVector half = DoubleVector.broadcast(D, 0.5);
    DoubleVector twoPi = DoubleVector.broadcast(D, 2 * Math.PI);
    for (int i = start; i < end; i += LD) {
      DoubleVector cv = DoubleVector.fromArray(D, c, i);
      DoubleVector zv = DoubleVector.fromArray(D, z, i);
      if (!finite(cv, zv) || full && zv.compare(VectorOperators.LT, 0.0).anyTrue()) {
        super.logPoisson(z, c, i, i + LD, full, loss, g, out);
        continue;
      }
      cv = flush(cv);
      zv = flush(zv);
      DoubleVector e = flush(VectorMath.exp(cv));
      DoubleVector l = flush(e.sub(flush(cv.mul(zv))));
      if (full) {
        // lanes with z <= 1 are masked below: their logs are of 1 (a positive normal argument for VectorLog)
        VectorMask<Double> low = zv.compare(VectorOperators.LE, 1.0);
        DoubleVector st = flush(flush(zv.mul(flush(VectorLog.log(zv.blend(1.0, low))))).sub(zv));
        st = flush(st.add(flush(half.mul(flush(VectorLog.log(flush(twoPi.mul(zv)).blend(1.0, low)))))));
        VectorMask<Double> inside = zv.compare(VectorOperators.GE, 0).and(zv.compare(VectorOperators.LE, 1));
        l = flush(l.add(st.blend(0, inside)));
      }
      l.intoArray(loss, i);
      flush(e.sub(zv)).intoArray(g, i);
    }
    super.logPoisson(z, c, end, to, full, loss, g, out);
  }

  /**
   * The Keras rows: whole packets of 8 in float lanes (the terms, their lane sums, each addition flushed),
   * the gradient {@code (float) (factor * de / len)} in two double halves; a packet with a non-finite
   * input, and the elements after the last packet, through the exact element function
   * ({@link SigmoidRows#bceTerm}). {@code lanes} must hold 16 floats here.
   */
  @Override
  public float bceRow(boolean fromLogits, double s, float[] y, int yAt, float[] p, int pAt, int len,
      double factor, float[] g, int gAt, float[] lanes, double[] out) {
    checkRow(y, p, g, lanes, out);
    int vec = len / PACKET * PACKET;
    FloatVector acc = FloatVector.zero(P);
    DoubleVector fac = DoubleVector.broadcast(H, factor);
    DoubleVector count = DoubleVector.broadcast(H, len);
    DoubleVector oneD = DoubleVector.broadcast(H, 1);
    for (int j = 0; j < vec; j += PACKET) {
      FloatVector yv = FloatVector.fromArray(P, y, yAt + j);
      FloatVector pv = FloatVector.fromArray(P, p, pAt + j);
      if (!finite(yv, pv)) {
        for (int l = 0; l < PACKET; l++) {
          bceTerm(fromLogits, s, y[yAt + j + l], p[pAt + j + l], out);
          lanes[l] = (float) out[0];
          g[gAt + j + l] = (float) (factor * out[1] / len);
        }
        acc = flush(acc.add(FloatVector.fromArray(P, lanes, 0)));
        continue;
      }
      if (s != 0) {
        yv = yv.mul((float) (1 - s)).add((float) (0.5 * s));
      }
      if (fromLogits) {
        acc = flush(acc.add(sigmoidLanes(flush(yv), flush(pv), lanes, PACKET)));
        FloatVector de = FloatVector.fromArray(P, lanes, PACKET);
        for (int part = 0; part < 2; part++) {
          DoubleVector d = (DoubleVector) de.convertShape(VectorOperators.F2D, H, part);
          store(fac.mul(d).div(count), g, gAt + j + 4 * part);
        }
      } else {
        FloatVector pc = pv.min(ONE_MINUS_EPSILON).max(EPSILON);
        FloatVector q = pc.broadcast(1f).sub(pc);
        FloatVector bce = yv.mul(VectorLog.log(pc));
        bce = bce.add(yv.broadcast(1f).sub(yv).mul(VectorLog.log(q)));
        acc = flush(acc.add(bce.neg()));
        for (int part = 0; part < 2; part++) {
          DoubleVector yd = (DoubleVector) yv.convertShape(VectorOperators.F2D, H, part);
          DoubleVector pd = (DoubleVector) pv.convertShape(VectorOperators.F2D, H, part);
          DoubleVector pcd = (DoubleVector) pc.convertShape(VectorOperators.F2D, H, part);
          DoubleVector qd = (DoubleVector) q.convertShape(VectorOperators.F2D, H, part);
          VectorMask<Double> inside = pd.compare(VectorOperators.GE, EPSILON).and(pd.compare(VectorOperators.LE, ONE_MINUS_EPSILON));
          DoubleVector de = yd.div(pcd).sub(oneD.sub(yd).div(qd)).neg().blend(0, inside.not());
          store(fac.mul(de).div(count), g, gAt + j + 4 * part);
        }
      }
    }
    float accum = 0;
    for (int j = vec; j < len; j++) {
      bceTerm(fromLogits, s, y[yAt + j], p[pAt + j], out);
      accum = flush(accum + (float) out[0]);
      g[gAt + j] = (float) (factor * out[1] / len);
    }
    if (vec == 0) {
      return accum;
    }
    acc.intoArray(lanes, 0);
    return flush(accum + halve(lanes));
  }

  /** Four double lanes rounded to float32 into {@code g[at, at + 4)}. */
  private static void store(DoubleVector v, float[] g, int at) {
    ((FloatVector) v.convertShape(VectorOperators.D2F, Q, 0)).intoArray(g, at);
  }
}
