package dev.lossconformance.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * The fixtures this artifact bundles, as a folder: {@code dev/lossconformance/tck/fixtures/} with
 * {@code torch/} and {@code tensorflow/} inside the TCK jar (opened as a zip file system) or, when run
 * from classes, the folder on disk.
 */
public final class BundledFixtures {
  private static final String MARKER = "/dev/lossconformance/tck/fixtures/README.md";

  private BundledFixtures() {}

  /** The folder holding the bundled {@code torch/} and {@code tensorflow/} fixture folders. */
  public static synchronized Path root() {
    URL url = BundledFixtures.class.getResource(MARKER);
    if (url == null) {
      throw new IllegalStateException("the TCK's fixtures are missing from the class path (" + MARKER
          + " not found): is loss-conformance-tck a test dependency?");
    }
    try {
      URI uri = url.toURI();
      if (!"jar".equals(uri.getScheme())) {
        return Path.of(uri).getParent();
      }
      FileSystem fs;
      try {
        fs = FileSystems.newFileSystem(uri, Map.of());
      } catch (FileSystemAlreadyExistsException e) {
        fs = FileSystems.getFileSystem(uri);
      }
      return fs.getPath(MARKER).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the TCK's fixtures at " + url, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the TCK jar at " + url, e);
    }
  }
}
