package dev.lossconformance.check;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.torch.CosineEmbeddingLoss;
import dev.lossconformance.loss.torch.OtherLosses;
import dev.lossconformance.loss.keras.BinaryCrossentropy;
import dev.lossconformance.loss.keras.CategoricalCrossentropy;
import dev.lossconformance.loss.keras.KerasReduction;
import dev.lossconformance.loss.keras.KerasRegression;
import dev.lossconformance.loss.keras.SparseCategoricalCrossentropy;
import dev.lossconformance.loss.tf.TfNn;
import dev.lossconformance.loss.torch.BinaryCrossEntropy;
import dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.NllLoss;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The framework APIs the Java side implements, by their {@code api} string: each turns a case's
 * params and inputs into the outputs a fixture stores ({@code loss}, {@code grad_input}).
 */
public final class Apis {
  private static final Map<String, Function<Params, Map<String, Tensor>>> APIS = new LinkedHashMap<>();

  static {
    APIS.put(CrossEntropy.API, p -> outputs(CrossEntropy.options()
        .weight(p.optionalTensor("weight"))
        .ignoreIndex(p.integer("ignore_index", -100))
        .labelSmoothing(p.real("label_smoothing", 0.0))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    APIS.put(NllLoss.API, p -> outputs(NllLoss.options()
        .weight(p.optionalTensor("weight"))
        .ignoreIndex(p.integer("ignore_index", -100))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    APIS.put(BinaryCrossEntropy.API, p -> outputs(BinaryCrossEntropy.options()
        .weight(p.optionalTensor("weight"))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    APIS.put(BinaryCrossEntropyWithLogits.API, p -> outputs(BinaryCrossEntropyWithLogits.options()
        .weight(p.optionalTensor("weight"))
        .posWeight(p.optionalTensor("pos_weight"))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));

    APIS.put(SparseCategoricalCrossentropy.API, p -> keras(p, new SparseCategoricalCrossentropy(
        flag(p, "from_logits"), p.optionalLong("ignore_class"), kerasReduction(p))));
    APIS.put(CategoricalCrossentropy.API, p -> keras(p, new CategoricalCrossentropy(
        flag(p, "from_logits"), p.real("label_smoothing", 0.0), p.integer("axis", -1), kerasReduction(p))));
    APIS.put(BinaryCrossentropy.API, p -> {
      boolean fromLogits = flag(p, "from_logits");
      double smoothing = p.real("label_smoothing", 0.0);
      if (p.integer("axis", -1) != -1) {
        throw new UnsupportedCaseException("BinaryCrossentropy with axis other than -1 is not implemented in Java");
      }
      return keras(p, new BinaryCrossentropy(fromLogits, smoothing, kerasReduction(p)));
    });
    APIS.put(TfNn.SOFTMAX, p -> {
      long axis = p.integer("axis", -1);
      return tf(p, TfNn.softmaxCrossEntropyWithLogits(p.tensor("labels"), p.tensor("logits"), axis));
    });
    APIS.put(TfNn.SPARSE_SOFTMAX, p -> tf(p, TfNn.sparseSoftmaxCrossEntropyWithLogits(p.tensor("labels"), p.tensor("logits"))));
    APIS.put(TfNn.SIGMOID, p -> tf(p, TfNn.sigmoidCrossEntropyWithLogits(p.tensor("labels"), p.tensor("logits"))));
    APIS.put(TfNn.WEIGHTED, p -> tf(p, TfNn.weightedCrossEntropyWithLogits(p.tensor("labels"), p.tensor("logits"),
        p.tensor("pos_weight"))));
  }

  static {
    APIS.put(OtherLosses.KL_DIV, p -> grads(p, () -> OtherLosses.klDiv(p.tensor("input"), p.tensor("target"),
        p.string("reduction", "mean"), flag(p, "log_target"))));
    APIS.put(OtherLosses.POISSON_NLL, p -> grads(p, () -> OtherLosses.poissonNll(p.tensor("input"), p.tensor("target"),
        flagOr(p, "log_input", true), flag(p, "full"), p.real("eps", 1e-8), p.string("reduction", "mean"))));
    APIS.put(OtherLosses.GAUSSIAN_NLL, p -> grads(p, () -> OtherLosses.gaussianNll(p.tensor("input"), p.tensor("target"),
        p.tensor("var"), flag(p, "full"), p.real("eps", 1e-6), p.string("reduction", "mean"))));
    APIS.put(OtherLosses.HINGE_EMBEDDING, p -> grads(p, () -> OtherLosses.hingeEmbedding(p.tensor("input"),
        p.tensor("target"), p.real("margin", 1.0), p.string("reduction", "mean"))));
    APIS.put(OtherLosses.L1, p -> grads(p, () -> OtherLosses.l1(p.tensor("input"), p.tensor("target"),
        p.string("reduction", "mean"))));
    APIS.put(CosineEmbeddingLoss.API, p -> grads(p, () -> CosineEmbeddingLoss.apply(p.tensor("input1"), p.tensor("input2"),
        p.tensor("target"), p.real("margin", 0.0), p.string("reduction", "mean"))));
  }

  static {
    APIS.put(KerasRegression.KLD, p -> kerasFn(p, (t, y, w) -> KerasRegression.klDivergence(t, y, w, kerasReduction(p))));
    APIS.put(KerasRegression.POISSON, p -> kerasFn(p, (t, y, w) -> KerasRegression.poisson(t, y, w, kerasReduction(p))));
    APIS.put(KerasRegression.HINGE, p -> kerasFn(p, (t, y, w) -> KerasRegression.hinge(t, y, w, kerasReduction(p))));
    APIS.put(KerasRegression.MAE, p -> kerasFn(p, (t, y, w) -> KerasRegression.meanAbsoluteError(t, y, w, kerasReduction(p))));
    APIS.put(KerasRegression.COSINE, p -> {
      long axis = p.integer("axis", -1);
      return kerasFn(p, (t, y, w) -> KerasRegression.cosineSimilarity(t, y, w, axis, kerasReduction(p)));
    });
    APIS.put(TfNn.LOG_POISSON, p -> {
      boolean full = flag(p, "compute_full_loss");
      LossAndGrad r = TfNn.logPoissonLoss(p.tensor("targets"), p.tensor("log_input"), full);
      p.requireAllRead();
      Map<String, Tensor> out = new LinkedHashMap<>();
      out.put("loss", r.loss());
      out.put("grad_log_input", r.gradInput());
      return out;
    });
  }

  static {
    // ctc_loss: two gradients on the torch side (what PyTorch returns for log_probs, and through log_softmax)
    APIS.put(dev.lossconformance.loss.torch.CtcLoss.API, p -> {
      dev.lossconformance.loss.torch.CtcLoss loss = dev.lossconformance.loss.torch.CtcLoss.options()
          .blank(p.integer("blank", 0))
          .reduction(p.torchReduction())
          .zeroInfinity(flag(p, "zero_infinity"))
          .build();
      Tensor logProbs = p.tensor("log_probs");
      Tensor targets = p.tensor("targets");
      Tensor inputLengths = p.tensor("input_lengths");
      Tensor targetLengths = p.tensor("target_lengths");
      p.requireAllRead();
      dev.lossconformance.loss.torch.CtcLoss.Result r = loss.apply(logProbs, targets, inputLengths, targetLengths);
      Map<String, Tensor> out = new LinkedHashMap<>();
      out.put("loss", r.loss());
      out.put("grad_log_probs", r.gradLogProbs());
      out.put("grad_logits", r.gradLogits());
      return out;
    });
    APIS.put(dev.lossconformance.loss.tf.TfCtcLoss.API, p -> {
      Boolean timeMajor = p.bool("logits_time_major");
      Long blankIndex = p.optionalLong("blank_index");
      if (blankIndex == null) {
        throw new UnsupportedCaseException("tf.nn.ctc_loss without blank_index is the dense-label path"
            + " (ctc_loss_dense), which is not implemented in Java");
      }
      return tf(p, dev.lossconformance.loss.tf.TfCtcLoss.ctcLoss(p.tensor("labels"), p.tensor("logits"),
          p.tensor("label_length"), p.tensor("logit_length"), blankIndex, timeMajor == null || timeMajor));
    });
  }

  /** A Keras function of (y_true, y_pred, sample_weight). */
  private interface KerasFn {
    LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight);
  }

  private static Map<String, Tensor> kerasFn(Params p, KerasFn f) {
    Tensor yTrue = p.tensor("y_true");
    Tensor yPred = p.tensor("y_pred");
    Tensor sw = p.optionalTensor("sample_weight");
    p.string("reduction", "sum_over_batch_size");
    p.requireAllRead();
    LossAndGrad r = f.apply(yTrue, yPred, sw);
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    out.put("grad_y_pred", r.gradInput());
    return out;
  }

  private Apis() {}

  private static boolean flagOr(Params p, String name, boolean dflt) {
    Boolean b = p.bool(name);
    return b == null ? dflt : b;
  }

  /**
   * Runs a kernel with several gradients: every param and tensor is read (by the supplier's argument
   * expressions, evaluated first) before the unread-param check; outputs {@code loss} then the grads.
   */
  private static Map<String, Tensor> grads(Params p, java.util.function.Supplier<LossAndGrads> run) {
    LossAndGrads r = run.get();
    p.requireAllRead();
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    out.putAll(r.grads());
    return out;
  }

  private static boolean flag(Params p, String name) {
    Boolean b = p.bool(name);
    return b != null && b;
  }

  private static KerasReduction.Mode kerasReduction(Params p) {
    return KerasReduction.Mode.of(p.string("reduction", "sum_over_batch_size"));
  }

  /** Runs a Keras loss object: outputs {@code loss} and {@code grad_y_pred}. */
  private static Map<String, Tensor> keras(Params p, Object loss) {
    Tensor yTrue = p.tensor("y_true");
    Tensor yPred = p.tensor("y_pred");
    Tensor sw = p.optionalTensor("sample_weight");
    p.requireAllRead();
    LossAndGrad r;
    if (loss instanceof SparseCategoricalCrossentropy l) {
      r = l.apply(yTrue, yPred, sw);
    } else if (loss instanceof CategoricalCrossentropy l) {
      r = l.apply(yTrue, yPred, sw);
    } else {
      r = ((BinaryCrossentropy) loss).apply(yTrue, yPred, sw);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    out.put("grad_y_pred", r.gradInput());
    return out;
  }

  /** A tf.nn function's result: outputs {@code loss} and {@code grad_logits}. */
  private static Map<String, Tensor> tf(Params p, LossAndGrad r) {
    p.requireAllRead();
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    out.put("grad_logits", r.gradInput());
    return out;
  }

  /** The api strings implemented, sorted. */
  public static Set<String> supported() {
    return new TreeSet<>(APIS.keySet());
  }

  public static boolean supports(String api) {
    return APIS.containsKey(api);
  }

  /**
   * Runs {@code api} on the params and inputs.
   *
   * @throws UnsupportedCaseException when the api or one of the params is not implemented
   * @throws IllegalArgumentException where the framework raises
   */
  public static Map<String, Tensor> evaluate(String api, Map<String, Object> params, Map<String, Tensor> inputs) {
    Function<Params, Map<String, Tensor>> f = APIS.get(api);
    if (f == null) {
      throw new UnsupportedCaseException("api " + api + " is not implemented in Java");
    }
    return f.apply(new Params(api, params, inputs));
  }

  /** Reads every param (through {@code builder}), refuses unread ones, then runs. */
  private static <B> Map<String, Tensor> outputs(B builder, Params p, Function<B, LossAndGrad> run) {
    p.requireAllRead();
    LossAndGrad r = run.apply(builder);
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    out.put("grad_input", r.gradInput());
    return out;
  }
}
