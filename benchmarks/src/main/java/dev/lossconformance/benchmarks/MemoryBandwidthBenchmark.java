package dev.lossconformance.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * This machine's memory bandwidth as Java sees it, with {@link BenchmarkSettings#THREADS} threads
 * each taking a contiguous half: {@link #read} sums a 256 MiB float array ({@link #BYTES} read),
 * {@link #readWrite} copies it into another with {@code System.arraycopy} ({@link #BYTES} read and
 * {@link #BYTES} written). The arrays are far larger than any cache, so both stream from DRAM. The
 * sum runs on the Vector API ({@link VectorSum}): a scalar loop, even with eight accumulators, is
 * bound by its additions here, not by memory. These are the bounds the report measures the losses
 * against. {@link #allocateFloat32Gradient} and {@link #allocateFloat64Gradient} time what every
 * allocating forward + gradient call pays before it computes anything: a new zeroed gradient array of
 * the configurations' (4096, 1000) elements (the JVM zeroes it; a humongous G1 object, zeroed by the
 * allocating thread).
 */
@State(Scope.Benchmark)
public class MemoryBandwidthBenchmark extends BenchmarkSettings {
  /** The size of each array. */
  public static final long BYTES = 256L << 20;

  private static final int LENGTH = (int) (BYTES / Float.BYTES);

  private float[] source;
  private float[] target;
  private ExecutorService pool;

  @Setup
  public void setUp() {
    source = Problems.gaussian(LENGTH, 7);
    target = new float[LENGTH];
    java.util.Arrays.fill(target, 1f); // commit the pages before the first copy
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @TearDown
  public void tearDown() {
    pool.shutdownNow();
  }

  @Benchmark
  public float read() throws InterruptedException, ExecutionException {
    List<Future<Float>> parts = new ArrayList<>(THREADS);
    for (int k = 0; k < THREADS; k++) {
      int from = slice(k);
      int to = slice(k + 1);
      parts.add(pool.submit(() -> VectorSum.sum(source, from, to)));
    }
    float total = 0;
    for (Future<Float> f : parts) {
      total += f.get();
    }
    return total;
  }

  @Benchmark
  public float[] readWrite() throws InterruptedException, ExecutionException {
    List<Future<?>> parts = new ArrayList<>(THREADS);
    for (int k = 0; k < THREADS; k++) {
      int from = slice(k);
      int to = slice(k + 1);
      parts.add(pool.submit(() -> System.arraycopy(source, from, target, from, to - from)));
    }
    for (Future<?> f : parts) {
      f.get();
    }
    return target;
  }

  /** The configurations' gradient: (4096, 1000) elements. */
  public static final int GRADIENT_ELEMENTS = 4096 * 1000;

  @Benchmark
  public float[] allocateFloat32Gradient() {
    return new float[GRADIENT_ELEMENTS];
  }

  @Benchmark
  public double[] allocateFloat64Gradient() {
    return new double[GRADIENT_ELEMENTS];
  }

  private static int slice(int k) {
    return (int) ((long) LENGTH * k / THREADS);
  }
}
