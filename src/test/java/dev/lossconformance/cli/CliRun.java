package dev.lossconformance.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the command line: its exit code and what it printed to each stream. The CLI
 * tests keep the last run's streams in fields, so {@link #of} is the one place that runs it.
 *
 * @param exit the exit code {@link Main#run(PrintWriter, PrintWriter, String...)} returned
 * @param out what went to standard output
 * @param err what went to standard error
 */
record CliRun(int exit, String out, String err) {

  /** Runs {@code args} ({@code check ...}, {@code divergences ...}) as {@code main} would. */
  static CliRun of(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int exit = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    return new CliRun(exit, o.toString(), e.toString());
  }
}
