package dev.lossconformance.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The shrinker against fake judges: no engine. */
class ShrinkerTest {

  private static boolean hasNan(Call c) {
    for (Tensor t : c.inputs().values()) {
      for (int i = 0; i < t.numel(); i++) {
        if (Double.isNaN(t.getDouble(i))) {
          return true;
        }
      }
    }
    return false;
  }

  private static Call crossEntropy(double... logits) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("ignore_index", 1L);
    params.put("label_smoothing", 0.1);
    params.put("reduction", "sum");
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("input", Tensor.ofDoubles(logits, 3, 4));
    in.put("target", Tensor.ofLongs(new long[] {0, 3, 2}, 3));
    in.put("weight", Tensor.ofDoubles(new double[] {0.3, 1.7, 0.25, 1.1}, 4));
    return new Call(TorchApis.CROSS_ENTROPY_NAME, params, in, null, null);
  }

  @Test
  void aNanFailureShrinksToOneNanAndSimpleEverythingElse() {
    Call start = crossEntropy(0.123, -1.75, 2.5, 0.3333, Double.NaN, 1.1, 0.9, -0.4, 3.75, -2.2, 0.01, 7.5);
    AtomicInteger judged = new AtomicInteger();
    Predicate<Call> judge = c -> {
      judged.incrementAndGet();
      return hasNan(c);
    };
    Shrinker.Result r = Shrinker.shrink(TorchApis.CROSS_ENTROPY, start, judge, 10_000);
    assertTrue(hasNan(r.call()), "the shrunk case still fails");
    assertEquals(judged.get(), r.judged());
    long[] before = Shrinker.size(TorchApis.CROSS_ENTROPY, start);
    long[] after = Shrinker.size(TorchApis.CROSS_ENTROPY, r.call());
    assertTrue(after[0] < before[0], "fewer elements");
    // one NaN is all the judge needs: every other tensor emptied or zeroed, params at their defaults
    Tensor input = r.call().input("input");
    assertEquals(1, input.numel());
    assertTrue(Double.isNaN(input.getDouble(0)));
    for (Map.Entry<String, Tensor> e : r.call().inputs().entrySet()) {
      for (int i = 0; i < e.getValue().numel(); i++) {
        double v = e.getValue().getDouble(i);
        assertTrue(Double.isNaN(v) || v == 0, e.getKey() + " keeps " + v);
      }
    }
    assertEquals(Map.of("ignore_index", -100L, "label_smoothing", 0.0, "reduction", "mean"), r.call().params());
  }

  @Test
  void coupledDimensionsShrinkTogetherAndStopWhereTheFailureNeedsThem() {
    Call start = crossEntropy(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    // fails while there are at least two rows whose targets agree with the input's batch size
    Predicate<Call> judge = c -> c.input("input").rank() == 2 && c.input("input").size(0) >= 2
        && c.input("target").numel() == c.input("input").size(0)
        && c.input("weight").numel() == c.input("input").size(1);
    Shrinker.Result r = Shrinker.shrink(TorchApis.CROSS_ENTROPY, start, judge, 10_000);
    assertTrue(judge.test(r.call()));
    // rows and classes shrink together while their sizes coincide: 3x4 -> 3x3 -> 2x2, and no further
    // (one row fewer fails the judge, one class fewer alone would part input from weight)
    assertArrayEquals(new int[] {2, 2}, r.call().input("input").shape());
    assertArrayEquals(new int[] {2}, r.call().input("target").shape());
    assertArrayEquals(new int[] {2}, r.call().input("weight").shape());
  }

  @Test
  void theBudgetBoundsTheJudgeCallsAndAPassingCandidateIsNeverTaken() {
    Call start = crossEntropy(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    Shrinker.Result none = Shrinker.shrink(TorchApis.CROSS_ENTROPY, start, c -> false, 25);
    assertEquals(start, none.call());
    assertEquals(0, none.steps());
    assertEquals(25, none.judged());
  }

  @Test
  void aJudgeThatThrowsRejectsTheCandidate() {
    Call start = crossEntropy(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    Shrinker.Result r = Shrinker.shrink(TorchApis.CROSS_ENTROPY, start, c -> {
      if (c.input("input").numel() < 12) {
        throw new IllegalStateException("engine harness");
      }
      return true;
    }, 10_000);
    assertEquals(12, r.call().input("input").numel());
  }

  @Test
  void removingASliceKeepsTheOthersInOrder() {
    Tensor t = Tensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertEquals(Tensor.ofDoubles(new double[] {1, 3, 4, 6}, 2, 2), Shrinker.remove(t, 1, 1));
    assertEquals(Tensor.ofDoubles(new double[] {4, 5, 6}, 1, 3), Shrinker.remove(t, 0, 0));
  }
}
