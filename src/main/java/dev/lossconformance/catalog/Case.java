package dev.lossconformance.catalog;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One conformance case as the catalog declares it: what to call and on which inputs.
 *
 * @param id case id, a path such as {@code cross_entropy/index/weight_ignore_mean/f32}
 * @param op the op family, the fixture file's name ({@code cross_entropy})
 * @param api the framework call, e.g. {@code torch.nn.functional.cross_entropy}
 * @param params every non-tensor argument under the framework's own names, in call order; values are
 *     {@code String}, {@code Long}, {@code Double}, {@code Boolean} or {@code null}
 * @param inputs tensor arguments under the framework's names ({@code input}, {@code target}, ...)
 * @param expectError a key phrase of the error the engine must raise, or {@code null} when the case
 *     must produce outputs
 * @param why one line on the edge the case probes when its name does not say it, else {@code null}
 */
public record Case(
    String id,
    String op,
    String api,
    Map<String, Object> params,
    Map<String, Tensor> inputs,
    String expectError,
    String why) {

  public Case {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(api, "api");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
  }

  /** The tensor argument {@code name}; fails naming the case when it is absent. */
  public Tensor input(String name) {
    Tensor t = inputs.get(name);
    if (t == null) {
      throw new IllegalArgumentException("case " + id + " has no input \"" + name + "\"; it has " + inputs.keySet());
    }
    return t;
  }

  /** The dtype of the {@code input} tensor, which sets the dtype the loss is computed in. */
  public DType dtype() {
    return input(inputs.containsKey("input") ? "input" : inputs.keySet().iterator().next()).dtype();
  }
}
