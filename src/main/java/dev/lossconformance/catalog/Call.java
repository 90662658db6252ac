package dev.lossconformance.catalog;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One framework call of a case: what one engine runs.
 *
 * @param api the framework call, e.g. {@code torch.nn.functional.cross_entropy} or
 *     {@code keras.losses.SparseCategoricalCrossentropy}
 * @param params every non-tensor argument under the framework's own names, in call order; values are
 *     {@code String}, {@code Long}, {@code Double}, {@code Boolean} or {@code null}
 * @param inputs tensor arguments under the framework's names ({@code input}, {@code target},
 *     {@code y_true}, {@code y_pred}, ...)
 * @param expectError a key phrase of the error the engine must raise, or {@code null}
 * @param unsupported why this framework cannot express the case (the engine is then not run), or
 *     {@code null}
 */
public record Call(String api, Map<String, Object> params, Map<String, Tensor> inputs, String expectError,
    String unsupported) {

  public Call {
    Objects.requireNonNull(api, "api");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
  }

  /** The tensor argument {@code name}; fails naming the call when it is absent. */
  public Tensor input(String name) {
    Tensor t = inputs.get(name);
    if (t == null) {
      throw new IllegalArgumentException(api + " has no input \"" + name + "\"; it has " + inputs.keySet());
    }
    return t;
  }

  /** A call of {@code api} this framework cannot run, with the reason. */
  public static Call unsupported(String api, Map<String, Object> params, Map<String, Tensor> inputs, String reason) {
    return new Call(api, params, inputs, null, Objects.requireNonNull(reason, "reason"));
  }

  /** The dtype of the first floating input, which sets the dtype the loss is computed in. */
  public DType dtype() {
    return inputs.values().stream().map(Tensor::dtype).filter(DType::isFloating).findFirst().orElse(DType.FLOAT32);
  }
}
