package dev.lossconformance.loss.torch;

import static dev.lossconformance.loss.torch.FastPointwise.rnd;

import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.torch.FastPointwise.Buf;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link FastPointwise} kernels of {@link OtherLosses}' element-wise losses: each repeats its
 * generic path's per-element formula (see the method there for aten's ops and rounding points) for
 * inputs of one dtype and of the input's shape, where every promoted dtype is that dtype and every
 * broadcast sum is of one element; {@code 0.0 + v} where the generic path sums a gradient over the
 * elements an input element serves (a sum starts at +0, so a -0 gradient is +0 there too). Each returns
 * {@code null} for a call it does not cover, which then takes the generic path.
 */
final class PointwiseKernels {
  private PointwiseKernels() {}

  private static final PointwiseLoops LOOPS = PointwiseLoops.best();

  /** A buffer's float32 array, or null. */
  private static float[] f(Buf b) {
    return b == null ? null : b.f;
  }

  /** A buffer's float64 array, or null. */
  private static double[] d(Buf b) {
    return b == null ? null : b.d;
  }

  /**
   * Off, every call takes the generic path: for tests that compare the two paths on the same inputs.
   * Not for production use (it is not synchronised with calls in flight).
   */
  static volatile boolean enabled = true;

  /** Whether every tensor is floating, of {@code input}'s dtype and shape, and the input not empty. */
  static boolean plain(Tensor input, Tensor... others) {
    if (!enabled || input.numel() == 0 || !input.dtype().isFloating()) {
      return false;
    }
    for (Tensor t : others) {
      if (t.dtype() != input.dtype() || !Arrays.equals(t.shape(), input.shape())) {
        return false;
      }
    }
    return true;
  }

  /** The result: the loss and the asked-for gradients (in the order of {@code names}), {@code null} ones left out. */
  private static LossAndGrads result(Tensor loss, int[] shape, String[] names, Buf... grads) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int j = 0; j < names.length; j++) {
      if (grads[j] != null) {
        m.put(names[j], grads[j].wrap(shape));
      }
    }
    return new LossAndGrads(loss, m);
  }

  private static Buf grad(String api, Gradients wanted, String name, DType dt, int n, Object into) {
    return wanted.wants(name) ? Buf.out(api, dt, n, name.equals("grad_input") ? into : null) : null;
  }

  /** {@link OtherLosses#l1}: {@code |x - y|}, gradients {@code +-g sgn(x - y)}. */
  static LossAndGrads l1(Tensor input, Tensor target, Reduction r, Gradients wanted, Object into) {
    if (!plain(input, target)) {
      return null;
    }
    DType dt = input.dtype();
    boolean f32 = dt == DType.FLOAT32;
    int n = input.numel();
    Buf x = Buf.of(input);
    Buf y = Buf.of(target);
    Buf loss = r == Reduction.NONE ? Buf.out(OtherLosses.L1, dt, n, null) : null;
    Buf gx = grad(OtherLosses.L1, wanted, "grad_input", dt, n, into);
    Buf gy = grad(OtherLosses.L1, wanted, "grad_target", dt, n, null);
    double g = FastPointwise.upstream(dt, r, n, PointwiseLoss.NO_BATCHMEAN);
    Double sum = FastPointwise.run(n, dt, r != Reduction.NONE, (from, to, s) -> {
      int start = f32 ? LOOPS.l1(x.f, y.f, from, to, (float) g, f(loss), f(gx), f(gy), s)
          : LOOPS.l1(x.d, y.d, from, to, g, d(loss), d(gx), d(gy), s);
      for (int i = start; i < to; i++) {
        double d = rnd(f32, x.get(i) - y.get(i));
        double l = Math.abs(d);
        s.add(l);
        if (loss != null) {
          loss.set(i, l);
        }
        double sg = rnd(f32, g * PointwiseLoss.sign(d));
        if (gx != null) {
          gx.set(i, 0.0 + sg);
        }
        if (gy != null) {
          gy.set(i, 0.0 - sg);
        }
      }
    });
    if (sum == null) {
      return null;
    }
    return result(FastPointwise.loss(dt, r, n, PointwiseLoss.NO_BATCHMEAN, sum, loss, input.shape()), input.shape(),
        new String[] {"grad_input", "grad_target"}, gx, gy);
  }

  /**
   * {@link OtherLosses#klDiv}: {@code xlogy(t, t) - t x} or {@code exp(t) (t - x)}, with batchmean's
   * divisor {@code divisor} (or {@link PointwiseLoss#NO_BATCHMEAN}).
   */
  static LossAndGrads klDiv(Tensor input, Tensor target, Reduction r, int divisor, boolean logTarget,
      Gradients wanted, Object into) {
    if (!plain(input, target)) {
      return null;
    }
    String api = OtherLosses.KL_DIV;
    DType dt = input.dtype();
    boolean f32 = dt == DType.FLOAT32;
    int n = input.numel();
    Buf x = Buf.of(input);
    Buf t = Buf.of(target);
    Buf loss = r == Reduction.NONE ? Buf.out(api, dt, n, null) : null;
    Buf gx = grad(api, wanted, "grad_input", dt, n, into);
    Buf gt = grad(api, wanted, "grad_target", dt, n, null);
    double g = FastPointwise.upstream(dt, r, n, divisor);
    Double sum = FastPointwise.run(n, dt, r != Reduction.NONE, (from, to, s) -> {
      int start = logTarget ? (f32 ? LOOPS.klDivLog(x.f, t.f, from, to, (float) g, f(loss), f(gx), f(gt), s)
          : LOOPS.klDivLog(x.d, t.d, from, to, g, d(loss), d(gx), d(gt), s))
          : g == 0 ? from : f32 ? LOOPS.klDiv(x.f, t.f, from, to, (float) g, f(loss), f(gx), f(gt), s)
          : LOOPS.klDiv(x.d, t.d, from, to, g, d(loss), d(gx), d(gt), s);
      for (int i = start; i < to; i++) {
        double xi = x.get(i);
        double ti = t.get(i);
        if (logTarget) {
          double et = rnd(f32, Math.exp(ti));
          double b = rnd(f32, ti - xi);
          double l = rnd(f32, et * b);
          s.add(l);
          if (loss != null) {
            loss.set(i, l);
          }
          double gb = rnd(f32, g * et);
          if (gx != null) {
            gx.set(i, 0.0 - gb);
          }
          if (gt != null) {
            double ga = rnd(f32, 0.0 + rnd(f32, g * b));
            gt.set(i, rnd(f32, rnd(f32, ga * et) + (0.0 + gb)));
          }
        } else {
          // xlogy(t, t): NaN at a NaN t, 0 at t = 0, else t * log(t) with log(t) rounded
          double lt = rnd(f32, Math.log(ti));
          double a = Double.isNaN(ti) ? Double.NaN : ti == 0 ? 0 : rnd(f32, ti * lt);
          double l = rnd(f32, a - rnd(f32, ti * xi));
          s.add(l);
          if (loss != null) {
            loss.set(i, l);
          }
          if (gx != null) {
            gx.set(i, 0.0 + rnd(f32, -g * ti));
          }
          if (gt != null) {
            double self = ti == 0 ? 0 : Double.isNaN(ti) ? Double.NaN : g == 0 ? 0 : rnd(f32, g * lt);
            double other = rnd(f32, rnd(f32, g * ti) / ti);
            gt.set(i, rnd(f32, rnd(f32, self + other) + (0.0 + rnd(f32, -g * xi))));
          }
        }
      }
    });
    if (sum == null) {
      return null;
    }
    return result(FastPointwise.loss(dt, r, n, divisor, sum, loss, input.shape()), input.shape(),
        new String[] {"grad_input", "grad_target"}, gx, gt);
  }

  /** {@link OtherLosses#poissonNll}: {@code exp(x) - y x} or {@code x - y log(x + eps)}, Stirling's term with {@code full}. */
  static LossAndGrads poissonNll(Tensor input, Tensor target, boolean logInput, boolean full, double eps, Reduction r,
      Gradients wanted, Object into) {
    if (!plain(input, target)) {
      return null;
    }
    String api = OtherLosses.POISSON_NLL;
    DType dt = input.dtype();
    boolean f32 = dt == DType.FLOAT32;
    int n = input.numel();
    Buf x = Buf.of(input);
    Buf y = Buf.of(target);
    Buf loss = r == Reduction.NONE ? Buf.out(api, dt, n, null) : null;
    Buf gx = grad(api, wanted, "grad_input", dt, n, into);
    Buf gy = grad(api, wanted, "grad_target", dt, n, null);
    double g = FastPointwise.upstream(dt, r, n, PointwiseLoss.NO_BATCHMEAN);
    double epsX = rnd(f32, eps);
    double twoPi = rnd(f32, 2 * Math.PI);
    Double sum = FastPointwise.run(n, dt, r != Reduction.NONE, (from, to, s) -> {
      int start = full ? from : !f32 ? (logInput ? LOOPS.poissonLog(x.d, y.d, from, to, g, d(loss), d(gx), d(gy), s)
          : LOOPS.poissonRate(x.d, y.d, from, to, epsX, g, d(loss), d(gx), d(gy), s))
          : logInput ? LOOPS.poissonLog(x.f, y.f, from, to, (float) g, f(loss), f(gx), f(gy), s)
          : LOOPS.poissonRate(x.f, y.f, from, to, (float) epsX, (float) g, f(loss), f(gx), f(gy), s);
      for (int i = start; i < to; i++) {
        double xi = x.get(i);
        double yi = y.get(i);
        double l;
        double gti;
        if (logInput) {
          double e = rnd(f32, Math.exp(xi));
          l = rnd(f32, e - rnd(f32, yi * xi));
          if (gx != null) {
            gx.set(i, rnd(f32, rnd(f32, (0.0 + g) * e) + (0.0 + rnd(f32, -g * yi))));
          }
          gti = 0.0 + rnd(f32, -g * xi);
        } else {
          double xe = rnd(f32, xi + epsX);
          double lg = rnd(f32, Math.log(xe));
          l = rnd(f32, xi - rnd(f32, yi * lg));
          if (gx != null) {
            gx.set(i, rnd(f32, (0.0 + g) + rnd(f32, (0.0 + rnd(f32, -g * yi)) / xe)));
          }
          gti = 0.0 + rnd(f32, -g * lg);
        }
        if (full) {
          double ly = rnd(f32, Math.log(yi));
          double c = rnd(f32, twoPi * yi);
          if (!(yi <= 1)) {
            double st = rnd(f32, rnd(f32, rnd(f32, yi * ly) - yi) + rnd(f32, 0.5 * rnd(f32, Math.log(c))));
            l = rnd(f32, l + st);
          }
          if (gy != null) {
            // the masked m is 0 where y <= 1, and 0 log y is still NaN at y <= 0
            double m = yi <= 1 ? 0 : 0.0 + g;
            double st = rnd(f32, rnd(f32, rnd(f32, rnd(f32, m * ly) + rnd(f32, rnd(f32, m * yi) / yi)) - m)
                + rnd(f32, rnd(f32, rnd(f32, 0.5 * m) / c) * twoPi));
            gti = rnd(f32, gti + st);
          }
        }
        s.add(l);
        if (loss != null) {
          loss.set(i, l);
        }
        if (gy != null) {
          gy.set(i, gti);
        }
      }
    });
    if (sum == null) {
      return null;
    }
    return result(FastPointwise.loss(dt, r, n, PointwiseLoss.NO_BATCHMEAN, sum, loss, input.shape()), input.shape(),
        new String[] {"grad_input", "grad_target"}, gx, gy);
  }

  /**
   * {@link OtherLosses#gaussianNll}: {@code 0.5 (log v + (x - y)^2 / v)}, {@code v = max(var, eps)}, with
   * var of the input's shape or one var per row (shape {@code input.shape[:-1]} or with last dim 1,
   * {@code var} already reshaped to the latter): the row's var gradient is the sum over the row, in
   * double as the generic path's broadcast sum. A negative var is refused (the generic path reports it).
   */
  static LossAndGrads gaussianNll(Tensor input, Tensor target, Tensor var, boolean full, double eps, Reduction r,
      Gradients wanted, Object into) {
    if (!plain(input, target) || var.dtype() != input.dtype()) {
      return null;
    }
    int[] shape = input.shape();
    int n = input.numel();
    int c;
    if (Arrays.equals(var.shape(), shape)) {
      c = 1;
    } else if (var.rank() == shape.length && shape[shape.length - 1] > 0 && var.numel() * shape[shape.length - 1] == n) {
      c = shape[shape.length - 1];
    } else {
      return null;
    }
    String api = OtherLosses.GAUSSIAN_NLL;
    DType dt = input.dtype();
    boolean f32 = dt == DType.FLOAT32;
    Buf x = Buf.of(input);
    Buf y = Buf.of(target);
    Buf v = Buf.of(var);
    Buf loss = r == Reduction.NONE ? Buf.out(api, dt, n, null) : null;
    Buf gx = grad(api, wanted, "grad_input", dt, n, into);
    Buf gy = grad(api, wanted, "grad_target", dt, n, null);
    Buf gv = grad(api, wanted, "grad_var", dt, var.numel(), null);
    double g = FastPointwise.upstream(dt, r, n, PointwiseLoss.NO_BATCHMEAN);
    double e = rnd(f32, eps);
    double half = rnd(f32, 0.5 * Math.log(2 * Math.PI));
    double h = rnd(f32, g * 0.5);
    Double sum = FastPointwise.run(n, var.numel(), dt, r != Reduction.NONE, (from, to, s) -> {
      int start = c != 1 ? from : f32 ? LOOPS.gaussian(x.f, y.f, v.f, from, to, (float) e, (float) h, full, (float) half,
          f(loss), f(gx), f(gy), f(gv), s)
          : LOOPS.gaussian(x.d, y.d, v.d, from, to, e, h, full, half, d(loss), d(gx), d(gy), d(gv), s);
      if (start < 0) {
        s.refuse();
        return;
      }
      for (int row = start; row < to; row++) {
        double raw = v.get(row);
        if (raw < 0) {
          s.refuse();
          return;
        }
        double vv = raw < e ? e : raw;
        double logV = rnd(f32, Math.log(vv));
        double hv = rnd(f32, h / vv);
        double s0 = 0;
        double s1 = 0;
        int first = row * c;
        if (f32 && c > 1) {
          // one var per row: the row's whole vectors in float32 lanes; h summed over them is exact in double
          first = LOOPS.gaussianRowEnd(row * c, row * c + c);
          s1 = LOOPS.gaussianRow(x.f, y.f, row * c, row * c + c, (float) vv, (float) logV, (float) hv, (float) h, full,
              (float) half, f(loss), f(gx), f(gy), gv != null, s);
          s0 = (first - row * c) * h;
        }
        for (int i = first; i < row * c + c; i++) {
          double d = rnd(f32, x.get(i) - y.get(i));
          double q = rnd(f32, rnd(f32, d * d) / vv);
          double l = rnd(f32, 0.5 * rnd(f32, logV + q));
          if (full) {
            l = rnd(f32, l + half);
          }
          s.add(l);
          if (loss != null) {
            loss.set(i, l);
          }
          if (gx != null || gy != null) {
            double gd = rnd(f32, hv * rnd(f32, 2 * d));
            if (gx != null) {
              gx.set(i, 0.0 + gd);
            }
            if (gy != null) {
              gy.set(i, 0.0 - gd);
            }
          }
          if (gv != null) {
            s0 += h;
            s1 += rnd(f32, -h * rnd(f32, q / vv));
          }
        }
        if (gv != null) {
          gv.set(row, rnd(f32, rnd(f32, rnd(f32, s0) / vv) + rnd(f32, s1)));
        }
      }
    });
    if (sum == null) {
      return null;
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    if (gx != null) {
      m.put("grad_input", gx.wrap(shape));
    }
    if (gy != null) {
      m.put("grad_target", gy.wrap(shape));
    }
    if (gv != null) {
      m.put("grad_var", gv.wrap(var.shape()));
    }
    return new LossAndGrads(FastPointwise.loss(dt, r, n, PointwiseLoss.NO_BATCHMEAN, sum, loss, shape), m);
  }

  /**
   * {@link OtherLosses#hingeEmbedding}: {@code [y != 1] max(0, margin - x) + [y != -1] x} for a floating
   * target of the input's shape (of any floating dtype: it only enters comparisons).
   */
  static LossAndGrads hingeEmbedding(Tensor input, Tensor target, double margin, Reduction r, boolean withGrad,
      Object into) {
    if (!enabled || input.numel() == 0 || !input.dtype().isFloating() || !target.dtype().isFloating()
        || !Arrays.equals(input.shape(), target.shape())) {
      return null;
    }
    String api = OtherLosses.HINGE_EMBEDDING;
    DType dt = input.dtype();
    boolean f32 = dt == DType.FLOAT32;
    int n = input.numel();
    Buf x = Buf.of(input);
    Buf y = Buf.of(target);
    Buf loss = r == Reduction.NONE ? Buf.out(api, dt, n, null) : null;
    Buf gx = withGrad ? Buf.out(api, dt, n, into) : null;
    double g = FastPointwise.upstream(dt, r, n, PointwiseLoss.NO_BATCHMEAN);
    double mg = rnd(f32, margin);
    Double sum = FastPointwise.run(n, dt, r != Reduction.NONE, (from, to, s) -> {
      int start = f32 && y.f != null ? LOOPS.hinge(x.f, y.f, from, to, (float) mg, (float) g, f(loss), f(gx), s) : from;
      for (int i = start; i < to; i++) {
        double xi = x.get(i);
        double yi = y.get(i);
        double m = rnd(f32, mg - xi);
        double clamped = m < 0 ? 0 : m;
        double l = rnd(f32, (yi != 1 ? clamped : 0) + (yi != -1 ? xi : 0));
        s.add(l);
        if (loss != null) {
          loss.set(i, l);
        }
        if (gx != null) {
          gx.set(i, 0.0 + ((yi != 1 && m >= 0 ? -g : 0) + (yi != -1 ? g : 0)));
        }
      }
    });
    if (sum == null) {
      return null;
    }
    return result(FastPointwise.loss(dt, r, n, PointwiseLoss.NO_BATCHMEAN, sum, loss, input.shape()), input.shape(),
        new String[] {"grad_input"}, gx);
  }

  /**
   * A weight of {@code input}'s shape or of shape {@code (C)} (the last dim), of any floating dtype when
   * {@code anyDtype}, else of the input's: its length (the period of its index along the flat input), or
   * -1 when the weight is of another shape (the generic path broadcasts it).
   */
  private static int period(Tensor weight, Tensor input, boolean anyDtype) {
    if (!weight.dtype().isFloating() || (!anyDtype && weight.dtype() != input.dtype())) {
      return -1;
    }
    int[] shape = input.shape();
    if (Arrays.equals(weight.shape(), shape)) {
      return input.numel();
    }
    return weight.rank() == 1 && shape.length > 0 && weight.size(0) == shape[shape.length - 1] ? weight.size(0) : -1;
  }

  /**
   * {@link BinaryCrossEntropy}: {@code -w (y max(log p, -100) + (1 - y) max(log1p(-p), -100))} in double,
   * rounded once (as the generic path), gradient {@code w (p - y) / max((1 - p) p, 1e-12f)} in the dtype.
   * The weight is of the input's shape or {@code (C)}. An input or target outside [0, 1] is refused (the
   * generic path reports it). At {@code y = 1} the {@code log1p(-p)} side is {@code 0 * max(..) = -0}
   * (the max is at most 0) and at {@code y = 0} the {@code log p} side is {@code -0}, or {@code +0} at
   * {@code p = 1}: those logs are not taken.
   */
  static LossAndGrads bce(Tensor input, Tensor target, Tensor weight, Reduction r, boolean withGrad, Object into) {
    if (!plain(input, target)) {
      return null;
    }
    int period = weight == null ? 1 : period(weight, input, true);
    if (period < 0) {
      return null;
    }
    String api = BinaryCrossEntropy.API;
    DType dt = input.dtype();
    boolean f32 = dt == DType.FLOAT32;
    int n = input.numel();
    Buf p = Buf.of(input);
    Buf y = Buf.of(target);
    Buf w = weight == null ? null : Buf.of(weight);
    Buf loss = r == Reduction.NONE ? Buf.out(api, dt, n, null) : null;
    Buf gp = withGrad ? Buf.out(api, dt, n, into) : null;
    boolean mean = r == Reduction.MEAN;
    double floor = rnd(f32, 1e-12f);
    int wPeriod = weight == null ? n : period;
    // the vector loop divides a mean's gradient by numel in float32: the double division rounded where
    // numel is a float32 value; it reads a float32 weight
    // a float64 input's loop reads a float64 weight
    boolean vec = f32 ? (!mean || n <= 1 << 24) && (w == null || w.f != null) : w == null || w.d != null;
    Double sum = FastPointwise.run(n, dt, r != Reduction.NONE, (from, to, s) -> {
      // segments within one period of the weight, so the vector loop reads it contiguously
      for (int seg = from; seg < to; ) {
        int segEnd = Math.min(to, seg + wPeriod - seg % wPeriod);
        int start = !vec ? seg : f32 ? LOOPS.bce(p.f, y.f, f(w), seg % wPeriod, seg, segEnd, mean ? (float) n : 0f,
            f(loss), f(gp), s) : LOOPS.bce(p.d, y.d, d(w), seg % wPeriod, seg, segEnd, mean ? n : 0, d(loss), d(gp), s);
        if (start < 0) {
          s.refuse();
          return;
        }
        bceScalar(f32, mean, n, floor, p, y, w, wPeriod, start, segEnd, loss, gp, s);
        seg = segEnd;
      }
    });
    if (sum == null) {
      return null;
    }
    return result(FastPointwise.loss(dt, r, n, PointwiseLoss.NO_BATCHMEAN, sum, loss, input.shape()), input.shape(),
        new String[] {"grad_input"}, gp);
  }

  /** {@link #bce}'s elements {@code [from, to)}, scalar. */
  private static void bceScalar(boolean f32, boolean mean, int n, double floor, Buf p, Buf y, Buf w, int period,
      int from, int to, Buf loss, Buf gp, FastPointwise.Sum s) {
    int j = from % period;
    for (int i = from; i < to; i++) {
      double pi = p.get(i);
      double yi = y.get(i);
      if (!(pi >= 0 && pi <= 1 && yi >= 0 && yi <= 1)) {
        s.refuse();
        return;
      }
      double neg = yi == 1 ? -0.0 : (yi - 1) * Math.max(f32 ? FastPointwise.log1pOfFloat(-pi) : Math.log1p(-pi), -100);
      double pos = yi == 0 ? (pi == 1 ? 0.0 : -0.0) : yi * Math.max(Math.log(pi), -100);
      double v = neg - pos;
      double wi = w == null ? 1 : w.get(j);
      double l = rnd(f32, w == null ? v : v * wi);
      s.add(l);
      if (loss != null) {
        loss.set(i, l);
      }
      if (gp != null) {
        double den = Math.max(rnd(f32, rnd(f32, 1 - pi) * pi), floor);
        double gi = rnd(f32, rnd(f32, pi - yi) / den);
        if (w != null) {
          gi = rnd(f32, gi * wi);
        }
        gp.set(i, mean ? gi / n : gi);
      }
      if (++j == period) {
        j = 0;
      }
    }
  }

  /**
   * {@link BinaryCrossEntropyWithLogits} with a weight and/or pos_weight of the input's dtype and of its
   * shape or {@code (C)}, or in float64 without either: aten's steps, each rounded in the dtype (see
   * {@code BinaryCrossEntropyWithLogits.compute}). {@code exp(-|x|)} is taken once in double: rounded, it
   * is the log1p term's argument, and for {@code x >= 0} sigmoid's {@code exp(-x)}; for {@code x < 0} in
   * float32 sigmoid's {@code exp(-x) = exp(|x|)} is its reciprocal in double, rounded to float32, which is
   * the correctly rounded float32 value unless that lies within 2^-52 (relative) of a float32 rounding
   * boundary (overflowing to inf below -88.7 as aten's does); float64 takes {@code exp(-x)} itself (its
   * vector loop takes {@code 1 / exp(-|x|)}, within 3 ulps, and leaves {@code x < -708} to this scalar loop).
   */
  static LossAndGrads bceWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight, Reduction r,
      boolean withGrad, Object into) {
    if (!plain(input, target)) {
      return null;
    }
    int wPeriod = weight == null ? input.numel() : period(weight, input, false);
    int pwPeriod = posWeight == null ? input.numel() : period(posWeight, input, false);
    if (wPeriod < 0 || pwPeriod < 0) {
      return null;
    }
    String api = BinaryCrossEntropyWithLogits.API;
    DType dt = input.dtype();
    boolean f32 = dt == DType.FLOAT32;
    int n = input.numel();
    Buf x = Buf.of(input);
    Buf y = Buf.of(target);
    Buf w = weight == null ? null : Buf.of(weight);
    Buf pw = posWeight == null ? null : Buf.of(posWeight);
    Buf loss = r == Reduction.NONE ? Buf.out(api, dt, n, null) : null;
    Buf gx = withGrad ? Buf.out(api, dt, n, into) : null;
    boolean mean = r == Reduction.MEAN;
    // the vector loops divide a mean's gradient by numel in float32, which is the scalar double division
    // rounded where numel is a float32 value
    boolean vec = !f32 || !mean || n <= 1 << 24;
    Double sum = FastPointwise.run(n, dt, r != Reduction.NONE, (from, to, s) -> {
      // segments within one period of each weight, so a vector loop reads each weight contiguously
      for (int seg = from; seg < to; ) {
        int segEnd = Math.min(to, Math.min(seg + wPeriod - seg % wPeriod, seg + pwPeriod - seg % pwPeriod));
        int start = !vec ? seg : f32 ? LOOPS.bceWithLogits(x.f, y.f, f(w), seg % wPeriod, f(pw), seg % pwPeriod, seg,
            segEnd, mean ? (float) n : 0f, f(loss), f(gx), s)
            : LOOPS.bceWithLogits(x.d, y.d, d(w), seg % wPeriod, d(pw), seg % pwPeriod, seg, segEnd, mean ? n : 0,
            d(loss), d(gx), s);
        bceWithLogitsScalar(f32, mean, n, x, y, w, wPeriod, pw, pwPeriod, start, segEnd, loss, gx, s);
        seg = segEnd;
      }
    });
    if (sum == null) {
      return null;
    }
    return result(FastPointwise.loss(dt, r, n, PointwiseLoss.NO_BATCHMEAN, sum, loss, input.shape()), input.shape(),
        new String[] {"grad_input"}, gx);
  }

  /** {@link #bceWithLogits}'s elements {@code [from, to)}, scalar. */
  private static void bceWithLogitsScalar(boolean f32, boolean mean, int n, Buf x, Buf y, Buf w, int wPeriod, Buf pw,
      int pwPeriod, int from, int to, Buf loss, Buf gx, FastPointwise.Sum s) {
    int jw = from % wPeriod;
    int jp = from % pwPeriod;
    for (int i = from; i < to; i++) {
      double xi = x.get(i);
      double yi = y.get(i);
      double ed = Math.exp(-Math.abs(xi));
      double z = rnd(f32, ed);
      double logSig = rnd(f32, Math.min(xi, 0) - rnd(f32, f32 ? FastPointwise.log1pOfFloat(z) : Math.log1p(z)));
      double pwi = 0;
      if (pw != null) {
        pwi = pw.get(jp);
        double lw = rnd(f32, rnd(f32, rnd(f32, pwi - 1) * yi) + 1);
        logSig = rnd(f32, logSig * lw);
      }
      double v = rnd(f32, rnd(f32, 1 - yi) * xi);
      v = rnd(f32, v - logSig);
      double wi = w == null ? 1 : w.get(jw);
      if (w != null) {
        v = rnd(f32, v * wi);
      }
      s.add(v);
      if (loss != null) {
        loss.set(i, v);
      }
      if (gx != null) {
        double expNeg = xi >= 0 ? z : f32 ? (float) (1 / ed) : Math.exp(-xi);
        double sig = rnd(f32, 1 / rnd(f32, 1 + expNeg));
        double gi;
        if (pw != null) {
          double t = rnd(f32, pwi * yi);
          gi = rnd(f32, rnd(f32, rnd(f32, rnd(f32, t + 1) - yi) * sig) - t);
        } else {
          gi = rnd(f32, sig - yi);
        }
        if (w != null) {
          gi = rnd(f32, gi * wi);
        }
        gx.set(i, mean ? rnd(f32, gi / n) : gi);
      }
      if (++jw == wPeriod) {
        jw = 0;
      }
      if (++jp == pwPeriod) {
        jp = 0;
      }
    }
  }

  /**
   * {@code binary_cross_entropy_with_logits} of float32 tensors without weights: {@link Exp}'s fused
   * element-wise sweep (loss and gradient together, vectorised by {@link VectorExp}) per chunk; the
   * chunk's float32 losses are summed in double, chunks combined in order. A non-finite chunk sum hands
   * the call to the exact path.
   */
  static LossAndGrads bceWithLogitsFloat(Tensor input, Tensor target, Reduction r, boolean withGrad, Object into) {
    if (!enabled) {
      return null;
    }
    String api = BinaryCrossEntropyWithLogits.API;
    float[] x = input.backingFloats();
    float[] y = target.backingFloats();
    int n = x.length;
    Buf loss = r == Reduction.NONE ? Buf.out(api, DType.FLOAT32, n, null) : null;
    Buf grad = withGrad ? Buf.out(api, DType.FLOAT32, n, into) : null;
    float gradScale = r == Reduction.MEAN ? (float) (1.0 / n) : 1f;
    Exp exp = Exp.best();
    Double sum = FastPointwise.run(n, DType.FLOAT32, r != Reduction.NONE,
        (from, to, s) -> s.add(exp.bceWithLogits(x, y, from, to, loss == null ? null : loss.f, grad == null ? null : grad.f,
            gradScale)));
    if (sum == null) {
      return null;
    }
    return result(FastPointwise.loss(DType.FLOAT32, r, n, PointwiseLoss.NO_BATCHMEAN, sum, loss, input.shape()),
        input.shape(), new String[] {"grad_input"}, grad);
  }
}
