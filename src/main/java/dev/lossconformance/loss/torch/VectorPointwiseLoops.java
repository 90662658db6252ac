package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PointwiseLoops} on the Vector API (loaded reflectively only when {@code jdk.incubator.vector}
 * is present): each loop does the whole vectors of its range in float32 lanes, op for op the float32
 * steps of the scalar kernel in {@link PointwiseKernels} (so the same bits but for exp, {@link
 * VectorExp#exp}'s polynomial, and log, the Vector API's {@code LOG}, each within an ulp of
 * {@code Math}'s). The float lanes are as many as the preferred double lanes (half their width), so a
 * float vector converts to a double one in one {@code F2D} of equal lane counts, which JDK 17's C2
 * intrinsifies (a part of a wider float vector it does not: that allocated per iteration). The losses
 * and their magnitudes are summed in double lanes for {@link FastPointwise}'s sum and domain check, and
 * reduced in the loop method itself: a vector handed to a helper that C2 does not inline, or a vector
 * variable that may be null (an absent weight: ones here), is boxed on every iteration. The float64
 * loops at the end do the same in double lanes.
 */
final class VectorPointwiseLoops extends PointwiseLoops {
  /** The preferred double lanes, and float lanes of the same count (half their width). */
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> S = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
  private static final int L = S.length();
  /** The float64 loops' sum block: FastPointwise.Sum's, a multiple of the lane count. */
  private static final int BLOCK = FastPointwise.Sum.BLOCK;

  @Override
  int l1(float[] x, float[] y, int from, int to, float g, float[] loss, float[] gx, float[] gy,
      FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector zero = FloatVector.zero(S);
    FloatVector pos = FloatVector.broadcast(S, g);
    FloatVector neg = FloatVector.broadcast(S, -g);
    for (int i = from; i < end; i += L) {
      FloatVector d = FloatVector.fromArray(S, x, i).sub(FloatVector.fromArray(S, y, i));
      FloatVector l = d.abs();
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      // g sgn(d): +g, -g, or +0 at d = 0 and NaN
      FloatVector sg = zero.blend(pos, d.compare(VectorOperators.GT, 0f)).blend(neg, d.compare(VectorOperators.LT, 0f));
      if (gx != null) {
        sg.intoArray(gx, i);
      }
      if (gy != null) {
        zero.sub(sg).intoArray(gy, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  @Override
  int hinge(float[] x, float[] y, int from, int to, float margin, float g, float[] loss, float[] gx,
      FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector zero = FloatVector.zero(S);
    for (int i = from; i < end; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, i);
      FloatVector yv = FloatVector.fromArray(S, y, i);
      FloatVector m = FloatVector.broadcast(S, margin).sub(xv);
      VectorMask<Float> notPos = yv.compare(VectorOperators.NE, 1f);
      VectorMask<Float> notNeg = yv.compare(VectorOperators.NE, -1f);
      // (margin - x).clamp_min(0) (NaN stays NaN), where y != 1; plus x where y != -1
      FloatVector hinge = m.blend(zero, m.compare(VectorOperators.LT, 0f));
      FloatVector l = zero.blend(hinge, notPos).add(zero.blend(xv, notNeg));
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      if (gx != null) {
        FloatVector a = zero.blend(FloatVector.broadcast(S, -g), notPos.and(m.compare(VectorOperators.GE, 0f)));
        FloatVector b = zero.blend(FloatVector.broadcast(S, g), notNeg);
        zero.add(a.add(b)).intoArray(gx, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  @Override
  int klDiv(float[] x, float[] t, int from, int to, float g, float[] loss, float[] gx, float[] gt,
      FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector zero = FloatVector.zero(S);
    for (int i = from; i < end; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, i);
      FloatVector tv = FloatVector.fromArray(S, t, i);
      FloatVector lt = tv.lanewise(VectorOperators.LOG);
      VectorMask<Float> t0 = tv.compare(VectorOperators.EQ, 0f);
      // xlogy(t, t): 0 at t = 0, NaN at a NaN t (t * log t is NaN there)
      FloatVector a = tv.mul(lt).blend(zero, t0);
      FloatVector l = a.sub(tv.mul(xv));
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      if (gx != null) {
        zero.add(tv.mul(-g)).intoArray(gx, i);
      }
      if (gt != null) {
        FloatVector self = lt.mul(g).blend(zero, t0);
        FloatVector other = tv.mul(g).div(tv);
        self.add(other).add(zero.add(xv.mul(-g))).intoArray(gt, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  @Override
  int klDivLog(float[] x, float[] t, int from, int to, float g, float[] loss, float[] gx, float[] gt,
      FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector zero = FloatVector.zero(S);
    for (int i = from; i < end; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, i);
      FloatVector tv = FloatVector.fromArray(S, t, i);
      FloatVector et = VectorExp.exp(tv);
      FloatVector b = tv.sub(xv);
      FloatVector l = et.mul(b);
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      FloatVector gb = et.mul(g);
      if (gx != null) {
        zero.sub(gb).intoArray(gx, i);
      }
      if (gt != null) {
        zero.add(b.mul(g)).mul(et).add(zero.add(gb)).intoArray(gt, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  @Override
  int poissonLog(float[] x, float[] y, int from, int to, float g, float[] loss, float[] gx, float[] gy,
      FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector zero = FloatVector.zero(S);
    for (int i = from; i < end; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, i);
      FloatVector yv = FloatVector.fromArray(S, y, i);
      FloatVector e = VectorExp.exp(xv);
      FloatVector l = e.sub(yv.mul(xv));
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      if (gx != null) {
        e.mul(g).add(zero.add(yv.mul(-g))).intoArray(gx, i);
      }
      if (gy != null) {
        zero.add(xv.mul(-g)).intoArray(gy, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  @Override
  int gaussian(float[] x, float[] y, float[] v, int from, int to, float eps, float h, boolean full, float half,
      float[] loss, float[] gx, float[] gy, float[] gv, FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector zero = FloatVector.zero(S);
    for (int i = from; i < end; i += L) {
      FloatVector raw = FloatVector.fromArray(S, v, i);
      if (raw.compare(VectorOperators.LT, 0f).anyTrue()) {
        return -1;
      }
      // max(var, eps) as the scalar kernel's raw < e ? e : raw (a NaN var stays NaN)
      FloatVector vv = raw.blend(FloatVector.broadcast(S, eps), raw.compare(VectorOperators.LT, eps));
      FloatVector hv = FloatVector.broadcast(S, h).div(vv);
      FloatVector d = FloatVector.fromArray(S, x, i).sub(FloatVector.fromArray(S, y, i));
      FloatVector q = d.mul(d).div(vv);
      FloatVector l = vv.lanewise(VectorOperators.LOG).add(q).mul(0.5f);
      if (full) {
        l = l.add(half);
      }
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      if (gx != null || gy != null) {
        FloatVector gd = hv.mul(d.mul(2f));
        if (gx != null) {
          zero.add(gd).intoArray(gx, i);
        }
        if (gy != null) {
          zero.sub(gd).intoArray(gy, i);
        }
      }
      if (gv != null) {
        hv.add(zero.add(q.div(vv).mul(-h))).intoArray(gv, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  @Override
  int bceWithLogits(float[] x, float[] y, float[] w, int wOff, float[] pw, int pwOff, int from, int to, float n,
      float[] loss, float[] gx, FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector one = FloatVector.broadcast(S, 1f);
    for (int i = from; i < end; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, i);
      if (gx != null && xv.compare(VectorOperators.LT, VectorMath.FLOAT_EXP_LO).anyTrue()) {
        end = i;
        break;
      }
      FloatVector yv = FloatVector.fromArray(S, y, i);
      FloatVector z = VectorExp.exp(xv.abs().neg());
      FloatVector logSig = xv.min(0f).sub(z.lanewise(VectorOperators.LOG1P));
      // absent weights are ones, not null: a vector variable that may be null is boxed every iteration
      FloatVector pwv = pw != null ? FloatVector.fromArray(S, pw, pwOff + i - from) : one;
      if (pw != null) {
        logSig = logSig.mul(pwv.sub(1f).mul(yv).add(1f));
      }
      FloatVector l = one.sub(yv).mul(xv).sub(logSig);
      FloatVector wv = w != null ? FloatVector.fromArray(S, w, wOff + i - from) : one;
      if (w != null) {
        l = l.mul(wv);
      }
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      if (gx != null) {
        // aten's sigmoid 1 / (1 + exp(-x)): exp(-x) is z for x >= 0, and 1 / z below 0 (the scalar
        // kernel's reciprocal, in float32: a second exp would stop C2 inlining this loop's calls, whose
        // vectors then are boxed); a vector with a lane below VectorMath.FLOAT_EXP_LO, where z is
        // subnormal or 0, is left to the scalar kernel
        VectorMask<Float> negative = xv.compare(VectorOperators.LT, 0f);
        FloatVector expNeg = z.blend(one.div(z), negative);
        FloatVector sig = FloatVector.broadcast(S, 1f).div(expNeg.add(1f));
        FloatVector g;
        if (pw != null) {
          FloatVector t = pwv.mul(yv);
          g = t.add(1f).sub(yv).mul(sig).sub(t);
        } else {
          g = sig.sub(yv);
        }
        if (w != null) {
          g = g.mul(wv);
        }
        if (n != 0) {
          g = g.div(n);
        }
        g.intoArray(gx, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  /** {@link FastPointwise#log1pOfFloat} of double lanes holding float32 values. */
  private static DoubleVector log1pOfFloat(DoubleVector z) {
    DoubleVector u = z.add(1);
    return u.lanewise(VectorOperators.LOG).mul(z.div(u.sub(1))).blend(z, u.compare(VectorOperators.EQ, 1));
  }

  /**
   * The scalar kernel's double loss {@code (y - 1) max(log1p(-p), -100) - y max(log p, -100)} (times the
   * weight {@code w} when {@code weighted}) in double lanes, with its signed zeros at y = 1 and y = 0; {@code
   * log1p} as {@link FastPointwise#log1pOfFloat} for float32 values ({@code f32}), else the Vector API's.
   */
  private static DoubleVector bceLoss(DoubleVector p, DoubleVector y, DoubleVector w, boolean weighted, boolean f32) {
    DoubleVector negZero = DoubleVector.broadcast(D, -0.0);
    DoubleVector l1p = f32 ? log1pOfFloat(p.neg()) : p.neg().lanewise(VectorOperators.LOG1P);
    DoubleVector neg = y.sub(1).mul(l1p.max(-100)).blend(negZero, y.compare(VectorOperators.EQ, 1));
    DoubleVector pos = y.mul(p.lanewise(VectorOperators.LOG).max(-100)).blend(
        negZero.blend(DoubleVector.zero(D), p.compare(VectorOperators.EQ, 1)), y.compare(VectorOperators.EQ, 0));
    DoubleVector v = neg.sub(pos);
    return weighted ? v.mul(w) : v;
  }

  @Override
  int bce(float[] p, float[] y, float[] w, int wOff, int from, int to, float n, float[] loss, float[] gp,
      FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector floor = FloatVector.broadcast(S, (float) 1e-12f);
    for (int i = from; i < end; i += L) {
      FloatVector pv = FloatVector.fromArray(S, p, i);
      FloatVector yv = FloatVector.fromArray(S, y, i);
      if (!pv.compare(VectorOperators.GE, 0f).and(pv.compare(VectorOperators.LE, 1f))
          .and(yv.compare(VectorOperators.GE, 0f)).and(yv.compare(VectorOperators.LE, 1f)).allTrue()) {
        return -1;
      }
      // an absent weight is ones, not null: a vector variable that may be null is boxed every iteration
      FloatVector wv = w != null ? FloatVector.fromArray(S, w, wOff + i - from) : one;
      // the double loss rounded once to float32
      DoubleVector ld = bceLoss((DoubleVector) pv.convertShape(VectorOperators.F2D, D, 0),
          (DoubleVector) yv.convertShape(VectorOperators.F2D, D, 0),
          (DoubleVector) wv.convertShape(VectorOperators.F2D, D, 0), w != null, true);
      FloatVector l = (FloatVector) ld.convertShape(VectorOperators.D2F, S, 0);
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      if (gp != null) {
        FloatVector den = FloatVector.broadcast(S, 1f).sub(pv).mul(pv).max(floor);
        FloatVector g = pv.sub(yv).div(den);
        if (w != null) {
          g = g.mul(wv);
        }
        if (n != 0) {
          g = g.div(n);
        }
        g.intoArray(gp, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  @Override
  int poissonRate(float[] x, float[] y, int from, int to, float eps, float g, float[] loss, float[] gx, float[] gy,
      FastPointwise.Sum sum) {
    int end = from + S.loopBound(to - from);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector zero = FloatVector.zero(S);
    for (int i = from; i < end; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, i);
      FloatVector yv = FloatVector.fromArray(S, y, i);
      FloatVector xe = xv.add(eps);
      FloatVector lg = xe.lanewise(VectorOperators.LOG);
      FloatVector l = xv.sub(yv.mul(lg));
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      if (gx != null) {
        zero.add(yv.mul(-g)).div(xe).add(g).intoArray(gx, i);
      }
      if (gy != null) {
        zero.add(lg.mul(-g)).intoArray(gy, i);
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return end;
  }

  @Override
  int gaussianRowEnd(int from, int to) {
    return from + S.loopBound(to - from);
  }

  @Override
  double gaussianRow(float[] x, float[] y, int from, int to, float vv, float logV, float hv, float h, boolean full,
      float half, float[] loss, float[] gx, float[] gy, boolean gv, FastPointwise.Sum sum) {
    int end = gaussianRowEnd(from, to);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector s0 = DoubleVector.zero(D);
    DoubleVector abs = DoubleVector.zero(D);
    FloatVector zero = FloatVector.zero(S);
    for (int i = from; i < end; i += L) {
      FloatVector d = FloatVector.fromArray(S, x, i).sub(FloatVector.fromArray(S, y, i));
      FloatVector q = d.mul(d).div(vv);
      FloatVector l = q.add(logV).mul(0.5f);
      if (full) {
        l = l.add(half);
      }
      DoubleVector dl = (DoubleVector) l.convertShape(VectorOperators.F2D, D, 0);
      acc = acc.add(dl);
      abs = abs.add(dl.abs());
      if (loss != null) {
        l.intoArray(loss, i);
      }
      if (gx != null || gy != null) {
        FloatVector gd = d.mul(2f).mul(hv);
        if (gx != null) {
          zero.add(gd).intoArray(gx, i);
        }
        if (gy != null) {
          zero.sub(gd).intoArray(gy, i);
        }
      }
      if (gv) {
        FloatVector t = q.div(vv).mul(-h);
        s0 = s0.add(t.convertShape(VectorOperators.F2D, D, 0));
      }
    }
    sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    return gv ? s0.reduceLanes(VectorOperators.ADD) : 0;
  }

  // ---- float64 loops: each step the double op of the scalar kernel, but exp (VectorMath's, within 2
  // ulps of Math.exp), log and log1p (the Vector API's, SVML once C2 compiles them); the losses are
  // added per block of BLOCK elements (sum.addBlock), as the scalar kernel's Sum blocks

  private static DoubleVector load(double[] a, int i) {
    return DoubleVector.fromArray(D, a, i);
  }

  @Override
  int l1(double[] x, double[] y, int from, int to, double g, double[] loss, double[] gx, double[] gy,
      FastPointwise.Sum sum) {
    int end = from + D.loopBound(to - from);
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector pos = DoubleVector.broadcast(D, g);
    DoubleVector neg = DoubleVector.broadcast(D, -g);
    for (int b = from; b < end; b += BLOCK) {
      int e = Math.min(end, b + BLOCK);
      DoubleVector acc = zero;
      DoubleVector abs = zero;
      for (int i = b; i < e; i += L) {
        DoubleVector d = load(x, i).sub(load(y, i));
        DoubleVector l = d.abs();
        acc = acc.add(l);
        abs = abs.add(l);
        if (loss != null) {
          l.intoArray(loss, i);
        }
        DoubleVector sg = zero.blend(pos, d.compare(VectorOperators.GT, 0)).blend(neg, d.compare(VectorOperators.LT, 0));
        if (gx != null) {
          sg.intoArray(gx, i);
        }
        if (gy != null) {
          zero.sub(sg).intoArray(gy, i);
        }
      }
      sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    }
    return end;
  }

  @Override
  int klDiv(double[] x, double[] t, int from, int to, double g, double[] loss, double[] gx, double[] gt,
      FastPointwise.Sum sum) {
    int end = from + D.loopBound(to - from);
    DoubleVector zero = DoubleVector.zero(D);
    for (int b = from; b < end; b += BLOCK) {
      int e = Math.min(end, b + BLOCK);
      DoubleVector acc = zero;
      DoubleVector abs = zero;
      for (int i = b; i < e; i += L) {
        DoubleVector xv = load(x, i);
        DoubleVector tv = load(t, i);
        DoubleVector lt = tv.lanewise(VectorOperators.LOG);
        VectorMask<Double> t0 = tv.compare(VectorOperators.EQ, 0);
        DoubleVector l = tv.mul(lt).blend(zero, t0).sub(tv.mul(xv));
        acc = acc.add(l);
        abs = abs.add(l.abs());
        if (loss != null) {
          l.intoArray(loss, i);
        }
        if (gx != null) {
          zero.add(tv.mul(-g)).intoArray(gx, i);
        }
        if (gt != null) {
          lt.mul(g).blend(zero, t0).add(tv.mul(g).div(tv)).add(zero.add(xv.mul(-g))).intoArray(gt, i);
        }
      }
      sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    }
    return end;
  }

  @Override
  int klDivLog(double[] x, double[] t, int from, int to, double g, double[] loss, double[] gx, double[] gt,
      FastPointwise.Sum sum) {
    int end = from + D.loopBound(to - from);
    DoubleVector zero = DoubleVector.zero(D);
    for (int b = from; b < end; b += BLOCK) {
      int e = Math.min(end, b + BLOCK);
      DoubleVector acc = zero;
      DoubleVector abs = zero;
      for (int i = b; i < e; i += L) {
        DoubleVector xv = load(x, i);
        DoubleVector tv = load(t, i);
        DoubleVector et = VectorMath.exp(tv);
        DoubleVector bv = tv.sub(xv);
        DoubleVector l = et.mul(bv);
        acc = acc.add(l);
        abs = abs.add(l.abs());
        if (loss != null) {
          l.intoArray(loss, i);
        }
        DoubleVector gb = et.mul(g);
        if (gx != null) {
          zero.sub(gb).intoArray(gx, i);
        }
        if (gt != null) {
          zero.add(bv.mul(g)).mul(et).add(zero.add(gb)).intoArray(gt, i);
        }
      }
      sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    }
    return end;
  }

  @Override
  int poissonLog(double[] x, double[] y, int from, int to, double g, double[] loss, double[] gx, double[] gy,
      FastPointwise.Sum sum) {
    int end = from + D.loopBound(to - from);
    DoubleVector zero = DoubleVector.zero(D);
    for (int b = from; b < end; b += BLOCK) {
      int e = Math.min(end, b + BLOCK);
      DoubleVector acc = zero;
      DoubleVector abs = zero;
      for (int i = b; i < e; i += L) {
        DoubleVector xv = load(x, i);
        DoubleVector yv = load(y, i);
        DoubleVector ex = VectorMath.exp(xv);
        DoubleVector l = ex.sub(yv.mul(xv));
        acc = acc.add(l);
        abs = abs.add(l.abs());
        if (loss != null) {
          l.intoArray(loss, i);
        }
        if (gx != null) {
          ex.mul(g).add(zero.add(yv.mul(-g))).intoArray(gx, i);
        }
        if (gy != null) {
          zero.add(xv.mul(-g)).intoArray(gy, i);
        }
      }
      sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    }
    return end;
  }

  @Override
  int poissonRate(double[] x, double[] y, int from, int to, double eps, double g, double[] loss, double[] gx,
      double[] gy, FastPointwise.Sum sum) {
    int end = from + D.loopBound(to - from);
    DoubleVector zero = DoubleVector.zero(D);
    for (int b = from; b < end; b += BLOCK) {
      int e = Math.min(end, b + BLOCK);
      DoubleVector acc = zero;
      DoubleVector abs = zero;
      for (int i = b; i < e; i += L) {
        DoubleVector xv = load(x, i);
        DoubleVector yv = load(y, i);
        DoubleVector xe = xv.add(eps);
        DoubleVector lg = xe.lanewise(VectorOperators.LOG);
        DoubleVector l = xv.sub(yv.mul(lg));
        acc = acc.add(l);
        abs = abs.add(l.abs());
        if (loss != null) {
          l.intoArray(loss, i);
        }
        if (gx != null) {
          zero.add(yv.mul(-g)).div(xe).add(g).intoArray(gx, i);
        }
        if (gy != null) {
          zero.add(lg.mul(-g)).intoArray(gy, i);
        }
      }
      sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    }
    return end;
  }

  @Override
  int gaussian(double[] x, double[] y, double[] v, int from, int to, double eps, double h, boolean full, double half,
      double[] loss, double[] gx, double[] gy, double[] gv, FastPointwise.Sum sum) {
    int end = from + D.loopBound(to - from);
    DoubleVector zero = DoubleVector.zero(D);
    for (int b = from; b < end; b += BLOCK) {
      int e = Math.min(end, b + BLOCK);
      DoubleVector acc = zero;
      DoubleVector abs = zero;
      for (int i = b; i < e; i += L) {
        DoubleVector raw = load(v, i);
        if (raw.compare(VectorOperators.LT, 0).anyTrue()) {
          return -1;
        }
        DoubleVector vv = raw.blend(eps, raw.compare(VectorOperators.LT, eps));
        DoubleVector hv = DoubleVector.broadcast(D, h).div(vv);
        DoubleVector d = load(x, i).sub(load(y, i));
        DoubleVector q = d.mul(d).div(vv);
        DoubleVector l = vv.lanewise(VectorOperators.LOG).add(q).mul(0.5);
        if (full) {
          l = l.add(half);
        }
        acc = acc.add(l);
        abs = abs.add(l.abs());
        if (loss != null) {
          l.intoArray(loss, i);
        }
        if (gx != null || gy != null) {
          DoubleVector gd = hv.mul(d.mul(2));
          if (gx != null) {
            zero.add(gd).intoArray(gx, i);
          }
          if (gy != null) {
            zero.sub(gd).intoArray(gy, i);
          }
        }
        if (gv != null) {
          hv.add(zero.add(q.div(vv).mul(-h))).intoArray(gv, i);
        }
      }
      sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    }
    return end;
  }

  @Override
  int bceWithLogits(double[] x, double[] y, double[] w, int wOff, double[] pw, int pwOff, int from, int to, double n,
      double[] loss, double[] gx, FastPointwise.Sum sum) {
    int end = from + D.loopBound(to - from);
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    for (int b = from; b < end; b += BLOCK) {
      int e = Math.min(end, b + BLOCK);
      DoubleVector acc = zero;
      DoubleVector abs = zero;
      for (int i = b; i < e; i += L) {
        DoubleVector xv = load(x, i);
        if (gx != null && xv.compare(VectorOperators.LT, VectorMath.DOUBLE_EXP_LO).anyTrue()) {
          // z = exp(-|x|) would be subnormal or 0 where the reciprocal below takes exp(-x): the scalar kernel
          sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
          return i;
        }
        DoubleVector yv = load(y, i);
        DoubleVector z = VectorMath.exp(xv.abs().neg());
        DoubleVector logSig = xv.min(0).sub(z.lanewise(VectorOperators.LOG1P));
        DoubleVector pwv = pw != null ? load(pw, pwOff + i - from) : one;
        if (pw != null) {
          logSig = logSig.mul(pwv.sub(1).mul(yv).add(1));
        }
        DoubleVector l = one.sub(yv).mul(xv).sub(logSig);
        DoubleVector wv = w != null ? load(w, wOff + i - from) : one;
        if (w != null) {
          l = l.mul(wv);
        }
        acc = acc.add(l);
        abs = abs.add(l.abs());
        if (loss != null) {
          l.intoArray(loss, i);
        }
        if (gx != null) {
          // exp(-x): z for x >= 0, 1 / z below (as the float32 loop; the scalar kernel's Math.exp(-x))
          DoubleVector expNeg = z.blend(one.div(z), xv.compare(VectorOperators.LT, 0));
          DoubleVector sig = one.div(expNeg.add(1));
          DoubleVector g;
          if (pw != null) {
            DoubleVector t = pwv.mul(yv);
            g = t.add(1).sub(yv).mul(sig).sub(t);
          } else {
            g = sig.sub(yv);
          }
          if (w != null) {
            g = g.mul(wv);
          }
          if (n != 0) {
            g = g.div(n);
          }
          g.intoArray(gx, i);
        }
      }
      sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    }
    return end;
  }

  @Override
  int bce(double[] p, double[] y, double[] w, int wOff, int from, int to, double n, double[] loss, double[] gp,
      FastPointwise.Sum sum) {
    int end = from + D.loopBound(to - from);
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    DoubleVector floor = DoubleVector.broadcast(D, (double) 1e-12f);
    for (int b = from; b < end; b += BLOCK) {
      int e = Math.min(end, b + BLOCK);
      DoubleVector acc = zero;
      DoubleVector abs = zero;
      for (int i = b; i < e; i += L) {
        DoubleVector pv = load(p, i);
        DoubleVector yv = load(y, i);
        if (!pv.compare(VectorOperators.GE, 0).and(pv.compare(VectorOperators.LE, 1))
            .and(yv.compare(VectorOperators.GE, 0)).and(yv.compare(VectorOperators.LE, 1)).allTrue()) {
          return -1;
        }
        DoubleVector wv = w != null ? load(w, wOff + i - from) : one;
        DoubleVector l = bceLoss(pv, yv, wv, w != null, false);
        acc = acc.add(l);
        abs = abs.add(l.abs());
        if (loss != null) {
          l.intoArray(loss, i);
        }
        if (gp != null) {
          DoubleVector g = pv.sub(yv).div(one.sub(pv).mul(pv).max(floor));
          if (w != null) {
            g = g.mul(wv);
          }
          if (n != 0) {
            g = g.div(n);
          }
          g.intoArray(gp, i);
        }
      }
      sum.addBlock(acc.reduceLanes(VectorOperators.ADD), abs.reduceLanes(VectorOperators.ADD));
    }
    return end;
  }
}
