package dev.lossconformance.generator;

import dev.lossconformance.engine.Engines;
import dev.lossconformance.engine.TensorFlowEngine;
import dev.lossconformance.engine.TorchEngine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.catalog.Case;
import dev.lossconformance.catalog.Catalog;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureWriter;
import dev.lossconformance.generator.engine.Backend;
import dev.lossconformance.io.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Regenerates the golden fixtures: every catalog case through every engine, written to
 * {@code fixtures/<engine>/<op>.json}.
 *
 * <p>Usage: {@code Generate [--out DIR] [--engine torch|tensorflow]... [--op NAME]...} (default: every
 * engine, torch then tensorflow). A case whose outcome
 * contradicts the catalog (an expected error that did not happen, an error whose message lacks the
 * declared key phrase, or an unexpected error) is reported and makes the exit status 1; the file is
 * written regardless, so the difference can be read.
 */
public final class Generate {
  private Generate() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of("fixtures");
    List<String> engines = new ArrayList<>();
    List<String> ops = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--engine" -> engines.add(value(args, ++i, "--engine"));
        case "--op" -> ops.add(value(args, ++i, "--op"));
        default -> usage("unknown argument #" + (i + 1) + ": \"" + args[i] + "\"");
      }
    }
    if (engines.isEmpty()) {
      engines.addAll(BACKENDS.keySet());
    }
    if (ops.isEmpty()) {
      ops.addAll(Catalog.ops());
    }
    for (String op : ops) {
      if (!Catalog.ops().contains(op)) {
        usage("--op \"" + op + "\" is not in the catalog; ops: " + Catalog.ops());
      }
    }
    for (String engine : engines) {
      if (!BACKENDS.containsKey(engine)) {
        usage("--engine \"" + engine + "\" is unknown; engines: " + String.join(", ", BACKENDS.keySet()));
      }
    }
    // every fixture is written atomically (FixtureWriter): a run killed mid-write leaves each file old
    // or new, plus the temporary file it was writing, removed here
    List<Path> partial = AtomicFiles.removeStale(out);
    if (!partial.isEmpty()) {
      System.out.println(staleNotice(partial, out, engines, ops));
    }
    List<String> problems = new ArrayList<>();
    long t0 = System.nanoTime();
    for (String engine : engines) {
      try (Backend backend = open(engine)) {
        for (String op : ops) {
          problems.addAll(generate(backend, op, out));
        }
      }
    }
    System.out.printf(Locale.ROOT, "done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    if (!problems.isEmpty()) {
      System.err.println(problems.size() + " case(s) contradict the catalog:");
      problems.forEach(p -> System.err.println("  " + p));
      System.exit(1);
    }
  }

  /**
   * The generator's backend of each registered engine ({@code Engines}), in the registry's order. The
   * backends are looked up by class name: a version build ({@code generator/drift}) compiles one
   * engine's side only (an old DJL's TensorFlow classes clash with the TF code), and its other engine
   * is then absent here. The primary build compiles both, and an engine registered without a
   * backend class name here is refused at start.
   */
  private static final Map<String, Supplier<Backend>> BACKENDS = new LinkedHashMap<>();

  static {
    Map<String, String> known = Map.of(TorchEngine.ID, "dev.lossconformance.generator.engine.TorchBackend",
        TensorFlowEngine.ID, "dev.lossconformance.generator.engine.TensorFlowBackend");
    for (String id : Engines.ids()) {
      String name = known.get(id);
      if (name == null) {
        throw new IllegalStateException("engine " + id + " is registered (Engines) but the generator has no backend"
            + " for it");
      }
      Class<? extends Backend> type;
      try {
        type = Class.forName(name).asSubclass(Backend.class);
      } catch (ClassNotFoundException e) {
        continue; // a version build of the other engine
      }
      BACKENDS.put(id, () -> {
        try {
          return type.getConstructor().newInstance();
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot create " + name, e);
        }
      });
    }
  }

  private static Backend open(String engine) {
    return BACKENDS.get(engine).get();
  }

  private static List<String> generate(Backend backend, String op, Path out) throws Exception {
    List<Case> cases = Catalog.cases(op);
    List<FixtureCase> written = new ArrayList<>(cases.size());
    List<String> problems = new ArrayList<>();
    long t0 = System.nanoTime();
    int errors = 0;
    int unsupported = 0;
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      Call call = c.call(backend.engine());
      Backend.Result r = call.unsupported() != null ? Backend.Result.unsupported(call.unsupported()) : backend.run(call);
      String problem = contradiction(call, r);
      if (problem != null) {
        problems.add(c.id() + ": " + problem);
      }
      errors += r.error() != null ? 1 : 0;
      unsupported += r.unsupported() != null ? 1 : 0;
      written.add(new FixtureCase(null, backend.engine(), c.id(), call.api(), call.params(), call.inputs(),
          r.outputs() == null ? java.util.Map.of() : r.outputs(), r.error(), r.unsupported()));
      if ((i + 1) % 50 == 0 || i + 1 == cases.size()) {
        System.out.printf(Locale.ROOT, "[%s] %-34s %4d/%d%n", backend.engine(), op, i + 1, cases.size());
      }
    }
    Path file = out.resolve(backend.engine()).resolve(op + ".json");
    FixtureWriter.write(new FixtureFile(backend.source(), backend.provenance(op), written), file);
    System.out.printf(Locale.ROOT, "[%s] wrote %s: %d cases (%d engine errors, %d unsupported) in %.1f s%n",
        backend.engine(), file, cases.size(), errors, unsupported, (System.nanoTime() - t0) / 1e9);
    return problems;
  }

  /**
   * "removed 2 partial files of an interrupted run: torch/nll_loss.json, ...; regenerating them", naming
   * those this run's --engine/--op selection does not regenerate.
   */
  static String staleNotice(List<Path> targets, Path out, List<String> engines, List<String> ops) {
    List<String> redo = new ArrayList<>();
    List<String> notRedone = new ArrayList<>();
    for (Path t : targets) {
      Path rel = out.toAbsolutePath().relativize(t.toAbsolutePath());
      String name = rel.getFileName().toString();
      // divergences.json: generator/regenerate rewrites it after every run
      boolean selected = rel.toString().equals("divergences.json") || rel.getNameCount() == 2 && engines.contains(rel.getName(0).toString())
          && name.endsWith(".json") && ops.contains(name.substring(0, name.length() - ".json".length()));
      (selected ? redo : notRedone).add(rel.toString());
    }
    StringBuilder sb = new StringBuilder("removed " + targets.size() + " partial file"
        + (targets.size() > 1 ? "s" : "") + " of an interrupted run (the fixtures they were for are unchanged): ");
    List<String> all = new ArrayList<>(redo);
    all.addAll(notRedone);
    sb.append(String.join(", ", all));
    if (!redo.isEmpty()) {
      sb.append("; regenerating ").append(notRedone.isEmpty() ? "them" : String.join(", ", redo));
    }
    if (!notRedone.isEmpty()) {
      sb.append("; not regenerated by this run (outside --engine/--op): ").append(String.join(", ", notRedone));
    }
    return sb.toString();
  }

  /** Why the engine's outcome contradicts the catalog's declaration, or null when it agrees. */
  static String contradiction(Call c, Backend.Result r) {
    if (r.unsupported() != null) {
      return null;
    }
    if (c.expectError() == null) {
      return r.error() == null ? null : "engine raised " + r.error() + " but the catalog expects outputs";
    }
    if (r.error() == null) {
      return "catalog expects an error containing \"" + c.expectError() + "\" but the engine returned outputs";
    }
    if (!r.error().toLowerCase(Locale.ROOT).contains(c.expectError().toLowerCase(Locale.ROOT))) {
      return "engine error " + r.error() + " lacks the key phrase \"" + c.expectError() + "\"";
    }
    return null;
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      usage(flag + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("generate: " + problem);
    System.err.println("usage: Generate [--out DIR] [--engine torch|tensorflow]... [--op NAME]...");
    System.exit(2);
  }
}
