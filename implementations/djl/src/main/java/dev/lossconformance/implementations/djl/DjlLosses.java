package dev.lossconformance.implementations.djl;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.HingeLoss;
import ai.djl.training.loss.L1Loss;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SigmoidBinaryCrossEntropyLoss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
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
import java.util.Locale;
import java.util.Map;

/**
 * DJL 0.36.0's built-in losses ({@code ai.djl.training.loss}, artifact {@code ai.djl:api:0.36.0}) on
 * DJL's PyTorch engine ({@code ai.djl.pytorch:pytorch-engine:0.36.0}, libtorch 2.7.1 CPU from {@code
 * pytorch-native-cpu:2.7.1:linux-x86_64}), called as DJL's users call them: {@code
 * loss.evaluate(new NDList(label), new NDList(prediction))} inside a {@code
 * Engine.newGradientCollector()}, with {@code prediction.setRequiresGradient(true)}, {@code
 * collector.backward(loss)} and {@code prediction.getGradient()}. The engine is started once (static);
 * every call runs in its own sub-manager, closed afterwards.
 *
 * <p>Every DJL loss returns {@code loss.mean()} over all elements (and may multiply by a scalar {@code
 * weight}; this adapter always leaves it at 1, the default except for {@code L2Loss}). So only the
 * {@code mean} reductions ({@code reduction="mean"}, Keras {@code "sum_over_batch_size"}) are run;
 * {@code none}/{@code sum} are declined, and {@code check --derived-mean} turns the {@code none}
 * goldens into one mean case per element or row. The gradient is that of the returned mean, which is
 * what the fixtures' {@code grad_<input>} of {@code loss.sum()} is for a scalar loss: {@code
 * grad_input}/{@code grad_y_pred} always, {@code grad_target} for PyTorch apis with a floating target.
 *
 * <p>Sources read (from {@code api-0.36.0-sources.jar} and {@code pytorch-engine-0.36.0-sources.jar}
 * on Maven Central): {@code ai/djl/training/loss/SoftmaxCrossEntropyLoss.java} ({@code evaluate}:
 * {@code fromLogit} applies {@code logSoftmax(classAxis)}; without it the prediction is used as
 * log-probabilities as is, no log is taken; sparse labels are picked with {@code
 * NDIndex.addPickDim}, dense labels are {@code -sum(pred * label, classAxis)}), {@code
 * SigmoidBinaryCrossEntropyLoss.java} ({@code fromSigmoid=false}: {@code relu(x) - x*y +
 * softPlus(-|x|)}; {@code fromSigmoid=true}: {@code log(p + 1e-12)*y + log(1 - p + 1e-12)*(1 - y)}),
 * {@code L1Loss.java} ({@code |label - pred|}), {@code HingeLoss.java} ({@code relu(margin -
 * label*pred)}, {@code int margin}), and {@code ai/djl/pytorch/jni/JniUtils.java#pick} (how a
 * label of lower rank is expanded before {@code torch.gather}).
 *
 * <p>Mapping, per api (what is the library's and what the adapter does around it):
 *
 * <ul>
 *   <li>{@code torch.nn.functional.cross_entropy}, class-index targets: {@code new
 *       SoftmaxCrossEntropyLoss("ce", 1, classAxis, true, true)}, label = {@code target}, prediction
 *       = {@code input}; {@code classAxis} = 1 (0 for an unbatched {@code [C]} input). The adapter
 *       reshapes a K-dim target {@code [N, d1, ...]} to {@code [N, 1, d1, ...]} (the class axis as a
 *       size-1 axis) because DJL documents sparse labels as {@code [batch_size]} and its {@code
 *       JniUtils.pick} expands only a label that is a leading slice of the prediction's shape; an
 *       unbatched scalar target is reshaped to {@code [1]}. Probability targets: the same loss with
 *       {@code sparseLabel=false}.
 *   <li>{@code torch.nn.functional.nll_loss}: {@code SoftmaxCrossEntropyLoss("nll", 1, classAxis,
 *       true, false)}: with {@code fromLogit=false} DJL takes the input as log-probabilities
 *       unchanged, which is nll_loss's input; same reshapes as above.
 *   <li>{@code torch.nn.functional.binary_cross_entropy_with_logits}: {@code
 *       SigmoidBinaryCrossEntropyLoss("bce", 1, false)}, label = {@code target}, prediction = {@code
 *       input}.
 *   <li>{@code torch.nn.functional.binary_cross_entropy}: {@code SigmoidBinaryCrossEntropyLoss("bce",
 *       1, true)} (input already a probability).
 *   <li>{@code torch.nn.functional.l1_loss}: {@code L1Loss("l1", 1)}.
 *   <li>{@code keras.losses.SparseCategoricalCrossentropy(from_logits=True)}: {@code
 *       SoftmaxCrossEntropyLoss("scce", 1, -1, true, true)}, label = {@code y_true}, prediction =
 *       {@code y_pred}.
 *   <li>{@code keras.losses.CategoricalCrossentropy(from_logits=True, axis)}: {@code
 *       SoftmaxCrossEntropyLoss("cce", 1, axis, false, true)}.
 *   <li>{@code keras.losses.BinaryCrossentropy(from_logits)}: {@code
 *       SigmoidBinaryCrossEntropyLoss("bce", 1, !from_logits)}.
 *   <li>{@code keras.losses.MeanAbsoluteError}: {@code L1Loss("mae", 1)}.
 *   <li>{@code keras.losses.Hinge}: {@code HingeLoss("hinge", 1, 1)} (margin 1 as Keras).
 * </ul>
 *
 * <p>Keras computes in float32 whatever the input dtype (it converts {@code y_true} and {@code y_pred}
 * to its floatx). DJL's {@code NDArray.toType} cannot carry that cast inside the gradient collector:
 * on the PyTorch engine it is not differentiable (the JNI {@code torchTo} runs under a {@code
 * torch::NoGradGuard}; {@code backward} then fails with "element 0 of tensors does not require grad").
 * So for Keras apis the adapter rounds float64 inputs to float32 in Java before creating the arrays,
 * and returns the float32 gradient as a float64 tensor for a float64 {@code y_pred} (the backward of
 * a cast). Keras' per-sample mean over the last axis followed by {@code sum_over_batch_size} is, for
 * equal-length rows, the mean over all elements, which is what DJL returns. PyTorch apis get the
 * input dtype as is (float32 or float64 NDArrays), and for a floating {@code target} the adapter also
 * sets {@code target.setRequiresGradient(true)} and returns DJL's {@code grad_target}. Integer class
 * indices are passed as int64 arrays.
 *
 * <p>Errors: where DJL itself refuses a call, its exception is translated to an {@link ErrorKind} from
 * its text: libtorch's {@code index ... is out of bounds} to an index-out-of-range error; DJL's and
 * libtorch's shape complaints ({@code shape}, {@code size}, {@code expand shape failed}) to a shape
 * mismatch; anything else is rethrown and fails the case. The adapter adds no check of its own.
 *
 * <p>Not mapped: {@code L2Loss} ({@code 0.5 * MSE} by default; the catalog has no mean-squared-error
 * api), {@code MaskedSoftmaxCrossEntropyLoss} (a per-sequence mean over the full length with a
 * sequence mask; no catalog api divides that way), {@code QuantileL1Loss}, {@code HingeLoss} for
 * {@code torch.nn.functional.hinge_embedding_loss} (other maths: {@code x} for {@code y = 1}), and
 * the rest of the catalog (KL, Poisson, Gaussian NLL, cosine, CTC, {@code tf.nn.*}, which has no
 * reduction).
 */
public final class DjlLosses implements LossImplementation {

  private static final String TORCH = "torch.nn.functional.";
  private static final String KERAS = "keras.losses.";

  static final String R_MEAN_ONLY = "DJL losses return only the mean (reduction none/sum: see the derived mean cases)";
  static final String R_NO_LOSS = "no DJL 0.36 built-in loss computes this api";
  static final String R_TFNN = "tf.nn returns unreduced losses; DJL losses return only the mean";
  static final String R_WEIGHTS = "tensor weights (class weight, weight, pos_weight, sample_weight): DJL losses take only a scalar weight";
  static final String R_SMOOTHING = "label smoothing: DJL's losses have none";
  static final String R_IGNORE = "ignore_index / ignore_class in effect: DJL's losses have none";
  static final String R_PROBS = "probability inputs (from_logits=False): DJL's SoftmaxCrossEntropyLoss takes logits or log-probabilities";
  static final String R_BROADCAST = "label needs broadcasting: DJL reshapes the label to the prediction's shape";
  static final String R_HINGE01 = "Keras Hinge with {0,1} labels converts them to -1/1; DJL's HingeLoss takes labels as given";

  private static final Engine ENGINE;
  private static final NDManager BASE;

  static {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.pytorch.num_threads", "1");
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    ENGINE = Engine.getEngine("PyTorch");
    BASE = ENGINE.newBaseManager();
  }

  @Override
  public String name() {
    return "djl-0.36";
  }

  @Override
  public String description() {
    return "DJL 0.36.0 built-in losses (ai.djl.training.loss) on the PyTorch engine " + ENGINE.getVersion()
        + ", gradients through DJL's GradientCollector; mean only";
  }

  @Override
  public String unsupported(FixtureCase c) {
    return unsupported(c.api(), c.params(), c.inputs());
  }

  static String unsupported(String api, Map<String, Object> params, Map<String, Tensor> inputs) {
    if (api.startsWith("tf.nn.")) {
      return R_TFNN;
    }
    if (!MAPPED.contains(api)) {
      return R_NO_LOSS;
    }
    Object reduction = params.get("reduction");
    String red = reduction == null ? (api.startsWith(KERAS) ? "sum_over_batch_size" : "mean") : reduction.toString();
    if (!red.equals("mean") && !red.equals("sum_over_batch_size")) {
      return R_MEAN_ONLY;
    }
    if (inputs.containsKey("weight") || inputs.containsKey("pos_weight") || inputs.containsKey("sample_weight")) {
      return R_WEIGHTS;
    }
    if (params.get("label_smoothing") instanceof Number s && s.doubleValue() != 0) {
      return R_SMOOTHING;
    }
    switch (api) {
      case TORCH + "cross_entropy", TORCH + "nll_loss" -> {
        Tensor target = inputs.get("target");
        long ignore = params.get("ignore_index") instanceof Number n ? n.longValue() : -100;
        if (target != null && !target.dtype().isFloating()) {
          for (int i = 0; i < target.numel(); i++) {
            if (target.getLong(i) == ignore) {
              return R_IGNORE;
            }
          }
        } else if (ignore >= 0) {
          return R_IGNORE; // PyTorch: a non-negative ignore_index with probability targets
        }
      }
      case KERAS + "SparseCategoricalCrossentropy" -> {
        if (Boolean.FALSE.equals(params.get("from_logits"))) {
          return R_PROBS;
        }
        if (params.get("ignore_class") instanceof Number n) {
          Tensor t = inputs.get("y_true");
          for (int i = 0; i < t.numel(); i++) {
            if (t.getLong(i) == n.longValue()) {
              return R_IGNORE;
            }
          }
        }
      }
      case KERAS + "CategoricalCrossentropy" -> {
        if (Boolean.FALSE.equals(params.get("from_logits"))) {
          return R_PROBS;
        }
      }
      case KERAS + "Hinge" -> {
        Tensor t = inputs.get("y_true");
        boolean binary = t.numel() > 0;
        for (int i = 0; i < t.numel(); i++) {
          double v = t.getDouble(i);
          binary &= v == 0 || v == 1;
        }
        if (binary) {
          return R_HINGE01;
        }
        if (needsBroadcast(t, inputs.get("y_pred"))) {
          return R_BROADCAST;
        }
      }
      case TORCH + "l1_loss" -> {
        if (needsBroadcast(inputs.get("target"), inputs.get("input"))) {
          return R_BROADCAST;
        }
      }
      case KERAS + "MeanAbsoluteError" -> {
        if (needsBroadcast(inputs.get("y_true"), inputs.get("y_pred"))) {
          return R_BROADCAST;
        }
      }
      default -> { }
    }
    return null;
  }

  private static final java.util.Set<String> MAPPED = java.util.Set.of(
      TORCH + "cross_entropy", TORCH + "nll_loss", TORCH + "binary_cross_entropy",
      TORCH + "binary_cross_entropy_with_logits", TORCH + "l1_loss",
      KERAS + "SparseCategoricalCrossentropy", KERAS + "CategoricalCrossentropy", KERAS + "BinaryCrossentropy",
      KERAS + "MeanAbsoluteError", KERAS + "Hinge");

  /** Shapes that differ but broadcast together (NumPy rules): PyTorch/Keras broadcast, DJL reshapes. */
  static boolean needsBroadcast(Tensor label, Tensor pred) {
    int[] a = label.shape();
    int[] b = pred.shape();
    if (Arrays.equals(a, b)) {
      return false;
    }
    for (int i = 1; i <= Math.max(a.length, b.length); i++) {
      int x = i <= a.length ? a[a.length - i] : 1;
      int y = i <= b.length ? b[b.length - i] : 1;
      if (x != y && x != 1 && y != 1) {
        return false; // not broadcastable: let DJL meet it
      }
    }
    return true;
  }

  @Override
  public Map<String, Tensor> run(LossCall call) {
    String why = unsupported(call.api(), call.params(), call.inputs());
    if (why != null) {
      throw new UnsupportedCallException(why);
    }
    String api = call.api();
    Map<String, Object> p = call.params();
    Map<String, Tensor> in = call.inputs();
    boolean keras = api.startsWith(KERAS);
    String predName = keras ? "y_pred" : "input";
    String labelName = keras ? "y_true" : "target";
    Tensor pred = in.get(predName);
    Tensor label = in.get(labelName);

    // Keras converts y_pred and y_true to float32 (its floatx) whatever their dtype. DJL's
    // NDArray.toType is not differentiable on the PyTorch engine (its JNI torchTo runs under a
    // NoGradGuard), so the adapter rounds the values to float32 in Java before creating the arrays,
    // and returns the float32 gradient as float64 for a float64 y_pred (the backward of a cast).
    DType kerasIn = pred.dtype();
    if (keras) {
      pred = toFloat32(pred);
      label = label.dtype().isFloating() ? toFloat32(label) : label;
    }
    boolean targetGrad = !keras && label.dtype().isFloating();
    try (NDManager m = BASE.newSubManager(); GradientCollector gc = ENGINE.newGradientCollector()) {
      NDArray x = toNd(m, pred);
      x.setRequiresGradient(true);
      NDArray t = toNd(m, label);
      if (targetGrad) {
        t.setRequiresGradient(true); // PyTorch cases carry grad_target for a floating target
      }
      NDArray y = t;
      NDArray xIn = x;
      Loss loss;
      switch (api) {
        case TORCH + "cross_entropy", TORCH + "nll_loss" -> {
          boolean sparse = !label.dtype().isFloating();
          int classAxis = pred.rank() == 1 ? 0 : 1;
          if (sparse) {
            y = y.reshape(classIndexShape(label.shape(), pred.rank()));
          }
          loss = new SoftmaxCrossEntropyLoss(api.endsWith("nll_loss") ? "nll" : "ce", 1, classAxis, sparse,
              api.endsWith("cross_entropy"));
        }
        case KERAS + "SparseCategoricalCrossentropy" -> {
          if (label.rank() == 0) {
            y = y.reshape(1); // an unbatched scalar label, as for PyTorch above
          }
          loss = new SoftmaxCrossEntropyLoss("scce", 1, -1, true, true);
        }
        case KERAS + "CategoricalCrossentropy" -> {
          int axis = p.get("axis") instanceof Number n ? n.intValue() : -1;
          loss = new SoftmaxCrossEntropyLoss("cce", 1, axis, false, true);
        }
        case TORCH + "binary_cross_entropy" -> loss = new SigmoidBinaryCrossEntropyLoss("bce", 1, true);
        case TORCH + "binary_cross_entropy_with_logits" -> loss = new SigmoidBinaryCrossEntropyLoss("bce", 1, false);
        case KERAS + "BinaryCrossentropy" -> loss = new SigmoidBinaryCrossEntropyLoss("bce", 1,
            !Boolean.TRUE.equals(p.get("from_logits")));
        case TORCH + "l1_loss" -> loss = new L1Loss("l1", 1);
        case KERAS + "MeanAbsoluteError" -> loss = new L1Loss("mae", 1);
        case KERAS + "Hinge" -> loss = new HingeLoss("hinge", 1, 1);
        default -> throw new UnsupportedCallException(R_NO_LOSS);
      }
      NDArray l = loss.evaluate(new NDList(y), new NDList(xIn));
      gc.backward(l);
      Map<String, Tensor> out = new LinkedHashMap<>();
      out.put("loss", fromNd(l));
      Tensor g = fromNd(x.getGradient());
      out.put("grad_" + predName, keras && kerasIn == DType.FLOAT64 ? toFloat64(g) : g);
      if (targetGrad) {
        out.put("grad_" + labelName, fromNd(t.getGradient()));
      }
      return out;
    } catch (EngineException | IllegalArgumentException | IllegalStateException e) {
      throw translate(e);
    }
  }

  /** A class-index target's shape for DJL's pick: K-dim {@code [N, d...]} gets a size-1 class axis. */
  static long[] classIndexShape(int[] target, int predRank) {
    if (predRank == 1) {
      return new long[] {1}; // unbatched: [] -> [1], picked along axis 0 of [C]
    }
    if (predRank == 2) {
      return Arrays.stream(target).asLongStream().toArray(); // [N]: DJL's documented sparse label
    }
    long[] s = new long[target.length + 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      s[i] = i == 1 ? 1 : (j < target.length ? target[j++] : 1);
    }
    return s;
  }

  private static RuntimeException translate(RuntimeException e) {
    String msg = String.valueOf(e.getMessage());
    String first = msg.lines().findFirst().orElse(msg);
    String low = msg.toLowerCase(Locale.ROOT);
    if (low.contains("out of bounds") || low.contains("index out of range")) {
      return new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE, "DJL: " + first, e);
    }
    if (low.contains("shape") || low.contains("size") || low.contains("dimension")) {
      return new LossArgumentException(ErrorKind.SHAPE_MISMATCH, "DJL: " + first, e);
    }
    return e;
  }

  private static Tensor toFloat32(Tensor t) {
    if (t.dtype() == DType.FLOAT32) {
      return t;
    }
    double[] d = t.toDoubleArray();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return Tensor.wrapFloats(f, t.shape());
  }

  private static Tensor toFloat64(Tensor t) {
    return t.dtype() == DType.FLOAT64 ? t : Tensor.wrapDoubles(t.toDoubleArray(), t.shape());
  }

  private static NDArray toNd(NDManager m, Tensor t) {
    Shape shape = new Shape(Arrays.stream(t.shape()).asLongStream().toArray());
    return switch (t.dtype()) {
      case FLOAT32 -> m.create(t.backingFloats().clone(), shape);
      case FLOAT64 -> m.create(t.toDoubleArray(), shape);
      default -> m.create(t.toLongArray(), shape);
    };
  }

  private static Tensor fromNd(NDArray a) {
    int[] shape = Arrays.stream(a.getShape().getShape()).mapToInt(Math::toIntExact).toArray();
    return switch (a.getDataType()) {
      case FLOAT32 -> Tensor.wrapFloats(a.toFloatArray(), shape);
      case FLOAT64 -> Tensor.wrapDoubles(a.toDoubleArray(), shape);
      default -> throw new IllegalStateException("DJL returned a " + a.getDataType() + " array");
    };
  }
}
