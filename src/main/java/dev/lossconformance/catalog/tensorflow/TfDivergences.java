package dev.lossconformance.catalog.tensorflow;

import dev.lossconformance.api.ApiIndex;
import dev.lossconformance.api.Family;
import dev.lossconformance.api.KerasApis;
import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * TensorFlow counterparts, job 4 of 4: the expected divergence. Why a PyTorch call and its
 * TensorFlow counterpart are expected to disagree, from the two calls alone (citing SEMANTICS.md).
 */
public final class TfDivergences {
  private static final String SCCE = KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY_NAME;
  private static final String CCE = KerasApis.CATEGORICAL_CROSSENTROPY_NAME;
  private static final String BCE = KerasApis.BINARY_CROSSENTROPY_NAME;
  private static final String KLD = KerasApis.KL_DIVERGENCE_NAME;
  private static final String POISSON = KerasApis.POISSON_NAME;
  private static final String COSINE = KerasApis.COSINE_SIMILARITY_NAME;
  private static final String HINGE = KerasApis.HINGE_NAME;
  private static final String MAE = KerasApis.MEAN_ABSOLUTE_ERROR_NAME;
  private static final String SOFTMAX_XENT = TfNnApis.SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String LOG_POISSON = TfNnApis.LOG_POISSON_LOSS_NAME;
  private static final String CTC = TfNnApis.CTC_LOSS_NAME;

  private TfDivergences() {}

  /**
   * Why a pairing made by these rules is expected to disagree, from the two calls alone, or
   * {@code null} when the frameworks should agree. Cases can state their own reason instead.
   */
  public static String predicted(Call torch, Call tf) {
    if (torch.unsupported() != null || tf.unsupported() != null) {
      return null;
    }
    if (tf.api().equals(CTC)) {
      return ctcDivergence(torch, tf);
    }
    boolean keras = ApiIndex.find(tf.api()).map(a -> a.family() == Family.KERAS_LOSSES).orElse(false);
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

  /** Why the torch and TF CTC losses of a pairing made by {@link TensorFlowCounterparts#ctcLoss} differ, or null. */
  private static String ctcDivergence(Call torch, Call tf) {
    Tensor logProbs = torch.input("log_probs");
    long blank = ((Number) TfParams.torch(torch, TorchApis.CTC_LOSS, "blank")).longValue();
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
        case TfExpectedErrors.CTC_RANK_ERROR -> "torch accepts unbatched (T, C) log_probs; tf.nn.ctc_loss needs [T, B, C] logits"
            + " (its blank-moving slices logits[:, :, :b] raise on rank 2)";
        case TfExpectedErrors.CTC_EMPTY_LABELS_ERROR -> "TF's CTCLoss rejects an empty label sequence (InvalidArgument: Labels length"
            + " is zero in batch b); torch's loss for it is -sum_t log p_t(blank)";
        case TfExpectedErrors.CTC_TIME_ERROR -> "T-17: a target longer than its input: torch's loss is +inf (0 with zero_infinity);"
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
        boolean zeroInfinity = Boolean.TRUE.equals(TfParams.torch(torch, TorchApis.CTC_LOSS, "zero_infinity"));
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
}
