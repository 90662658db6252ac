package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;

/**
 * A kernel's float32 or float64 output (a loss or a gradient) written element by element, from
 * several chunks at once (each its own elements), and wrapped as a tensor without a copy: the
 * kernels' way to allocate only their outputs, in their dtype. Each value written is already rounded
 * to the dtype.
 */
public final class FloatingOut {
  private final float[] f;
  private final double[] d;

  /** {@code n} elements of {@code dtype} (float32 or float64). */
  public FloatingOut(DType dtype, int n) {
    Shapes.nonNull("FloatingOut", "dtype", dtype);
    f = dtype == DType.FLOAT32 ? new float[n] : null;
    d = f == null ? new double[n] : null;
  }

  /** Element {@code i}: {@code v}, a value of the dtype. */
  public void set(int i, double v) {
    if (f != null) {
      f[i] = (float) v;
    } else {
      d[i] = v;
    }
  }

  /**
   * Elements {@code [at, at + len)}: {@code factor * v[k]} rounded to float32 (a float32 result of
   * y_pred's dtype, as Keras' gradients are), {@code v} being float32 values.
   */
  public void setScaled(int at, float[] v, int len, double factor) {
    Shapes.nonNull("FloatingOut.setScaled", "v", v);
    if (f != null) {
      for (int k = 0; k < len; k++) {
        f[at + k] = (float) (factor * v[k]);
      }
    } else {
      for (int k = 0; k < len; k++) {
        d[at + k] = (float) (factor * v[k]);
      }
    }
  }

  /** The float32 array itself, for a kernel that writes its rows in place; {@code null} for float64. */
  public float[] floats() {
    return f;
  }

  /** Elements {@code [at, at + len)}: the float32 values {@code v[from, from + len)}, in the dtype. */
  public void set(int at, float[] v, int from, int len) {
    Shapes.nonNull("FloatingOut.set", "v", v);
    if (f != null) {
      System.arraycopy(v, from, f, at, len);
    } else {
      for (int k = 0; k < len; k++) {
        d[at + k] = v[from + k];
      }
    }
  }

  /** The elements as a tensor of {@code shape}, sharing this array. */
  public Tensor tensor(int[] shape) {
    Shapes.nonNull("FloatingOut.tensor", "shape", shape);
    return f != null ? Tensor.wrapFloats(f, shape) : Tensor.wrapDoubles(d, shape);
  }
}
