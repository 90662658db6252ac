package dev.lossconformance.sweep;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.Param;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.catalog.CaseBuilder;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The differential sweep's draws: one configuration of an api per (seed, case index), from the api's
 * declared parameter domains ({@link Param#domain}) and the shapes, dtypes and value regimes its
 * inputs take.
 *
 * <p>Case {@code i} of seed {@code s} is drawn from its own generator, seeded by FNV-1a of
 * {@code sweep/<s>/<i>} (as the catalog seeds by case id), so a case is reproducible alone
 * ({@link #draw(Api, long, int)}) and a run is byte-reproducible from its seed.
 *
 * <p>What is drawn: the float dtype (float32 or float64); shapes (batched, K-dim, C = 1, empty,
 * 0-d, unbatched, broadcastable pairs where the api broadcasts); every param from its domain, with a
 * few values the framework rejects (an unknown reduction, label smoothing outside [0, 1]); integer
 * target dtypes other than int64, float64 or int64 class weights beside a float32 input, int64
 * targets for regression losses; and a value regime ({@link Regime}) laid over some elements.
 */
public final class SweepDraws {
  private SweepDraws() {}

  /** How the special values of a case are chosen; {@link #NORMAL} leaves the base draw alone. */
  public enum Regime {
    NORMAL, HUGE, TINY, DENORMAL, ZERO, INF, NAN, SATURATED, TIES, MIXED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A drawn configuration: the call the engine and Java run, and its regime. */
  public record Drawn(int index, String op, Call call, Regime regime) {
    /** {@code sweep/<op>/<index>}, the case id of the fixture case it becomes. */
    public String id() {
      return "sweep/" + op + "/" + index;
    }
  }

  /** The apis the sweep draws for, in the order cases are dealt to them (PyTorch's first). */
  public static final List<Api> TORCH_APIS = List.of(TorchApis.COSINE_EMBEDDING_LOSS, TorchApis.POISSON_NLL_LOSS,
      TorchApis.GAUSSIAN_NLL_LOSS, TorchApis.CROSS_ENTROPY, TorchApis.NLL_LOSS, TorchApis.BINARY_CROSS_ENTROPY,
      TorchApis.BINARY_CROSS_ENTROPY_WITH_LOGITS, TorchApis.KL_DIV, TorchApis.L1_LOSS, TorchApis.HINGE_EMBEDDING_LOSS,
      TorchApis.CTC_LOSS);

  /** The op of an api: the last part of its name ({@code cross_entropy}). */
  public static String op(Api api) {
    return api.name().substring(api.name().lastIndexOf('.') + 1);
  }

  /** The seed of case {@code index} of a sweep of {@code seed}. */
  public static long caseSeed(long seed, int index) {
    return CaseBuilder.seed("sweep/" + seed + "/" + index);
  }

  /** Case {@code index} of {@code apis}: the api is dealt round-robin, the draw seeded by seed and index. */
  public static Drawn draw(List<Api> apis, long seed, int index) {
    return draw(apis.get(Math.floorMod(index, apis.size())), seed, index);
  }

  /** Case {@code index} of a sweep of {@code seed}, drawn for {@code api}. */
  public static Drawn draw(Api api, long seed, int index) {
    SplittableRandom rng = new SplittableRandom(caseSeed(seed, index));
    Drawing d = new Drawing(api, rng);
    d.drawAll();
    return new Drawn(index, op(api), new Call(api.name(), d.params, d.inputs, null, null), d.regime);
  }

  /**
   * False for a call the engine's kernel would read out of bounds on, which is undefined behaviour and
   * not a semantic to compare: aten's CPU {@code ctc_loss} (LossCTC.cpp) checks the blank, the
   * lengths against T and a padded target's width, but not the labels, nor that a concatenated target
   * holds {@code sum(target_lengths)} labels, nor negative lengths; such calls corrupted the engine
   * JVM's heap here ({@code munmap_chunk(): invalid pointer}). The draws never make one; the shrinker
   * skips the candidates that would.
   */
  public static boolean engineSafe(Call c) {
    boolean tf = c.api().equals(dev.lossconformance.api.TfNnApis.CTC_LOSS.name());
    if (!c.api().equals(TorchApis.CTC_LOSS.name()) && !tf) {
      return true;
    }
    if (tf) {
      // TF's CTCLoss (ctc_loss_op.cc) trusts the sparse labels' values and a label_length within the
      // dense width: the shrinker's narrower logits or labels aborted its JVM the same way
      Tensor logits = c.inputs().get("logits");
      Tensor labels = c.inputs().get("labels");
      Tensor ll = c.inputs().get("label_length");
      if (logits == null || labels == null || ll == null || logits.rank() != 3 || labels.rank() != 2) {
        return true;
      }
      for (int i = 0; i < ll.numel(); i++) {
        if (ll.getDouble(i) < 0 || ll.getDouble(i) > labels.size(1)) {
          return false;
        }
        for (int k = 0; k < ll.getDouble(i); k++) {
          // TF's own label range: [0, C - 1), its blank C - 1 excluded (after ctc_loss_v3's blank move)
          double v = labels.getDouble(i * labels.size(1) + k);
          if (!(v >= 0 && v < logits.size(2) - 1)) {
            return false;
          }
        }
      }
      return true;
    }
    Tensor lp = c.inputs().get("log_probs");
    Tensor tg = c.inputs().get("targets");
    if (lp == null || tg == null || lp.rank() == 0) {
      return true;
    }
    int classes = lp.size(lp.rank() - 1);
    for (int i = 0; i < tg.numel(); i++) {
      double v = tg.getDouble(i);
      if (!(v >= 0 && v < classes)) {
        return false;
      }
    }
    long sum = 0;
    for (String name : new String[] {"input_lengths", "target_lengths"}) {
      Tensor l = c.inputs().get(name);
      for (int i = 0; l != null && i < l.numel(); i++) {
        if (l.getDouble(i) < 0) {
          return false;
        }
        if (name.equals("target_lengths")) {
          sum += (long) l.getDouble(i);
        }
      }
    }
    Tensor tl = c.inputs().get("target_lengths");
    for (int i = 0; tg.rank() == 2 && tl != null && i < tl.numel(); i++) {
      if (tl.getDouble(i) > tg.size(1)) {
        return false; // aten refuses it, but TensorFlow's counterpart of it reads past the labels
      }
    }
    return !(tg.rank() == 1 && lp.rank() == 3 && sum > tg.numel());
  }

  /**
   * The TensorFlow call of a drawn PyTorch configuration: the catalog's counterpart rule of the op
   * ({@code TensorFlowCounterparts}: the same numbers under Keras or tf.nn names, params and layout,
   * or why TensorFlow cannot express it). Cross-entropy and BCE-with-logits alternate between Keras
   * and the tf.nn raw-op wrappers (odd case indices go to tf.nn, with reduction none). The TF call is
   * judged against Java's kernel of that TF api, so a semantic difference between the frameworks
   * does not show; only Java against TensorFlow does.
   */
  public static Call tensorflow(Drawn d) {
    try {
      return counterpart(d);
    } catch (RuntimeException e) {
      // the catalog's rules were written for the catalog's configurations (class indices of int64,
      // for one); what they cannot map is skipped, with the reason
      Call t = d.call();
      return Call.unsupported(t.api(), t.params(), t.inputs(), "the counterpart rule of " + d.op()
          + " does not map this configuration: " + e.getMessage());
    }
  }

  private static Call counterpart(Drawn d) {
    Call t = d.call();
    boolean tfnn = d.index() % 2 == 1;
    return switch (d.op()) {
      case "cross_entropy" -> tfnn ? TensorFlowCounterparts.tfnnSoftmax(t) : TensorFlowCounterparts.crossEntropy(t);
      case "nll_loss" -> TensorFlowCounterparts.kerasOnProbabilities(t);
      case "binary_cross_entropy" -> TensorFlowCounterparts.binaryCrossEntropy(t);
      case "binary_cross_entropy_with_logits" -> tfnn && !t.inputs().containsKey("weight")
          ? TensorFlowCounterparts.tfnnSigmoid(t) : TensorFlowCounterparts.binaryCrossEntropyWithLogits(t);
      case "kl_div" -> TensorFlowCounterparts.klDiv(t);
      case "poisson_nll_loss" -> TensorFlowCounterparts.poissonNll(t);
      case "hinge_embedding_loss" -> TensorFlowCounterparts.hinge(t);
      case "cosine_embedding_loss" -> TensorFlowCounterparts.cosine(t);
      case "l1_loss" -> TensorFlowCounterparts.l1(t);
      case "ctc_loss" -> TensorFlowCounterparts.ctcLoss(t);
      default -> Call.unsupported(t.api(), t.params(), t.inputs(), "TensorFlow has no counterpart of " + d.op());
    };
  }

  /** What kind of values an input holds, which sets its base draw and how a regime lands in it. */
  enum Kind { REAL, PROB, LOGPROB, POSITIVE, COUNT, SIGN }

  /** The state of one draw. */
  private static final class Drawing {
    final Api api;
    final SplittableRandom rng;
    final Map<String, Object> params = new LinkedHashMap<>();
    final Map<String, Tensor> inputs = new LinkedHashMap<>();
    final DType dt;
    final Regime regime;
    /** The floating inputs a regime may land in, with their kind. */
    final Map<String, Kind> kinds = new LinkedHashMap<>();
    final Map<String, double[]> raw = new LinkedHashMap<>();
    final Map<String, int[]> shapes = new LinkedHashMap<>();
    final Map<String, DType> dtypes = new LinkedHashMap<>();

    Drawing(Api api, SplittableRandom rng) {
      this.api = api;
      this.rng = rng;
      this.dt = rng.nextInt(5) < 3 ? DType.FLOAT32 : DType.FLOAT64;
      Regime[] all = Regime.values();
      this.regime = rng.nextInt(10) < 4 ? Regime.NORMAL : all[1 + rng.nextInt(all.length - 1)];
    }

    void drawAll() {
      for (Param p : api.params().values()) {
        if (p.name().equals("size_average") || p.name().equals("reduce")) {
          continue; // deprecated: the sweep passes reduction only
        }
        List<Object> dom = p.domain();
        Object v = dom.get(rng.nextInt(dom.size()));
        if (p.name().equals("reduction") && rng.nextInt(40) == 0) {
          v = "avg"; // rejected by every api
        }
        params.put(p.name(), v);
      }
      switch (op(api)) {
        case "cross_entropy", "nll_loss" -> classification();
        case "cosine_embedding_loss" -> cosine();
        case "gaussian_nll_loss" -> gaussianNll();
        case "ctc_loss" -> ctc();
        default -> elementwise();
      }
      applyRegime();
      for (Map.Entry<String, double[]> e : raw.entrySet()) {
        DType t = dtypes.get(e.getKey());
        int[] shape = shapes.get(e.getKey());
        if (t.isFloating()) {
          inputs.put(e.getKey(), Tensor.ofFloating(t, e.getValue(), shape));
        } else {
          long[] l = new long[e.getValue().length];
          for (int i = 0; i < l.length; i++) {
            double x = e.getValue()[i];
            l[i] = t == DType.BOOL ? (x != 0 ? 1 : 0) : t == DType.UINT8 ? Math.floorMod((long) x, 256) : (long) x;
          }
          inputs.put(e.getKey(), Tensor.ofLongs(t, l, shape));
        }
      }
    }

    // ---- shapes and base draws per api family

    void classification() {
      boolean ce = op(api).equals("cross_entropy");
      int n = pick(1, 2, 3, 4, 7);
      int c = pick(1, 2, 3, 5, 10);
      int form = rng.nextInt(20);
      int[] in;
      int[] tg;
      if (form < 11) {
        in = new int[] {n, c};
        tg = new int[] {n};
      } else if (form < 14) {
        int k = pick(1, 2, 3);
        in = new int[] {n, c, k};
        tg = new int[] {n, k};
      } else if (form < 16) {
        in = new int[] {c};
        tg = new int[0];
      } else if (form < 18) {
        in = new int[] {0, c};
        tg = new int[] {0};
      } else {
        in = new int[] {n, c, 2, 2};
        tg = new int[] {n, 2, 2};
      }
      add("input", ce ? Kind.REAL : Kind.LOGPROB, dt, in);
      if (ce && rng.nextInt(5) == 0) {
        add("target", Kind.PROB, rng.nextInt(20) == 0 ? other(dt) : dt, in); // probability targets
        normaliseAlong("target", in, 1 % Math.max(in.length, 1));
      } else {
        DType t = targetDtype();
        double[] v = new double[Tensor.numel(tg)];
        long ignore = ((Number) params.getOrDefault("ignore_index", -100L)).longValue();
        for (int i = 0; i < v.length; i++) {
          v[i] = rng.nextInt(8) == 0 ? ignore : rng.nextInt(c);
        }
        if (v.length > 0 && rng.nextInt(15) == 0) {
          v[rng.nextInt(v.length)] = rng.nextBoolean() ? c : -2; // one class index out of range
        }
        put("target", v, tg, t);
      }
      if (rng.nextInt(10) < 3) {
        int w = rng.nextInt(20) == 0 ? c + 1 : c;
        DType wt = rng.nextInt(10) == 0 ? (rng.nextBoolean() ? other(dt) : DType.INT64) : dt;
        double[] v = new double[w];
        for (int i = 0; i < w; i++) {
          v[i] = rng.nextInt(6) == 0 ? 0 : 0.2 + 1.8 * rng.nextDouble();
          if (wt == DType.INT64) {
            v[i] = Math.rint(v[i]);
          }
        }
        put("weight", v, new int[] {w}, wt);
        if (wt.isFloating()) {
          kinds.put("weight", Kind.POSITIVE);
        }
      }
    }

    void cosine() {
      int n = pick(0, 1, 2, 4, 5);
      int d = pick(1, 2, 3, 8);
      boolean unbatched = rng.nextInt(8) == 0;
      int[] in = unbatched ? new int[] {d} : new int[] {n, d};
      add("input1", Kind.REAL, dt, in);
      add("input2", Kind.REAL, rng.nextInt(30) == 0 ? other(dt) : dt, in);
      int[] tg = unbatched ? new int[0] : new int[] {n};
      double[] v = new double[Tensor.numel(tg)];
      for (int i = 0; i < v.length; i++) {
        v[i] = rng.nextInt(12) == 0 ? pick(0, 2) : rng.nextBoolean() ? 1 : -1;
      }
      int r = rng.nextInt(20);
      put("target", v, tg, r == 0 ? DType.INT32 : r == 1 ? dt : DType.INT64);
      if (regime == Regime.TIES) {
        System.arraycopy(raw.get("input1"), 0, raw.get("input2"), 0, raw.get("input1").length);
      }
    }

    /**
     * CTC: {@code log_probs} (T, N, C) or unbatched (T, C), a log_softmax over C of normal logits (in
     * double, rounded once to the dtype, as the catalog draws them); the blank at 0, C - 1, inside
     * the range, or now and then out of it; targets padded (N, S) or concatenated, labels never the
     * blank except now and then (never out of range: aten's CPU kernel does not check them and reads
     * out of bounds, a heap corruption that aborted the engine's JVM here); target lengths up to S, some longer than the
     * input (no alignment: inf, or 0 with zero_infinity); input lengths mostly T, some shorter or 0,
     * now and then T + 1 (rejected); int64 lengths and targets, now and then int32.
     */
    void ctc() {
      boolean unbatched = rng.nextInt(8) == 0;
      int t = rng.nextInt(30) == 0 ? 0 : pick(1, 2, 3, 5, 8);
      int n = unbatched ? 1 : pick(0, 1, 1, 2, 3);
      int c = pick(2, 3, 5);
      int b = rng.nextInt(10);
      long blank = b < 6 ? 0 : b < 8 ? c - 1 : b < 9 ? rng.nextInt(c) : rng.nextBoolean() ? c : -1;
      params.put("blank", blank);
      params.put("zero_infinity", rng.nextBoolean());
      int[] lp = unbatched ? new int[] {t, c} : new int[] {t, n, c};
      double scale = pick(1, 2, 6) * 0.75;
      double[] x = new double[Tensor.numel(lp)];
      for (int i = 0; i < x.length; i++) {
        x[i] = gaussian() * scale;
      }
      put("log_probs", dev.lossconformance.catalog.CtcLossCases.logSoftmaxRows(x, c), lp, dt);
      kinds.put("log_probs", Kind.LOGPROB);
      int s = pick(0, 1, 2, 3, 4);
      double[] targetLengths = new double[n];
      double[] inputLengths = new double[n];
      int total = 0;
      for (int i = 0; i < n; i++) {
        targetLengths[i] = rng.nextInt(s + 1);
        total += (int) targetLengths[i];
        int r = rng.nextInt(20);
        inputLengths[i] = r < 14 ? t : r < 18 ? rng.nextInt(t + 1) : r < 19 ? 0 : t + 1;
      }
      boolean padded = unbatched || rng.nextBoolean();
      int[] tgShape = unbatched ? new int[] {s} : padded ? new int[] {n, s} : new int[] {total};
      double[] labels = new double[Tensor.numel(tgShape)];
      for (int i = 0; i < labels.length; i++) {
        if (blank >= 0 && blank < c && rng.nextInt(40) == 0) {
          labels[i] = blank; // a blank inside a target
        } else {
          long v = rng.nextInt(Math.max(c - 1, 1));
          labels[i] = c == 1 ? 0 : v >= blank && blank >= 0 && blank < c ? v + 1 : v;
        }
      }
      DType lengthType = rng.nextInt(10) == 0 ? DType.INT32 : DType.INT64;
      put("targets", labels, tgShape, rng.nextInt(10) == 0 ? DType.INT32 : DType.INT64);
      int[] lenShape = unbatched ? new int[0] : new int[] {n};
      if (unbatched) {
        targetLengths = new double[] {rng.nextInt(s + 1)};
        int r = rng.nextInt(20);
        inputLengths = new double[] {r < 16 ? t : rng.nextInt(t + 1)};
      }
      put("input_lengths", inputLengths, lenShape, lengthType);
      put("target_lengths", targetLengths, lenShape, lengthType);
    }

    void gaussianNll() {
      int[] in = elementShape();
      add("input", Kind.REAL, dt, in);
      add("target", Kind.REAL, targetFloatOrInt(), in);
      int r = rng.nextInt(20);
      int[] var;
      if (r < 14 || in.length == 0) {
        var = in;
      } else if (r < 17) {
        var = java.util.Arrays.copyOf(in, in.length - 1);
      } else if (r < 19) {
        var = in.clone();
        var[var.length - 1] = 1;
      } else {
        var = new int[] {2, 7};
      }
      add("var", Kind.POSITIVE, dt, var);
      if (rng.nextInt(25) == 0 && raw.get("var").length > 0) {
        raw.get("var")[0] = -0.5; // rejected: negative variance
      }
    }

    void elementwise() {
      String op = op(api);
      int[] in = elementShape();
      int[] tg = in;
      if ((op.equals("l1_loss") || op.equals("kl_div")) && rng.nextInt(5) == 0 && in.length > 0) {
        tg = broadcastable(in);
      }
      switch (op) {
        case "binary_cross_entropy" -> {
          add("input", Kind.PROB, dt, in);
          add("target", Kind.PROB, dt, rng.nextInt(40) == 0 ? broadcastable(in) : in);
          if (rng.nextInt(10) < 3) {
            add("weight", Kind.POSITIVE, weightDtype(), rng.nextBoolean() || in.length == 0 ? in : lastDim(in));
          }
        }
        case "binary_cross_entropy_with_logits" -> {
          add("input", Kind.REAL, dt, in);
          add("target", Kind.PROB, dt, in);
          if (rng.nextInt(10) < 3) {
            add("weight", Kind.POSITIVE, weightDtype(), rng.nextBoolean() || in.length == 0 ? in : lastDim(in));
          }
          if (rng.nextInt(10) < 3) {
            add("pos_weight", Kind.POSITIVE, weightDtype(), in.length == 0 ? in : lastDim(in));
          }
        }
        case "kl_div" -> {
          add("input", Kind.LOGPROB, dt, in);
          boolean logTarget = Boolean.TRUE.equals(params.get("log_target"));
          add("target", logTarget ? Kind.LOGPROB : Kind.PROB, targetFloat(), tg);
        }
        case "poisson_nll_loss" -> {
          boolean logInput = Boolean.TRUE.equals(params.get("log_input"));
          add("input", logInput ? Kind.REAL : Kind.POSITIVE, dt, in);
          add("target", Kind.COUNT, targetFloatOrInt(), in);
        }
        case "hinge_embedding_loss" -> {
          add("input", Kind.REAL, dt, in);
          add("target", Kind.SIGN, targetFloatOrInt(), in);
        }
        case "l1_loss" -> {
          add("input", Kind.REAL, dt, in);
          add("target", Kind.REAL, targetFloatOrInt(), tg);
        }
        default -> throw new IllegalStateException("the sweep has no draw for " + api.name());
      }
    }

    int[] elementShape() {
      int r = rng.nextInt(20);
      if (r < 2) {
        return new int[0];
      }
      if (r < 3) {
        return new int[] {0};
      }
      if (r < 4) {
        return new int[] {0, pick(1, 3)};
      }
      if (r < 9) {
        return new int[] {pick(1, 2, 5, 9)};
      }
      if (r < 17) {
        return new int[] {pick(1, 2, 3, 4), pick(1, 2, 3, 6)};
      }
      return new int[] {pick(1, 2), pick(2, 3), pick(1, 2, 4)};
    }

    /** A shape {@code in} broadcasts with: a trailing suffix, ones in place of sizes, or 0-d. */
    int[] broadcastable(int[] in) {
      if (in.length == 0) {
        return in;
      }
      int r = rng.nextInt(3);
      if (r == 0) {
        return new int[0];
      }
      if (r == 1) {
        return lastDim(in);
      }
      int[] s = in.clone();
      s[rng.nextInt(s.length)] = 1;
      return s;
    }

    static int[] lastDim(int[] in) {
      return new int[] {in[in.length - 1]};
    }

    DType targetDtype() {
      int r = rng.nextInt(20);
      return r < 16 ? DType.INT64 : r < 18 ? DType.INT32 : r < 19 ? DType.UINT8 : DType.BOOL;
    }

    DType targetFloat() {
      return rng.nextInt(20) == 0 ? other(dt) : dt;
    }

    DType targetFloatOrInt() {
      int r = rng.nextInt(20);
      return r == 0 ? DType.INT64 : r == 1 ? other(dt) : dt;
    }

    DType weightDtype() {
      return rng.nextInt(15) == 0 ? other(dt) : dt;
    }

    static DType other(DType d) {
      return d == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
    }

    int pick(int... options) {
      return options[rng.nextInt(options.length)];
    }

    void add(String name, Kind kind, DType t, int[] shape) {
      double[] v = new double[Tensor.numel(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = base(kind);
      }
      put(name, v, shape, t);
      if (t.isFloating()) {
        kinds.put(name, kind);
      } else {
        for (int i = 0; i < v.length; i++) {
          v[i] = Math.rint(v[i]);
        }
      }
    }

    void put(String name, double[] v, int[] shape, DType t) {
      raw.put(name, v);
      shapes.put(name, shape);
      dtypes.put(name, t);
    }

    double base(Kind kind) {
      double g = gaussian();
      return switch (kind) {
        case REAL -> g * (rng.nextInt(8) == 0 ? 10 : 1.5);
        case PROB -> rng.nextDouble();
        case LOGPROB -> -Math.abs(g) * 2;
        case POSITIVE -> 0.05 + 3 * rng.nextDouble();
        case COUNT -> Math.floor(7 * rng.nextDouble());
        case SIGN -> rng.nextInt(10) == 0 ? 0 : rng.nextBoolean() ? 1 : -1;
      };
    }

    /** Makes the fibres of {@code name} along {@code dim} sum to one (a probability target). */
    void normaliseAlong(String name, int[] shape, int dim) {
      double[] v = raw.get(name);
      if (shape.length == 0 || v.length == 0) {
        return;
      }
      int c = shape[dim];
      int inner = 1;
      for (int d = dim + 1; d < shape.length; d++) {
        inner *= shape[d];
      }
      int outer = v.length / (c * inner);
      for (int o = 0; o < outer; o++) {
        for (int s = 0; s < inner; s++) {
          double sum = 0;
          for (int k = 0; k < c; k++) {
            sum += v[(o * c + k) * inner + s];
          }
          for (int k = 0; k < c; k++) {
            v[(o * c + k) * inner + s] = sum == 0 ? 1.0 / c : v[(o * c + k) * inner + s] / sum;
          }
        }
      }
    }

    // ---- value regimes

    void applyRegime() {
      if (regime == Regime.NORMAL || kinds.isEmpty()) {
        return;
      }
      List<String> names = new ArrayList<>(kinds.keySet());
      int targets = regime == Regime.MIXED ? names.size() : 1 + rng.nextInt(names.size());
      for (int t = 0; t < targets; t++) {
        String name = regime == Regime.MIXED ? names.get(t) : names.get(rng.nextInt(names.size()));
        double[] v = raw.get(name);
        if (v.length == 0) {
          continue;
        }
        Kind kind = kinds.get(name);
        DType type = dtypes.get(name);
        if (regime == Regime.TIES) {
          double tie = v[0];
          int from = rng.nextInt(v.length);
          for (int i = from; i < v.length; i++) {
            v[i] = tie;
          }
          continue;
        }
        int count = rng.nextBoolean() ? v.length : 1 + rng.nextInt(v.length);
        for (int k = 0; k < count; k++) {
          int i = count == v.length ? k : rng.nextInt(v.length);
          Regime r = regime == Regime.MIXED ? Regime.values()[1 + rng.nextInt(7)] : regime;
          v[i] = special(r, kind, type, v[i]);
        }
      }
    }

    /** A value of regime {@code r} for an input of {@code kind}; now and then outside its domain. */
    double special(Regime r, Kind kind, DType type, double old) {
      boolean f32 = type == DType.FLOAT32;
      double x = switch (r) {
        case HUGE -> f32 ? pickD(1e20, 1e30, 3e38, 1.7e38) : pickD(1e30, 1e154, 1e300, 1.7e308);
        case TINY -> f32 ? pickD(1e-20, 1e-30, 2e-38) : pickD(1e-30, 1e-160, 1e-300);
        case DENORMAL -> f32 ? pickD(1e-40, 1.4e-45) : pickD(1e-310, 4.9e-324);
        case ZERO -> rng.nextBoolean() ? 0.0 : -0.0;
        case INF -> Double.POSITIVE_INFINITY;
        case NAN -> Double.NaN;
        case SATURATED -> kind == Kind.PROB ? pickD(0, 1, 1 - 1e-7, 1e-7) : pickD(100, 1e4, 88.8, 700);
        default -> old;
      };
      boolean negative = rng.nextBoolean();
      boolean outOfDomain = rng.nextInt(10) == 0;
      if (outOfDomain || Double.isNaN(x)) {
        return negative ? -x : x;
      }
      return switch (kind) {
        case REAL -> negative ? -x : x;
        case PROB -> r == Regime.HUGE || r == Regime.INF ? 1.0 : Math.min(1, Math.abs(x));
        case LOGPROB -> -Math.abs(x);
        case POSITIVE, COUNT, SIGN -> Math.abs(x);
      };
    }

    double pickD(double... options) {
      return options[rng.nextInt(options.length)];
    }

    double gaussian() {
      double u1 = rng.nextDouble();
      double u2 = rng.nextDouble();
      return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
}
