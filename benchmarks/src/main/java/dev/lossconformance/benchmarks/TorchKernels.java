package dev.lossconformance.benchmarks;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.lossconformance.generator.runtime.DjlEngines;
import dev.lossconformance.generator.runtime.TorchScriptModule;
import dev.lossconformance.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * PyTorch 2.7.1's own aten kernels through DJL: each loss is one aten call in the generator's
 * TorchScript module template ({@link TorchScriptModule}, the runtime the goldens are made with),
 * run with the inputs as NDArrays created once. Two modules per loss, over the same body: the forward
 * alone ({@link TorchScriptModule#lossOnly}), run in DJL's inference mode (no autograd, as under
 * {@code torch.no_grad()}), and the forward with {@code torch.autograd.grad} of the summed loss
 * ({@link TorchScriptModule#withGradients}), run in training mode. PyTorch on the CPU returns when its kernels have finished; each call still
 * reads the scalar loss back into Java and touches the gradient's first element before the outputs
 * are freed.
 */
final class TorchKernels {
  private TorchKernels() {}

  /** {@code torch.cross_entropy_loss(x, target, None, 1 (mean), -100, 0.0)}, what F.cross_entropy calls. */
  static Workload crossEntropy(Problems.CrossEntropy p) {
    String call = "torch.cross_entropy_loss(x, target, None, 1, -100, 0.0)";
    return new TorchWorkload(List.of("input", "target"), call, (nd, in) -> {
      in.add(nd.create(FloatBuffer.wrap(p.logits()), shape(p.shape()), DataType.FLOAT32));
      in.add(nd.create(LongBuffer.wrap(p.targets()), shape(p.targetShape()), DataType.INT64));
    });
  }

  /** {@code torch.binary_cross_entropy_with_logits(x, target, None, None, 1 (mean))}. */
  static Workload bceWithLogits(Problems.BceWithLogits p) {
    String call = "torch.binary_cross_entropy_with_logits(x, target, None, None, 1)";
    return new TorchWorkload(List.of("input", "target"), call, (nd, in) -> {
      in.add(nd.create(FloatBuffer.wrap(p.logits()), shape(p.shape()), DataType.FLOAT32));
      in.add(nd.create(FloatBuffer.wrap(p.targets()), shape(p.shape()), DataType.FLOAT32));
    });
  }

  /**
   * {@code torch.ctc_loss(log_probs, targets, input_lengths, target_lengths, 0 (blank), 1 (mean),
   * False)} (the Tensor-lengths overload F.ctc_loss calls); the gradient is the one PyTorch's
   * backward returns for {@code log_probs}.
   */
  static Workload ctc(Problems.Ctc p) {
    String call = "torch.ctc_loss(x, targets, input_lengths, target_lengths, 0, 1, False)";
    return new TorchWorkload(List.of("input", "targets", "input_lengths", "target_lengths"), call, (nd, in) -> {
      in.add(nd.create(FloatBuffer.wrap(p.logProbs()),
          new Shape(Problems.Ctc.T, Problems.Ctc.N, Problems.Ctc.C), DataType.FLOAT32));
      in.add(nd.create(LongBuffer.wrap(p.targets()), new Shape(Problems.Ctc.N, Problems.Ctc.S), DataType.INT64));
      in.add(nd.create(LongBuffer.wrap(p.inputLengths()), new Shape(Problems.Ctc.N), DataType.INT64));
      in.add(nd.create(LongBuffer.wrap(p.targetLengths()), new Shape(Problems.Ctc.N), DataType.INT64));
    });
  }

  /**
   * A configuration's workload ({@link TorchConfigurations}): {@code body} (TorchScript statements
   * binding {@code loss}, as the generator's recipes write them) in the forward + gradient module, with
   * the gradients of {@code grads} (each an argument name; {@code input} is bound to {@code x}); the
   * tensors are {@code inputs} in the order of {@code args}, converted once in their own dtype. There is
   * no forward-only module: a configuration is timed forward + gradient only.
   */
  static Workload configuration(List<String> args, List<String> grads, List<String> body, List<Tensor> inputs) {
    if (args.size() != inputs.size()) {
      throw new IllegalArgumentException(args.size() + " arguments " + args + " but " + inputs.size() + " tensors");
    }
    return new TorchWorkload(args, grads, body, false, (nd, in) -> {
      for (Tensor t : inputs) {
        in.add(ndArray(nd, t));
      }
    });
  }

  /** {@code t} as an NDArray of its dtype (float32, float64 or int64), its data copied. */
  private static NDArray ndArray(NDManager nd, Tensor t) {
    Shape shape = shape(t.shape());
    return switch (t.dtype()) {
      case FLOAT32 -> nd.create(FloatBuffer.wrap(t.backingFloats()), shape, DataType.FLOAT32);
      case FLOAT64 -> nd.create(DoubleBuffer.wrap(t.backingDoubles()), shape, DataType.FLOAT64);
      case INT64 -> nd.create(LongBuffer.wrap(t.backingLongs()), shape, DataType.INT64);
      default -> throw new IllegalArgumentException("no benchmark input of dtype " + t.dtype());
    };
  }

  /** Creates a workload's input NDArrays, in the modules' argument order. */
  private interface Inputs {
    void create(NDManager nd, NDList into);
  }

  private static final class TorchWorkload implements Workload {
    private final NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    private final ParameterStore parameters = new ParameterStore(nd, false);
    private final NDList inputs = new NDList();
    private final List<Model> models = new ArrayList<>();
    private final Block forward;
    private final Block forwardGradient;

    /**
     * @param args the module's tensor arguments; the first, {@code input}, is the prediction
     * @param call the aten call, with {@code x} where the prediction goes
     */
    TorchWorkload(List<String> args, String call, Inputs inputs) {
      this(args, List.of(args.get(0)), List.of("loss = " + call), true, inputs);
    }

    /**
     * @param grads the arguments differentiated (the module returns one gradient per name)
     * @param body statements binding {@code loss}
     * @param withForward whether to load the forward-only module too
     */
    TorchWorkload(List<String> args, List<String> grads, List<String> body, boolean withForward, Inputs inputs) {
      engine();
      forward = withForward ? load(TorchScriptModule.lossOnly(args, grads, body)) : null;
      forwardGradient = load(TorchScriptModule.withGradients(args, grads, body, List.of("loss")));
      inputs.create(nd, this.inputs);
    }

    @Override
    public void forward(Blackhole bh) {
      if (forward == null) {
        throw new UnsupportedOperationException("this workload is timed forward + gradient only");
      }
      try (NDList out = forward.forward(parameters, inputs, false)) {
        bh.consume(firstElement(out.get(0)));
      }
    }

    @Override
    public void forwardGradient(Blackhole bh) {
      try (NDList out = forwardGradient.forward(parameters, inputs, true)) {
        bh.consume(firstElement(out.get(0)));
        for (int i = 1; i < out.size(); i++) {
          bh.consume(firstElement(out.get(i)));
        }
      }
    }

    @Override
    public double loss() {
      try (NDList out = forwardGradient.forward(parameters, inputs, true)) {
        return firstElement(out.get(0));
      }
    }

    /**
     * A tensor's first element (float32 or float64), read in place (a direct view of the tensor's
     * memory, no copy).
     */
    private static double firstElement(NDArray a) {
      ByteBuffer b = a.toByteBuffer(true).order(ByteOrder.nativeOrder());
      return a.getDataType() == DataType.FLOAT64 ? b.getDouble(0) : b.getFloat(0);
    }

    private Block load(String source) {
      Model model = TorchScriptModule.load(source);
      models.add(model);
      return model.getBlock();
    }

    @Override
    public void close() {
      inputs.close();
      models.forEach(Model::close);
      nd.close();
    }
  }

  /**
   * The PyTorch engine with {@link BenchmarkSettings#THREADS} intra-op threads, one inter-op thread
   * and DJL's default graph optimizer (on), as a DJL user runs it (the forks also pass the threads).
   */
  static Engine engine() {
    return DjlEngines.pytorch(new DjlEngines.TorchSettings(BenchmarkSettings.THREADS, true));
  }

  private static Shape shape(int[] dims) {
    long[] s = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      s[i] = dims[i];
    }
    return new Shape(s);
  }
}
