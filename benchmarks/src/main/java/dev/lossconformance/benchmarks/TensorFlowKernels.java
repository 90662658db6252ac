package dev.lossconformance.benchmarks;

import ai.djl.engine.Engine;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.generator.engine.TfLosses;
import dev.lossconformance.generator.runtime.DjlEngines;
import dev.lossconformance.generator.runtime.TfGraph;
import dev.lossconformance.generator.runtime.TfGraph.KernelFails;
import dev.lossconformance.generator.runtime.TfGraph.Node;
import dev.lossconformance.generator.runtime.TfGraph.PythonError;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;
import org.tensorflow.Result;

/**
 * TensorFlow 2.16.1's own kernels through the TF Java API that DJL ships: each loss is a graph of
 * raw ops built with the generator's {@link TfGraph} (ops named as registered, so the graph says
 * exactly which kernels run), run in a session with {@link BenchmarkSettings#THREADS} intra-op threads
 * and one inter-op thread and TensorFlow's default graph optimisations ({@link TfGraph#threaded}). The
 * inputs are converted to TensorFlow tensors once ({@link TfGraph#openSession}) and fed to placeholders
 * on every call. {@code Session.run} returns when the fetched outputs are computed; each call reads the
 * loss (its first element when it is not reduced) and touches the gradient's first element before the
 * outputs are freed.
 *
 * <p>Gradients are built as TF Python builds them ({@link TfGraph#gradient}): the C++ gradient registry
 * ({@code Graph.addGradients}) for elementary ops, and for the fused kernels, which have no C++
 * gradient, their registered Python gradient ({@code _SparseSoftmaxCrossEntropyWithLogitsGrad},
 * {@code _CTCLossGrad}): {@code ExpandDims(upstream, -1) * backprop}, the kernel's own second output
 * times the incoming gradient of its loss.
 */
final class TensorFlowKernels {
  private TensorFlowKernels() {}

  /**
   * {@code SparseSoftmaxCrossEntropyWithLogits(logits [M, C], labels [M] int64)} then {@code Mean};
   * what {@code tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(...))} runs. TensorFlow
   * has classes on the last dim, so a K-dim input {@code (N, C, d...)} is first transposed to
   * {@code (N, d..., C)} and flattened to {@code (M, C)} (and its gradient transposed back): the
   * cost of taking the same channels-first tensor.
   */
  static Workload crossEntropy(Problems.CrossEntropy p) {
    return new GraphWorkload(g -> {
      int rank = p.shape().length;
      Node x = g.input(Tensor.ofFloats(p.logits(), p.shape()));
      Node labels = g.input(Tensor.ofLongs(p.targets(), p.targetShape()));
      Node logits = x;
      if (rank > 2) {
        long[] perm = new long[rank]; // (0, 2, 3, ..., 1)
        for (int d = 1; d < rank - 1; d++) {
          perm[d] = d + 1;
        }
        perm[rank - 1] = 1;
        logits = g.reshape(g.transpose(x, perm), new long[] {-1, p.classes()});
        labels = g.reshape(labels, new long[] {-1});
      }
      Node loss = g.reduce("Mean", g.sparseSoftmaxXent(logits, labels)[0], new long[] {0}, false);
      return new Node[] {loss, g.gradient(loss, x)};
    });
  }

  /**
   * {@code tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x))} as nn_impl.py
   * composes it: {@code Select(x >= 0, x, 0) - x*y + Log1p(Exp(Select(x >= 0, -x, x)))}, then
   * {@code Mean} over both dims; the gradient from the C++ registry.
   */
  static Workload bceWithLogits(Problems.BceWithLogits p) {
    return new GraphWorkload(g -> {
      Node x = g.input(Tensor.ofFloats(p.logits(), p.shape()));
      Node y = g.input(Tensor.ofFloats(p.targets(), p.shape()));
      Node zeros = g.unary("ZerosLike", x);
      Node cond = g.binary("GreaterEqual", x, zeros);
      Node reluLogits = g.select("Select", cond, x, zeros);
      Node negAbsLogits = g.select("Select", cond, g.unary("Neg", x), x);
      Node elementwise = g.binary("AddV2", g.binary("Sub", reluLogits, g.binary("Mul", x, y)),
          g.unary("Log1p", g.unary("Exp", negAbsLogits)));
      Node loss = g.reduce("Mean", elementwise, new long[] {0, 1}, false);
      return new Node[] {loss, g.gradient(loss, x)};
    });
  }

  /**
   * The raw kernel {@code CTCLoss(inputs [T, N, C], labels_indices, labels_values, sequence_length)}
   * with tf.nn.ctc_loss's attributes (preprocess_collapse_repeated=False, ctc_merge_repeated=True,
   * ignore_longer_outputs_than_inputs=False), each sample's loss divided by its target length and
   * averaged, which is PyTorch's mean. TensorFlow's blank is the last class, so its inputs are the
   * same log-probabilities with the blank column (PyTorch's 0) moved last and the labels shifted down
   * by one: the same per-sample losses. The kernel applies its own softmax; on log-probabilities that
   * is the identity up to rounding.
   */
  static Workload ctc(Problems.Ctc p) {
    int t = Problems.Ctc.T;
    int n = Problems.Ctc.N;
    int c = Problems.Ctc.C;
    int s = Problems.Ctc.S;
    float[] moved = new float[t * n * c];
    for (int row = 0; row < t * n; row++) {
      System.arraycopy(p.logProbs(), row * c + 1, moved, row * c, c - 1);
      moved[row * c + c - 1] = p.logProbs()[row * c];
    }
    long[] indices = new long[2 * n * s];
    long[] values = new long[n * s];
    for (int b = 0, k = 0; b < n; b++) {
      for (int j = 0; j < p.targetLengths()[b]; j++, k++) {
        indices[2 * k] = b;
        indices[2 * k + 1] = j;
        values[k] = p.targets()[b * s + j] - 1;
      }
    }
    long[] sequenceLength = new long[n];
    float[] targetLength = new float[n];
    for (int b = 0; b < n; b++) {
      sequenceLength[b] = p.inputLengths()[b];
      targetLength[b] = Math.max(p.targetLengths()[b], 1);
    }
    return new GraphWorkload(g -> {
      Node inputs = g.input(Tensor.ofFloats(moved, t, n, c));
      Node ctc = g.ctcLoss(inputs, g.input(Tensor.ofLongs(indices, n * s, 2)),
          g.input(Tensor.ofLongs(DType.INT32, values, n * s)), g.input(Tensor.ofLongs(DType.INT32, sequenceLength, n)));
      Node loss = g.reduce("Mean", g.binary("RealDiv", ctc, g.input(Tensor.ofFloats(targetLength, n))), new long[] {0}, false);
      return new Node[] {loss, g.gradient(loss, inputs)};
    });
  }

  /**
   * A catalog call exactly as the generator's TensorFlow engine builds it for the goldens ({@link
   * TfLosses#build}: the Keras 3.3.3 losses and the tf.nn functions op by op, as their Python issues
   * them), with the gradient of its summed loss with respect to the prediction ({@code y_pred},
   * {@code logits} or {@code log_input}) from {@link TfGraph#gradient}: what {@code TensorFlowBackend}
   * stores as {@code grad_<prediction>}. Only the session options differ: {@link TfGraph#threaded}.
   */
  static Workload call(Call c) {
    return new GraphWorkload(g -> build(g, c));
  }

  /** {@link #call}'s loss and gradient computed once, converted (for checking the engines agree). */
  static Tensor[] lossAndGradient(Call c) {
    engine();
    try (TfGraph g = new TfGraph(TfGraph.threaded(BenchmarkSettings.THREADS))) {
      Node[] built = build(g, c);
      List<Tensor> out = g.run(built[0].out(), built[1].out());
      return new Tensor[] {out.get(0), out.get(1)};
    } catch (PythonError | KernelFails e) {
      throw new IllegalStateException("cannot build " + c.api() + " on TensorFlow", e);
    }
  }

  private static Node[] build(TfGraph g, Call c) throws PythonError, KernelFails {
    TfLosses.Built built;
    try {
      built = TfLosses.build(g, c);
    } catch (TfLosses.UnsupportedCase e) {
      throw new IllegalArgumentException(c.api() + " " + c.params() + ": " + e.getMessage(), e);
    }
    return new Node[] {built.loss(), g.gradient(built.loss(), built.prediction())};
  }

  /** Builds a workload's graph on {@code g}: its loss and the loss's gradient. */
  private interface Recipe {
    Node[] build(TfGraph g) throws PythonError, KernelFails;
  }

  /** One graph, its open session (the inputs converted once), and the outputs a call fetches. */
  private static final class GraphWorkload implements Workload {
    private final TfGraph graph;
    private final TfGraph.OpenSession session;
    private final Node loss;
    private final Node grad;

    GraphWorkload(Recipe recipe) {
      engine();
      graph = new TfGraph(TfGraph.threaded(BenchmarkSettings.THREADS));
      try {
        Node[] built = recipe.build(graph);
        loss = built[0];
        grad = built[1];
        session = graph.openSession();
      } catch (PythonError | KernelFails | RuntimeException e) {
        graph.close();
        throw new IllegalStateException("cannot build the TensorFlow workload", e);
      }
    }

    private Result run(boolean withGradient) {
      return withGradient ? session.run(loss.out(), grad.out()) : session.run(loss.out());
    }

    @Override
    public void forward(Blackhole bh) {
      try (Result r = run(false)) {
        bh.consume(element(r.get(0), 0));
      }
    }

    @Override
    public void forwardGradient(Blackhole bh) {
      try (Result r = run(true)) {
        bh.consume(element(r.get(0), 0));
        bh.consume(element(r.get(1), 0));
      }
    }

    /** The loss, or the sum of its elements in double when it is not reduced (tf.nn). */
    @Override
    public double loss() {
      try (Result r = run(true)) {
        org.tensorflow.Tensor t = r.get(0);
        double sum = 0;
        for (long i = 0; i < t.shape().size(); i++) {
          sum += element(t, i);
        }
        return sum;
      }
    }

    /** Element {@code i} (row-major) of a float32 or float64 tensor. */
    private static double element(org.tensorflow.Tensor t, long i) {
      return switch (t.dataType()) {
        case DT_FLOAT -> t.asRawTensor().data().asFloats().getFloat(i);
        case DT_DOUBLE -> t.asRawTensor().data().asDoubles().getDouble(i);
        default -> throw new IllegalStateException("TensorFlow returned a " + t.dataType() + " tensor");
      };
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /**
   * The TensorFlow engine ({@link DjlEngines#tensorflow}): the natives extracted from the classpath
   * once (into ~/.cache/loss-conformance/) and DJL's TensorFlow engine loaded, offline.
   */
  static Engine engine() {
    return DjlEngines.tensorflow();
  }
}
