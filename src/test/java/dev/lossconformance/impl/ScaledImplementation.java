package dev.lossconformance.impl;

import dev.lossconformance.java.JavaImplementation;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A wrong implementation for the tests, on the test class path as {@code test-scaled}: this project's
 * kernels with every floating {@code loss} element multiplied by 1.001 (0.1% off), gradients left right.
 * The gate must fail every case where the golden has a non-zero finite loss.
 */
public final class ScaledImplementation implements LossImplementation {
  static final double FACTOR = 1.001;

  private final LossImplementation java = new JavaImplementation();

  @Override
  public String name() {
    return "test-scaled";
  }

  @Override
  public String description() {
    return "test only: the java kernels with the loss 0.1% too large";
  }

  @Override
  public Map<String, Tensor> run(LossCall call) throws Exception {
    Map<String, Tensor> out = new LinkedHashMap<>(java.run(call));
    Tensor loss = out.get("loss");
    if (loss != null && loss.dtype().isFloating()) {
      double[] v = loss.toDoubleArray();
      for (int i = 0; i < v.length; i++) {
        v[i] *= FACTOR;
      }
      out.put("loss", Tensor.ofFloating(loss.dtype(), v, loss.shape()));
    }
    return out;
  }
}
