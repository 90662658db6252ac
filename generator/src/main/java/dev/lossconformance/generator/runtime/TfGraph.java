package dev.lossconformance.generator.runtime;

import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * A TensorFlow graph built raw op by raw op, as TF Python would issue the same ops eagerly; the
 * generator's TensorFlow recipes and the benchmarks' TensorFlow workloads both build on it.
 *
 * <p>Every op is added by its registered name ({@code Log}, {@code Maximum}, {@code
 * SparseSoftmaxCrossEntropyWithLogits}, ...) so the graph says exactly which kernels run. Next to
 * each output the builder keeps the static shape Python would see on the eager tensor: Keras and
 * tf.nn take decisions on {@code x.shape} (squeeze or expand, rank checks, the {@code ()}/{@code (0,)}
 * early return of the reduction), and those decisions are taken here in Java on the same shapes.
 * The graph's own placeholders carry no shape, so TensorFlow never rejects an op at construction
 * time with a graph-mode message: every kernel error surfaces at run time with the kernel's own
 * text, as in eager mode. Where a shape makes an op's kernel fail, {@link KernelFails} says which op
 * to run to obtain TensorFlow's own error.
 *
 * <p>By default ({@link #TfGraph()}, the {@link #DETERMINISTIC} session options) it runs in a {@link
 * Session} with one intra-op and one inter-op thread, the classic graph optimizer at L0 (no constant
 * folding, no common-subexpression elimination) and Grappler off, so the kernels run as written, once
 * each, as eager Python runs them: what the goldens are made with. {@link #TfGraph(ConfigProto)}
 * takes other options, e.g. {@link #threaded(int)} for timing. Results are complete when {@code
 * Session.run} returns.
 *
 * <p>Two ways to run: {@link #run} opens a session, feeds the inputs, fetches, converts the outputs
 * and closes everything (one call, as the generator runs a case); {@link #openSession} keeps a
 * session and the converted inputs for repeated runs (as a benchmark times a call). The engine must
 * be loaded first ({@link DjlEngines#tensorflow()}). Not thread-safe.
 */
public final class TfGraph implements AutoCloseable {

  /** One op output with the static shape and dtype eager Python sees on it. */
  public record Node(Output<?> out, long[] shape, DataType dtype) {
    public int rank() {
      return shape.length;
    }

    public long numel() {
      return LongStream.of(shape).reduce(1, (a, b) -> a * b);
    }
  }

  /**
   * A kernel that returns its own backprop (the SoftmaxCrossEntropyWithLogits family, CTCLoss): its
   * logits input, its loss and that backprop.
   */
  private record Xent(Node logits, Node loss, Node backprop) {}

  /** TF Python (or Keras) raises before any kernel: {@code "<PythonExceptionType>: <message>"}. */
  public static final class PythonError extends Exception {
    private static final long serialVersionUID = 1L;

    public PythonError(String type, String message) {
      super(type + ": " + message);
    }
  }

  /** The kernel of {@code op} fails on these shapes; running the graph up to it yields TF's error. */
  public static final class KernelFails extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Output<?> op;

    public KernelFails(Output<?> op, String why) {
      super(why);
      this.op = op;
    }

    /** The op whose kernel fails: {@link #run} up to it to obtain TensorFlow's own error. */
    public Output<?> op() {
      return op;
    }
  }

  /**
   * One intra-op and one inter-op thread, graph optimizer at L0 without constant folding, CSE or
   * function inlining, Grappler off: every kernel runs as written, once, as in eager Python.
   */
  public static final ConfigProto DETERMINISTIC =
      ConfigProto.newBuilder()
          .setIntraOpParallelismThreads(1)
          .setInterOpParallelismThreads(1)
          .setGraphOptions(
              GraphOptions.newBuilder()
                  .setOptimizerOptions(
                      OptimizerOptions.newBuilder()
                          .setOptLevel(OptimizerOptions.Level.L0)
                          .setDoConstantFolding(false)
                          .setDoCommonSubexpressionElimination(false)
                          .setDoFunctionInlining(false))
                  .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
          .build();

  private final Graph graph = new Graph();
  private final ConfigProto sessionConfig;
  private final Map<Output<?>, Tensor> feeds = new LinkedHashMap<>();
  private final List<Xent> xents = new ArrayList<>();
  private int counter;

  /** A graph whose sessions use the {@link #DETERMINISTIC} options. */
  public TfGraph() {
    this(DETERMINISTIC);
  }

  /** A graph whose sessions use {@code sessionConfig}. */
  public TfGraph(ConfigProto sessionConfig) {
    this.sessionConfig = sessionConfig;
  }

  /**
   * {@code intraOpThreads} intra-op threads, one inter-op thread and TensorFlow's default graph
   * optimisations (Grappler on): how a TF user's session runs, for timing.
   */
  public static ConfigProto threaded(int intraOpThreads) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(1)
        .build();
  }

  /** The graph itself, for what this class does not wrap. */
  public Graph graph() {
    return graph;
  }

  /** Closes the graph; close every {@link OpenSession} of it first. */
  @Override
  public void close() {
    graph.close();
  }

  // ---------------------------------------------------------------- inputs and constants

  /** A Placeholder (no static shape in the graph) fed with {@code t} at run time. */
  public Node input(Tensor t) {
    DataType dt = dataType(t);
    Output<?> out = builder("Placeholder").setAttr("dtype", dt).build().output(0);
    feeds.put(out, t);
    return new Node(out, Arrays.stream(t.shape()).asLongStream().toArray(), dt);
  }

  /**
   * A scalar Const of {@code dtype} holding {@code v}, as TF converts a Python number to a tensor of
   * that dtype (a float64 value rounded once to float32).
   */
  public Node scalar(DataType dtype, double v) {
    org.tensorflow.Tensor value = switch (dtype) {
      case DT_FLOAT -> TFloat32.scalarOf((float) v);
      case DT_DOUBLE -> TFloat64.scalarOf(v);
      case DT_INT32 -> TInt32.scalarOf(Math.toIntExact((long) v));
      case DT_INT64 -> TInt64.scalarOf((long) v);
      default -> throw new IllegalArgumentException("no scalar constant of " + dtype);
    };
    try (value) {
      return new Node(constant(value, dtype), new long[0], dtype);
    }
  }

  /** An int32 vector Const, as TF converts a Python list of ints (axes, shapes, permutations). */
  public Node ints(long... v) {
    int[] a = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      a[i] = Math.toIntExact(v[i]);
    }
    try (TInt32 value = TInt32.tensorOf(Shape.of(v.length), DataBuffers.of(a, true, false))) {
      return new Node(constant(value, DataType.DT_INT32), new long[] {v.length}, DataType.DT_INT32);
    }
  }

  private Output<?> constant(org.tensorflow.Tensor value, DataType dtype) {
    return builder("Const").setAttr("dtype", dtype).setAttr("value", value).build().output(0);
  }

  // ---------------------------------------------------------------- ops

  /** An elementwise op of one input: same shape, same dtype ({@code ZerosLike} included). */
  public Node unary(String op, Node x) {
    return new Node(builder(op).addInput(x.out()).build().output(0), x.shape(), x.dtype());
  }

  /**
   * A broadcasting binary op ({@code AddV2, Sub, Mul, RealDiv, Maximum, Minimum}, or a comparison
   * giving bool). Mismatched dtypes fail as TF's eager executor fails them; mismatched shapes fail in
   * the kernel.
   */
  public Node binary(String op, Node a, Node b) throws PythonError, KernelFails {
    if (a.dtype() != b.dtype()) {
      // the eager executor's check (tensorflow/core/common_runtime/eager/execute.cc), raised as
      // InvalidArgumentError before the kernel runs
      throw new PythonError("InvalidArgumentError", "cannot compute " + op + " as input #1(zero-based) was expected"
          + " to be a " + pyDtype(a.dtype()) + " tensor but is a " + pyDtype(b.dtype()) + " tensor");
    }
    Output<?> out = builder(op).addInput(a.out()).addInput(b.out()).build().output(0);
    long[] shape = broadcast(a.shape(), b.shape());
    if (shape == null) {
      throw new KernelFails(out, op + ": incompatible shapes");
    }
    boolean comparison = op.equals("NotEqual") || op.equals("GreaterEqual") || op.equals("LessEqual")
        || op.equals("Greater") || op.equals("Less") || op.equals("Equal");
    return new Node(out, shape, comparison ? DataType.DT_BOOL : a.dtype());
  }

  /** {@code tf.cast}: no op at all when the dtype already matches (math_ops.cast returns x). */
  public Node cast(Node x, DataType to) {
    if (x.dtype() == to) {
      return x;
    }
    return new Node(builder("Cast").addInput(x.out()).setAttr("DstT", to).build().output(0), x.shape(), to);
  }

  /**
   * A reduction ({@code Sum, Mean, Prod}) over {@code axes} as given (negative allowed), or over
   * every axis when {@code axes} is null, as {@code tf.reduce_*(x, axis=None)} passes
   * {@code range(rank)}.
   */
  public Node reduce(String op, Node x, long[] axes, boolean keepDims) throws KernelFails {
    long[] ax = axes != null ? axes : LongStream.range(0, x.rank()).toArray();
    Output<?> out = builder(op).addInput(x.out()).addInput(ints(ax).out()).setAttr("keep_dims", keepDims).build().output(0);
    boolean[] reduced = new boolean[x.rank()];
    for (long a : ax) {
      if (a < -x.rank() || a >= x.rank()) {
        throw new KernelFails(out, op + ": reduction axis " + a + " out of range");
      }
      reduced[(int) (a < 0 ? a + x.rank() : a)] = true;
    }
    List<Long> shape = new ArrayList<>();
    for (int d = 0; d < x.rank(); d++) {
      if (!reduced[d]) {
        shape.add(x.shape()[d]);
      } else if (keepDims) {
        shape.add(1L);
      }
    }
    return new Node(out, shape.stream().mapToLong(Long::longValue).toArray(), x.dtype());
  }

  /** {@code Reshape} to a constant shape, which may hold one -1. */
  public Node reshape(Node x, long[] shape) throws KernelFails {
    Output<?> out = builder("Reshape").addInput(x.out()).addInput(ints(shape).out()).build().output(0);
    long known = 1;
    int unknown = -1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == -1 && unknown < 0) {
        unknown = i;
      } else if (shape[i] < 0) {
        throw new KernelFails(out, "Reshape: bad target shape");
      } else {
        known *= shape[i];
      }
    }
    long[] result = shape.clone();
    if (unknown >= 0) {
      if (known == 0 || x.numel() % known != 0) {
        throw new KernelFails(out, "Reshape: cannot infer the -1 dimension");
      }
      result[unknown] = x.numel() / known;
    } else if (known != x.numel()) {
      throw new KernelFails(out, "Reshape: element count differs");
    }
    return new Node(out, result, x.dtype());
  }

  /** {@code ExpandDims} at {@code axis} (negative counts from the end of the result). */
  public Node expandDims(Node x, long axis) throws KernelFails {
    Output<?> out = builder("ExpandDims").addInput(x.out()).addInput(scalar(DataType.DT_INT32, axis).out()).build().output(0);
    int r = x.rank();
    if (axis < -r - 1 || axis > r) {
      throw new KernelFails(out, "ExpandDims: axis out of range");
    }
    int at = (int) (axis < 0 ? axis + r + 1 : axis);
    long[] shape = new long[r + 1];
    for (int d = 0, s = 0; d <= r; d++) {
      shape[d] = d == at ? 1 : x.shape()[s++];
    }
    return new Node(out, shape, x.dtype());
  }

  /** {@code Squeeze} of the given dims, each of which must have size 1. */
  public Node squeeze(Node x, long... dims) throws KernelFails {
    Output<?> out = builder("Squeeze").addInput(x.out()).setAttr("squeeze_dims", dims).build().output(0);
    boolean[] drop = new boolean[x.rank()];
    for (long a : dims) {
      if (a < -x.rank() || a >= x.rank() || x.shape()[(int) (a < 0 ? a + x.rank() : a)] != 1) {
        throw new KernelFails(out, "Squeeze: dim " + a + " is not of size 1");
      }
      drop[(int) (a < 0 ? a + x.rank() : a)] = true;
    }
    List<Long> shape = new ArrayList<>();
    for (int d = 0; d < x.rank(); d++) {
      if (!drop[d]) {
        shape.add(x.shape()[d]);
      }
    }
    return new Node(out, shape.stream().mapToLong(Long::longValue).toArray(), x.dtype());
  }

  /** {@code Transpose} by a constant permutation. */
  public Node transpose(Node x, long[] perm) throws KernelFails {
    Output<?> out = builder("Transpose").addInput(x.out()).addInput(ints(perm).out()).build().output(0);
    if (perm.length != x.rank()) {
      throw new KernelFails(out, "Transpose: permutation of the wrong length");
    }
    long[] shape = new long[perm.length];
    boolean[] seen = new boolean[perm.length];
    for (int i = 0; i < perm.length; i++) {
      long p = perm[i]; // the kernel takes no negative entries (transpose_op.cc: "is out of range")
      if (p < 0 || p >= perm.length || seen[(int) p]) {
        throw new KernelFails(out, "Transpose: not a permutation");
      }
      seen[(int) p] = true;
      shape[i] = x.shape()[(int) p];
    }
    return new Node(out, shape, x.dtype());
  }

  /**
   * {@code Select} (v1, what {@code array_ops.where} builds: same shapes, or a vector condition on
   * the first dim) or {@code SelectV2} (what {@code tf.where} builds: broadcasting).
   */
  public Node select(String op, Node cond, Node a, Node b) throws PythonError, KernelFails {
    if (a.dtype() != b.dtype()) {
      throw new PythonError("InvalidArgumentError", "cannot compute " + op + " as input #2(zero-based) was expected"
          + " to be a " + pyDtype(a.dtype()) + " tensor but is a " + pyDtype(b.dtype()) + " tensor");
    }
    Output<?> out = builder(op).addInput(cond.out()).addInput(a.out()).addInput(b.out()).build().output(0);
    long[] shape;
    if (op.equals("SelectV2")) {
      long[] ab = broadcast(a.shape(), b.shape());
      shape = ab == null ? null : broadcast(cond.shape(), ab);
    } else {
      boolean same = Arrays.equals(a.shape(), b.shape());
      boolean condOk = Arrays.equals(cond.shape(), a.shape())
          || (cond.rank() == 1 && a.rank() >= 1 && cond.shape()[0] == a.shape()[0]);
      shape = same && condOk ? a.shape() : null;
    }
    if (shape == null) {
      throw new KernelFails(out, op + ": incompatible shapes");
    }
    return new Node(out, shape, a.dtype());
  }

  /**
   * The raw kernel {@code SparseSoftmaxCrossEntropyWithLogits(features [B,C], labels [B])}: its
   * {@code loss [B]} and {@code backprop [B,C]} outputs.
   */
  public Node[] sparseSoftmaxXent(Node logits, Node labels) throws KernelFails {
    GraphOperation op = builder("SparseSoftmaxCrossEntropyWithLogits").addInput(logits.out()).addInput(labels.out()).build();
    if (logits.rank() != 2 || labels.rank() != 1 || logits.shape()[0] != labels.shape()[0]) {
      throw new KernelFails(op.output(0), "SparseSoftmaxCrossEntropyWithLogits: shapes");
    }
    return xent(logits, op, new long[] {logits.shape()[0]});
  }

  /**
   * The raw kernel {@code SoftmaxCrossEntropyWithLogits(features [B,C], labels [B,C])} (labels may
   * broadcast to a 2-D result): its {@code loss [B]} and {@code backprop [B,C]} outputs.
   */
  public Node[] softmaxXent(Node logits, Node labels) throws PythonError, KernelFails {
    if (logits.dtype() != labels.dtype()) {
      throw new PythonError("InvalidArgumentError", "cannot compute SoftmaxCrossEntropyWithLogits as input #1(zero-based)"
          + " was expected to be a " + pyDtype(logits.dtype()) + " tensor but is a " + pyDtype(labels.dtype()) + " tensor");
    }
    GraphOperation op = builder("SoftmaxCrossEntropyWithLogits").addInput(logits.out()).addInput(labels.out()).build();
    long[] shape = broadcast(logits.shape(), labels.shape());
    if (logits.rank() != 2 || labels.rank() != 2 || shape == null || shape.length != 2) {
      throw new KernelFails(op.output(0), "SoftmaxCrossEntropyWithLogits: shapes");
    }
    return xent(logits, op, new long[] {shape[0]});
  }

  private Node[] xent(Node logits, GraphOperation op, long[] lossShape) {
    long[] backpropShape = {lossShape[0], logits.shape()[1]};
    Node loss = new Node(op.output(0), lossShape, logits.dtype());
    Node backprop = new Node(op.output(1), backpropShape, logits.dtype());
    xents.add(new Xent(logits, loss, backprop));
    return new Node[] {loss, backprop};
  }

  /**
   * Python's {@code x[:, :, begin:end]} on a rank-3 tensor ({@code array_ops._slice_helper}): {@code
   * StridedSlice} with int32 begin/end/strides stacked from Python ints, an omitted bound being 0 with
   * its mask bit set; the kernel clamps the bounds to the dim as Python does. A tensor of another rank
   * fails in the kernel ("Index out of range using input dim 2").
   */
  public Node sliceLastDim(Node x, Long begin, Long end) throws KernelFails {
    long beginMask = 0b011 | (begin == null ? 0b100 : 0);
    long endMask = 0b011 | (end == null ? 0b100 : 0);
    Output<?> out = builder("StridedSlice").addInput(x.out())
        .addInput(ints(0, 0, begin == null ? 0 : begin).out())
        .addInput(ints(0, 0, end == null ? 0 : end).out())
        .addInput(ints(1, 1, 1).out())
        .setAttr("begin_mask", beginMask)
        .setAttr("end_mask", endMask)
        .build().output(0);
    if (x.rank() != 3) {
      throw new KernelFails(out, "StridedSlice: three indices on a rank-" + x.rank() + " tensor");
    }
    long c = x.shape()[2];
    long b = begin == null ? 0 : Math.min(Math.max(begin < 0 ? begin + c : begin, 0), c);
    long e = end == null ? c : Math.min(Math.max(end < 0 ? end + c : end, 0), c);
    return new Node(out, new long[] {x.shape()[0], x.shape()[1], Math.max(e - b, 0)}, x.dtype());
  }

  /** {@code ConcatV2} of {@code parts} (same rank and dtype) along {@code axis}, an int32 scalar as from a Python int. */
  public Node concat(List<Node> parts, int axis) throws KernelFails {
    Output<?>[] in = parts.stream().map(Node::out).toArray(Output<?>[]::new);
    Output<?> out = builder("ConcatV2").addInputList(in).addInput(scalar(DataType.DT_INT32, axis).out()).build().output(0);
    long[] shape = parts.get(0).shape().clone();
    shape[axis] = 0;
    for (Node p : parts) {
      for (int d = 0; d < shape.length; d++) {
        if (d != axis && (p.rank() != shape.length || p.shape()[d] != shape[d])) {
          throw new KernelFails(out, "ConcatV2: shapes differ off the concat axis");
        }
      }
      shape[axis] += p.shape()[axis];
    }
    return new Node(out, shape, parts.get(0).dtype());
  }

  /**
   * The raw kernel {@code CTCLoss(inputs [T,B,C], labels_indices [n,2] int64, labels_values [n]
   * int32, sequence_length [B] int32)} with the attributes tf.nn.ctc_loss passes
   * (preprocess_collapse_repeated=False, ctc_merge_repeated=True,
   * ignore_longer_outputs_than_inputs=False): its loss {@code [B]}. Its gradient output goes through
   * {@code PreventGradient}, as ctc_ops.py's {@code _CTCLossGradImpl} does, and {@link #gradient}
   * multiplies it by the upstream gradient of the loss ({@code _BroadcastMul}).
   */
  public Node ctcLoss(Node inputs, Node indices, Node values, Node sequenceLength) throws KernelFails {
    GraphOperation op = builder("CTCLoss").addInput(inputs.out()).addInput(indices.out()).addInput(values.out())
        .addInput(sequenceLength.out())
        .setAttr("preprocess_collapse_repeated", false)
        .setAttr("ctc_merge_repeated", true)
        .setAttr("ignore_longer_outputs_than_inputs", false)
        .build();
    if (inputs.rank() != 3) {
      throw new KernelFails(op.output(0), "CTCLoss: inputs is not a 3-Tensor");
    }
    Output<?> backprop = builder("PreventGradient").addInput(op.output(1))
        .setAttr("message", "Currently there is no way to take the second  derivative of ctc_loss due to the fused"
            + " implementation's interaction  with tf.gradients()")
        .build().output(0);
    Node loss = new Node(op.output(0), new long[] {inputs.shape()[1]}, inputs.dtype());
    xents.add(new Xent(inputs, loss, new Node(backprop, inputs.shape(), inputs.dtype())));
    return loss;
  }

  // ---------------------------------------------------------------- gradient and run

  /**
   * d(sum of {@code y})/d{@code x}, as TF Python's tape computes it: the C++ gradient registry
   * ({@code Graph.addGradients}, TF_AddGradients) for every op but the cross-entropy kernels. Those
   * have no C++ gradient (SparseSoftmaxCrossEntropyWithLogits) or one that cannot be built for
   * float64 (SoftmaxCrossEntropyWithLogits: its labels term multiplies by a float constant), so
   * their gradient is TF Python's registered one (tensorflow/python/ops/nn_grad.py,
   * {@code _SoftmaxCrossEntropyWithLogitsGrad} / {@code _SparseSoftmaxCrossEntropyWithLogitsGrad}):
   * {@code ExpandDims(upstream, -1) * backprop}, the kernel's own second output times the incoming
   * gradient of its loss; the second-order term is absent because nothing consumes backprop.
   * CTCLoss (no C++ gradient either) is spliced the same way: ctc_ops.py's {@code _CTCLossGrad} is
   * {@code _BroadcastMul(upstream, PreventGradient(gradient output))}. The
   * registry provides the upstream gradient and carries the product back to {@code x}. Every path
   * from {@code x} to {@code y} must pass through the kernel's logits, which holds for the
   * generator's compositions (engine.TfLosses) and the benchmarks' workloads. At most one such kernel
   * per graph.
   */
  public Node gradient(Node y, Node x) throws KernelFails {
    if (xents.isEmpty()) {
      return new Node(graph.addGradients(prefix(), new Output<?>[] {y.out()}, new Output<?>[] {x.out()}, null)[0],
          x.shape(), x.dtype());
    }
    if (xents.size() > 1) {
      throw new IllegalStateException("a composition with " + xents.size() + " cross-entropy kernels");
    }
    Xent k = xents.get(0);
    Output<?> upstream =
        graph.addGradients(prefix(), new Output<?>[] {y.out()}, new Output<?>[] {k.loss().out()}, null)[0];
    Node up = new Node(upstream, k.loss().shape(), k.loss().dtype());
    Node g;
    try {
      g = binary("Mul", expandDims(up, -1), k.backprop());
    } catch (PythonError e) {
      throw new IllegalStateException(e);
    }
    if (k.logits().out().equals(x.out())) {
      return g;
    }
    return new Node(
        graph.addGradients(prefix(), new Output<?>[] {k.logits().out()}, new Output<?>[] {x.out()}, new Output<?>[] {g.out()})[0],
        x.shape(), x.dtype());
  }

  /**
   * Runs the graph once and returns the fetched tensors, converted, in order: a session is opened,
   * the inputs fed, and both closed again.
   *
   * @throws RuntimeException a TensorFlow status (TF Java's TensorFlowException, TFInvalidArgumentException,
   *     TFUnimplementedException) when a kernel fails
   */
  public List<Tensor> run(Output<?>... fetches) {
    try (OpenSession session = openSession(); Result r = session.run(fetches)) {
      List<Tensor> out = new ArrayList<>(fetches.length);
      for (int i = 0; i < fetches.length; i++) {
        out.add(fromTf(r.get(i)));
      }
      return out;
    }
  }

  /**
   * A session over the graph as built so far, with every {@link #input} converted to a TensorFlow
   * tensor once and fed on each {@link OpenSession#run}. Close it before the graph.
   */
  public OpenSession openSession() {
    return new OpenSession();
  }

  /** A session of this graph and the input tensors it feeds; see {@link #openSession}. */
  public final class OpenSession implements AutoCloseable {
    private final Session session = new Session(graph, sessionConfig);
    private final Map<Output<?>, org.tensorflow.Tensor> fed = new LinkedHashMap<>();

    private OpenSession() {
      try {
        for (Map.Entry<Output<?>, Tensor> f : feeds.entrySet()) {
          fed.put(f.getKey(), toTf(f.getValue()));
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    /**
     * Feeds the inputs and fetches {@code fetches}; the caller closes the result, which holds
     * TensorFlow's own tensors (read them with TF Java, or use {@link TfGraph#run} for converted ones).
     */
    public Result run(Output<?>... fetches) {
      Session.Runner runner = session.runner();
      fed.forEach(runner::feed);
      for (Output<?> f : fetches) {
        runner.fetch(f);
      }
      return runner.run();
    }

    @Override
    public void close() {
      session.close();
      fed.values().forEach(org.tensorflow.Tensor::close);
    }
  }

  // ---------------------------------------------------------------- helpers

  private GraphOperationBuilder builder(String op) {
    return graph.opBuilder(op, op + "_" + (counter++), graph.baseScope());
  }

  private String prefix() {
    return "gradients_" + (counter++);
  }

  /** numpy/TF broadcasting of two static shapes, or null when they do not broadcast. */
  public static long[] broadcast(long[] a, long[] b) {
    int r = Math.max(a.length, b.length);
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      long x = i < r - a.length ? 1 : a[i - (r - a.length)];
      long y = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (x == y || y == 1) {
        out[i] = x;
      } else if (x == 1) {
        out[i] = y;
      } else {
        return null;
      }
    }
    return out;
  }

  /** A static shape as Python prints a TensorShape: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
  public static String pyShape(long[] shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    return LongStream.of(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
  }

  /** TF Python's name of a dtype: {@code float}, {@code double}, {@code int64}, ... */
  public static String pyDtype(DataType dt) {
    return switch (dt) {
      case DT_FLOAT -> "float";
      case DT_DOUBLE -> "double";
      case DT_INT32 -> "int32";
      case DT_INT64 -> "int64";
      case DT_UINT8 -> "uint8";
      case DT_BOOL -> "bool";
      default -> dt.name();
    };
  }

  public static DataType dataType(Tensor t) {
    return switch (t.dtype()) {
      case FLOAT32 -> DataType.DT_FLOAT;
      case FLOAT64 -> DataType.DT_DOUBLE;
      case INT64 -> DataType.DT_INT64;
      case INT32 -> DataType.DT_INT32;
      case UINT8 -> DataType.DT_UINT8;
      case BOOL -> DataType.DT_BOOL;
    };
  }

  private static org.tensorflow.Tensor toTf(Tensor t) {
    Shape shape = Shape.of(Arrays.stream(t.shape()).asLongStream().toArray());
    int n = t.numel();
    switch (t.dtype()) {
      case FLOAT32 -> {
        float[] a = new float[n];
        t.floats().get(a);
        return TFloat32.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case FLOAT64 -> {
        double[] a = new double[n];
        t.doubles().get(a);
        return TFloat64.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case INT64 -> {
        return TInt64.tensorOf(shape, DataBuffers.of(t.toLongArray(), true, false));
      }
      case INT32 -> {
        long[] v = t.toLongArray();
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          a[i] = Math.toIntExact(v[i]);
        }
        return TInt32.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case UINT8 -> {
        long[] v = t.toLongArray();
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
          a[i] = (byte) v[i];
        }
        return TUint8.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case BOOL -> {
        long[] v = t.toLongArray();
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          a[i] = v[i] != 0;
        }
        return TBool.tensorOf(shape, DataBuffers.of(a, true, false));
      }
    }
    throw new AssertionError(t.dtype());
  }

  private static Tensor fromTf(org.tensorflow.Tensor t) {
    int[] shape = Arrays.stream(t.shape().asArray()).mapToInt(Math::toIntExact).toArray();
    int n = Tensor.numel(shape);
    return switch (t.dataType()) {
      case DT_FLOAT -> {
        float[] a = new float[n];
        t.asRawTensor().data().asFloats().read(a);
        yield Tensor.ofFloats(a, shape);
      }
      case DT_DOUBLE -> {
        double[] a = new double[n];
        t.asRawTensor().data().asDoubles().read(a);
        yield Tensor.ofDoubles(a, shape);
      }
      case DT_BOOL -> { // one byte per element, 0 or 1 (a predicate Python reads with .numpy())
        byte[] a = new byte[n];
        t.asRawTensor().data().read(a);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = a[i] != 0 ? 1 : 0;
        }
        yield Tensor.ofLongs(dev.lossconformance.tensor.DType.BOOL, v, shape);
      }
      default -> throw new IllegalStateException("TensorFlow returned a " + t.dataType() + " tensor; expected float or double");
    };
  }
}
