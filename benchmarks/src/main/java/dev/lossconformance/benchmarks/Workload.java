package dev.lossconformance.benchmarks;

import org.openjdk.jmh.infra.Blackhole;

/**
 * One loss on one engine with its inputs already in the engine's own form (Java tensors, PyTorch
 * NDArrays, TensorFlow tensors fed to a prepared session): what a benchmark method times. Each call
 * computes from scratch and returns only once the result exists: it reads the scalar loss back into
 * Java and touches the gradient, consuming both.
 */
interface Workload extends AutoCloseable {

  /** The loss alone. */
  void forward(Blackhole bh);

  /** The loss and its gradient with respect to the prediction. */
  void forwardGradient(Blackhole bh);

  /** The loss value that {@link #forwardGradient} computes, for checking that the engines agree. */
  double loss();

  /** Releases native memory; the default holds none. */
  @Override
  default void close() {}
}
