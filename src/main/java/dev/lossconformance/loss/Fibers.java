package dev.lossconformance.loss;

import java.util.Arrays;

/**
 * A tensor shape seen as fibers along one axis: {@code outer x size x inner}, so that element
 * {@code (o, k, s)} is at {@code (o * size + k) * inner + s}, and the shape with that axis removed.
 *
 * @param outer product of the dims before the axis
 * @param size the axis' length
 * @param inner product of the dims after the axis
 * @param reducedShape the shape without the axis
 */
public record Fibers(int outer, int size, int inner, int[] reducedShape) {

  /**
   * The fibers of {@code shape} along {@code axis} (negative counts from the end). An axis outside
   * {@code [-rank, rank)}, whatever its int64 value, is refused as {@link ErrorKind#SHAPE_MISMATCH}
   * naming the axis (never taken modulo 2^32).
   */
  public static Fibers of(int[] shape, long axis, String api) {
    long a = axis < 0 ? shape.length + axis : axis;
    if (a < 0 || a >= shape.length) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": axis: " + axis + " is out of range for a tensor of rank " + shape.length);
    }
    int ax = (int) a;
    int inner = 1;
    for (int d = ax + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    int outer = 1;
    for (int d = 0; d < ax; d++) {
      outer *= shape[d];
    }
    int[] reduced = new int[shape.length - 1];
    for (int d = 0, o = 0; d < shape.length; d++) {
      if (d != ax) {
        reduced[o++] = shape[d];
      }
    }
    return new Fibers(outer, shape[ax], inner, reduced);
  }

  /** Flat index of element {@code k} of fiber {@code (o, s)}. */
  public int at(int o, int k, int s) {
    return (o * size + k) * inner + s;
  }

  /** Number of fibers, the element count of {@link #reducedShape}. */
  public int count() {
    return outer * inner;
  }

  @Override
  public int[] reducedShape() {
    return reducedShape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fibers f && f.outer == outer && f.size == size && f.inner == inner
        && Arrays.equals(f.reducedShape, reducedShape);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * outer + size) + inner) + Arrays.hashCode(reducedShape);
  }

  @Override
  public String toString() {
    return "Fibers[" + outer + " x " + size + " x " + inner + "]";
  }
}
