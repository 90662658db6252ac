package com.example.loss;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.impl.LossCall;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link SoftmaxCrossEntropy} as {@code torch.nn.functional.cross_entropy(input, target, weight,
 * ignore_index, reduction)}: what the library does not do is declined up front, with one reason each.
 */
final class SoftmaxCrossEntropyImplementation implements LossImplementation {
  /** The loss is multiplied by this (-Dexample.loss.scale): 1, or 1.001 to show what a defect does. */
  private final double scale = Double.parseDouble(System.getProperty("example.loss.scale", "1"));

  @Override
  public String name() {
    return "own-cross-entropy";
  }

  @Override
  public String unsupported(FixtureCase c) {
    if (!c.api().equals("torch.nn.functional.cross_entropy")) {
      return "only torch.nn.functional.cross_entropy is implemented";
    }
    Tensor input = c.inputs().get("input");
    Tensor target = c.inputs().get("target");
    if (input == null || target == null || input.rank() != 2) {
      return "only [N, C] logits are supported";
    }
    if (target.dtype().isFloating()) {
      return "probability targets are not supported";
    }
    Object smoothing = c.params().get("label_smoothing");
    if (smoothing instanceof Double s && s != 0) {
      return "label smoothing is not supported";
    }
    return null;
  }

  @Override
  public Map<String, Tensor> run(LossCall call) {
    Tensor input = call.inputs().get("input");
    Tensor target = call.inputs().get("target");
    Tensor weight = call.inputs().get("weight");
    int n = input.size(0);
    int c = input.size(1);
    if (target.dtype() != DType.INT64 && target.dtype() != DType.UINT8) {
      // as PyTorch: class indices of [N, C] input are int64 or uint8
      throw new LossArgumentException(ErrorKind.DTYPE, "target of dtype " + target.dtype() + ": class indices are int64");
    }
    if (target.rank() != 1 || target.size(0) != n) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, "target of shape " + java.util.Arrays.toString(
          target.shape()) + " for " + n + " rows");
    }
    if (weight != null && weight.numel() != c) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, "weight of " + weight.numel() + " for " + c + " classes");
    }
    Object ignore = call.params().get("ignore_index");
    Object reduction = call.params().getOrDefault("reduction", "mean");
    SoftmaxCrossEntropy.Reduction r = switch (String.valueOf(reduction)) {
      case "none" -> SoftmaxCrossEntropy.Reduction.NONE;
      case "sum" -> SoftmaxCrossEntropy.Reduction.SUM;
      case "mean" -> SoftmaxCrossEntropy.Reduction.MEAN;
      default -> throw new LossArgumentException(ErrorKind.INVALID_VALUE, reduction + " is not a reduction");
    };
    SoftmaxCrossEntropy.Result result;
    try {
      result = SoftmaxCrossEntropy.compute(input.toDoubleArray(), target.toLongArray(),
          weight == null ? null : weight.toDoubleArray(), ignore instanceof Long l ? l : -100, n, c, r);
    } catch (IndexOutOfBoundsException e) {
      throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE, e.getMessage(), e);
    }
    double[] loss = result.loss().clone();
    for (int i = 0; i < loss.length; i++) {
      loss[i] *= scale;
    }
    DType dt = input.dtype();
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", r == SoftmaxCrossEntropy.Reduction.NONE ? Tensor.ofFloating(dt, loss, n) : Tensor.ofFloating(dt, loss));
    out.put("grad_input", Tensor.ofFloating(dt, result.gradLogits(), n, c));
    return out;
  }
}
