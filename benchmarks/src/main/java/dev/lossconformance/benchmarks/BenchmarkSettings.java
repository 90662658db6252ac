package dev.lossconformance.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH settings every benchmark inherits (JMH reads these annotations from superclasses): every
 * call timed (sampled), reported in milliseconds, two forks per benchmark and parameter combination
 * (C2 compiles a kernel differently from one JVM to the next: single-fork medians of the same Java
 * kernel moved by up to 30% between runs), each with 3 one-second warmup iterations and 4 one-second
 * measured ones. {@code benchmarks/run} reports the median of the sampled calls of both forks. The
 * issue-6 benchmarks (86 forks) take about 14 minutes on 2 cores; the configuration benchmarks override
 * these with one shorter fork (benchmarks/README.md: the whole suite takes about 27 minutes).
 *
 * <p>Every engine computes with {@link #THREADS} threads: the Java kernels through the system
 * property {@code lossconformance.threads}, PyTorch through DJL's intra-op setting (one inter-op
 * thread), TensorFlow through its session's intra-op pool (one inter-op thread). The forks enable
 * {@code jdk.incubator.vector}, so the Java kernels take their Vector API path where they have one.
 * The heap has a maximum but no large initial size: with {@code -Xms8g} G1 would place every new
 * gradient array in never-touched memory (no collection for minutes), and the page faults of that
 * first touch, expensive in this VM, made the Java forward+gradient 20 times slower than with the
 * default heap a user gets. Command-line options of {@code benchmarks/run} (e.g. {@code -wi 1 -i 2})
 * override these.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {
      BenchmarkSettings.HEAP,
      BenchmarkSettings.VECTOR_MODULE,
      BenchmarkSettings.JAVA_THREADS,
      BenchmarkSettings.DJL_OFFLINE,
      BenchmarkSettings.TORCH_THREADS,
      BenchmarkSettings.TORCH_INTEROP_THREADS,
    })
public abstract class BenchmarkSettings {
  /** Threads every engine may use; this machine has 2 cores. */
  public static final int THREADS = 2;

  // the forks' JVM options, one constant each: a benchmark that overrides @Fork (which replaces the
  // whole annotation) lists the same constants
  public static final String HEAP = "-Xmx4g";
  public static final String VECTOR_MODULE = "--add-modules=jdk.incubator.vector";
  public static final String JAVA_THREADS = "-Dlossconformance.threads=" + THREADS;
  public static final String DJL_OFFLINE = "-Dai.djl.offline=true";
  public static final String TORCH_THREADS = "-Dai.djl.pytorch.num_threads=" + THREADS;
  public static final String TORCH_INTEROP_THREADS = "-Dai.djl.pytorch.num_interop_threads=1";

  /** The engines a loss benchmark runs on, the values of its {@code engine} parameter. */
  public static final String JAVA = "java";

  public static final String PYTORCH = "pytorch";
  public static final String TENSORFLOW = "tensorflow";
}
