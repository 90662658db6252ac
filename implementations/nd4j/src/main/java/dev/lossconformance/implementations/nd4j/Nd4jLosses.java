package dev.lossconformance.implementations.nd4j;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.impl.LossCall;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.impl.UnsupportedCallException;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossCosineProximity;
import org.nd4j.linalg.lossfunctions.impl.LossHinge;
import org.nd4j.linalg.lossfunctions.impl.LossKLD;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossMAE;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossPoisson;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * ND4J / DL4J 1.0.0-M2.1 loss functions ({@code org.nd4j:nd4j-native:1.0.0-M2.1}, CPU backend) as
 * loss-conformance implementation {@code nd4j-1.0.0-M2.1}.
 *
 * <p>Every loss is called the way DL4J's output layer ({@code BaseOutputLayer}) calls it: an {@link
 * ILossFunction} from {@code org.nd4j.linalg.lossfunctions.impl} with a 2-D {@code [minibatch,
 * outputs]} {@code labels} array, the 2-D pre-output and an {@link IActivation}:
 * {@code computeScoreArray(labels, preOutput, activation, null)} (one score per example, i.e.
 * {@code reduction="none"}), {@code computeScore(labels, preOutput, activation, null, average)} (the
 * reduced score; {@code average=true} divides the summed score by the minibatch size {@code
 * scoreArr.size(0)}, not by the number of elements) and {@code computeGradient(labels, preOutput,
 * activation, null)} (the gradient of the summed score with respect to the pre-output, through the
 * activation's {@code backprop}). No mask and no label weights are passed except the class weights
 * of {@code cross_entropy} (the {@code weights} row vector of {@link LossMCXENT}). The library runs
 * in the input's dtype (float32 or float64 {@code INDArray}s; labels are cast to the pre-output's
 * dtype by the loss itself); Keras cases run in float32, as Keras does.
 *
 * <p>Source read: the {@code nd4j-api-1.0.0-M2.1-sources.jar} from Maven Central, {@code
 * org/nd4j/linalg/lossfunctions/impl/*.java} (same code as deeplearning4j's {@code
 * nd4j/nd4j-backends/nd4j-api-parent/nd4j-api/src/main/java/org/nd4j/linalg/lossfunctions/impl/} at
 * the M2.1 tag). Mapping, per fixture api:
 *
 * <table>
 *   <caption>api -&gt; DL4J call</caption>
 *   <tr><th>api</th><th>loss + activation</th><th>labels</th><th>what the adapter does</th></tr>
 *   <tr><td>{@code torch.nn.functional.cross_entropy}, class indices</td><td>{@link
 *       LossSparseMCXENT} + {@link ActivationSoftmax} ({@code weight} -&gt; its {@code weights})</td>
 *       <td>{@code target} as a float {@code [N, 1]} column of indices (what LossSparseMCXENT
 *       takes)</td><td>unbatched {@code [C]} input as {@code [1, C]}</td></tr>
 *   <tr><td>{@code torch.nn.functional.cross_entropy}, probabilities</td><td>{@link LossMCXENT} +
 *       {@link ActivationSoftmax} ({@code weight} -&gt; {@code weights})</td><td>{@code target}</td>
 *       <td>same</td></tr>
 *   <tr><td>{@code torch.nn.functional.binary_cross_entropy}</td><td>{@link LossBinaryXENT} + {@link
 *       ActivationIdentity}</td><td>{@code target}</td><td>element-wise layout (below)</td></tr>
 *   <tr><td>{@code torch.nn.functional.binary_cross_entropy_with_logits}</td><td>{@link
 *       LossBinaryXENT} + {@link ActivationSigmoid}</td><td>{@code target}</td><td>element-wise
 *       layout</td></tr>
 *   <tr><td>{@code torch.nn.functional.l1_loss}</td><td>{@link LossL1} + identity</td><td>{@code
 *       target}</td><td>element-wise layout; no {@code grad_target} (DL4J has no gradient with
 *       respect to labels)</td></tr>
 *   <tr><td>{@code torch.nn.functional.poisson_nll_loss}, {@code log_input=False, full=False}</td>
 *       <td>{@link LossPoisson} + identity ({@code eps} has no DL4J counterpart: LossPoisson
 *       computes {@code yhat - y*log(yhat)})</td><td>{@code target}</td><td>element-wise layout; no
 *       {@code grad_target}</td></tr>
 *   <tr><td>{@code keras.losses.CategoricalCrossentropy}</td><td>{@link LossMCXENT} + {@link
 *       ActivationSoftmax} ({@code from_logits=True}) or {@link ActivationIdentity}</td><td>{@code
 *       y_true}</td><td>row layout (below); float32</td></tr>
 *   <tr><td>{@code keras.losses.SparseCategoricalCrossentropy}</td><td>{@link LossSparseMCXENT} +
 *       softmax or identity</td><td>{@code y_true} as a float {@code [M, 1]} column</td><td>row
 *       layout; float32</td></tr>
 *   <tr><td>{@code keras.losses.BinaryCrossentropy}</td><td>{@link LossBinaryXENT} + {@link
 *       ActivationSigmoid} ({@code from_logits=True}) or identity</td><td>{@code y_true}</td><td>row
 *       layout; divides DL4J's per-example sum by {@code C} (Keras averages the last axis)</td></tr>
 *   <tr><td>{@code keras.losses.Poisson}</td><td>{@link LossPoisson} + identity</td><td>{@code
 *       y_true}</td><td>row layout; divides by {@code C}</td></tr>
 *   <tr><td>{@code keras.losses.Hinge}</td><td>{@link LossHinge} + identity</td><td>{@code
 *       y_true} as given (no {0,1} -&gt; {-1,1} conversion: DL4J has none)</td><td>row layout;
 *       divides by {@code C}</td></tr>
 *   <tr><td>{@code keras.losses.KLDivergence}</td><td>{@link LossKLD} + identity</td><td>{@code
 *       y_true}</td><td>row layout (DL4J's per-example sum is Keras's)</td></tr>
 *   <tr><td>{@code keras.losses.MeanAbsoluteError}</td><td>{@link LossMAE} + identity</td><td>{@code
 *       y_true}</td><td>row layout (LossMAE already averages the outputs)</td></tr>
 *   <tr><td>{@code keras.losses.CosineSimilarity}</td><td>{@link LossCosineProximity} +
 *       identity</td><td>{@code y_true}</td><td>row layout</td></tr>
 *   <tr><td>{@code tf.nn.softmax_cross_entropy_with_logits}</td><td>{@link LossMCXENT} +
 *       softmax</td><td>{@code labels}</td><td>row layout, {@code computeScoreArray} only</td></tr>
 *   <tr><td>{@code tf.nn.sparse_softmax_cross_entropy_with_logits}</td><td>{@link LossSparseMCXENT}
 *       + softmax</td><td>{@code labels} as a float column</td><td>row layout</td></tr>
 *   <tr><td>{@code tf.nn.sigmoid_cross_entropy_with_logits}</td><td>{@link LossBinaryXENT} + {@link
 *       ActivationSigmoid}</td><td>{@code labels}</td><td>element-wise layout</td></tr>
 * </table>
 *
 * <p>What the adapter computes itself, and nothing else:
 *
 * <ul>
 *   <li><b>Layouts (reshapes).</b> Row layout: {@code [..., C]} becomes {@code [M, C]} (leading axes
 *       flattened into the minibatch, as DL4J's RNN output layer flattens time steps), and DL4J's
 *       {@code [M, 1]} score array is reshaped back to {@code [...]}. Element-wise layout (PyTorch
 *       element-wise losses and {@code tf.nn.sigmoid_cross_entropy_with_logits}): every element is
 *       one example, {@code [numel, 1]}, so DL4J's per-example score is the per-element loss; then
 *       {@code computeScore(average=true)} divides by {@code numel}, which is PyTorch's mean.
 *       Inputs of different shapes are first given to DL4J in their own shapes so that its own
 *       {@code Preconditions} check refuses them.
 *   <li><b>Reductions.</b> {@code none} = {@code computeScoreArray}; {@code sum} = {@code
 *       computeScore(average=false)}; {@code mean} / {@code sum_over_batch_size} = {@code
 *       computeScore(average=true)}. The gradient is {@code computeGradient}, divided by the
 *       minibatch size {@code M} for a mean (DL4J's updater divides the summed gradient by the
 *       minibatch size the same way). For Keras {@code BinaryCrossentropy}, {@code Poisson} and
 *       {@code Hinge} the adapter also divides score and gradient by {@code C}: Keras's per-sample
 *       loss is the mean over the last axis where DL4J's is the sum.
 *   <li><b>Conversions.</b> Class indices to a float column; Keras float64 inputs to float32 (Keras
 *       computes in float32); the score ({@code computeScore} returns a Java double) rounded to the
 *       framework's loss dtype (float32 for Keras, the input's dtype otherwise).
 *   <li><b>Errors.</b> An {@code IllegalStateException}/{@code IllegalArgumentException} that DL4J
 *       throws about shapes or lengths becomes a {@code SHAPE_MISMATCH} {@link
 *       LossArgumentException}; an unknown reduction string is refused as {@code INVALID_VALUE}
 *       (DL4J has no reduction argument). Nothing else is validated: whatever DL4J accepts is
 *       returned as DL4J computed it.
 * </ul>
 *
 * <p>Not expressible, declined by {@link #unsupported}: apis with no DL4J loss of the same formula
 * ({@code nll_loss} and {@code kl_div} take log-probabilities; {@code hinge_embedding_loss}, {@code
 * cosine_embedding_loss}, {@code gaussian_nll_loss}, {@code ctc_loss}, {@code tf.nn.ctc_loss},
 * {@code log_poisson_loss}, {@code weighted_cross_entropy_with_logits}: no exponential activation
 * or no such loss), label smoothing, {@code ignore_index}/{@code ignore_class}, Keras {@code
 * sample_weight} (DL4J has 0/1 masks, not weights), element weights and {@code pos_weight} of
 * binary cross-entropy, the class-weighted mean of index targets (PyTorch divides by the targets'
 * weight sum, DL4J's {@code average} by the minibatch size), class axes other than the last
 * (PyTorch K-dim inputs), rank-0 Keras inputs, broadcasting, {@code poisson_nll_loss} with {@code
 * log_input=True} or {@code full=True}.
 */
public final class Nd4jLosses implements LossImplementation {
  /** ND4J starts once (backend, natives from ~/.javacpp/cache), on the first case, not per case. */
  private static final class Engine {
    static final boolean READY = start();

    private static boolean start() {
      Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
      Nd4j.create(DataType.FLOAT, 1, 1).addi(1);
      return true;
    }
  }

  private enum Family { TORCH, KERAS, TFNN }

  private enum Layout { ROWS, ELEMENTS }

  /** How one api is called: the loss, its activation, names, layout and the adapter's divisions. */
  private record Plan(
      ILossFunction loss, IActivation activation, Family family, Layout layout, boolean sparse,
      boolean perOutputMean, String pred, String label) {}

  @Override
  public String name() {
    return "nd4j-1.0.0-M2.1";
  }

  @Override
  public String description() {
    return "ND4J/DL4J 1.0.0-M2.1 loss functions (org.nd4j.linalg.lossfunctions.impl, nd4j-native CPU) called as"
        + " DL4J's output layer calls them";
  }

  private static String api(String full) {
    return full.substring(full.lastIndexOf('.') + 1);
  }

  @Override
  public String unsupported(FixtureCase c) {
    String api = c.api();
    Map<String, Object> p = c.params();
    Map<String, Tensor> in = c.inputs();
    switch (api) {
      case "torch.nn.functional.cross_entropy" -> {
        if (number(p.get("label_smoothing"), 0) != 0) {
          return "label smoothing: DL4J losses have none";
        }
        if (number(p.get("ignore_index"), -100) != -100) {
          return "ignore_index / ignore_class: DL4J losses have none";
        }
        Tensor target = in.get("target");
        if (!target.dtype().isFloating()) {
          long ignore = (long) number(p.get("ignore_index"), -100);
          for (long t : target.toLongArray()) {
            if (t == ignore) {
              return "ignore_index / ignore_class: DL4J losses have none";
            }
          }
        }
        if (in.get("input").rank() > 2) {
          return "class axis other than the last (K-dim inputs): DL4J losses take [minibatch, classes]";
        }
        if (in.get("weight") != null && !in.get("target").dtype().isFloating()
            && "mean".equals(p.getOrDefault("reduction", "mean"))) {
          return "class-weighted mean of index targets: DL4J's average divides by the minibatch size,"
              + " PyTorch by the targets' weight sum";
        }
        return null;
      }
      case "torch.nn.functional.binary_cross_entropy", "torch.nn.functional.binary_cross_entropy_with_logits" -> {
        if (in.get("weight") != null || in.get("pos_weight") != null) {
          return "element weights / pos_weight of binary cross-entropy: DL4J's weights are one per output column";
        }
        return null;
      }
      case "torch.nn.functional.l1_loss" -> {
        return broadcasting(in.get("input"), in.get("target"));
      }
      case "torch.nn.functional.poisson_nll_loss" -> {
        if (!Boolean.FALSE.equals(p.get("log_input")) || Boolean.TRUE.equals(p.get("full"))) {
          return "poisson_nll_loss with log_input=True or full=True: DL4J has no exponential activation"
              + " and no Stirling term";
        }
        return null;
      }
      case "keras.losses.CategoricalCrossentropy", "keras.losses.SparseCategoricalCrossentropy",
          "keras.losses.BinaryCrossentropy", "keras.losses.KLDivergence", "keras.losses.Poisson",
          "keras.losses.Hinge", "keras.losses.MeanAbsoluteError", "keras.losses.CosineSimilarity" -> {
        if (number(p.get("label_smoothing"), 0) != 0) {
          return "label smoothing: DL4J losses have none";
        }
        if (p.containsKey("ignore_class") && p.get("ignore_class") != null) {
          return "ignore_index / ignore_class: DL4J losses have none";
        }
        if (in.get("sample_weight") != null) {
          return "Keras sample_weight: DL4J has 0/1 masks, not sample weights";
        }
        Tensor pred = in.get("y_pred");
        if (pred.rank() == 0) {
          return "rank-0 inputs: DL4J losses take [minibatch, outputs]";
        }
        Object axis = p.get("axis");
        if (axis instanceof Long a && a != -1 && a != pred.rank() - 1) {
          return "class axis other than the last (K-dim inputs): DL4J losses take [minibatch, classes]";
        }
        if (api.endsWith("MeanAbsoluteError")) {
          return broadcasting(pred, in.get("y_true"));
        }
        return null;
      }
      case "tf.nn.softmax_cross_entropy_with_logits", "tf.nn.sparse_softmax_cross_entropy_with_logits",
          "tf.nn.sigmoid_cross_entropy_with_logits" -> {
        Object axis = p.get("axis");
        if (axis instanceof Long a && a != -1 && a != in.get("logits").rank() - 1) {
          return "class axis other than the last (K-dim inputs): DL4J losses take [minibatch, classes]";
        }
        return null;
      }
      default -> {
        return "api " + api(api) + ": no DL4J loss function of the same formula";
      }
    }
  }

  private static String broadcasting(Tensor a, Tensor b) {
    if (Arrays.equals(a.shape(), b.shape())) {
      return null;
    }
    int[] x = a.shape();
    int[] y = b.shape();
    for (int i = 1; i <= Math.min(x.length, y.length); i++) {
      int u = x[x.length - i];
      int v = y[y.length - i];
      if (u != v && u != 1 && v != 1) {
        return null; // not broadcastable: DL4J's shape check is what refuses it
      }
    }
    return "broadcasting inputs of different shapes: DL4J losses take labels of the pre-output's shape";
  }

  private static double number(Object o, double dflt) {
    return o instanceof Number n ? n.doubleValue() : dflt;
  }

  private static Plan plan(LossCall call) {
    Map<String, Object> p = call.params();
    Map<String, Tensor> in = call.inputs();
    boolean logits = Boolean.TRUE.equals(p.get("from_logits"));
    IActivation softmaxOrId = logits ? new ActivationSoftmax() : new ActivationIdentity();
    IActivation sigmoidOrId = logits ? new ActivationSigmoid() : new ActivationIdentity();
    switch (call.api()) {
      case "torch.nn.functional.cross_entropy" -> {
        boolean sparse = !in.get("target").dtype().isFloating();
        Tensor w = in.get("weight");
        INDArray weights = w == null ? null : array(w, w.dtype()).reshape(1, w.numel());
        ILossFunction loss = sparse ? new LossSparseMCXENT(weights) : new LossMCXENT(weights);
        return new Plan(loss, new ActivationSoftmax(), Family.TORCH, Layout.ROWS, sparse, false, "input", "target");
      }
      case "torch.nn.functional.binary_cross_entropy" -> {
        return new Plan(new LossBinaryXENT(), new ActivationIdentity(), Family.TORCH, Layout.ELEMENTS, false, false,
            "input", "target");
      }
      case "torch.nn.functional.binary_cross_entropy_with_logits" -> {
        return new Plan(new LossBinaryXENT(), new ActivationSigmoid(), Family.TORCH, Layout.ELEMENTS, false, false,
            "input", "target");
      }
      case "torch.nn.functional.l1_loss" -> {
        return new Plan(new LossL1(), new ActivationIdentity(), Family.TORCH, Layout.ELEMENTS, false, false,
            "input", "target");
      }
      case "torch.nn.functional.poisson_nll_loss" -> {
        return new Plan(new LossPoisson(), new ActivationIdentity(), Family.TORCH, Layout.ELEMENTS, false, false,
            "input", "target");
      }
      case "keras.losses.CategoricalCrossentropy" -> {
        return new Plan(new LossMCXENT(), softmaxOrId, Family.KERAS, Layout.ROWS, false, false, "y_pred", "y_true");
      }
      case "keras.losses.SparseCategoricalCrossentropy" -> {
        return new Plan(new LossSparseMCXENT(), softmaxOrId, Family.KERAS, Layout.ROWS, true, false, "y_pred",
            "y_true");
      }
      case "keras.losses.BinaryCrossentropy" -> {
        return new Plan(new LossBinaryXENT(), sigmoidOrId, Family.KERAS, Layout.ROWS, false, true, "y_pred", "y_true");
      }
      case "keras.losses.Poisson" -> {
        return new Plan(new LossPoisson(), new ActivationIdentity(), Family.KERAS, Layout.ROWS, false, true, "y_pred",
            "y_true");
      }
      case "keras.losses.Hinge" -> {
        return new Plan(new LossHinge(), new ActivationIdentity(), Family.KERAS, Layout.ROWS, false, true, "y_pred",
            "y_true");
      }
      case "keras.losses.KLDivergence" -> {
        return new Plan(new LossKLD(), new ActivationIdentity(), Family.KERAS, Layout.ROWS, false, false, "y_pred",
            "y_true");
      }
      case "keras.losses.MeanAbsoluteError" -> {
        return new Plan(new LossMAE(), new ActivationIdentity(), Family.KERAS, Layout.ROWS, false, false, "y_pred",
            "y_true");
      }
      case "keras.losses.CosineSimilarity" -> {
        return new Plan(new LossCosineProximity(), new ActivationIdentity(), Family.KERAS, Layout.ROWS, false, false,
            "y_pred", "y_true");
      }
      case "tf.nn.softmax_cross_entropy_with_logits" -> {
        return new Plan(new LossMCXENT(), new ActivationSoftmax(), Family.TFNN, Layout.ROWS, false, false, "logits",
            "labels");
      }
      case "tf.nn.sparse_softmax_cross_entropy_with_logits" -> {
        return new Plan(new LossSparseMCXENT(), new ActivationSoftmax(), Family.TFNN, Layout.ROWS, true, false,
            "logits", "labels");
      }
      case "tf.nn.sigmoid_cross_entropy_with_logits" -> {
        return new Plan(new LossBinaryXENT(), new ActivationSigmoid(), Family.TFNN, Layout.ELEMENTS, false, false,
            "logits", "labels");
      }
      default -> throw new UnsupportedCallException("api " + api(call.api()) + ": no DL4J loss function of the same formula");
    }
  }

  @Override
  public Map<String, Tensor> run(LossCall call) {
    if (!Engine.READY) {
      throw new IllegalStateException("ND4J did not start");
    }
    Plan plan = plan(call);
    Tensor pred = call.inputs().get(plan.pred());
    Tensor label = call.inputs().get(plan.label());
    DType outDtype = pred.dtype();
    // Keras computes in float32 whatever the input dtype (the fixtures' Keras losses are float32)
    DType compute = plan.family() == Family.KERAS ? DType.FLOAT32 : pred.dtype();
    DType lossDtype = plan.family() == Family.KERAS ? DType.FLOAT32 : pred.dtype();
    String reduction = plan.family() == Family.TFNN ? "none"
        : String.valueOf(call.params().getOrDefault("reduction", plan.family() == Family.KERAS
            ? "sum_over_batch_size" : "mean"));
    boolean mean = switch (reduction) {
      case "mean", "sum_over_batch_size" -> true;
      case "sum", "none" -> false;
      default -> throw new LossArgumentException(ErrorKind.INVALID_VALUE, reduction + " is not a valid value for reduction");
    };

    int[] ps = pred.shape();
    int[] ls = label.shape();
    long rows;
    long cols;
    int[] scoreShape; // the framework's shape of the unreduced loss
    if (plan.layout() == Layout.ELEMENTS) {
      rows = pred.numel();
      cols = 1;
      scoreShape = ps;
    } else {
      cols = ps.length == 0 ? 1 : ps[ps.length - 1];
      rows = cols == 0 ? 0 : pred.numel() / cols;
      scoreShape = ps.length == 0 ? ps : Arrays.copyOf(ps, ps.length - 1);
    }
    boolean labelShapeOk = plan.sparse() ? Arrays.equals(ls, scoreShape) : Arrays.equals(ls, ps);
    INDArray preOut = array(pred, compute);
    INDArray labels = array(label, compute);
    try {
      if (!labelShapeOk) {
        // give DL4J the arrays in their own (2-D) shapes: its Preconditions check refuses them
        INDArray l2 = plan.sparse() ? labels.reshape(label.numel(), 1) : as2d(labels, ls);
        INDArray p2 = as2d(preOut, ps);
        plan.loss().computeScoreArray(l2, p2, plan.activation(), null);
        throw new IllegalStateException("DL4J accepted labels of shape " + Arrays.toString(ls)
            + " for a pre-output of shape " + Arrays.toString(ps));
      }
      if (rows == 0 && plan.activation() instanceof ActivationSoftmax) {
        // not called: ND4J 1.0.0-M2.1 aborts the JVM (SIGSEGV in sd::ops::helpers::softmax_) on a
        // [0, C] array (FINDINGS.md); the case fails with this message instead of ending the run
        throw new IllegalStateException("not called: ND4J 1.0.0-M2.1's softmax crashes the JVM (SIGSEGV in"
            + " libnd4jcpu sd::ops::helpers::softmax_) on an empty [0, " + cols + "] minibatch");
      }
      INDArray p2 = preOut.reshape(rows, cols);
      INDArray l2 = plan.sparse() ? labels.reshape(rows, 1) : labels.reshape(rows, cols);
      double divide = plan.perOutputMean() ? cols : 1;

      Map<String, Tensor> out = new LinkedHashMap<>();
      if (reduction.equals("none")) {
        INDArray scores = plan.loss().computeScoreArray(l2, p2, plan.activation(), null);
        if (divide != 1) {
          scores = scores.div(divide);
        }
        out.put("loss", tensor(scores, lossDtype, scoreShape));
      } else {
        double score = plan.loss().computeScore(l2, p2, plan.activation(), null, mean) / divide;
        out.put("loss", Tensor.ofFloating(lossDtype, new double[] {score}));
      }
      INDArray grad = plan.loss().computeGradient(l2, p2, plan.activation(), null);
      double gradDivide = divide * (mean ? rows : 1);
      if (gradDivide != 1) {
        grad = grad.div(gradDivide);
      }
      out.put("grad_" + plan.pred(), tensor(grad, outDtype, ps));
      return out;
    } catch (IllegalStateException | IllegalArgumentException e) {
      if (e instanceof LossArgumentException) {
        throw e;
      }
      String m = String.valueOf(e.getMessage());
      if (m.contains("shape") || m.contains("does not match") || m.contains("length")) {
        throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, "DL4J: " + m, e);
      }
      throw e;
    }
  }

  private static INDArray as2d(INDArray a, int[] shape) {
    if (shape.length == 2) {
      return a;
    }
    if (shape.length < 2) {
      return a.reshape(1, Math.max(1, a.length()));
    }
    return a.reshape(a.length() / shape[shape.length - 1], shape[shape.length - 1]);
  }

  /** An INDArray of the tensor's values (class indices become floats) in {@code dtype}. */
  private static INDArray array(Tensor t, DType dtype) {
    long[] shape = new long[t.rank()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.size(i);
    }
    DataType dt = dtype == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
    if (dtype == DType.FLOAT32 && t.dtype() == DType.FLOAT32) {
      float[] f = new float[t.numel()];
      t.floats().get(f);
      return Nd4j.create(f, shape, DataType.FLOAT);
    }
    double[] d = t.toDoubleArray();
    if (dtype == DType.FLOAT32) {
      float[] f = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        f[i] = (float) d[i];
      }
      return Nd4j.create(f, shape, DataType.FLOAT);
    }
    return Nd4j.create(d, shape, dt);
  }

  private static Tensor tensor(INDArray a, DType dtype, int[] shape) {
    double[] d = a.length() == 0 ? new double[0] : a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    return Tensor.ofFloating(dtype, d, shape);
  }
}
