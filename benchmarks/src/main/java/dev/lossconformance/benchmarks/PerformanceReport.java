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
 * times, their ratios to Java and their multiples of the bandwidth bound, Java's allocation per call
 * (JMH's gc profiler, {@code gc.alloc.rate.norm}) against the bytes of the outputs, every
 * configuration ({@link Configurations}: the PyTorch ones of {@code TorchConfigurationBenchmark}, the
 * TensorFlow ones of {@code TfConfigurationBenchmark}, read by benchmark name, so either may be absent)
 * grouped by family, and issue 6's and issue 14's targets with MET or MISSED. A benchmark missing from
 * the file (a partial run) shows as "–". The output has no date, so equal results give an equal file.
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
  private static final String TORCH_CONFIGS = "TorchConfigurationBenchmark";
  private static final String TF_CONFIGS = "TfConfigurationBenchmark";
  /** JMH's gc profiler's allocation per benchmark call, bytes ({@code -prof gc}). */
  private static final String ALLOC_NORM = "gc.alloc.rate.norm";
  /**
   * What an allocation may exceed the outputs by and still meet "allocation ≤ outputs": the result
   * objects around the output arrays (tensors, shapes, the result record), the pool's tasks and
   * O(chunks) scratch, which the issue allows; a second gradient-sized array is far above it.
   */
  static final long ALLOCATION_SLACK = 16 * 1024;
  private static final String FORWARD = "forward";
  private static final String FORWARD_GRADIENT = "forwardGradient";
  private static final List<String> ENGINES =
      List.of(BenchmarkSettings.JAVA, BenchmarkSettings.PYTORCH, BenchmarkSettings.TENSORFLOW);

  /** The 2-D shapes large enough to stream from memory, where the bandwidth target applies. */
  private static final List<String> LARGE_2D = List.of("4096x1000", "64x32000", "32x128256");

  /**
   * One benchmark's result: times in milliseconds; {@code bytesPerCall} the allocation per call (all
   * threads) when the run had the gc profiler, else NaN.
   */
  record Result(String benchmark, String method, String engine, String shape, String config, long samples,
      double median, double mean, double error, double p90, double bytesPerCall) {}

  private final List<Result> results;
  private final JsonNode json;
  private final JsonNode first;
  private final Optional<Double> readSeconds;
  private final Optional<Double> readWriteSeconds;
  /** Medians, in ms, of allocating a zeroed (4096, 1000) float32 and float64 gradient. */
  private final Optional<Double> allocateFloat32;
  private final Optional<Double> allocateFloat64;

  private PerformanceReport(JsonNode json) {
    this.json = json;
    first = json.size() > 0 ? json.get(0) : null;
    results = StreamSupport.stream(json.spliterator(), false).map(PerformanceReport::parse).toList();
    readSeconds = find(BANDWIDTH, "read", null, null).map(r -> r.median() / 1e3);
    readWriteSeconds = find(BANDWIDTH, "readWrite", null, null).map(r -> r.median() / 1e3);
    allocateFloat32 = find(BANDWIDTH, "allocateFloat32Gradient", null, null).map(Result::median);
    allocateFloat64 = find(BANDWIDTH, "allocateFloat64Gradient", null, null).map(Result::median);
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
    double bytesPerCall = Double.NaN;
    // JMH 1.37 names it gc.alloc.rate.norm; older versions prefixed a middle dot
    for (Map.Entry<String, JsonNode> m : r.path("secondaryMetrics").properties()) {
      if (m.getKey().endsWith(ALLOC_NORM)) {
        bytesPerCall = m.getValue().get("score").asDouble();
      }
    }
    return new Result(benchmark, method, params.path("engine").asText(null), params.path("shape").asText(null),
        params.path("config").asText(null), samples, percentiles.get("50.0").asDouble(), metric.get("score").asDouble(),
        metric.get("scoreError").asDouble(Double.NaN), percentiles.get("90.0").asDouble(), bytesPerCall);
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

  /** Java's allocation per call in bytes, if measured with the gc profiler. */
  private Optional<Double> javaBytes(String benchmark, String method, String shape) {
    return find(benchmark, method, BenchmarkSettings.JAVA, shape).or(() -> find(benchmark, method, null, shape))
        .map(Result::bytesPerCall).filter(b -> !Double.isNaN(b));
  }

  /** A configuration's result on {@code engine}. */
  private Optional<Result> config(Configuration c, String engine) {
    String benchmark = c.reference().equals(BenchmarkSettings.TENSORFLOW) ? TF_CONFIGS : TORCH_CONFIGS;
    return results.stream()
        .filter(r -> r.benchmark().equals(benchmark) && r.method().equals(FORWARD_GRADIENT))
        .filter(r -> engine.equals(r.engine()) && c.id().equals(r.config()))
        .findFirst();
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
        + " read+write bandwidth (forward + gradient), and \"× bound\" is a time as a multiple of it."
        + " Java's bytes per call are JMH's gc profiler's `" + ALLOC_NORM + "`: what every thread of the fork"
        + " allocated on the Java heap per call (the kernels' worker pool included; the engines' native"
        + " memory is not on it).\n\n");
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
    allocationTable(md);
    configurations(md);
    targets(md);
    targets14(md);
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
      // the configuration benchmarks run other iteration settings than the rest: each setting with its benchmarks
      Map<String, List<String>> settings = new java.util.LinkedHashMap<>();
      for (JsonNode r : json) {
        String name = r.path("benchmark").asText();
        String benchmark = name.substring(PACKAGE.length(), name.lastIndexOf('.'));
        List<String> of = settings.computeIfAbsent(iterationSettings(r), k -> new ArrayList<>());
        if (!of.contains(benchmark)) {
          of.add(benchmark);
        }
      }
      md.append("| JMH | ").append(first.path("jmhVersion").asText()).append(", mode ")
          .append(first.path("mode").asText()).append(", ");
      if (settings.size() == 1) {
        md.append(settings.keySet().iterator().next()).append(" |\n");
      } else {
        md.append(settings.entrySet().stream().map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")")
            .collect(Collectors.joining("; "))).append(" |\n");
      }
      List<String> jvmArgs = new ArrayList<>();
      first.path("jvmArgs").forEach(a -> jvmArgs.add(a.asText()));
      md.append("| Fork JVM options | `").append(String.join(" ", jvmArgs)).append("` |\n");
    }
    if (load != null) {
      md.append("| Other work during the run | ").append(load)
          .append(" (anything but a few percent inflates the times) |\n");
    }
  }

  /** A result's forks and iterations, e.g. "2 forks per benchmark, 3 × 1 s warmup, 4 × 1 s measurement". */
  private static String iterationSettings(JsonNode r) {
    int forks = r.path("forks").asInt();
    return forks + (forks == 1 ? " fork" : " forks") + " per benchmark, " + r.path("warmupIterations").asInt() + " × "
        + r.path("warmupTime").asText() + " warmup, " + r.path("measurementIterations").asInt() + " × "
        + r.path("measurementTime").asText() + " measurement";
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
    md.append(String.format(Locale.ROOT, "| allocate a zeroed float32 gradient of (4096, 1000) (`new float[]`) | %s | %s | – |%n",
        mb(4L * MemoryBandwidthBenchmark.GRADIENT_ELEMENTS), ms(allocateFloat32)));
    md.append(String.format(Locale.ROOT, "| allocate a zeroed float64 gradient of (4096, 1000) (`new double[]`) | %s | %s | – |%n",
        mb(8L * MemoryBandwidthBenchmark.GRADIENT_ELEMENTS), ms(allocateFloat64)));
    md.append("\nThe two allocations are what every allocating forward + gradient call of the configurations below pays"
        + " before it computes anything: the JVM zeroes a new array (a G1 humongous object, zeroed by the allocating"
        + " thread). A caller's-array variant (`gradInto`) skips it.\n");
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
    md.append("| benchmark | engine | shape or config | samples | median (ms) | p90 (ms) | mean ± 99.9% error (ms)"
        + " | bytes per call |\n");
    md.append("|---|---|---|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      md.append("| ").append(r.benchmark()).append('.').append(r.method()).append(" | ")
          .append(r.engine() == null ? "" : r.engine()).append(" | ")
          .append(r.shape() != null ? shapeLabel(r.shape()) : r.config() != null ? r.config() : "").append(" | ")
          .append(r.samples()).append(" | ")
          .append(num(r.median())).append(" | ").append(num(r.p90())).append(" | ").append(num(r.mean()))
          .append(Double.isNaN(r.error()) ? "" : " ± " + num(r.error())).append(" | ")
          .append(Double.isNaN(r.bytesPerCall()) ? "–" : bytes(r.bytesPerCall())).append(" |\n");
    }
  }

  // ------------------------------------------------------------------ allocation and configurations (issue 14)

  /** One Java call's allocation against its outputs. */
  private record Allocation(String what, Optional<Double> bytes, long outputs) {
    boolean measured() {
      return bytes.isPresent();
    }

    boolean met() {
      return bytes.isPresent() && bytes.get() <= outputs + ALLOCATION_SLACK;
    }

    /** "met", "**missed** (×F)" or "–". */
    String verdict() {
      return bytes.map(b -> met() ? "met" : "**missed** (× " + num(b / outputs) + ")").orElse("–");
    }
  }

  /** The loss's bytes: a float32 scalar. */
  private static final long LOSS_F32 = Float.BYTES;

  /** Java's allocation in the benchmarks of the sections above, with what their calls return. */
  private List<Allocation> benchmarkAllocations() {
    List<Allocation> a = new ArrayList<>();
    for (String shape : Problems.CrossEntropy.SHAPES) {
      long numel = Problems.numel(Problems.parse(shape));
      String label = shapeLabel(shape);
      a.add(new Allocation("cross-entropy forward " + label, javaBytes(CE, FORWARD, shape), LOSS_F32));
      a.add(new Allocation("cross-entropy forward + gradient " + label, javaBytes(CE, FORWARD_GRADIENT, shape),
          LOSS_F32 + numel * Float.BYTES));
      a.add(new Allocation("cross-entropy forward + gradient into a reused array " + label,
          javaBytes(CE_REUSE, FORWARD_GRADIENT, shape), LOSS_F32));
    }
    a.add(new Allocation("BCE-with-logits forward + gradient (4096, 1000)", javaBytes(BCE, FORWARD_GRADIENT, null),
        LOSS_F32 + (long) Problems.numel(Problems.BceWithLogits.SHAPE) * Float.BYTES));
    a.add(new Allocation("CTC forward + gradient T=200 N=16 C=50 S=40", javaBytes(CTC, FORWARD_GRADIENT, null),
        LOSS_F32 + (long) Problems.Ctc.T * Problems.Ctc.N * Problems.Ctc.C * Float.BYTES));
    return a;
  }

  private static String allocationIntro() {
    return "Output bytes are the loss and the gradients the engine's timed call computes (with respect to the"
        + " prediction), what the Java call returns once it computes only the gradients asked for; allocation"
        + " ≤ outputs is met when Java allocates at most the output bytes plus " + ALLOCATION_SLACK / 1024
        + " KiB (the result objects, the pool's tasks and O(chunks) scratch), missed otherwise, by the factor"
        + " bytes per call / output bytes.";
  }

  private void allocationTable(StringBuilder md) {
    md.append("## Allocation per call (Java): the benchmarks above\n\n");
    md.append(allocationIntro()).append(" The CTC call also computes the gradient with respect to the logits,"
        + " which PyTorch's timed call does not.\n\n");
    md.append("| call | Java bytes per call | output bytes | allocation ≤ outputs |\n|---|---:|---:|---|\n");
    for (Allocation a : benchmarkAllocations()) {
      md.append("| ").append(a.what()).append(" | ").append(a.bytes().map(PerformanceReport::bytes).orElse("–"))
          .append(" | ").append(bytes(a.outputs())).append(" | ").append(a.verdict()).append(" |\n");
    }
    md.append('\n');
  }

  /** The allocation of configuration {@code c}'s Java call. */
  private Allocation allocation(Configuration c) {
    return new Allocation(c.id(), config(c, BenchmarkSettings.JAVA).map(Result::bytesPerCall)
        .filter(b -> !Double.isNaN(b)), c.outputBytes());
  }

  /** Reference/Java of configuration {@code c}'s medians, if both were measured. */
  private Optional<Double> ratio(Configuration c) {
    return ratio(config(c, c.reference()).map(Result::median), config(c, BenchmarkSettings.JAVA).map(Result::median));
  }

  private static String speedVerdict(Optional<Double> ratio, double target) {
    return ratio.map(r -> r >= target ? "MET" : "**MISSED**").orElse("not measured");
  }

  private static String engineName(String engine) {
    return switch (engine) {
      case BenchmarkSettings.PYTORCH -> "PyTorch";
      case BenchmarkSettings.TENSORFLOW -> "TensorFlow";
      default -> engine;
    };
  }

  /** Every configuration of {@link Configurations}, one table per family. */
  private void configurations(StringBuilder md) {
    md.append("## Every configuration: forward + gradient\n\n");
    md.append("Issue 14's configurations at (4096, 1000) with mean reduction and the framework's defaults unless"
        + " stated, each timed forward + gradient with respect to the prediction only, on Java and on its"
        + " reference engine (PyTorch for torch.nn.functional, TensorFlow for Keras and tf.nn), one fork with"
        + " 2 warmup and 3 measured one-second iterations per engine and configuration (`" + TORCH_CONFIGS
        + "`, `" + TF_CONFIGS + "`): a ratio close to its target needs a rerun before it is a verdict. The"
        + " target is reference/Java ≥ 2.00, for CTC against PyTorch ≥ 1.50. " + allocationIntro() + "\n\n");
    Map<String, List<Configuration>> byFamily = new java.util.LinkedHashMap<>();
    for (Configuration c : Configurations.all()) {
      byFamily.computeIfAbsent(c.family(), f -> new ArrayList<>()).add(c);
    }
    if (byFamily.isEmpty()) {
      md.append("No configuration is registered.\n\n");
    }
    for (Map.Entry<String, List<Configuration>> f : byFamily.entrySet()) {
      List<String> references = f.getValue().stream().map(Configuration::reference).distinct().toList();
      String ref = references.size() == 1 ? engineName(references.get(0)) : "reference";
      md.append("### ").append(f.getKey()).append("\n\n");
      md.append("| id | dtype | Java (ms) | ").append(ref).append(" (ms) | ").append(ref).append("/Java | target"
          + " | verdict | Java bytes per call | output bytes | allocation ≤ outputs |\n");
      md.append("|---|---|---:|---:|---:|---:|---|---:|---:|---|\n");
      for (Configuration c : f.getValue()) {
        Optional<Double> ratio = ratio(c);
        Allocation a = allocation(c);
        md.append("| `").append(c.id()).append("` | ").append(c.dtype()).append(" | ")
            .append(ms(config(c, BenchmarkSettings.JAVA).map(Result::median))).append(" | ")
            .append(ms(config(c, c.reference()).map(Result::median)))
            .append(references.size() == 1 ? "" : " (" + engineName(c.reference()) + ")").append(" | ")
            .append(ratio.map(PerformanceReport::num).orElse("–")).append(" | ≥ ").append(num(c.speedTarget()))
            .append(" | ").append(speedVerdict(ratio, c.speedTarget())).append(" | ")
            .append(a.bytes().map(PerformanceReport::bytes).orElse("–")).append(" | ").append(bytes(c.outputBytes()))
            .append(" | ").append(a.verdict()).append(" |\n");
      }
      md.append('\n');
      for (Configuration c : f.getValue()) {
        md.append("- `").append(c.id()).append("`: ").append(c.description()).append('\n');
      }
      md.append('\n');
    }
  }

  /** Issue 14's targets. */
  private void targets14(StringBuilder md) {
    md.append("\n## Targets (issue 14)\n\n");
    md.append("Java forward + gradient at least 2× faster than its reference engine (PyTorch for"
        + " torch.nn.functional, TensorFlow for Keras and tf.nn) on every configuration and family; CTC at least"
        + " 1.5× faster than PyTorch; class-index forward at least 1.5× faster than PyTorch's on every 2-D shape;"
        + " allocation per call at most the size of the outputs (here: plus " + ALLOCATION_SLACK / 1024
        + " KiB). Where a target is missed, the notes say why, with the measurement.\n\n");
    md.append("| target | what | required | measured | verdict |\n|---|---|---:|---:|---|\n");
    int met = 0;
    int total = 0;
    Optional<Double> ctc = ratio(median(CTC, FORWARD_GRADIENT, BenchmarkSettings.PYTORCH, null),
        median(CTC, FORWARD_GRADIENT, BenchmarkSettings.JAVA, null));
    total++;
    met += ctc.filter(r -> r >= 1.5).isPresent() ? 1 : 0;
    md.append("| CTC forward + gradient vs PyTorch | T=200 N=16 C=50 S=40, float32 (float64: `ctc_loss.f64` below)"
        + " | PyTorch/Java ≥ 1.50 | ").append(ctc.map(PerformanceReport::num).orElse("–")).append(" | ")
        .append(speedVerdict(ctc, 1.5)).append(" |\n");
    for (String shape : Problems.CrossEntropy.SHAPES) {
      if (Problems.parse(shape).length != 2) {
        continue;
      }
      Optional<Double> r = ratio(median(CE, FORWARD, BenchmarkSettings.PYTORCH, shape),
          median(CE, FORWARD, BenchmarkSettings.JAVA, shape));
      total++;
      met += r.filter(x -> x >= 1.5).isPresent() ? 1 : 0;
      md.append("| class-index cross-entropy forward vs PyTorch forward | ").append(shapeLabel(shape))
          .append(" | PyTorch/Java ≥ 1.50 | ").append(r.map(PerformanceReport::num).orElse("–")).append(" | ")
          .append(speedVerdict(r, 1.5)).append(" |\n");
    }
    List<Configuration> all = Configurations.all();
    List<String> slow = new ArrayList<>();
    int measured = 0;
    for (Configuration c : all) {
      Optional<Double> r = ratio(c);
      if (r.isPresent()) {
        measured++;
        if (r.get() < c.speedTarget()) {
          slow.add(c.id());
        }
      }
    }
    total++;
    met += summaryRow(md, "every configuration, forward + gradient vs its reference engine",
        all.size() + " configurations", "≥ 2.00 (CTC ≥ 1.50)", measured, slow);
    List<Allocation> allocations = new ArrayList<>();
    all.forEach(c -> allocations.add(allocation(c)));
    allocations.addAll(benchmarkAllocations());
    List<String> heavy = allocations.stream().filter(a -> a.measured() && !a.met()).map(Allocation::what).toList();
    total++;
    met += summaryRow(md, "allocation per call ≤ outputs", "the " + all.size()
        + " configurations and the cross-entropy, BCE-with-logits and CTC benchmarks' Java calls",
        "≤ output bytes + " + ALLOCATION_SLACK / 1024 + " KiB",
        (int) allocations.stream().filter(Allocation::measured).count(), heavy);
    md.append("\n").append(met).append(" of ").append(total).append(" targets met.\n");
  }

  /** A target over many rows: met when every row was measured and met; returns 1 when met. */
  private static int summaryRow(StringBuilder md, String target, String what, String required, int measured,
      List<String> missed) {
    String verdict;
    int met = 0;
    if (measured == 0) {
      verdict = "not measured";
    } else if (missed.isEmpty()) {
      verdict = "MET";
      met = 1;
    } else {
      verdict = "**MISSED**: " + missed.stream().map(m -> m.contains(" ") ? m : "`" + m + "`")
          .collect(Collectors.joining(", "));
    }
    md.append("| ").append(target).append(" | ").append(what).append(" | ").append(required).append(" | ")
        .append(measured - missed.size()).append(" of ").append(measured).append(" measured met | ")
        .append(verdict).append(" |\n");
    return met;
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

  /** Bytes as B, kB or MB (decimal), three significant digits. */
  static String bytes(double b) {
    return b < 1e4 ? String.format(Locale.ROOT, "%.0f B", b) : b < 1e6 ? num(b / 1e3) + " kB" : num(b / 1e6) + " MB";
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
