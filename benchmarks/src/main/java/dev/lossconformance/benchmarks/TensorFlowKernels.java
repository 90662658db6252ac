package dev.lossconformance.benchmarks;

import ai.djl.engine.Engine;
import dev.lossconformance.generator.engine.TensorFlowBackend;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.infra.Blackhole;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * TensorFlow 2.16.1's own kernels through the TF Java API that DJL ships: each loss is a graph of
 * raw ops (named as registered, so the graph says exactly which kernels run), run in a session with
 * {@link BenchmarkSettings#THREADS} intra-op threads and one inter-op thread and TensorFlow's default
 * graph optimisations. The inputs are TensorFlow tensors created once and fed to placeholders on every
 * call. {@code Session.run} returns when the fetched outputs are computed; each call reads the scalar
 * loss and touches the gradient's first element before the outputs are freed.
 *
 * <p>Gradients are built as TF Python builds them: the C++ gradient registry
 * ({@code Graph.addGradients}) for elementary ops, and for the fused kernels, which have no C++
 * gradient, their registered Python gradient ({@code _SparseSoftmaxCrossEntropyWithLogitsGrad},
 * {@code _CTCLossGrad}): {@code ExpandDims(upstream, -1) * backprop}, the kernel's own second output
 * times the incoming gradient of its loss.
 */
final class TensorFlowKernels {
  private TensorFlowKernels() {}

  private static final ConfigProto SESSION_CONFIG = ConfigProto.newBuilder()
      .setIntraOpParallelismThreads(BenchmarkSettings.THREADS)
      .setInterOpParallelismThreads(1)
      .build();

  /**
   * {@code SparseSoftmaxCrossEntropyWithLogits(logits [M, C], labels [M] int64)} then {@code Mean};
   * what {@code tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(...))} runs. TensorFlow
   * has classes on the last dim, so a K-dim input {@code (N, C, d...)} is first transposed to
   * {@code (N, d..., C)} and flattened to {@code (M, C)} (and its gradient transposed back): the
   * cost of taking the same channels-first tensor.
   */
  static Workload crossEntropy(Problems.CrossEntropy p) {
    GraphWorkload w = new GraphWorkload();
    int rank = p.shape().length;
    Output<?> x = w.placeholder(TFloat32.tensorOf(shape(p.shape()), DataBuffers.of(p.logits(), true, false)));
    Output<?> labels = w.placeholder(TInt64.tensorOf(shape(p.targetShape()), DataBuffers.of(p.targets(), true, false)));
    Output<?> logits = x;
    if (rank > 2) {
      long[] perm = new long[rank]; // (0, 2, 3, ..., 1)
      for (int d = 1; d < rank - 1; d++) {
        perm[d] = d + 1;
      }
      perm[rank - 1] = 1;
      logits = w.op("Reshape", w.op("Transpose", x, w.ints(perm)), w.ints(-1, p.classes()));
      labels = w.op("Reshape", labels, w.ints(-1));
    }
    GraphOperation xent = w.builder("SparseSoftmaxCrossEntropyWithLogits").addInput(logits).addInput(labels).build();
    Output<?> loss = w.op("Mean", xent.output(0), w.ints(0));
    Output<?> grad = w.fusedGradient(loss, xent.output(0), xent.output(1));
    if (logits != x) {
      grad = w.graph.addGradients("back", new Output<?>[] {logits}, new Output<?>[] {x}, new Output<?>[] {grad})[0];
    }
    return w.fetching(loss, grad);
  }

  /**
   * {@code tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x))} as nn_impl.py
   * composes it: {@code Select(x >= 0, x, 0) - x*y + Log1p(Exp(Select(x >= 0, -x, x)))}, then
   * {@code Mean} over both dims; the gradient from the C++ registry.
   */
  static Workload bceWithLogits(Problems.BceWithLogits p) {
    GraphWorkload w = new GraphWorkload();
    Output<?> x = w.placeholder(TFloat32.tensorOf(shape(p.shape()), DataBuffers.of(p.logits(), true, false)));
    Output<?> y = w.placeholder(TFloat32.tensorOf(shape(p.shape()), DataBuffers.of(p.targets(), true, false)));
    Output<?> zeros = w.op("ZerosLike", x);
    Output<?> cond = w.op("GreaterEqual", x, zeros);
    Output<?> reluLogits = w.op("Select", cond, x, zeros);
    Output<?> negAbsLogits = w.op("Select", cond, w.op("Neg", x), x);
    Output<?> elementwise = w.op("AddV2", w.op("Sub", reluLogits, w.op("Mul", x, y)),
        w.op("Log1p", w.op("Exp", negAbsLogits)));
    Output<?> loss = w.op("Mean", elementwise, w.ints(0, 1));
    Output<?> grad = w.graph.addGradients(loss, new Output<?>[] {x})[0];
    return w.fetching(loss, grad);
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
    int[] values = new int[n * s];
    for (int b = 0, k = 0; b < n; b++) {
      for (int j = 0; j < p.targetLengths()[b]; j++, k++) {
        indices[2 * k] = b;
        indices[2 * k + 1] = j;
        values[k] = (int) p.targets()[b * s + j] - 1;
      }
    }
    int[] sequenceLength = new int[n];
    float[] targetLength = new float[n];
    for (int b = 0; b < n; b++) {
      sequenceLength[b] = (int) p.inputLengths()[b];
      targetLength[b] = Math.max(p.targetLengths()[b], 1);
    }
    GraphWorkload w = new GraphWorkload();
    Output<?> inputs = w.placeholder(TFloat32.tensorOf(Shape.of(t, n, c), DataBuffers.of(moved, true, false)));
    GraphOperation ctc = w.builder("CTCLoss")
        .addInput(inputs)
        .addInput(w.placeholder(TInt64.tensorOf(Shape.of(n * s, 2), DataBuffers.of(indices, true, false))))
        .addInput(w.placeholder(TInt32.tensorOf(Shape.of(n * s), DataBuffers.of(values, true, false))))
        .addInput(w.placeholder(TInt32.tensorOf(Shape.of(n), DataBuffers.of(sequenceLength, true, false))))
        .setAttr("preprocess_collapse_repeated", false)
        .setAttr("ctc_merge_repeated", true)
        .setAttr("ignore_longer_outputs_than_inputs", false)
        .build();
    Output<?> lengths = w.placeholder(TFloat32.tensorOf(Shape.of(n), DataBuffers.of(targetLength, true, false)));
    Output<?> loss = w.op("Mean", w.op("RealDiv", ctc.output(0), lengths), w.ints(0));
    return w.fetching(loss, w.fusedGradient(loss, ctc.output(0), ctc.output(1)));
  }

  /** One graph, its session, the tensors fed to its placeholders, and the outputs a call fetches. */
  private static final class GraphWorkload implements Workload {
    final Graph graph;
    private final Map<Output<?>, Tensor> feeds = new LinkedHashMap<>();
    private Session session;
    private Output<?> loss;
    private Output<?> grad;
    private int counter;

    GraphWorkload() {
      engine();
      graph = new Graph();
    }

    /** A placeholder fed with {@code value} (owned from now on) on every call. */
    Output<?> placeholder(Tensor value) {
      Output<?> out = builder("Placeholder").setAttr("dtype", value.dataType()).build().output(0);
      feeds.put(out, value);
      return out;
    }

    /** An int32 vector constant (axes, shapes, permutations), as TF converts a Python list of ints. */
    Output<?> ints(long... v) {
      int[] a = new int[v.length];
      for (int i = 0; i < v.length; i++) {
        a[i] = Math.toIntExact(v[i]);
      }
      try (TInt32 value = TInt32.tensorOf(Shape.of(v.length), DataBuffers.of(a, true, false))) {
        return builder("Const").setAttr("dtype", DataType.DT_INT32).setAttr("value", value).build().output(0);
      }
    }

    /** Output 0 of raw op {@code type} on {@code inputs}. */
    Output<?> op(String type, Output<?>... inputs) {
      GraphOperationBuilder b = builder(type);
      for (Output<?> in : inputs) {
        b.addInput(in);
      }
      return b.build().output(0);
    }

    GraphOperationBuilder builder(String type) {
      return graph.opBuilder(type, type + "_" + (counter++), graph.baseScope());
    }

    /**
     * d{@code loss}/d(the fused kernel's logits): the upstream gradient of its per-row loss from the
     * C++ registry, expanded on the last dim, times the kernel's backprop output (TF Python's
     * registered gradient of SparseSoftmaxCrossEntropyWithLogits and CTCLoss).
     */
    Output<?> fusedGradient(Output<?> loss, Output<?> kernelLoss, Output<?> backprop) {
      Output<?> upstream = graph.addGradients("grad_" + (counter++), new Output<?>[] {loss},
          new Output<?>[] {kernelLoss}, null)[0];
      return op("Mul", op("ExpandDims", upstream, ints(-1)), backprop);
    }

    /** Finishes the graph: a call fetches {@code loss} (forward) or {@code loss} and {@code grad}. */
    GraphWorkload fetching(Output<?> loss, Output<?> grad) {
      this.loss = loss;
      this.grad = grad;
      session = new Session(graph, SESSION_CONFIG);
      return this;
    }

    private Result run(boolean withGradient) {
      Session.Runner r = session.runner();
      feeds.forEach(r::feed);
      r.fetch(loss);
      if (withGradient) {
        r.fetch(grad);
      }
      return r.run();
    }

    @Override
    public void forward(Blackhole bh) {
      try (Result r = run(false)) {
        bh.consume(((TFloat32) r.get(0)).getFloat());
      }
    }

    @Override
    public void forwardGradient(Blackhole bh) {
      try (Result r = run(true)) {
        bh.consume(((TFloat32) r.get(0)).getFloat());
        bh.consume(r.get(1).asRawTensor().data().asFloats().getFloat(0));
      }
    }

    @Override
    public double loss() {
      try (Result r = run(true)) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    }

    @Override
    public void close() {
      if (session != null) {
        session.close();
      }
      feeds.values().forEach(Tensor::close);
      graph.close();
    }
  }

  /**
   * The TensorFlow engine: the generator's {@link TensorFlowBackend} extracts the natives from the
   * classpath once (into ~/.cache/loss-conformance/) and loads DJL's TensorFlow engine, offline.
   */
  static Engine engine() {
    new TensorFlowBackend();
    return Engine.getEngine("TensorFlow");
  }

  private static Shape shape(int[] dims) {
    long[] s = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      s[i] = dims[i];
    }
    return Shape.of(s);
  }
}
