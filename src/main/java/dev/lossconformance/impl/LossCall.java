package dev.lossconformance.impl;

import dev.lossconformance.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One call of a framework loss API, as an implementation under test receives it: the api, its
 * non-tensor arguments and its tensor inputs, and nothing of the expected outputs.
 *
 * @param api the framework call, e.g. {@code torch.nn.functional.cross_entropy} or {@code
 *     keras.losses.SparseCategoricalCrossentropy} (fixtures/README.md lists the apis)
 * @param params the non-tensor arguments under the framework's names, in the fixture's order: {@code
 *     String}, {@code Long}, {@code Double}, {@code Boolean} or {@code null} values; an argument absent
 *     here takes the framework's default
 * @param inputs the tensor arguments under the framework's names ({@code input}, {@code target},
 *     {@code weight}, {@code y_true}, ...); the gate passes copies, and reports an implementation
 *     that writes into them
 */
public record LossCall(String api, Map<String, Object> params, Map<String, Tensor> inputs) {
  public LossCall {
    Objects.requireNonNull(api, "api");
    // LinkedHashMap, not Map.copyOf: a param may be null (the framework's None) and order is kept
    params = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(params, "params")));
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(inputs, "inputs")));
  }
}
