package dev.lossconformance.benchmarks;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Param;

/**
 * Checks that the three engines compute the same loss for every benchmark workload before their
 * times are compared: runs each workload's forward+gradient once per engine and prints the losses.
 * Exits with 1 when an engine is more than {@link #TOLERANCE} (relative) away from the Java kernel,
 * when a configuration's reference engine is more than its {@link Configuration#lossTolerance} away
 * from Java, or when a configuration benchmark's {@code config} parameter does not list exactly the
 * registry's ids. Run by {@code benchmarks/run} (unless {@code --no-check}).
 */
public final class EngineCheck {
  /** float32 means of up to 11 M terms, summed in different orders by the three engines. */
  static final double TOLERANCE = 1e-4;

  private EngineCheck() {}

  /**
   * The configuration benchmarks' {@code config} lists against the registry, every PyTorch
   * configuration's Java loss against PyTorch's, and the TensorFlow ones through {@link
   * TfConfigurations#check} (loss, gradient, shapes, dtypes and output bytes); prints one line per
   * configuration.
   */
  private static boolean configurations() {
    boolean ok = paramListsRegistry(TorchConfigurationBenchmark.class, BenchmarkSettings.PYTORCH);
    ok &= paramListsRegistry(TfConfigurationBenchmark.class, BenchmarkSettings.TENSORFLOW);
    System.out.printf("%n%-56s %-8s %18s %18s%n", "configuration", "ref", "java", "reference");
    for (Configuration c : Configurations.all()) {
      if (!c.reference().equals(BenchmarkSettings.PYTORCH)) {
        continue;
      }
      double java;
      double reference;
      try (Workload w = c.workload().apply(BenchmarkSettings.JAVA)) {
        java = w.loss();
      }
      try (Workload w = c.workload().apply(c.reference())) {
        reference = w.loss();
      }
      double rel = Math.abs(reference - java) / Math.max(Math.abs(java), Double.MIN_NORMAL);
      boolean same = rel <= c.lossTolerance();
      ok &= same;
      System.out.printf("%-56s %-8s %18.12g %18.12g%s%n", c.id(), c.reference(), java, reference,
          same ? "" : String.format("  differs by %.2g (relative; allowed %.0e)", rel, c.lossTolerance()));
    }
    System.out.println();
    ok &= TfConfigurations.check(List.of(), System.out);
    return ok;
  }

  /** Whether {@code benchmark}'s {@code config} parameter lists exactly the ids of {@code reference}'s configurations. */
  private static boolean paramListsRegistry(Class<?> benchmark, String reference) {
    List<String> registry = Configurations.all().stream().filter(c -> c.reference().equals(reference))
        .map(Configuration::id).toList();
    List<String> param;
    try {
      param = List.of(benchmark.getField("config").getAnnotation(Param.class).value());
    } catch (NoSuchFieldException e) {
      System.out.println(benchmark.getSimpleName() + " has no config parameter");
      return false;
    }
    if (new HashSet<>(param).equals(new HashSet<>(registry)) && param.size() == registry.size()) {
      return true;
    }
    System.out.println(benchmark.getSimpleName() + ".config lists " + param + " but the registry has " + registry);
    return false;
  }

  public static void main(String[] args) {
    Map<String, Function<String, Workload>> workloads = new LinkedHashMap<>();
    for (String shape : Problems.CrossEntropy.SHAPES) {
      workloads.put("cross-entropy " + shape, engine -> Workloads.crossEntropy(engine, shape));
    }
    workloads.put("bce-with-logits 4096x1000", Workloads::bceWithLogits);
    workloads.put("ctc T=200 N=16 C=50 S=40", Workloads::ctc);
    List<String> engines = List.of(BenchmarkSettings.JAVA, BenchmarkSettings.PYTORCH, BenchmarkSettings.TENSORFLOW);
    boolean ok = true;
    System.out.printf("%-28s %14s %14s %14s%n", "workload", engines.get(0), engines.get(1), engines.get(2));
    for (Map.Entry<String, Function<String, Workload>> w : workloads.entrySet()) {
      double[] loss = new double[engines.size()];
      for (int e = 0; e < engines.size(); e++) {
        try (Workload workload = w.getValue().apply(engines.get(e))) {
          loss[e] = workload.loss();
        }
      }
      StringBuilder verdict = new StringBuilder();
      for (int e = 1; e < engines.size(); e++) {
        double rel = Math.abs(loss[e] - loss[0]) / Math.max(Math.abs(loss[0]), Double.MIN_NORMAL);
        if (!(rel <= TOLERANCE)) {
          ok = false;
          verdict.append(String.format("  %s differs from java by %.2g (relative)", engines.get(e), rel));
        }
      }
      System.out.printf("%-28s %14.8g %14.8g %14.8g%s%n", w.getKey(), loss[0], loss[1], loss[2], verdict);
    }
    // the reused-array call must compute what the allocating one does
    for (String shape : Problems.CrossEntropy.SHAPES) {
      Problems.CrossEntropy p = Problems.CrossEntropy.of(shape);
      double allocating = JavaKernels.crossEntropy(p).loss();
      double reused = JavaKernels.crossEntropyIntoReusedArray(p).loss();
      boolean same = Math.abs(reused - allocating) <= TOLERANCE * Math.abs(allocating);
      ok &= same;
      System.out.printf("%-28s %14.8g (java, gradient into a reused array)%s%n", "cross-entropy " + shape, reused,
          same ? "" : "  differs from java");
    }
    ok &= configurations();
    System.out.println(ok ? "the engines agree" : "the engines DISAGREE");
    System.exit(ok ? 0 : 1);
  }
}
