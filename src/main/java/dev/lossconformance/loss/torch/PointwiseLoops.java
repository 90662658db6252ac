package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.VectorApi;

/**
 * The vectorisable inner loops of {@link PointwiseKernels} for float32 arrays. This scalar class does
 * none of them (each returns {@code from}: the kernel's own scalar loop does every element); {@link #best()}
 * is {@link VectorPointwiseLoops} when the {@code jdk.incubator.vector} module is present (selected once,
 * as {@link Exp#best()}), which does the elements of whole vectors and returns where it stopped, the
 * kernel's scalar loop doing the rest. A loop adds its losses to {@code sum} with
 * {@link FastPointwise.Sum#addBlock}; each step is the float32 op the scalar kernel rounds, so only its
 * exp and log (one ulp from {@code Math}'s, as aten's vectorised ones) can differ from the scalar path.
 * The float64 loops (the same names on {@code double[]}) do the scalar kernel's double ops in double
 * lanes (exp within 2 ulps, log and log1p within 1) and add their losses per {@link FastPointwise.Sum}
 * block. Each loop has a float32 and a float64 body in {@link VectorPointwiseLoops}: the Vector API's
 * {@code FloatVector} and {@code DoubleVector} are distinct types (a body generic over {@code Vector<E>}
 * is not intrinsified), so those twins are forced; the scalar kernels in {@link PointwiseKernels} serve
 * both dtypes with one body ({@link FastPointwise#rnd}).
 */
class PointwiseLoops {
  private static final PointwiseLoops BEST = load();

  /** The vectorised loops if the incubator module is present, else this scalar one. */
  static PointwiseLoops best() {
    return BEST;
  }

  private static PointwiseLoops load() {
    return VectorApi.best(PointwiseLoops.class, "dev.lossconformance.loss.torch.VectorPointwiseLoops", PointwiseLoops::new);
  }

  /** {@code l1}: {@code |x - y|}, gradients {@code 0 + g sgn(d)} and {@code 0 - g sgn(d)} (null when not asked). */
  int l1(float[] x, float[] y, int from, int to, float g, float[] loss, float[] gx, float[] gy,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code hinge_embedding_loss} with a float32 target. */
  int hinge(float[] x, float[] y, int from, int to, float margin, float g, float[] loss, float[] gx,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code kl_div}, {@code log_target} false (g != 0). */
  int klDiv(float[] x, float[] t, int from, int to, float g, float[] loss, float[] gx, float[] gt,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code kl_div}, {@code log_target} true. */
  int klDivLog(float[] x, float[] t, int from, int to, float g, float[] loss, float[] gx, float[] gt,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code poisson_nll_loss}, log_input true, full false. */
  int poissonLog(float[] x, float[] y, int from, int to, float g, float[] loss, float[] gx, float[] gy,
      FastPointwise.Sum sum) {
    return from;
  }

  /**
   * {@code gaussian_nll_loss} with var of the input's shape; returns -1 when a var element is negative
   * (the call goes to the generic path, which reports it).
   */
  int gaussian(float[] x, float[] y, float[] v, int from, int to, float eps, float h, boolean full, float half,
      float[] loss, float[] gx, float[] gy, float[] gv, FastPointwise.Sum sum) {
    return from;
  }

  /**
   * {@code binary_cross_entropy_with_logits} with weight {@code w} (read from {@code wOff}) and/or
   * pos_weight {@code pw} (from {@code pwOff}), either null; a mean's gradient divided by {@code n}
   * (0 for sum and none).
   */
  int bceWithLogits(float[] x, float[] y, float[] w, int wOff, float[] pw, int pwOff, int from, int to, float n,
      float[] loss, float[] gx, FastPointwise.Sum sum) {
    return from;
  }

  /**
   * {@code binary_cross_entropy} with weight {@code w} (float32, read from {@code wOff}) or null; a mean's
   * gradient divided by {@code n} (0 for sum and none). Returns -1 when an input or target element is
   * outside [0, 1] (the call goes to the generic path, which reports it).
   */
  int bce(float[] p, float[] y, float[] w, int wOff, int from, int to, float n, float[] loss, float[] gp,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code poisson_nll_loss}, log_input false, full false: {@code x - y log(x + eps)}. */
  int poissonRate(float[] x, float[] y, int from, int to, float eps, float g, float[] loss, float[] gx, float[] gy,
      FastPointwise.Sum sum) {
    return from;
  }

  /**
   * {@code gaussian_nll_loss}'s elements {@code [from, from + vector multiple of (to - from))} of one row
   * sharing the clamped var {@code vv} (with {@code log vv} and {@code h / vv}); returns the sum, in
   * double, of the row's var-gradient terms {@code -h ((d^2 / v) / v)} over those elements (0 when
   * {@code gv} is false). The scalar class does none.
   */
  double gaussianRow(float[] x, float[] y, int from, int to, float vv, float logV, float hv, float h, boolean full,
      float half, float[] loss, float[] gx, float[] gy, boolean gv, FastPointwise.Sum sum) {
    return 0;
  }

  /** Where {@link #gaussianRow} stops: {@code from} here, the last whole vector's end in the vector class. */
  int gaussianRowEnd(int from, int to) {
    return from;
  }

  // ---- float64: the same loops in double lanes (the Vector API's float and double vectors are distinct
  // types, so each loop has a float32 and a float64 body); a float64 loop adds its losses to {@code sum}
  // per block of FastPointwise.Sum.BLOCK elements, as the scalar kernel does

  /** {@link #l1(float[], float[], int, int, float, float[], float[], float[], FastPointwise.Sum)} in float64. */
  int l1(double[] x, double[] y, int from, int to, double g, double[] loss, double[] gx, double[] gy,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code kl_div}, {@code log_target} false (g != 0), float64. */
  int klDiv(double[] x, double[] t, int from, int to, double g, double[] loss, double[] gx, double[] gt,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code kl_div}, {@code log_target} true, float64. */
  int klDivLog(double[] x, double[] t, int from, int to, double g, double[] loss, double[] gx, double[] gt,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code poisson_nll_loss}, log_input true, full false, float64. */
  int poissonLog(double[] x, double[] y, int from, int to, double g, double[] loss, double[] gx, double[] gy,
      FastPointwise.Sum sum) {
    return from;
  }

  /** {@code poisson_nll_loss}, log_input false, full false, float64. */
  int poissonRate(double[] x, double[] y, int from, int to, double eps, double g, double[] loss, double[] gx,
      double[] gy, FastPointwise.Sum sum) {
    return from;
  }

  /** {@code gaussian_nll_loss} with var of the input's shape, float64; -1 when a var element is negative. */
  int gaussian(double[] x, double[] y, double[] v, int from, int to, double eps, double h, boolean full, double half,
      double[] loss, double[] gx, double[] gy, double[] gv, FastPointwise.Sum sum) {
    return from;
  }

  /**
   * {@code binary_cross_entropy_with_logits} in float64, weights as in the float32 loop; a mean's
   * gradient divided by {@code n} (0 for sum and none).
   */
  int bceWithLogits(double[] x, double[] y, double[] w, int wOff, double[] pw, int pwOff, int from, int to, double n,
      double[] loss, double[] gx, FastPointwise.Sum sum) {
    return from;
  }

  /** {@code binary_cross_entropy} in float64 with a float64 weight or null; -1 when an element is outside [0, 1]. */
  int bce(double[] p, double[] y, double[] w, int wOff, int from, int to, double n, double[] loss, double[] gp,
      FastPointwise.Sum sum) {
    return from;
  }
}
