package dev.lossconformance.loss;

import dev.lossconformance.tensor.Tensor;

/**
 * A loss value and the gradient of {@code loss.sum()} with respect to the prediction (the same
 * convention the fixtures use: for a reduced loss that is its gradient, for {@code none} it is the
 * gradient of the sum of the elements).
 */
public record LossAndGrad(Tensor loss, Tensor gradInput) {}
