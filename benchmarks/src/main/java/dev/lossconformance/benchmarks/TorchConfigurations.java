package dev.lossconformance.benchmarks;

import dev.lossconformance.benchmarks.Problems.Dense;
import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.torch.BinaryCrossEntropy;
import dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits;
import dev.lossconformance.loss.torch.CosineEmbeddingLoss;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.CtcLoss;
import dev.lossconformance.loss.torch.NllLoss;
import dev.lossconformance.loss.torch.OtherLosses;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The configurations benchmarked against PyTorch (see {@link Configuration}): issue 14's list, each at
 * {@code (4096, 1000)} with mean reduction and PyTorch's defaults unless its id says otherwise, timed
 * forward + gradient with respect to the prediction only (what {@code torch.autograd.grad(loss, input)}
 * computes; cosine_embedding_loss differentiates both inputs on both engines), a float64 row per
 * family. Inputs are ordinary values from {@link Dense}'s fixed seeds: logits N(0, 1), probabilities in
 * (0, 1), positive rates and variances, ±1 labels.
 *
 * <p>The PyTorch side of each is the body the generator's recipe writes for the api
 * ({@code generator/.../engine/TorchScripts.java} for the cross-entropy family, {@code ExtraRecipes.java}
 * for the others), in the template of {@link TorchKernels#configuration}: the aten call
 * {@code torch.nn.functional} makes, with its Python-level checks where it has any. gaussian_nll_loss,
 * Python in PyTorch, is written as torch/nn/functional.py (PyTorch 2.7) computes it, {@code
 * var.clone()} clamped in place, rather than the generator's {@code torch.where} form, which exists only
 * so that var's gradient passes through the clamp (a gradient this configuration does not ask for; the
 * {@code where} form costs PyTorch four elementwise passes instead of two). The Java side is the public
 * kernel API, called as {@code check/Apis.java} calls it.
 *
 * <p>A call that computes more gradients than the engine's is marked {@code // Gradients:}: it switches
 * to the kernel's {@code Gradients} overload once that exists; until then its allocation includes the
 * extra gradients.
 */
final class TorchConfigurations {
  private TorchConfigurations() {}

  /** What PyTorch's benchmark asks autograd for: the gradient with respect to the prediction alone. */
  private static final Gradients GRAD_INPUT = Gradients.of("grad_input");

  private static final String CE = "cross_entropy";
  private static final String NLL = "nll_loss";
  private static final String BCE = "binary_cross_entropy";
  private static final String BCE_LOGITS = "binary_cross_entropy_with_logits";
  private static final String KL = "kl_div";
  private static final String L1 = "l1_loss";
  private static final String POISSON = "poisson_nll_loss";
  private static final String GAUSSIAN = "gaussian_nll_loss";
  private static final String COSINE = "cosine_embedding_loss";
  private static final String HINGE = "hinge_embedding_loss";
  private static final String CTC = Configuration.CTC_FAMILY;

  private static final int N = Dense.NUMEL;
  private static final int ROWS = Dense.ROWS;
  private static final int COLS = Dense.COLS;
  private static final int[] SHAPE = Dense.SHAPE;
  private static final long IGNORE_INDEX = -100;

  // the seeds of Dense's draws: logits and class targets as CrossEntropyBenchmark's (4096, 1000) and the
  // BCE-with-logits problem as BceWithLogitsBenchmark's, so the plain float32 rows time the same inputs
  private static final long LOGITS = 1;
  private static final long CLASSES = 2;
  private static final long BCE_LOGITS_SEED = 3;
  private static final long BCE_LOGITS_TARGETS = 4;

  // torch.nn.functional's mean and sum as aten's reduction enum (torch.nn._reduction.get_enum)
  private static final String MEAN = "1";

  private static final List<Configuration> ALL = build();

  static List<Configuration> all() {
    return ALL;
  }

  /** The arguments of one PyTorch module: names in {@code forward}'s order and the differentiated ones. */
  private record Module(List<String> args, List<String> grads, List<String> body) {}

  /**
   * A configuration on {@code dtype} whose prediction is {@code (4096, 1000)}: see {@link #config(String,
   * String, String, DType, long, Module, Supplier, Function)}.
   */
  private static Configuration config(String id, String family, String description, DType dtype, Module torch,
      Supplier<List<Tensor>> inputs, Function<List<Tensor>, JavaKernels.Call> java) {
    return config(id, family, description, dtype, N, torch, inputs, java);
  }

  /**
   * A configuration on {@code dtype}: {@code inputs} makes the tensors (in {@code torch.args()}'s order),
   * {@code java} prepares the Java call on them; the output bytes are the loss and one array of {@code
   * gradientElements} per differentiated tensor, in {@code dtype}.
   */
  private static Configuration config(String id, String family, String description, DType dtype,
      long gradientElements, Module torch, Supplier<List<Tensor>> inputs, Function<List<Tensor>, JavaKernels.Call> java) {
    int bytes = dtype == DType.FLOAT64 ? Double.BYTES : Float.BYTES;
    return new Configuration(id, family, description, BenchmarkSettings.PYTORCH,
        bytes + bytes * gradientElements * torch.grads().size(), engine -> {
          List<Tensor> in = inputs.get();
          return switch (engine) {
            case BenchmarkSettings.JAVA -> JavaKernels.configuration(in, java.apply(in));
            case BenchmarkSettings.PYTORCH -> TorchKernels.configuration(torch.args(), torch.grads(), torch.body(), in);
            default -> throw new IllegalArgumentException("config " + id + ": engine " + engine + ": expected "
                + BenchmarkSettings.JAVA + " or " + BenchmarkSettings.PYTORCH);
          };
        });
  }

  /**
   * A module over {@code args} differentiating the prediction: {@code input}, or both inputs when the
   * first argument is not {@code input} (cosine_embedding_loss's {@code input1}, {@code input2}).
   */
  private static Module module(List<String> args, String... body) {
    List<String> grads = args.get(0).equals("input") ? List.of("input") : List.of(args.get(0), args.get(1));
    return new Module(args, grads, List.of(body));
  }

  private static Tensor dense(DType dtype, double[] values) {
    return Tensor.ofFloating(dtype, values, SHAPE);
  }

  private static Tensor vector(DType dtype, double[] values) {
    return Tensor.ofFloating(dtype, values, values.length);
  }

  private static String suffix(DType dtype) {
    return dtype == DType.FLOAT64 ? ".f64" : ".f32";
  }

  private static List<Configuration> build() {
    List<Configuration> c = new ArrayList<>();
    crossEntropy(c);
    nll(c);
    bce(c);
    bceWithLogits(c);
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(klDiv(d));
    }
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(l1(d));
    }
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(poisson(d));
    }
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(gaussian(d));
    }
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(cosine(d));
    }
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(hinge(d));
    }
    c.add(ctc64());
    return List.copyOf(c);
  }

  // ------------------------------------------------------------------ cross_entropy (TorchScripts.build)

  /** {@code torch.cross_entropy_loss(x, target, weight, 1 (mean), ignore_index, label_smoothing)}, F.cross_entropy's call. */
  private static Module crossEntropyModule(boolean weight, double labelSmoothing) {
    List<String> args = weight ? List.of("input", "target", "weight") : List.of("input", "target");
    return module(args, "loss = torch.cross_entropy_loss(x, target, " + (weight ? "weight" : "None") + ", " + MEAN
        + ", " + IGNORE_INDEX + ", " + labelSmoothing + ")");
  }

  private static void crossEntropy(List<Configuration> c) {
    Supplier<Tensor> classes = () -> Tensor.ofLongs(Dense.classes(ROWS, COLS, CLASSES, 0, IGNORE_INDEX), ROWS);
    String logits = "logits N(0, 1)";
    c.add(crossEntropyIndex(CE + ".f32", "plain", DType.FLOAT32, false, 0, classes, logits + ", class indices"));
    c.add(crossEntropyIndex(CE + ".weight.f32", "per-class weight (1000) in [0.5, 1.5)", DType.FLOAT32, true, 0,
        classes, logits + ", class indices"));
    c.add(crossEntropyIndex(CE + ".ignore_index.f32", "ignore_index -100 on 10% of the targets", DType.FLOAT32, false,
        0, () -> Tensor.ofLongs(Dense.classes(ROWS, COLS, CLASSES, 0.1, IGNORE_INDEX), ROWS),
        logits + ", class indices, 10% of them -100"));
    c.add(crossEntropyIndex(CE + ".label_smoothing.f32", "label_smoothing 0.1", DType.FLOAT32, false, 0.1, classes,
        logits + ", class indices"));
    c.add(config(CE + ".probabilities.f32", CE,
        "probability targets (softmax rows). Java `CrossEntropy.apply(input, target)`; PyTorch `"
            + crossEntropyModule(false, 0).body().get(0) + "`; " + logits + ", target softmax(N(0, 1)) rows",
        DType.FLOAT32, crossEntropyModule(false, 0),
        () -> List.of(dense(DType.FLOAT32, Dense.normal(N, LOGITS)),
            dense(DType.FLOAT32, Dense.softmaxRows(Dense.normal(N, 12), COLS))),
        in -> {
          CrossEntropy k = CrossEntropy.options().reduction(Reduction.MEAN).build();
          return t -> k.apply(t.get(0), t.get(1));
        }));
    c.add(crossEntropyIndex(CE + ".f64", "plain, float64", DType.FLOAT64, false, 0, classes,
        logits + ", class indices"));
  }

  private static Configuration crossEntropyIndex(String id, String what, DType dtype, boolean weight,
      double labelSmoothing, Supplier<Tensor> classes, String data) {
    Module torch = crossEntropyModule(weight, labelSmoothing);
    return config(id, CE, what + ". Java `CrossEntropy.apply(input, target)`; PyTorch `" + torch.body().get(0) + "`; "
        + data, dtype, torch, () -> {
          List<Tensor> in = new ArrayList<>(List.of(dense(dtype, Dense.normal(N, LOGITS)), classes.get()));
          if (weight) {
            in.add(vector(dtype, Dense.uniform(COLS, 11, 0.5, 1.5)));
          }
          return in;
        }, in -> {
          CrossEntropy k = CrossEntropy.options().weight(weight ? in.get(2) : null).ignoreIndex(IGNORE_INDEX)
              .labelSmoothing(labelSmoothing).reduction(Reduction.MEAN).build();
          return t -> k.apply(t.get(0), t.get(1));
        });
  }

  // ------------------------------------------------------------------ nll_loss, binary_cross_entropy(_with_logits)

  private static void nll(List<Configuration> c) {
    // TorchScripts.build: torch.nll_loss_nd(input, target, weight, reduction, ignore_index), F.nll_loss's call
    Module torch = module(List.of("input", "target"), "loss = torch.nll_loss_nd(x, target, None, " + MEAN + ", "
        + IGNORE_INDEX + ")");
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(config(NLL + suffix(d), NLL, "Java `NllLoss.apply(input, target)`; PyTorch `" + torch.body().get(0)
          + "`; input log_softmax(N(0, 1)) rows, class indices", d, torch,
          () -> List.of(dense(d, Dense.logSoftmaxRows(Dense.normal(N, LOGITS), COLS)),
              Tensor.ofLongs(Dense.classes(ROWS, COLS, CLASSES, 0, IGNORE_INDEX), ROWS)),
          in -> {
            NllLoss k = NllLoss.options().reduction(Reduction.MEAN).build();
            return t -> k.apply(t.get(0), t.get(1));
          }));
    }
  }

  /**
   * {@code body} after F.binary_cross_entropy's and F.binary_cross_entropy_with_logits' size check, as
   * TorchScripts.build writes it.
   */
  private static Module sizeChecked(List<String> args, String message, String body) {
    return new Module(args, List.of("input"), List.of("if target.size() != x.size():",
        "  ops.prim.RaiseException(\"" + message + "\".format(target.size(), x.size()), \"builtins.ValueError\")",
        body));
  }

  private static void bce(List<Configuration> c) {
    Module torch = sizeChecked(List.of("input", "target"), "Using a target size (torch.Size({})) that is different"
        + " to the input size (torch.Size({})) is deprecated. Please ensure they have the same size.",
        "loss = torch.binary_cross_entropy(x, target, None, " + MEAN + ")");
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(config(BCE + suffix(d), BCE, "Java `BinaryCrossEntropy.apply(input, target)`; PyTorch `" + torch.body().get(2)
          + "` after F.binary_cross_entropy's size check; input uniform in [0.01, 0.99), targets 0 or 1", d, torch,
          () -> List.of(dense(d, Dense.uniform(N, 13, 0.01, 0.99)), dense(d, Dense.bits(N, 14))),
          in -> {
            BinaryCrossEntropy k = BinaryCrossEntropy.options().reduction(Reduction.MEAN).build();
            return t -> k.apply(t.get(0), t.get(1));
          }));
    }
  }

  private static void bceWithLogits(List<Configuration> c) {
    String check = "Target size (torch.Size({})) must be the same as input size (torch.Size({}))";
    Module plain = sizeChecked(List.of("input", "target"), check,
        "loss = torch.binary_cross_entropy_with_logits(x, target, None, None, " + MEAN + ")");
    Module weighted = sizeChecked(List.of("input", "target", "weight", "pos_weight"), check,
        "loss = torch.binary_cross_entropy_with_logits(x, target, weight, pos_weight, " + MEAN + ")");
    String data = "logits N(0, 1), targets 0 or 1";
    for (DType d : List.of(DType.FLOAT32, DType.FLOAT64)) {
      c.add(config(BCE_LOGITS + suffix(d), BCE_LOGITS, "Java `BinaryCrossEntropyWithLogits.apply(input, target)`;"
          + " PyTorch `" + plain.body().get(2) + "` after F.binary_cross_entropy_with_logits' size check; " + data, d,
          plain, () -> List.of(dense(d, Dense.normal(N, BCE_LOGITS_SEED)), dense(d, Dense.bits(N, BCE_LOGITS_TARGETS))),
          in -> {
            BinaryCrossEntropyWithLogits k = BinaryCrossEntropyWithLogits.options().reduction(Reduction.MEAN).build();
            return t -> k.apply(t.get(0), t.get(1));
          }));
      if (d == DType.FLOAT32) {
        c.add(config(BCE_LOGITS + ".weight_pos_weight.f32", BCE_LOGITS, "weight (1000) in [0.5, 1.5) and pos_weight"
            + " (1000) in [0.5, 2), broadcast over the rows. Java `BinaryCrossEntropyWithLogits.options().weight(w)"
            + ".posWeight(p)...apply(input, target)`; PyTorch `" + weighted.body().get(2) + "`; " + data, d, weighted,
            () -> List.of(dense(d, Dense.normal(N, BCE_LOGITS_SEED)), dense(d, Dense.bits(N, BCE_LOGITS_TARGETS)),
                vector(d, Dense.uniform(COLS, 15, 0.5, 1.5)), vector(d, Dense.uniform(COLS, 16, 0.5, 2))),
            in -> {
              BinaryCrossEntropyWithLogits k = BinaryCrossEntropyWithLogits.options().weight(in.get(2))
                  .posWeight(in.get(3)).reduction(Reduction.MEAN).build();
              return t -> k.apply(t.get(0), t.get(1));
            }));
      }
    }
  }

  // ------------------------------------------------------------------ the other losses (ExtraRecipes.body)

  private static Configuration klDiv(DType d) {
    // F.kl_div with reduction 'mean' (Python warns that it is not batchmean) is aten's mean
    Module torch = module(List.of("input", "target"), "loss = torch.kl_div(x, target, " + MEAN + ", log_target=False)");
    return config(KL + suffix(d), KL, "Java `OtherLosses.klDiv(input, target, \"mean\", false)`; PyTorch `"
        + torch.body().get(0) + "`; input log_softmax(N(0, 1)) rows, target softmax(N(0, 1)) rows", d, torch,
        () -> List.of(dense(d, Dense.logSoftmaxRows(Dense.normal(N, 17), COLS)),
            dense(d, Dense.softmaxRows(Dense.normal(N, 18), COLS))),
        in -> t -> OtherLosses.klDiv(t.get(0), t.get(1), "mean", false, GRAD_INPUT));
  }

  private static Configuration l1(DType d) {
    Module torch = module(List.of("input", "target"), "expanded = torch.broadcast_tensors([x, target])",
        "loss = torch.l1_loss(expanded[0], expanded[1], " + MEAN + ")");
    return config(L1 + suffix(d), L1, "Java `OtherLosses.l1(input, target, \"mean\")`; PyTorch `" + torch.body().get(1)
        + "` on `torch.broadcast_tensors` (F.l1_loss); input and target N(0, 1)", d, torch,
        () -> List.of(dense(d, Dense.normal(N, 19)), dense(d, Dense.normal(N, 20))),
        in -> t -> OtherLosses.l1(t.get(0), t.get(1), "mean", GRAD_INPUT));
  }

  private static Configuration poisson(DType d) {
    Module torch = module(List.of("input", "target"), "loss = torch.poisson_nll_loss(x, target, True, False, "
        + 1e-8 + ", " + MEAN + ")");
    return config(POISSON + suffix(d), POISSON, "log_input, not full, eps 1e-8. Java `OtherLosses.poissonNll(input,"
        + " target, true, false, 1e-8, \"mean\")`; PyTorch `" + torch.body().get(0) + "`; input (log rate) N(0, 1),"
        + " target rate uniform in [0.1, 4)", d, torch,
        () -> List.of(dense(d, Dense.normal(N, 21)), dense(d, Dense.uniform(N, 22, 0.1, 4))),
        in -> t -> OtherLosses.poissonNll(t.get(0), t.get(1), true, false, 1e-8, "mean", GRAD_INPUT));
  }

  private static Configuration gaussian(DType d) {
    // torch/nn/functional.py, gaussian_nll_loss (PyTorch 2.7), var of the input's shape: the size check,
    // the sign check, the clamp of a clone outside autograd (var needs no gradient here: see the class
    // comment), then the formula and the mean
    double eps = 1e-6;
    Module torch = new Module(List.of("input", "target", "var"), List.of("input"), List.of(
        "if var.size() != x.size():",
        "  ops.prim.RaiseException(\"var is of incorrect size\", \"builtins.ValueError\")",
        "if bool(torch.any(var < 0)):",
        "  ops.prim.RaiseException(\"var has negative entry/entries\", \"builtins.ValueError\")",
        "v = torch.clone(var)",
        "v = torch.clamp_(v, " + eps + ")",
        "loss = 0.5 * (torch.log(v) + (x - target) ** 2 / v)",
        "loss = loss.mean()"));
    return config(GAUSSIAN + suffix(d), GAUSSIAN, "var of the input's shape, not full, eps 1e-6. Java"
        + " `OtherLosses.gaussianNll(input, target, var, false, 1e-6, \"mean\")`; PyTorch F.gaussian_nll_loss's"
        + " composition: `torch.any(var < 0)`, `var.clone().clamp_(min=1e-6)`, `0.5 * (torch.log(v) + (x - target)"
        + " ** 2 / v)`, `mean()`; input and target N(0, 1), var uniform in [0.1, 2)", d, torch,
        () -> List.of(dense(d, Dense.normal(N, 23)), dense(d, Dense.normal(N, 24)), dense(d, Dense.uniform(N, 25, 0.1, 2))),
        in -> t -> OtherLosses.gaussianNll(t.get(0), t.get(1), t.get(2), false, eps, "mean", GRAD_INPUT));
  }

  private static Configuration cosine(DType d) {
    Module torch = module(List.of("input1", "input2", "target"),
        "loss = torch.cosine_embedding_loss(input1, input2, target, 0.0, " + MEAN + ")");
    return config(COSINE + suffix(d), COSINE, "margin 0, the gradients of both inputs on both engines. Java"
        + " `CosineEmbeddingLoss.apply(input1, input2, target, 0, \"mean\")`; PyTorch `" + torch.body().get(0)
        + "`; input1 and input2 N(0, 1), target (4096) of ±1", d, torch,
        () -> List.of(dense(d, Dense.normal(N, 26)), dense(d, Dense.normal(N, 27)), vector(d, Dense.signs(ROWS, 28))),
        in -> t -> CosineEmbeddingLoss.apply(t.get(0), t.get(1), t.get(2), 0, "mean"));
  }

  private static Configuration hinge(DType d) {
    Module torch = module(List.of("input", "target"), "loss = torch.hinge_embedding_loss(x, target, 1.0, " + MEAN + ")");
    return config(HINGE + suffix(d), HINGE, "margin 1. Java `OtherLosses.hingeEmbedding(input, target, 1, \"mean\")`;"
        + " PyTorch `" + torch.body().get(0) + "`; input N(0, 1), target ±1", d, torch,
        () -> List.of(dense(d, Dense.normal(N, 29)), dense(d, Dense.signs(N, 30))),
        in -> t -> OtherLosses.hingeEmbedding(t.get(0), t.get(1), 1, "mean"));
  }

  // ------------------------------------------------------------------ ctc_loss

  private static Configuration ctc64() {
    // the call TorchKernels.ctc makes (the Tensor-lengths overload F.ctc_loss calls), on float64 log_probs
    Module torch = module(List.of("input", "targets", "input_lengths", "target_lengths"),
        "loss = torch.ctc_loss(x, targets, input_lengths, target_lengths, 0, " + MEAN + ", False)");
    int t = Problems.Ctc.T;
    int n = Problems.Ctc.N;
    return config(CTC + ".f64", CTC, "CtcBenchmark's problem (T=200, N=16, C=50, S=40) in float64, blank 0."
        + " Java `CtcLoss.apply(log_probs, targets, input_lengths, target_lengths)`; PyTorch `" + torch.body().get(0)
        + "`, the gradient with respect to log_probs", DType.FLOAT64, (long) t * n * Problems.Ctc.C, torch, () -> {
          Problems.Ctc p = Problems.Ctc.create();
          return List.of(Tensor.ofDoubles(p.logProbs64(), t, n, Problems.Ctc.C),
              Tensor.ofLongs(p.targets(), n, Problems.Ctc.S), Tensor.ofLongs(p.inputLengths(), n),
              Tensor.ofLongs(p.targetLengths(), n));
        }, in -> {
          CtcLoss k = CtcLoss.options().build();
          return a -> k.apply(a.get(0), a.get(1), a.get(2), a.get(3), Gradients.of("grad_log_probs"));
        });
  }
}
