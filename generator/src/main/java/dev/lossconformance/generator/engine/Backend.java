package dev.lossconformance.generator.engine;

import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.Tensor;
import java.util.Map;

/** One framework that turns catalog cases into golden outputs by running its real kernels. */
public interface Backend extends AutoCloseable {

  /** The engine's name as used in paths and reports: {@code torch}, {@code tensorflow}. */
  String engine();

  /**
   * The fixture file's {@code source} line: engine and version, DJL version, generator name. It holds
   * no timestamp and no commit, so an unchanged regeneration writes identical bytes.
   */
  String source();

  /** What of {@code op}'s APIs is the engine's own kernel and what is reproduced around it; may be null. */
  default String provenance(String op) {
    return null;
  }

  /** Runs one call; never throws for an engine error, which becomes {@link Result#error}. */
  Result run(Call c);

  @Override
  void close();

  /** What an engine made of a case: outputs, an engine error, or why it cannot express the case. */
  record Result(Map<String, Tensor> outputs, String error, String unsupported) {
    public static Result ok(Map<String, Tensor> outputs) {
      return new Result(outputs, null, null);
    }

    /** {@code error} is {@code "<ExceptionType>: <message>"} with engine-specific noise removed. */
    public static Result error(String error) {
      return new Result(null, error, null);
    }

    public static Result unsupported(String reason) {
      return new Result(null, null, reason);
    }
  }
}
