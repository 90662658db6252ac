package dev.lossconformance.check;

import dev.lossconformance.api.ApiIndex;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.loss.keras.BinaryCrossentropy;
import dev.lossconformance.loss.keras.CategoricalCrossentropy;
import dev.lossconformance.loss.keras.KerasRegression;
import dev.lossconformance.loss.keras.SparseCategoricalCrossentropy;
import dev.lossconformance.loss.torch.BinaryCrossEntropy;
import dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits;
import dev.lossconformance.loss.torch.CosineEmbeddingLoss;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.NllLoss;
import dev.lossconformance.loss.torch.OtherLosses;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Derived cases for libraries that only return a mean: a {@code reduction="none"} golden of an
 * element-wise or row-wise loss becomes one mean case per element (or row), with the same loss and
 * the same gradient, so a mean-only implementation is still checked element by element.
 *
 * <p>Why the derived goldens are exact (no new rounding): the engine's {@code none} output element
 * {@code l_i} and its gradient {@code dl_i/dx_i} (the fixtures store the gradient of {@code
 * loss.sum()}, and {@code l_i} depends on element/row {@code i} only) are what the same call on that
 * element/row alone returns with the mean reduction, because a mean over one element is {@code l_i / 1}
 * and a sum of one term is the term, both exact in IEEE arithmetic, and the gradient is scaled by
 * {@code 1/1}. That holds where the mean divides by the element count:
 *
 * <ul>
 *   <li>PyTorch element-wise losses ({@code l1_loss}, {@code binary_cross_entropy} (its {@code
 *       weight} multiplies each element), {@code binary_cross_entropy_with_logits}, {@code kl_div},
 *       {@code poisson_nll_loss}, {@code gaussian_nll_loss}, {@code hinge_embedding_loss}) when every
 *       tensor input has the output's shape (a broadcast input is not split);
 *   <li>PyTorch row-wise losses: {@code cross_entropy} and {@code nll_loss} without class weights
 *       (their weighted mean divides by the row's class weight, which is not exact) and not on an
 *       ignored target (a mean over no row is 0/0), for {@code [N, C]} and unbatched {@code [C]}
 *       inputs, each row becoming an {@code [1, C]} call (not for K-dim inputs: the engine reduces the
 *       class axis of {@code [N, C, d...]} with a strided kernel and a lone row with the contiguous
 *       one, which may round differently); {@code cosine_embedding_loss} per row;
 *   <li>Keras losses with one loss per sample ({@code none} output of shape {@code [N]}):
 *       {@code sum_over_batch_size} of one sample is that sample's (weighted) loss; except the rows of
 *       {@code Hinge} whose labels alone would be converted from {0, 1} to {-1, 1} differently from the
 *       whole batch's (Keras converts only when every label of the call is 0 or 1).
 * </ul>
 *
 * <p>Not derived: CTC ({@code mean} divides by the target length), tf.nn (no reduction), engine
 * errors and cases the engine cannot express. A derived case's id is the case's id followed by {@code
 * /derived_mean[i,j]}, the element's index in the {@code none} output.
 */
public final class DerivedCases {
  private DerivedCases() {}

  private static final Set<String> TORCH_ELEMENTWISE = Set.of(OtherLosses.L1, BinaryCrossEntropy.API,
      BinaryCrossEntropyWithLogits.API, OtherLosses.KL_DIV, OtherLosses.POISSON_NLL, OtherLosses.GAUSSIAN_NLL,
      OtherLosses.HINGE_EMBEDDING);
  private static final Set<String> TORCH_CLASS_ROWS = Set.of(CrossEntropy.API, NllLoss.API);
  private static final Set<String> KERAS_SAMPLES = Set.of(SparseCategoricalCrossentropy.API,
      CategoricalCrossentropy.API, BinaryCrossentropy.API, KerasRegression.KLD, KerasRegression.POISSON,
      KerasRegression.HINGE, KerasRegression.MAE, KerasRegression.COSINE);

  /** The derived mean cases of every case in {@code cases}, in order (most cases derive none). */
  public static List<FixtureCase> of(List<FixtureCase> cases) {
    List<FixtureCase> out = new ArrayList<>();
    for (FixtureCase c : cases) {
      out.addAll(of(c));
    }
    return out;
  }

  /** The derived mean cases of {@code c}: empty unless it is a {@code none} golden of a loss listed above. */
  public static List<FixtureCase> of(FixtureCase c) {
    if (c.expectsError() || c.unsupported() != null || !"none".equals(c.params().get("reduction"))) {
      return List.of();
    }
    Tensor loss = c.outputs().get("loss");
    if (loss == null) {
      return List.of();
    }
    String api = c.api();
    if (TORCH_ELEMENTWISE.contains(api)) {
      return elementwise(c, loss, "mean");
    }
    if (TORCH_CLASS_ROWS.contains(api)) {
      return classRows(c, loss);
    }
    if (api.equals(CosineEmbeddingLoss.API) || KERAS_SAMPLES.contains(api)) {
      return firstAxisRows(c, loss, api.equals(CosineEmbeddingLoss.API) ? "mean" : "sum_over_batch_size");
    }
    return List.of();
  }

  /** Every tensor has the output's shape; element i of each becomes a [1] tensor. */
  private static List<FixtureCase> elementwise(FixtureCase c, Tensor loss, String mean) {
    for (Tensor t : c.inputs().values()) {
      if (!Arrays.equals(t.shape(), loss.shape())) {
        return List.of();
      }
    }
    for (Map.Entry<String, Tensor> o : c.outputs().entrySet()) {
      if (!Arrays.equals(o.getValue().shape(), loss.shape())) {
        return List.of();
      }
    }
    List<FixtureCase> out = new ArrayList<>();
    for (int i = 0; i < loss.numel(); i++) {
      int[] at = {i};
      Map<String, Tensor> inputs = new LinkedHashMap<>();
      c.inputs().forEach((k, t) -> inputs.put(k, gather(t, at, 1)));
      out.add(derived(c, i, loss, inputs, at, 1, mean));
    }
    return out;
  }

  /**
   * {@code cross_entropy} / {@code nll_loss}: input {@code [N, C, d...]} (or {@code [C]}), target
   * {@code [N, d...]} of class indices or probabilities of the input's shape; each output element is
   * the row {@code input[n, :, d...]} as {@code [1, C]}.
   */
  private static List<FixtureCase> classRows(FixtureCase c, Tensor loss) {
    Tensor input = c.inputs().get("input");
    Tensor target = c.inputs().get("target");
    if (input == null || target == null || c.inputs().size() != 2 || input.rank() < 1 || input.rank() > 2) {
      // class weights (or an unknown input): the weighted mean is not exact; K-dim inputs: the engine
      // reduces the class axis of [N, C, d...] through a strided kernel, a lone [1, C] row through the
      // contiguous one, which may round differently
      return List.of();
    }
    int classes = input.size(input.rank() - 1);
    int rows = loss.numel();
    boolean probabilities = target.dtype().isFloating();
    if (probabilities ? !Arrays.equals(target.shape(), input.shape()) : target.numel() != rows) {
      return List.of();
    }
    Object ignore = c.params().get("ignore_index");
    long ignoreIndex = ignore instanceof Long l ? l : ApiIndex.of(c.api()).longDefault("ignore_index");
    List<FixtureCase> out = new ArrayList<>();
    for (int o = 0; o < rows; o++) {
      if (!probabilities && target.getLong(o) == ignoreIndex) {
        continue; // a mean over no row is 0/0, not this row's 0
      }
      int[] row = new int[classes];
      for (int k = 0; k < classes; k++) {
        row[k] = o * classes + k; // [N, C] (or [C], o = 0) is row-major
      }
      Map<String, Tensor> inputs = new LinkedHashMap<>();
      inputs.put("input", gather(input, row, 1, classes));
      inputs.put("target", probabilities ? gather(target, row, 1, classes) : gather(target, new int[] {o}, 1));
      out.add(derivedRows(c, o, loss, inputs, row, classes, "mean"));
    }
    return out;
  }

  /** Row n of every input with leading dimension N (a rank-0 input is kept whole); output [N]. */
  private static List<FixtureCase> firstAxisRows(FixtureCase c, Tensor loss, String mean) {
    if (loss.rank() != 1) {
      return List.of();
    }
    int rows = loss.size(0);
    Object axis = c.params().get("axis");
    if (axis != null && !(axis instanceof Long a && a == -1)) {
      return List.of();
    }
    for (Tensor t : c.inputs().values()) {
      if (t.rank() > 0 && t.size(0) != rows) {
        return List.of();
      }
    }
    for (Map.Entry<String, Tensor> o : c.outputs().entrySet()) {
      if (!o.getKey().equals("loss") && (o.getValue().rank() == 0 || o.getValue().size(0) != rows)) {
        return List.of();
      }
    }
    Tensor yTrue = c.inputs().get("y_true");
    boolean hinge = c.api().equals(KerasRegression.HINGE) && yTrue != null;
    boolean allBinary = hinge && binary(yTrue);
    List<FixtureCase> out = new ArrayList<>();
    for (int n = 0; n < rows; n++) {
      final int row = n;
      if (hinge && yTrue.rank() > 0 && binary(firstAxis(yTrue, row)) != allBinary) {
        // Keras' Hinge maps labels {0, 1} to {-1, 1} only when the WHOLE y_true is binary: a row alone
        // may convert where the batch did not (or the reverse), so its mean is another loss
        continue;
      }
      Map<String, Tensor> inputs = new LinkedHashMap<>();
      c.inputs().forEach((k, t) -> inputs.put(k, t.rank() == 0 ? t : firstAxis(t, row)));
      Map<String, Tensor> outputs = new LinkedHashMap<>();
      c.outputs().forEach((k, t) -> outputs.put(k, k.equals("loss") ? gather(t, new int[] {row}) : firstAxis(t, row)));
      out.add(withOutputs(c, n, loss, inputs, outputs, mean));
    }
    return out;
  }

  private static FixtureCase derived(FixtureCase c, int at, Tensor loss, Map<String, Tensor> inputs, int[] elements,
      int length, String mean) {
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    c.outputs().forEach((k, t) -> outputs.put(k, k.equals("loss") ? gather(t, new int[] {at}) : gather(t, elements, length)));
    return withOutputs(c, at, loss, inputs, outputs, mean);
  }

  private static FixtureCase derivedRows(FixtureCase c, int at, Tensor loss, Map<String, Tensor> inputs, int[] row,
      int classes, String mean) {
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    c.outputs().forEach((k, t) -> outputs.put(k, k.equals("loss") ? gather(t, new int[] {at}) : gather(t, row, 1, classes)));
    return withOutputs(c, at, loss, inputs, outputs, mean);
  }

  private static FixtureCase withOutputs(FixtureCase c, int at, Tensor loss, Map<String, Tensor> inputs,
      Map<String, Tensor> outputs, String mean) {
    Map<String, Object> params = new LinkedHashMap<>(c.params());
    params.put("reduction", mean);
    String index = Tensor.indexString(loss.shape(), at).replace(" ", "");
    return new FixtureCase(c.file(), c.engine(), c.id() + "/derived_mean" + index, c.api(), params, inputs, outputs,
        null, null);
  }

  /** Elements {@code at} of {@code t}, as a tensor of shape {@code shape} (no shape: 0-d). */
  private static Tensor gather(Tensor t, int[] at, int... shape) {
    if (t.dtype().isFloating()) {
      double[] v = new double[at.length];
      for (int i = 0; i < at.length; i++) {
        v[i] = t.getDouble(at[i]);
      }
      return Tensor.ofFloating(t.dtype(), v, shape); // exact: float32 values round to themselves
    }
    long[] v = new long[at.length];
    for (int i = 0; i < at.length; i++) {
      v[i] = t.getLong(at[i]);
    }
    return Tensor.ofLongs(t.dtype(), v, shape);
  }

  /** Whether every element is 0 or 1 (Keras' {@code _maybe_convert_labels} test, losses.py). */
  private static boolean binary(Tensor t) {
    for (int i = 0; i < t.numel(); i++) {
      double v = t.getDouble(i);
      if (v != 0 && v != 1) {
        return false;
      }
    }
    return true;
  }

  /** {@code t[n:n+1]}: row n with the leading dimension kept as 1. */
  private static Tensor firstAxis(Tensor t, int n) {
    int[] shape = t.shape().clone();
    int per = shape[0] == 0 ? 0 : t.numel() / shape[0];
    shape[0] = 1;
    int[] at = new int[per];
    for (int i = 0; i < per; i++) {
      at[i] = n * per + i;
    }
    return gather(t, at, shape);
  }
}
