package dev.lossconformance.loss;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernels' one worker pool: the calling thread and {@code threads() - 1} pool workers claim chunks
 * of a kernel's work in order from a shared counter. A kernel splits its work into a fixed number of
 * chunks that depends only on the problem's size (never on timing) and combines the chunks' partial
 * results in chunk order, so its result does not depend on scheduling or on the thread count.
 */
public final class Parallel {
  /** Below this many elements a kernel runs in one chunk on the calling thread. */
  public static final int THRESHOLD = 1 << 16;

  private static final int THREADS = Math.max(1, Integer.getInteger("lossconformance.threads",
      Runtime.getRuntime().availableProcessors()));
  private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS - 1) : null;

  private Parallel() {}

  /** The worker count, from the system property {@code lossconformance.threads} (default: all cores). */
  public static int threads() {
    return THREADS;
  }

  /**
   * How many chunks a kernel of {@code elements} elements in {@code units} independent units (rows,
   * images, samples) splits into: 1 below {@link #THRESHOLD} or with one thread, else
   * {@code min(4 * threads, units)}.
   */
  public static int chunks(long elements, int units) {
    if (elements < THRESHOLD || POOL == null || units <= 1) {
      return 1;
    }
    return Math.min(THREADS * 4, units);
  }

  /** Runs the chunks: on this thread when there is one, else on this thread and the pool; returns when all are done. */
  public static void run(Runnable[] work) {
    if (work.length == 1 || POOL == null) {
      for (Runnable r : work) {
        r.run();
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    Runnable claim = () -> {
      for (int k; (k = next.getAndIncrement()) < work.length; ) {
        work[k].run();
      }
    };
    ForkJoinTask<?>[] helpers = new ForkJoinTask<?>[Math.min(THREADS - 1, work.length - 1)];
    for (int h = 0; h < helpers.length; h++) {
      helpers[h] = POOL.submit(claim);
    }
    claim.run();
    for (ForkJoinTask<?> h : helpers) {
      h.join();
    }
  }

  /** A chunk's element range: {@code [from(n, chunks, k), from(n, chunks, k + 1))}. */
  public static int from(int n, int chunks, int k) {
    return (int) ((long) n * k / chunks);
  }
}
