package dev.lossconformance.catalog.tensorflow;

import dev.lossconformance.api.KerasApis;
import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How TensorFlow / Keras express each PyTorch call of the catalog: which TF api, with the params
 * ({@link TfParams}), tensors ({@link TfInputs}) and expected error ({@link TfExpectedErrors}) it
 * takes, or why TF cannot express it; {@link TfDivergences} says why a pairing is expected to
 * disagree. Declared once per op, applied to every case of the op; a case may name its own
 * counterpart instead. The api names and their defaults are in {@link KerasApis} and
 * {@link TfNnApis}.
 */
public final class TensorFlowCounterparts {
  private static final String SCCE = KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY_NAME;
  private static final String CCE = KerasApis.CATEGORICAL_CROSSENTROPY_NAME;
  private static final String BCE = KerasApis.BINARY_CROSSENTROPY_NAME;
  private static final String KLD = KerasApis.KL_DIVERGENCE_NAME;
  private static final String POISSON = KerasApis.POISSON_NAME;
  private static final String COSINE = KerasApis.COSINE_SIMILARITY_NAME;
  private static final String HINGE = KerasApis.HINGE_NAME;
  private static final String MAE = KerasApis.MEAN_ABSOLUTE_ERROR_NAME;
  private static final String SOFTMAX_XENT = TfNnApis.SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String SPARSE_SOFTMAX_XENT = TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String SIGMOID_XENT = TfNnApis.SIGMOID_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String WEIGHTED_XENT = TfNnApis.WEIGHTED_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String LOG_POISSON = TfNnApis.LOG_POISSON_LOSS_NAME;
  private static final String CTC = TfNnApis.CTC_LOSS_NAME;

  private TensorFlowCounterparts() {}

  /** {@code torch.nn.functional.cross_entropy} → Keras SCCE (indices) or CCE (probabilities). */
  public static Call crossEntropy(Call t) {
    Tensor x = t.input("input");
    Tensor y = t.input("target");
    double eps = ((Number) TfParams.torch(t, TorchApis.CROSS_ENTROPY, "label_smoothing")).doubleValue();
    long ignore = ((Number) TfParams.torch(t, TorchApis.CROSS_ENTROPY, "ignore_index")).longValue();
    String reduction = TfParams.kerasReduction(t.params().get("reduction"));
    boolean probabilities = Arrays.equals(x.shape(), y.shape());
    if (t.inputs().containsKey("weight")) {
      return Call.unsupported(probabilities ? CCE : SCCE, TfParams.params("reduction", reduction), TfInputs.inputs("y_true", y, "y_pred", x),
          "Keras cross-entropy has no class weights (sample_weight weighs samples, see T-3)");
    }
    if (probabilities) {
      if (ignore >= 0) {
        return Call.unsupported(CCE, TfParams.params("reduction", reduction), TfInputs.inputs("y_true", y, "y_pred", x),
            "Keras CategoricalCrossentropy has no ignore index");
      }
      // classes on dim 1: Keras takes axis=1 for K-dim input; (C) and (N, C) use the last axis
      long axis = x.rank() > 2 ? 1 : -1;
      return new Call(CCE, TfParams.params("from_logits", true, "label_smoothing", eps, "axis", axis, "reduction", reduction),
          TfInputs.inputs("y_true", y, "y_pred", x), null, null);
    }
    if (x.rank() > 2) {
      return Call.unsupported(SCCE, TfParams.params("from_logits", true, "reduction", reduction), TfInputs.inputs("y_true", y, "y_pred", x),
          "Keras 3.3.3 SparseCategoricalCrossentropy has no axis argument and its TF backend takes classes on the last axis only");
    }
    String error = TfExpectedErrors.outOfRange(y, ignore, x.size(-1)) ? TfExpectedErrors.LABEL_RANGE_ERROR : null;
    if (eps > 0) {
      if (TfInputs.containsValue(y, ignore)) {
        return Call.unsupported(CCE, TfParams.params("from_logits", true, "label_smoothing", eps, "reduction", reduction),
            TfInputs.inputs("y_true", y, "y_pred", x), "label smoothing needs Keras CategoricalCrossentropy, which has no ignore index");
      }
      if (eps > 1 || error != null) {
        return Call.unsupported(CCE, TfParams.params("from_logits", true, "label_smoothing", eps, "reduction", reduction),
            TfInputs.inputs("y_true", y, "y_pred", x), "PyTorch raises; one-hot targets for Keras cannot be formed");
      }
      // smoothing needs one-hot targets in Keras: CCE(label_smoothing) on onehot(target) is the counterpart (T-21)
      return new Call(CCE, TfParams.params("from_logits", true, "label_smoothing", eps, "axis", -1L, "reduction", reduction),
          TfInputs.inputs("y_true", TfInputs.oneHot(y, x.size(-1), x.dtype()), "y_pred", x), null, null);
    }
    Object ignoreClass = TfInputs.containsValue(y, ignore) ? (Object) ignore : null;
    String shapeError = TfExpectedErrors.sparseShapeError(y, x, ignoreClass != null);
    if (shapeError != null) {
      error = shapeError; // Keras raises a ValueError on the shapes (before the kernel's label check)
    }
    return new Call(SCCE, TfParams.params("from_logits", true, "ignore_class", ignoreClass, "reduction", reduction),
        TfInputs.inputs("y_true", y, "y_pred", x), error, null);
  }

  /** The same PyTorch call paired with the raw-op wrappers of tf.nn instead of Keras (reduction none). */
  public static Call tfnnSoftmax(Call t) {
    Tensor x = t.input("input");
    Tensor y = t.input("target");
    if (Arrays.equals(x.shape(), y.shape())) {
      return new Call(SOFTMAX_XENT, TfParams.params("axis", x.rank() > 2 ? 1L : -1L), TfInputs.inputs("labels", y, "logits", x), null, null);
    }
    // no ignore index in tf.nn: an ignored (negative) target is just out of range there
    return new Call(SPARSE_SOFTMAX_XENT, TfParams.params(), TfInputs.inputs("labels", y, "logits", x),
        TfExpectedErrors.outOfRange(y, Long.MIN_VALUE, x.size(-1)) ? TfExpectedErrors.LABEL_RANGE_ERROR : null, null);
  }

  /** {@code nll_loss}: Keras has no loss on log-probabilities; T-11 pairs nll_loss(log p) with SCCE(p). */
  public static Call nllLoss(Call t) {
    return Call.unsupported(SCCE, TfParams.params("from_logits", false, "reduction", TfParams.kerasReduction(t.params().get("reduction"))),
        TfInputs.inputs("y_true", t.input("target"), "y_pred", t.input("input")),
        "Keras has no loss on log-probabilities; the cross_entropy/probs_input cases pair nll_loss(log p) with SparseCategoricalCrossentropy(p) (T-11)");
  }

  /** {@code binary_cross_entropy} → Keras BinaryCrossentropy on probabilities. */
  public static Call binaryCrossEntropy(Call t) {
    String reduction = TfParams.kerasReduction(t.params().get("reduction"));
    Map<String, Tensor> in = TfInputs.inputs("y_true", t.input("target"), "y_pred", t.input("input"));
    if (t.inputs().containsKey("weight")) {
      return Call.unsupported(BCE, TfParams.params("from_logits", false, "reduction", reduction), in,
          "Keras BinaryCrossentropy has no element weights; sample_weight weighs per-sample losses after the last-axis mean");
    }
    return new Call(BCE, TfParams.params("from_logits", false, "label_smoothing", 0.0, "axis", -1L, "reduction", reduction), in,
        TfExpectedErrors.bceError(t), null);
  }

  /** {@code binary_cross_entropy_with_logits} → Keras BinaryCrossentropy(from_logits) or, with pos_weight, tf.nn. */
  public static Call binaryCrossEntropyWithLogits(Call t) {
    String reduction = TfParams.kerasReduction(t.params().get("reduction"));
    Map<String, Tensor> in = TfInputs.inputs("y_true", t.input("target"), "y_pred", t.input("input"));
    if (t.inputs().containsKey("weight")) {
      return Call.unsupported(BCE, TfParams.params("from_logits", true, "reduction", reduction), in,
          "Keras BinaryCrossentropy has no element weights; sample_weight weighs per-sample losses after the last-axis mean");
    }
    if (t.inputs().containsKey("pos_weight")) {
      Map<String, Tensor> nn = TfInputs.inputs("labels", t.input("target"), "logits", t.input("input"), "pos_weight", t.input("pos_weight"));
      if (!"none".equals(reduction)) {
        return Call.unsupported(WEIGHTED_XENT, TfParams.params(), nn,
            "pos_weight exists only in tf.nn.weighted_cross_entropy_with_logits, which does not reduce");
      }
      return new Call(WEIGHTED_XENT, TfParams.params(), nn, null, null);
    }
    return new Call(BCE, TfParams.params("from_logits", true, "label_smoothing", 0.0, "axis", -1L, "reduction", reduction), in,
        TfExpectedErrors.bceError(t), null);
  }

  /** {@code binary_cross_entropy_with_logits(reduction="none")} → tf.nn.sigmoid_cross_entropy_with_logits. */
  public static Call tfnnSigmoid(Call t) {
    return new Call(SIGMOID_XENT, TfParams.params(), TfInputs.inputs("labels", t.input("target"), "logits", t.input("input")), null, null);
  }

  /**
   * PyTorch {@code nll_loss(input = log p)} or {@code cross_entropy(input = log p, target = t)} → Keras
   * on the probabilities themselves, {@code y_pred = exp(input)} rounded to the dtype (T-11).
   */
  public static Call kerasOnProbabilities(Call t) {
    Tensor logp = t.input("input");
    Tensor y = t.input("target");
    double[] p = logp.toDoubleArray();
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(p[i]);
    }
    Tensor probs = Tensor.ofFloating(logp.dtype(), p, logp.shape());
    String reduction = TfParams.kerasReduction(t.params().get("reduction"));
    if (Arrays.equals(logp.shape(), y.shape())) {
      return new Call(CCE, TfParams.params("from_logits", false, "label_smoothing", 0.0, "axis", -1L, "reduction", reduction),
          TfInputs.inputs("y_true", y, "y_pred", probs), null, null);
    }
    return new Call(SCCE, TfParams.params("from_logits", false, "ignore_class", null, "reduction", reduction),
        TfInputs.inputs("y_true", y, "y_pred", probs), null, null);
  }

  /** A Keras call on the same tensors as {@code t} plus {@code sample_weight}: for the T-3 and T-21 pairs. */
  public static Call withSampleWeight(Call keras, Tensor sampleWeight) {
    Map<String, Tensor> in = new LinkedHashMap<>(keras.inputs());
    in.put("sample_weight", sampleWeight);
    Map<String, Object> p = new LinkedHashMap<>(keras.params());
    return new Call(keras.api(), p, in, keras.expectError(), keras.unsupported());
  }

  /** A Keras call from explicit params and inputs (names as Keras spells them). */
  public static Call keras(String api, Map<String, Object> params, Map<String, Tensor> inputs) {
    return new Call(api, params, inputs, null, null);
  }

  /** {@code name, value, ...} as an ordered param map; Integers become Longs. */
  public static Map<String, Object> paramsOf(Object... kv) {
    return TfParams.params(kv);
  }

  /** A call TF cannot express at all, under the nearest name, with the reason. */
  public static Call none(Call t, String api, String reason) {
    return Call.unsupported(api, TfParams.params(), t.inputs(), reason);
  }

  /** {@code kl_div(input = log p, target)} → Keras KLDivergence on probabilities (T-6). */
  public static Call klDiv(Call t) {
    Tensor logp = t.input("input");
    Tensor y = t.input("target");
    boolean logTarget = Boolean.TRUE.equals(TfParams.torch(t, TorchApis.KL_DIV, "log_target"));
    String r = TfParams.kerasReductionOrBatchmean(t);
    Map<String, Tensor> in = TfInputs.inputs("y_true", logTarget ? TfInputs.map(y, Math::exp) : y, "y_pred", TfInputs.map(logp, Math::exp));
    if (!java.util.Set.of("none", "mean", "sum", "batchmean").contains(String.valueOf(t.params().get("reduction")))) {
      return Call.unsupported(KLD, TfParams.params("reduction", r), in, "PyTorch raises on the reduction; Keras has no such reduction either");
    }
    return new Call(KLD, TfParams.params("reduction", r), in, TfExpectedErrors.lastAxisError(in.get("y_true"), in.get("y_pred")), null);
  }

  /** {@code poisson_nll_loss} → Keras Poisson on the rate, or tf.nn.log_poisson_loss for the full loss. */
  public static Call poissonNll(Call t) {
    Tensor x = t.input("input");
    Tensor y = t.input("target");
    boolean logInput = !Boolean.FALSE.equals(TfParams.torch(t, TorchApis.POISSON_NLL_LOSS, "log_input"));
    boolean full = Boolean.TRUE.equals(TfParams.torch(t, TorchApis.POISSON_NLL_LOSS, "full"));
    String r = TfParams.kerasReduction(t.params().get("reduction"));
    if (full) {
      Map<String, Tensor> nn = TfInputs.inputs("targets", y, "log_input", x);
      if (!logInput || !"none".equals(r)) {
        return Call.unsupported(LOG_POISSON, TfParams.params("compute_full_loss", true), nn,
            "the Stirling term exists only in tf.nn.log_poisson_loss, which takes a log-rate and does not reduce");
      }
      return new Call(LOG_POISSON, TfParams.params("compute_full_loss", true), nn, null, null);
    }
    double eps = ((Number) TfParams.torch(t, TorchApis.POISSON_NLL_LOSS, "eps")).doubleValue();
    Map<String, Tensor> in = TfInputs.inputs("y_true", y, "y_pred", logInput ? TfInputs.map(x, Math::exp) : x);
    if (eps != TorchApis.POISSON_NLL_LOSS.realDefault("eps")) {
      return Call.unsupported(POISSON, TfParams.params("reduction", r), in, "Keras Poisson has a fixed epsilon (1e-7)");
    }
    return new Call(POISSON, TfParams.params("reduction", r), in, null, null);
  }

  /** {@code hinge_embedding_loss} → Keras Hinge, a different loss under a similar name (T-10). */
  public static Call hinge(Call t) {
    return new Call(HINGE, TfParams.params("reduction", TfParams.kerasReduction(t.params().get("reduction"))),
        TfInputs.inputs("y_true", t.input("target"), "y_pred", t.input("input")), null, null);
  }

  /** {@code cosine_embedding_loss} with every target 1 → Keras CosineSimilarity, which is -cos (T-9). */
  public static Call cosine(Call t) {
    Tensor y = t.input("target");
    String r = TfParams.kerasReduction(t.params().get("reduction"));
    Map<String, Tensor> in = TfInputs.inputs("y_true", t.input("input1"), "y_pred", t.input("input2"));
    boolean allPositive = true;
    for (int i = 0; i < y.numel(); i++) {
      allPositive &= y.getLong(i) == 1;
    }
    if (!allPositive || y.rank() > 1) {
      return Call.unsupported(COSINE, TfParams.params("axis", -1L, "reduction", r), in,
          "Keras CosineSimilarity has no target or margin: it is -cos for every pair");
    }
    return new Call(COSINE, TfParams.params("axis", -1L, "reduction", r), in, null, null);
  }

  /** {@code l1_loss} → Keras MeanAbsoluteError. */
  public static Call l1(Call t) {
    Tensor x = t.input("input");
    Tensor y = t.input("target");
    String error = TfExpectedErrors.lastAxisError(y, x);
    return new Call(MAE, TfParams.params("reduction", TfParams.kerasReduction(t.params().get("reduction"))),
        TfInputs.inputs("y_true", y, "y_pred", x), error, null);
  }

  /**
   * {@code torch.nn.functional.ctc_loss} → {@code tf.nn.ctc_loss} on its sparse-label path (ctc_ops.py
   * {@code ctc_loss_v3} with a SparseTensor, blank_index given): the same numbers as its logits
   * (time-major, so no transpose), the targets as padded {@code (N, S)} labels with {@code label_length}
   * (concatenated targets padded with 0), {@code logit_length = input_lengths}. The generator and
   * the Java kernel turn the padded labels into the SparseTensor that
   * {@code ctc_ops.dense_labels_to_sparse(labels, label_length)} gives. TF does not reduce: every
   * reduction pairs with the per-sample vector (T-12). Unbatched {@code (T, C)} log_probs and 0-d
   * lengths are passed as they are (labels and lengths as one row), which TF refuses.
   */
  public static Call ctcLoss(Call t) {
    Tensor logProbs = t.input("log_probs");
    Tensor targets = t.input("targets");
    Tensor inputLengths = t.input("input_lengths");
    Tensor targetLengths = t.input("target_lengths");
    long blank = ((Number) TfParams.torch(t, TorchApis.CTC_LOSS, "blank")).longValue();
    Tensor labelLength = targetLengths.rank() == 0 ? targetLengths.reshape(1) : targetLengths;
    Tensor logitLength = inputLengths.rank() == 0 ? inputLengths.reshape(1) : inputLengths;
    Tensor labels = targets.rank() == 2 ? targets : TfInputs.padConcatenated(targets, labelLength);
    return new Call(CTC, TfParams.params("blank_index", blank, "logits_time_major", true),
        TfInputs.inputs("labels", labels, "logits", logProbs, "label_length", labelLength, "logit_length", logitLength),
        TfExpectedErrors.ctcError(logProbs, labels, labelLength, logitLength, blank), null);
  }
}
