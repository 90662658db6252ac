package dev.lossconformance.benchmarks;

/** The workload of a loss on an engine, by the {@code engine} parameter's value. */
final class Workloads {
  private Workloads() {}

  static Workload crossEntropy(String engine, String shape) {
    Problems.CrossEntropy p = Problems.CrossEntropy.of(shape);
    return switch (engine) {
      case BenchmarkSettings.JAVA -> JavaKernels.crossEntropy(p);
      case BenchmarkSettings.PYTORCH -> TorchKernels.crossEntropy(p);
      case BenchmarkSettings.TENSORFLOW -> TensorFlowKernels.crossEntropy(p);
      default -> throw unknown(engine);
    };
  }

  static Workload bceWithLogits(String engine) {
    Problems.BceWithLogits p = Problems.BceWithLogits.create();
    return switch (engine) {
      case BenchmarkSettings.JAVA -> JavaKernels.bceWithLogits(p);
      case BenchmarkSettings.PYTORCH -> TorchKernels.bceWithLogits(p);
      case BenchmarkSettings.TENSORFLOW -> TensorFlowKernels.bceWithLogits(p);
      default -> throw unknown(engine);
    };
  }

  static Workload ctc(String engine) {
    Problems.Ctc p = Problems.Ctc.create();
    return switch (engine) {
      case BenchmarkSettings.JAVA -> JavaKernels.ctc(p);
      case BenchmarkSettings.PYTORCH -> TorchKernels.ctc(p);
      case BenchmarkSettings.TENSORFLOW -> TensorFlowKernels.ctc(p);
      default -> throw unknown(engine);
    };
  }

  private static IllegalArgumentException unknown(String engine) {
    return new IllegalArgumentException("engine " + engine + ": expected " + BenchmarkSettings.JAVA + ", "
        + BenchmarkSettings.PYTORCH + " or " + BenchmarkSettings.TENSORFLOW);
  }
}
