package dev.lossconformance.java;

import dev.lossconformance.check.Apis;
import dev.lossconformance.impl.LossCall;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.tensor.Tensor;
import java.util.Map;

/**
 * This project's own kernels ({@code dev.lossconformance.loss}) as the implementation {@code java}:
 * every api of {@link Apis}, with each framework's semantics. It decides what it cannot run while
 * running ({@link dev.lossconformance.impl.UnsupportedCallException}), as the adapter reads params.
 */
public final class JavaImplementation implements LossImplementation {
  /** The name {@code check --impl} takes, and the default. */
  public static final String NAME = "java";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "this project's kernels (dev.lossconformance.loss), PyTorch 2.7 and TensorFlow 2.16 / Keras 3 semantics, "
        + Apis.supported().size() + " apis";
  }

  @Override
  public Map<String, Tensor> run(LossCall call) {
    return Apis.evaluate(call.api(), call.params(), call.inputs());
  }
}
