package dev.lossconformance.generator.engine;

import dev.lossconformance.catalog.Call;
import dev.lossconformance.catalog.Case;
import dev.lossconformance.catalog.Catalog;
import dev.lossconformance.generator.runtime.TfGraph;
import dev.lossconformance.generator.runtime.TfGraph.KernelFails;
import dev.lossconformance.generator.runtime.TfGraph.Node;
import dev.lossconformance.generator.runtime.TfGraph.PythonError;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.TensorFlow;

/**
 * Runs catalog cases on TensorFlow's own kernels: each call becomes a small TF graph of raw ops
 * ({@link TfLosses}, following Keras 3.3.3 and TF 2.16's Python op by op), run in a single-threaded
 * session ({@link TfGraph}'s deterministic options) through TF Java's API as shipped with DJL's
 * TensorFlow engine. Outputs are {@code loss},
 * exactly as the API returns it (float32 for Keras, the input dtype for tf.nn), and {@code
 * grad_<prediction>}, the gradient of the summed loss with respect to {@code y_pred} or {@code
 * logits} in that input's dtype ({@link TfGraph#gradient}).
 *
 * <p>Offline and deterministic: the natives come from the classpath ({@link TfRuntime#load}), DJL
 * never touches the network, each graph runs with one intra-op and one inter-op thread and without
 * graph rewrites, and nothing depends on time or on what ran before. Not thread-safe; use one
 * instance from one thread.
 */
public final class TensorFlowBackend implements Backend {

  private static final String GENERATOR = "loss-conformance-generator 0.1.0";

  /** The Keras release whose Python the losses reproduce (not a runtime: there is no Python here). */
  static final String KERAS_VERSION = "3.3.3";

  /** Loads the TensorFlow engine from the natives on the classpath. */
  public TensorFlowBackend() {
    TfRuntime.load();
  }

  @Override
  public String engine() {
    return dev.lossconformance.engine.TensorFlowEngine.ID;
  }

  @Override
  public String source() {
    return "TensorFlow " + TensorFlow.version()
        + " (raw ops in TF Java " + TfRuntime.tensorFlowJavaVersion() + " graphs, gradients from TF's C++"
        + " gradient registry) " + TfRuntime.via()
        + "; Keras " + KERAS_VERSION + " losses reproduced op by op; " + GENERATOR;
  }

  /**
   * For each TensorFlow API the catalog runs in {@code op}'s file: which raw ops run, which Python
   * source the composition follows, and where the gradient comes from.
   */
  @Override
  public String provenance(String op) {
    List<String> apis = Catalog.cases(op).stream()
        .map(c -> c.calls().get(Case.TENSORFLOW))
        .filter(c -> c != null && c.unsupported() == null)
        .map(Call::api)
        .distinct()
        .toList();
    if (apis.isEmpty()) {
      return "No case of this file runs on TensorFlow.";
    }
    return TfLosses.provenance(apis);
  }

  @Override
  public Result run(Call c) {
    try (TfGraph g = new TfGraph()) {
      TfLosses.Built built;
      try {
        built = TfLosses.build(g, c);
      } catch (TfLosses.UnsupportedCase e) {
        return Result.unsupported(e.getMessage());
      } catch (PythonError e) {
        return Result.error(e.getMessage());
      } catch (KernelFails e) {
        return kernelError(g, e);
      }
      Map<String, Tensor> outputs = new LinkedHashMap<>();
      Node grad;
      try {
        grad = g.gradient(built.loss(), built.prediction());
      } catch (KernelFails e) {
        return kernelError(g, e);
      } catch (RuntimeException e) {
        if (TfErrors.isStatus(e) && e.getMessage() != null && e.getMessage().startsWith("No gradient defined for op")) {
          // TF has no gradient for an op of the composition: the loss alone is the result
          outputs.put("loss", g.run(built.loss().out()).get(0));
          return Result.ok(outputs);
        }
        // building the gradient graph failed for another reason: a bug here, not an engine result
        throw new IllegalStateException("cannot build the gradient of " + c.api(), e);
      }
      List<Tensor> values = g.run(built.loss().out(), grad.out());
      outputs.put("loss", values.get(0));
      outputs.put("grad_" + built.predictionName(), values.get(1));
      return Result.ok(outputs);
    } catch (RuntimeException e) {
      if (TfErrors.isStatus(e)) {
        return Result.error(TfErrors.normalise(e));
      }
      throw e;
    }
  }

  /** Runs the graph up to the op whose kernel must fail, to report TensorFlow's own error. */
  private static Result kernelError(TfGraph g, KernelFails e) {
    try {
      g.run(e.op());
    } catch (RuntimeException tf) {
      if (TfErrors.isStatus(tf)) {
        return Result.error(TfErrors.normalise(tf));
      }
      throw tf;
    }
    throw new IllegalStateException("expected the kernel to fail (" + e.getMessage() + "), but it ran");
  }

  @Override
  public void close() {
    // each call closes its own graph and session; the engine stays loaded for the JVM's lifetime
  }
}
