package dev.lossconformance.benchmarks;

import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.CtcLoss;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The Java kernels as a user calls them: the public API on {@link Tensor}s built once. A kernel
 * returns when its result is computed (it is plain Java), so the returned tensors go to the
 * blackhole as they are. Their parallelism comes from {@code lossconformance.threads}.
 */
final class JavaKernels {
  private JavaKernels() {}

  /** {@code CrossEntropy} mean: {@code loss} for the forward, {@code apply} for forward and gradient. */
  static Workload crossEntropy(Problems.CrossEntropy p) {
    return crossEntropy(p, false);
  }

  /**
   * {@link #crossEntropy} whose forward + gradient writes the gradient into one array allocated here
   * and reused by every call ({@code CrossEntropy.apply(input, target, gradInto)}).
   */
  static Workload crossEntropyIntoReusedArray(Problems.CrossEntropy p) {
    return crossEntropy(p, true);
  }

  private static Workload crossEntropy(Problems.CrossEntropy p, boolean reuseGradient) {
    CrossEntropy loss = CrossEntropy.options().reduction(Reduction.MEAN).build();
    Tensor input = Tensor.ofFloats(p.logits(), p.shape());
    Tensor target = Tensor.ofLongs(p.targets(), p.targetShape());
    float[] grad = reuseGradient ? new float[input.numel()] : null;
    return new Workload() {
      @Override
      public void forward(Blackhole bh) {
        bh.consume(loss.loss(input, target));
      }

      @Override
      public void forwardGradient(Blackhole bh) {
        bh.consume(apply());
      }

      @Override
      public double loss() {
        return apply().loss().getDouble(0);
      }

      private LossAndGrad apply() {
        return grad == null ? loss.apply(input, target) : loss.apply(input, target, grad);
      }
    };
  }

  /** A Java kernel call of a configuration ({@link TorchConfigurations}, {@link TfConfigurations}). */
  interface Call {
    /**
     * The loss and its gradients of {@code in} (the configuration's tensors): a {@link LossAndGrad},
     * {@link LossAndGrads} or {@link CtcLoss.Result}.
     */
    Object apply(List<Tensor> in);
  }

  /**
   * A configuration's workload: {@code call} on {@code inputs}, forward + gradient only (the
   * configurations have no forward-only benchmark); the whole result goes to the blackhole.
   */
  static Workload configuration(List<Tensor> inputs, Call call) {
    List<Tensor> in = List.copyOf(inputs);
    return new Workload() {
      @Override
      public void forward(Blackhole bh) {
        throw new UnsupportedOperationException("a configuration is timed forward + gradient only");
      }

      @Override
      public void forwardGradient(Blackhole bh) {
        bh.consume(call.apply(in));
      }

      @Override
      public double loss() {
        Object r = call.apply(in);
        Tensor loss;
        if (r instanceof LossAndGrad l) {
          loss = l.loss();
        } else if (r instanceof LossAndGrads l) {
          loss = l.loss();
        } else if (r instanceof CtcLoss.Result l) {
          loss = l.loss();
        } else {
          throw new IllegalStateException("a configuration's call returned " + r);
        }
        return loss.getDouble(0);
      }
    };
  }

  /** {@code BinaryCrossEntropyWithLogits} with PyTorch's defaults (mean). */
  static Workload bceWithLogits(Problems.BceWithLogits p) {
    BinaryCrossEntropyWithLogits loss = BinaryCrossEntropyWithLogits.options().build();
    Tensor x = Tensor.ofFloats(p.logits(), p.shape());
    Tensor y = Tensor.ofFloats(p.targets(), p.shape());
    return new Workload() {
      @Override
      public void forward(Blackhole bh) {
        bh.consume(loss.loss(x, y));
      }

      @Override
      public void forwardGradient(Blackhole bh) {
        bh.consume(loss.apply(x, y));
      }

      @Override
      public double loss() {
        LossAndGrad r = loss.apply(x, y);
        return r.loss().getDouble(0);
      }
    };
  }

  /**
   * {@code CtcLoss} with PyTorch's defaults (blank 0, mean, zero_infinity false) on log-probabilities;
   * {@code apply} with {@code Gradients.of(GRAD_LOG_PROBS)} computes the loss and its gradient with
   * respect to the log-probabilities, what PyTorch's backward returns (not the one to the logits).
   */
  private static final Gradients LOG_PROBS_ONLY = Gradients.of(CtcLoss.GRAD_LOG_PROBS);

  static Workload ctc(Problems.Ctc p) {
    CtcLoss loss = CtcLoss.options().build();
    Tensor logProbs = Tensor.ofFloats(p.logProbs(), Problems.Ctc.T, Problems.Ctc.N, Problems.Ctc.C);
    Tensor targets = Tensor.ofLongs(p.targets(), Problems.Ctc.N, Problems.Ctc.S);
    Tensor inputLengths = Tensor.ofLongs(p.inputLengths(), Problems.Ctc.N);
    Tensor targetLengths = Tensor.ofLongs(p.targetLengths(), Problems.Ctc.N);
    return new Workload() {
      @Override
      public void forward(Blackhole bh) {
        bh.consume(loss.loss(logProbs, targets, inputLengths, targetLengths));
      }

      @Override
      public void forwardGradient(Blackhole bh) {
        bh.consume(loss.apply(logProbs, targets, inputLengths, targetLengths, LOG_PROBS_ONLY));
      }

      @Override
      public double loss() {
        return loss.apply(logProbs, targets, inputLengths, targetLengths, LOG_PROBS_ONLY).loss().getDouble(0);
      }
    };
  }
}
