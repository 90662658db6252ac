package dev.lossconformance.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No writer in the project's main code writes a final path directly: every file goes through
 * {@link AtomicFiles}, the one class allowed to open a file for writing.
 */
class NoDirectWritesTest {
  /** Every JDK call that opens or creates a file for writing. */
  private static final Pattern WRITE = Pattern.compile("(?<![A-Za-z])Files\\s*\\.\\s*(writeString|write|newBufferedWriter"
      + "|newOutputStream|newByteChannel|copy)\\s*\\(|new\\s+(FileOutputStream|FileWriter|RandomAccessFile"
      + ")\\s*\\(|new\\s+(PrintStream|PrintWriter)\\s*\\(\\s*(new\\s+File|Path\\.|\\w*([Ff]ile|[Pp]ath)\\b)"
      + "|FileChannel\\s*\\.\\s*open\\s*\\(");

  static List<String> directWrites(Path root) throws IOException {
    List<String> found = new ArrayList<>();
    for (String src : List.of("src/main/java", "generator/src/main/java", "benchmarks/src/main/java")) {
      Path dir = root.resolve(src);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          if (f.getFileName().toString().equals("AtomicFiles.java")) {
            continue;
          }
          List<String> lines = Files.readAllLines(f);
          for (int i = 0; i < lines.size(); i++) {
            Matcher m = WRITE.matcher(lines.get(i));
            if (m.find()) {
              found.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    return found;
  }

  @Test
  void everyWriterGoesThroughAtomicFiles() throws IOException {
    Path root = Path.of("").toAbsolutePath();
    assertTrue(Files.isDirectory(root.resolve("src/main/java/dev/lossconformance")), "run from the project root");
    List<String> found = directWrites(root);
    assertEquals(List.of(), found, "write a final path only through dev.lossconformance.io.AtomicFiles");
  }

  @Test
  void theScanFindsEachKindOfDirectWrite(@org.junit.jupiter.api.io.TempDir Path root) throws IOException {
    Path f = Files.createDirectories(root.resolve("src/main/java/x")).resolve("W.java");
    Files.write(f, List.of(
        "Files.writeString(out, s, UTF_8);",
        "Files.write(path, bytes);",
        "try (BufferedWriter w = Files.newBufferedWriter(file)) {",
        "new FileOutputStream(new File(\"x\"))",
        "FileChannel.open(p, WRITE)",
        "new PrintStream(outFile)",
        "new PrintWriter(System.out, true)",
        "AtomicFiles.writeString(path, text);",
        "Files.readString(path)"));
    assertEquals(6, directWrites(root).size(), directWrites(root).toString());
  }
}
