package dev.lossconformance.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The CLI's messages for what is not a fixture's fault: the JVM out of memory or stack, a file system
 * refusing a write. Each says what was being done and what to do about it, in one line, no stack trace.
 */
final class Problems {
  private Problems() {}

  /**
   * {@code doing} (e.g. "reading fixtures/", or "" when the caller has said it) ran the JVM out of memory:
   * what ran out and what to raise.
   */
  static String outOfMemory(String doing, OutOfMemoryError e) {
    String ranOut = "the JVM ran out of memory" + (doing.isEmpty() ? "" : " " + doing);
    String what = e.getMessage() == null ? "Java heap space" : e.getMessage();
    if (what.contains("array size")) {
      // "Requested array size exceeds VM limit", "Required array size too large": no -Xmx helps
      return ranOut + " (" + what + "): it needs one array of 2 GB or more, more than a Java array holds"
          + " whatever -Xmx is; split the file or its tensors";
    }
    if (!what.contains("heap") && !what.contains("GC overhead")) {
      return ranOut + " (" + what + ")";
    }
    long maxMiB = Runtime.getRuntime().maxMemory() >> 20;
    long suggest = Math.max(1024, Long.highestOneBit(Math.max(1, maxMiB)) * 4);
    String x = suggest % 1024 == 0 ? suggest / 1024 + "g" : suggest + "m";
    return ranOut + " (" + what + ", heap limit " + maxMiB + " MiB); raise the limit with -Xmx, e.g. java -Xmx"
        + x + " -jar loss-conformance.jar check ...";
  }

  /** {@code doing} overflowed the thread stack. */
  static String stackOverflow(String doing, boolean reading) {
    return "the JVM ran out of thread stack" + (doing.isEmpty() ? "" : " " + doing) + " (StackOverflowError)"
        + (reading ? ": JSON nested more deeply than the reader can follow (a fixture nests 6 levels)" : "")
        + "; a larger stack may help: -Xss, e.g. java -Xss64m -jar loss-conformance.jar check ...";
  }

  /** A reader's message, with the -Xmx advice when what it reports is the JVM running out of memory. */
  static String withMemoryAdvice(Exception e) {
    String m = e.getMessage();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError oom && (m == null || !m.contains("-Xmx"))) {
        return m + "; " + outOfMemory("", oom);
      }
    }
    return m;
  }

  /** An I/O failure as "file: reason", the reason in words where Java gives only a class name. */
  static String describe(IOException e) {
    String file = e instanceof FileSystemException f ? f.getFile() : null;
    String reason;
    if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof NoSuchFileException) {
      reason = "no such file or folder";
    } else if (e instanceof FileAlreadyExistsException) {
      reason = "already exists";
    } else if (e instanceof NotDirectoryException) {
      reason = "not a folder";
    } else if (e instanceof FileSystemException f && f.getReason() != null) {
      reason = f.getReason();
    } else {
      reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return file == null ? reason : file + ": " + reason;
  }

  /**
   * Why {@code out} cannot be written as a file ({@code folder} false) or folder (true), as far as can be
   * told without writing; null when nothing says it cannot. Checked before a run, which can take minutes.
   */
  static String unwritable(Path out, boolean folder) {
    Path p = out.toAbsolutePath();
    if (Files.isDirectory(p) && !folder) {
      return out + ": is a folder, not a file";
    }
    if (Files.exists(p) && !Files.isDirectory(p) && folder) {
      return out + ": is a file, not a folder";
    }
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return null;
    }
    if (existing.equals(p)) {
      return Files.isWritable(p) ? null : out + ": permission denied";
    }
    if (!Files.isDirectory(existing)) {
      return existing + ": is a file, not a folder, so " + out + " cannot be created below it";
    }
    if (!Files.isWritable(existing)) {
      return existing + ": permission denied, so " + out + " cannot be created in it";
    }
    return null;
  }
}
