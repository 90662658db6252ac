package dev.lossconformance.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir
  Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesCreatesFoldersAndLeavesNoTemporaryFile() throws IOException {
    Path f = dir.resolve("a/b/c.json");
    AtomicFiles.writeString(f, "{\"x\": 1}\n");
    assertEquals("{\"x\": 1}\n", Files.readString(f));
    try (Stream<Path> s = Files.list(f.getParent())) {
      assertEquals(List.of("c.json"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void replacesAndKeepsThePermissionsOfThePreviousFile() throws IOException {
    Path f = dir.resolve("f.json");
    Files.writeString(f, "old");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    AtomicFiles.writeString(f, "new");
    assertEquals("new", Files.readString(f));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertEquals(List.of("f.json"), names());
  }

  @Test
  void aFailingWriteLeavesThePreviousFileAndNoTemporaryFile() throws IOException {
    // what a full disk does: part of the content written, then ENOSPC
    Path f = dir.resolve("f.json");
    Files.writeString(f, "old complete content");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
      out.write("new, half of it".getBytes());
      throw new IOException("No space left on device");
    }));
    assertEquals(f + ": No space left on device; the previous f.json is left as it was", e.getMessage());
    assertEquals("old complete content", Files.readString(f));
    assertEquals(List.of("f.json"), names());
  }

  @Test
  void aFailingFirstWriteLeavesNothing() throws IOException {
    Path f = dir.resolve("new.json");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
      throw new IOException("No space left on device");
    }));
    assertEquals(f + ": No space left on device; nothing was written", e.getMessage());
    assertFalse(Files.exists(f));
    assertEquals(List.of(), names());
  }

  @Test
  void anExceptionWhileRenderingPassesUnchangedAndRemovesTheTemporaryFile() throws IOException {
    Path f = dir.resolve("f.json");
    Files.writeString(f, "old");
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    assertEquals(oom, assertThrows(OutOfMemoryError.class, () -> AtomicFiles.write(f, out -> {
      out.write(1);
      throw oom;
    })));
    assertEquals("old", Files.readString(f));
    assertEquals(List.of("f.json"), names());
  }

  @Test
  void removeStaleDeletesOnlyTemporaryFilesAndFoldersAndNamesTheirTargets() throws IOException {
    Path torch = Files.createDirectories(dir.resolve("torch"));
    Files.writeString(torch.resolve("nll_loss.json"), "old");
    Path t1 = AtomicFiles.createTemporary(torch, "nll_loss.json");
    Files.writeString(t1, "{\"source\": \"half");
    Path t2 = AtomicFiles.createTemporaryFolder(dir, "report");
    Files.writeString(t2.resolve("index.html"), "<html>");
    // look-alikes that are not ours stay
    Files.writeString(torch.resolve(".nll_loss.json.partial"), "x");
    Files.writeString(torch.resolve("notes.partial"), "x");
    assertEquals("nll_loss.json", AtomicFiles.targetOf(t1));
    assertNull(AtomicFiles.targetOf(torch.resolve("nll_loss.json")));
    assertEquals(List.of(dir.resolve("report"), torch.resolve("nll_loss.json")), AtomicFiles.removeStale(dir));
    assertFalse(Files.exists(t1));
    assertFalse(Files.exists(t2));
    assertEquals("old", Files.readString(torch.resolve("nll_loss.json")));
    try (Stream<Path> s = Files.list(torch)) {
      assertEquals(List.of(".nll_loss.json.partial", "nll_loss.json", "notes.partial"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals(List.of(), AtomicFiles.removeStale(dir));
    assertEquals(List.of(), AtomicFiles.removeStale(dir.resolve("missing")));
  }

  private static LinkedHashMap<String, String> set(String version) {
    LinkedHashMap<String, String> files = new LinkedHashMap<>();
    files.put("index.html", "<html>" + version + "</html>");
    files.put("summary.md", "| " + version + " |");
    files.put("summary.json", "{\"v\": \"" + version + "\"}");
    return files;
  }

  private String contents() throws IOException {
    List<String> c = new ArrayList<>();
    for (String n : List.of("index.html", "summary.md", "summary.json")) {
      Path p = dir.resolve(n);
      c.add(Files.isRegularFile(p) ? Files.readString(p) : Files.isDirectory(p) ? "folder" : "absent");
    }
    return String.join(" ", c);
  }

  @Test
  void writeAllReplacesTheSetAndRemovesItsTemporaryFolder() throws IOException {
    List<String> notices = new ArrayList<>();
    AtomicFiles.writeAll(dir, set("old"), notices::add);
    AtomicFiles.writeAll(dir, set("new"), notices::add);
    assertEquals("<html>new</html> | new | {\"v\": \"new\"}", contents());
    assertEquals(List.of(".lock", "index.html", "summary.json", "summary.md"), names());
    assertEquals(List.of(), notices);
  }

  @Test
  void writeAllMovesInOrderSoAFailureLeavesTheLastFileOld() throws IOException {
    AtomicFiles.writeAll(dir, set("old"), m -> { });
    // summary.md cannot be replaced (a non-empty folder is in its place): index.html is already new,
    // summary.json, moved last, still old
    Files.delete(dir.resolve("summary.md"));
    Files.createDirectories(dir.resolve("summary.md/x"));
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeAll(dir, set("new"), m -> { }));
    assertTrue(e.getMessage().startsWith(dir.resolve("summary.md") + ": "), e.getMessage());
    assertEquals("<html>new</html> folder {\"v\": \"old\"}", contents());
    assertEquals(List.of(".lock", "index.html", "summary.json", "summary.md"), names());

    // the first cannot be replaced: nothing changes
    Files.delete(dir.resolve("summary.md/x"));
    Files.delete(dir.resolve("summary.md"));
    Files.writeString(dir.resolve("summary.md"), "| old |");
    Files.delete(dir.resolve("index.html"));
    Files.createDirectories(dir.resolve("index.html/x"));
    assertThrows(IOException.class, () -> AtomicFiles.writeAll(dir, set("new"), m -> { }));
    assertEquals("folder | old | {\"v\": \"old\"}", contents());
  }

  @Test
  void writeAllRemovesWhatAKilledRunLeftAndSaysSo() throws IOException {
    AtomicFiles.writeAll(dir, set("old"), m -> { });
    Path killed = AtomicFiles.createTemporaryFolder(dir, dir.getFileName().toString());
    Files.writeString(killed.resolve("index.html"), "<html>half");
    Path tmp = AtomicFiles.createTemporary(dir, "summary.json");
    List<String> notices = new ArrayList<>();
    AtomicFiles.writeAll(dir, set("new"), notices::add);
    assertEquals(1, notices.size());
    assertTrue(notices.get(0).startsWith("removed 2 partial files of an interrupted run in " + dir + ": "),
        notices.get(0));
    assertTrue(notices.get(0).contains(killed.getFileName().toString()), notices.get(0));
    assertTrue(notices.get(0).contains(tmp.getFileName().toString()), notices.get(0));
    assertEquals(List.of(".lock", "index.html", "summary.json", "summary.md"), names());
  }
}
