package dev.lossconformance.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TensorTest {
  /** 1484310 * 769546 * 48448661 wraps around 2^64 to exactly 12. */
  private static final int[] WRAPS_TO_12 = {1484310, 769546, 48448661};

  private static final String OVERFLOW = "shape [1484310, 769546, 48448661] holds more than 9223372036854775807"
      + " elements (the product of its sizes overflows 64 bits); a tensor holds at most 2147483639 elements,"
      + " the largest Java array";

  @Test
  void aShapeWhoseProductWrapsIsRefusedByEveryFactoryNotReadAsItsWrappedCount() {
    assertEquals(12L, (long) WRAPS_TO_12[0] * WRAPS_TO_12[1] * WRAPS_TO_12[2], "the premise: unchecked, it wraps to 12");
    List<Supplier<Tensor>> factories = List.of(
        () -> Tensor.ofFloats(new float[12], WRAPS_TO_12),
        () -> Tensor.wrapFloats(new float[12], WRAPS_TO_12),
        () -> Tensor.ofDoubles(new double[12], WRAPS_TO_12),
        () -> Tensor.wrapDoubles(new double[12], WRAPS_TO_12),
        () -> Tensor.ofFloating(DType.FLOAT32, new double[12], WRAPS_TO_12),
        () -> Tensor.ofLongs(new long[12], WRAPS_TO_12),
        () -> Tensor.wrapLongs(DType.UINT8, new long[12], WRAPS_TO_12),
        () -> Tensor.ofFloats(new float[12], 12).reshape(WRAPS_TO_12));
    for (Supplier<Tensor> f : factories) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, f::get);
      assertEquals(OVERFLOW, e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.numel(WRAPS_TO_12));
    assertEquals(OVERFLOW, e.getMessage());
  }

  @Test
  void numelRefusesMoreElementsThanTheLargestJavaArrayAndNamesTheShape() {
    assertEquals(Integer.MAX_VALUE - 8, Tensor.MAX_NUMEL);
    assertEquals(Tensor.MAX_NUMEL, Tensor.numel(new int[] {Tensor.MAX_NUMEL}));
    assertEquals(Tensor.MAX_NUMEL, Tensor.numel(new int[] {1, Tensor.MAX_NUMEL, 1}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.numel(new int[] {Tensor.MAX_NUMEL + 1}));
    assertEquals("shape [2147483640] holds 2147483640 elements; a tensor holds at most 2147483639 elements,"
        + " the largest Java array", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.numel(new int[] {50000, 50000}));
    assertEquals("shape [50000, 50000] holds 2500000000 elements; a tensor holds at most 2147483639 elements,"
        + " the largest Java array", e.getMessage());
  }

  @Test
  void aZeroSizeMakesAnEmptyTensorEvenWhenTheOtherSizesAloneOverflow() {
    int m = Integer.MAX_VALUE;
    assertEquals(0, Tensor.numel(new int[] {m, m, m, 0}));
    assertEquals(0, Tensor.ofFloats(new float[0], m, m, m, 0).numel());
    assertEquals(1, Tensor.numel(new int[0]));
  }

  @Test
  void negativeSizesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.numel(new int[] {2, -3}));
    assertEquals("shape [2, -3]: dimension 1 is negative (-3)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ofLongs(new long[0], 0, -1));
    assertEquals("shape [0, -1]: dimension 1 is negative (-1)", e.getMessage());
  }

  @Test
  void wrapDoublesAndWrapLongsTakeTheArrayWhileTheOfFactoriesCopyIt() {
    double[] d = {1, 2, 3, 4};
    Tensor wrapped = Tensor.wrapDoubles(d, 2, 2);
    Tensor copied = Tensor.ofDoubles(d, 2, 2);
    d[3] = -0.0;
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(wrapped.doubles().get(3)));
    assertEquals(4.0, copied.doubles().get(3));
    assertTrue(wrapped.backingDoubles() == d);
    IllegalStateException notF64 = assertThrows(IllegalStateException.class,
        () -> Tensor.ofFloats(new float[1], 1).backingDoubles());
    assertEquals("tensor of dtype float32 is not float64", notF64.getMessage());

    long[] l = {0, 1, 1};
    Tensor bools = Tensor.wrapLongs(DType.BOOL, l, 3);
    assertEquals(DType.BOOL, bools.dtype());
    assertTrue(bools.backingLongs() == l);
    assertArrayEquals(new int[] {3}, bools.shape());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.wrapLongs(DType.FLOAT64, l, 3));
    assertEquals("dtype float64 is floating; use wrapFloats or wrapDoubles", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.wrapDoubles(new double[3], 2, 2));
    assertEquals("shape [2, 2] holds 4 elements but data has 3", e.getMessage());
  }
}
