package dev.lossconformance.benchmarks;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Writes {@code reports/performance.md} from a JMH JSON result file ({@code -rf json}): the machine
 * and versions, the memory bandwidth, one table per benchmark group with the three engines' median
 * times, their ratios to Java and their multiples of the bandwidth bound, and issue 6's targets with
 * MET or MISSED. A benchmark missing from the file (a partial run) shows as "–". The output has no
 * date, so equal results give an equal file.
 *
 * <p>Usage: {@code PerformanceReport RESULT.json OUT.md [--machine-load TEXT] [--notes NOTES.md]}:
 * {@code --machine-load} says how much CPU other processes took during the run, {@code --notes} appends a
 * hand-written file (why a target is missed) under "Notes".
 */
public final class PerformanceReport {
  private static final String PACKAGE = "dev.lossconformance.benchmarks.";
  private static final String CE = "CrossEntropyBenchmark";
  private static final String CE_REUSE = "CrossEntropyReuseBenchmark";
  private static final String BCE = "BceWithLogitsBenchmark";
  private static final String CTC = "CtcBenchmark";
  private static final String BANDWIDTH = "MemoryBandwidthBenchmark";
  private static final String FORWARD = "forward";
  private static final String FORWARD_GRADIENT = "forwardGradient";
  private static final List<String> ENGINES =
      List.of(BenchmarkSettings.JAVA, BenchmarkSettings.PYTORCH, BenchmarkSettings.TENSORFLOW);

  /** The 2-D shapes large enough to stream from memory, where the bandwidth target applies. */
  private static final List<String> LARGE_2D = List.of("4096x1000", "64x32000", "32x128256");

  /** One benchmark's result: times in milliseconds. */
  record Result(String benchmark, String method, String engine, String shape, long samples, double median,
      double mean, double error, double p90) {}

  private final List<Result> results;
  private final JsonNode first;
  private final Optional<Double> readSeconds;
  private final Optional<Double> readWriteSeconds;

  private PerformanceReport(JsonNode json) {
    first = json.size() > 0 ? json.get(0) : null;
    results = StreamSupport.stream(json.spliterator(), false).map(PerformanceReport::parse).toList();
    readSeconds = find(BANDWIDTH, "read", null, null).map(r -> r.median() / 1e3);
    readWriteSeconds = find(BANDWIDTH, "readWrite", null, null).map(r -> r.median() / 1e3);
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: PerformanceReport RESULT.json OUT.md [--machine-load TEXT] [--notes NOTES.md]");
      System.exit(2);
    }
    String load = null;
    Path notes = null;
    for (int i = 2; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--machine-load" -> load = args[i + 1];
        case "--notes" -> notes = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    JsonNode json = new ObjectMapper().readTree(Path.of(args[0]).toFile());
    String markdown = new PerformanceReport(json).render(load, notes);
    Path out = Path.of(args[1]);
    // atomically (temporary file, fsync, rename): an interrupted run leaves the previous report
    dev.lossconformance.io.AtomicFiles.writeString(out, markdown);
    System.out.println("wrote " + out);
  }

  private static Result parse(JsonNode r) {
    String name = r.get("benchmark").asText();
    String benchmark = name.substring(PACKAGE.length(), name.lastIndexOf('.'));
    String method = name.substring(name.lastIndexOf('.') + 1);
    JsonNode params = r.path("params");
    JsonNode metric = r.get("primaryMetric");
    JsonNode percentiles = metric.get("scorePercentiles");
    long samples = 0;
    for (JsonNode fork : metric.path("rawDataHistogram")) {
      for (JsonNode iteration : fork) {
        for (JsonNode bin : iteration) {
          samples += bin.get(1).asLong();
        }
      }
    }
    return new Result(benchmark, method, params.path("engine").asText(null), params.path("shape").asText(null),
        samples, percentiles.get("50.0").asDouble(), metric.get("score").asDouble(),
        metric.get("scoreError").asDouble(Double.NaN), percentiles.get("90.0").asDouble());
  }

  private Optional<Result> find(String benchmark, String method, String engine, String shape) {
    return results.stream()
        .filter(r -> r.benchmark().equals(benchmark) && r.method().equals(method))
        .filter(r -> engine == null || engine.equals(r.engine()))
        .filter(r -> shape == null || shape.equals(r.shape()))
        .findFirst();
  }

  /** The median in ms, if measured. */
  private Optional<Double> median(String benchmark, String method, String engine, String shape) {
    return find(benchmark, method, engine, shape).map(Result::median);
  }

  /**
   * The least time, in ms, to move {@code bytes} at the measured bandwidth: read bandwidth for a
   * forward (it only reads), read+write bandwidth (the copy's bytes read plus written per second)
   * for a forward with gradient (it reads its inputs and writes the gradient).
   */
  private Optional<Double> bound(long bytes, boolean writes) {
    Optional<Double> seconds = writes ? readWriteSeconds : readSeconds;
    long moved = writes ? 2 * MemoryBandwidthBenchmark.BYTES : MemoryBandwidthBenchmark.BYTES;
    return seconds.map(s -> bytes / (moved / s) * 1e3);
  }

  // ------------------------------------------------------------------ rendering

  private String render(String load, Path notes) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Performance: the Java kernels against PyTorch and TensorFlow\n\n");
    md.append("Written by `benchmarks/run` from one JMH run (`benchmarks/target/jmh-result.json`); rerun it"
        + " rather than editing this file.\n\n");
    header(md, load);
    md.append("\nTimes are medians of every sampled call, in milliseconds. PyTorch/Java and TF/Java are"
        + " ratios of medians: above 1 the Java kernel is faster. The traffic is what a kernel must at least"
        + " move: its input and targets read (int64 targets), plus for a gradient one float per input element"
        + " written; the bound is that traffic at this machine's measured read bandwidth (forward) or"
        + " read+write bandwidth (forward + gradient), and \"× bound\" is a time as a multiple of it.\n\n");
    bandwidth(md);
    for (String method : List.of(FORWARD, FORWARD_GRADIENT)) {
      boolean grad = method.equals(FORWARD_GRADIENT);
      md.append("## Cross-entropy, class-index targets, mean, float32, classes on dim 1: ")
          .append(grad ? "forward + gradient" : "forward").append("\n\n");
      md.append(grad
          ? "Java `CrossEntropy.apply`; PyTorch `torch.cross_entropy_loss` and `torch.autograd.grad` in one"
              + " TorchScript call; TensorFlow `SparseSoftmaxCrossEntropyWithLogits`, `Mean` and their gradient"
              + " (for the 4-D shape also the `Transpose` to classes-last and back).\n\n"
          : "Java `CrossEntropy.loss`; PyTorch `torch.cross_entropy_loss` without autograd; TensorFlow"
              + " `SparseSoftmaxCrossEntropyWithLogits` and `Mean` (the kernel also computes its backprop;"
              + " for the 4-D shape after a `Transpose` to classes-last).\n\n");
      tableHeader(md, "shape");
      for (String shape : Problems.CrossEntropy.SHAPES) {
        row(md, shapeLabel(shape), CE, method, shape, Problems.CrossEntropy.bytes(shape, grad), grad);
      }
      md.append('\n');
      if (grad) {
        reuseTable(md);
      }
    }
    md.append("## BCE-with-logits (4096, 1000), mean, float32: forward + gradient\n\n");
    md.append("Java `BinaryCrossEntropyWithLogits.apply`; PyTorch `torch.binary_cross_entropy_with_logits` and"
        + " `torch.autograd.grad`; TensorFlow `tf.nn.sigmoid_cross_entropy_with_logits`'s composition (ZerosLike,"
        + " GreaterEqual, Select, Neg, Mul, Sub, Exp, Log1p, AddV2), `Mean` and its gradient from TF's C++"
        + " gradient registry.\n\n");
    tableHeader(md, "shape");
    row(md, "(4096, 1000)", BCE, FORWARD_GRADIENT, null, Problems.BceWithLogits.bytes(), true);
    md.append("\n## CTC (T=200, N=16, C=50, S=40), mean, float32: forward + gradient\n\n");
    md.append("Java `CtcLoss.apply` (computes the gradient with respect to the log-probabilities and the one"
        + " with respect to the logits); PyTorch `torch.ctc_loss` and `torch.autograd.grad` with respect to"
        + " the log-probabilities; TensorFlow's `CTCLoss` kernel (blank moved last, same losses), divided by"
        + " the target lengths and averaged as PyTorch's mean, and its gradient. Every target has 40 labels,"
        + " every input 200 frames. CTC is compute-bound: its bound is far below its time.\n\n");
    tableHeader(md, "problem");
    row(md, "T=200 N=16 C=50 S=40", CTC, FORWARD_GRADIENT, null, Problems.Ctc.bytes(), true);
    md.append('\n');
    targets(md);
    if (notes != null && Files.isRegularFile(notes)) {
      md.append("\n## Notes\n\n").append(Files.readString(notes, StandardCharsets.UTF_8).strip()).append('\n');
    }
    allResults(md);
    return md.toString();
  }

  private void header(StringBuilder md, String load) {
    md.append("| | |\n|---|---|\n");
    md.append("| CPU | ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores |\n");
    if (first != null) {
      md.append("| JDK | ").append(first.path("vmName").asText()).append(' ')
          .append(first.path("vmVersion").asText()).append(" |\n");
    }
    md.append("| Engines | ").append(engineVersions()).append(" |\n");
    md.append("| Threads | ").append(BenchmarkSettings.THREADS).append(" per engine: Java kernels"
        + " `-Dlossconformance.threads`, PyTorch intra-op (1 inter-op), TensorFlow session intra-op (1 inter-op) |\n");
    if (first != null) {
      md.append("| JMH | ").append(first.path("jmhVersion").asText()).append(", mode ")
          .append(first.path("mode").asText()).append(", ").append(first.path("forks").asInt())
          .append(first.path("forks").asInt() == 1 ? " fork" : " forks").append(" per benchmark, ")
          .append(first.path("warmupIterations").asInt()).append(" × ")
          .append(first.path("warmupTime").asText()).append(" warmup, ")
          .append(first.path("measurementIterations").asInt()).append(" × ")
          .append(first.path("measurementTime").asText()).append(" measurement |\n");
      List<String> jvmArgs = new ArrayList<>();
      first.path("jvmArgs").forEach(a -> jvmArgs.add(a.asText()));
      md.append("| Fork JVM options | `").append(String.join(" ", jvmArgs)).append("` |\n");
    }
    if (load != null) {
      md.append("| Other work during the run | ").append(load)
          .append(" (anything but a few percent inflates the times) |\n");
    }
  }

  private void bandwidth(StringBuilder md) {
    md.append("## Memory bandwidth (Java, ").append(BenchmarkSettings.THREADS).append(" threads)\n\n");
    md.append("| what | traffic (MB) | median (ms) | bandwidth |\n|---|---:|---:|---|\n");
    double mib = MemoryBandwidthBenchmark.BYTES / (double) (1 << 20);
    md.append(String.format(Locale.ROOT, "| read: sum a %.0f MiB float array | %s | %s | %s |%n", mib,
        mb(MemoryBandwidthBenchmark.BYTES), ms(readSeconds.map(s -> s * 1e3)),
        readSeconds.map(s -> gbs(MemoryBandwidthBenchmark.BYTES / s)).orElse("–")));
    md.append(String.format(Locale.ROOT, "| read+write: copy %.0f MiB into another array | %s | %s | %s |%n", mib,
        mb(2 * MemoryBandwidthBenchmark.BYTES), ms(readWriteSeconds.map(s -> s * 1e3)),
        readWriteSeconds.map(s -> gbs(2 * MemoryBandwidthBenchmark.BYTES / s) + " (read + written)").orElse("–")));
    md.append('\n');
  }

  private static void tableHeader(StringBuilder md, String first) {
    md.append("| ").append(first).append(" | traffic (MB) | bound (ms) | Java (ms) | PyTorch (ms) | TensorFlow (ms)"
        + " | PyTorch/Java | TF/Java | Java × bound | PyTorch × bound | TF × bound |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  }

  private void row(StringBuilder md, String label, String benchmark, String method, String shape, long bytes,
      boolean writes) {
    Optional<Double> bound = bound(bytes, writes);
    Map<String, Optional<Double>> t = new HashMap<>();
    for (String e : ENGINES) {
      t.put(e, median(benchmark, method, e, shape));
    }
    Optional<Double> java = t.get(BenchmarkSettings.JAVA);
    md.append("| ").append(label).append(" | ").append(mb(bytes)).append(" | ").append(ms(bound));
    for (String e : ENGINES) {
      md.append(" | ").append(ms(t.get(e)));
    }
    md.append(" | ").append(ratioText(t.get(BenchmarkSettings.PYTORCH), java));
    md.append(" | ").append(ratioText(t.get(BenchmarkSettings.TENSORFLOW), java));
    for (String e : ENGINES) {
      md.append(" | ").append(ratioText(t.get(e), bound));
    }
    md.append(" |\n");
  }

  /**
   * Java's forward + gradient into one reused gradient array ({@code CrossEntropyReuseBenchmark}) next to
   * the allocating call and PyTorch.
   */
  private void reuseTable(StringBuilder md) {
    md.append("The same with Java writing the gradient into one array reused across calls"
        + " (`CrossEntropy.apply(input, target, gradInto)`, as a training loop would), so that no gradient"
        + " array is allocated and zeroed per call; the engines' calls allocate their results.\n\n");
    md.append("| shape | bound (ms) | Java, reused array (ms) | Java, allocating (ms) | PyTorch (ms)"
        + " | PyTorch/Java reused | Java reused × bound |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (String shape : Problems.CrossEntropy.SHAPES) {
      Optional<Double> bound = bound(Problems.CrossEntropy.bytes(shape, true), true);
      Optional<Double> reused = median(CE_REUSE, FORWARD_GRADIENT, null, shape);
      Optional<Double> torch = median(CE, FORWARD_GRADIENT, BenchmarkSettings.PYTORCH, shape);
      md.append("| ").append(shapeLabel(shape)).append(" | ").append(ms(bound)).append(" | ").append(ms(reused))
          .append(" | ").append(ms(median(CE, FORWARD_GRADIENT, BenchmarkSettings.JAVA, shape))).append(" | ")
          .append(ms(torch)).append(" | ").append(ratioText(torch, reused)).append(" | ").append(ratioText(reused, bound))
          .append(" |\n");
    }
    md.append('\n');
  }

  /** Issue 6's targets, row by row. */
  private void targets(StringBuilder md) {
    md.append("## Targets (issue 6)\n\n");
    md.append("Java forward + gradient at least 2× faster than PyTorch forward + backward on every 2-D shape and on"
        + " the segmentation shape; forward at least 1.5× faster than PyTorch forward; at least 4× faster on"
        + " (256, 10) (read here as: both forward and forward + gradient); forward + gradient within 3× of the"
        + " read+write bandwidth bound on the large 2-D shapes. A forward + gradient target counts as met"
        + " when Java's allocating call meets it (\"MET\"), or only its call into a reused gradient array"
        + " (\"MET, reused array\"); \"measured\" shows the allocating call's value, then the reused one's.\n\n");
    md.append("| target | shape | required | measured | verdict |\n|---|---|---:|---:|---|\n");
    int[] met = new int[2]; // [met by the allocating call, met only with the reused array]
    int total = 0;
    for (String method : List.of(FORWARD_GRADIENT, FORWARD)) {
      boolean grad = method.equals(FORWARD_GRADIENT);
      for (String shape : Problems.CrossEntropy.SHAPES) {
        double required = shape.equals("256x10") ? 4 : grad ? 2 : 1.5;
        Optional<Double> torch = median(CE, method, BenchmarkSettings.PYTORCH, shape);
        Optional<Double> measured = ratio(torch, median(CE, method, BenchmarkSettings.JAVA, shape));
        Optional<Double> reused = grad ? ratio(torch, median(CE_REUSE, method, null, shape)) : Optional.empty();
        String what = grad ? "forward + gradient vs PyTorch forward + backward" : "forward vs PyTorch forward";
        total++;
        targetRow(md, what, shape, "PyTorch/Java ≥ " + num(required), measured, reused, m -> m >= required, met);
      }
    }
    for (String shape : LARGE_2D) {
      Optional<Double> bound = bound(Problems.CrossEntropy.bytes(shape, true), true);
      Optional<Double> measured = ratio(median(CE, FORWARD_GRADIENT, BenchmarkSettings.JAVA, shape), bound);
      Optional<Double> reused = ratio(median(CE_REUSE, FORWARD_GRADIENT, null, shape), bound);
      total++;
      targetRow(md, "forward + gradient near the read+write bound", shape, "Java × bound ≤ 3", measured, reused,
          m -> m <= 3, met);
    }
    md.append("\n").append(met[0] + met[1]).append(" of ").append(total).append(" targets met (")
        .append(met[1]).append(" of them only with the gradient written into a reused array).\n");
  }

  private static void targetRow(StringBuilder md, String what, String shape, String required, Optional<Double> measured,
      Optional<Double> reused, java.util.function.DoublePredicate ok, int[] met) {
    String verdict;
    if (measured.isEmpty()) {
      verdict = "not measured";
    } else if (ok.test(measured.get())) {
      verdict = "MET";
      met[0]++;
    } else if (reused.isPresent() && ok.test(reused.get())) {
      verdict = "MET, reused array";
      met[1]++;
    } else {
      verdict = "**MISSED**";
    }
    md.append("| ").append(what).append(" | ").append(shapeLabel(shape)).append(" | ").append(required).append(" | ")
        .append(measured.map(PerformanceReport::num).orElse("–"))
        .append(reused.map(r -> "; " + num(r) + " reused").orElse("")).append(" | ").append(verdict).append(" |\n");
  }

  private static Optional<Double> ratio(Optional<Double> a, Optional<Double> b) {
    return a.flatMap(x -> b.map(y -> x / y));
  }

  private void allResults(StringBuilder md) {
    md.append("\n## Every result\n\n");
    md.append("| benchmark | engine | shape | samples | median (ms) | p90 (ms) | mean ± 99.9% error (ms) |\n");
    md.append("|---|---|---|---:|---:|---:|---:|\n");
    for (Result r : results) {
      md.append("| ").append(r.benchmark()).append('.').append(r.method()).append(" | ")
          .append(r.engine() == null ? "" : r.engine()).append(" | ")
          .append(r.shape() == null ? "" : shapeLabel(r.shape())).append(" | ").append(r.samples()).append(" | ")
          .append(num(r.median())).append(" | ").append(num(r.p90())).append(" | ").append(num(r.mean()))
          .append(Double.isNaN(r.error()) ? "" : " ± " + num(r.error())).append(" |\n");
    }
  }

  // ------------------------------------------------------------------ machine and versions

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst().orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  /** Loads both engines (as the benchmarks do) to ask them their versions. */
  private static String engineVersions() {
    String torch = version(() -> TorchKernels.engine().getVersion());
    String tf = version(() -> TensorFlowKernels.engine().getVersion());
    return "PyTorch " + torch + " and TensorFlow " + tf + " through DJL " + Engine.getDjlVersion();
  }

  private static String version(java.util.function.Supplier<String> engine) {
    try {
      return engine.get();
    } catch (RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  // ------------------------------------------------------------------ formatting

  /** {@code "8x21x256x256"} as {@code "(8, 21, 256, 256)"}. */
  static String shapeLabel(String spec) {
    return Arrays.stream(spec.split("x")).collect(Collectors.joining(", ", "(", ")"));
  }

  private static String ms(Optional<Double> v) {
    return v.map(PerformanceReport::num).orElse("–");
  }

  private static String ratioText(Optional<Double> a, Optional<Double> b) {
    return ratio(a, b).map(PerformanceReport::num).orElse("–");
  }

  private static String mb(long bytes) {
    return num(bytes / 1e6);
  }

  private static String gbs(double bytesPerSecond) {
    return num(bytesPerSecond / 1e9) + " GB/s";
  }

  /** Three significant digits, without exponent: 0.0123, 1.23, 12.3, 1234. */
  static String num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return String.valueOf(v);
    }
    double a = Math.abs(v);
    int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : a >= 0.01 ? 4 : 5;
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
