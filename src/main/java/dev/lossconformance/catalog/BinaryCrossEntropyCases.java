package dev.lossconformance.catalog;

import static dev.lossconformance.catalog.Draw.bits;
import static dev.lossconformance.catalog.Draw.uniform;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** {@code torch.nn.functional.binary_cross_entropy}: probabilities in, each log clamped at -100. */
public final class BinaryCrossEntropyCases {
  public static final String OP = "binary_cross_entropy";
  public static final String API = "torch.nn.functional.binary_cross_entropy";

  private BinaryCrossEntropyCases() {}

  private static CaseBuilder bce(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant + "_" + reduction).param("reduction", reduction);
  }

  private static Stream<CaseBuilder> reductions(String variant, UnaryOperator<CaseBuilder> f) {
    return CaseBuilder.reductions(BinaryCrossEntropyCases::bce, variant, f);
  }

  public static List<Case> cases() {
    int[] six = {6};
    Stream<Stream<CaseBuilder>> all = Stream.of(
        reductions("plain", b -> b.input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))),
        reductions("soft_target", b -> b.input("input", uniform(0.01, 0.99, 4, 3)).input("target", uniform(0, 1, 4, 3))),
        reductions("weight", b -> b.input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 4, 3))),
        // weight broadcasts to the target's shape (F.binary_cross_entropy expands it)
        reductions("weight_row", b -> b.input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 3))),
        Stream.of(bce("weight_column", "mean").input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 4, 1))),
        Stream.of(bce("weight_scalar", "sum").input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2))),
        // p in {0, 1} against y in {0, 1}: logs clamp at -100, gradients at 1/1e-12
        reductions("saturated", b -> b.input("input", values(six, 0, 0, 1, 1, 0, 1))
            .input("target", values(six, 1, 0, 0, 1, 0.5, 0.5))),
        Stream.of(bce("tiny_p", "none").input("input", values(six, 1e-43, 1e-38, 1e-20, 1e-8, 1e-45, 1e-300))
            .input("target", values(six, 1, 1, 1, 0, 0.5, 1))
            .why("subnormal and tiny probabilities: log is above -100 for some, clamped for others")),
        Stream.of(bce("near_one_p", "none").input("input", values(six, 0.9999999, 0.99999994, 1 - 1e-12, 0.999, 1 - 1e-16, 0.5))
            .input("target", values(six, 0, 0, 0, 1, 0, 0.5))),
        reductions("rank3", b -> b.input("input", uniform(0.01, 0.99, 2, 3, 4)).input("target", uniform(0, 1, 2, 3, 4))),
        Stream.of(bce("scalar", "mean").input("input", values(new int[0], 0.3)).input("target", values(new int[0], 1))),
        Stream.of(bce("empty", "mean").input("input", uniform(0, 1, 0, 3)).input("target", uniform(0, 1, 0, 3))),
        Stream.of(bce("empty", "sum").input("input", uniform(0, 1, 0, 3)).input("target", uniform(0, 1, 0, 3))),
        Stream.of(bce("input_above_one", "mean").input("input", values(new int[] {3}, 0.5, 1.5, 0.2))
            .input("target", values(new int[] {3}, 1, 0, 1)).expectError("between 0 and 1")),
        Stream.of(bce("input_negative", "mean").input("input", values(new int[] {3}, 0.5, -0.1, 0.2))
            .input("target", values(new int[] {3}, 1, 0, 1)).expectError("between 0 and 1")),
        Stream.of(bce("input_nan", "mean").input("input", values(new int[] {3}, 0.5, Double.NaN, 0.2))
            .input("target", values(new int[] {3}, 1, 0, 1)).expectError("between 0 and 1")),
        Stream.of(bce("target_above_one", "mean").input("input", values(new int[] {3}, 0.5, 0.4, 0.2))
            .input("target", values(new int[] {3}, 1, 1.5, 1)).expectError("between 0 and 1")),
        Stream.of(bce("size_mismatch", "mean").input("input", uniform(0.1, 0.9, 2, 3))
            .input("target", uniform(0, 1, 3, 2)).expectError("size")));
    return all.flatMap(s -> s).flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList();
  }
}
