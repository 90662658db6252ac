package dev.lossconformance.loss;

import dev.lossconformance.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loss value and the gradients of {@code loss.sum()} with respect to each differentiable input, by
 * the fixture's output name ({@code grad_input}, {@code grad_target}, {@code grad_var}, ...).
 */
public record LossAndGrads(Tensor loss, Map<String, Tensor> grads) {
  public LossAndGrads {
    grads = Collections.unmodifiableMap(new LinkedHashMap<>(grads));
  }
}
