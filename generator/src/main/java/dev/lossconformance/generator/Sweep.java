package dev.lossconformance.generator;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.ApiIndex;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.check.Checker;
import dev.lossconformance.engine.TorchEngine;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.generator.engine.Backend;
import dev.lossconformance.generator.engine.TensorFlowBackend;
import dev.lossconformance.generator.engine.TorchBackend;
import dev.lossconformance.engine.TensorFlowEngine;
import dev.lossconformance.io.AtomicFiles;
import dev.lossconformance.sweep.CatalogDeclaration;
import dev.lossconformance.sweep.Shrinker;
import dev.lossconformance.sweep.SweepDraws;
import dev.lossconformance.sweep.SweepOutcome;
import dev.lossconformance.sweep.SweepReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The differential sweep: draws configurations per api ({@link SweepDraws}), runs each through the
 * engine (the generator's backend) and through the Java kernels ({@link Checker#run}) under the
 * gate's rules, shrinks one failing case of each failure class ({@link Shrinker}) and writes
 * {@code reports/sweep.md} ({@link SweepReport}).
 *
 * <p>Usage: {@code Sweep [--seed S] [--cases N] [--api NAME]... [--engine torch] [--out FILE]
 * [--shrink-budget B] [--only INDEX]}. Exit 0 when no case failed, 1 when one did, 2 on bad usage.
 */
public final class Sweep {
  private Sweep() {}

  public static void main(String[] args) throws Exception {
    long seed = 1;
    int cases = 20_000;
    int budget = 400;
    Integer only = null;
    List<String> engines = new ArrayList<>();
    Path out = Path.of("reports/sweep.md");
    List<Api> apis = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seed" -> seed = Long.parseLong(value(args, ++i, "--seed"));
        case "--cases" -> cases = Integer.parseInt(value(args, ++i, "--cases"));
        case "--shrink-budget" -> budget = Integer.parseInt(value(args, ++i, "--shrink-budget"));
        case "--only" -> only = Integer.parseInt(value(args, ++i, "--only"));
        case "--engine" -> engines.add(value(args, ++i, "--engine"));
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--api" -> {
          String name = value(args, ++i, "--api");
          Api a = SweepDraws.TORCH_APIS.stream()
              .filter(x -> x.name().equals(name) || SweepDraws.op(x).equals(name)).findFirst().orElse(null);
          if (a == null) {
            usage("--api " + name + " is not swept; apis: "
                + SweepDraws.TORCH_APIS.stream().map(SweepDraws::op).toList());
          }
          apis.add(a);
        }
        default -> usage("unknown argument \"" + args[i] + "\"");
      }
    }
    if (engines.isEmpty()) {
      engines.addAll(List.of(TorchEngine.ID, TensorFlowEngine.ID));
    }
    for (String e : engines) {
      if (!e.equals(TorchEngine.ID) && !e.equals(TensorFlowEngine.ID)) {
        usage("--engine " + e + " is unknown; engines: torch, tensorflow");
      }
    }
    SweepReport report = new SweepReport();
    List<String> header = new ArrayList<>();
    header.add("`generator/sweep --seed " + seed + " --cases " + cases
        + String.join("", engines.stream().map(e -> " --engine " + e).toList())
        + String.join("", apis.stream().map(a -> " --api " + SweepDraws.op(a)).toList())
        + "`; shrink budget " + budget + " judged candidates per class.");
    header.add("");
    int failures = 0;
    for (String engine : engines) {
      boolean tf = engine.equals(TensorFlowEngine.ID);
      List<Api> swept = new ArrayList<>(apis.isEmpty() ? SweepDraws.TORCH_APIS : apis);
      if (tf && apis.isEmpty()) {
        swept.remove(dev.lossconformance.api.TorchApis.GAUSSIAN_NLL_LOSS); // TensorFlow has none (catalog: skipped)
      }
      try (Backend backend = tf ? new TensorFlowBackend() : new TorchBackend()) {
        header.add("- " + engine + ": " + backend.source() + "; apis, dealt round-robin: "
            + String.join(", ", swept.stream().map(SweepDraws::op).toList())
            + (tf ? " (each PyTorch configuration mapped by the catalog's TensorFlow counterpart rule, judged against"
                + " Java's kernel of that TensorFlow api; what the rule cannot map is skipped)" : ""));
        failures += sweep(backend, tf, swept, seed, cases, only, budget, report);
      }
    }
    header.add("");
    header.add("Each case is drawn from its own generator seeded by FNV-1a of `sweep/<seed>/<index>`"
        + " (`SweepDraws`); `generator/sweep --seed S --only INDEX --engine E` reruns one. The same seed and options"
        + " write the same bytes (no times here; they are printed on the console).");
    if (only == null) {
      AtomicFiles.writeString(out, report.markdown(header));
      System.out.println("wrote " + out);
    }
    System.exit(failures == 0 ? 0 : 1);
  }

  /** Sweeps one engine; returns its failures. */
  private static int sweep(Backend backend, boolean tf, List<Api> apis, long seed, int cases, Integer only, int budget,
      SweepReport report) {
    int failedBefore = report.failures();
    Map<String, SweepDraws.Drawn> firstDrawn = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    int from = only == null ? 0 : only;
    int to = only == null ? cases : only + 1;
    for (int i = from; i < to; i++) {
      SweepDraws.Drawn d = SweepDraws.draw(apis, seed, i);
      FixtureCase fc = run(backend, d.id(), engineCall(tf, d, d.call()));
      Checker.Run run = Checker.run(fc);
      SweepOutcome o = SweepOutcome.of(fc, run);
      report.add(backend.engine(), fc.api(), d.id(), o);
      if (o.failure() != null) {
        String key = backend.engine() + " | " + o.failure();
        SweepDraws.Drawn prev = firstDrawn.get(key);
        if (prev == null || numel(d.call()) < numel(prev.call())) {
          firstDrawn.put(key, d); // the smallest case of the class is the one shrunk
        }
        if (prev == null) {
          System.out.println("new failure class: " + key + "  (" + d.id() + ", " + d.regime().name().toLowerCase(Locale.ROOT)
              + ")\n  " + o.firstLine());
        }
      }
      if (only != null) {
        System.out.println(fc.api() + " " + fc.params() + " " + fc.inputs() + "\n" + (run.result().message() == null
            ? run.result().status() : run.result().message()));
      }
      int done = i - from + 1;
      if (done % 2000 == 0 || i + 1 == to) {
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "[%s] %d/%d cases, %d failed, %d classes, %.0f cases/s%n", backend.engine(),
            done, to - from, report.failures() - failedBefore, firstDrawn.size(), done / s);
      }
    }
    double runSeconds = (System.nanoTime() - t0) / 1e9;
    long t1 = System.nanoTime();
    int shrunkCount = 0;
    for (Map.Entry<String, SweepDraws.Drawn> e : firstDrawn.entrySet()) {
      SweepDraws.Drawn d = e.getValue();
      // the PyTorch configuration is shrunk (for TensorFlow through its counterpart), so the result is
      // a catalog case: the catalog declares PyTorch calls and derives TensorFlow's
      Api api = ApiIndex.of(d.call().api());
      SweepOutcome.FailureClass cls = outcome(backend, d.id(), engineCall(tf, d, d.call())).failure();
      if (cls == null) {
        continue; // cannot happen for a deterministic engine; say nothing rather than shrink a pass
      }
      Shrinker.Result r = Shrinker.shrink(api, d.call(),
          c -> SweepDraws.engineSafe(engineCall(tf, d, c)) && cls.equals(outcome(backend, d.id(), engineCall(tf, d, c)).failure()),
          budget);
      SweepOutcome last = outcome(backend, d.id(), engineCall(tf, d, r.call()));
      String name = CatalogDeclaration.name(cls);
      String decl = CatalogDeclaration.of(name, r.call(), "sweep --seed " + seed + ": " + d.id() + " (" + d.regime()
          .name().toLowerCase(Locale.ROOT) + "), shrunk in " + r.steps() + " steps; " + backend.engine() + ": " + cls.kind()
          + " in " + cls.output() + ", " + cls.dtype());
      report.shrunk(backend.engine(), cls, decl, last.firstLine());
      shrunkCount++;
      System.out.printf(Locale.ROOT, "[%s] shrunk %d/%d: %s: %d steps, %d judged%n%s%n  %s%n", backend.engine(), shrunkCount,
          firstDrawn.size(), e.getKey(), r.steps(), r.judged(), decl, last.firstLine());
    }
    double shrinkSeconds = (System.nanoTime() - t1) / 1e9;
    int failed = report.failures() - failedBefore;
    System.out.printf(Locale.ROOT, "[%s] %d cases in %.1f s (%.0f cases/s), %d failed in %d classes; shrinking %.1f s%n",
        backend.engine(), to - from, runSeconds, (to - from) / runSeconds, failed, firstDrawn.size(), shrinkSeconds);
    return failed;
  }

  /** What {@code engine} runs of the PyTorch configuration {@code c} of draw {@code d}. */
  private static Call engineCall(boolean tf, SweepDraws.Drawn d, Call c) {
    return tf ? SweepDraws.tensorflow(new SweepDraws.Drawn(d.index(), d.op(), c, d.regime())) : c;
  }

  private static long numel(Call c) {
    return c.inputs().values().stream().mapToLong(t -> t.numel()).sum();
  }

  private static SweepOutcome outcome(Backend backend, String id, Call call) {
    FixtureCase fc = run(backend, id, call);
    return SweepOutcome.of(fc, Checker.run(fc));
  }

  /** The engine's result of {@code call} as a fixture case (what the gate judges). */
  static FixtureCase run(Backend backend, String id, Call call) {
    Backend.Result r;
    try {
      r = call.unsupported() != null ? Backend.Result.unsupported(call.unsupported()) : backend.run(call);
    } catch (RuntimeException e) {
      r = Backend.Result.unsupported("the sweep's engine harness failed: " + e.toString().lines().findFirst().orElse(""));
    }
    if (r.error() != null && r.error().contains("does not require grad")) {
      // the recipes differentiate every input the fixtures store a gradient of; an integer one (an
      // int64 regression target) cannot be, which Python's F.* call never asks: not the api's outcome
      r = Backend.Result.unsupported("the generator's recipe differentiates an integer input: " + r.error());
    }
    return new FixtureCase(null, backend.engine(), id, call.api(), call.params(), call.inputs(),
        r.outputs() == null ? Map.of() : r.outputs(), r.error(), r.unsupported());
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      usage(flag + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("sweep: " + problem);
    System.err.println("usage: generator/sweep [--seed S] [--cases N] [--api NAME]... [--engine torch] [--out FILE]"
        + " [--shrink-budget B] [--only INDEX]");
    System.exit(2);
  }
}
