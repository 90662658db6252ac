package dev.lossconformance.catalog;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * How a case's input tensor is drawn: a function of a seeded generator and the case's float dtype.
 *
 * <p>Values are drawn as doubles and then rounded to the dtype, so the float32 and float64 variants of
 * a case hold the same numbers up to that rounding. Integer draws ignore the dtype.
 */
@FunctionalInterface
public interface Draw {

  /** Draws the tensor; {@code floatType} is the case's dtype (float32 or float64). */
  Tensor draw(SplittableRandom rng, DType floatType);

  /** Standard normal values times {@code scale}. */
  static Draw normal(double scale, int... shape) {
    return (rng, dt) -> {
      double[] v = new double[Tensor.numel(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = gaussian(rng) * scale;
      }
      return Tensor.ofFloating(dt, v, shape);
    };
  }

  /** Uniform values in {@code [lo, hi)}. */
  static Draw uniform(double lo, double hi, int... shape) {
    return (rng, dt) -> {
      double[] v = new double[Tensor.numel(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = lo + (hi - lo) * rng.nextDouble();
      }
      return Tensor.ofFloating(dt, v, shape);
    };
  }

  /** Uniform values in {@code {-1, +1}} times {@code magnitude}, for overflow probes. */
  static Draw signs(double magnitude, int... shape) {
    return (rng, dt) -> {
      double[] v = new double[Tensor.numel(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = rng.nextBoolean() ? magnitude : -magnitude;
      }
      return Tensor.ofFloating(dt, v, shape);
    };
  }

  /** The given values, rounded to the dtype. */
  static Draw values(int[] shape, double... values) {
    return (rng, dt) -> Tensor.ofFloating(dt, values, shape);
  }

  /** int64 class indices uniform in {@code [0, classes)}. */
  static Draw classes(int classes, int... shape) {
    return (rng, dt) -> {
      long[] v = new long[Tensor.numel(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = rng.nextInt(classes);
      }
      return Tensor.ofLongs(v, shape);
    };
  }

  /** The given int64 values. */
  static Draw longs(int[] shape, long... values) {
    return (rng, dt) -> Tensor.ofLongs(values, shape);
  }

  /** Values in {0, 1}, each with probability one half. */
  static Draw bits(int... shape) {
    return (rng, dt) -> {
      double[] v = new double[Tensor.numel(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = rng.nextBoolean() ? 1 : 0;
      }
      return Tensor.ofFloating(dt, v, shape);
    };
  }

  /**
   * Probability vectors along {@code classDim}: each fiber is a softmax of normal draws, so it is
   * positive and sums to one up to rounding.
   */
  static Draw simplex(int classDim, int... shape) {
    return (rng, dt) -> {
      int n = Tensor.numel(shape);
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = Math.exp(gaussian(rng) * 1.5);
      }
      int c = shape[classDim];
      int inner = 1;
      for (int d = classDim + 1; d < shape.length; d++) {
        inner *= shape[d];
      }
      int outer = c == 0 ? 0 : n / (c * inner);
      for (int o = 0; o < outer; o++) {
        for (int s = 0; s < inner; s++) {
          double sum = 0;
          for (int k = 0; k < c; k++) {
            sum += v[(o * c + k) * inner + s];
          }
          for (int k = 0; k < c; k++) {
            v[(o * c + k) * inner + s] /= sum;
          }
        }
      }
      return Tensor.ofFloating(dt, v, shape);
    };
  }

  /** This draw with the elements at flat positions {@code at} replaced by {@code value}. */
  default Draw with(double value, int... at) {
    return (rng, dt) -> {
      Tensor t = draw(rng, dt);
      if (!t.dtype().isFloating()) {
        long[] v = t.toLongArray();
        for (int i : at) {
          v[i] = (long) value;
        }
        return Tensor.ofLongs(t.dtype(), v, t.shape());
      }
      double[] v = t.toDoubleArray();
      for (int i : at) {
        v[i] = value;
      }
      return Tensor.ofFloating(t.dtype(), v, t.shape());
    };
  }

  /** This draw with {@code f} applied to every (floating) element before rounding to the dtype. */
  default Draw map(java.util.function.DoubleUnaryOperator f) {
    return (rng, dt) -> {
      Tensor t = draw(rng, DType.FLOAT64);
      double[] v = t.toDoubleArray();
      for (int i = 0; i < v.length; i++) {
        v[i] = f.applyAsDouble(v[i]);
      }
      return Tensor.ofFloating(dt, v, t.shape());
    };
  }

  /** A standard normal variate by Box–Muller, so the stream is fixed by the seed alone. */
  private static double gaussian(SplittableRandom rng) {
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
  }
}
