package dev.lossconformance.implementations.tribuo;

import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.impl.LossCall;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.multilabel.sgd.objectives.BinaryCrossEntropy;
import org.tribuo.regression.sgd.objectives.AbsoluteLoss;

/**
 * Oracle Tribuo 4.3.2's SGD objectives as framework loss calls. Every objective is one {@code
 * SGDObjective.lossAndGradient(truth, prediction)} call per example, returning a {@code Pair<Double,
 * SGDVector>}: the example's value and a vector over the prediction's dimensions, both in double.
 * The adapter calls it as Tribuo's own trainer does ({@code AbstractSGDTrainer.train}, lines 204 and
 * 223, one call per example with a fresh prediction {@code DenseVector}), once per row or element, and
 * does everything around it itself; nothing of that is Tribuo's.
 *
 * <p>Source read: github.com/oracle/tribuo tag {@code v4.3.2} (commit 37ec6f0), the jars
 * {@code org.tribuo:tribuo-{classification,multilabel,regression}-sgd:4.3.2} with {@code
 * tribuo-math:4.3.2}.
 *
 * <h2>Tribuo's conventions the adapter undoes (documented where noted)</h2>
 *
 * <ul>
 *   <li><b>The vector is the negative gradient.</b> Tribuo's optimisers add it: {@code
 *       LinearParameters.update} is {@code weights.intersectAndAddInPlace(gradients)} (Math/.../
 *       LinearParameters.java line 171) after {@code SGD.step} scaled it by {@code +learningRate}
 *       (Math/.../optimisers/SGD.java line 119-142). So {@code SquaredLoss} returns {@code truth -
 *       prediction} for the loss {@code 0.5 (truth - prediction)^2}. The adapter negates every vector to
 *       get d loss / d prediction.
 *   <li><b>LogMulticlass's value is the log-likelihood.</b> {@code LogMulticlass.lossAndGradient}
 *       (Classification/SGD/.../objectives/LogMulticlass.java lines 57-63) returns {@code
 *       Math.log(softmax(prediction)[truth])}, i.e. minus the cross-entropy, with its gradient {@code
 *       onehot - softmax}: the pair is the value and gradient of the score the trainer ascends (the
 *       deprecated {@code LabelObjective.valueAndGradient} documents it as "the score"). The adapter
 *       negates both. The multi-label and regression objectives return the positive loss, which the
 *       adapter keeps.
 *   <li><b>Double precision.</b> Tribuo's vectors are {@code double[]}. float32 inputs are widened to
 *       double (exactly) and each output is rounded once from the adapter's double result to the dtype
 *       the framework returns: the input's dtype for PyTorch and {@code tf.nn}; float32 for a Keras
 *       {@code loss}, whatever the input dtype, and {@code y_pred}'s dtype for its gradient. That
 *       rounding, and any sum or mean taken before it, is the adapter's.
 * </ul>
 *
 * <h2>Mapping</h2>
 *
 * <table>
 *   <caption>api to Tribuo call</caption>
 *   <tr><th>api</th><th>Tribuo</th><th>what the adapter does itself</th></tr>
 *   <tr><td>{@code torch.nn.functional.cross_entropy} (class-index {@code target})</td>
 *       <td>{@code new LogMulticlass().lossAndGradient(target[r], DenseVector(input row r))} per row;
 *       the row is the class axis (dim 1, or dim 0 unbatched)</td>
 *       <td>gathers the class fibre of K-dim inputs; skips rows whose target is {@code ignore_index}
 *       (loss 0, gradient 0); sums, and for {@code mean} divides by the count of rows not ignored;
 *       checks the target's shape; turns Tribuo's {@code ArrayIndexOutOfBoundsException} for a class
 *       index outside {@code [0, C)} into an index error</td></tr>
 *   <tr><td>{@code keras.losses.SparseCategoricalCrossentropy(from_logits=True)}</td>
 *       <td>same, class axis -1</td>
 *       <td>Keras' reduction: {@code none} (or a per-sample loss of shape {@code ()} / {@code (0,)}) as
 *       is, else the sum, divided for {@code sum_over_batch_size} by the number of samples</td></tr>
 *   <tr><td>{@code keras.losses.CategoricalCrossentropy(from_logits=True)}, {@code
 *       tf.nn.softmax_cross_entropy_with_logits}, {@code tf.nn.sparse_softmax_cross_entropy_with_logits}</td>
 *       <td>same; the class axis is {@code axis}</td>
 *       <td>reads the class index of a one-hot label row (rows that are not one-hot are unsupported:
 *       LogMulticlass takes an index)</td></tr>
 *   <tr><td>{@code torch.nn.functional.binary_cross_entropy_with_logits}, {@code
 *       tf.nn.sigmoid_cross_entropy_with_logits}</td>
 *       <td>{@code new BinaryCrossEntropy().lossAndGradient(DenseVector(target), DenseVector(input))}
 *       (MultiLabel/SGD/.../objectives/BinaryCrossEntropy.java lines 53-76: the sum over the vector of
 *       {@code max(x,0) - x y + log1p(exp(-|x|))}, vector {@code y - sigmoid(x)}); one call per element
 *       (a 1-vector) for {@code none}, one per last-axis row for {@code sum} / {@code mean}</td>
 *       <td>the sum over rows, the mean's division by the element count, the shape check</td></tr>
 *   <tr><td>{@code keras.losses.BinaryCrossentropy(from_logits=True)}</td>
 *       <td>same, one call per last-axis row</td>
 *       <td>the per-sample mean (Tribuo's row sum / C) and Keras' reduction</td></tr>
 *   <tr><td>{@code keras.losses.Hinge}</td>
 *       <td>{@code new org.tribuo.multilabel.sgd.objectives.Hinge()} (margin 1.0; MultiLabel/SGD/.../
 *       objectives/Hinge.java lines 64-89: label {@code 0} is -1, any other label +1; the sum of {@code
 *       max(0, 1 - y x)}, vector {@code y} where {@code y x < 1} else 0), one call per last-axis row</td>
 *       <td>labels all in {0, 1} are passed as they are (Keras maps them to {-1, 1} as Tribuo does);
 *       labels all in {-1, 1} are passed with -1 written as 0, Tribuo's encoding of a negative label;
 *       other labels are unsupported (Keras then uses them as numbers, Tribuo cannot); the
 *       per-sample mean and Keras' reduction</td></tr>
 *   <tr><td>{@code torch.nn.functional.l1_loss}, {@code keras.losses.MeanAbsoluteError}</td>
 *       <td>{@code new AbsoluteLoss().lossAndGradient(DenseVector(target), DenseVector(input))}
 *       (Regression/SGD/.../objectives/AbsoluteLoss.java lines 43-51: value {@code sum|t - x| -
 *       0.5 * size}, vector {@code Double.compare(t - x, 0.0)}); per element for torch {@code none},
 *       per last-axis row otherwise</td>
 *       <td>sums, means, Keras' reduction; {@code grad_target} is not returned: Tribuo has no gradient
 *       with respect to the truth, so the gate reports it as not computed</td></tr>
 * </table>
 *
 * <p>Not mapped, for want of a catalog api with their maths: {@code
 * org.tribuo.classification.sgd.objectives.Hinge} (a Crammer-Singer hinge {@code max(0, m + max_{j != t}
 * s_j - s_t)}, returned negated, with a vector of {@code +-m}), {@code
 * org.tribuo.regression.sgd.objectives.SquaredLoss} and {@code Huber}. {@code nll_loss} (log-probability
 * input, gradient {@code -onehot}) is not LogMulticlass's maths, nor are probabilities as input ({@code
 * from_logits=False}).
 */
public final class TribuoImplementation implements LossImplementation {
  public static final String NAME = "tribuo-4.3";

  // Tribuo's objectives keep no state between calls (each call works in the prediction vector passed)
  private static final LogMulticlass LOG_MULTICLASS = new LogMulticlass();
  private static final BinaryCrossEntropy BCE = new BinaryCrossEntropy();
  private static final org.tribuo.multilabel.sgd.objectives.Hinge HINGE =
      new org.tribuo.multilabel.sgd.objectives.Hinge();
  private static final AbsoluteLoss ABSOLUTE = new AbsoluteLoss();

  static final String TORCH_CE = "torch.nn.functional.cross_entropy";
  static final String KERAS_SCCE = "keras.losses.SparseCategoricalCrossentropy";
  static final String KERAS_CCE = "keras.losses.CategoricalCrossentropy";
  static final String TF_SPARSE_SOFTMAX = "tf.nn.sparse_softmax_cross_entropy_with_logits";
  static final String TF_SOFTMAX = "tf.nn.softmax_cross_entropy_with_logits";
  static final String TORCH_BCE_LOGITS = "torch.nn.functional.binary_cross_entropy_with_logits";
  static final String KERAS_BCE = "keras.losses.BinaryCrossentropy";
  static final String TF_SIGMOID = "tf.nn.sigmoid_cross_entropy_with_logits";
  static final String KERAS_HINGE = "keras.losses.Hinge";
  static final String TORCH_L1 = "torch.nn.functional.l1_loss";
  static final String KERAS_MAE = "keras.losses.MeanAbsoluteError";

  private static final Set<String> APIS = Set.of(TORCH_CE, KERAS_SCCE, KERAS_CCE, TF_SPARSE_SOFTMAX, TF_SOFTMAX,
      TORCH_BCE_LOGITS, KERAS_BCE, TF_SIGMOID, KERAS_HINGE, TORCH_L1, KERAS_MAE);

  static final String NO_OBJECTIVE = "no Tribuo 4.3 SGD objective computes this loss";
  static final String WEIGHTS = "weights (weight, pos_weight, sample_weight): Tribuo's objectives take none";
  static final String SMOOTHING = "label smoothing: Tribuo's objectives have none";
  static final String PROBABILITY_TARGETS = "probability (not one-hot) targets: LogMulticlass takes a class index";
  static final String PROBABILITY_INPUT = "probabilities as input (from_logits=False): Tribuo's objectives take scores";
  static final String IGNORE_CLASS = "Keras ignore_class: its masked reduction is Keras', not an objective's";
  static final String BROADCAST = "broadcast shapes: Tribuo's objectives take vectors of one length";
  static final String HINGE_LABELS = "Hinge labels not all in {0, 1} nor all in {-1, 1}: Tribuo reads a label as 0 or not 0";
  static final String AXIS = "an axis other than the last: the row of a Tribuo call is the last axis here";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Oracle Tribuo 4.3.2 SGD objectives (LogMulticlass, multi-label BinaryCrossEntropy and Hinge,"
        + " regression AbsoluteLoss), one lossAndGradient call per row or element, in double";
  }

  @Override
  public String unsupported(FixtureCase c) {
    String api = c.api();
    if (!APIS.contains(api)) {
      return NO_OBJECTIVE;
    }
    Map<String, Object> p = c.params();
    Map<String, Tensor> in = c.inputs();
    if (in.containsKey("weight") || in.containsKey("pos_weight") || in.containsKey("sample_weight")) {
      return WEIGHTS;
    }
    if (p.get("label_smoothing") instanceof Number s && s.doubleValue() != 0) {
      return SMOOTHING;
    }
    if (Boolean.FALSE.equals(p.get("from_logits"))) {
      return PROBABILITY_INPUT;
    }
    switch (api) {
      case TORCH_CE -> {
        Tensor t = in.get("target");
        if (t != null && t.dtype().isFloating()) {
          return PROBABILITY_TARGETS;
        }
      }
      case KERAS_SCCE -> {
        if (p.get("ignore_class") != null) {
          return IGNORE_CLASS;
        }
      }
      case KERAS_CCE, TF_SOFTMAX -> {
        Tensor labels = in.get(api.equals(KERAS_CCE) ? "y_true" : "labels");
        Tensor logits = in.get(api.equals(KERAS_CCE) ? "y_pred" : "logits");
        if (labels != null && logits != null && Arrays.equals(labels.shape(), logits.shape()) && logits.rank() > 0) {
          int axis = axis(p.get("axis"), logits.rank());
          if (axis >= 0 && !oneHot(labels, axis)) {
            return PROBABILITY_TARGETS;
          }
        }
      }
      case KERAS_BCE -> {
        if (p.get("axis") instanceof Number a && a.intValue() != -1) {
          return AXIS;
        }
      }
      case KERAS_HINGE -> {
        Tensor y = in.get("y_true");
        if (y != null && hingeLabels(y) == null) {
          return HINGE_LABELS;
        }
      }
      case TORCH_L1, KERAS_MAE -> {
        Tensor a = in.get(api.equals(TORCH_L1) ? "input" : "y_pred");
        Tensor b = in.get(api.equals(TORCH_L1) ? "target" : "y_true");
        if (a != null && b != null && !Arrays.equals(a.shape(), b.shape()) && broadcastable(a.shape(), b.shape())) {
          return BROADCAST;
        }
      }
      default -> { }
    }
    return null;
  }

  @Override
  public Map<String, Tensor> run(LossCall call) {
    Map<String, Object> p = call.params();
    Map<String, Tensor> in = call.inputs();
    return switch (call.api()) {
      case TORCH_CE -> torchCrossEntropy(in.get("input"), in.get("target"), p);
      case KERAS_SCCE -> kerasCrossEntropy(in.get("y_pred"), in.get("y_true"), -1, false, reduction(p, true));
      case KERAS_CCE -> kerasCrossEntropy(in.get("y_pred"), in.get("y_true"), intParam(p, "axis", -1), true,
          reduction(p, true));
      case TF_SPARSE_SOFTMAX -> tfCrossEntropy(in.get("logits"), in.get("labels"), -1, false);
      case TF_SOFTMAX -> tfCrossEntropy(in.get("logits"), in.get("labels"), intParam(p, "axis", -1), true);
      case TORCH_BCE_LOGITS -> torchElementwise(Objective.BCE, in.get("input"), in.get("target"), "grad_input",
          reduction(p, false));
      case TF_SIGMOID -> torchElementwise(Objective.BCE, in.get("logits"), in.get("labels"), "grad_logits",
          Reduction.NONE);
      case KERAS_BCE -> kerasRowwise(Objective.BCE, in.get("y_pred"), in.get("y_true"), reduction(p, true));
      case KERAS_HINGE -> kerasRowwise(Objective.HINGE, in.get("y_pred"), hingeTruth(in.get("y_true")),
          reduction(p, true));
      case TORCH_L1 -> torchElementwise(Objective.ABSOLUTE, in.get("input"), in.get("target"), "grad_input",
          reduction(p, false));
      case KERAS_MAE -> kerasRowwise(Objective.ABSOLUTE, in.get("y_pred"), in.get("y_true"), reduction(p, true));
      default -> throw new dev.lossconformance.impl.UnsupportedCallException(NO_OBJECTIVE);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // cross-entropy: LogMulticlass, one call per class fibre

  /** The adapter's reductions: PyTorch's three, Keras' three ({@code sum_over_batch_size} is MEAN). */
  enum Reduction { NONE, SUM, MEAN }

  private static Reduction reduction(Map<String, Object> p, boolean keras) {
    Object r = p.getOrDefault("reduction", keras ? "sum_over_batch_size" : "mean");
    String s = r == null ? "none" : r.toString();
    return switch (s) {
      case "none" -> Reduction.NONE;
      case "sum" -> Reduction.SUM;
      case "mean" -> {
        if (keras) {
          throw new LossArgumentException(ErrorKind.INVALID_VALUE, "reduction \"mean\" is not a Keras reduction");
        }
        yield Reduction.MEAN;
      }
      case "sum_over_batch_size" -> {
        if (!keras) {
          throw new LossArgumentException(ErrorKind.INVALID_VALUE, s + " is not a valid value for reduction");
        }
        yield Reduction.MEAN;
      }
      default -> throw new LossArgumentException(ErrorKind.INVALID_VALUE, s + " is not a valid value for reduction");
    };
  }

  /** One LogMulticlass call: the loss (negated value) and d loss / d scores (negated vector) into grad. */
  private static double logMulticlass(double[] scores, long target, double[] grad) {
    if (target < Integer.MIN_VALUE || target > Integer.MAX_VALUE) {
      throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE, "Target " + target + " is out of bounds.");
    }
    Pair<Double, SGDVector> out;
    try {
      out = LOG_MULTICLASS.lossAndGradient((int) target, DenseVector.createDenseVector(scores));
    } catch (ArrayIndexOutOfBoundsException e) {
      // DenseVector.get(truth) past the class count: Tribuo's own refusal of the label
      throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE, "Target " + target + " is out of bounds"
          + " (Tribuo LogMulticlass: " + e + ")", e);
    }
    SGDVector g = out.getB();
    for (int i = 0; i < grad.length; i++) {
      grad[i] = -g.get(i);
    }
    return -out.getA();
  }

  private static Map<String, Tensor> torchCrossEntropy(Tensor input, Tensor target, Map<String, Object> p) {
    Reduction r = reduction(p, false);
    long ignore = p.get("ignore_index") instanceof Number n ? n.longValue() : -100;
    if (input.rank() == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, "input of rank 0 has no class dimension");
    }
    int axis = input.rank() == 1 ? 0 : 1;
    Fibres f = new Fibres(input.shape(), axis);
    requireShape(target, f.rowShape, "target");
    double[] x = input.toDoubleArray();
    double[] grad = new double[x.length];
    double[] rowLoss = new double[f.rows];
    boolean[] counted = new boolean[f.rows];
    int count = 0;
    double[] scores = new double[f.classes];
    double[] g = new double[f.classes];
    for (int row = 0; row < f.rows; row++) {
      long t = label(target, row);
      if (t == ignore) {
        continue;
      }
      f.gather(x, row, scores);
      rowLoss[row] = logMulticlass(scores, t, g);
      f.scatter(g, row, grad);
      counted[row] = true;
      count++;
    }
    return rows(rowLoss, counted, count, grad, f, r, input.dtype(), input.dtype(), "grad_input", input.shape(),
        f.rowShape);
  }

  private static Map<String, Tensor> kerasCrossEntropy(Tensor yPred, Tensor yTrue, int axisParam, boolean oneHot,
      Reduction r) {
    PerRow p = perRow(yPred, yTrue, axisParam, oneHot, "y_pred of rank 0 has no class axis");
    return keras(p.rowLoss, p.grad, p.f.rowShape, r, yPred.dtype(), yPred.shape(), p.f.rowOfElement());
  }

  private static Map<String, Tensor> tfCrossEntropy(Tensor logits, Tensor labels, int axisParam, boolean oneHot) {
    PerRow p = perRow(logits, labels, axisParam, oneHot, "logits of rank 0 have no class axis");
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", Tensor.ofFloating(logits.dtype(), p.rowLoss, p.f.rowShape));
    out.put("grad_logits", Tensor.ofFloating(logits.dtype(), p.grad, logits.shape()));
    return out;
  }

  /** LogMulticlass on every fibre of the class axis: the row losses and the gradient, unreduced. */
  private record PerRow(Fibres f, double[] rowLoss, double[] grad) {}

  private static PerRow perRow(Tensor scoresT, Tensor labelsT, int axisParam, boolean oneHot, String rank0) {
    if (scoresT.rank() == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, rank0);
    }
    int axis = checkedAxis(axisParam, scoresT.rank());
    Fibres f = new Fibres(scoresT.shape(), axis);
    long[] labels = oneHot ? oneHotLabels(labelsT, scoresT, axis, f) : sparseLabels(labelsT, f);
    double[] x = scoresT.toDoubleArray();
    double[] grad = new double[x.length];
    double[] rowLoss = new double[f.rows];
    double[] scores = new double[f.classes];
    double[] g = new double[f.classes];
    for (int row = 0; row < f.rows; row++) {
      f.gather(x, row, scores);
      rowLoss[row] = logMulticlass(scores, labels[row], g);
      f.scatter(g, row, grad);
    }
    return new PerRow(f, rowLoss, grad);
  }

  private static long[] sparseLabels(Tensor labels, Fibres f) {
    requireShape(labels, f.rowShape, "labels");
    long[] out = new long[f.rows];
    for (int i = 0; i < out.length; i++) {
      out[i] = label(labels, i);
    }
    return out;
  }

  /** The class index of each one-hot label fibre (unsupported() declined the others). */
  private static long[] oneHotLabels(Tensor labels, Tensor logits, int axis, Fibres f) {
    if (!Arrays.equals(labels.shape(), logits.shape())) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, "labels of shape " + Arrays.toString(labels.shape())
          + " for logits of shape " + Arrays.toString(logits.shape()));
    }
    double[] y = labels.toDoubleArray();
    double[] fibre = new double[f.classes];
    long[] out = new long[f.rows];
    for (int row = 0; row < f.rows; row++) {
      f.gather(y, row, fibre);
      int hot = oneHotIndex(fibre);
      if (hot < 0) {
        throw new dev.lossconformance.impl.UnsupportedCallException(PROBABILITY_TARGETS);
      }
      out[row] = hot;
    }
    return out;
  }

  private static long label(Tensor t, int i) {
    return t.dtype().isFloating() ? (long) t.getDouble(i) : t.getLong(i);
  }

  // ---------------------------------------------------------------------------------------------
  // vector objectives: BinaryCrossEntropy, Hinge, AbsoluteLoss

  enum Objective { BCE, HINGE, ABSOLUTE }

  /**
   * One call of {@code o} on {@code pred} with {@code truth}, both of length n: the value Tribuo returns
   * (the loss: these objectives return it positive) and the negated vector into {@code grad}.
   */
  private static double call(Objective o, double[] pred, double[] truth, double[] grad) {
    DenseVector p = DenseVector.createDenseVector(pred);
    DenseVector t = DenseVector.createDenseVector(truth);
    Pair<Double, SGDVector> out = switch (o) {
      case BCE -> BCE.lossAndGradient(t, p);
      case HINGE -> HINGE.lossAndGradient(t, p);
      case ABSOLUTE -> ABSOLUTE.lossAndGradient(t, p);
    };
    SGDVector g = out.getB();
    for (int i = 0; i < grad.length; i++) {
      grad[i] = -g.get(i);
    }
    return out.getA();
  }

  /**
   * PyTorch's element-wise losses (and {@code tf.nn.sigmoid_cross_entropy_with_logits}): per element for
   * {@code none}, per last-axis row for {@code sum}/{@code mean}.
   */
  private static Map<String, Tensor> torchElementwise(Objective o, Tensor input, Tensor target, String gradName,
      Reduction r) {
    requireSameShape(input, target);
    double[] x = input.toDoubleArray();
    double[] y = target.toDoubleArray();
    int n = x.length;
    double[] grad = new double[n];
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (r == Reduction.NONE) {
      double[] loss = new double[n];
      double[] g = new double[1];
      for (int i = 0; i < n; i++) {
        loss[i] = call(o, new double[] {x[i]}, new double[] {y[i]}, g);
        grad[i] = g[0];
      }
      out.put("loss", Tensor.ofFloating(input.dtype(), loss, input.shape()));
    } else {
      int c = input.rank() == 0 ? 1 : input.size(input.rank() - 1);
      int rows = c == 0 ? 0 : n / c;
      double sum = 0;
      double[] g = new double[c];
      for (int row = 0; row < rows; row++) {
        sum += call(o, Arrays.copyOfRange(x, row * c, row * c + c), Arrays.copyOfRange(y, row * c, row * c + c), g);
        System.arraycopy(g, 0, grad, row * c, c);
      }
      double loss = sum;
      if (r == Reduction.MEAN) {
        loss = sum / n;
        for (int i = 0; i < n; i++) {
          grad[i] /= n;
        }
      }
      out.put("loss", Tensor.scalar(input.dtype(), loss));
    }
    out.put(gradName, Tensor.ofFloating(input.dtype(), grad, input.shape()));
    return out;
  }

  /** Keras' per-sample losses: Tribuo's sum over the last axis, divided by its length, then Keras' reduction. */
  private static Map<String, Tensor> kerasRowwise(Objective o, Tensor yPred, Tensor yTrue, Reduction r) {
    if (yPred.rank() == 0 || yTrue.rank() == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          "Invalid reduction dimension (-1 for input with 0 dimension(s))");
    }
    requireSameShape(yPred, yTrue);
    double[] x = yPred.toDoubleArray();
    double[] y = yTrue.toDoubleArray();
    int[] shape = yPred.shape();
    int c = shape[shape.length - 1];
    int[] rowShape = Arrays.copyOf(shape, shape.length - 1);
    int rows = Tensor.numel(rowShape);
    double[] loss = new double[rows];
    double[] grad = new double[x.length];
    double[] g = new double[c];
    int[] rowOf = new int[x.length];
    for (int row = 0; row < rows; row++) {
      double v = call(o, Arrays.copyOfRange(x, row * c, row * c + c), Arrays.copyOfRange(y, row * c, row * c + c), g);
      loss[row] = v / c;
      for (int j = 0; j < c; j++) {
        grad[row * c + j] = g[j] / c;
        rowOf[row * c + j] = row;
      }
    }
    return keras(loss, grad, rowShape, r, yPred.dtype(), shape, rowOf);
  }

  /** Tribuo's Hinge truth for Keras' labels: {0, 1} as they are, {-1, 1} with -1 as 0. */
  private static Tensor hingeTruth(Tensor yTrue) {
    double[] t = hingeLabels(yTrue);
    if (t == null) {
      throw new dev.lossconformance.impl.UnsupportedCallException(HINGE_LABELS);
    }
    return Tensor.ofDoubles(t, yTrue.shape());
  }

  /** The labels in Tribuo's encoding, or null when Keras would read them as numbers other than +-1. */
  static double[] hingeLabels(Tensor yTrue) {
    double[] y = yTrue.toDoubleArray();
    boolean binary = true;
    boolean signs = true;
    for (double v : y) {
      binary &= v == 0 || v == 1;
      signs &= v == -1 || v == 1;
    }
    if (binary) {
      return y;
    }
    if (!signs) {
      return null;
    }
    double[] t = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      t[i] = y[i] == 1 ? 1 : 0;
    }
    return t;
  }

  // ---------------------------------------------------------------------------------------------
  // reductions and shapes (the adapter's, not Tribuo's)

  /** PyTorch's reduction of per-row losses; rows not counted (ignored) have loss 0 and gradient 0. */
  private static Map<String, Tensor> rows(double[] rowLoss, boolean[] counted, int count, double[] grad, Fibres f,
      Reduction r, DType lossType, DType gradType, String gradName, int[] inputShape, int[] rowShape) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (r == Reduction.NONE) {
      out.put("loss", Tensor.ofFloating(lossType, rowLoss, rowShape));
    } else {
      double sum = 0;
      for (int i = 0; i < rowLoss.length; i++) {
        if (counted[i]) {
          sum += rowLoss[i];
        }
      }
      if (r == Reduction.MEAN) {
        int[] rowOf = f.rowOfElement();
        for (int i = 0; i < grad.length; i++) {
          if (counted[rowOf[i]]) {
            grad[i] /= count;
          }
        }
        out.put("loss", Tensor.scalar(lossType, sum / count));
      } else {
        out.put("loss", Tensor.scalar(lossType, sum));
      }
    }
    out.put(gradName, Tensor.ofFloating(gradType, grad, inputShape));
    return out;
  }

  /**
   * Keras 3's reduction of per-sample losses: {@code none}, or a per-sample loss of shape {@code ()} or
   * {@code (0,)}, as it is; else the sum, divided for {@code sum_over_batch_size} by the sample count.
   * The loss is float32 (Keras computes in float32), the gradient {@code y_pred}'s dtype.
   */
  private static Map<String, Tensor> keras(double[] loss, double[] grad, int[] lossShape, Reduction r,
      DType predType, int[] predShape, int[] rowOf) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    boolean asIs = r == Reduction.NONE || lossShape.length == 0 || (lossShape.length == 1 && lossShape[0] == 0);
    if (asIs) {
      out.put("loss", Tensor.ofFloating(DType.FLOAT32, loss, lossShape));
    } else {
      double sum = 0;
      for (double v : loss) {
        sum += v;
      }
      if (r == Reduction.MEAN) {
        int n = loss.length;
        for (int i = 0; i < grad.length; i++) {
          grad[i] /= n;
        }
        out.put("loss", Tensor.scalar(DType.FLOAT32, sum / n));
      } else {
        out.put("loss", Tensor.scalar(DType.FLOAT32, sum));
      }
    }
    out.put("grad_y_pred", Tensor.ofFloating(predType, grad, predShape));
    return out;
  }

  private static void requireShape(Tensor t, int[] shape, String what) {
    if (!Arrays.equals(t.shape(), shape)) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, what + " of shape " + Arrays.toString(t.shape())
          + " where " + Arrays.toString(shape) + " is expected");
    }
  }

  private static void requireSameShape(Tensor a, Tensor b) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, "shapes " + Arrays.toString(a.shape()) + " and "
          + Arrays.toString(b.shape()) + " differ");
    }
  }

  static boolean broadcastable(int[] a, int[] b) {
    for (int i = 1; i <= Math.min(a.length, b.length); i++) {
      int x = a[a.length - i];
      int y = b[b.length - i];
      if (x != y && x != 1 && y != 1) {
        return false;
      }
    }
    return true;
  }

  private static int intParam(Map<String, Object> p, String name, int dflt) {
    return p.get(name) instanceof Number n ? n.intValue() : dflt;
  }

  /** The axis normalised to [0, rank), or -1 when it is out of range. */
  static int axis(Object param, int rank) {
    int a = param instanceof Number n ? n.intValue() : -1;
    int ax = a < 0 ? a + rank : a;
    return ax < 0 || ax >= rank ? -1 : ax;
  }

  private static int checkedAxis(int a, int rank) {
    int ax = axis(a, rank);
    if (ax < 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, "axis " + a + " is out of range for rank " + rank);
    }
    return ax;
  }

  static boolean oneHot(Tensor labels, int axis) {
    Fibres f = new Fibres(labels.shape(), axis);
    double[] y = labels.toDoubleArray();
    double[] fibre = new double[f.classes];
    for (int row = 0; row < f.rows; row++) {
      f.gather(y, row, fibre);
      if (oneHotIndex(fibre) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int oneHotIndex(double[] fibre) {
    int hot = -1;
    for (int i = 0; i < fibre.length; i++) {
      if (fibre[i] == 1) {
        if (hot >= 0) {
          return -1;
        }
        hot = i;
      } else if (fibre[i] != 0) {
        return -1;
      }
    }
    return hot;
  }

  /** The fibres along one axis of a row-major shape: row r is (outer o, inner i), element (o, c, i). */
  static final class Fibres {
    final int classes;
    final int inner;
    final int rows;
    final int[] rowShape;

    Fibres(int[] shape, int axis) {
      classes = shape[axis];
      int in = 1;
      for (int d = axis + 1; d < shape.length; d++) {
        in *= shape[d];
      }
      inner = in;
      int outer = 1;
      for (int d = 0; d < axis; d++) {
        outer *= shape[d];
      }
      rows = outer * inner;
      rowShape = new int[shape.length - 1];
      for (int d = 0, k = 0; d < shape.length; d++) {
        if (d != axis) {
          rowShape[k++] = shape[d];
        }
      }
    }

    private int index(int row, int c) {
      int o = row / inner;
      int i = row % inner;
      return (o * classes + c) * inner + i;
    }

    void gather(double[] x, int row, double[] fibre) {
      for (int c = 0; c < classes; c++) {
        fibre[c] = x[index(row, c)];
      }
    }

    void scatter(double[] fibre, int row, double[] x) {
      for (int c = 0; c < classes; c++) {
        x[index(row, c)] = fibre[c];
      }
    }

    int[] rowOfElement() {
      int[] out = new int[rows * classes];
      for (int row = 0; row < rows; row++) {
        for (int c = 0; c < classes; c++) {
          out[index(row, c)] = row;
        }
      }
      return out;
    }
  }
}
