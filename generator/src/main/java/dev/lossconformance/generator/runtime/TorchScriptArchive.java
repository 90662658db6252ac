package dev.lossconformance.generator.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes, in memory, the smallest TorchScript archive that {@code torch.jit.load} accepts: a module
 * of class {@code __torch__.Loss} with no parameters, no buffers and no constants, whose code is the
 * given TorchScript source. No Python is involved; see /work/shared/ENGINES.md.
 *
 * <p>Layout (every entry STORED, under one top folder {@code archive/}):
 *
 * <ul>
 *   <li>{@code archive/version}: {@code 10}, a format that PyTorch 2.7 loads without running the
 *       old-operator upgraders;
 *   <li>{@code archive/constants.pkl}: a pickled empty tuple;
 *   <li>{@code archive/data.pkl}: the pickled module object, {@code Loss} with {@code training=False};
 *   <li>{@code archive/code/__torch__.py}: the class source.
 * </ul>
 *
 * The bytes depend only on the source text: entry times are fixed, so equal sources give equal
 * archives. {@link TorchScriptModule} writes the sources and loads the archives.
 */
public final class TorchScriptArchive {

  /** The qualified class name the source must define: {@code class Loss(Module)}. */
  public static final String CLASS_NAME = "__torch__.Loss";

  private static final String ROOT = "archive/";

  /** The earliest time a zip entry can record; any constant would do. */
  private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  /** Pickle protocol 2 of {@code ()}: PROTO 2, EMPTY_TUPLE, STOP. */
  private static final byte[] CONSTANTS_PKL = {(byte) 0x80, 0x02, 0x29, 0x2E};

  private TorchScriptArchive() {}

  /**
   * The archive bytes for a module whose {@code code/__torch__.py} is {@code source}.
   *
   * @param source TorchScript source defining {@code class Loss(Module)}
   */
  public static byte[] of(String source) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      put(zip, "version", "10\n".getBytes(StandardCharsets.US_ASCII));
      put(zip, "constants.pkl", CONSTANTS_PKL);
      put(zip, "data.pkl", dataPkl());
      put(zip, "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Pickle protocol 2 of the module object: {@code Loss.__new__(Loss)} then {@code
   * __setstate__}-less BUILD with the dict {@code {"training": False}}.
   */
  private static byte[] dataPkl() {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80); // PROTO
    p.write(0x02);
    p.writeBytes("c__torch__\nLoss\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
    p.write(')'); // EMPTY_TUPLE
    p.write(0x81); // NEWOBJ
    p.write('}'); // EMPTY_DICT
    p.write('('); // MARK
    byte[] key = "training".getBytes(StandardCharsets.UTF_8);
    p.write('X'); // BINUNICODE, 4-byte little-endian length
    p.write(key.length);
    p.write(0);
    p.write(0);
    p.write(0);
    p.writeBytes(key);
    p.write(0x89); // NEWFALSE
    p.write('u'); // SETITEMS
    p.write('b'); // BUILD
    p.write('.'); // STOP
    return p.toByteArray();
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(ROOT + name);
    e.setMethod(ZipEntry.STORED); // torch reads entries in place and wants them uncompressed
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    e.setTimeLocal(ENTRY_TIME); // fixed, so the bytes depend on the source alone
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }
}
