package dev.lossconformance.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every file the project writes goes through here, so that an interrupted write (SIGKILL, a full disk,
 * an exception) never leaves a truncated file at the final path.
 *
 * <p>{@link #write} writes into a temporary file in the target's own folder (so on the same file
 * system), named {@code .<name>.<16 hex digits>.partial}, forces it to disk
 * ({@link FileChannel#force}), then renames it over the target with {@link StandardCopyOption#ATOMIC_MOVE}:
 * a reader, and the file system after a crash, sees either the previous file or the new one in full.
 * On any failure the temporary file is deleted and the previous target is left as it was; the
 * {@link IOException} names the target. A process killed mid-write leaves only its temporary file,
 * which {@link #removeStale} finds and deletes on the next run.
 */
public final class AtomicFiles {
  /** The suffix of every temporary file and folder this class (and the report) creates. */
  public static final String PARTIAL_SUFFIX = ".partial";

  private static final Pattern TEMPORARY = Pattern.compile("\\.(.+)\\.[0-9a-f]{16}" + Pattern.quote(PARTIAL_SUFFIX));
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** What {@link #write} writes: the content, streamed into the temporary file. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** {@link #write} of {@code text} in UTF-8. */
  public static void writeString(Path target, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    write(target, out -> out.write(bytes));
  }

  /**
   * Writes {@code content} to {@code target} atomically, creating its parent folders: a temporary file
   * in the same folder, forced to disk, then moved over {@code target}. On failure the temporary file
   * is removed, {@code target} keeps its previous content (or stays absent), and the exception says so.
   */
  public static void write(Path target, Content content) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir == null) {
      throw new IOException(target + ": cannot be written (no parent folder)");
    }
    Files.createDirectories(dir);
    boolean existed = Files.exists(abs);
    Path tmp = createTemporary(dir, abs.getFileName().toString());
    boolean done = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(ch);
        content.writeTo(out);
        out.flush();
        ch.force(true);
      }
      copyPermissions(abs, tmp);
      move(tmp, abs);
      done = true;
      forceFolder(dir);
    } catch (IOException e) {
      throw failure(target, existed, e);
    } finally {
      // also on a RuntimeException or Error (out of memory while rendering), which pass unchanged
      if (!done) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // the next removeStale finds it
        }
      }
    }
  }

  /** The lock file {@link #writeAll} holds in the target folder while it writes. */
  public static final String LOCK = ".lock";

  /** In-process holders of a folder's lock: a FileChannel lock is per process, not per thread. */
  private static final java.util.concurrent.ConcurrentHashMap<Path, java.util.concurrent.locks.ReentrantLock>
      LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Writes a set of files into {@code dir} (created if needed) so that a reader never sees a mix older
   * than the last file: under an exclusive lock on {@code dir/.lock} (another process or thread writing
   * into {@code dir} is waited for, {@code notice} told so), every file is written and forced to disk in
   * a temporary folder inside {@code dir}, then each is renamed into place atomically in
   * {@code files}' iteration order, the folder's entries forced to disk before the last. A reader that
   * sees the new last file therefore sees the new version of every other. Temporary folders and files
   * for these names left by a killed run are removed first (and {@code notice} told). On failure nothing
   * not yet renamed is changed, and the exception names the file.
   */
  public static void writeAll(Path dir, java.util.LinkedHashMap<String, String> files,
      java.util.function.Consumer<String> notice) throws IOException {
    Files.createDirectories(dir);
    Path real = dir.toRealPath();
    java.util.concurrent.locks.ReentrantLock inProcess =
        LOCKS.computeIfAbsent(real, k -> new java.util.concurrent.locks.ReentrantLock());
    String waiting = "waiting for another run writing into " + dir + " to finish (it holds " + dir.resolve(LOCK)
        + ")";
    if (!inProcess.tryLock()) {
      notice.accept(waiting);
      inProcess.lock();
    }
    try (FileChannel lockFile = FileChannel.open(real.resolve(LOCK), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      java.nio.channels.FileLock lock = lockFile.tryLock();
      if (lock == null) {
        notice.accept(waiting);
        lock = lockFile.lock();
      }
      try {
        writeAllLocked(dir, real, files, notice);
      } finally {
        lock.release();
      }
    } finally {
      inProcess.unlock();
    }
  }

  private static void writeAllLocked(Path dir, Path real, java.util.LinkedHashMap<String, String> files,
      java.util.function.Consumer<String> notice) throws IOException {
    List<String> removed = new ArrayList<>();
    try (Stream<Path> s = Files.list(real)) {
      for (Path p : s.toList()) {
        String t = targetOf(p);
        if (t != null && (files.containsKey(t) || (t.equals(real.getFileName().toString())
            && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)))) {
          deleteTree(p);
          removed.add(p.getFileName().toString());
        }
      }
    }
    if (!removed.isEmpty()) {
      notice.accept("removed " + removed.size() + " partial file" + (removed.size() > 1 ? "s" : "")
          + " of an interrupted run in " + dir + ": " + String.join(", ", removed));
    }
    Path tmp = createTemporaryFolder(real, real.getFileName().toString());
    try {
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path target = dir.resolve(f.getKey());
        try (FileChannel ch = FileChannel.open(tmp.resolve(f.getKey()), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
          OutputStream out = Channels.newOutputStream(ch);
          out.write(f.getValue().getBytes(StandardCharsets.UTF_8));
          out.flush();
          ch.force(true);
        } catch (IOException e) {
          throw failure(target, Files.exists(target), e);
        }
        copyPermissions(real.resolve(f.getKey()), tmp.resolve(f.getKey()));
      }
      String last = null;
      for (String name : files.keySet()) {
        last = name;
      }
      for (String name : files.keySet()) {
        if (name.equals(last)) {
          forceFolder(real);
        }
        try {
          move(tmp.resolve(name), real.resolve(name));
        } catch (IOException e) {
          throw failure(dir.resolve(name), Files.exists(real.resolve(name)), e);
        }
      }
      forceFolder(real);
    } finally {
      try {
        deleteTree(tmp);
      } catch (IOException e) {
        // the next run removes it
      }
    }
  }

  /**
   * A new, empty temporary file or folder in {@code dir} for the final name {@code name}
   * ({@code .<name>.<hex>.partial}); {@link #removeStale} recognises it.
   */
  public static Path createTemporary(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve(temporaryName(name));
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        if (attempt > 10) {
          throw e;
        }
      }
    }
  }

  /** A fresh temporary folder in {@code dir} for {@code name}, recognised by {@link #removeStale}. */
  public static Path createTemporaryFolder(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return Files.createDirectory(dir.resolve(temporaryName(name)));
      } catch (FileAlreadyExistsException e) {
        if (attempt > 10) {
          throw e;
        }
      }
    }
  }

  private static String temporaryName(String name) {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return "." + name + "." + HexFormat.of().formatHex(b) + PARTIAL_SUFFIX;
  }

  /**
   * Renames {@code tmp} over {@code target} atomically (same folder, so same file system). Fails with a
   * message naming {@code target} where the file system cannot rename atomically.
   */
  public static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(target + ": the file system cannot rename " + tmp.getFileName()
          + " over it atomically", e);
    }
  }

  /** Forces {@code dir}'s entries (a rename) to disk where the platform allows it; best effort. */
  public static void forceFolder(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not every platform opens folders (Windows); the rename itself is atomic regardless
    }
  }

  /** The final name {@code file} is a temporary file or folder for, or null when it is not one of ours. */
  public static String targetOf(Path file) {
    Matcher m = TEMPORARY.matcher(file.getFileName().toString());
    return m.matches() ? m.group(1) : null;
  }

  /**
   * Deletes every temporary file and folder below {@code root} left by a process killed mid-write, and
   * returns the final paths they were for (sorted). A missing {@code root} has none.
   */
  public static List<Path> removeStale(Path root) throws IOException {
    List<Path> targets = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return targets;
    }
    List<Path> stale;
    try (Stream<Path> s = Files.walk(root)) {
      stale = s.filter(p -> !p.equals(root) && targetOf(p) != null).toList();
    }
    for (Path p : stale) {
      if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        continue; // inside a temporary folder already deleted
      }
      deleteTree(p);
      targets.add(p.resolveSibling(targetOf(p)));
    }
    targets.sort(null);
    return targets;
  }

  /** Deletes {@code p} and, when it is a folder, everything in it. */
  public static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> s = Files.list(p)) {
        for (Path c : s.toList()) {
          deleteTree(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }

  private static void copyPermissions(Path from, Path to) {
    // a rewritten file keeps its permissions, as Files.writeString on it would
    PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class);
    PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class);
    if (src == null || dst == null) {
      return;
    }
    try {
      dst.setPermissions(src.readAttributes().permissions());
    } catch (IOException e) {
      // no previous file, or not ours to read: the new file keeps the default permissions
    }
  }

  private static IOException failure(Path target, boolean existed, Throwable e) {
    String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
        : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    if (Files.isDirectory(target)) {
      return new IOException(target + ": " + reason, e); // a folder in the way: the reason says it all
    }
    String kept = existed ? "the previous " + target.getFileName() + " is left as it was"
        : "nothing was written";
    return new IOException(target + ": " + reason + "; " + kept, e);
  }
}
