package dev.lossconformance.impl;

import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Implementations that take their process down, on the test class path for {@code
 * ImplementationsCommandTest}: each misbehaves on its first call, as a native library can.
 */
public final class Misbehaving {
  private Misbehaving() {}

  /** {@code test-crash}: a real native crash (SIGSEGV, the JVM aborts with exit 134). */
  public static final class Crash implements LossImplementation {
    @Override
    public String name() {
      return "test-crash";
    }

    @Override
    public Map<String, Tensor> run(LossCall call) throws Exception {
      java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      ((sun.misc.Unsafe) f.get(null)).putAddress(0, 0);
      return Map.of();
    }
  }

  /** {@code test-hang}: never returns. */
  public static final class Hang implements LossImplementation {
    @Override
    public String name() {
      return "test-hang";
    }

    @Override
    public Map<String, Tensor> run(LossCall call) throws Exception {
      Thread.sleep(Long.MAX_VALUE);
      return Map.of();
    }
  }

  /** {@code test-oom}: fills the heap. */
  public static final class OutOfMemory implements LossImplementation {
    @Override
    public String name() {
      return "test-oom";
    }

    @Override
    public Map<String, Tensor> run(LossCall call) {
      List<long[]> hog = new ArrayList<>();
      while (true) {
        hog.add(new long[1 << 20]);
      }
    }
  }
}
