package dev.lossconformance.loss.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SoftmaxXent}'s rows do not depend on the chunking (so not on the thread count): one chunk, three
 * and the pool's give the same bits, dense and sparse, on a multi-chunk input (its accuracy against the
 * exact path: {@code loss/tf/TfSoftmaxFastPathTest}). Runs in both surefire executions.
 */
class SoftmaxXentFastPathTest {
  @Test
  void rowsDoNotDependOnTheChunks() {
    int n = 700;
    int c = 333;
    SplittableRandom rng = new SplittableRandom(11);
    double[] x = new double[n * c];
    double[] y = new double[n * c];
    long[] t = new long[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * (i % 5 == 0 ? 40 : 3);
      y[i] = i % 3 == 0 ? 0 : rng.nextDouble() * 2 - 0.5;
    }
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(c);
    }
    Tensor logits = Tensor.ofFloating(DType.FLOAT32, x, n, c);
    Tensor labels = Tensor.ofFloating(DType.FLOAT32, y, n, c);
    int[] out = {n};
    for (long[] sparse : new long[][] {null, t}) {
      Tensor dense = sparse == null ? labels : null;
      LossAndGrad one = SoftmaxXent.run(dense, sparse, logits, n, c, out, SoftmaxRows.best(), 1);
      assertNotNull(one);
      for (int chunks : new int[] {3, -1}) {
        LossAndGrad many = SoftmaxXent.run(dense, sparse, logits, n, c, out, SoftmaxRows.best(), chunks);
        assertArrayEquals(one.loss().backingFloats(), many.loss().backingFloats());
        assertArrayEquals(one.gradInput().backingFloats(), many.gradInput().backingFloats());
      }
    }
  }
}
