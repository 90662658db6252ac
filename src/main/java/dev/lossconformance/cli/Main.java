package dev.lossconformance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar loss-conformance.jar <command>}; see {@link CheckCommand}. */
@Command(
    name = "loss-conformance",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Checks native Java loss kernels against PyTorch and TensorFlow golden fixtures.",
    subcommands = {CheckCommand.class, DivergencesCommand.class, DriftCommand.class, ImplementationsCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 1 failed cases, 2 bad usage or input). */
  public static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** {@link #run(String...)} writing to the given streams. */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    if (args == null) {
      err.println("error: no argument array (null); a command is required: check");
      return 2;
    }
    for (int i = 0; i < args.length; i++) {
      if (args[i] == null) {
        err.println("error: argument " + (i + 1) + " of " + args.length + " is null (after "
            + (i == 0 ? "nothing" : PathConverter.quote(args[i - 1])) + ")");
        return 2;
      }
    }
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    // after the subcommands are added, so that it applies to theirs too: no "" read as the working directory
    cl.registerConverter(java.nio.file.Path.class, new PathConverter());
    cl.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("error: " + ex.getMessage());
      ex.getCommandLine().usage(ex.getCommandLine().getErr());
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("error: " + ex);
      return 2;
    });
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      // picocli hands on Errors: the last net for a command that does not catch them itself
      out.flush();
      err.println("error: " + Problems.outOfMemory("", e));
      return 2;
    } catch (StackOverflowError e) {
      out.flush();
      err.println("error: " + Problems.stackOverflow("", false));
      return 2;
    } catch (RuntimeException | Error e) {
      out.flush();
      err.println("error: unexpected " + e + " (a bug in loss-conformance; please report it with the command line)");
      return 2;
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: check");
  }
}
