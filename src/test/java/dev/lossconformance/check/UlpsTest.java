package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossconformance.tensor.DType;
import org.junit.jupiter.api.Test;

class UlpsTest {

  @Test
  void neighboursAreOneApartInTheirOwnDtype() {
    assertEquals(1, Ulps.distance(DType.FLOAT32, 1f, Math.nextUp(1f)));
    assertEquals(1, Ulps.distance(DType.FLOAT64, 1.0, Math.nextUp(1.0)));
    // one float32 ulp at 1 is 2^29 float64 ulps
    assertEquals(1L << 29, Ulps.distance(DType.FLOAT64, 1.0, Math.nextUp(1f)));
  }

  @Test
  void zeroIsOneValueAndTheDistanceCrossesIt() {
    assertEquals(0, Ulps.distance(DType.FLOAT32, -0.0, 0.0));
    assertEquals(2, Ulps.distance(DType.FLOAT32, -Float.MIN_VALUE, Float.MIN_VALUE));
  }

  @Test
  void nanMatchesOnlyNanAndInfinityOnlyItself() {
    assertEquals(0, Ulps.distance(DType.FLOAT32, Double.NaN, Double.NaN));
    assertEquals(Long.MAX_VALUE, Ulps.distance(DType.FLOAT32, Double.NaN, 1));
    assertEquals(0, Ulps.distance(DType.FLOAT64, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
    assertEquals(Long.MAX_VALUE, Ulps.distance(DType.FLOAT32, Double.POSITIVE_INFINITY, Float.MAX_VALUE));
    assertEquals(Long.MAX_VALUE, Ulps.distance(DType.FLOAT64, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
  }

  @Test
  void describeGivesDecimalAndBits() {
    assertEquals("2.3025851 (0x40135d8e)", Ulps.describe(DType.FLOAT32, 2.3025851f));
    assertEquals("1.0 (0x3ff0000000000000)", Ulps.describe(DType.FLOAT64, 1.0));
  }
  @Test
  void negativeNumbersAreOrderedThroughZero() {
    assertEquals(1, Ulps.distance(DType.FLOAT32, -1f, Math.nextDown(-1f)));
    assertEquals(1, Ulps.distance(DType.FLOAT64, -1.0, Math.nextDown(-1.0)));
    // from -1 to 1 through zero: twice the bits of 1
    assertEquals(2L * Float.floatToIntBits(1f), Ulps.distance(DType.FLOAT32, -1.0, 1.0));
    assertEquals(2L * Double.doubleToLongBits(1.0), Ulps.distance(DType.FLOAT64, -1.0, 1.0));
    assertEquals(1, Ulps.distance(DType.FLOAT64, -Double.MIN_VALUE, 0.0));
  }

  @Test
  void toleranceTextSaysEveryAllowance() {
    assertEquals("4 ulps", Tolerance.ulps(4, "r").toString());
    assertEquals("4 ulps or 8 ulps of the element's term magnitude", new Tolerance(4, 8, "r").toString());
    assertEquals("4 ulps of float32 or 1 ulps of the element's term magnitude",
        new Tolerance(4, 1, "r").inUnitsOf(DType.FLOAT32).toString());
    assertEquals(DType.FLOAT32, new Tolerance(4, 1, "r").inUnitsOf(DType.FLOAT32).unitsFor(DType.FLOAT64));
    assertEquals(DType.FLOAT64, new Tolerance(4, 1, "r").unitsFor(DType.FLOAT64));
  }
}
