package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void aFrameReopenedHandsOutTheSameArraysInRequestOrder() {
    double[] a;
    float[] b;
    int[] c;
    boolean[] d;
    try (Scratch s = Scratch.open()) {
      a = s.doubles(100);
      b = s.floats(7);
      c = s.ints(3);
      d = s.booleans(5);
    }
    try (Scratch s = Scratch.open()) {
      assertSame(a, s.doubles(50), "a shorter request reuses the array");
      assertSame(b, s.floats(7));
      assertSame(c, s.ints(3));
      assertSame(d, s.booleans(5));
      assertNotSame(a, s.doubles(10), "the second double request of a frame is another array");
    }
  }

  @Test
  void aLongerRequestGetsALongerArray() {
    try (Scratch s = Scratch.open()) {
      s.doubles(10);
    }
    try (Scratch s = Scratch.open()) {
      double[] big = s.doubles(1000);
      assertTrue(big.length >= 1000, "length " + big.length);
    }
  }

  @Test
  void nestedFramesAreDistinct() {
    try (Scratch outer = Scratch.open()) {
      double[] a = outer.doubles(8);
      try (Scratch inner = Scratch.open()) {
        assertNotSame(outer, inner);
        assertNotSame(a, inner.doubles(8), "a frame opened inside another must not hand out the outer one's arrays");
      }
      try (Scratch again = Scratch.open()) {
        assertNotSame(outer, again, "after the inner frame closes, the next open is the inner frame again");
      }
    }
  }

  @Test
  void threadsHaveTheirOwnFrames() throws InterruptedException {
    double[] mine;
    try (Scratch s = Scratch.open()) {
      mine = s.doubles(16);
    }
    AtomicReference<double[]> theirs = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try (Scratch s = Scratch.open()) {
        theirs.set(s.doubles(16));
      }
    });
    t.start();
    t.join();
    assertNotSame(mine, theirs.get());
  }

  @Test
  void aClosedFrameRefusesRequestsAndANegativeLengthIsRefused() {
    Scratch s = Scratch.open();
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> s.doubles(-1));
    assertTrue(negative.getMessage().contains("-1"), negative.getMessage());
    s.close();
    s.close(); // a second close is a no-op: it must not give back another frame
    assertThrows(IllegalStateException.class, () -> s.floats(1));
    try (Scratch next = Scratch.open()) {
      assertSame(s, next, "after one open and one (double) close the depth is back to 0");
    }
  }
}
