package dev.lossconformance.generator.engine;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.generator.runtime.DjlEngines;
import dev.lossconformance.generator.runtime.TorchScriptModule;
import dev.lossconformance.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs catalog cases on PyTorch's own aten kernels: each case becomes a tiny TorchScript module
 * ({@link TorchScripts}, in the runtime's template) written as an archive in memory and loaded by
 * DJL ({@link TorchScriptModule#load}), which runs it with autograd on. Outputs are {@code loss} and {@code grad_input}, the gradient
 * of {@code loss.sum()} with respect to {@code input}.
 *
 * <p>Offline and deterministic ({@link DjlEngines.TorchSettings#DETERMINISTIC}): DJL never touches
 * the network, PyTorch runs on one intra-op and one inter-op thread, and the TorchScript graph
 * optimizer is off. Loaded modules are cached per script
 * text, so cases that differ only in their tensors load once. Not thread-safe; use one instance from
 * one thread.
 */
public final class TorchBackend implements Backend {

  private static final String GENERATOR = "loss-conformance-generator 0.1.0";

  private final Engine engine;
  private final Map<String, Model> models = new HashMap<>();

  /** Loads the PyTorch engine (from the natives on the classpath) with deterministic settings. */
  public TorchBackend() {
    engine = DjlEngines.pytorch(DjlEngines.TorchSettings.DETERMINISTIC);
  }

  @Override
  public String engine() {
    return dev.lossconformance.engine.TorchEngine.ID;
  }

  @Override
  public String source() {
    return "PyTorch "
        + engine.getVersion()
        + " (aten kernels through a TorchScript archive) via DJL "
        + Engine.getDjlVersion()
        + "; "
        + GENERATOR;
  }

  /**
   * What is aten and what is script for {@code op}, for the fixture file; {@code null} for an op
   * this backend does not run.
   */
  public String provenance(String op) {
    return TorchScripts.provenance(op);
  }

  @Override
  public Result run(Call c) {
    TorchScripts.Script call;
    try {
      call = TorchScripts.build(c);
    } catch (TorchScripts.UnsupportedCase e) {
      return Result.unsupported(e.getMessage());
    } catch (TorchScripts.PythonLevelError e) {
      return Result.error(e.getMessage());
    }
    Model model = models.computeIfAbsent(call.source(), TorchScriptModule::load);
    try (NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDList in = new NDList();
      for (String name : call.tensorNames()) {
        in.add(toNd(nd, c.input(name)));
      }
      // training = true: DJL otherwise runs the module under a no-grad guard
      NDList out = model.getBlock().forward(new ParameterStore(nd, false), in, true);
      Map<String, Tensor> outputs = new LinkedHashMap<>();
      outputs.put("loss", fromNd(out.get(0)));
      for (int i = 0; i < call.gradNames().size(); i++) {
        outputs.put("grad_" + call.gradNames().get(i), fromNd(out.get(i + 1)));
      }
      return Result.ok(outputs);
    } catch (EngineException e) {
      return Result.error(TorchErrors.normalise(e.getMessage()));
    }
  }

  @Override
  public void close() {
    models.values().forEach(Model::close);
    models.clear();
  }

  private static NDArray toNd(NDManager nd, Tensor t) {
    Shape shape = new Shape(Arrays.stream(t.shape()).asLongStream().toArray());
    return switch (t.dtype()) {
      case FLOAT32 -> nd.create(t.floats(), shape, DataType.FLOAT32);
      case FLOAT64 -> nd.create(t.doubles(), shape, DataType.FLOAT64);
      case INT64 -> nd.create(t.longs(), shape, DataType.INT64);
      case INT32 -> nd.create(narrowInts(t), shape, DataType.INT32);
      case UINT8 -> nd.create(narrowBytes(t), shape, DataType.UINT8);
      case BOOL -> nd.create(narrowBytes(t), shape, DataType.BOOLEAN);
    };
  }

  private static IntBuffer narrowInts(Tensor t) {
    long[] v = t.toLongArray();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.toIntExact(v[i]);
    }
    return IntBuffer.wrap(out);
  }

  private static ByteBuffer narrowBytes(Tensor t) {
    long[] v = t.toLongArray();
    ByteBuffer out = ByteBuffer.allocate(v.length);
    for (long x : v) {
      out.put((byte) x);
    }
    return out.flip();
  }

  private static Tensor fromNd(NDArray a) {
    int[] shape = Arrays.stream(a.getShape().getShape()).mapToInt(Math::toIntExact).toArray();
    DataType dt = a.getDataType();
    if (dt == DataType.FLOAT32) {
      return Tensor.ofFloats(a.toFloatArray(), shape);
    }
    if (dt == DataType.FLOAT64) {
      return Tensor.ofDoubles(a.toDoubleArray(), shape);
    }
    throw new IllegalStateException("torch returned a " + dt + " tensor; expected float32 or float64");
  }
}
