package dev.lossconformance.report;

import dev.lossconformance.check.CheckRun;
import dev.lossconformance.check.Divergences;
import dev.lossconformance.check.EngineVersions;
import dev.lossconformance.check.Summary;
import dev.lossconformance.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * The conformance report of a {@code check} run ({@code check --report DIR}): {@code index.html}, a
 * self-contained page (inline CSS, JS and SVG, nothing fetched) in XHTML-compatible markup;
 * {@code summary.json}, exactly {@link Summary#toJson()}; and {@code summary.md}, a Markdown table
 * for a CI job summary.
 *
 * <p>The page: a pass/fail verdict with counts per engine and per loss, engine and DJL versions and the
 * fixture files' SHA-256; charts of the ULP errors and pass rates; PyTorch against TensorFlow on every
 * paired case that differs, with the catalog's reason; which parameter values the cases cover; and a
 * filterable matrix with one row per case id ({@code tr.case}), its verdict against each engine's
 * golden and a folded {@code <details>} with inputs, params, expected and actual losses and the
 * tolerance applied.
 *
 * <p>Deterministic: the same fixtures and results give the same bytes (catalog order, then file order;
 * no hash-map iteration; numbers formatted with {@link java.util.Locale#ROOT}). Only an explicit generation time
 * ({@code --timestamp}) adds a line to the HTML.
 */
public final class ConformanceReport {
  /** The file names written into the report folder. */
  public static final String HTML = "index.html";
  public static final String JSON = "summary.json";
  public static final String MARKDOWN = "summary.md";

  private final ReportModel model;

  /**
   * A report of a check run. The PyTorch vs TensorFlow section pairs the cases of the run's files
   * ({@link Divergences#pairs(Path, List, java.util.function.Function)}) under the first of {@code
   * paths} that is a folder holding {@code torch/} and {@code tensorflow/}: no fixture file is parsed
   * again (the fixture table reads their bytes for the SHA-256 only).
   *
   * @param paths the paths the run was given (shown on the page)
   * @param run the verdicts, with the implementation's outputs kept
   * @param strict whether unsupported cases fail the run (as {@code check --strict})
   * @param generatedAt the generation time to print, or {@code null} for none (reproducible output)
   */
  public ConformanceReport(List<Path> paths, CheckRun run, boolean strict, Instant generatedAt) {
    this(paths, run, strict, generatedAt, null);
  }

  /**
   * As {@link #ConformanceReport(List, CheckRun, boolean, Instant)}, for a run against another engine
   * version's goldens ({@code check --engine-version}): the Versions section names the version and marks
   * the cases whose outcome differs from the primary's.
   *
   * @param drift the chosen versions, or {@code null}: then the Versions section shows drift.json of the
   *     paths' fixtures folder, if there is one
   */
  public ConformanceReport(List<Path> paths, CheckRun run, boolean strict, Instant generatedAt,
      EngineVersions.Selection drift) {
    this.model = new ReportModel(paths, run, strict, generatedAt, drift);
  }

  /** True when the run fails: a failed or error case, or with {@code strict} an unsupported one. */
  public boolean failed() {
    return model.failed();
  }

  /**
   * Writes {@code index.html}, {@code summary.md} and then {@code summary.json} into {@code dir},
   * creating it, with {@link AtomicFiles#writeAll}: under the lock {@code dir/.lock} (a concurrent run
   * into the same folder is waited for, {@code notice} told so), each file renamed into place atomically,
   * {@code summary.json} last, so a reader that sees the new {@code summary.json} sees the new
   * {@code index.html} and {@code summary.md}. An interrupted write leaves each file old or new, never
   * partial.
   */
  public void writeTo(Path dir, Consumer<String> notice) throws IOException {
    // rendered before the lock is taken: rendering 2.7 MB of HTML takes longer than writing it
    LinkedHashMap<String, String> files = new LinkedHashMap<>();
    files.put(HTML, html());
    files.put(MARKDOWN, markdown());
    files.put(JSON, model.summaryJson());
    AtomicFiles.writeAll(dir, files, notice);
  }

  /** The Markdown summary ({@link SummaryMarkdown}): verdict, counts per engine and per loss, failing ids, the final line. */
  public String markdown() {
    return SummaryMarkdown.render(model);
  }

  /** The HTML page ({@link ReportPage}). */
  public String html() {
    return ReportPage.render(model);
  }
}
