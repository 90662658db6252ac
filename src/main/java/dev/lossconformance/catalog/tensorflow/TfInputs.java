package dev.lossconformance.catalog.tensorflow;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TensorFlow counterparts, job 2 of 4: the tensors. A PyTorch call's tensors as TF takes them
 * ({@code y_true}/{@code y_pred}, {@code labels}/{@code logits}): one-hot targets, probabilities from
 * log-probabilities, CTC's padded labels; the same numbers, rounded to their dtype.
 */
public final class TfInputs {
  private TfInputs() {}

  /** {@code name, tensor, ...} as an ordered input map; a null tensor is left out. */
  static Map<String, Tensor> inputs(Object... kv) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        m.put((String) kv[i], (Tensor) kv[i + 1]);
      }
    }
    return m;
  }

  /** A copy of {@code t} with every element through {@code f}, rounded to its dtype. */
  static Tensor map(Tensor t, java.util.function.DoubleUnaryOperator f) {
    double[] v = t.toDoubleArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = f.applyAsDouble(v[i]);
    }
    return Tensor.ofFloating(t.dtype(), v, t.shape());
  }

  /** Concatenated targets as rows padded with 0 to the longest length. */
  static Tensor padConcatenated(Tensor targets, Tensor lengths) {
    int n = lengths.numel();
    int s = 0;
    for (int b = 0; b < n; b++) {
      s = Math.max(s, (int) lengths.getLong(b));
    }
    long[] v = new long[n * s];
    for (int b = 0, at = 0; b < n; b++) {
      int len = (int) lengths.getLong(b);
      for (int i = 0; i < len && at < targets.numel(); i++) {
        v[b * s + i] = targets.getLong(at++);
      }
    }
    return Tensor.ofLongs(v, n, s);
  }

  /** True when some element of {@code t} is {@code v}. */
  static boolean containsValue(Tensor t, long v) {
    for (int i = 0; i < t.numel(); i++) {
      if (t.getLong(i) == v) {
        return true;
      }
    }
    return false;
  }

  /** One-hot rows of the class indices, classes last, in {@code dtype}. */
  public static Tensor oneHot(Tensor labels, int classes, DType dtype) {
    int n = labels.numel();
    double[] v = new double[n * classes];
    for (int i = 0; i < n; i++) {
      v[i * classes + (int) labels.getLong(i)] = 1;
    }
    int[] shape = Arrays.copyOf(labels.shape(), labels.rank() + 1);
    shape[labels.rank()] = classes;
    return Tensor.ofFloating(dtype, v, shape);
  }
}
