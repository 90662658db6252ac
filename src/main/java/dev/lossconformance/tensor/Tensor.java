package dev.lossconformance.tensor;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * An immutable dense tensor: a dtype, a shape and its elements in row-major order.
 *
 * <p>Floating tensors keep their elements in the dtype's own width ({@code float[]} for float32,
 * {@code double[]} for float64); integer and bool tensors keep {@code long[]}. Nothing handed in or
 * out is shared: factories copy, and the bulk accessors return read-only views.
 */
public final class Tensor {
  private final DType dtype;
  private final int[] shape;
  private final float[] f32;
  private final double[] f64;
  private final long[] i64;

  private Tensor(DType dtype, int[] shape, float[] f32, double[] f64, long[] i64) {
    this.dtype = dtype;
    this.shape = shape;
    this.f32 = f32;
    this.f64 = f64;
    this.i64 = i64;
  }

  /** A float32 tensor; {@code data} is copied. */
  public static Tensor ofFloats(float[] data, int... shape) {
    checkLength(data.length, shape);
    return new Tensor(DType.FLOAT32, shape.clone(), data.clone(), null, null);
  }

  /**
   * A float32 tensor that takes ownership of {@code data} without copying it: for kernels returning a
   * freshly computed array. The caller must not touch {@code data} afterwards.
   */
  public static Tensor wrapFloats(float[] data, int... shape) {
    checkLength(data.length, shape);
    return new Tensor(DType.FLOAT32, shape.clone(), data, null, null);
  }

  /**
   * The backing array of a float32 tensor, not a copy: for kernels that stream large inputs without
   * copying them. Read-only by contract: writing to it breaks the tensor's immutability.
   */
  public float[] backingFloats() {
    if (f32 == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " is not float32");
    }
    return f32;
  }

  /** The backing array of a float64 tensor, not a copy; read-only by contract (see {@link #backingFloats}). */
  public double[] backingDoubles() {
    if (f64 == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " is not float64");
    }
    return f64;
  }

  /** The backing array of an integer tensor, not a copy; read-only by contract (see {@link #backingFloats}). */
  public long[] backingLongs() {
    if (i64 == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " is not an integer tensor");
    }
    return i64;
  }

  /**
   * A float64 tensor that takes ownership of {@code data} without copying it (see {@link #wrapFloats}).
   * The caller must not touch {@code data} afterwards.
   */
  public static Tensor wrapDoubles(double[] data, int... shape) {
    checkLength(data.length, shape);
    return new Tensor(DType.FLOAT64, shape.clone(), null, data, null);
  }

  /**
   * An integer (or bool, as 0/1) tensor that takes ownership of {@code data} without copying it (see
   * {@link #wrapFloats}). The caller must not touch {@code data} afterwards.
   */
  public static Tensor wrapLongs(DType dtype, long[] data, int... shape) {
    if (dtype.isFloating()) {
      throw new IllegalArgumentException("dtype " + dtype + " is floating; use wrapFloats or wrapDoubles");
    }
    checkLength(data.length, shape);
    return new Tensor(dtype, shape.clone(), null, null, data);
  }

  /** A float64 tensor; {@code data} is copied. */
  public static Tensor ofDoubles(double[] data, int... shape) {
    checkLength(data.length, shape);
    return new Tensor(DType.FLOAT64, shape.clone(), null, data.clone(), null);
  }

  /** A floating tensor of the given dtype from double values, each rounded to the dtype. */
  public static Tensor ofFloating(DType dtype, double[] data, int... shape) {
    checkLength(data.length, shape);
    return switch (dtype) {
      case FLOAT32 -> {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) data[i];
        }
        yield new Tensor(DType.FLOAT32, shape.clone(), f, null, null);
      }
      case FLOAT64 -> new Tensor(DType.FLOAT64, shape.clone(), null, data.clone(), null);
      default -> throw new IllegalArgumentException("dtype " + dtype + " is not floating");
    };
  }

  /** An integer (or bool, as 0/1) tensor; {@code data} is copied. */
  public static Tensor ofLongs(DType dtype, long[] data, int... shape) {
    if (dtype.isFloating()) {
      throw new IllegalArgumentException("dtype " + dtype + " is floating; use ofFloating");
    }
    checkLength(data.length, shape);
    return new Tensor(dtype, shape.clone(), null, null, data.clone());
  }

  /** An int64 tensor; {@code data} is copied. */
  public static Tensor ofLongs(long[] data, int... shape) {
    return ofLongs(DType.INT64, data, shape);
  }

  /** A 0-dimensional tensor holding one floating value rounded to {@code dtype}. */
  public static Tensor scalar(DType dtype, double value) {
    return ofFloating(dtype, new double[] {value});
  }

  /**
   * The most elements a tensor can hold: the largest length every JVM can allocate for an array
   * ({@code Integer.MAX_VALUE - 8}; HotSpot refuses a few lengths above it).
   */
  public static final int MAX_NUMEL = Integer.MAX_VALUE - 8;

  private static void checkLength(int length, int[] shape) {
    int n = numel(shape);
    if (n != length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " elements but data has " + length);
    }
  }

  /**
   * Number of elements a shape holds (1 for the empty shape of a scalar, 0 when a size is 0), computed
   * with overflow-checked multiplication.
   *
   * @throws IllegalArgumentException for a negative size, or a shape holding more than
   *     {@link #MAX_NUMEL} elements (including products that overflow 64 bits); the message names the shape
   */
  public static int numel(int[] shape) {
    boolean empty = false;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + ": dimension " + i + " is negative (" + shape[i] + ")");
      }
      empty |= shape[i] == 0;
    }
    if (empty) {
      return 0; // even when the other sizes alone would overflow
    }
    long n = 1;
    try {
      for (int d : shape) {
        n = Math.multiplyExact(n, d);
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds more than "
          + Long.MAX_VALUE + " elements (the product of its sizes overflows 64 bits); a tensor holds at most "
          + MAX_NUMEL + " elements, the largest Java array", e);
    }
    if (n > MAX_NUMEL) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
          + " elements; a tensor holds at most " + MAX_NUMEL + " elements, the largest Java array");
    }
    return (int) n;
  }

  public DType dtype() {
    return dtype;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code d}; negative {@code d} counts from the end. */
  public int size(int d) {
    return shape[d < 0 ? shape.length + d : d];
  }

  public int numel() {
    return f32 != null ? f32.length : f64 != null ? f64.length : i64.length;
  }

  /** Element {@code i} (row-major) as a double; exact for every dtype but int64 beyond 2^53. */
  public double getDouble(int i) {
    if (f32 != null) {
      return f32[i];
    }
    if (f64 != null) {
      return f64[i];
    }
    return i64[i];
  }

  /** Element {@code i} of an integer tensor; a floating tensor is refused. */
  public long getLong(int i) {
    if (i64 == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " has no integer elements");
    }
    return i64[i];
  }

  /** Read-only view of a float32 tensor's elements. */
  public FloatBuffer floats() {
    if (f32 == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " is not float32");
    }
    return FloatBuffer.wrap(f32).asReadOnlyBuffer();
  }

  /** Read-only view of a float64 tensor's elements. */
  public DoubleBuffer doubles() {
    if (f64 == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " is not float64");
    }
    return DoubleBuffer.wrap(f64).asReadOnlyBuffer();
  }

  /** Read-only view of an integer tensor's elements. */
  public LongBuffer longs() {
    if (i64 == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " is not an integer tensor");
    }
    return LongBuffer.wrap(i64).asReadOnlyBuffer();
  }

  /** All elements widened to double (a copy). */
  public double[] toDoubleArray() {
    double[] out = new double[numel()];
    for (int i = 0; i < out.length; i++) {
      out[i] = getDouble(i);
    }
    return out;
  }

  /** All elements of an integer tensor (a copy). */
  public long[] toLongArray() {
    if (i64 == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " is not an integer tensor");
    }
    return i64.clone();
  }

  /** Same elements under another shape with the same element count. */
  public Tensor reshape(int... newShape) {
    checkLength(numel(), newShape);
    return new Tensor(dtype, newShape.clone(), f32, f64, i64);
  }

  /** Index tuple of flat position {@code flat}, for messages: {@code [1, 0, 2]}. */
  public static String indexString(int[] shape, int flat) {
    if (shape.length == 0) {
      return "[]";
    }
    int[] idx = new int[shape.length];
    int rest = flat;
    for (int d = shape.length - 1; d >= 0; d--) {
      int s = Math.max(shape[d], 1);
      idx[d] = rest % s;
      rest /= s;
    }
    return Arrays.toString(idx);
  }

  /** A tensor equal to this one that shares no array with it. */
  public Tensor copy() {
    return new Tensor(dtype, shape.clone(), f32 == null ? null : f32.clone(), f64 == null ? null : f64.clone(),
        i64 == null ? null : i64.clone());
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Tensor t)) {
      return false;
    }
    return dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(f32, t.f32)
        && Arrays.equals(f64, t.f64)
        && Arrays.equals(i64, t.i64);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape))
        + Arrays.hashCode(f32) + Arrays.hashCode(f64) + Arrays.hashCode(i64);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(", ").append(Arrays.toString(shape));
    int n = Math.min(numel(), 8);
    sb.append(", [");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(i64 != null ? Long.toString(i64[i]) : Double.toString(getDouble(i)));
    }
    return sb.append(numel() > n ? ", ...])" : "])").toString();
  }
}
