package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import dev.lossconformance.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * {@code torch.nn.functional.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
 * reduction, zero_infinity)}, paired with {@code tf.nn.ctc_loss} on its sparse-label path
 * ({@link TensorFlowCounterparts#ctcLoss}).
 *
 * <p>{@code log_probs} is {@code (T, N, C)} (or {@code (T, C)} unbatched): a log_softmax over C of
 * seeded normal logits, computed in double and rounded once to the dtype, so each row is normalised
 * up to that rounding. TF gets the same numbers as its (unnormalised) logits: its softmax of a
 * normalised row is the row's exp, so the two losses meet (T-12 aside). Targets, lengths and the
 * blank are spelled out per case.
 */
public final class CtcLossCases {
  public static final String OP = "ctc_loss";
  public static final Api API = TorchApis.CTC_LOSS;

  private CtcLossCases() {}

  private static CaseBuilder ctc(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant + "_" + reduction)
        .param("blank", API.defaultOf("blank"))
        .param("reduction", reduction)
        .param("zero_infinity", API.defaultOf("zero_infinity"))
        .tensorflow(TensorFlowCounterparts::ctcLoss);
  }

  private static Stream<CaseBuilder> reductions(String variant, UnaryOperator<CaseBuilder> f) {
    return CaseBuilder.reductions(CtcLossCases::ctc, variant, f);
  }

  /**
   * Log-probabilities of shape {@code shape} (classes last): normal logits times {@code scale}, then
   * log_softmax over the last dim in double ({@code x - m - log sum exp(x - m)}), rounded to the dtype.
   */
  static Draw logProbs(double scale, int... shape) {
    return (rng, dt) -> Tensor.ofFloating(dt, logSoftmaxRows(normals(rng, scale, Tensor.numel(shape)), shape[shape.length - 1]), shape);
  }

  private static double[] normals(SplittableRandom rng, double scale, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double u1 = rng.nextDouble();
      double u2 = rng.nextDouble();
      v[i] = Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2) * scale;
    }
    return v;
  }

  /** {@code x} made log_softmax over rows of {@code c} in place, in double (the catalog's and the sweep's draw). */
  public static double[] logSoftmaxRows(double[] x, int c) {
    for (int r = 0; r * c < x.length; r++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        m = Math.max(m, x[r * c + k]);
      }
      double s = 0;
      for (int k = 0; k < c; k++) {
        s += Math.exp(x[r * c + k] - m);
      }
      double log = Math.log(s);
      for (int k = 0; k < c; k++) {
        x[r * c + k] = x[r * c + k] - m - log;
      }
    }
    return x;
  }

  /** int64 labels uniform in {@code [1, classes)} (never the default blank 0). */
  static Draw labels(int classes, int... shape) {
    return (rng, dt) -> {
      long[] v = new long[Tensor.numel(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = 1 + rng.nextInt(classes - 1);
      }
      return Tensor.ofLongs(v, shape);
    };
  }

  private static Draw longs(int[] shape, long... v) {
    return Draw.longs(shape, v);
  }

  private static int[] shape(int... s) {
    return s;
  }

  public static List<Case> cases() {
    // three samples, T = 6, C = 5; targets [1,3,2,4], [2,4], [4,1,3]
    Draw padded = longs(shape(3, 4), 1, 3, 2, 4, 2, 4, 0, 0, 4, 1, 3, 0);
    Draw concatenated = longs(shape(9), 1, 3, 2, 4, 2, 4, 4, 1, 3);
    Draw lengths3 = longs(shape(3), 4, 2, 3);
    Draw full6 = longs(shape(3), 6, 6, 6);
    Draw noFour = longs(shape(3, 4), 1, 3, 2, 3, 2, 3, 0, 0, 3, 1, 2, 0);
    Stream<Stream<CaseBuilder>> all = Stream.of(
        reductions("padded", b -> b.input("log_probs", logProbs(1.5, 6, 3, 5)).input("targets", padded)
            .input("input_lengths", full6).input("target_lengths", lengths3)),
        reductions("concatenated", b -> b.input("log_probs", logProbs(1.5, 6, 3, 5)).input("targets", concatenated)
            .input("input_lengths", full6).input("target_lengths", lengths3)),
        // blank = C - 1: TF's own blank position, so its column move is the identity
        reductions("blank_last", b -> b.param("blank", 4L).input("log_probs", logProbs(1.5, 6, 3, 5))
            .input("targets", longs(shape(3, 4), 0, 2, 1, 3, 1, 3, 0, 0, 3, 0, 2, 0))
            .input("input_lengths", full6).input("target_lengths", lengths3)),
        // a blank inside the class range: TF moves column 2 last and shifts labels 3, 4 down
        Stream.of(ctc("blank_middle", "none").param("blank", 2L).input("log_probs", logProbs(1.5, 6, 3, 5))
            .input("targets", longs(shape(3, 4), 1, 3, 0, 4, 3, 4, 0, 0, 4, 1, 3, 0))
            .input("input_lengths", full6).input("target_lengths", lengths3)),
        // [1, 1] needs a blank between the two 1s (3 frames), [3, 3, 3] needs 5
        reductions("repeated_labels", b -> b.input("log_probs", logProbs(1.5, 6, 2, 5))
            .input("targets", longs(shape(2, 3), 1, 1, 0, 3, 3, 3))
            .input("input_lengths", longs(shape(2), 6, 6)).input("target_lengths", longs(shape(2), 2, 3))),
        // [1, 1] in 2 frames: no alignment, but TF's time check counts 2 labels, not 3 frames
        Stream.of(ctc("repeated_labels_too_short", "none").input("log_probs", logProbs(1.5, 2, 1, 4))
                .input("targets", longs(shape(1, 2), 1, 1))
                .input("input_lengths", longs(shape(1), 2)).input("target_lengths", longs(shape(1), 2)),
            ctc("repeated_labels_too_short_zero_infinity", "none").param("zero_infinity", true)
                .input("log_probs", logProbs(1.5, 2, 1, 4)).input("targets", longs(shape(1, 2), 1, 1))
                .input("input_lengths", longs(shape(1), 2)).input("target_lengths", longs(shape(1), 2))),
        // T-17: T = 1 with a target of length 2 (sample 1); sample 0 ([2] in one frame) is feasible
        impossible("impossible_alignment", false),
        impossible("impossible_alignment_zero_infinity", true),
        // sample 0 has no target: its loss is -sum_t log p(blank), divided by max(0, 1) = 1 for mean
        reductions("target_length_zero", b -> b.input("log_probs", logProbs(1.5, 5, 2, 4))
            .input("targets", longs(shape(2, 2), 0, 0, 1, 2))
            .input("input_lengths", longs(shape(2), 5, 5)).input("target_lengths", longs(shape(2), 0, 2))),
        // gradient rows at t >= input_length are 0
        reductions("input_lengths_short", b -> b.input("log_probs", logProbs(1.5, 7, 3, 5))
            .input("targets", longs(shape(3, 3), 1, 2, 3, 4, 4, 0, 2, 1, 0))
            .input("input_lengths", longs(shape(3), 7, 4, 5)).input("target_lengths", longs(shape(3), 3, 2, 2))),
        // input_length 0 with an empty target: loss 0, every gradient row 0
        Stream.of(ctc("input_length_zero", "none").input("log_probs", logProbs(1.5, 4, 2, 4))
            .input("targets", longs(shape(2, 2), 0, 0, 3, 1))
            .input("input_lengths", longs(shape(2), 0, 4)).input("target_lengths", longs(shape(2), 0, 2))),
        // (T, C) log_probs with a 1-D target and 0-d lengths; "none" gives a 0-d loss
        reductions("unbatched", b -> b.input("log_probs", logProbs(1.5, 5, 4))
            .input("targets", longs(shape(3), 2, 1, 3))
            .input("input_lengths", longs(shape(), 5)).input("target_lengths", longs(shape(), 3))),
        // longer sequences: T = 60, targets of 12 and 25 drawn labels (with chance repeats)
        Stream.of(ctc("long_sequences", "none").input("log_probs", logProbs(2, 60, 2, 8))
            .input("targets", labels(8, 2, 25))
            .input("input_lengths", longs(shape(2), 60, 52)).input("target_lengths", longs(shape(2), 12, 25))),
        // T-12: log_probs that are not normalised (all 0): torch takes them as given, TF applies softmax
        Stream.of(ctc("unnormalized_zeros", "none").input("log_probs", Draw.values(shape(1, 1, 2), 0, 0))
            .input("targets", longs(shape(1, 1), 1))
            .input("input_lengths", longs(shape(1), 1)).input("target_lengths", longs(shape(1), 1))),
        // labels avoid class 4, which TF makes its blank for both of these blank_index values
        Stream.of(ctc("blank_out_of_range", "mean").param("blank", 5L).input("log_probs", logProbs(1.5, 6, 3, 5))
                .input("targets", noFour).input("input_lengths", full6).input("target_lengths", lengths3)
                .expectError("blank must be in label range"),
            ctc("blank_negative", "mean").param("blank", -1L).input("log_probs", logProbs(1.5, 6, 3, 5))
                .input("targets", noFour)
                .input("input_lengths", full6).input("target_lengths", lengths3)
                .expectError("blank must be in label range"),
            ctc("input_length_too_long", "mean").input("log_probs", logProbs(1.5, 6, 3, 5))
                .input("targets", padded).input("input_lengths", longs(shape(3), 6, 7, 6)).input("target_lengths", lengths3)
                .expectError("Expected input_lengths to have value at most 6"),
            // a target length of 2^32 (4 labels stored, T = 3): torch's size check of the targets refuses
            // it before anything is allocated; TF's dense-to-sparse takes the 4 stored labels, which need
            // more than the 3 frames (its time check)
            ctc("target_length_2pow32", "mean").input("log_probs", logProbs(1.5, 3, 1, 5))
                .input("targets", longs(shape(1, 4), 1, 3, 2, 4)).input("input_lengths", longs(shape(1), 3))
                .input("target_lengths", longs(shape(1), 1L << 32))
                .expectError("Expected tensor to have size at least 4294967296 at dimension 1")),
        // found by the differential sweep
        // an empty batch (N = 0, T = 2): computed, an empty loss (mean: NaN)
        reductions("batch_empty", b -> b.input("log_probs", Draw.values(shape(2, 0, 3)))
            .input("targets", longs(shape(0, 2))).input("input_lengths", longs(shape(0)))
            .input("target_lengths", longs(shape(0)))),
        // no frames (T = 0): aten's log_alpha.narrow(1, 0, 1) fails, whatever the batch
        Stream.of(ctc("no_frames", "mean").input("log_probs", Draw.values(shape(0, 1, 3)))
            .input("targets", longs(shape(1, 1), 1)).input("input_lengths", longs(shape(1), 0))
            .input("target_lengths", longs(shape(1), 0))
            .expectError("start (0) + length (1) exceeds dimension size (0)")),
        // a target holding the blank as its last label: aten assigns the last frame's two seeds (the
        // final blank's, then the last label's) instead of log-adding them, so the blank's occupancy
        // there is one path's, not both's (1/6 where the log-add gives 0, on one-class log-probs of 0)
        reductions("blank_in_target_last", b -> b.input("log_probs", Draw.values(shape(2, 1, 1), 0, 0))
            .input("targets", longs(shape(1, 1), 0)).input("input_lengths", longs(shape(1), 2))
            .input("target_lengths", longs(shape(1), 1))),
        reductions("blank_in_target_middle", b -> b.param("blank", 1L).input("log_probs", logProbs(1.5, 4, 1, 3))
            .input("targets", longs(shape(1, 3), 2, 1, 0)).input("input_lengths", longs(shape(1), 4))
            .input("target_lengths", longs(shape(1), 3))),
        // a NaN log-probability with a blank as the last label: aten's last frame reads only its two seeds,
        // so the NaN alpha of another state does not reach that frame's gradient (0 there, not NaN)
        Stream.of(ctc("nan_with_blank_last_label", "mean").input("log_probs", Draw.values(shape(2, 1, 2), Double.NaN, 0, 0, 0))
            .input("targets", longs(shape(1, 2), 1, 0)).input("input_lengths", longs(shape(1), 2))
            .input("target_lengths", longs(shape(1), 2))),
        // a class 90 below its frame's maximum: TF's float32 softmax gives exp(-90), a denormal its CPU kernels
        // flush to 0, so log y = -inf and the loss is inf; torch takes the log-probability as given (90)
        Stream.of(ctc("far_below_max_class", "none").param("blank", 1L).input("log_probs", Draw.values(shape(1, 1, 2), -90, 0))
            .input("targets", longs(shape(1, 1), 0)).input("input_lengths", longs(shape(1), 1))
            .input("target_lengths", longs(shape(1), 1))
            .divergence("TF flushes float32 denormals: its softmax of a class 90 below the maximum is 0 (loss inf),"
                + " torch's loss is -log_probs = 90; float64 agrees")),
        // float32: per-sample losses near the float maximum sum to inf in float (the reduction's float
        // accumulator), the lattice's float intermediates overflow where double would not
        reductions("float32_overflow", b -> b.param("blank", 2L)
            .input("log_probs", Draw.values(shape(1, 3, 3), 0, 0, 0, 0, 0, -3e38, 0, 0, -3e38))
            .input("targets", longs(shape(3, 1), 0, 0, 0)).input("input_lengths", longs(shape(3), 0, 1, 1))
            .input("target_lengths", longs(shape(3), 0, 0, 0))),
        // a NaN and an inf log-probability: PyTorch's formula, not a special case, makes the rows
        reductions("nan_and_inf_log_probs", b -> b
            .input("log_probs", Draw.values(shape(2, 2, 2), Double.NaN, 0, 0, -1, Double.NEGATIVE_INFINITY, -0.5,
                Double.POSITIVE_INFINITY, -2))
            .input("targets", longs(shape(2, 1), 1, 1)).input("input_lengths", longs(shape(2), 2, 2))
            .input("target_lengths", longs(shape(2), 1, 1))));
    return all.flatMap(s -> s).flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList();
  }

  private static Stream<CaseBuilder> impossible(String variant, boolean zeroInfinity) {
    return Stream.of("none", "mean", "sum").map(r -> ctc(variant, r).param("zero_infinity", zeroInfinity)
        .input("log_probs", logProbs(1.5, 1, 2, 4))
        .input("targets", longs(shape(2, 2), 2, 0, 1, 3))
        .input("input_lengths", longs(shape(2), 1, 1)).input("target_lengths", longs(shape(2), 1, 2)));
  }
}
