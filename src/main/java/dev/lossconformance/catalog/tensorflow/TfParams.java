package dev.lossconformance.catalog.tensorflow;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TensorFlow counterparts, job 1 of 4: the params. Keras' and tf.nn's names and values for a PyTorch
 * call's params (reductions, from_logits, ...). Reductions pair {@code mean} with Keras'
 * {@code sum_over_batch_size}, {@code sum} with {@code sum} and {@code none} with {@code none}; they
 * are not the same computation (SEMANTICS.md §1.2, T-3, T-13, T-14), which is what the pairing shows.
 */
final class TfParams {
  private TfParams() {}

  /** The PyTorch call's param {@code name}, {@code api}'s default when the call does not give it. */
  static Object torch(Call t, Api api, String name) {
    return t.params().getOrDefault(name, api.defaultOf(name));
  }

  /** Keras' name for a PyTorch reduction. */
  static String kerasReduction(Object torchReduction) {
    String r = torchReduction == null ? TorchApis.REDUCTION.defaultValue().toString() : torchReduction.toString();
    return switch (r) {
      case "mean" -> "sum_over_batch_size";
      case "sum" -> "sum";
      case "none" -> "none";
      default -> r;
    };
  }

  /** {@code name, value, ...} as an ordered param map; Integers become Longs. */
  static Map<String, Object> params(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1] instanceof Integer n ? Long.valueOf(n) : kv[i + 1]);
    }
    return m;
  }

  /** Keras' reduction for a torch reduction, batchmean included (its nearest is sum_over_batch_size). */
  static String kerasReductionOrBatchmean(Call t) {
    Object r = t.params().get("reduction");
    return "batchmean".equals(r) ? "sum_over_batch_size" : kerasReduction(r);
  }
}
