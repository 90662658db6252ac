package dev.lossconformance.impl;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.tensor.Tensor;
import java.util.Map;

/**
 * A loss implementation under test: anything that computes framework loss calls in Java. The gate
 * ({@code check --impl NAME}) and the TCK ({@code dev.lossconformance.tck.ConformanceSuite}) run each
 * fixture case's call through {@link #run} and judge what it returns against the engine's golden.
 *
 * <p>Found with {@link java.util.ServiceLoader}: a jar that provides one lists its class in {@code
 * META-INF/services/dev.lossconformance.impl.LossImplementation}. This project's own kernels are the
 * implementation {@code java} ({@code dev.lossconformance.java.JavaImplementation}).
 *
 * <p>How {@link #run}'s result is judged (README, "Test your own implementation"):
 *
 * <ul>
 *   <li>every output the golden has ({@code loss}, {@code grad_input}, ...) is compared element by
 *       element under the gate's tolerances; an output the implementation does not return makes the
 *       case unsupported if every other output matched, and is named either way; outputs the golden
 *       does not have are ignored;
 *   <li>where the engine raised, the implementation must throw an {@link
 *       dev.lossconformance.loss.LossArgumentException} of the same {@link
 *       dev.lossconformance.loss.ErrorKind} (index out of range, shape mismatch, ...); any other
 *       exception, or returning outputs, fails the case;
 *   <li>{@link UnsupportedCallException} thrown from {@code run} makes the case unsupported, like
 *       {@link #unsupported}; anything else thrown where the engine returned fails the case.
 * </ul>
 */
public interface LossImplementation {

  /** Short stable name used by {@code check --impl} and in reports: {@code java}, {@code djl-0.36}. */
  String name();

  /** One line for {@code check --list-impls}: what this is (library, version, engine). */
  default String description() {
    return getClass().getName();
  }

  /**
   * Why this implementation cannot run {@code c} ({@code null}: it can). The case is then counted as
   * unsupported with this reason; reports count cases per reason, so keep reasons few and general
   * ("api keras.losses.Poisson is not implemented", "class weights are not supported").
   *
   * <p>The case is passed whole so that the decision may look at params, dtypes and shapes; an
   * implementation must not look at its outputs (the gate does not stop it: the TCK is for honest
   * implementations, not a sandbox).
   */
  default String unsupported(FixtureCase c) {
    return null;
  }

  /**
   * Computes one call: the outputs under the fixture's names ({@code loss}, and the gradient of
   * {@code loss.sum()} with respect to each differentiable input as {@code grad_<input>}), each with the
   * framework's shape and dtype.
   *
   * @throws dev.lossconformance.loss.LossArgumentException where the call is rejected, with its kind
   * @throws UnsupportedCallException where the call needs something the implementation does not have
   * @throws Exception anything else: the case fails with it
   */
  Map<String, Tensor> run(LossCall call) throws Exception;
}
