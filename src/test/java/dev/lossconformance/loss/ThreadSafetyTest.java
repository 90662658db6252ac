package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One loss object shared by several threads gives each of them what it gives one thread. */
class ThreadSafetyTest {

  @Test
  void sharedLossObjectGivesTheSameResultsUnderConcurrency() throws Exception {
    SplittableRandom rng = new SplittableRandom(1);
    float[] x = new float[64 * 50];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    long[] y = new long[64];
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.nextInt(50);
    }
    float[] w = new float[50];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.5f + (float) rng.nextDouble();
    }
    Tensor input = Tensor.ofFloats(x, 64, 50);
    Tensor target = Tensor.ofLongs(y, 64);
    CrossEntropy ce = CrossEntropy.options().labelSmoothing(0.1)
        .weight(Tensor.ofFloats(w, 50)).reduction(Reduction.MEAN).build();
    LossAndGrad expected = ce.apply(input, target);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<LossAndGrad>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        results.add(pool.submit(() -> ce.apply(input, target)));
      }
      for (Future<LossAndGrad> f : results) {
        LossAndGrad r = f.get();
        assertEquals(expected.loss(), r.loss());
        assertEquals(expected.gradInput(), r.gradInput());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
