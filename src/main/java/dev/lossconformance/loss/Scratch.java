package dev.lossconformance.loss;

import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Reusable scratch arrays for the kernels, per thread: what a call needs besides its outputs (a lattice,
 * a copy in another dtype, per-row partials) is taken from here, so that a training loop that calls a
 * kernel again and again allocates only the outputs once its threads have seen the largest problem
 * (PyTorch's caching allocator does the same for its intermediates).
 *
 * <pre>{@code
 * try (Scratch s = Scratch.open()) {
 *   double[] alpha = s.doubles(t * u); // at least t * u long; its contents are left from an earlier call
 *   ...
 * }
 * }</pre>
 *
 * <p>Frames nest: each {@link #open} on a thread takes the next frame of that thread's stack (a
 * kernel's chunk that runs on the calling thread while the caller holds a frame gets a frame of its own),
 * and {@link #close} gives it back. Within a frame the k-th request of a type gets the frame's k-th
 * array of that type, reallocated when it is too short, so a call that asks in the same order as the
 * last one reuses its arrays. An array is only valid until its frame is closed and must not escape into
 * an output. The frames are softly referenced: under memory pressure the collector may drop a thread's
 * scratch, which the next call then allocates again. A frame is used by one thread only.
 */
public final class Scratch implements AutoCloseable {
  private static final ThreadLocal<Frames> FRAMES = ThreadLocal.withInitial(Frames::new);

  /** One thread's stack of frames. */
  private static final class Frames {
    final List<SoftReference<Scratch>> stack = new ArrayList<>();
    int depth;
  }

  /** One array type's arrays of a frame, handed out in order. */
  private static final class Pool<A> {
    private final List<A> arrays = new ArrayList<>();
    private final IntFunction<A> make;
    private final ToIntFunction<A> length;
    private int next;

    Pool(IntFunction<A> make, ToIntFunction<A> length) {
      this.make = make;
      this.length = length;
    }

    A take(int n) {
      int k = next++;
      if (k == arrays.size()) {
        arrays.add(make.apply(n));
      } else if (length.applyAsInt(arrays.get(k)) < n) {
        arrays.set(k, make.apply(n));
      }
      return arrays.get(k);
    }
  }

  private final Frames owner;
  private final Pool<double[]> doubles = new Pool<>(double[]::new, a -> a.length);
  private final Pool<float[]> floats = new Pool<>(float[]::new, a -> a.length);
  private final Pool<int[]> ints = new Pool<>(int[]::new, a -> a.length);
  private final Pool<boolean[]> booleans = new Pool<>(boolean[]::new, a -> a.length);
  private boolean open;

  private Scratch(Frames owner) {
    this.owner = owner;
  }

  /** This thread's next frame; close it (try-with-resources, on this thread) when the call is done with its arrays. */
  public static Scratch open() {
    Frames f = FRAMES.get();
    int d = f.depth;
    Scratch s = d < f.stack.size() ? f.stack.get(d).get() : null;
    if (s == null) {
      s = new Scratch(f);
      if (d < f.stack.size()) {
        f.stack.set(d, new SoftReference<>(s));
      } else {
        f.stack.add(new SoftReference<>(s));
      }
    }
    f.depth = d + 1;
    s.open = true;
    return s;
  }

  private <A> A take(Pool<A> pool, int n) {
    if (!open) {
      throw new IllegalStateException("Scratch: the frame is closed");
    }
    if (n < 0) {
      throw new IllegalArgumentException("Scratch: n: " + n + " is negative");
    }
    return pool.take(n);
  }

  /** A double array of at least {@code n} elements (contents unspecified). */
  public double[] doubles(int n) {
    return take(doubles, n);
  }

  /** A float array of at least {@code n} elements (contents unspecified). */
  public float[] floats(int n) {
    return take(floats, n);
  }

  /** An int array of at least {@code n} elements (contents unspecified). */
  public int[] ints(int n) {
    return take(ints, n);
  }

  /** A boolean array of at least {@code n} elements (contents unspecified). */
  public boolean[] booleans(int n) {
    return take(booleans, n);
  }

  /** Gives the frame back to its thread: its arrays go to the next call that opens it. */
  @Override
  public void close() {
    if (!open) {
      return;
    }
    open = false;
    doubles.next = 0;
    floats.next = 0;
    ints.next = 0;
    booleans.next = 0;
    owner.depth--;
  }
}
