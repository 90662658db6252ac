package dev.lossconformance.report;

import dev.lossconformance.fixture.FixtureFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fixture files at the end of the summary ({@code #fixtures}): one table per engine with each
 * file's name, number of cases and SHA-256, so the report names exactly the goldens it checked.
 */
final class FixturesSection {
  private FixturesSection() {}

  static void render(Html h, ReportModel m) {
    h.raw("<div id=\"fixtures\"><h3>Fixture files</h3>\n<p class=\"note\">SHA-256 of each file's bytes (first 12 hex "
        + "digits; hover for the whole digest), so the report names exactly the goldens it checked.</p>\n<div class=\"file-cols\">");
    List<String> groups = new ArrayList<>(m.engines());
    m.files().stream().map(ReportModel::engineOf).filter(e -> !groups.contains(e)).distinct().forEach(groups::add);
    for (String e : groups) {
      List<FixtureFile> mine = m.files().stream()
          .filter(f -> ReportModel.engineOf(f).equals(e) && ReportModel.file(f) != null).toList();
      if (mine.isEmpty()) {
        continue;
      }
      h.raw("<table class=\"files\" data-engine=\"").attr(e).raw("\"><thead><tr><th>").text(Format.engineName(e) + " file")
          .raw("</th><th class=\"num\">cases</th><th>SHA-256</th></tr></thead><tbody>\n");
      for (FixtureFile f : mine) {
        Path file = ReportModel.file(f);
        String path = shown(m.paths(), file);
        String digest = sha256(file);
        h.raw("<tr><td><code>").text(path).raw("</code></td><td class=\"num\">").text(Integer.toString(f.cases().size()))
            .raw("</td><td><code class=\"sha\" title=\"").attr(digest).raw("\">").text(digest.substring(0, 12))
            .raw("</code></td></tr>\n");
      }
      h.raw("</tbody></table>\n");
    }
    h.raw("</div></div>\n");
  }

  /**
   * A fixture file's name as shown: relative to the folder given on the command line and prefixed by
   * that folder's name ({@code fixtures/torch/kl_div.json} whether {@code fixtures} was given relative
   * or absolute), so the page does not depend on where the checkout lies.
   */
  private static String shown(List<Path> paths, Path file) {
    Path abs = file.toAbsolutePath().normalize();
    for (Path p : paths) {
      Path root = p.toAbsolutePath().normalize();
      if (abs.equals(root)) {
        return String.valueOf(abs.getFileName());
      }
      if (abs.startsWith(root)) {
        String rel = root.relativize(abs).toString().replace('\\', '/');
        return root.getFileName() == null ? rel : root.getFileName() + "/" + rel;
      }
    }
    return file.toString().replace('\\', '/');
  }

  private static String sha256(Path file) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      StringBuilder sb = new StringBuilder();
      for (byte b : d) {
        sb.append(String.format(Locale.ROOT, "%02x", b & 0xff));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
