package dev.lossconformance.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SweepDrawsTest {

  @Test
  void aCaseIsTheSameForTheSameSeedAndIndexAndItDependsOnNothingElse() {
    for (int i = 0; i < 200; i++) {
      SweepDraws.Drawn a = SweepDraws.draw(SweepDraws.TORCH_APIS, 7, i);
      SweepDraws.Drawn b = SweepDraws.draw(SweepDraws.TORCH_APIS, 7, i);
      assertEquals(a.call(), b.call(), "case " + i);
      assertEquals(a.regime(), b.regime());
      // drawn alone for its api: the same case as in the round-robin run
      SweepDraws.Drawn alone = SweepDraws.draw(SweepDraws.TORCH_APIS.get(i % SweepDraws.TORCH_APIS.size()), 7, i);
      assertEquals(a.call(), alone.call());
    }
  }

  @Test
  void anotherSeedDrawsOtherCases() {
    int same = 0;
    for (int i = 0; i < 100; i++) {
      if (SweepDraws.draw(SweepDraws.TORCH_APIS, 1, i).call().equals(SweepDraws.draw(SweepDraws.TORCH_APIS, 2, i).call())) {
        same++;
      }
    }
    assertTrue(same < 5, same + " of 100 cases equal under seeds 1 and 2");
    assertNotEquals(SweepDraws.caseSeed(1, 2), SweepDraws.caseSeed(2, 1));
  }

  @Test
  void theDrawsCoverDtypesShapesRegimesAndParamDomains() {
    Set<DType> floatTypes = EnumSet.noneOf(DType.class);
    Set<DType> targetTypes = EnumSet.noneOf(DType.class);
    Set<SweepDraws.Regime> regimes = EnumSet.noneOf(SweepDraws.Regime.class);
    Set<Object> reductions = new HashSet<>();
    Set<Object> smoothing = new HashSet<>();
    boolean empty = false;
    boolean zeroDim = false;
    boolean nan = false;
    boolean inf = false;
    boolean kdim = false;
    boolean broadcast = false;
    for (int i = 0; i < 5000; i++) {
      SweepDraws.Drawn d = SweepDraws.draw(SweepDraws.TORCH_APIS, 1, i);
      Call c = d.call();
      regimes.add(d.regime());
      floatTypes.add(c.dtype());
      reductions.add(c.params().get("reduction"));
      if (c.api().equals(TorchApis.CROSS_ENTROPY_NAME)) {
        smoothing.add(c.params().get("label_smoothing"));
        if (c.input("input").rank() == 3) {
          kdim = true;
        }
        if (!c.input("target").dtype().isFloating()) {
          targetTypes.add(c.input("target").dtype());
        }
      }
      if (c.api().equals(TorchApis.L1_LOSS_NAME)
          && !java.util.Arrays.equals(c.input("input").shape(), c.input("target").shape())) {
        broadcast = true;
      }
      for (Tensor t : c.inputs().values()) {
        empty |= t.numel() == 0;
        zeroDim |= t.rank() == 0;
        for (int k = 0; k < t.numel(); k++) {
          nan |= Double.isNaN(t.getDouble(k));
          inf |= Double.isInfinite(t.getDouble(k));
        }
      }
    }
    assertEquals(EnumSet.of(DType.FLOAT32, DType.FLOAT64), floatTypes);
    assertEquals(EnumSet.of(DType.INT64, DType.INT32, DType.UINT8, DType.BOOL), targetTypes);
    assertEquals(EnumSet.allOf(SweepDraws.Regime.class), regimes);
    assertTrue(reductions.containsAll(List.of("none", "mean", "sum", "batchmean", "avg")), reductions.toString());
    assertEquals(new HashSet<>(TorchApis.CROSS_ENTROPY.param("label_smoothing").probes()), smoothing);
    assertTrue(empty && zeroDim && nan && inf && kdim && broadcast);
  }

  @Test
  void ctcDrawsAreEngineSafeAndTheCheckRefusesWhatAtenWouldReadOutOfBounds() {
    int ctc = 0;
    for (int i = 0; i < 600; i++) {
      SweepDraws.Drawn d = SweepDraws.draw(TorchApis.CTC_LOSS, 3, i);
      assertTrue(SweepDraws.engineSafe(d.call()), d.id() + " " + d.call());
      ctc++;
    }
    assertEquals(600, ctc);
    Tensor lp = Tensor.ofFloating(DType.FLOAT32, new double[6], 1, 2, 3);
    Tensor lengths = Tensor.ofLongs(new long[] {1, 1}, 2);
    java.util.function.Function<long[], Call> call = labels -> new Call(TorchApis.CTC_LOSS.name(),
        java.util.Map.of("blank", 0L), java.util.Map.of("log_probs", lp, "targets", Tensor.ofLongs(labels, 2, 1),
            "input_lengths", lengths, "target_lengths", lengths), null, null);
    assertTrue(SweepDraws.engineSafe(call.apply(new long[] {1, 2})));
    // label 3 of C = 3, and -1: aten's CPU kernel does not check labels
    assertTrue(!SweepDraws.engineSafe(call.apply(new long[] {1, 3})));
    assertTrue(!SweepDraws.engineSafe(call.apply(new long[] {-1, 2})));
  }
}
