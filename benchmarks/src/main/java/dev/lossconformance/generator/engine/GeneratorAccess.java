package dev.lossconformance.generator.engine;

import dev.lossconformance.generator.runtime.TorchScriptArchive;

/**
 * The one package-private piece of the generator that the benchmarks reuse, made callable from
 * {@code dev.lossconformance.benchmarks}: the in-memory TorchScript archive writer (see
 * /work/shared/ENGINES.md). This class lives in the benchmarks module but in the generator's
 * package, which the plain classpath allows (neither jar is a named module), so the proven recipe is
 * used as is instead of being copied.
 */
public final class GeneratorAccess {
  private GeneratorAccess() {}

  /**
   * The bytes of a TorchScript archive whose module is {@code class Loss(Module)} with the given
   * source, ready for DJL's {@code Model.load(InputStream)}.
   */
  public static byte[] torchScriptArchive(String source) {
    return TorchScriptArchive.of(source);
  }
}
