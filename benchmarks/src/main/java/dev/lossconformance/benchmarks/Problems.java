package dev.lossconformance.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The benchmarks' inputs: shapes, the bytes a kernel must at least move for them, and their data,
 * drawn from fixed seeds so that every engine (and every run) sees the same numbers.
 */
final class Problems {
  private Problems() {}

  private static final int BYTES_FLOAT = Float.BYTES;
  private static final int BYTES_INDEX = Long.BYTES; // class indices and lengths are int64, as PyTorch takes them

  /** A standard normal float32 array of {@code n} values (logits of moderate spread). */
  static float[] gaussian(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /**
   * Cross-entropy with class-index targets: input {@code shape}, classes on dim 1, targets of the
   * input's shape without dim 1, each in {@code [0, C)}.
   *
   * @param shape e.g. {@code {4096, 1000}} or {@code {8, 21, 256, 256}}
   */
  record CrossEntropy(int[] shape, float[] logits, long[] targets) {
    /** The shapes issue 6 asks for, by their parameter spelling ({@code 4096x1000}). */
    static final String[] SHAPES = {"256x10", "4096x1000", "64x32000", "32x128256", "8x21x256x256"};

    static CrossEntropy of(String spec) {
      int[] shape = parse(spec);
      int numel = numel(shape);
      int classes = shape[1];
      SplittableRandom r = new SplittableRandom(2);
      long[] targets = new long[numel / classes];
      for (int i = 0; i < targets.length; i++) {
        targets[i] = r.nextInt(classes);
      }
      return new CrossEntropy(shape, gaussian(numel, 1), targets);
    }

    int classes() {
      return shape[1];
    }

    /** The target's shape: the input's without dim 1. */
    int[] targetShape() {
      int[] t = new int[shape.length - 1];
      t[0] = shape[0];
      System.arraycopy(shape, 2, t, 1, shape.length - 2);
      return t;
    }

    /** Bytes read (input and targets) and, with the gradient, written (one float per input element). */
    static long bytes(String spec, boolean gradient) {
      int[] shape = parse(spec);
      long numel = numel(shape);
      long read = numel * BYTES_FLOAT + numel / shape[1] * BYTES_INDEX;
      return read + (gradient ? numel * BYTES_FLOAT : 0);
    }
  }

  /** BCE-with-logits on (4096, 1000): logits and targets in {0, 1}. */
  record BceWithLogits(int[] shape, float[] logits, float[] targets) {
    static final int[] SHAPE = {4096, 1000};

    static BceWithLogits create() {
      int numel = numel(SHAPE);
      SplittableRandom r = new SplittableRandom(4);
      float[] y = new float[numel];
      for (int i = 0; i < numel; i++) {
        y[i] = r.nextBoolean() ? 1f : 0f;
      }
      return new BceWithLogits(SHAPE.clone(), gaussian(numel, 3), y);
    }

    /** Bytes read (logits and targets) and written (the gradient). */
    static long bytes() {
      return 3L * numel(SHAPE) * BYTES_FLOAT;
    }
  }

  /**
   * CTC with T = 200 frames, N = 16 samples, C = 50 classes (blank 0, PyTorch's default), S = 40
   * labels per sample (every target full length, every input full length): log-probabilities
   * {@code (T, N, C)}, normalised per frame (in double; {@code logProbs} rounded to float32,
   * {@code logProbs64} the float64 problem's), and targets {@code (N, S)} in {@code [1, C)}.
   */
  record Ctc(float[] logProbs, double[] logProbs64, long[] targets, long[] inputLengths, long[] targetLengths) {
    static final int T = 200;
    static final int N = 16;
    static final int C = 50;
    static final int S = 40;

    static Ctc create() {
      float[] z = gaussian(T * N * C, 5);
      float[] lp = new float[z.length];
      double[] lp64 = new double[z.length];
      for (int row = 0; row < T * N; row++) { // log_softmax over the classes of each (t, n)
        int o = row * C;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) {
          max = Math.max(max, z[o + c]);
        }
        double sum = 0;
        for (int c = 0; c < C; c++) {
          sum += Math.exp(z[o + c] - max);
        }
        double lse = max + Math.log(sum);
        for (int c = 0; c < C; c++) {
          lp64[o + c] = z[o + c] - lse;
          lp[o + c] = (float) lp64[o + c];
        }
      }
      SplittableRandom r = new SplittableRandom(6);
      long[] targets = new long[N * S];
      for (int i = 0; i < targets.length; i++) {
        targets[i] = 1 + r.nextInt(C - 1);
      }
      long[] inputLengths = new long[N];
      long[] targetLengths = new long[N];
      Arrays.fill(inputLengths, T);
      Arrays.fill(targetLengths, S);
      return new Ctc(lp, lp64, targets, inputLengths, targetLengths);
    }

    /** Bytes read (log-probabilities, targets, both lengths) and written (one gradient). */
    static long bytes() {
      long lp = (long) T * N * C * BYTES_FLOAT;
      return 2 * lp + ((long) N * S + 2L * N) * BYTES_INDEX;
    }
  }

  /**
   * The every-configuration benchmarks' inputs ({@link TorchConfigurations}, {@link TfConfigurations}):
   * {@code (4096, 1000)} arrays of ordinary values, as doubles, each drawn from its own fixed seed, so
   * that a float32 and a float64 configuration of a loss see the same numbers (the float32 tensor holds
   * them rounded: {@code Tensor.ofFloating}).
   */
  static final class Dense {
    private Dense() {}

    static final int ROWS = 4096;
    static final int COLS = 1000;
    static final int[] SHAPE = {ROWS, COLS};
    static final int NUMEL = ROWS * COLS;

    /** Standard normal values (logits, regression predictions and targets). */
    static double[] normal(int n, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextGaussian();
      }
      return x;
    }

    /** Uniform values in {@code [lo, hi)} (probabilities, rates, variances, weights). */
    static double[] uniform(int n, long seed, double lo, double hi) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextDouble(lo, hi);
      }
      return x;
    }

    /** 0 or 1 with equal odds (binary targets). */
    static double[] bits(int n, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextBoolean() ? 1 : 0;
      }
      return x;
    }

    /** -1 or +1 with equal odds (embedding losses' targets). */
    static double[] signs(int n, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextBoolean() ? 1 : -1;
      }
      return x;
    }

    /**
     * {@code n} class indices in {@code [0, classes)}, a fraction {@code ignored} of them (at random)
     * replaced by {@code ignoreIndex}.
     */
    static long[] classes(int n, int classes, long seed, double ignored, long ignoreIndex) {
      SplittableRandom r = new SplittableRandom(seed);
      long[] t = new long[n];
      for (int i = 0; i < n; i++) {
        t[i] = r.nextInt(classes);
      }
      if (ignored > 0) {
        SplittableRandom pick = new SplittableRandom(seed + 1);
        for (int i = 0; i < n; i++) {
          if (pick.nextDouble() < ignored) {
            t[i] = ignoreIndex;
          }
        }
      }
      return t;
    }

    /** {@code log_softmax} of each row of {@code cols} values, in double. */
    static double[] logSoftmaxRows(double[] z, int cols) {
      double[] out = new double[z.length];
      for (int o = 0; o < z.length; o += cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
          max = Math.max(max, z[o + c]);
        }
        double sum = 0;
        for (int c = 0; c < cols; c++) {
          sum += Math.exp(z[o + c] - max);
        }
        double lse = max + Math.log(sum);
        for (int c = 0; c < cols; c++) {
          out[o + c] = z[o + c] - lse;
        }
      }
      return out;
    }

    /** {@code softmax} of each row of {@code cols} values, in double (probability targets). */
    static double[] softmaxRows(double[] z, int cols) {
      double[] out = logSoftmaxRows(z, cols);
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.exp(out[i]);
      }
      return out;
    }
  }

  /** {@code "8x21x256x256"} as {@code {8, 21, 256, 256}}. */
  static int[] parse(String spec) {
    return Arrays.stream(spec.split("x")).mapToInt(Integer::parseInt).toArray();
  }

  static int numel(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }
}
