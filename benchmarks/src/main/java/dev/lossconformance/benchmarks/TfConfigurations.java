package dev.lossconformance.benchmarks;

import dev.lossconformance.api.KerasApis;
import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.keras.BinaryCrossentropy;
import dev.lossconformance.loss.keras.CategoricalCrossentropy;
import dev.lossconformance.loss.keras.KerasReduction;
import dev.lossconformance.loss.keras.KerasRegression;
import dev.lossconformance.loss.keras.SparseCategoricalCrossentropy;
import dev.lossconformance.loss.tf.TfCtcLoss;
import dev.lossconformance.loss.tf.TfNn;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The configurations benchmarked against TensorFlow (see {@link Configuration}): every Keras loss and
 * tf.nn function the project implements, at (4096, 1000) in float32 (the variants a user trains
 * with) and one float64 row per family (the API), forward + gradient with respect to {@code y_pred}
 * (Keras) or {@code logits} / {@code log_input} (tf.nn), Keras' defaults (reduction
 * {@code sum_over_batch_size}) unless the id says otherwise; tf.nn.ctc_loss on the CTC problem's
 * (T=200, N=16, C=50, S=40).
 *
 * <p>Each configuration is one catalog {@link Call} (api, params, input tensors drawn from fixed
 * seeds, ordinary values: no clipping, no saturation). TensorFlow runs it as the generator's
 * TensorFlow engine builds it for the goldens ({@code generator.engine.TfLosses.build}: Keras 3.3.3
 * and TF 2.16's Python op by op; {@link TensorFlowKernels#call}), the gradient of the summed loss
 * from TF's gradient registry ({@code TfGraph.gradient}), in a session with {@link
 * BenchmarkSettings#THREADS} intra-op threads. Java calls the public kernel API on the same tensors,
 * as {@code check/Apis.java} does. None of these Java entry points computes more than the gradient
 * TF is asked for (each returns a {@link LossAndGrad}: the loss and d(sum of loss)/d(prediction)).
 *
 * <p>Keras 3.3.3 casts y_true and y_pred to float32 ({@code Loss.__call__}, no dtype argument), so a
 * Keras float64 row computes in float32 on both engines (loss float32, gradient cast back to
 * float64); the tf.nn float64 rows compute in float64.
 */
final class TfConfigurations {
  private TfConfigurations() {}

  /** The batch and the classes (or features) of every (N, C) configuration. */
  static final int N = 4096;

  static final int C = 1000;

  private static final KerasReduction.Mode DEFAULT = KerasReduction.Mode.SUM_OVER_BATCH_SIZE;

  private static final String SCCE = KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY_NAME;
  private static final String CCE = KerasApis.CATEGORICAL_CROSSENTROPY_NAME;
  private static final String BCE = KerasApis.BINARY_CROSSENTROPY_NAME;
  private static final String KLD = KerasApis.KL_DIVERGENCE_NAME;
  private static final String MAE = KerasApis.MEAN_ABSOLUTE_ERROR_NAME;
  private static final String POISSON = KerasApis.POISSON_NAME;
  private static final String COSINE = KerasApis.COSINE_SIMILARITY_NAME;
  private static final String HINGE = KerasApis.HINGE_NAME;
  private static final String SOFTMAX = TfNnApis.SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String SPARSE = TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String SIGMOID = TfNnApis.SIGMOID_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String WEIGHTED = TfNnApis.WEIGHTED_CROSS_ENTROPY_WITH_LOGITS_NAME;
  private static final String LOG_POISSON = TfNnApis.LOG_POISSON_LOSS_NAME;
  private static final String CTC = TfNnApis.CTC_LOSS_NAME;

  /** What TF's graph does after a Keras loss function: loss.py's {@code reduce_values}. */
  private static final String KERAS_REDUCE = "then `Sum` over all axes and `RealDiv` by `Cast(Prod(shape))`"
      + " (sum_over_batch_size)";

  private static final String KERAS_CAST = "Keras 3.3.3 `Loss.__call__` as the generator builds it"
      + " (`TfLosses`): `Cast` of y_true and y_pred to float32 where the dtype differs";

  private static final String REGISTRY = "gradient from TF's C++ gradient registry (`Graph.addGradients`)";

  private static final String XENT_GRADIENT = "gradient `ExpandDims(upstream, -1) * backprop` (the kernel's"
      + " own second output, nn_grad.py), carried back by the C++ registry";

  private static final List<Declared> DECLARED = List.of(
      // ---------------------------------------------------------------- Keras
      keras("keras.SparseCategoricalCrossentropy.from_logits.f32", SCCE, DType.FLOAT32,
          "`new SparseCategoricalCrossentropy(true, null, SUM_OVER_BATCH_SIZE).apply(y_true, y_pred, null)`,"
              + " y_pred (4096, 1000) float32 logits, y_true (4096,) int64 labels",
          "`keras.losses.SparseCategoricalCrossentropy(from_logits=True)`: " + KERAS_CAST + ", `Cast` to int64,"
              + " `SparseSoftmaxCrossEntropyWithLogits`, " + KERAS_REDUCE + "; " + XENT_GRADIENT,
          Map.of("from_logits", true), d -> Map.of("y_true", labels(N, C, 11), "y_pred", gaussian(d, N * C, 12, N, C)),
          c -> { var l = new SparseCategoricalCrossentropy(true, null, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.SparseCategoricalCrossentropy.from_logits.f64", SCCE, DType.FLOAT64,
          "as `from_logits.f32` with y_pred float64 (Keras computes in float32; the gradient is float64)",
          "as `from_logits.f32`, with the `Cast` of y_pred to float32 and its gradient's `Cast` back",
          Map.of("from_logits", true), d -> Map.of("y_true", labels(N, C, 11), "y_pred", gaussian(d, N * C, 12, N, C)),
          c -> { var l = new SparseCategoricalCrossentropy(true, null, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.SparseCategoricalCrossentropy.probabilities.f32", SCCE, DType.FLOAT32,
          "`new SparseCategoricalCrossentropy(false, null, SUM_OVER_BATCH_SIZE).apply(y_true, y_pred, null)`,"
              + " y_pred (4096, 1000) float32 probabilities (softmax rows), y_true (4096,) int64 labels",
          "`SparseCategoricalCrossentropy()` (from probabilities): " + KERAS_CAST + ", `Cast` to int64,"
              + " `Minimum(p, 1-1e-7)`, `Maximum(., 1e-7)`, `Log`, `SparseSoftmaxCrossEntropyWithLogits`, "
              + KERAS_REDUCE + "; " + XENT_GRADIENT,
          Map.of(), d -> Map.of("y_true", labels(N, C, 11), "y_pred", softmax(d, 13)),
          c -> { var l = new SparseCategoricalCrossentropy(false, null, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.CategoricalCrossentropy.from_logits.f32", CCE, DType.FLOAT32,
          "`new CategoricalCrossentropy(true, 0.0, -1, SUM_OVER_BATCH_SIZE).apply(y_true, y_pred, null)`,"
              + " y_pred (4096, 1000) float32 logits, y_true one-hot float32",
          "`keras.losses.CategoricalCrossentropy(from_logits=True)`: " + KERAS_CAST + ", then"
              + " tf.nn.softmax_cross_entropy_with_logits (`Reshape`, `SoftmaxCrossEntropyWithLogits`, `Reshape`), "
              + KERAS_REDUCE + "; " + XENT_GRADIENT,
          Map.of("from_logits", true), d -> Map.of("y_true", oneHot(d, 14), "y_pred", gaussian(d, N * C, 15, N, C)),
          c -> { var l = new CategoricalCrossentropy(true, 0.0, -1, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.CategoricalCrossentropy.from_logits.f64", CCE, DType.FLOAT64,
          "as `from_logits.f32` with float64 y_true and y_pred (Keras computes in float32; the gradient is float64)",
          "as `from_logits.f32`, with the `Cast`s to float32 and the gradient's `Cast` back",
          Map.of("from_logits", true), d -> Map.of("y_true", oneHot(d, 14), "y_pred", gaussian(d, N * C, 15, N, C)),
          c -> { var l = new CategoricalCrossentropy(true, 0.0, -1, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.CategoricalCrossentropy.probabilities.f32", CCE, DType.FLOAT32,
          "`new CategoricalCrossentropy(false, 0.0, -1, SUM_OVER_BATCH_SIZE).apply(y_true, y_pred, null)`,"
              + " y_pred (4096, 1000) float32 probabilities (softmax rows), y_true one-hot float32",
          "`CategoricalCrossentropy()` (from probabilities): " + KERAS_CAST + ", `Sum(keepdims)` and `RealDiv`"
              + " (renormalisation), `Minimum(., 1-1e-7)`, `Maximum(., 1e-7)`, `Log`, `Mul`, `Sum(-1)`, `Neg`, "
              + KERAS_REDUCE + "; " + REGISTRY,
          Map.of(), d -> Map.of("y_true", oneHot(d, 14), "y_pred", softmax(d, 16)),
          c -> { var l = new CategoricalCrossentropy(false, 0.0, -1, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.CategoricalCrossentropy.label_smoothing.f32", CCE, DType.FLOAT32,
          "`new CategoricalCrossentropy(true, 0.1, -1, SUM_OVER_BATCH_SIZE).apply(y_true, y_pred, null)`,"
              + " y_pred (4096, 1000) float32 logits, y_true one-hot float32",
          "`CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)`: " + KERAS_CAST + ", `Mul(y, 0.9)`,"
              + " `RealDiv(0.1, Cast(1000))`, `AddV2`, then `SoftmaxCrossEntropyWithLogits` as from_logits, "
              + KERAS_REDUCE + "; " + XENT_GRADIENT,
          Map.of("from_logits", true, "label_smoothing", 0.1),
          d -> Map.of("y_true", oneHot(d, 14), "y_pred", gaussian(d, N * C, 15, N, C)),
          c -> { var l = new CategoricalCrossentropy(true, 0.1, -1, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.BinaryCrossentropy.probabilities.f32", BCE, DType.FLOAT32,
          "`new BinaryCrossentropy(false, 0.0, SUM_OVER_BATCH_SIZE).apply(y_true, y_pred, null)`, y_pred (4096,"
              + " 1000) float32 probabilities (sigmoid of normal logits), y_true float32 in {0, 1}",
          "`keras.losses.BinaryCrossentropy()` (from probabilities): " + KERAS_CAST + ", `Minimum(p, 1-1e-7)`,"
              + " `Maximum(., 1e-7)`, `Log`, `Mul`, `Sub(1, y)`, `Sub(1, p)`, `Log`, `Mul`, `AddV2`, `Neg`,"
              + " `Mean(-1)`, " + KERAS_REDUCE + "; " + REGISTRY,
          Map.of(), d -> Map.of("y_true", binary(d, 17), "y_pred", sigmoid(d, 18)),
          c -> { var l = new BinaryCrossentropy(false, 0.0, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.BinaryCrossentropy.from_logits.f32", BCE, DType.FLOAT32,
          "`new BinaryCrossentropy(true, 0.0, SUM_OVER_BATCH_SIZE).apply(y_true, y_pred, null)`, y_pred (4096,"
              + " 1000) float32 logits, y_true float32 in {0, 1}",
          "`BinaryCrossentropy(from_logits=True)`: " + KERAS_CAST + ", the tf.nn.sigmoid_cross_entropy_with_logits"
              + " composition (`ZerosLike`, `GreaterEqual`, `Select`, `Neg`, `Select`, `Mul`, `Sub`, `Exp`, `Log1p`,"
              + " `AddV2`), `Mean(-1)`, " + KERAS_REDUCE + "; " + REGISTRY,
          Map.of("from_logits", true), d -> Map.of("y_true", binary(d, 17), "y_pred", gaussian(d, N * C, 19, N, C)),
          c -> { var l = new BinaryCrossentropy(true, 0.0, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.BinaryCrossentropy.from_logits.f64", BCE, DType.FLOAT64,
          "as `from_logits.f32` with float64 y_true and y_pred (Keras computes in float32; the gradient is float64)",
          "as `from_logits.f32`, with the `Cast`s to float32 and the gradient's `Cast` back",
          Map.of("from_logits", true), d -> Map.of("y_true", binary(d, 17), "y_pred", gaussian(d, N * C, 19, N, C)),
          c -> { var l = new BinaryCrossentropy(true, 0.0, DEFAULT); return () -> l.apply(yTrue(c), yPred(c), null); }),
      keras("keras.KLDivergence.f32", KLD, DType.FLOAT32,
          "`KerasRegression.klDivergence(y_true, y_pred, null, SUM_OVER_BATCH_SIZE)`, y_true and y_pred (4096,"
              + " 1000) float32 probabilities (softmax rows of two normal draws)",
          "`keras.losses.KLDivergence()`: " + KERAS_CAST + ", `Minimum(., 1)`, `Maximum(., 1e-7)` on y_true and on"
              + " y_pred, `RealDiv`, `Log`, `Mul`, `Sum(-1)`, " + KERAS_REDUCE + "; " + REGISTRY,
          Map.of(), d -> Map.of("y_true", softmax(d, 20), "y_pred", softmax(d, 21)),
          c -> () -> KerasRegression.klDivergence(yTrue(c), yPred(c), null, DEFAULT)),
      keras("keras.KLDivergence.f64", KLD, DType.FLOAT64,
          "as `f32` with float64 y_true and y_pred (Keras computes in float32; the gradient is float64)",
          "as `f32`, with the `Cast`s to float32 and the gradient's `Cast` back",
          Map.of(), d -> Map.of("y_true", softmax(d, 20), "y_pred", softmax(d, 21)),
          c -> () -> KerasRegression.klDivergence(yTrue(c), yPred(c), null, DEFAULT)),
      keras("keras.MeanAbsoluteError.f32", MAE, DType.FLOAT32,
          "`KerasRegression.meanAbsoluteError(y_true, y_pred, null, SUM_OVER_BATCH_SIZE)`, y_true and y_pred"
              + " (4096, 1000) float32 standard normal",
          "`keras.losses.MeanAbsoluteError()`: " + KERAS_CAST + ", `Sub`, `Abs`, `Mean(-1)`, " + KERAS_REDUCE
              + "; " + REGISTRY,
          Map.of(), d -> Map.of("y_true", gaussian(d, N * C, 22, N, C), "y_pred", gaussian(d, N * C, 23, N, C)),
          c -> () -> KerasRegression.meanAbsoluteError(yTrue(c), yPred(c), null, DEFAULT)),
      keras("keras.MeanAbsoluteError.f64", MAE, DType.FLOAT64,
          "as `f32` with float64 y_true and y_pred (Keras computes in float32; the gradient is float64)",
          "as `f32`, with the `Cast`s to float32 and the gradient's `Cast` back",
          Map.of(), d -> Map.of("y_true", gaussian(d, N * C, 22, N, C), "y_pred", gaussian(d, N * C, 23, N, C)),
          c -> () -> KerasRegression.meanAbsoluteError(yTrue(c), yPred(c), null, DEFAULT)),
      keras("keras.Poisson.f32", POISSON, DType.FLOAT32,
          "`KerasRegression.poisson(y_true, y_pred, null, SUM_OVER_BATCH_SIZE)`, y_pred (4096, 1000) float32"
              + " rates exp(z/2) (z standard normal), y_true float32 counts in {0, ..., 4}",
          "`keras.losses.Poisson()`: " + KERAS_CAST + ", `AddV2(p, 1e-7)`, `Log`, `Mul`, `Sub`, `Mean(-1)`, "
              + KERAS_REDUCE + "; " + REGISTRY,
          Map.of(), d -> Map.of("y_true", counts(d, 24), "y_pred", rates(d, 25)),
          c -> () -> KerasRegression.poisson(yTrue(c), yPred(c), null, DEFAULT)),
      keras("keras.Poisson.f64", POISSON, DType.FLOAT64,
          "as `f32` with float64 y_true and y_pred (Keras computes in float32; the gradient is float64)",
          "as `f32`, with the `Cast`s to float32 and the gradient's `Cast` back",
          Map.of(), d -> Map.of("y_true", counts(d, 24), "y_pred", rates(d, 25)),
          c -> () -> KerasRegression.poisson(yTrue(c), yPred(c), null, DEFAULT)),
      keras("keras.CosineSimilarity.f32", COSINE, DType.FLOAT32,
          "`KerasRegression.cosineSimilarity(y_true, y_pred, null, -1, SUM_OVER_BATCH_SIZE)`, y_true and y_pred"
              + " (4096, 1000) float32 standard normal",
          "`keras.losses.CosineSimilarity(axis=-1)`: " + KERAS_CAST + ", for y_pred then y_true `Mul(x, x)`,"
              + " `Sum(-1, keepdims)`, `Sqrt`, `Maximum(., 1e-7)`, `RealDiv`; then `Mul`, `Sum(-1)`, `Neg`, "
              + KERAS_REDUCE + "; " + REGISTRY,
          Map.of(), d -> Map.of("y_true", gaussian(d, N * C, 26, N, C), "y_pred", gaussian(d, N * C, 27, N, C)),
          c -> () -> KerasRegression.cosineSimilarity(yTrue(c), yPred(c), null, -1, DEFAULT)),
      keras("keras.CosineSimilarity.f64", COSINE, DType.FLOAT64,
          "as `f32` with float64 y_true and y_pred (Keras computes in float32; the gradient is float64)",
          "as `f32`, with the `Cast`s to float32 and the gradient's `Cast` back",
          Map.of(), d -> Map.of("y_true", gaussian(d, N * C, 26, N, C), "y_pred", gaussian(d, N * C, 27, N, C)),
          c -> () -> KerasRegression.cosineSimilarity(yTrue(c), yPred(c), null, -1, DEFAULT)),
      keras("keras.Hinge.f32", HINGE, DType.FLOAT32,
          "`KerasRegression.hinge(y_true, y_pred, null, SUM_OVER_BATCH_SIZE)` (the Keras counterpart of"
              + " hinge_embedding_loss), y_pred (4096, 1000) float32 standard normal, y_true float32 in {-1, 1}",
          "`keras.losses.Hinge()`: " + KERAS_CAST + "; `convert_binary_labels_to_hinge`'s predicate (`Equal`,"
              + " `Equal`, `LogicalOr`, `All`) is run once when the graph is built, as eager `tf.cond` reads it (labels"
              + " -1/1: no conversion; Java scans the labels on every call), then `Mul`, `Sub(1, .)`, `Maximum(., 0)`,"
              + " `Mean(-1)`, " + KERAS_REDUCE + "; " + REGISTRY,
          Map.of(), d -> Map.of("y_true", signs(d, 28), "y_pred", gaussian(d, N * C, 29, N, C)),
          c -> () -> KerasRegression.hinge(yTrue(c), yPred(c), null, DEFAULT)),
      keras("keras.Hinge.f64", HINGE, DType.FLOAT64,
          "as `f32` with float64 y_true and y_pred (Keras computes in float32; the gradient is float64)",
          "as `f32`, with the `Cast`s to float32 and the gradient's `Cast` back",
          Map.of(), d -> Map.of("y_true", signs(d, 28), "y_pred", gaussian(d, N * C, 29, N, C)),
          c -> () -> KerasRegression.hinge(yTrue(c), yPred(c), null, DEFAULT)),
      // ---------------------------------------------------------------- tf.nn
      tfNn("tf.nn.softmax_cross_entropy_with_logits.f32", SOFTMAX, DType.FLOAT32,
          "`TfNn.softmaxCrossEntropyWithLogits(labels, logits, -1)`, logits (4096, 1000) float32, labels float32"
              + " soft (a softmax row each); the (4096,) loss and the gradient of its sum",
          "`tf.nn.softmax_cross_entropy_with_logits(labels, logits)` (nn_ops.py as the generator builds it):"
              + " `Reshape`, `SoftmaxCrossEntropyWithLogits`, `Reshape`; " + XENT_GRADIENT,
          Map.of(), d -> Map.of("labels", softmax(d, 30), "logits", gaussian(d, N * C, 31, N, C)),
          c -> () -> TfNn.softmaxCrossEntropyWithLogits(c.input("labels"), c.input("logits"), -1)),
      tfNn("tf.nn.softmax_cross_entropy_with_logits.f64", SOFTMAX, DType.FLOAT64,
          "as `f32` in float64", "as `f32`, the kernel's float64 instantiation",
          Map.of(), d -> Map.of("labels", softmax(d, 30), "logits", gaussian(d, N * C, 31, N, C)),
          c -> () -> TfNn.softmaxCrossEntropyWithLogits(c.input("labels"), c.input("logits"), -1)),
      tfNn("tf.nn.sparse_softmax_cross_entropy_with_logits.f32", SPARSE, DType.FLOAT32,
          "`TfNn.sparseSoftmaxCrossEntropyWithLogits(labels, logits)`, logits (4096, 1000) float32, labels (4096,)"
              + " int64; the (4096,) loss and the gradient of its sum",
          "`tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)`: the raw kernel"
              + " `SparseSoftmaxCrossEntropyWithLogits` (rank-2 logits); " + XENT_GRADIENT,
          Map.of(), d -> Map.of("labels", labels(N, C, 32), "logits", gaussian(d, N * C, 33, N, C)),
          c -> () -> TfNn.sparseSoftmaxCrossEntropyWithLogits(c.input("labels"), c.input("logits"))),
      tfNn("tf.nn.sparse_softmax_cross_entropy_with_logits.f64", SPARSE, DType.FLOAT64,
          "as `f32` with float64 logits", "as `f32`, the kernel's float64 instantiation",
          Map.of(), d -> Map.of("labels", labels(N, C, 32), "logits", gaussian(d, N * C, 33, N, C)),
          c -> () -> TfNn.sparseSoftmaxCrossEntropyWithLogits(c.input("labels"), c.input("logits"))),
      tfNn("tf.nn.sigmoid_cross_entropy_with_logits.f32", SIGMOID, DType.FLOAT32,
          "`TfNn.sigmoidCrossEntropyWithLogits(labels, logits)`, logits (4096, 1000) float32, labels float32 in"
              + " {0, 1}; the elementwise loss and the gradient of its sum",
          "`tf.nn.sigmoid_cross_entropy_with_logits(labels, logits)` (nn_impl.py): `ZerosLike`, `GreaterEqual`,"
              + " `Select`, `Neg`, `Select`, `Mul`, `Sub`, `Exp`, `Log1p`, `AddV2`; " + REGISTRY,
          Map.of(), d -> Map.of("labels", binary(d, 34), "logits", gaussian(d, N * C, 35, N, C)),
          c -> () -> TfNn.sigmoidCrossEntropyWithLogits(c.input("labels"), c.input("logits"))),
      tfNn("tf.nn.sigmoid_cross_entropy_with_logits.f64", SIGMOID, DType.FLOAT64,
          "as `f32` in float64", "as `f32`, in float64",
          Map.of(), d -> Map.of("labels", binary(d, 34), "logits", gaussian(d, N * C, 35, N, C)),
          c -> () -> TfNn.sigmoidCrossEntropyWithLogits(c.input("labels"), c.input("logits"))),
      tfNn("tf.nn.weighted_cross_entropy_with_logits.f32", WEIGHTED, DType.FLOAT32,
          "`TfNn.weightedCrossEntropyWithLogits(labels, logits, pos_weight)`, logits (4096, 1000) float32, labels"
              + " float32 in {0, 1}, pos_weight (1000,) float32 in [0.5, 2.5); the elementwise loss and the gradient"
              + " of its sum",
          "`tf.nn.weighted_cross_entropy_with_logits(labels, logits, pos_weight)` (nn_impl.py, v2): `Sub`, `Mul`,"
              + " `AddV2`; `Sub`, `Mul`; `Abs`, `Neg`, `Exp`, `Log1p`; `Neg`, `Relu`; `AddV2`, `Mul`, `AddV2`; "
              + REGISTRY,
          Map.of(), d -> Map.of("labels", binary(d, 36), "logits", gaussian(d, N * C, 37, N, C),
              "pos_weight", posWeight(d, 38)),
          c -> () -> TfNn.weightedCrossEntropyWithLogits(c.input("labels"), c.input("logits"), c.input("pos_weight"))),
      tfNn("tf.nn.weighted_cross_entropy_with_logits.f64", WEIGHTED, DType.FLOAT64,
          "as `f32` in float64", "as `f32`, in float64",
          Map.of(), d -> Map.of("labels", binary(d, 36), "logits", gaussian(d, N * C, 37, N, C),
              "pos_weight", posWeight(d, 38)),
          c -> () -> TfNn.weightedCrossEntropyWithLogits(c.input("labels"), c.input("logits"), c.input("pos_weight"))),
      tfNn("tf.nn.log_poisson_loss.f32", LOG_POISSON, DType.FLOAT32,
          "`TfNn.logPoissonLoss(targets, log_input, false)`, log_input (4096, 1000) float32 standard normal,"
              + " targets float32 counts in {0, ..., 4}; the elementwise loss and the gradient of its sum",
          "`tf.nn.log_poisson_loss(targets, log_input)` (nn_impl.py, compute_full_loss=False): `Exp`, `Mul`,"
              + " `Sub`; " + REGISTRY,
          Map.of(), d -> Map.of("targets", counts(d, 39), "log_input", gaussian(d, N * C, 40, N, C)),
          c -> () -> TfNn.logPoissonLoss(c.input("targets"), c.input("log_input"), false)),
      tfNn("tf.nn.log_poisson_loss.f64", LOG_POISSON, DType.FLOAT64,
          "as `f32` in float64", "as `f32`, in float64",
          Map.of(), d -> Map.of("targets", counts(d, 39), "log_input", gaussian(d, N * C, 40, N, C)),
          c -> () -> TfNn.logPoissonLoss(c.input("targets"), c.input("log_input"), false)),
      ctc("tf.nn.ctc_loss.f32", DType.FLOAT32),
      ctc("tf.nn.ctc_loss.f64", DType.FLOAT64));

  private static final List<Configuration> ALL = DECLARED.stream().map(Declared::configuration).toList();

  /** Every configuration, in declaration order (Keras, then tf.nn). */
  static List<Configuration> all() {
    return ALL;
  }

  // ---------------------------------------------------------------- declarations

  /** The Java call on a configuration's inputs, prepared once (loss objects built): one forward + gradient. */
  private interface JavaCall {
    Supplier<LossAndGrad> prepare(Call c);
  }

  /** A configuration with what it is made of: its catalog call (fresh inputs on each get) and the Java call. */
  private record Declared(Configuration configuration, Supplier<Call> call, JavaCall java) {}

  /** A Keras loss: a float32 scalar and the gradient with respect to y_pred, of y_pred's shape and dtype. */
  private static Declared keras(String id, String api, DType dtype, String java, String tf,
      Map<String, Object> params, Function<DType, Map<String, Tensor>> inputs, JavaCall call) {
    return configuration(id, api, dtype, java, tf, params, inputs, call, bytes(DType.FLOAT32, 1) + bytes(dtype, N * C));
  }

  /** A tf.nn function on (N, C) logits: the loss per row (or per element) and the gradient, in the logits' dtype. */
  private static Declared tfNn(String id, String api, DType dtype, String java, String tf,
      Map<String, Object> params, Function<DType, Map<String, Tensor>> inputs, JavaCall call) {
    boolean perRow = api.equals(SOFTMAX) || api.equals(SPARSE);
    long lossBytes = bytes(dtype, perRow ? N : N * C);
    return configuration(id, api, dtype, java, tf, params, inputs, call, lossBytes + bytes(dtype, N * C));
  }

  /**
   * tf.nn.ctc_loss on the CTC problem ({@link Problems.Ctc}): time-major logits (200, 16, 50) (the
   * problem's log-probabilities; TF applies its own softmax), blank_index 0, every label sequence 40
   * long, every input 200.
   */
  private static Declared ctc(String id, DType dtype) {
    int t = Problems.Ctc.T;
    int n = Problems.Ctc.N;
    int c = Problems.Ctc.C;
    int s = Problems.Ctc.S;
    String java = dtype == DType.FLOAT32
        ? "`TfCtcLoss.ctcLoss(labels, logits, label_length, logit_length, 0, true)`, logits (T=200, N=16, C=50)"
            + " float32 (normalised log-probabilities), labels (16, 40) int64 in [1, 50), label_length 40,"
            + " logit_length 200; the (16,) loss and the gradient of its sum"
        : "as `f32` with float64 logits";
    String tf = dtype == DType.FLOAT32
        ? "`tf.nn.ctc_loss(labels, logits, label_length, logit_length, blank_index=0)` on its SparseTensor-label"
            + " path as the generator builds it (`TfCtc`): `StridedSlice` x3 and `ConcatV2` moving the blank last,"
            + " `Less`, `Sub`, `Select` on the labels, the raw kernel `CTCLoss`; gradient"
            + " `ExpandDims(upstream, -1) * PreventGradient(CTCLoss backprop)` (ctc_ops.py `_CTCLossGrad`), carried"
            + " back through `ConcatV2`/`StridedSlice` by the C++ registry"
        : "as `f32`, the kernel's float64 instantiation";
    Function<DType, Map<String, Tensor>> inputs = d -> {
      Problems.Ctc p = Problems.Ctc.create();
      Map<String, Tensor> m = new LinkedHashMap<>();
      m.put("labels", Tensor.ofLongs(p.targets(), n, s));
      m.put("logits", floating(d, p.logProbs(), t, n, c));
      m.put("label_length", Tensor.ofLongs(p.targetLengths(), n));
      m.put("logit_length", Tensor.ofLongs(p.inputLengths(), n));
      return m;
    };
    JavaCall call = k -> () -> TfCtcLoss.ctcLoss(k.input("labels"), k.input("logits"), k.input("label_length"),
        k.input("logit_length"), 0, true);
    return configuration(id, CTC, dtype, java, tf, Map.of("blank_index", 0L, "logits_time_major", true), inputs, call,
        bytes(dtype, n) + bytes(dtype, t * n * c));
  }

  private static Declared configuration(String id, String api, DType dtype, String java, String tf,
      Map<String, Object> params, Function<DType, Map<String, Tensor>> inputs, JavaCall call, long outputBytes) {
    Supplier<Call> catalogCall = () -> new Call(api, params, inputs.apply(dtype), null, null);
    String description = "Java: " + java + ". TensorFlow: " + tf + ".";
    return new Declared(new Configuration(id, api, description, BenchmarkSettings.TENSORFLOW, outputBytes,
        engine -> workload(engine, catalogCall.get(), call)), catalogCall, call);
  }

  private static Workload workload(String engine, Call c, JavaCall call) {
    return switch (engine) {
      case BenchmarkSettings.JAVA -> java(call.prepare(c));
      case BenchmarkSettings.TENSORFLOW -> TensorFlowKernels.call(c);
      default -> throw new IllegalArgumentException("engine " + engine + ": expected " + BenchmarkSettings.JAVA
          + " or " + BenchmarkSettings.TENSORFLOW);
    };
  }

  /**
   * The Java kernel as a user calls it. The Keras and tf.nn entry points have no loss-only call, so
   * {@code forward} runs the same call as {@code forwardGradient}; the benchmark times only the latter.
   */
  private static Workload java(Supplier<LossAndGrad> call) {
    return new Workload() {
      @Override
      public void forward(Blackhole bh) {
        bh.consume(call.get().loss());
      }

      @Override
      public void forwardGradient(Blackhole bh) {
        bh.consume(call.get());
      }

      @Override
      public double loss() {
        return sum(call.get().loss());
      }
    };
  }

  private static Tensor yTrue(Call c) {
    return c.input("y_true");
  }

  private static Tensor yPred(Call c) {
    return c.input("y_pred");
  }

  private static long bytes(DType dtype, long numel) {
    return numel * (dtype == DType.FLOAT64 ? Double.BYTES : Float.BYTES);
  }

  // ---------------------------------------------------------------- inputs (fixed seeds)

  /** Standard normal values (float32 draws, widened for float64) of {@code shape}. */
  private static Tensor gaussian(DType dtype, int n, long seed, int... shape) {
    return floating(dtype, Problems.gaussian(n, seed), shape);
  }

  private static Tensor floating(DType dtype, float[] v, int... shape) {
    if (dtype == DType.FLOAT32) {
      return Tensor.wrapFloats(v, shape);
    }
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return Tensor.wrapDoubles(d, shape);
  }

  /** (N, C) values computed in double by {@code f} from standard normal draws, rounded once to {@code dtype}. */
  private static Tensor mapped(DType dtype, long seed, DoubleUnaryOperator f) {
    float[] z = Problems.gaussian(N * C, seed);
    double[] v = new double[z.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = f.applyAsDouble(z[i]);
    }
    return Tensor.ofFloating(dtype, v, N, C);
  }

  /** Each row the softmax of standard normal logits: probabilities of about 1e-3, none below 1e-6. */
  private static Tensor softmax(DType dtype, long seed) {
    float[] z = Problems.gaussian(N * C, seed);
    double[] v = new double[z.length];
    for (int row = 0; row < N; row++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = row * C; j < (row + 1) * C; j++) {
        max = Math.max(max, z[j]);
      }
      double sum = 0;
      for (int j = row * C; j < (row + 1) * C; j++) {
        v[j] = Math.exp(z[j] - max);
        sum += v[j];
      }
      for (int j = row * C; j < (row + 1) * C; j++) {
        v[j] /= sum;
      }
    }
    return Tensor.ofFloating(dtype, v, N, C);
  }

  private static Tensor sigmoid(DType dtype, long seed) {
    return mapped(dtype, seed, z -> 1 / (1 + Math.exp(-z)));
  }

  /** Poisson rates {@code exp(z / 2)}: about 0.1 to 7. */
  private static Tensor rates(DType dtype, long seed) {
    return mapped(dtype, seed, z -> Math.exp(z / 2));
  }

  /** {@code n} class indices in {@code [0, classes)}, int64. */
  private static Tensor labels(int n, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(classes);
    }
    return Tensor.wrapLongs(DType.INT64, v, n);
  }

  /** One-hot rows of the labels drawn with {@code seed}. */
  private static Tensor oneHot(DType dtype, long seed) {
    long[] label = labels(N, C, seed).backingLongs();
    double[] v = new double[N * C];
    for (int row = 0; row < N; row++) {
      v[row * C + (int) label[row]] = 1;
    }
    return Tensor.ofFloating(dtype, v, N, C);
  }

  /** (N, C) values each drawn uniformly from {@code values}. */
  private static Tensor draws(DType dtype, long seed, double... values) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[N * C];
    for (int i = 0; i < v.length; i++) {
      v[i] = values[r.nextInt(values.length)];
    }
    return Tensor.ofFloating(dtype, v, N, C);
  }

  private static Tensor binary(DType dtype, long seed) {
    return draws(dtype, seed, 0, 1);
  }

  private static Tensor signs(DType dtype, long seed) {
    return draws(dtype, seed, -1, 1);
  }

  private static Tensor counts(DType dtype, long seed) {
    return draws(dtype, seed, 0, 1, 2, 3, 4);
  }

  /** A per-class pos_weight (C,) in [0.5, 2.5). */
  private static Tensor posWeight(DType dtype, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[C];
    for (int i = 0; i < C; i++) {
      v[i] = 0.5 + 2 * r.nextDouble();
    }
    return Tensor.ofFloating(dtype, v, C);
  }

  // ---------------------------------------------------------------- check

  /** The sum of a loss tensor's elements, in double (a reduced loss is its one element). */
  static double sum(Tensor t) {
    double s = 0;
    for (int i = 0; i < t.numel(); i++) {
      s += t.getDouble(i);
    }
    return s;
  }

  /**
   * Checks every configuration in {@code ids} (all when empty) before their times are compared: runs
   * the Java call and TensorFlow's graph once on the same inputs and compares the loss (the sum of
   * its elements) and the gradient (max |Java - TF| over max |TF|) within {@code 1e-4} relative where
   * the loss is computed in float32 (every float32 row and every Keras row: Keras 3.3.3 computes in
   * float32 whatever the input dtype) and {@code 1e-9} where it is computed in float64 (the tf.nn
   * float64 rows; the float64 CTC gradient within {@code 1e-4}, as TF's kernel computes its occupancy
   * term with float functions); that the loss and gradient have TF's shapes and dtypes and the Java
   * outputs take {@link Configuration#outputBytes} bytes ({@link EngineCheck} runs it, and checks
   * that {@link TfConfigurationBenchmark}'s {@code config} parameter lists exactly these ids). Prints one line per configuration to {@code out};
   * returns whether all agree.
   */
  static boolean check(List<String> ids, PrintStream out) {
    boolean ok = true;
    List<String> declared = ALL.stream().map(Configuration::id).toList();
    for (String id : ids) {
      if (!declared.contains(id)) {
        ok = false;
        out.println("config " + id + ": expected one of " + declared);
      }
    }
    out.printf("%-54s %16s %16s %9s %9s%n", "configuration", "java loss", "tensorflow loss", "loss rel", "grad rel");
    for (Declared d : DECLARED) {
      Configuration cfg = d.configuration();
      if (!ids.isEmpty() && !ids.contains(cfg.id())) {
        continue;
      }
      Call c = d.call().get();
      LossAndGrad java = d.java().prepare(c).get();
      Tensor[] tf = TensorFlowKernels.lossAndGradient(c);
      boolean f64 = c.dtype() == DType.FLOAT64 && cfg.family().startsWith("tf.nn.");
      double tolerance = f64 ? 1e-9 : 1e-4;
      // TF's float64 CTCLoss computes the occupancy with expf (ctc_loss_calculator.h, see TfCtcLoss):
      // its float64 gradient is float32-accurate
      double gradTolerance = cfg.family().equals(CTC) ? 1e-4 : tolerance;
      String verdict = "";
      double lj = sum(java.loss());
      double lt = sum(tf[0]);
      double lossRel = Math.abs(lj - lt) / Math.max(Math.abs(lt), Double.MIN_NORMAL);
      double gradRel = maxDiff(java.gradInput(), tf[1]);
      if (!(lossRel <= tolerance)) {
        verdict += "  LOSS differs";
      }
      if (!(gradRel <= gradTolerance)) {
        verdict += "  GRADIENT differs";
      }
      long javaBytes = bytes(java.loss().dtype(), java.loss().numel()) + bytes(java.gradInput().dtype(), java.gradInput().numel());
      if (javaBytes != cfg.outputBytes()) {
        verdict += "  outputBytes " + cfg.outputBytes() + " but Java returns " + javaBytes;
      }
      if (!Arrays.equals(java.loss().shape(), tf[0].shape()) || java.loss().dtype() != tf[0].dtype()) {
        verdict += "  loss shape/dtype differ";
      }
      if (!Arrays.equals(java.gradInput().shape(), tf[1].shape()) || java.gradInput().dtype() != tf[1].dtype()) {
        verdict += "  gradient shape/dtype differ";
      }
      ok &= verdict.isEmpty();
      out.printf("%-54s %16.9g %16.9g %9.2g %9.2g%s%n", cfg.id(), lj, lt, lossRel, gradRel, verdict);
    }
    out.println(ok ? "java and tensorflow agree on every checked configuration" : "java and tensorflow DISAGREE");
    return ok;
  }

  /** max |a - b| over max |b|. */
  private static double maxDiff(Tensor a, Tensor b) {
    if (a.numel() != b.numel()) {
      return Double.POSITIVE_INFINITY;
    }
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < a.numel(); i++) {
      double d = Math.abs(a.getDouble(i) - b.getDouble(i));
      diff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(diff, d);
      scale = Math.max(scale, Math.abs(b.getDouble(i)));
    }
    return diff / Math.max(scale, Double.MIN_NORMAL);
  }

  /**
   * Runs {@link #check} on the ids given as arguments (every configuration without arguments) and
   * exits with 1 when an engine disagrees: {@code java -cp ... dev.lossconformance.benchmarks.TfConfigurations [id...]}.
   */
  public static void main(String[] args) {
    boolean ok = check(List.of(args), System.out);
    System.exit(ok ? 0 : 1);
  }
}
