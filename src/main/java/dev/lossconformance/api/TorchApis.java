package dev.lossconformance.api;

import dev.lossconformance.engine.TorchEngine;
import java.util.List;

/**
 * The {@code torch.nn.functional} losses the catalog calls (PyTorch 2.7): names, params with
 * PyTorch's defaults, tensor inputs, the outputs a fixture stores. The {@code *_NAME} strings are
 * compile-time constants for switch labels.
 */
public final class TorchApis {
  public static final String CROSS_ENTROPY_NAME = "torch.nn.functional.cross_entropy";
  public static final String NLL_LOSS_NAME = "torch.nn.functional.nll_loss";
  public static final String BINARY_CROSS_ENTROPY_NAME = "torch.nn.functional.binary_cross_entropy";
  public static final String BINARY_CROSS_ENTROPY_WITH_LOGITS_NAME = "torch.nn.functional.binary_cross_entropy_with_logits";
  public static final String KL_DIV_NAME = "torch.nn.functional.kl_div";
  public static final String POISSON_NLL_LOSS_NAME = "torch.nn.functional.poisson_nll_loss";
  public static final String GAUSSIAN_NLL_LOSS_NAME = "torch.nn.functional.gaussian_nll_loss";
  public static final String HINGE_EMBEDDING_LOSS_NAME = "torch.nn.functional.hinge_embedding_loss";
  public static final String COSINE_EMBEDDING_LOSS_NAME = "torch.nn.functional.cosine_embedding_loss";
  public static final String L1_LOSS_NAME = "torch.nn.functional.l1_loss";
  public static final String CTC_LOSS_NAME = "torch.nn.functional.ctc_loss";

  /** {@code reduction}: PyTorch's three (torch/nn/_reduction.py), mean by default. */
  public static final Param REDUCTION = Param.oneOf("reduction", "mean", "none", "mean", "sum");
  /** {@code kl_div}'s reduction adds batchmean. */
  public static final Param KL_REDUCTION = Param.oneOf("reduction", "mean", "none", "mean", "sum", "batchmean");
  /** The deprecated {@code size_average}/{@code reduce} pair (None: use {@code reduction}). */
  public static final Param SIZE_AVERAGE = Param.of("size_average", null);
  public static final Param REDUCE = Param.of("reduce", null);
  /** {@code ignore_index}: the class index that drops out of loss and denominator. */
  public static final Param IGNORE_INDEX = Param.of("ignore_index", -100L).probing(-100L, 0L, 1L, -1L);

  public static final Api CROSS_ENTROPY = torch(CROSS_ENTROPY_NAME).param(IGNORE_INDEX).param(Param.of("label_smoothing", 0.0).probing(0.0, 0.1, 0.5, 1.0, -0.1, 1.5))
      .param(REDUCTION).param(SIZE_AVERAGE).param(REDUCE)
      .inputs("input", "target", "weight").outputs("loss", "grad_input").build();
  public static final Api NLL_LOSS = torch(NLL_LOSS_NAME).param(IGNORE_INDEX).param(REDUCTION).param(SIZE_AVERAGE)
      .param(REDUCE).inputs("input", "target", "weight").outputs("loss", "grad_input").build();
  public static final Api BINARY_CROSS_ENTROPY = torch(BINARY_CROSS_ENTROPY_NAME).param(REDUCTION).param(SIZE_AVERAGE)
      .param(REDUCE).inputs("input", "target", "weight").outputs("loss", "grad_input").build();
  public static final Api BINARY_CROSS_ENTROPY_WITH_LOGITS = torch(BINARY_CROSS_ENTROPY_WITH_LOGITS_NAME).param(REDUCTION)
      .param(SIZE_AVERAGE).param(REDUCE).inputs("input", "target", "weight", "pos_weight")
      .outputs("loss", "grad_input").build();
  public static final Api KL_DIV = torch(KL_DIV_NAME).param(KL_REDUCTION).param(Param.oneOf("log_target", false, false, true))
      .inputs("input", "target").outputs("loss", "grad_input", "grad_target").build();
  public static final Api POISSON_NLL_LOSS = torch(POISSON_NLL_LOSS_NAME).param(Param.oneOf("log_input", true, true, false))
      .param(Param.oneOf("full", false, false, true)).param(Param.of("eps", 1e-8).probing(1e-8, 1e-6, 0.5, 0.0)).param(REDUCTION).inputs("input", "target").outputs("loss", "grad_input", "grad_target").build();
  public static final Api GAUSSIAN_NLL_LOSS = torch(GAUSSIAN_NLL_LOSS_NAME).param(Param.oneOf("full", false, false, true))
      .param(Param.of("eps", 1e-6).probing(1e-6, 1e-3, 0.5, 0.0))
      .param(REDUCTION).inputs("input", "target", "var").outputs("loss", "grad_input", "grad_target", "grad_var").build();
  public static final Api HINGE_EMBEDDING_LOSS = torch(HINGE_EMBEDDING_LOSS_NAME).param(Param.of("margin", 1.0).probing(1.0, 0.0, 0.5, 2.0, -1.0)).param(REDUCTION)
      .inputs("input", "target").outputs("loss", "grad_input").build();
  public static final Api COSINE_EMBEDDING_LOSS = torch(COSINE_EMBEDDING_LOSS_NAME).param(Param.of("margin", 0.0).probing(0.0, 0.5, -0.5, 1.0)).param(REDUCTION)
      .inputs("input1", "input2", "target").outputs("loss", "grad_input1", "grad_input2").build();
  public static final Api L1_LOSS = torch(L1_LOSS_NAME).param(REDUCTION).inputs("input", "target")
      .outputs("loss", "grad_input", "grad_target").build();
  /** Two gradients: what PyTorch returns for log_probs, and through log_softmax for the logits. */
  public static final Api CTC_LOSS = torch(CTC_LOSS_NAME).param("blank", 0L).param(REDUCTION).param(SIZE_AVERAGE)
      .param(REDUCE).param(Param.oneOf("zero_infinity", false, false, true)).inputs("log_probs", "targets", "input_lengths", "target_lengths")
      .outputs("loss", "grad_log_probs", "grad_logits").build();

  /** Every descriptor of the family. */
  public static final List<Api> ALL = List.of(CROSS_ENTROPY, NLL_LOSS, BINARY_CROSS_ENTROPY,
      BINARY_CROSS_ENTROPY_WITH_LOGITS, KL_DIV, POISSON_NLL_LOSS, GAUSSIAN_NLL_LOSS, HINGE_EMBEDDING_LOSS,
      COSINE_EMBEDDING_LOSS, L1_LOSS, CTC_LOSS);

  private TorchApis() {}

  private static Api.Builder torch(String name) {
    return Api.builder(name, Family.TORCH_FUNCTIONAL, TorchEngine.ID);
  }
}
