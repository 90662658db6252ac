package dev.lossconformance.check;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.impl.LossImplementation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Every verdict of one check of an implementation over a set of fixture files, built once and read
 * by everything that shows it: {@code check}'s lines and exit status, {@code --json}, {@code
 * --report}, {@code --junit-xml}, and the TCK's dynamic tests, which call {@link #verdict} per case.
 */
public final class CheckRun {

  /**
   * One case and its verdict.
   *
   * @param fixture the case as read (or derived)
   * @param run the verdict and the implementation's outputs (kept only when the run keeps outputs)
   * @param deviation the known-deviations line that matches the case, or {@code null}
   */
  public record Entry(FixtureCase fixture, Checker.Run run, Deviations.Entry deviation) {
    public CaseResult result() {
      return run.result();
    }

    /** A listed deviation whose case now passes: the line can be removed. */
    public boolean deviationFixed() {
      return deviation != null && run.result().status() == Status.PASSED;
    }
  }

  /** What a run is given besides the files. */
  public record Options(LossImplementation implementation, Deviations deviations, boolean derivedMeanCases,
      boolean keepOutputs) {
    public Options {
      java.util.Objects.requireNonNull(implementation, "implementation");
      deviations = deviations == null ? Deviations.none() : deviations;
    }
  }

  private final String implementation;
  private final List<FixtureFile> files;
  private final List<Entry> entries;
  private final Deviations deviations;

  private CheckRun(String implementation, List<FixtureFile> files, List<Entry> entries, Deviations deviations) {
    this.implementation = implementation;
    this.files = List.copyOf(files);
    this.entries = Collections.unmodifiableList(entries);
    this.deviations = deviations;
  }

  /**
   * Checks every case of {@code files} (and, with {@code derivedMeanCases}, each file's {@link
   * DerivedCases} after its own cases), in order, calling {@code each} after each verdict.
   */
  public static CheckRun of(List<FixtureFile> files, Options options, Consumer<Entry> each) {
    return of(files, options, each, c -> { });
  }

  /** As {@link #of(List, Options, Consumer)}, calling {@code starting} before each case (for progress). */
  public static CheckRun of(List<FixtureFile> files, Options options, Consumer<Entry> each,
      Consumer<FixtureCase> starting) {
    List<Entry> entries = new ArrayList<>();
    for (FixtureFile f : files) {
      List<FixtureCase> cases = f.cases();
      if (options.derivedMeanCases()) {
        cases = new ArrayList<>(cases);
        cases.addAll(DerivedCases.of(f.cases()));
      }
      for (FixtureCase c : cases) {
        starting.accept(c);
        Entry e = verdict(c, options.implementation(), options.deviations());
        if (!options.keepOutputs()) {
          e = new Entry(e.fixture(), new Checker.Run(e.result(), Map.of()), e.deviation());
        }
        entries.add(e);
        each.accept(e);
      }
    }
    return new CheckRun(options.implementation().name(), files, entries, options.deviations());
  }

  /** The verdict on one case, with the known deviation applied: what every view of a run shows for it. */
  public static Entry verdict(FixtureCase c, LossImplementation impl, Deviations deviations) {
    Checker.Run run = Checker.run(c, impl);
    Deviations.Entry d = deviations.match(c);
    CaseResult r = Deviations.apply(d, run.result());
    return new Entry(c, r == run.result() ? run : new Checker.Run(r, run.actual()), d);
  }

  /** The implementation's name. */
  public String implementation() {
    return implementation;
  }

  /** The files read, in order. */
  public List<FixtureFile> files() {
    return files;
  }

  /** Every verdict, in file and case order. */
  public List<Entry> entries() {
    return entries;
  }

  /** The verdicts alone. */
  public List<CaseResult> results() {
    return entries.stream().map(Entry::result).toList();
  }

  public Summary summary() {
    return new Summary(implementation, results());
  }

  /** Listed deviations whose cases passed, in run order. */
  public List<Entry> fixedDeviations() {
    return entries.stream().filter(Entry::deviationFixed).toList();
  }

  /** Lines of the deviations file that matched no case of the run. */
  public List<Deviations.Entry> unusedDeviations() {
    Set<Deviations.Entry> used = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Entry e : entries) {
      if (e.deviation() != null) {
        used.add(e.deviation());
      }
    }
    Set<Deviations.Entry> unused = new LinkedHashSet<>();
    for (Deviations.Entry d : deviations.entries()) {
      if (!used.contains(d)) {
        unused.add(d);
      }
    }
    return List.copyOf(unused);
  }
}
