package dev.lossconformance.implementations.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.impl.LossCall;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.impl.UnsupportedCallException;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ONNX Runtime 1.29 (Java, {@code com.microsoft.onnxruntime:onnxruntime:1.29.0}, the CPU
 * execution provider) running the ONNX operators {@code SoftmaxCrossEntropyLoss} and {@code
 * NegativeLogLikelihoodLoss} of opset 13, each as a one-node model.
 *
 * <h2>How the library is called</h2>
 *
 * As its users call it: a {@code ModelProto} (built here byte by byte by {@link OnnxModelWriter}:
 * {@code ir_version 7}, {@code opset_import {domain "", version 13}}, one node, graph inputs with
 * symbolic dimensions) is loaded with {@code OrtEnvironment.createSession(byte[], SessionOptions)}
 * and run with {@code OrtSession.run(Map<String, OnnxTensor>)}; {@code loss} is read from the
 * result's only output. One {@code OrtSession} is created per (operator, reduction, ignore_index,
 * has-weight, dtype, rank) and cached, so a run creates a few dozen sessions, not one per case.
 * Sessions use one intra-op thread.
 *
 * <h2>What ORT actually runs</h2>
 *
 * The ORT inference build on Maven Central registers no CPU kernel for either operator: the kernels
 * {@code SoftmaxCrossEntropyLoss<float, int64_t>} and its gradient live in {@code
 * orttraining/orttraining/training_ops/cpu/loss/softmax_cross_entropy_loss.cc} (float only), which
 * only the training build compiles. The inference build instead expands both operators into ONNX's
 * own context-dependent function bodies (the schemas compiled into {@code libonnxruntime.so}; the
 * strings {@code output = NegativeLogLikelihoodLoss <reduction : string = @reduction, ...>} are in
 * it), built by {@code BuildContextDependentFunctionBodySCE} and {@code
 * BuildContextDependentFunctionBody} in {@code onnx/defs/math/defs.cc} (onnx v1.20; the NLL-13
 * schema in {@code onnx/defs/math/old.cc} uses the same builder):
 *
 * <ul>
 *   <li>{@code SoftmaxCrossEntropyLoss}: {@code Reshape(scores, [0, 0, -1])}, {@code Transpose [0,2,1]},
 *       {@code LogSoftmax(axis=2)}, {@code Transpose}, {@code Reshape} back, then {@code
 *       NegativeLogLikelihoodLoss} on those log-probabilities;
 *   <li>{@code NegativeLogLikelihoodLoss}: {@code GatherElements(input, Unsqueeze(target), axis=1)},
 *       {@code Neg}; with ignore_index a mask {@code target == ignore_index} that replaces ignored
 *       targets by 0 and zeroes their loss and weight; class weights by {@code Gather(weight,
 *       target)}; {@code none}: the loss as is, {@code sum}: {@code ReduceSum}, {@code mean}: {@code
 *       ReduceMean} (no weight, no ignore_index) or {@code ReduceSum(loss) / ReduceSum(weights)}.
 * </ul>
 *
 * So the numbers come from ORT's CPU kernels LogSoftmax, GatherElements, Gather, Where, Mul,
 * ReduceSum, ReduceMean and Div ({@code onnxruntime/core/providers/cpu/...}), in float32 and in
 * float64 alike (the function body has no float-only kernel, so float64 runs too).
 *
 * <h2>Api mapping</h2>
 *
 * <ul>
 *   <li>{@code torch.nn.functional.cross_entropy(input, target, weight, ignore_index, reduction,
 *       label_smoothing=0)} with class-index targets: {@code SoftmaxCrossEntropyLoss(scores=input,
 *       labels=target, weights=weight)}, attributes {@code reduction} (the same three names) and
 *       {@code ignore_index} (always set, to the fixture's value; PyTorch's default is -100). [N, C]
 *       and K-dim [N, C, d1, ...] inputs are passed as they are.
 *   <li>{@code torch.nn.functional.nll_loss(input, target, weight, ignore_index, reduction)}: {@code
 *       NegativeLogLikelihoodLoss(input, target, weight)}, the same attributes.
 *   <li>{@code tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)}: {@code
 *       SoftmaxCrossEntropyLoss(scores=logits, labels=labels)} with {@code reduction="none"} and no
 *       ignore_index (TF has none).
 * </ul>
 *
 * What the adapter does itself: for an unbatched call (input [C], target []) it reshapes the
 * input to [1, C] and the target to [1] (the ONNX ops need rank >= 2, PyTorch does the same
 * unsqueeze internally) and reshapes a {@code none} loss [1] back to []; it copies the tensors into
 * {@code OnnxTensor}s and the loss out of the result. Nothing else: no validation of targets,
 * weights or shapes (ORT's own checks decide), no arithmetic.
 *
 * <h2>Not mapped ({@link #unsupported})</h2>
 *
 * <ul>
 *   <li>{@code label_smoothing != 0}: SoftmaxCrossEntropyLoss has no such attribute (opset 13, nor
 *       any later opset);
 *   <li>probability (floating) targets: both operators take integer class indices ({@code Tind}:
 *       int32, int64) only; the models declare int64 targets, and other integer dtypes are declined
 *       in {@link #run} rather than converted (no committed case has one);
 *   <li>every other api, Keras' {@code SparseCategoricalCrossentropy} included (it computes in
 *       float32 whatever the input dtype and divides a masked {@code sum_over_batch_size} its own
 *       way, which are not the ONNX operators' semantics).
 * </ul>
 *
 * <h2>Gradients</h2>
 *
 * Gradients: not computed (ORT training is not on Maven Central). The inference build has no
 * autograd, and the adapter does not differentiate by itself, so only {@code loss} is returned and
 * the gate reports each {@code grad_input} as not computed.
 *
 * <h2>Errors</h2>
 *
 * An {@link OrtException} is mapped to the {@link ErrorKind} its message shows, and nothing else is
 * invented: {@code GatherElements op: Out of range value in index tensor} and {@code indices element
 * out of data bounds, idx=7 must be within the inclusive range [-5,4]} (Gather) are an index out of
 * range; {@code 'indices' shape should have values within bounds of 'data' shape}, {@code cannot be
 * reshaped to the requested shape}, {@code Invalid rank for input} and {@code Got invalid
 * dimensions for input} are shape mismatches; {@code Unexpected input data type} is a dtype error.
 * Any other OrtException is rethrown as it is (the case then fails naming it).
 */
public final class OnnxRuntimeLosses implements LossImplementation {
  static final String CROSS_ENTROPY = "torch.nn.functional.cross_entropy";
  static final String NLL_LOSS = "torch.nn.functional.nll_loss";
  static final String TF_SPARSE_XENT = "tf.nn.sparse_softmax_cross_entropy_with_logits";
  static final String KERAS_SPARSE_XENT = "keras.losses.SparseCategoricalCrossentropy";

  static final String SCE = "SoftmaxCrossEntropyLoss";
  static final String NLL = "NegativeLogLikelihoodLoss";
  static final long OPSET = 13;

  /** One session per kind of call; the cache key. {@code ignoreIndex} null: attribute not set. */
  record SessionKey(String op, String reduction, Long ignoreIndex, boolean weight, DType dtype, int rank) {}

  private static final Object ENV_LOCK = new Object();
  private static volatile OrtEnvironment env;
  private static final Map<SessionKey, OrtSession> SESSIONS = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "onnxruntime-1.29";
  }

  @Override
  public String description() {
    return "ONNX Runtime 1.29.0 (Java, CPU): ONNX SoftmaxCrossEntropyLoss / NegativeLogLikelihoodLoss opset 13 "
        + "as one-node models; loss only (ORT training is not on Maven Central)";
  }

  @Override
  public String unsupported(FixtureCase c) {
    return switch (c.api()) {
      case CROSS_ENTROPY -> {
        Tensor target = c.inputs().get("target");
        if (target != null && target.dtype().isFloating()) {
          yield "probability targets: the ONNX ops take integer class indices only";
        }
        if (c.params().get("label_smoothing") instanceof Number s && s.doubleValue() != 0) {
          yield "label_smoothing: SoftmaxCrossEntropyLoss has no such attribute";
        }
        yield null;
      }
      case NLL_LOSS, TF_SPARSE_XENT -> null;
      case KERAS_SPARSE_XENT -> "Keras SparseCategoricalCrossentropy: float32 compute and masked "
          + "sum_over_batch_size are not the ONNX ops' semantics";
      default -> "not a softmax cross-entropy / NLL loss (the only losses ONNX has operators for)";
    };
  }

  @Override
  public Map<String, Tensor> run(LossCall call) throws Exception {
    String op;
    String reduction;
    Long ignoreIndex;
    Tensor input;
    Tensor target;
    Tensor weight;
    switch (call.api()) {
      case CROSS_ENTROPY, NLL_LOSS -> {
        op = call.api().equals(CROSS_ENTROPY) ? SCE : NLL;
        if (op.equals(SCE) && call.params().get("label_smoothing") instanceof Number s && s.doubleValue() != 0) {
          throw new UnsupportedCallException("label_smoothing: SoftmaxCrossEntropyLoss has no such attribute");
        }
        reduction = String.valueOf(call.params().getOrDefault("reduction", "mean"));
        Object ii = call.params().getOrDefault("ignore_index", -100L);
        ignoreIndex = ((Number) ii).longValue();
        input = call.inputs().get("input");
        target = call.inputs().get("target");
        weight = call.inputs().get("weight");
      }
      case TF_SPARSE_XENT -> {
        op = SCE;
        reduction = "none";
        ignoreIndex = null;
        input = call.inputs().get("logits");
        target = call.inputs().get("labels");
        weight = null;
      }
      default -> throw new UnsupportedCallException("api " + call.api() + " is not mapped");
    }
    if (target.dtype().isFloating()) {
      throw new UnsupportedCallException("probability targets: the ONNX ops take integer class indices only");
    }
    if (target.dtype() != DType.INT64) {
      // the models declare int64 targets; converting other dtypes would be the adapter's doing
      throw new UnsupportedCallException("class indices of dtype " + target.dtype() + ": only int64 is mapped");
    }

    // unbatched: the ONNX ops need [N, C, ...]; PyTorch unsqueezes the same way
    boolean unbatched = input.rank() == 1;
    int[] targetShape = target.shape();
    if (unbatched) {
      input = input.reshape(1, input.size(0));
      target = target.reshape(concat(1, targetShape));
    }

    SessionKey key = new SessionKey(op, reduction, ignoreIndex, weight != null, input.dtype(), input.rank());
    OrtEnvironment e = env();
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      OrtSession session = session(key);
      feeds.put("input", floating(e, input));
      feeds.put("target", OnnxTensor.createTensor(e, target.longs(), longShape(target.shape())));
      if (weight != null) {
        feeds.put("weight", floating(e, weight));
      }
      try (OrtSession.Result result = session.run(feeds)) {
        OnnxValue v = result.get(0);
        OnnxTensor loss = (OnnxTensor) v;
        long[] shape = loss.getInfo().getShape();
        int[] outShape = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
          outShape[i] = Math.toIntExact(shape[i]);
        }
        if (unbatched && reduction.equals("none")) {
          outShape = targetShape; // [1] back to []
        }
        Tensor out = switch (input.dtype()) {
          case FLOAT32 -> {
            FloatBuffer b = loss.getFloatBuffer();
            float[] a = new float[b.remaining()];
            b.get(a);
            yield Tensor.wrapFloats(a, outShape);
          }
          case FLOAT64 -> {
            DoubleBuffer b = loss.getDoubleBuffer();
            double[] a = new double[b.remaining()];
            b.get(a);
            yield Tensor.wrapDoubles(a, outShape);
          }
          default -> throw new IllegalStateException("unreachable: " + input.dtype());
        };
        Map<String, Tensor> outs = new LinkedHashMap<>();
        outs.put("loss", out);
        return outs;
      }
    } catch (OrtException ex) {
      throw mapped(ex);
    } finally {
      for (OnnxTensor t : feeds.values()) {
        t.close();
      }
    }
  }

  /**
   * The OrtException as a LossArgumentException of the kind its message shows, or as it is when the
   * message shows none.
   */
  static Exception mapped(OrtException ex) {
    String m = String.valueOf(ex.getMessage());
    ErrorKind kind = null;
    if (m.contains("Out of range value in index tensor") || m.contains("indices element out of data bounds")) {
      kind = ErrorKind.INDEX_OUT_OF_RANGE;
    } else if (m.contains("'indices' shape should have values within bounds of 'data' shape")
        || m.contains("cannot be reshaped to the requested shape")
        || m.contains("Invalid rank for input")
        || m.contains("Got invalid dimensions for input")) {
      kind = ErrorKind.SHAPE_MISMATCH;
    } else if (m.contains("Unexpected input data type")) {
      kind = ErrorKind.DTYPE;
    }
    return kind == null ? ex : new LossArgumentException(kind, "onnxruntime: " + m, ex);
  }

  private static OnnxTensor floating(OrtEnvironment e, Tensor t) throws OrtException {
    return switch (t.dtype()) {
      case FLOAT32 -> OnnxTensor.createTensor(e, t.floats(), longShape(t.shape()));
      case FLOAT64 -> OnnxTensor.createTensor(e, t.doubles(), longShape(t.shape()));
      default -> throw new UnsupportedCallException("dtype " + t.dtype() + " is not mapped");
    };
  }

  static OrtEnvironment env() {
    OrtEnvironment e = env;
    if (e == null) {
      synchronized (ENV_LOCK) {
        e = env;
        if (e == null) {
          // FATAL: the kernels' errors come back as OrtExceptions; the logger would print them again on stderr
          env = e = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "loss-conformance");
        }
      }
    }
    return e;
  }

  static OrtSession session(SessionKey key) throws OrtException {
    OrtSession s = SESSIONS.get(key);
    if (s != null) {
      return s;
    }
    synchronized (SESSIONS) {
      s = SESSIONS.get(key);
      if (s == null) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
          options.setIntraOpNumThreads(1);
          options.setInterOpNumThreads(1);
          options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
          s = env().createSession(model(key), options);
        }
        SESSIONS.put(key, s);
      }
      return s;
    }
  }

  /** The one-node model of a session key; input names {@code input}, {@code target}, {@code weight}. */
  static byte[] model(SessionKey key) {
    int elem = switch (key.dtype()) {
      case FLOAT32 -> OnnxModelWriter.FLOAT;
      case FLOAT64 -> OnnxModelWriter.DOUBLE;
      default -> throw new UnsupportedCallException("dtype " + key.dtype() + " is not mapped");
    };
    List<String> inputDims = new ArrayList<>();
    List<String> targetDims = new ArrayList<>();
    for (int i = 0; i < key.rank(); i++) {
      inputDims.add(i == 0 ? "N" : i == 1 ? "C" : "d" + (i - 1));
      if (i != 1) {
        targetDims.add(i == 0 ? "N" : "d" + (i - 1));
      }
    }
    List<OnnxModelWriter.ValueInfo> inputs = new ArrayList<>();
    List<String> nodeInputs = new ArrayList<>(List.of("input", "target"));
    inputs.add(new OnnxModelWriter.ValueInfo("input", elem, inputDims));
    inputs.add(new OnnxModelWriter.ValueInfo("target", OnnxModelWriter.INT64, targetDims));
    if (key.weight()) {
      inputs.add(new OnnxModelWriter.ValueInfo("weight", elem, List.of("weight_size")));
      nodeInputs.add("weight");
    }
    List<OnnxModelWriter.Attribute> attributes = new ArrayList<>();
    attributes.add(OnnxModelWriter.Attribute.ofString("reduction", key.reduction()));
    if (key.ignoreIndex() != null) {
      attributes.add(OnnxModelWriter.Attribute.ofInt("ignore_index", key.ignoreIndex()));
    }
    return OnnxModelWriter.model(OPSET, key.op(), nodeInputs, List.of("loss"), attributes, inputs,
        List.of(new OnnxModelWriter.ValueInfo("loss", elem, null)));
  }

  private static long[] longShape(int[] shape) {
    long[] out = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      out[i] = shape[i];
    }
    return out;
  }

  private static int[] concat(int first, int[] rest) {
    int[] out = new int[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }
}
