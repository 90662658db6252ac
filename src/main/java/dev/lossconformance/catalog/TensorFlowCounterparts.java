package dev.lossconformance.catalog;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How TensorFlow / Keras express each PyTorch call of the catalog: the same numbers under TF's names,
 * params and layout, or why TF cannot express it. Declared once per op, applied to every case of the
 * op; a case may name its own counterpart instead.
 *
 * <p>Reductions pair {@code mean} with Keras' {@code sum_over_batch_size}, {@code sum} with
 * {@code sum} and {@code none} with {@code none}; they are not the same computation (SEMANTICS.md
 * §1.2, T-3, T-13, T-14), which is what the pairing shows.
 */
public final class TensorFlowCounterparts {
  public static final String SCCE = "keras.losses.SparseCategoricalCrossentropy";
  public static final String CCE = "keras.losses.CategoricalCrossentropy";
  public static final String BCE = "keras.losses.BinaryCrossentropy";
  public static final String SOFTMAX_XENT = "tf.nn.softmax_cross_entropy_with_logits";
  public static final String SPARSE_SOFTMAX_XENT = "tf.nn.sparse_softmax_cross_entropy_with_logits";
  public static final String SIGMOID_XENT = "tf.nn.sigmoid_cross_entropy_with_logits";
  public static final String WEIGHTED_XENT = "tf.nn.weighted_cross_entropy_with_logits";
  public static final String CTC = "tf.nn.ctc_loss";

  /** The call must raise; any message (used where TF's text is not the point of the case). */
  static final String ANY_ERROR = "";

  public static final String KLD = "keras.losses.KLDivergence";
  public static final String POISSON = "keras.losses.Poisson";
  public static final String LOG_POISSON = "tf.nn.log_poisson_loss";
  public static final String COSINE = "keras.losses.CosineSimilarity";
  public static final String HINGE = "keras.losses.Hinge";
  public static final String MAE = "keras.losses.MeanAbsoluteError";

  /** What TF raises when a Keras loss reduces the last axis of a 0-d tensor. */
  static final String RANK0_ERROR = "Invalid reduction dimension";

  /** What TF raises for a class index outside [0, C) on CPU (T-16). */
  static final String LABEL_RANGE_ERROR = "outside the valid range";

  private TensorFlowCounterparts() {}

  /** Keras' name for a PyTorch reduction. */
  static String kerasReduction(Object torchReduction) {
    String r = torchReduction == null ? "mean" : torchReduction.toString();
    return switch (r) {
      case "mean" -> "sum_over_batch_size";
      case "sum" -> "sum";
      case "none" -> "none";
      default -> r;
    };
  }

  private static Map<String, Object> params(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1] instanceof Integer n ? Long.valueOf(n) : kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Tensor> inputs(Object... kv) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        m.put((String) kv[i], (Tensor) kv[i + 1]);
      }
    }
    return m;
  }

  /** {@code torch.nn.functional.cross_entropy} → Keras SCCE (indices) or CCE (probabilities). */
  public static Call crossEntropy(Call t) {
    Tensor x = t.input("input");
    Tensor y = t.input("target");
    double eps = ((Number) t.params().getOrDefault("label_smoothing", 0.0)).doubleValue();
    long ignore = ((Number) t.params().getOrDefault("ignore_index", -100L)).longValue();
    String reduction = kerasReduction(t.params().get("reduction"));
    boolean probabilities = Arrays.equals(x.shape(), y.shape());
    if (t.inputs().containsKey("weight")) {
      return Call.unsupported(probabilities ? CCE : SCCE, params("reduction", reduction), inputs("y_true", y, "y_pred", x),
          "Keras cross-entropy has no class weights (sample_weight weighs samples, see T-3)");
    }
    if (probabilities) {
      if (ignore >= 0) {
        return Call.unsupported(CCE, params("reduction", reduction), inputs("y_true", y, "y_pred", x),
            "Keras CategoricalCrossentropy has no ignore index");
      }
      // classes on dim 1: Keras takes axis=1 for K-dim input; (C) and (N, C) use the last axis
      long axis = x.rank() > 2 ? 1 : -1;
      return new Call(CCE, params("from_logits", true, "label_smoothing", eps, "axis", axis, "reduction", reduction),
          inputs("y_true", y, "y_pred", x), null, null);
    }
    if (x.rank() > 2) {
      return Call.unsupported(SCCE, params("from_logits", true, "reduction", reduction), inputs("y_true", y, "y_pred", x),
          "Keras 3.3.3 SparseCategoricalCrossentropy has no axis argument and its TF backend takes classes on the last axis only");
    }
    String error = outOfRange(y, ignore, x.size(-1)) ? LABEL_RANGE_ERROR : null;
    if (eps > 0) {
      if (containsValue(y, ignore)) {
        return Call.unsupported(CCE, params("from_logits", true, "label_smoothing", eps, "reduction", reduction),
            inputs("y_true", y, "y_pred", x), "label smoothing needs Keras CategoricalCrossentropy, which has no ignore index");
      }
      if (eps > 1 || error != null) {
        return Call.unsupported(CCE, params("from_logits", true, "label_smoothing", eps, "reduction", reduction),
            inputs("y_true", y, "y_pred", x), "PyTorch raises; one-hot targets for Keras cannot be formed");
      }
      // smoothing needs one-hot targets in Keras: CCE(label_smoothing) on onehot(target) is the counterpart (T-21)
      return new Call(CCE, params("from_logits", true, "label_smoothing", eps, "axis", -1L, "reduction", reduction),
          inputs("y_true", oneHot(y, x.size(-1), x.dtype()), "y_pred", x), null, null);
    }
    Object ignoreClass = containsValue(y, ignore) ? (Object) ignore : null;
    if (!Arrays.equals(y.shape(), Arrays.copyOf(x.shape(), x.rank() - 1))) {
      error = ANY_ERROR; // Keras raises a ValueError on the label shape
    }
    return new Call(SCCE, params("from_logits", true, "ignore_class", ignoreClass, "reduction", reduction),
        inputs("y_true", y, "y_pred", x), error, null);
  }

  /** The same PyTorch call paired with the raw-op wrappers of tf.nn instead of Keras (reduction none). */
  public static Call tfnnSoftmax(Call t) {
    Tensor x = t.input("input");
    Tensor y = t.input("target");
    if (Arrays.equals(x.shape(), y.shape())) {
      return new Call(SOFTMAX_XENT, params("axis", x.rank() > 2 ? 1L : -1L), inputs("labels", y, "logits", x), null, null);
    }
    // no ignore index in tf.nn: an ignored (negative) target is just out of range there
    return new Call(SPARSE_SOFTMAX_XENT, params(), inputs("labels", y, "logits", x),
        outOfRange(y, Long.MIN_VALUE, x.size(-1)) ? LABEL_RANGE_ERROR : null, null);
  }

  /** {@code nll_loss}: Keras has no loss on log-probabilities; T-11 pairs nll_loss(log p) with SCCE(p). */
  public static Call nllLoss(Call t) {
    return Call.unsupported(SCCE, params("from_logits", false, "reduction", kerasReduction(t.params().get("reduction"))),
        inputs("y_true", t.input("target"), "y_pred", t.input("input")),
        "Keras has no loss on log-probabilities; the cross_entropy/probs_input cases pair nll_loss(log p) with SparseCategoricalCrossentropy(p) (T-11)");
  }

  /** {@code binary_cross_entropy} → Keras BinaryCrossentropy on probabilities. */
  public static Call binaryCrossEntropy(Call t) {
    String reduction = kerasReduction(t.params().get("reduction"));
    Map<String, Tensor> in = inputs("y_true", t.input("target"), "y_pred", t.input("input"));
    if (t.inputs().containsKey("weight")) {
      return Call.unsupported(BCE, params("from_logits", false, "reduction", reduction), in,
          "Keras BinaryCrossentropy has no element weights; sample_weight weighs per-sample losses after the last-axis mean");
    }
    return new Call(BCE, params("from_logits", false, "label_smoothing", 0.0, "axis", -1L, "reduction", reduction), in,
        bceError(t), null);
  }

  /** Keras BCE raises on a 0-d input (its last-axis mean has no axis) and on mismatched shapes. */
  private static String bceError(Call t) {
    Tensor x = t.input("input");
    if (!Arrays.equals(x.shape(), t.input("target").shape())) {
      return ANY_ERROR;
    }
    return x.rank() == 0 ? RANK0_ERROR : null;
  }

  /** {@code binary_cross_entropy_with_logits} → Keras BinaryCrossentropy(from_logits) or, with pos_weight, tf.nn. */
  public static Call binaryCrossEntropyWithLogits(Call t) {
    String reduction = kerasReduction(t.params().get("reduction"));
    Map<String, Tensor> in = inputs("y_true", t.input("target"), "y_pred", t.input("input"));
    if (t.inputs().containsKey("weight")) {
      return Call.unsupported(BCE, params("from_logits", true, "reduction", reduction), in,
          "Keras BinaryCrossentropy has no element weights; sample_weight weighs per-sample losses after the last-axis mean");
    }
    if (t.inputs().containsKey("pos_weight")) {
      Map<String, Tensor> nn = inputs("labels", t.input("target"), "logits", t.input("input"), "pos_weight", t.input("pos_weight"));
      if (!"none".equals(reduction)) {
        return Call.unsupported(WEIGHTED_XENT, params(), nn,
            "pos_weight exists only in tf.nn.weighted_cross_entropy_with_logits, which does not reduce");
      }
      return new Call(WEIGHTED_XENT, params(), nn, null, null);
    }
    return new Call(BCE, params("from_logits", true, "label_smoothing", 0.0, "axis", -1L, "reduction", reduction), in,
        bceError(t), null);
  }

  /** {@code binary_cross_entropy_with_logits(reduction="none")} → tf.nn.sigmoid_cross_entropy_with_logits. */
  public static Call tfnnSigmoid(Call t) {
    return new Call(SIGMOID_XENT, params(), inputs("labels", t.input("target"), "logits", t.input("input")), null, null);
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
    String reduction = kerasReduction(t.params().get("reduction"));
    if (Arrays.equals(logp.shape(), y.shape())) {
      return new Call(CCE, params("from_logits", false, "label_smoothing", 0.0, "axis", -1L, "reduction", reduction),
          inputs("y_true", y, "y_pred", probs), null, null);
    }
    return new Call(SCCE, params("from_logits", false, "ignore_class", null, "reduction", reduction),
        inputs("y_true", y, "y_pred", probs), null, null);
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
    return params(kv);
  }

  /** A call TF cannot express at all, under the nearest name, with the reason. */
  public static Call none(Call t, String api, String reason) {
    return Call.unsupported(api, params(), t.inputs(), reason);
  }

  /** A copy of {@code t} with every element through {@code f}, rounded to its dtype. */
  private static Tensor map(Tensor t, java.util.function.DoubleUnaryOperator f) {
    double[] v = t.toDoubleArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = f.applyAsDouble(v[i]);
    }
    return Tensor.ofFloating(t.dtype(), v, t.shape());
  }

  /** Keras' reduction for a torch reduction, batchmean included (its nearest is sum_over_batch_size). */
  private static String kerasReductionOrBatchmean(Call t) {
    Object r = t.params().get("reduction");
    return "batchmean".equals(r) ? "sum_over_batch_size" : kerasReduction(r);
  }

  /** {@code kl_div(input = log p, target)} → Keras KLDivergence on probabilities (T-6). */
  public static Call klDiv(Call t) {
    Tensor logp = t.input("input");
    Tensor y = t.input("target");
    boolean logTarget = Boolean.TRUE.equals(t.params().get("log_target"));
    String r = kerasReductionOrBatchmean(t);
    Map<String, Tensor> in = inputs("y_true", logTarget ? map(y, Math::exp) : y, "y_pred", map(logp, Math::exp));
    if (!java.util.Set.of("none", "mean", "sum", "batchmean").contains(String.valueOf(t.params().get("reduction")))) {
      return Call.unsupported(KLD, params("reduction", r), in, "PyTorch raises on the reduction; Keras has no such reduction either");
    }
    return new Call(KLD, params("reduction", r), in, logp.rank() == 0 ? RANK0_ERROR : null, null);
  }

  /** {@code poisson_nll_loss} → Keras Poisson on the rate, or tf.nn.log_poisson_loss for the full loss. */
  public static Call poissonNll(Call t) {
    Tensor x = t.input("input");
    Tensor y = t.input("target");
    boolean logInput = !Boolean.FALSE.equals(t.params().get("log_input"));
    boolean full = Boolean.TRUE.equals(t.params().get("full"));
    String r = kerasReduction(t.params().get("reduction"));
    if (full) {
      Map<String, Tensor> nn = inputs("targets", y, "log_input", x);
      if (!logInput || !"none".equals(r)) {
        return Call.unsupported(LOG_POISSON, params("compute_full_loss", true), nn,
            "the Stirling term exists only in tf.nn.log_poisson_loss, which takes a log-rate and does not reduce");
      }
      return new Call(LOG_POISSON, params("compute_full_loss", true), nn, null, null);
    }
    double eps = ((Number) t.params().getOrDefault("eps", 1e-8)).doubleValue();
    Map<String, Tensor> in = inputs("y_true", y, "y_pred", logInput ? map(x, Math::exp) : x);
    if (eps != 1e-8) {
      return Call.unsupported(POISSON, params("reduction", r), in, "Keras Poisson has a fixed epsilon (1e-7)");
    }
    return new Call(POISSON, params("reduction", r), in, null, null);
  }

  /** {@code hinge_embedding_loss} → Keras Hinge, a different loss under a similar name (T-10). */
  public static Call hinge(Call t) {
    return new Call(HINGE, params("reduction", kerasReduction(t.params().get("reduction"))),
        inputs("y_true", t.input("target"), "y_pred", t.input("input")), null, null);
  }

  /** {@code cosine_embedding_loss} with every target 1 → Keras CosineSimilarity, which is -cos (T-9). */
  public static Call cosine(Call t) {
    Tensor y = t.input("target");
    String r = kerasReduction(t.params().get("reduction"));
    Map<String, Tensor> in = inputs("y_true", t.input("input1"), "y_pred", t.input("input2"));
    boolean allPositive = true;
    for (int i = 0; i < y.numel(); i++) {
      allPositive &= y.getLong(i) == 1;
    }
    if (!allPositive || y.rank() > 1) {
      return Call.unsupported(COSINE, params("axis", -1L, "reduction", r), in,
          "Keras CosineSimilarity has no target or margin: it is -cos for every pair");
    }
    return new Call(COSINE, params("axis", -1L, "reduction", r), in, null, null);
  }

  /** {@code l1_loss} → Keras MeanAbsoluteError. */
  public static Call l1(Call t) {
    Tensor x = t.input("input");
    Tensor y = t.input("target");
    String error = null;
    try {
      dev.lossconformance.loss.Shapes.broadcastShape(x.shape(), y.shape());
    } catch (IllegalArgumentException e) {
      error = ANY_ERROR;
    }
    return new Call(MAE, params("reduction", kerasReduction(t.params().get("reduction"))),
        inputs("y_true", y, "y_pred", x), error, null);
  }

  /**
   * Why a pairing made by these rules is expected to disagree, from the two calls alone, or
   * {@code null} when the frameworks should agree. Cases can state their own reason instead.
   */
  public static String predictedDivergence(Call torch, Call tf) {
    if (torch.unsupported() != null || tf.unsupported() != null) {
      return null;
    }
    if (tf.api().equals(CTC)) {
      return ctcDivergence(torch, tf);
    }
    boolean keras = tf.api().startsWith("keras.");
    Tensor x = torch.inputs().getOrDefault("input", torch.inputs().get("input1"));
    String reduction = String.valueOf(tf.params().get("reduction"));
    if (keras && x.numel() == 0) {
      return "T-20: an empty batch: torch's mean is NaN (sum 0); Keras returns its (0,) per-sample loss unchanged";
    }
    if (torch.expectError() != null && tf.expectError() == null) {
      return tf.api().equals(BCE)
          ? "torch checks 0 <= p, y <= 1 and raises; Keras clips p and takes y as given"
          : "torch validates the arguments and raises; TF/Keras computes without checking";
    }
    if (torch.expectError() == null && tf.expectError() != null && keras && x.rank() == 0) {
      return "Keras reduces the last axis, which a 0-d input does not have: TF raises";
    }
    String other = predictedForOtherLosses(torch, tf, reduction);
    if (other != null) {
      return other;
    }
    if (tf.api().equals(BCE) && x.rank() >= 1) {
      int last = x.size(-1);
      if (x.rank() == 1 && !"none".equals(reduction) && last > 1) {
        return "T-13: Keras averages the last axis first, so a 1-D input is one scalar that every reduction returns";
      }
      if ("none".equals(reduction) && last > 0) {
        return "T-14: Keras' \"none\" is one value per row (the last-axis mean), torch's one per element";
      }
      if ("sum".equals(reduction) && last > 1) {
        return "T-13: Keras sums the per-row means, torch sums every element";
      }
    }
    if ((tf.api().equals(CCE) && Boolean.TRUE.equals(tf.params().get("from_logits")) || tf.api().equals(SOFTMAX_XENT))
        && Arrays.equals(x.shape(), torch.input("target").shape()) && labelsOffSimplex(tf.inputs().get(tf.api().equals(CCE) ? "y_true" : "labels"), x)) {
      return "TF's SoftmaxCrossEntropyWithLogits gradient is softmax - y, the derivative only for labels summing to 1;"
          + " torch's is sum(y) softmax - y (losses agree, gradients differ)";
    }
    if (tf.api().equals(SCCE) && tf.params().get("ignore_class") != null && "sum_over_batch_size".equals(reduction)) {
      Tensor y = torch.input("target");
      long ignore = (Long) tf.params().get("ignore_class");
      int valid = 0;
      for (int i = 0; i < y.numel(); i++) {
        valid += y.getLong(i) == ignore ? 0 : 1;
      }
      if (valid == 0) {
        return "T-4: every target ignored: torch's mean is 0/0 = NaN, Keras' masked mean is 0";
      }
      return "T-5: Keras re-weights valid entries by total / (valid + 1e-7): a last-ulp difference at most";
    }
    return null;
  }

  /** The predicted reasons of the losses beyond the cross-entropy family. */
  private static String predictedForOtherLosses(Call torch, Call tf, String reduction) {
    Tensor x = torch.inputs().getOrDefault("input", torch.inputs().get("input1"));
    String r = String.valueOf(torch.params().get("reduction"));
    boolean lastAxis = tf.api().equals(KLD) || tf.api().equals(POISSON) || tf.api().equals(HINGE) || tf.api().equals(MAE);
    if (tf.api().equals(HINGE)) {
      return "T-10: PyTorch's hinge_embedding_loss (y=1: x; y=-1: max(0, margin-x)) is not Keras' Hinge max(0, 1 - y x)"
          + (binaryLabels(torch.input("target")) ? "; T-23: Keras maps an all-{0,1} batch to {-1,1}" : "");
    }
    if (tf.api().equals(COSINE)) {
      return "T-9: cosine_embedding_loss with y = 1 is 1 - cos, Keras CosineSimilarity is -cos";
    }
    if (tf.api().equals(LOG_POISSON)) {
      return hasNegative(torch.input("target")) ? "T-22: the Stirling term is zeroed for y <= 1 in torch, for 0 <= y <= 1 in TF (NaN below 0)" : null;
    }
    if (!lastAxis) {
      return null;
    }
    if (x.rank() <= 1 && !"none".equals(reduction) && x.numel() > 1 && !"mean".equals(r) && !"batchmean".equals(r)) {
      return "T-13: Keras reduces the last axis first, so a 1-D input is one scalar that every reduction returns";
    }
    if ("none".equals(reduction) && x.rank() >= 1) {
      return "T-14: Keras' \"none\" reduces the last axis (one value per row), torch's keeps every element";
    }
    if (tf.api().equals(KLD)) {
      if (x.rank() == 1 && "batchmean".equals(r)) {
        return "T-6: torch's batchmean divides a 1-D input by input.size(0), its length; Keras sums it into one scalar";
      }
      if ("mean".equals(r)) {
        return "T-6: torch's kl_div mean divides by N*C, Keras by N (torch's batchmean)";
      }
      if ("sum".equals(r) || x.rank() > 2) {
        return x.rank() > 2 ? "T-6: Keras divides by the number of rows N*d1 (last axis summed), torch's batchmean by N" : null;
      }
      return hasNonPositive(torch.input("target")) ? "T-7: a zero or negative target: torch's xlogy gives 0 or NaN, Keras clips to 1e-7" : null;
    }
    if (tf.api().equals(POISSON) || tf.api().equals(MAE)) {
      if ("sum".equals(r) && x.size(-1) > 1) {
        return "T-13: Keras sums the per-row means, torch sums every element";
      }
    }
    if (tf.api().equals(POISSON)) {
      return "T-8: Keras takes a rate and adds 1e-7 inside the log; torch's log-rate form exp(x) - y x has no epsilon";
    }
    return null;
  }

  private static boolean binaryLabels(Tensor y) {
    for (int i = 0; i < y.numel(); i++) {
      double v = y.getDouble(i);
      if (v != 0 && v != 1) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasNegative(Tensor t) {
    for (int i = 0; i < t.numel(); i++) {
      if (t.getDouble(i) < 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasNonPositive(Tensor t) {
    for (int i = 0; i < t.numel(); i++) {
      if (!(t.getDouble(i) > 0)) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- ctc_loss

  /** What TF's CTCLoss kernel raises for a label sequence longer than its input (T-17). */
  static final String CTC_TIME_ERROR = "Not enough time for target transition sequence";

  /** What TF's CTCLoss kernel raises for a batch item without labels. */
  static final String CTC_EMPTY_LABELS_ERROR = "Labels length is zero in batch";

  /** What TF raises when the blank-moving slices {@code logits[:, :, :b]} meet rank-2 logits. */
  static final String CTC_RANK_ERROR = "input has only 2 dims";

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
    long blank = ((Number) t.params().getOrDefault("blank", 0L)).longValue();
    Tensor labelLength = targetLengths.rank() == 0 ? targetLengths.reshape(1) : targetLengths;
    Tensor logitLength = inputLengths.rank() == 0 ? inputLengths.reshape(1) : inputLengths;
    Tensor labels = targets.rank() == 2 ? targets : padConcatenated(targets, labelLength);
    return new Call(CTC, params("blank_index", blank, "logits_time_major", true),
        inputs("labels", labels, "logits", logProbs, "label_length", labelLength, "logit_length", logitLength),
        ctcError(logProbs, labelLength, logitLength), null);
  }

  /** Concatenated targets as rows padded with 0 to the longest length. */
  private static Tensor padConcatenated(Tensor targets, Tensor lengths) {
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

  /**
   * The key phrase of the error TF raises on these arguments, in the order it checks them, or
   * {@code null}: the blank-moving slices need rank 3; CTCLoss then checks each batch item for an
   * empty label sequence and for more labels than frames (it counts labels, not the blanks that
   * repeated labels need).
   */
  private static String ctcError(Tensor logits, Tensor labelLength, Tensor logitLength) {
    if (logits.rank() != 3) {
      return CTC_RANK_ERROR;
    }
    for (int b = 0; b < logitLength.numel(); b++) {
      if (logitLength.getLong(b) > logits.size(0)) {
        return "sequence_length(" + b + ") <= " + logits.size(0);
      }
    }
    for (int b = 0; b < labelLength.numel(); b++) {
      if (labelLength.getLong(b) == 0) {
        return CTC_EMPTY_LABELS_ERROR;
      }
      if (labelLength.getLong(b) > logitLength.getLong(b)) {
        return CTC_TIME_ERROR;
      }
    }
    return null;
  }

  /** Why the torch and TF CTC losses of a pairing made by {@link #ctcLoss} differ, or null. */
  private static String ctcDivergence(Call torch, Call tf) {
    Tensor logProbs = torch.input("log_probs");
    long blank = ((Number) torch.params().getOrDefault("blank", 0L)).longValue();
    int classes = logProbs.size(-1);
    if (torch.expectError() != null && tf.expectError() == null) {
      if (blank < 0) {
        return "torch checks 0 <= blank < C and raises; tf.nn.ctc_loss counts a negative blank_index from the end"
            + " (-1 is class C-1) and computes";
      }
      if (blank >= classes) {
        return "torch checks 0 <= blank < C and raises; tf.nn.ctc_loss slices blank_index = C without complaint"
            + " (logits[:, :, C:C+1] is empty), so class C-1 becomes its blank";
      }
      return "torch validates the arguments and raises; TF computes";
    }
    if (torch.expectError() != null) {
      return null;
    }
    if (tf.expectError() != null) {
      return switch (tf.expectError()) {
        case CTC_RANK_ERROR -> "torch accepts unbatched (T, C) log_probs; tf.nn.ctc_loss needs [T, B, C] logits"
            + " (its blank-moving slices logits[:, :, :b] raise on rank 2)";
        case CTC_EMPTY_LABELS_ERROR -> "TF's CTCLoss rejects an empty label sequence (InvalidArgument: Labels length"
            + " is zero in batch b); torch's loss for it is -sum_t log p_t(blank)";
        case CTC_TIME_ERROR -> "T-17: a target longer than its input: torch's loss is +inf (0 with zero_infinity);"
            + " TF's CTCLoss raises InvalidArgument: Not enough time for target transition sequence";
        default -> "TF raises where torch computes";
      };
    }
    if (!rowsNormalised(logProbs)) {
      return "T-12: torch takes log_probs as given (these rows are not normalised); TF applies softmax to its logits";
    }
    Tensor targets = torch.input("targets");
    Tensor inputLengths = tf.input("logit_length");
    Tensor labels = tf.input("labels");
    Tensor labelLength = tf.input("label_length");
    for (int b = 0; b < labelLength.numel(); b++) {
      int len = (int) labelLength.getLong(b);
      int need = len;
      for (int i = 1; i < len; i++) {
        need += labels.getLong(b * labels.size(1) + i) == labels.getLong(b * labels.size(1) + i - 1) ? 1 : 0;
      }
      if (need > inputLengths.getLong(b)) {
        boolean zeroInfinity = Boolean.TRUE.equals(torch.params().get("zero_infinity"));
        return "repeated labels need a blank between them, which TF's time check does not count: no alignment exists,"
            + " and torch gives " + (zeroInfinity ? "0 with a 0 gradient (zero_infinity)" : "+inf with a NaN gradient")
            + " where TF gives +inf with the softmax as gradient (CTCLoss: \"No valid path found\")";
      }
    }
    if (!"none".equals(torch.params().get("reduction")) && targets != null) {
      return "T-12: torch's " + torch.params().get("reduction") + " reduces the per-sample losses ("
          + ("mean".equals(torch.params().get("reduction")) ? "each divided by max(target_length, 1), then averaged"
          : "summed") + "); tf.nn.ctc_loss returns the per-sample vector";
    }
    if (logProbs.dtype() == DType.FLOAT64) {
      return "TF's CTCLoss is float32-accurate in float64 too: its LogSumExp is log1pf(expf(.)) and its occupancy"
          + " expf(.) (ctc_loss_util.h, ctc_loss_calculator.h), so its loss is ~1e-9 relative and its gradient"
          + " ~6e-8 from torch's";
    }
    return "T-18 holds (both return softmax - occupancy for the logits), but both run the forward-backward in float32"
        + " and round differently (torch per state with exp/log, TF with log1pf(expf(.))): gradients differ by ~1e-6"
        + " for T <= 7 and up to 3e-5 at T = 60, losses by an ulp or two";
  }

  /** True when every class row (last dim) of log-probabilities exponentiates to a sum within 1e-6 of 1. */
  private static boolean rowsNormalised(Tensor logProbs) {
    int c = logProbs.size(-1);
    for (int r = 0; r * c < logProbs.numel(); r++) {
      double s = 0;
      for (int k = 0; k < c; k++) {
        s += Math.exp(logProbs.getDouble(r * c + k));
      }
      if (Math.abs(s - 1) > 1e-6) {
        return false;
      }
    }
    return true;
  }

  /** True when some class fiber (dim 1, or 0 unbatched) of the labels sums to 1 by less than 1e-6. */
  private static boolean labelsOffSimplex(Tensor y, Tensor x) {
    int[] shape = y.shape();
    int ax = shape.length == 1 ? 0 : 1;
    int c = shape[ax];
    int inner = 1;
    for (int d = ax + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    int outer = c == 0 ? 0 : y.numel() / (c * inner);
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < inner; s++) {
        double sum = 0;
        for (int k = 0; k < c; k++) {
          sum += y.getDouble((o * c + k) * inner + s);
        }
        if (Math.abs(sum - 1) > 1e-6) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean containsValue(Tensor t, long v) {
    for (int i = 0; i < t.numel(); i++) {
      if (t.getLong(i) == v) {
        return true;
      }
    }
    return false;
  }

  private static boolean outOfRange(Tensor t, long ignore, int classes) {
    for (int i = 0; i < t.numel(); i++) {
      long v = t.getLong(i);
      if (v != ignore && (v < 0 || v >= classes)) {
        return true;
      }
    }
    return false;
  }

  /** One-hot rows of the class indices, classes last, in {@code dtype}. */
  static Tensor oneHot(Tensor labels, int classes, DType dtype) {
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
