package dev.lossconformance.api;

import dev.lossconformance.engine.TensorFlowEngine;
import java.util.List;

/**
 * The {@code tf.nn} functions the catalog calls (TensorFlow 2.16): params with TF's defaults, tensor
 * inputs, the outputs a fixture stores. None reduces. The {@code *_NAME} strings are compile-time
 * constants for switch labels.
 */
public final class TfNnApis {
  public static final String SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME = "tf.nn.softmax_cross_entropy_with_logits";
  public static final String SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME = "tf.nn.sparse_softmax_cross_entropy_with_logits";
  public static final String SIGMOID_CROSS_ENTROPY_WITH_LOGITS_NAME = "tf.nn.sigmoid_cross_entropy_with_logits";
  public static final String WEIGHTED_CROSS_ENTROPY_WITH_LOGITS_NAME = "tf.nn.weighted_cross_entropy_with_logits";
  public static final String LOG_POISSON_LOSS_NAME = "tf.nn.log_poisson_loss";
  public static final String CTC_LOSS_NAME = "tf.nn.ctc_loss";

  public static final Api SOFTMAX_CROSS_ENTROPY_WITH_LOGITS = tf(SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME).param("axis", -1L)
      .inputs("labels", "logits").outputs("loss", "grad_logits").build();
  public static final Api SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS = tf(SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME)
      .inputs("labels", "logits").outputs("loss", "grad_logits").build();
  public static final Api SIGMOID_CROSS_ENTROPY_WITH_LOGITS = tf(SIGMOID_CROSS_ENTROPY_WITH_LOGITS_NAME)
      .inputs("labels", "logits").outputs("loss", "grad_logits").build();
  public static final Api WEIGHTED_CROSS_ENTROPY_WITH_LOGITS = tf(WEIGHTED_CROSS_ENTROPY_WITH_LOGITS_NAME)
      .inputs("labels", "logits", "pos_weight").outputs("loss", "grad_logits").build();
  public static final Api LOG_POISSON_LOSS = tf(LOG_POISSON_LOSS_NAME).param("compute_full_loss", false)
      .inputs("targets", "log_input").outputs("loss", "grad_log_input").build();
  /**
   * {@code blank_index} None is the dense-label path ({@code ctc_loss_dense}); the catalog always
   * gives it (the sparse-label path). {@code logits_time_major} defaults to True.
   */
  public static final Api CTC_LOSS = tf(CTC_LOSS_NAME).param("blank_index", null).param("logits_time_major", true)
      .inputs("labels", "logits", "label_length", "logit_length").outputs("loss", "grad_logits").build();

  /** Every descriptor of the family. */
  public static final List<Api> ALL = List.of(SOFTMAX_CROSS_ENTROPY_WITH_LOGITS, SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS,
      SIGMOID_CROSS_ENTROPY_WITH_LOGITS, WEIGHTED_CROSS_ENTROPY_WITH_LOGITS, LOG_POISSON_LOSS, CTC_LOSS);

  private TfNnApis() {}

  private static Api.Builder tf(String name) {
    return Api.builder(name, Family.TF_NN, TensorFlowEngine.ID);
  }
}
