/**
 * The DJL runtime shared by the generator ({@code generator.engine}'s backends) and the benchmarks
 * ({@code benchmarks/}): how PyTorch and TensorFlow run here offline, in one JVM, through DJL 0.36
 * (see /work/shared/ENGINES.md). Nothing in this package knows the catalog, the fixtures or a loss.
 *
 * <ul>
 *   <li>{@link dev.lossconformance.generator.runtime.DjlEngines}: loads the PyTorch engine with
 *       given threads and graph-optimizer setting ({@code TorchSettings.DETERMINISTIC} for goldens)
 *       and the TensorFlow engine from TF Java's natives on the classpath (extracted once into
 *       {@code ~/.cache/loss-conformance/} by the package-private {@code TensorFlowNatives}).
 *   <li>{@link dev.lossconformance.generator.runtime.TorchScriptModule}: the TorchScript source of
 *       {@code class Loss(Module)} around a loss body, with gradients ({@code withGradients}) or
 *       without ({@code lossOnly}), and {@code load}, which gives a DJL {@code Model} of it.
 *   <li>{@link dev.lossconformance.generator.runtime.TorchScriptArchive}: the in-memory TorchScript
 *       archive (zip) of a source, no Python involved.
 *   <li>{@link dev.lossconformance.generator.runtime.TfGraph}: a TensorFlow graph of raw ops with the
 *       static shapes eager Python sees, gradients as TF Python builds them (C++ registry, the fused
 *       kernels' Python gradients spliced in), run once ({@code run}, converted outputs) or
 *       repeatedly on an {@code OpenSession}; deterministic session options by default, {@code
 *       threaded(n)} for timing.
 * </ul>
 *
 * Typical use, PyTorch: {@code DjlEngines.pytorch(settings)}, then {@code
 * TorchScriptModule.load(TorchScriptModule.withGradients(tensors, grads, body, objectives))} and
 * {@code model.getBlock().forward(new ParameterStore(manager, false), inputs, true)}. TensorFlow:
 * {@code DjlEngines.tensorflow()}, then {@code try (TfGraph g = new TfGraph())}, {@code g.input(...)},
 * ops, {@code g.gradient(loss, x)}, {@code g.run(loss.out(), grad.out())}.
 *
 * <p>The loss recipes stay in {@code generator.engine} (TorchScripts, ExtraRecipes, CtcRecipe,
 * TfLosses, TfCtc) and in the benchmarks' kernels; error normalisation for fixtures ({@code
 * TorchErrors}, {@code TfErrors}) stays with the generator's backends.
 */
package dev.lossconformance.generator.runtime;
