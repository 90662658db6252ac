package dev.lossconformance.check;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.KerasApis;
import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.torch.CosineEmbeddingLoss;
import dev.lossconformance.loss.torch.OtherLosses;
import dev.lossconformance.loss.keras.BinaryCrossentropy;
import dev.lossconformance.loss.keras.CategoricalCrossentropy;
import dev.lossconformance.loss.keras.KerasReduction;
import dev.lossconformance.loss.keras.KerasRegression;
import dev.lossconformance.loss.keras.SparseCategoricalCrossentropy;
import dev.lossconformance.loss.tf.TfCtcLoss;
import dev.lossconformance.loss.tf.TfNn;
import dev.lossconformance.loss.torch.BinaryCrossEntropy;
import dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.CtcLoss;
import dev.lossconformance.loss.torch.NllLoss;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The framework APIs the Java side implements, by their {@link Api} descriptor (which gives each
 * param's default): each turns a case's params and inputs into the outputs a fixture stores
 * ({@code loss}, {@code grad_input}).
 */
public final class Apis {
  private static final Map<String, Adapter> APIS = new LinkedHashMap<>();

  /** One api's descriptor (the defaults its params take) and the kernels it runs. */
  private record Adapter(Api api, Function<Params, Map<String, Tensor>> run) {}

  private static void put(Api api, Function<Params, Map<String, Tensor>> run) {
    APIS.put(api.name(), new Adapter(api, run));
  }

  static {
    put(TorchApis.CROSS_ENTROPY, p -> outputs(CrossEntropy.options()
        .weight(p.optionalTensor("weight"))
        .ignoreIndex(p.integer("ignore_index"))
        .labelSmoothing(p.real("label_smoothing"))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    put(TorchApis.NLL_LOSS, p -> outputs(NllLoss.options()
        .weight(p.optionalTensor("weight"))
        .ignoreIndex(p.integer("ignore_index"))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    put(TorchApis.BINARY_CROSS_ENTROPY, p -> outputs(BinaryCrossEntropy.options()
        .weight(p.optionalTensor("weight"))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    put(TorchApis.BINARY_CROSS_ENTROPY_WITH_LOGITS, p -> outputs(BinaryCrossEntropyWithLogits.options()
        .weight(p.optionalTensor("weight"))
        .posWeight(p.optionalTensor("pos_weight"))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));

    put(KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY, p -> keras(p, new SparseCategoricalCrossentropy(
        p.flag("from_logits"), p.optionalLong("ignore_class"), kerasReduction(p))));
    put(KerasApis.CATEGORICAL_CROSSENTROPY, p -> keras(p, new CategoricalCrossentropy(
        p.flag("from_logits"), p.real("label_smoothing"), p.integer("axis"), kerasReduction(p))));
    put(KerasApis.BINARY_CROSSENTROPY, p -> {
      boolean fromLogits = p.flag("from_logits");
      double smoothing = p.real("label_smoothing");
      if (p.integer("axis") != KerasApis.BINARY_CROSSENTROPY.longDefault("axis")) {
        throw new UnsupportedCaseException("BinaryCrossentropy with axis other than -1 is not implemented in Java");
      }
      return keras(p, new BinaryCrossentropy(fromLogits, smoothing, kerasReduction(p)));
    });
    put(TfNnApis.SOFTMAX_CROSS_ENTROPY_WITH_LOGITS, p -> {
      long axis = p.integer("axis");
      return tf(p, TfNn.softmaxCrossEntropyWithLogits(p.tensor("labels"), p.tensor("logits"), axis));
    });
    put(TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS,
        p -> tf(p, TfNn.sparseSoftmaxCrossEntropyWithLogits(p.tensor("labels"), p.tensor("logits"))));
    put(TfNnApis.SIGMOID_CROSS_ENTROPY_WITH_LOGITS,
        p -> tf(p, TfNn.sigmoidCrossEntropyWithLogits(p.tensor("labels"), p.tensor("logits"))));
    put(TfNnApis.WEIGHTED_CROSS_ENTROPY_WITH_LOGITS, p -> tf(p, TfNn.weightedCrossEntropyWithLogits(p.tensor("labels"),
        p.tensor("logits"), p.tensor("pos_weight"))));
  }

  static {
    put(TorchApis.KL_DIV, p -> grads(p, () -> OtherLosses.klDiv(p.tensor("input"), p.tensor("target"),
        p.string("reduction"), p.flag("log_target"))));
    put(TorchApis.POISSON_NLL_LOSS, p -> grads(p, () -> OtherLosses.poissonNll(p.tensor("input"), p.tensor("target"),
        p.flag("log_input"), p.flag("full"), p.real("eps"), p.string("reduction"))));
    put(TorchApis.GAUSSIAN_NLL_LOSS, p -> grads(p, () -> OtherLosses.gaussianNll(p.tensor("input"), p.tensor("target"),
        p.tensor("var"), p.flag("full"), p.real("eps"), p.string("reduction"))));
    put(TorchApis.HINGE_EMBEDDING_LOSS, p -> grads(p, () -> OtherLosses.hingeEmbedding(p.tensor("input"),
        p.tensor("target"), p.real("margin"), p.string("reduction"))));
    put(TorchApis.L1_LOSS, p -> grads(p, () -> OtherLosses.l1(p.tensor("input"), p.tensor("target"),
        p.string("reduction"))));
    put(TorchApis.COSINE_EMBEDDING_LOSS, p -> grads(p, () -> CosineEmbeddingLoss.apply(p.tensor("input1"),
        p.tensor("input2"), p.tensor("target"), p.real("margin"), p.string("reduction"))));
  }

  static {
    put(KerasApis.KL_DIVERGENCE, p -> kerasFn(p, (t, y, w) -> KerasRegression.klDivergence(t, y, w, kerasReduction(p))));
    put(KerasApis.POISSON, p -> kerasFn(p, (t, y, w) -> KerasRegression.poisson(t, y, w, kerasReduction(p))));
    put(KerasApis.HINGE, p -> kerasFn(p, (t, y, w) -> KerasRegression.hinge(t, y, w, kerasReduction(p))));
    put(KerasApis.MEAN_ABSOLUTE_ERROR,
        p -> kerasFn(p, (t, y, w) -> KerasRegression.meanAbsoluteError(t, y, w, kerasReduction(p))));
    put(KerasApis.COSINE_SIMILARITY, p -> {
      long axis = p.integer("axis");
      return kerasFn(p, (t, y, w) -> KerasRegression.cosineSimilarity(t, y, w, axis, kerasReduction(p)));
    });
    put(TfNnApis.LOG_POISSON_LOSS, p -> {
      boolean full = p.flag("compute_full_loss");
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
    put(TorchApis.CTC_LOSS, p -> {
      CtcLoss loss = CtcLoss.options()
          .blank(p.integer("blank"))
          .reduction(p.torchReduction())
          .zeroInfinity(p.flag("zero_infinity"))
          .build();
      Tensor logProbs = p.tensor("log_probs");
      Tensor targets = p.tensor("targets");
      Tensor inputLengths = p.tensor("input_lengths");
      Tensor targetLengths = p.tensor("target_lengths");
      p.requireAllRead();
      CtcLoss.Result r = loss.apply(logProbs, targets, inputLengths, targetLengths);
      Map<String, Tensor> out = new LinkedHashMap<>();
      out.put("loss", r.loss());
      out.put("grad_log_probs", r.gradLogProbs());
      out.put("grad_logits", r.gradLogits());
      return out;
    });
    put(TfNnApis.CTC_LOSS, p -> {
      boolean timeMajor = p.flag("logits_time_major");
      Long blankIndex = p.optionalLong("blank_index");
      if (blankIndex == null) {
        throw new UnsupportedCaseException("tf.nn.ctc_loss without blank_index is the dense-label path"
            + " (ctc_loss_dense), which is not implemented in Java");
      }
      return tf(p, TfCtcLoss.ctcLoss(p.tensor("labels"), p.tensor("logits"),
          p.tensor("label_length"), p.tensor("logit_length"), blankIndex, timeMajor));
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
    p.string("reduction");
    p.requireAllRead();
    LossAndGrad r = f.apply(yTrue, yPred, sw);
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    out.put("grad_y_pred", r.gradInput());
    return out;
  }

  private Apis() {}

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

  private static KerasReduction.Mode kerasReduction(Params p) {
    return KerasReduction.Mode.of(p.string("reduction"));
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
    Adapter a = APIS.get(api);
    if (a == null) {
      throw new UnsupportedCaseException("api " + api + " is not implemented in Java");
    }
    return a.run().apply(new Params(a.api(), params, inputs));
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
