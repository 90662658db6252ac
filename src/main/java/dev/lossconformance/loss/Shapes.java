package dev.lossconformance.loss;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * Argument checks and broadcasting shared by the kernels; messages name the argument and the value,
 * and each failure is a {@link LossArgumentException} of its {@link ErrorKind}.
 */
public final class Shapes {
  private Shapes() {}

  /**
   * {@code value}, or a {@link NullPointerException} naming the parameter when it is null: {@code
   * "torch.nn.functional.cross_entropy: input must not be null"} (the package's null contract, see
   * {@link LossArgumentException}).
   */
  public static <T> T nonNull(String api, String parameter, T value) {
    if (value == null) {
      throw new NullPointerException(api + ": " + parameter + " must not be null");
    }
    return value;
  }

  /** Fails unless {@code t} is float32 or float64. */
  public static void requireFloating(String arg, Tensor t) {
    if (!t.dtype().isFloating()) {
      throw new LossArgumentException(ErrorKind.DTYPE,
          arg + ": expected a float32 or float64 tensor, got " + t.dtype());
    }
  }

  /** Fails unless {@code t} holds integers. */
  public static void requireIntegral(String arg, Tensor t) {
    if (t.dtype().isFloating() || t.dtype() == DType.BOOL) {
      throw new LossArgumentException(ErrorKind.DTYPE,
          arg + ": expected an integer tensor of class indices, got " + t.dtype());
    }
  }

  /**
   * For each element of {@code to}, the flat index of the element of {@code src} it reads under NumPy
   * broadcasting. Fails, naming {@code arg}, when {@code src} does not broadcast to exactly {@code to}.
   */
  public static int[] broadcastIndex(String arg, int[] src, int[] to) {
    if (src.length > to.length) {
      throw notBroadcastable(arg, src, to);
    }
    int offset = to.length - src.length;
    long[] strides = new long[to.length];
    long stride = 1;
    for (int d = src.length - 1; d >= 0; d--) {
      int s = src[d];
      int t = to[d + offset];
      if (s != t && s != 1) {
        throw notBroadcastable(arg, src, to);
      }
      strides[d + offset] = s == 1 ? 0 : stride;
      stride *= s;
    }
    int n = Tensor.numel(to);
    int[] map = new int[n];
    int[] idx = new int[to.length];
    long at = 0;
    for (int i = 0; i < n; i++) {
      map[i] = (int) at;
      for (int d = to.length - 1; d >= 0; d--) {
        idx[d]++;
        at += strides[d];
        if (idx[d] < to[d]) {
          break;
        }
        at -= strides[d] * idx[d];
        idx[d] = 0;
      }
    }
    return map;
  }

  /**
   * Fails unless {@code t} (argument {@code arg}) has exactly the shape of {@code ref} (argument
   * {@code refArg}), naming both shapes: {@code api: y_true: shape [2] must equal the shape of y_pred, [2, 3]}.
   */
  public static void requireSameShape(String api, String arg, Tensor t, String refArg, Tensor ref) {
    if (!Arrays.equals(t.shape(), ref.shape())) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": " + arg + ": shape " + Arrays.toString(t.shape())
          + " must equal the shape of " + refArg + ", " + Arrays.toString(ref.shape()));
    }
  }

  /** NumPy's broadcast of two shapes; fails when they do not broadcast. */
  public static int[] broadcastShape(int[] a, int[] b) {
    int n = Math.max(a.length, b.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int da = i < n - a.length ? 1 : a[i - (n - a.length)];
      int db = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
            "the size of a (" + da + ") must match the size of b (" + db
            + ") at dimension " + i + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  private static LossArgumentException notBroadcastable(String arg, int[] src, int[] to) {
    return new LossArgumentException(ErrorKind.SHAPE_MISMATCH, arg + ": shape " + Arrays.toString(src)
        + " does not broadcast to the input's shape " + Arrays.toString(to));
  }

  /** The element as text for a message: {@code element [1, 2] = 7}. */
  public static String element(int[] shape, int flat, String value) {
    return "element " + Tensor.indexString(shape, flat) + " = " + value;
  }
}
