package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CtcLoss}'s float32 loops of {@link CtcFloat#best()} (with the Vector API: the lattice along the
 * states, the collected log-sums along blocks of frames, the gradient along the classes, in double lanes
 * rounded to float) against the scalar float loops ({@link CtcFloat#scalar()}), which the engines
 * verified: the same bits on drawn problems (lengths around the lane counts, blanks inside targets,
 * repeated labels, short inputs, unnormalised and far-out log-probabilities, NaN and inf), on a large
 * multi-chunk problem, and for every subset of {@link Gradients}.
 */
class CtcFastPathTest {

  private record Problem(Tensor lp, Tensor targets, Tensor il, Tensor tl) {}

  private static Problem draw(SplittableRandom r, DType dt, int t, int n, int c, int s, boolean specials) {
    double[] lp = new double[t * n * c];
    for (int i = 0; i < lp.length; i++) {
      lp[i] = r.nextInt(5) == 0 ? -r.nextDouble() * 40 : -r.nextDouble() * 4;
      if (r.nextInt(50) == 0) {
        lp[i] = r.nextDouble() * 3; // unnormalised
      }
      if (specials && r.nextInt(400) == 0) {
        lp[i] = r.nextBoolean() ? Double.NEGATIVE_INFINITY : r.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY;
      }
    }
    long[] targets = new long[n * s];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = r.nextInt(12) == 0 && i > 0 ? targets[i - 1] : 1 + r.nextInt(c - 1);
      if (r.nextInt(30) == 0) {
        targets[i] = 0; // the blank inside a target
      }
    }
    long[] il = new long[n];
    long[] tl = new long[n];
    for (int b = 0; b < n; b++) {
      il[b] = r.nextInt(6) == 0 ? r.nextInt(t + 1) : t;
      tl[b] = r.nextInt(6) == 0 ? r.nextInt(s + 1) : s;
    }
    return new Problem(Tensor.ofFloating(dt, lp, t, n, c), Tensor.ofLongs(targets, n, s), Tensor.ofLongs(il, n),
        Tensor.ofLongs(tl, n));
  }

  private static void assertSameBits(CtcLoss.Result want, CtcLoss.Result got, String what) {
    assertArrayEquals(want.loss().toDoubleArray(), got.loss().toDoubleArray(), what + " loss");
    if (got.gradLogProbs() != null) {
      assertArrayEquals(want.gradLogProbs().toDoubleArray(), got.gradLogProbs().toDoubleArray(), what + " grad_log_probs");
    }
    if (got.gradLogits() != null) {
      assertArrayEquals(want.gradLogits().toDoubleArray(), got.gradLogits().toDoubleArray(), what + " grad_logits");
    }
  }

  @Test
  void float32LoopsEqualTheScalarOnes() {
    SplittableRandom r = new SplittableRandom(21);
    for (int trial = 0; trial < 120; trial++) {
      int t = 1 + r.nextInt(trial % 3 == 0 ? 40 : 12);
      int n = 1 + r.nextInt(4);
      int c = 2 + r.nextInt(trial % 4 == 0 ? 60 : 12);
      int s = r.nextInt(Math.max(1, Math.min(t, 12)) + 1);
      Problem p = draw(r, DType.FLOAT32, t, n, c, Math.max(s, 1), trial % 5 == 0);
      Reduction red = Reduction.values()[trial % 3];
      boolean zi = trial % 7 == 0;
      CtcLoss best = CtcLoss.options().reduction(red).zeroInfinity(zi).build();
      CtcLoss scalar = CtcLoss.options().reduction(red).zeroInfinity(zi).floats(CtcFloat.scalar()).build();
      assertSameBits(scalar.apply(p.lp, p.targets, p.il, p.tl), best.apply(p.lp, p.targets, p.il, p.tl),
          CtcFloat.best().getClass().getSimpleName() + " trial " + trial + " T=" + t + " C=" + c);
    }
  }

  @Test
  void largeMultiChunkProblemEqualsTheScalarLoops() {
    SplittableRandom r = new SplittableRandom(22);
    Problem p = draw(r, DType.FLOAT32, 200, 16, 50, 40, false);
    assert 200L * 81 * 16 >= Parallel.THRESHOLD;
    CtcLoss best = CtcLoss.options().build();
    CtcLoss scalar = CtcLoss.options().floats(CtcFloat.scalar()).build();
    assertSameBits(scalar.apply(p.lp, p.targets, p.il, p.tl), best.apply(p.lp, p.targets, p.il, p.tl), "large");
  }

  @Test
  void gradientsSubsetsEqualTheAllResult() {
    SplittableRandom r = new SplittableRandom(23);
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Problem p = draw(r, dt, 30, 3, 10, 6, false);
      CtcLoss loss = CtcLoss.options().build();
      CtcLoss.Result all = loss.apply(p.lp, p.targets, p.il, p.tl);
      CtcLoss.Result lp = loss.apply(p.lp, p.targets, p.il, p.tl, Gradients.of("grad_log_probs"));
      assertNull(lp.gradLogits());
      assertSameBits(all, lp, dt + " grad_log_probs");
      CtcLoss.Result logits = loss.apply(p.lp, p.targets, p.il, p.tl, Gradients.of("grad_logits"));
      assertNull(logits.gradLogProbs());
      assertSameBits(all, logits, dt + " grad_logits");
      CtcLoss.Result none = loss.apply(p.lp, p.targets, p.il, p.tl, Gradients.NONE);
      assertNull(none.gradLogProbs());
      assertNull(none.gradLogits());
      assertSameBits(all, none, dt + " none");
      assertArrayEquals(all.loss().toDoubleArray(), loss.loss(p.lp, p.targets, p.il, p.tl).toDoubleArray());
      LossArgumentException e = assertThrows(LossArgumentException.class,
          () -> loss.apply(p.lp, p.targets, p.il, p.tl, Gradients.of("grad_input")));
      assertEquals(ErrorKind.UNSUPPORTED_ARGUMENT, e.kind());
    }
  }

  @Test
  void theBlockedLogAddEqualsTheScalarOnePerFrame() {
    SplittableRandom r = new SplittableRandom(24);
    CtcFloat best = CtcFloat.best();
    int lanes = best.lanes();
    int u = 41;
    int c = 7;
    int[] labels = new int[u];
    for (int s = 0; s < u; s++) {
      labels[s] = s % 2 == 0 ? 0 : 1 + r.nextInt(c - 1);
    }
    double[] lab = new double[u * lanes];
    for (int i = 0; i < lab.length; i++) {
      lab[i] = r.nextInt(4) == 0 ? Double.NEGATIVE_INFINITY : (float) (-r.nextDouble() * 300);
    }
    double[] coll = new double[c * lanes];
    Arrays.fill(coll, Double.NEGATIVE_INFINITY);
    best.collectBlock(lab, u, labels, coll);
    for (int f = 0; f < lanes; f++) {
      double[] one = new double[u];
      for (int s = 0; s < u; s++) {
        one[s] = lab[s * lanes + f];
      }
      double[] want = new double[c];
      Arrays.fill(want, Double.NEGATIVE_INFINITY);
      CtcFloat.scalar().collectBlock(one, u, labels, want);
      for (int k = 0; k < c; k++) {
        assertEquals(want[k], coll[k * lanes + f], "frame " + f + " class " + k);
      }
    }
  }

  @Test
  void theFloat64BlockedLogAddIsWithinAnUlpOfTheScalarOne() {
    SplittableRandom r = new SplittableRandom(25);
    CtcFloat best = CtcFloat.best();
    int lanes = best.lanes();
    int u = 81;
    int c = 11;
    int[] labels = new int[u];
    for (int s = 0; s < u; s++) {
      labels[s] = s % 2 == 0 ? 0 : 1 + r.nextInt(c - 1);
    }
    double[] lab = new double[u * lanes];
    for (int i = 0; i < lab.length; i++) {
      lab[i] = r.nextInt(4) == 0 ? Double.NEGATIVE_INFINITY : -r.nextDouble() * 300;
    }
    double[] coll = new double[c * lanes];
    Arrays.fill(coll, Double.NEGATIVE_INFINITY);
    best.collectBlock64(lab, u, labels, coll);
    for (int f = 0; f < lanes; f++) {
      double[] one = new double[u];
      for (int s = 0; s < u; s++) {
        one[s] = lab[s * lanes + f];
      }
      double[] want = new double[c];
      Arrays.fill(want, Double.NEGATIVE_INFINITY);
      CtcFloat.scalar().collectBlock64(one, u, labels, want);
      for (int k = 0; k < c; k++) {
        double got = coll[k * lanes + f];
        // SVML's exp and log against Math's, each within 1 ulp, in a chain of log-adds
        org.junit.jupiter.api.Assertions.assertTrue(Double.compare(want[k], got) == 0
            || Math.abs(want[k] - got) <= 4 * Math.ulp(want[k]), "frame " + f + " class " + k + ": " + want[k]
            + " vs " + got);
      }
    }
  }
}
