package dev.lossconformance.generator.engine;

import static dev.lossconformance.generator.runtime.TfGraph.pyShape;
import static org.tensorflow.proto.DataType.DT_FLOAT;
import static org.tensorflow.proto.DataType.DT_INT32;
import static org.tensorflow.proto.DataType.DT_INT64;

import dev.lossconformance.api.KerasApis;
import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.generator.runtime.TfGraph;
import dev.lossconformance.generator.runtime.TfGraph.KernelFails;
import dev.lossconformance.generator.runtime.TfGraph.Node;
import dev.lossconformance.generator.runtime.TfGraph.PythonError;
import dev.lossconformance.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.tensorflow.proto.DataType;

/**
 * The TensorFlow APIs of the catalog as graphs of raw TF ops, following the Python source op by op.
 *
 * <p>Keras losses follow Keras 3.3.3 (tag v3.3.3 of keras-team/keras, the release contemporary with
 * TF 2.16): {@code keras/src/losses/loss.py} ({@code Loss.__call__}, {@code
 * squeeze_or_expand_to_same_rank}, {@code reduce_weighted_values}, {@code apply_mask}, {@code
 * reduce_values}), {@code keras/src/losses/losses.py} ({@code LossFunctionWrapper.call} and the loss
 * functions), {@code keras/src/backend/tensorflow/nn.py} (the three cross-entropies), {@code
 * keras/src/ops/nn.py} {@code _normalize} with {@code backend/tensorflow/linalg.py} {@code norm}
 * (CosineSimilarity) and {@code keras/src/backend/tensorflow/numpy.py} / {@code core.py} (mean, sum,
 * prod, where, cast, clip, log, abs, maximum, equal, all, cond, convert_to_tensor). The tf.nn
 * functions follow TF 2.16's {@code tensorflow/python/ops/nn_ops.py} ({@code
 * softmax_cross_entropy_with_logits_v2_helper}, {@code sparse_softmax_cross_entropy_with_logits}) and
 * {@code nn_impl.py} ({@code sigmoid_cross_entropy_with_logits}, {@code
 * weighted_cross_entropy_with_logits_v2}, {@code log_poisson_loss}), and
 * {@code tf.clip_by_value} is {@code clip_ops.py}'s Minimum then Maximum. No source is copied;
 * comments name the function each step reproduces.
 *
 * <p>Python numbers become constants the way TF converts them: a Python float meeting a float32
 * tensor is rounded once to float32 ({@code 1 - 1e-7} is computed in double, then rounded); a Python
 * int passed to {@code tf.cast} becomes an int32 constant and a Cast op. Shape arithmetic that
 * Python does on eager shapes ({@code ops.shape(x)}, {@code tf.shape(x)[...]}) becomes int32
 * constants holding the same values. Python-level checks raise the Python exception with the
 * source's message before any kernel runs.
 */
public final class TfLosses {

  static final String SCCE = KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY_NAME;
  static final String CCE = KerasApis.CATEGORICAL_CROSSENTROPY_NAME;
  static final String BCE = KerasApis.BINARY_CROSSENTROPY_NAME;
  static final String SOFTMAX_XENT = TfNnApis.SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME;
  static final String SPARSE_SOFTMAX_XENT = TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME;
  static final String SIGMOID_XENT = TfNnApis.SIGMOID_CROSS_ENTROPY_WITH_LOGITS_NAME;
  static final String WEIGHTED_XENT = TfNnApis.WEIGHTED_CROSS_ENTROPY_WITH_LOGITS_NAME;
  static final String KLD = KerasApis.KL_DIVERGENCE_NAME;
  static final String POISSON = KerasApis.POISSON_NAME;
  static final String COSINE = KerasApis.COSINE_SIMILARITY_NAME;
  static final String HINGE = KerasApis.HINGE_NAME;
  static final String MAE = KerasApis.MEAN_ABSOLUTE_ERROR_NAME;
  static final String LOG_POISSON = TfNnApis.LOG_POISSON_LOSS_NAME;
  static final String CTC = TfCtc.API;

  /** Every API this backend runs, in the order provenance lists them. */
  static final List<String> APIS = List.of(SCCE, CCE, BCE, KLD, POISSON, COSINE, HINGE, MAE, SOFTMAX_XENT,
      SPARSE_SOFTMAX_XENT, SIGMOID_XENT, WEIGHTED_XENT, LOG_POISSON, CTC);

  /** {@code keras.backend.epsilon()}, a Python float. */
  private static final double EPSILON = 1e-7;

  /** Keras 3.3.3 {@code Loss.__init__}: {@code self.dtype = dtype or backend.floatx()}, and no loss passes a dtype. */
  private static final DataType FLOATX = DT_FLOAT;

  private static final String SUM_OVER_BATCH_SIZE = "sum_over_batch_size";

  /** The loss, the name of the input the gradient is taken with respect to, and that input. */
  public record Built(Node loss, String predictionName, Node prediction) {}

  /** The backend cannot express the case (unknown API, param or input). */
  public static final class UnsupportedCase extends Exception {
    private static final long serialVersionUID = 1L;

    UnsupportedCase(String reason) {
      super(reason);
    }
  }

  private TfLosses() {}

  /**
   * Builds {@code c} in {@code g}. Public (with {@link Built} and {@link UnsupportedCase}) so that the
   * benchmarks ({@code benchmarks/.../TfConfigurations}) time exactly the graphs the goldens come from.
   */
  public static Built build(TfGraph g, Call c) throws UnsupportedCase, PythonError, KernelFails {
    return switch (c.api()) {
      case SCCE -> keras(g, c, Set.of("from_logits", "ignore_class", "reduction"));
      case CCE, BCE -> keras(g, c, Set.of("from_logits", "label_smoothing", "axis", "reduction"));
      case KLD, POISSON, HINGE, MAE -> keras(g, c, Set.of("reduction"));
      case COSINE -> keras(g, c, Set.of("axis", "reduction"));
      case SOFTMAX_XENT -> {
        checkSignature(c, Set.of("axis"), List.of("labels", "logits"), List.of());
        Node labels = g.input(c.input("labels"));
        Node logits = g.input(c.input("logits"));
        yield new Built(softmaxXent(g, labels, logits, axis(c)), "logits", logits);
      }
      case SPARSE_SOFTMAX_XENT -> {
        checkSignature(c, Set.of(), List.of("labels", "logits"), List.of());
        DType labelType = c.input("labels").dtype();
        if (labelType != DType.INT64 && labelType != DType.INT32) {
          throw new UnsupportedCase(c.api() + " takes int32 or int64 labels; got " + labelType);
        }
        Node labels = g.input(c.input("labels"));
        Node logits = g.input(c.input("logits"));
        yield new Built(sparseSoftmaxXent(g, labels, logits), "logits", logits);
      }
      case SIGMOID_XENT -> {
        checkSignature(c, Set.of(), List.of("labels", "logits"), List.of());
        Node labels = g.input(c.input("labels"));
        Node logits = g.input(c.input("logits"));
        yield new Built(sigmoidXent(g, labels, logits), "logits", logits);
      }
      case WEIGHTED_XENT -> {
        checkSignature(c, Set.of(), List.of("labels", "logits", "pos_weight"), List.of());
        Node labels = g.input(c.input("labels"));
        Node logits = g.input(c.input("logits"));
        Node posWeight = g.input(c.input("pos_weight"));
        yield new Built(weightedXent(g, labels, logits, posWeight), "logits", logits);
      }
      case LOG_POISSON -> {
        checkSignature(c, Set.of("compute_full_loss"), List.of("targets", "log_input"), List.of());
        boolean full = truthy(c, "compute_full_loss");
        Node targets = g.input(c.input("targets"));
        Node logInput = g.input(c.input("log_input"));
        yield new Built(logPoissonLoss(g, targets, logInput, full), "log_input", logInput);
      }
      case CTC -> TfCtc.build(g, c);
      default -> throw new UnsupportedCase("api " + c.api() + " has no TensorFlow recipe in TensorFlowBackend");
    };
  }

  // ================================================================ Keras 3.3.3

  /** The per-sample losses of a Keras loss function and the {@code _keras_mask} it set, if any. */
  private record Losses(Node values, Node mask) {}

  /** {@code Loss.__call__(y_true, y_pred, sample_weight)} (loss.py) around the API's function. */
  private static Built keras(TfGraph g, Call c, Set<String> params) throws UnsupportedCase, PythonError, KernelFails {
    checkSignature(c, params, List.of("y_true", "y_pred"), List.of("sample_weight"));
    boolean fromLogits = truthy(c, "from_logits");
    String reduction = reduction(c);
    Node yPredIn = g.input(c.input("y_pred"));
    Node yTrueIn = g.input(c.input("y_true"));
    Node sampleWeight = c.inputs().containsKey("sample_weight") ? g.input(c.input("sample_weight")) : null;

    // Loss.__call__: ops.convert_to_tensor(x, dtype=self.dtype) on y_pred, then y_true; a Cast op
    // when the dtype differs (core.py convert_to_tensor), so float64 and int64 inputs become float32
    Node yPred = g.cast(yPredIn, FLOATX);
    Node yTrue = g.cast(yTrueIn, FLOATX);
    // LossFunctionWrapper.call (losses.py)
    Node[] pair = squeezeOrExpandToSameRank(g, yTrue, yPred);
    yTrue = pair[0];
    yPred = pair[1];
    Losses losses = switch (c.api()) {
      case SCCE -> sparseCategoricalCrossentropy(g, yTrue, yPred, fromLogits, ignoreClass(c));
      case CCE -> new Losses(categoricalCrossentropy(g, yTrue, yPred, fromLogits, labelSmoothing(c), axis(c)), null);
      case BCE -> new Losses(binaryCrossentropy(g, yTrue, yPred, fromLogits, labelSmoothing(c), axis(c)), null);
      case KLD -> new Losses(klDivergence(g, yTrue, yPred), null);
      case POISSON -> new Losses(poisson(g, yTrue, yPred), null);
      case COSINE -> new Losses(cosineSimilarity(g, yTrue, yPred, axis(c)), null);
      case HINGE -> new Losses(hinge(g, yTrue, yPred), null);
      case MAE -> new Losses(meanAbsoluteError(g, yTrue, yPred), null);
      default -> throw new AssertionError(c.api());
    };
    // the only mask is the loss' own _keras_mask (plain tensors carry no input mask)
    Node loss = reduceWeightedValues(g, losses.values(), sampleWeight, losses.mask(), reduction);
    return new Built(loss, "y_pred", yPredIn);
  }

  /**
   * losses.py {@code sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class,
   * axis=-1)}.
   */
  private static Losses sparseCategoricalCrossentropy(TfGraph g, Node yTrue, Node yPred, boolean fromLogits,
      Long ignoreClass) throws PythonError, KernelFails, UnsupportedCase {
    Node validMask = null;
    long[] resShape = null;
    if (ignoreClass != null) {
      resShape = Arrays.copyOf(yPred.shape(), Math.max(yPred.rank() - 1, 0)); // ops.shape(y_pred)[:-1]
      // ops.not_equal(y_true, ops.cast(ignore_class, y_pred.dtype))
      validMask = g.binary("NotEqual", yTrue, g.cast(pythonInt(g, ignoreClass), yPred.dtype()));
      // y_true * cast(valid_mask); y_pred * cast(expand_dims(valid_mask, -1))
      yTrue = g.binary("Mul", yTrue, g.cast(validMask, yTrue.dtype()));
      Node expanded = g.expandDims(validMask, validMask.rank()); // numpy.py expand_dims canonicalises -1
      yPred = g.binary("Mul", yPred, g.cast(expanded, yPred.dtype()));
    }
    Node res = backendSparseCategoricalCrossentropy(g, yTrue, yPred, fromLogits);
    if (ignoreClass != null) {
      validMask = g.reshape(validMask, resShape);
      // ops.where(valid_mask, res, 0.0): tf.where, i.e. SelectV2, with 0.0 converted to float32
      res = g.select("SelectV2", validMask, res, g.scalar(res.dtype(), 0.0));
      return new Losses(res, validMask); // res._keras_mask = valid_mask
    }
    return new Losses(res, null);
  }

  /** backend/tensorflow/nn.py {@code sparse_categorical_crossentropy(target, output, from_logits, axis=-1)}. */
  private static Node backendSparseCategoricalCrossentropy(TfGraph g, Node target, Node output, boolean fromLogits)
      throws PythonError, KernelFails, UnsupportedCase {
    // _get_logits: an eager tensor has no producing op and no _keras_logits, so nothing changes
    Node t = g.cast(target, DT_INT64); // tf.cast(target, dtype="int64")
    if (t.rank() == 0 && output.rank() == 0) {
      throw new UnsupportedCase("scalar y_true and y_pred: Keras indexes the empty target.shape[-1] (an IndexError not reproduced)");
    }
    if (t.rank() == output.rank() && t.shape()[t.rank() - 1] == 1) {
      t = g.squeeze(t, -1); // tf.squeeze(target, axis=-1)
    }
    if (output.rank() < 1) {
      throw new PythonError("ValueError", "Argument `output` must be at least rank 1. Received: output.shape=" + pyShape(output.shape()));
    }
    if (t.rank() != output.rank() - 1) {
      throw new PythonError("ValueError", "Argument `output` must have rank (ndim) `target.ndim - 1`. Received: target.shape="
          + pyShape(t.shape()) + ", output.shape=" + pyShape(output.shape()));
    }
    for (int d = 0; d < t.rank(); d++) {
      if (t.shape()[d] != output.shape()[d]) {
        throw new PythonError("ValueError", "Arguments `target` and `output` must have the same shape up until the last"
            + " dimension: target.shape=" + pyShape(t.shape()) + ", output.shape=" + pyShape(output.shape()));
      }
    }
    Node o = output;
    if (!fromLogits) {
      o = g.unary("Log", clipByValue(g, o, EPSILON, 1 - EPSILON));
    }
    return sparseSoftmaxXent(g, t, o);
  }

  /** losses.py {@code categorical_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)}. */
  private static Node categoricalCrossentropy(TfGraph g, Node yTrue, Node yPred, boolean fromLogits, double labelSmoothing,
      long axis) throws PythonError, KernelFails, UnsupportedCase {
    // y_true = ops.cast(y_true, y_pred.dtype): both are float32 already
    if (labelSmoothing != 0) { // `if label_smoothing:`
      if (yTrue.rank() == 0) {
        throw new PythonError("IndexError", "tuple index out of range"); // ops.shape(y_true)[-1] on ()
      }
      // num_classes = ops.cast(ops.shape(y_true)[-1], y_pred.dtype): shape[-1] (not shape[axis])
      Node numClasses = g.cast(pythonInt(g, yTrue.shape()[yTrue.rank() - 1]), yPred.dtype());
      // y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
      Node kept = g.binary("Mul", yTrue, g.scalar(yTrue.dtype(), 1.0 - labelSmoothing));
      Node spread = g.binary("RealDiv", g.scalar(numClasses.dtype(), labelSmoothing), numClasses);
      yTrue = g.binary("AddV2", kept, spread);
    }
    return backendCategoricalCrossentropy(g, yTrue, yPred, fromLogits, axis);
  }

  /** backend/tensorflow/nn.py {@code categorical_crossentropy(target, output, from_logits, axis)}. */
  private static Node backendCategoricalCrossentropy(TfGraph g, Node target, Node output, boolean fromLogits, long axis)
      throws PythonError, KernelFails, UnsupportedCase {
    String shapes = "target.shape=" + pyShape(target.shape()) + ", output.shape=" + pyShape(output.shape());
    if (target.rank() < 1) {
      throw new PythonError("ValueError", "Arguments `target` and `output` must be at least rank 1. Received: " + shapes);
    }
    if (target.rank() != output.rank()) {
      throw new PythonError("ValueError", "Arguments `target` and `output` must have the same rank (ndim). Received: " + shapes);
    }
    if (!Arrays.equals(target.shape(), output.shape())) {
      throw new PythonError("ValueError", "Arguments `target` and `output` must have the same shape. Received: " + shapes);
    }
    if (fromLogits) {
      return softmaxXent(g, target, output, axis);
    }
    // output / tf.reduce_sum(output, axis, keepdims=True): the probabilities are renormalised
    Node o = g.binary("RealDiv", output, g.reduce("Sum", output, new long[] {axis}, true));
    o = clipByValue(g, o, EPSILON, 1.0 - EPSILON);
    // -tf.reduce_sum(target * tf.math.log(output), axis)
    Node product = g.binary("Mul", target, g.unary("Log", o));
    return g.unary("Neg", g.reduce("Sum", product, new long[] {axis}, false));
  }

  /** losses.py {@code binary_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)}. */
  private static Node binaryCrossentropy(TfGraph g, Node yTrue, Node yPred, boolean fromLogits, double labelSmoothing,
      long axis) throws PythonError, KernelFails {
    if (labelSmoothing != 0) { // y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
      Node kept = g.binary("Mul", yTrue, g.scalar(yTrue.dtype(), 1.0 - labelSmoothing));
      yTrue = g.binary("AddV2", kept, g.scalar(yTrue.dtype(), 0.5 * labelSmoothing));
    }
    Node elementwise = backendBinaryCrossentropy(g, yTrue, yPred, fromLogits);
    // ops.mean(..., axis=axis): numpy.py mean, tf.reduce_mean in float32 (casts are no-ops)
    return g.reduce("Mean", elementwise, new long[] {axis}, false);
  }

  /** backend/tensorflow/nn.py {@code binary_crossentropy(target, output, from_logits)}. */
  private static Node backendBinaryCrossentropy(TfGraph g, Node target, Node output, boolean fromLogits)
      throws PythonError, KernelFails {
    String shapes = "target.shape=" + pyShape(target.shape()) + ", output.shape=" + pyShape(output.shape());
    if (target.rank() != output.rank()) {
      throw new PythonError("ValueError", "Arguments `target` and `output` must have the same rank (ndim). Received: " + shapes);
    }
    if (!Arrays.equals(target.shape(), output.shape())) {
      throw new PythonError("ValueError", "Arguments `target` and `output` must have the same shape. Received: " + shapes);
    }
    if (fromLogits) {
      return sigmoidXent(g, target, output);
    }
    Node o = clipByValue(g, output, EPSILON, 1.0 - EPSILON);
    Node one = g.scalar(o.dtype(), 1);
    Node bce = g.binary("Mul", target, g.unary("Log", o)); // target * log(output)
    // bce += (1 - target) * log(1 - output)
    Node rest = g.binary("Mul", g.binary("Sub", one, target), g.unary("Log", g.binary("Sub", one, o)));
    bce = g.binary("AddV2", bce, rest);
    return g.unary("Neg", bce);
  }

  /**
   * losses.py {@code kl_divergence(y_true, y_pred)}: {@code ops.clip} (numpy.py clip, i.e.
   * {@code tf.clip_by_value}) of both to {@code [1e-7, 1]}, then {@code sum(t * log(t / p), axis=-1)}.
   */
  private static Node klDivergence(TfGraph g, Node yTrue, Node yPred) throws PythonError, KernelFails {
    // convert_to_tensor(y_true, y_pred.dtype): both float32 already
    Node t = clipByValue(g, yTrue, EPSILON, 1); // ops.clip(y_true, backend.epsilon(), 1)
    Node p = clipByValue(g, yPred, EPSILON, 1); // ops.clip(y_pred, backend.epsilon(), 1)
    Node v = g.binary("Mul", t, g.unary("Log", g.binary("RealDiv", t, p))); // y_true * ops.log(y_true / y_pred)
    return g.reduce("Sum", v, new long[] {-1}, false); // ops.sum(..., axis=-1): tf.reduce_sum
  }

  /** losses.py {@code poisson(y_true, y_pred)}: {@code mean(p - y * log(p + 1e-7), axis=-1)}, no clipping. */
  private static Node poisson(TfGraph g, Node yTrue, Node yPred) throws PythonError, KernelFails {
    // epsilon = ops.convert_to_tensor(backend.epsilon()): tf.convert_to_tensor of a Python float is float32
    Node epsilon = g.scalar(DT_FLOAT, EPSILON);
    Node log = g.unary("Log", g.binary("AddV2", yPred, epsilon)); // ops.log(y_pred + epsilon)
    Node v = g.binary("Sub", yPred, g.binary("Mul", yTrue, log)); // y_pred - y_true * log
    return g.reduce("Mean", v, new long[] {-1}, false); // ops.mean(..., axis=-1): tf.reduce_mean in float32
  }

  /**
   * losses.py {@code cosine_similarity(y_true, y_pred, axis)}: {@code normalize} y_pred then y_true,
   * then {@code -sum(y_true * y_pred, axis)}.
   */
  private static Node cosineSimilarity(TfGraph g, Node yTrue, Node yPred, long axis)
      throws PythonError, KernelFails {
    // convert_to_tensor(y_true, y_pred.dtype) is a no-op; squeeze_or_expand_to_same_rank already ran
    Node p = normalize(g, yPred, axis);
    Node t = normalize(g, yTrue, axis);
    Node sum = g.reduce("Sum", g.binary("Mul", t, p), new long[] {axis}, false); // ops.sum(y_true * y_pred, axis)
    return g.unary("Neg", sum); // unary minus on the tensor
  }

  /**
   * ops/nn.py {@code _normalize(x, axis, order=2)} (what {@code numerical_utils.normalize} calls for
   * a tensor): ExpandDims of a scalar; backend/tensorflow/linalg.py {@code norm(x, ord=2, axis,
   * keepdims=True)} = {@code tf.sqrt(tf.reduce_sum(x * tf.math.conj(x)))} (conj of a real tensor is
   * the tensor itself, no op); {@code maximum(norm, 1e-7)}; {@code divide(x, denom)} (RealDiv).
   */
  private static Node normalize(TfGraph g, Node x, long axis) throws PythonError, KernelFails {
    if (x.rank() == 0) {
      x = g.expandDims(x, 0); // backend.numpy.expand_dims(x, axis=0)
    }
    int ndim = x.rank();
    if (axis < -ndim || axis >= ndim) { // linalg.py norm, with axis already made the tuple (axis,)
      throw new PythonError("ValueError", "All `axis` values must be in the range [-ndim, ndim). Received inputs"
          + " with ndim=" + ndim + ", while axis=(" + axis + ",)");
    }
    Node norm = g.unary("Sqrt", g.reduce("Sum", g.binary("Mul", x, x), new long[] {axis}, true));
    Node denom = g.binary("Maximum", norm, g.scalar(norm.dtype(), EPSILON)); // numpy.maximum(norm, epsilon)
    return g.binary("RealDiv", x, denom); // numpy.divide: tf.divide, float32
  }

  /**
   * losses.py {@code hinge(y_true, y_pred)}: {@code convert_binary_labels_to_hinge}, then {@code
   * mean(maximum(1 - y_true * y_pred, 0), axis=-1)}.
   */
  private static Node hinge(TfGraph g, Node yTrue, Node yPred) throws PythonError, KernelFails {
    // convert_to_tensor(y_pred); ops.cast(y_true, y_pred.dtype): both float32 already, no op
    Node t = convertBinaryLabelsToHinge(g, yTrue);
    Node margin = g.binary("Sub", g.scalar(yPred.dtype(), 1.0), g.binary("Mul", t, yPred)); // 1.0 - y_true * y_pred
    Node hinged = g.binary("Maximum", margin, g.scalar(margin.dtype(), 0.0)); // ops.maximum(., 0.0)
    return g.reduce("Mean", hinged, new long[] {-1}, false); // ops.mean(..., axis=-1)
  }

  /**
   * losses.py {@code convert_binary_labels_to_hinge(y_true)}: {@code is_binary = all(equal(y, 0) |
   * equal(y, 1))} over the whole tensor, then {@code ops.cond(is_binary, 2y - 1, y)}. {@code ops.cond}
   * is {@code tf.cond}, which in eager mode reads the predicate's value and runs only the branch
   * taken; so the predicate's ops run here first and the branch is built from their result.
   */
  private static Node convertBinaryLabelsToHinge(TfGraph g, Node yTrue) throws PythonError, KernelFails {
    // numpy.py equal(y_true, 0): the Python int becomes an int32 tensor; result_type(float32, int32)
    // is float32, so tf.cast of the int32 constant (a Cast op), then tf.equal
    Node areZeros = g.binary("Equal", yTrue, g.cast(pythonInt(g, 0), yTrue.dtype()));
    Node areOnes = g.binary("Equal", yTrue, g.cast(pythonInt(g, 1), yTrue.dtype()));
    // numpy.py logical_or (casts to bool are no-ops), all: tf.reduce_all over every axis
    Node isBinary = g.reduce("All", g.binary("LogicalOr", areZeros, areOnes), null, false);
    boolean binary = g.run(isBinary.out()).get(0).getLong(0) != 0;
    if (!binary) {
      return yTrue; // _return_labels_unconverted
    }
    // _convert_binary_labels: 2.0 * y_true - 1.0 (Tensor.__rmul__ puts the constant first)
    Node twice = g.binary("Mul", g.scalar(yTrue.dtype(), 2.0), yTrue);
    return g.binary("Sub", twice, g.scalar(yTrue.dtype(), 1.0));
  }

  /** losses.py {@code mean_absolute_error(y_true, y_pred)}: {@code mean(abs(y_true - y_pred), axis=-1)}. */
  private static Node meanAbsoluteError(TfGraph g, Node yTrue, Node yPred) throws PythonError, KernelFails {
    // the function's own squeeze_or_expand_to_same_rank is a no-op after LossFunctionWrapper.call's
    Node v = g.unary("Abs", g.binary("Sub", yTrue, yPred)); // ops.abs(y_true - y_pred): tf.abs
    return g.reduce("Mean", v, new long[] {-1}, false);
  }

  /** loss.py {@code squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True)}, on static shapes. */
  private static Node[] squeezeOrExpandToSameRank(TfGraph g, Node x1, Node x2) throws KernelFails {
    int r1 = x1.rank();
    int r2 = x2.rank();
    if (r1 == r2) {
      return new Node[] {x1, x2};
    }
    if (r1 == r2 + 1 && x1.shape()[r1 - 1] == 1) {
      if (r2 == 1) {
        x2 = g.expandDims(x2, r2); // ops.expand_dims(x2, axis=-1), axis canonicalised
      } else {
        x1 = g.squeeze(x1, r1 - 1); // ops.squeeze(x1, axis=-1), axis canonicalised
      }
    }
    if (r2 == r1 + 1 && x2.shape()[r2 - 1] == 1) {
      if (r1 == 1) {
        x1 = g.expandDims(x1, r1);
      } else {
        x2 = g.squeeze(x2, r2 - 1);
      }
    }
    return new Node[] {x1, x2};
  }

  /** loss.py {@code reduce_weighted_values(values, sample_weight, mask, reduction, dtype=float32)}. */
  private static Node reduceWeightedValues(TfGraph g, Node values, Node sampleWeight, Node mask, String reduction)
      throws PythonError, KernelFails {
    // ops.convert_to_tensor(..., dtype): values are float32; sample_weight and the bool mask get a Cast
    Node sw = sampleWeight == null ? null : g.cast(sampleWeight, FLOATX);
    Node m = mask == null ? null : g.cast(mask, FLOATX);
    // apply_mask(sample_weight, mask, dtype, reduction)
    if (m != null) {
      if (SUM_OVER_BATCH_SIZE.equals(reduction)) {
        // total = cast(prod(shape(mask))); valid = sum(mask); mask *= total / (valid + epsilon())
        Node total = g.cast(g.reduce("Prod", g.ints(m.shape()), null, false), FLOATX);
        Node valid = g.reduce("Sum", m, null, false);
        Node scale = g.binary("RealDiv", total, g.binary("AddV2", valid, g.scalar(FLOATX, EPSILON)));
        m = g.binary("Mul", m, scale);
      }
      if (sw != null) {
        Node[] pair = squeezeOrExpandToSameRank(g, m, sw);
        sw = g.binary("Mul", pair[1], pair[0]); // sample_weight *= mask
      } else {
        sw = m;
      }
    }
    Node v = values;
    if (sw != null) {
      Node[] pair = squeezeOrExpandToSameRank(g, v, sw);
      v = g.binary("Mul", pair[0], pair[1]); // values * sample_weight
    }
    return reduceValues(g, v, reduction);
  }

  /** loss.py {@code reduce_values(values, reduction)}. */
  private static Node reduceValues(TfGraph g, Node values, String reduction) throws PythonError, KernelFails {
    if (reduction == null || reduction.equals("none") || values.rank() == 0
        || (values.rank() == 1 && values.shape()[0] == 0)) {
      return values; // returned unchanged, whatever the reduction, for shapes () and (0,)
    }
    Node loss = g.reduce("Sum", values, null, false); // ops.sum(values)
    if (SUM_OVER_BATCH_SIZE.equals(reduction)) {
      // loss /= cast(prod(shape(values))): plain division (3.3.3 has no divide_no_nan here)
      Node count = g.cast(g.reduce("Prod", g.ints(values.shape()), null, false), loss.dtype());
      loss = g.binary("RealDiv", loss, count);
    }
    return loss;
  }

  // ================================================================ tf.nn (TF 2.16)

  /**
   * nn_ops.py {@code softmax_cross_entropy_with_logits_v2_helper(labels, logits, axis)}: Cast of the
   * labels to the logits' dtype, the Transpose moving {@code axis} last when {@code axis != -1},
   * {@code _flatten_outer_dims} (Reshape to [-1, C]), the kernel, and the Reshape of its loss to the
   * (transposed) input shape without its last dim. (float16/bfloat16 logits would be cast to
   * float32 first; the catalog has none.)
   */
  private static Node softmaxXent(TfGraph g, Node labels, Node logits, long axis)
      throws PythonError, KernelFails, UnsupportedCase {
    if (logits.rank() == 0 || labels.rank() == 0) {
      throw new UnsupportedCase("scalar logits or labels for softmax_cross_entropy_with_logits (a Slice error not reproduced)");
    }
    Node lab = g.cast(labels, logits.dtype());
    Node lg = logits;
    int rank = lg.rank();
    if (axis != -1) {
      // _move_dim_to_end: concat([range(axis), range(axis + 1, rank), [axis]]), Python's axis as given
      List<Long> perm = new ArrayList<>();
      LongStream.range(0, Math.max(axis, 0)).forEach(perm::add);
      LongStream.range(axis + 1, rank).forEach(perm::add);
      perm.add(axis);
      long[] p = perm.stream().mapToLong(Long::longValue).toArray();
      lg = g.transpose(lg, p);
      lab = g.transpose(lab, p);
    }
    long[] inputShape = lg.shape();
    Node flatLogits = g.reshape(lg, new long[] {-1, inputShape[rank - 1]});
    Node flatLabels = g.reshape(lab, new long[] {-1, lab.shape()[lab.rank() - 1]});
    Node cost = g.softmaxXent(flatLogits, flatLabels)[0];
    return g.reshape(cost, Arrays.copyOf(inputShape, rank - 1)); // output_shape = input_shape[:rank - 1]
  }

  /**
   * nn_ops.py {@code sparse_softmax_cross_entropy_with_logits(labels, logits)}: the static rank and
   * shape checks, then the kernel directly for rank-2 logits, else Reshape of the logits to [-1, C]
   * and of the labels to [-1], the kernel, and the Reshape of its loss to the labels' shape.
   */
  private static Node sparseSoftmaxXent(TfGraph g, Node labels, Node logits)
      throws PythonError, KernelFails, UnsupportedCase {
    if (logits.rank() == 0) {
      throw new UnsupportedCase("scalar logits: TF's ValueError quotes the tensor's repr, which is not reproduced");
    }
    if (labels.rank() != logits.rank() - 1) {
      throw new PythonError("ValueError", "`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: labels.shape="
          + pyShape(labels.shape()) + " of rank " + labels.rank() + " and logits.shape=" + pyShape(logits.shape())
          + " of rank " + logits.rank());
    }
    if (!Arrays.equals(labels.shape(), Arrays.copyOf(logits.shape(), logits.rank() - 1))) {
      throw new PythonError("ValueError", "`labels.shape` must equal `logits.shape` except for the last dimension. Received:"
          + " labels.shape=" + pyShape(labels.shape()) + " and logits.shape=" + pyShape(logits.shape()));
    }
    if (logits.rank() == 2) {
      return g.sparseSoftmaxXent(logits, labels)[0];
    }
    Node flatLogits = g.reshape(logits, new long[] {-1, logits.shape()[logits.rank() - 1]});
    Node flatLabels = g.reshape(labels, new long[] {-1});
    Node cost = g.sparseSoftmaxXent(flatLogits, flatLabels)[0];
    return g.reshape(cost, labels.shape());
  }

  /**
   * nn_impl.py {@code sigmoid_cross_entropy_with_logits(labels, logits)}: {@code max(x, 0) - x*z +
   * log1p(exp(-|x|))} with the max and the abs as {@code array_ops.where} (Select) on {@code x >= 0}.
   */
  private static Node sigmoidXent(TfGraph g, Node labels, Node logits) throws PythonError, KernelFails {
    checkSameShape(labels, logits);
    Node zeros = g.unary("ZerosLike", logits); // array_ops.zeros_like(logits, dtype=logits.dtype)
    Node cond = g.binary("GreaterEqual", logits, zeros);
    Node reluLogits = g.select("Select", cond, logits, zeros);
    Node negAbsLogits = g.select("Select", cond, g.unary("Neg", logits), logits);
    Node a = g.binary("Sub", reluLogits, g.binary("Mul", logits, labels));
    Node b = g.unary("Log1p", g.unary("Exp", negAbsLogits));
    return g.binary("AddV2", a, b);
  }

  /**
   * nn_impl.py {@code weighted_cross_entropy_with_logits_v2(labels, logits, pos_weight)}: {@code
   * (1 - z)*x + (1 + (q - 1)*z) * (log1p(exp(-|x|)) + relu(-x))}, with {@code pos_weight} a tensor.
   */
  private static Node weightedXent(TfGraph g, Node labels, Node logits, Node posWeight) throws PythonError, KernelFails {
    checkSameShape(labels, logits);
    // log_weight = 1 + (pos_weight - 1) * labels
    Node logWeight = g.binary("Mul", g.binary("Sub", posWeight, g.scalar(posWeight.dtype(), 1)), labels);
    logWeight = g.binary("AddV2", g.scalar(logWeight.dtype(), 1), logWeight);
    // (1 - labels) * logits
    Node a = g.binary("Mul", g.binary("Sub", g.scalar(labels.dtype(), 1), labels), logits);
    // log_weight * (log1p(exp(-abs(logits))) + relu(-logits))
    Node softplus = g.unary("Log1p", g.unary("Exp", g.unary("Neg", g.unary("Abs", logits))));
    Node b = g.binary("Mul", logWeight, g.binary("AddV2", softplus, g.unary("Relu", g.unary("Neg", logits))));
    return g.binary("AddV2", a, b);
  }

  /**
   * nn_impl.py {@code log_poisson_loss(targets, log_input, compute_full_loss)}: {@code exp(c) - c*z},
   * and with the full loss {@code + where(0 <= z <= 1, 0, z*log(z) - z + 0.5*log(2*pi*z))}, in the
   * inputs' dtype, no reduction.
   */
  private static Node logPoissonLoss(TfGraph g, Node targets, Node logInput, boolean full)
      throws PythonError, KernelFails, UnsupportedCase {
    // targets.get_shape().assert_is_compatible_with(log_input.get_shape()): fully known shapes must be equal
    if (!Arrays.equals(targets.shape(), logInput.shape())) {
      throw new PythonError("ValueError", "`log_input` and `targets` must have the same shape, received ("
          + pyShape(logInput.shape()) + " vs " + pyShape(targets.shape()) + ").");
    }
    if (logInput.dtype() != DataType.DT_FLOAT && logInput.dtype() != DataType.DT_DOUBLE) {
      throw new UnsupportedCase("log_input of dtype " + logInput.dtype() + ": Exp has no kernel for it (not reproduced)");
    }
    // math_ops.exp(log_input) - log_input * targets (a dtype mismatch fails at the Mul, as eager does)
    Node result = g.binary("Sub", g.unary("Exp", logInput), g.binary("Mul", logInput, targets));
    if (full) {
      // constant_op.constant(0.5, ...) and constant(2 * math.pi, dtype=targets.dtype): the Python float
      // rounded once to that dtype (targets has log_input's float dtype here, or the Mul failed)
      Node pointFive = g.scalar(targets.dtype(), 0.5);
      Node twoPi = g.scalar(targets.dtype(), 2 * Math.PI);
      // (targets * log(targets)) - targets + (point_five * log(two_pi * targets))
      Node stirling = g.binary("Sub", g.binary("Mul", targets, g.unary("Log", targets)), targets);
      Node half = g.binary("Mul", pointFive, g.unary("Log", g.binary("Mul", twoPi, targets)));
      stirling = g.binary("AddV2", stirling, half);
      // array_ops.zeros_like (eager, same dtype: ZerosLike); ones_like holds ones of targets' shape
      // (eager Python builds them as a constant or Fill; OnesLike gives the same exact ones)
      Node zeros = g.unary("ZerosLike", targets);
      Node ones = g.unary("OnesLike", targets);
      Node cond = g.binary("LogicalAnd", g.binary("GreaterEqual", targets, zeros), g.binary("LessEqual", targets, ones));
      // result += array_ops.where(cond, zeros, stirling_approx): where v1 is Select
      result = g.binary("AddV2", result, g.select("Select", cond, zeros, stirling));
    }
    return result;
  }

  /** The shape check of nn_impl.py's two sigmoid losses ({@code assert_is_compatible_with}). */
  private static void checkSameShape(Node labels, Node logits) throws PythonError {
    if (!Arrays.equals(labels.shape(), logits.shape())) {
      throw new PythonError("ValueError", "`logits` and `labels` must have the same shape, received ("
          + pyShape(logits.shape()) + " vs " + pyShape(labels.shape()) + ").");
    }
  }

  /**
   * {@code tf.clip_by_value(t, lo, hi)} (clip_ops.py): {@code Maximum(Minimum(t, hi), lo)}. Its
   * gradient, through the two ops' registered gradients, passes where {@code lo <= t <= hi} and is 0
   * outside.
   */
  private static Node clipByValue(TfGraph g, Node t, double lo, double hi) throws PythonError, KernelFails {
    Node tMin = g.binary("Minimum", t, g.scalar(t.dtype(), hi));
    return g.binary("Maximum", tMin, g.scalar(t.dtype(), lo));
  }

  /** A Python int converted to a tensor, as {@code tf.cast} does first: int32, or int64 when it does not fit. */
  private static Node pythonInt(TfGraph g, long v) {
    boolean fits = v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
    return g.scalar(fits ? DT_INT32 : DT_INT64, v);
  }

  // ================================================================ params

  private static void checkSignature(Call c, Set<String> params, List<String> required, List<String> optional)
      throws UnsupportedCase {
    for (String p : c.params().keySet()) {
      if (!params.contains(p)) {
        throw new UnsupportedCase("param " + p + " of " + c.api() + " is not passed by TensorFlowBackend");
      }
    }
    for (String name : c.inputs().keySet()) {
      if (!required.contains(name) && !optional.contains(name)) {
        throw new UnsupportedCase("input " + name + " of " + c.api() + " is not passed by TensorFlowBackend");
      }
    }
    for (String name : required) {
      if (!c.inputs().containsKey(name)) {
        throw new UnsupportedCase(c.api() + " needs input " + name + "; the call has " + c.inputs().keySet());
      }
    }
  }

  /** Python truthiness of a bool param; absent or None is false (every default here is False). */
  private static boolean truthy(Call c, String name) throws UnsupportedCase {
    Object v = c.params().get(name);
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new UnsupportedCase(name + " " + v + " is not a bool");
  }

  /** {@code standardize_reduction} of Keras 3.3.3; {@code null} stands for Python's None. */
  private static String reduction(Call c) throws UnsupportedCase, PythonError {
    if (!c.params().containsKey("reduction")) {
      return SUM_OVER_BATCH_SIZE;
    }
    Object v = c.params().get("reduction");
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new UnsupportedCase("reduction " + v + " is not a string");
    }
    if (!Set.of(SUM_OVER_BATCH_SIZE, "sum", "none").contains(s)) {
      // Python prints the allowed set in its (hash-seeded) iteration order; this is one such order
      throw new PythonError("ValueError", "Invalid value for argument `reduction`. Expected one of"
          + " {'sum_over_batch_size', 'sum', None, 'none'}. Received: reduction=" + s);
    }
    return s;
  }

  private static Long ignoreClass(Call c) throws UnsupportedCase {
    Object v = c.params().get("ignore_class");
    if (v == null) {
      return null;
    }
    if (v instanceof Long l) {
      return l;
    }
    throw new UnsupportedCase("ignore_class " + v + " is not an integer");
  }

  /** {@code label_smoothing}: default 0.0; None is falsy, so also no smoothing. */
  private static double labelSmoothing(Call c) throws UnsupportedCase {
    Object v = c.params().get("label_smoothing");
    if (v == null) {
      return 0.0;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new UnsupportedCase("label_smoothing " + v + " is not a number");
  }

  private static long axis(Call c) throws UnsupportedCase {
    if (!c.params().containsKey("axis")) {
      return -1;
    }
    Object v = c.params().get("axis");
    if (v instanceof Long l) {
      return l;
    }
    throw new UnsupportedCase("axis " + v + " is not an integer (axis=None is not reproduced)");
  }

  // ================================================================ provenance

  private static final String KERAS_FILES = "keras-team/keras v3.3.3 keras/src/losses/loss.py (Loss.__call__,"
      + " squeeze_or_expand_to_same_rank, reduce_weighted_values, apply_mask, reduce_values) and"
      + " keras/src/losses/losses.py (LossFunctionWrapper.call, %s), keras/src/backend/tensorflow/nn.py (%s),"
      + " numpy.py and core.py";

  private static final String KERAS_FILES_NUMPY = "keras-team/keras v3.3.3 keras/src/losses/loss.py (Loss.__call__,"
      + " squeeze_or_expand_to_same_rank, reduce_weighted_values, apply_mask, reduce_values) and"
      + " keras/src/losses/losses.py (LossFunctionWrapper.call, %s), keras/src/backend/tensorflow/numpy.py (%s)"
      + " and core.py";

  private static final String KERAS_CALL = "Loss.__call__ casts y_true, y_pred (and sample_weight) to float32"
      + " with Cast, whatever their dtype (3.3.3 has no dtype argument), and squeezes or expands a trailing"
      + " size-1 dim with Squeeze/ExpandDims";

  private static final String KERAS_REDUCTION = "reduction: [mask: Cast; sum_over_batch_size re-weights it by"
      + " Prod(shape), Cast, Sum, AddV2(+1e-7), RealDiv, Mul]; [sample_weight: Mul]; then none returns the"
      + " values, and a loss of shape () or (0,) is returned unchanged; else Sum over all axes, and for"
      + " sum_over_batch_size RealDiv by Cast(Prod(shape)) (plain division, 0/0 = NaN)";

  private static final String GRADIENT_REGISTRY = "the gradient of the summed loss comes from TF's C++ gradient"
      + " registry (TF Java Graph.addGradients = TF_AddGradients), whose functions for these ops compute what"
      + " TF Python's nn_grad.py/math_grad.py/array_grad.py compute";

  private static final String XENT_GRADIENT = "the kernel's own gradient is TF Python's registered one"
      + " (tensorflow/python/ops/nn_grad.py: ExpandDims(upstream, -1) * the kernel's backprop output), spliced"
      + " between two addGradients passes";

  private static final Map<String, String> PROVENANCE = new LinkedHashMap<>();

  static {
    PROVENANCE.put(SCCE, SCCE + ": Keras 3.3.3 reproduced op by op from " + String.format(KERAS_FILES,
        "sparse_categorical_crossentropy", "sparse_categorical_crossentropy") + ". " + KERAS_CALL
        + "; [ignore_class: Cast(Const int32), NotEqual, Cast, Mul on y_true; ExpandDims, Cast, Mul on y_pred];"
        + " Cast to int64; [from_logits=False: tf.clip_by_value = Minimum(p, 1-1e-7) then Maximum(., 1e-7)"
        + " (clip_ops.py), Log]; tf.nn.sparse_softmax_cross_entropy_with_logits (TF 2.16 nn_ops.py: Reshape glue"
        + " around the raw kernel SparseSoftmaxCrossEntropyWithLogits); [ignore_class: Reshape, SelectV2 with 0,"
        + " and the mask kept as _keras_mask]; " + KERAS_REDUCTION + ". Gradient: " + GRADIENT_REGISTRY
        + "; SparseSoftmaxCrossEntropyWithLogits has no C++ gradient, so " + XENT_GRADIENT + ".");
    PROVENANCE.put(CCE, CCE + ": Keras 3.3.3 reproduced op by op from " + String.format(KERAS_FILES,
        "categorical_crossentropy", "categorical_crossentropy") + ". " + KERAS_CALL
        + "; [label_smoothing: Mul(y, 1-eps), RealDiv(eps, Cast(shape(y_true)[-1])), AddV2 - the class count is"
        + " the last dim even when axis != -1]; from_logits=True: tf.nn.softmax_cross_entropy_with_logits(axis)"
        + " (TF 2.16 nn_ops.py: Transpose when axis != -1, Reshape to [-1, C], the raw kernel"
        + " SoftmaxCrossEntropyWithLogits, Reshape back); from_logits=False: Sum(keepdims) and RealDiv"
        + " (renormalisation), Minimum(., 1-1e-7), Maximum(., 1e-7), Log, Mul, Sum(axis), Neg; " + KERAS_REDUCTION
        + ". Gradient: " + GRADIENT_REGISTRY + "; for SoftmaxCrossEntropyWithLogits " + XENT_GRADIENT
        + " (the C++ gradient of that kernel is the same product but cannot be built for float64).");
    PROVENANCE.put(BCE, BCE + ": Keras 3.3.3 reproduced op by op from " + String.format(KERAS_FILES,
        "binary_crossentropy", "binary_crossentropy") + ". " + KERAS_CALL
        + "; [label_smoothing: Mul(y, 1-eps), AddV2(., 0.5*eps)]; from_logits=False: Minimum(p, 1-1e-7),"
        + " Maximum(., 1e-7), Log, Mul, Sub(1, y), Sub(1, p), Log, Mul, AddV2, Neg; from_logits=True: the"
        + " tf.nn.sigmoid_cross_entropy_with_logits composition (TF 2.16 nn_impl.py: ZerosLike, GreaterEqual,"
        + " Select, Neg, Select, Mul, Sub, Exp, Log1p, AddV2); then Mean over axis (so a rank-1 input gives a"
        + " scalar, which every reduction returns unchanged); " + KERAS_REDUCTION + ". Gradient: "
        + GRADIENT_REGISTRY + " (Minimum/Maximum pass the gradient where p <= 1-1e-7 and p >= 1e-7, 0 outside).");
    PROVENANCE.put(SOFTMAX_XENT, SOFTMAX_XENT + ": TF 2.16 nn_ops.py softmax_cross_entropy_with_logits_v2_helper"
        + " reproduced: Cast of the labels to the logits' dtype, Transpose moving axis last when axis != -1,"
        + " Reshape to [-1, C] (_flatten_outer_dims), the raw kernel SoftmaxCrossEntropyWithLogits (output 0),"
        + " Reshape to the input shape without the class dim; computed in the input dtype. Gradient: the"
        + " kernel's backprop output (output 1; times the upstream ones, nn_grad.py), carried back through the"
        + " Reshape/Transpose glue by TF's C++ gradient registry.");
    PROVENANCE.put(SPARSE_SOFTMAX_XENT, SPARSE_SOFTMAX_XENT + ": TF 2.16 nn_ops.py"
        + " sparse_softmax_cross_entropy_with_logits reproduced: its static rank/shape ValueErrors, then for"
        + " rank-2 logits the raw kernel SparseSoftmaxCrossEntropyWithLogits directly, else Reshape of logits to"
        + " [-1, C] and labels to [-1], the kernel, Reshape of the loss to the labels' shape. Gradient: the"
        + " kernel's backprop output (output 1; times the upstream ones, nn_grad.py), carried back through the"
        + " Reshape glue by TF's C++ gradient registry.");
    PROVENANCE.put(SIGMOID_XENT, SIGMOID_XENT + ": TF 2.16 nn_impl.py sigmoid_cross_entropy_with_logits"
        + " reproduced op by op (no single kernel exists): ZerosLike, GreaterEqual, Select (array_ops.where),"
        + " Neg, Select, Mul, Sub, Exp, Log1p, AddV2; no reduction. Gradient: " + GRADIENT_REGISTRY + ".");
    PROVENANCE.put(WEIGHTED_XENT, WEIGHTED_XENT + ": TF 2.16 nn_impl.py weighted_cross_entropy_with_logits_v2"
        + " reproduced op by op (no single kernel exists), pos_weight a tensor: Sub(q, 1), Mul, AddV2(1, .);"
        + " Sub(1, z), Mul; Abs, Neg, Exp, Log1p; Neg, Relu; AddV2, Mul, AddV2; no reduction. Gradient: "
        + GRADIENT_REGISTRY + ".");
    PROVENANCE.put(KLD, KLD + ": Keras 3.3.3 reproduced op by op from " + String.format(KERAS_FILES_NUMPY,
        "kl_divergence", "clip, log, sum") + ". " + KERAS_CALL
        + "; ops.clip = tf.clip_by_value(., 1e-7, 1) on y_true then y_pred (Minimum(., 1), Maximum(., 1e-7)),"
        + " RealDiv(t, p), Log, Mul(t, .), Sum(axis=-1); " + KERAS_REDUCTION + ". Gradient: " + GRADIENT_REGISTRY
        + " (Minimum/Maximum pass the gradient where 1e-7 <= p <= 1, 0 outside).");
    PROVENANCE.put(POISSON, POISSON + ": Keras 3.3.3 reproduced op by op from " + String.format(KERAS_FILES_NUMPY,
        "poisson", "log, mean") + ". " + KERAS_CALL
        + "; AddV2(p, float32 1e-7), Log, Mul(y, .), Sub(p, .), Mean(axis=-1) (no clipping: p + 1e-7 < 0 gives"
        + " NaN); " + KERAS_REDUCTION + ". Gradient: " + GRADIENT_REGISTRY + ".");
    PROVENANCE.put(COSINE, COSINE + ": Keras 3.3.3 reproduced op by op from " + String.format(KERAS_FILES_NUMPY,
        "cosine_similarity; keras/src/ops/nn.py _normalize; keras/src/backend/tensorflow/linalg.py norm",
        "expand_dims, maximum, divide, sum") + ". "
        + KERAS_CALL + "; normalize(y_pred, axis) then normalize(y_true, axis), each [ExpandDims of a scalar],"
        + " Mul(x, x), Sum(axis, keepdims), Sqrt, Maximum(., 1e-7), RealDiv(x, .) (a ValueError for an axis out"
        + " of range); Mul, Sum(axis), Neg: -cos, not 1 - cos; " + KERAS_REDUCTION + ". Gradient: "
        + GRADIENT_REGISTRY + " (at a zero y_pred row the norm is clamped to 1e-7, Maximum passes nothing back to it"
        + " and the SqrtGrad kernel returns 0 for a zero upstream gradient, so that row's gradient is finite:"
        + " -normalize(y_true) / 1e-7).");
    PROVENANCE.put(HINGE, HINGE + ": Keras 3.3.3 reproduced op by op from " + String.format(KERAS_FILES_NUMPY,
        "hinge, convert_binary_labels_to_hinge", "equal, logical_or, all, maximum, mean; cond in core.py") + ". "
        + KERAS_CALL + "; label conversion: Cast(Const int32 0 and 1), Equal, Equal,"
        + " LogicalOr, All over the whole y_true; ops.cond is eager tf.cond, which reads that predicate and runs one"
        + " branch, so the predicate is run first and only when every label is 0 or 1 is Mul(2, y), Sub(., 1) added"
        + " (a batch mixing 0 and -1 keeps its 0s); then Mul(y, p), Sub(1, .), Maximum(., 0), Mean(axis=-1); "
        + KERAS_REDUCTION + ". Gradient: " + GRADIENT_REGISTRY + " (Maximum passes the gradient where 1 - y*p >= 0,"
        + " ties included; y does not depend on y_pred).");
    PROVENANCE.put(MAE, MAE + ": Keras 3.3.3 reproduced op by op from " + String.format(KERAS_FILES_NUMPY,
        "mean_absolute_error", "absolute, mean") + ". " + KERAS_CALL
        + "; Sub(y, p), Abs, Mean(axis=-1) (so a rank-1 input gives a scalar, which every reduction returns"
        + " unchanged); " + KERAS_REDUCTION + ". Gradient: " + GRADIENT_REGISTRY + " (Abs: Sign, 0 at y = p).");
    PROVENANCE.put(LOG_POISSON, LOG_POISSON + ": TF 2.16 nn_impl.py log_poisson_loss reproduced op by op (no"
        + " single kernel exists), in the inputs' dtype, no reduction: its static shape ValueError, then Exp(c),"
        + " Mul(c, z), Sub; compute_full_loss adds the Stirling term: Log(z), Mul, Sub(., z), Mul(2*pi, z), Log,"
        + " Mul(0.5, .), AddV2; ZerosLike, OnesLike, GreaterEqual, LessEqual, LogicalAnd, Select(cond, 0,"
        + " stirling) (array_ops.where), AddV2 - zero for 0 <= z <= 1, NaN for z < 0. Gradient w.r.t. log_input: "
        + GRADIENT_REGISTRY + " (the Stirling term does not depend on log_input).");
  }

  static {
    PROVENANCE.put(CTC, TfCtc.PROVENANCE);
  }

  /** One paragraph per API, for the APIs given. */
  static String provenance(List<String> apis) {
    List<String> parts = new ArrayList<>();
    for (String api : APIS) {
      if (apis.contains(api)) {
        parts.add(PROVENANCE.get(api));
      }
    }
    return String.join(" || ", parts);
  }
}
