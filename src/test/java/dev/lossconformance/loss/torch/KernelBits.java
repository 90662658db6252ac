package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The bits of the fused float32 cross-entropy on a few fixed (N, C) inputs (rows with an overlapping last
 * vector, rows narrower than a vector, rows of several segments), one line per input: the loss's bits and a hash of
 * the gradient's. {@link KernelDeterminismTest} compares a JIT-compiled run in its own JVM with this
 * class's {@code main} run interpreted ({@code -Xint}) in another.
 */
public final class KernelBits {
  private KernelBits() {}

  public static void main(String[] args) {
    lines().forEach(System.out::println);
  }

  static List<String> lines() {
    List<String> out = new ArrayList<>();
    for (int[] shape : new int[][] {{16, 1001}, {64, 10}, {3, 3 * 4096 + 17}}) {
      int[] tshape = new int[shape.length - 1];
      tshape[0] = shape[0];
      System.arraycopy(shape, 2, tshape, 1, shape.length - 2);
      SplittableRandom rng = new SplittableRandom(shape[1]);
      float[] x = new float[Tensor.numel(shape)];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rng.nextGaussian() * 4);
      }
      long[] t = new long[Tensor.numel(tshape)];
      for (int i = 0; i < t.length; i++) {
        t[i] = i % 7 == 3 ? -100 : rng.nextInt(shape[1]);
      }
      LossAndGrad r = CrossEntropy.options().reduction(Reduction.MEAN).build()
          .apply(Tensor.ofFloats(x, shape), Tensor.ofLongs(t, tshape));
      long hash = 17;
      for (float g : r.gradInput().backingFloats()) {
        hash = hash * 31 + Float.floatToRawIntBits(g);
      }
      out.add(java.util.Arrays.toString(shape) + " loss " + Integer.toHexString(
          Float.floatToRawIntBits(r.loss().backingFloats()[0])) + " grad " + Long.toHexString(hash));
    }
    return out;
  }
}
