package dev.lossconformance.api;

import dev.lossconformance.engine.TensorFlowEngine;
import java.util.List;

/**
 * The {@code keras.losses} classes the catalog calls (Keras 3.3.3 on TensorFlow 2.16): constructor
 * params with Keras' defaults, the {@code (y_true, y_pred, sample_weight)} call, the outputs a fixture
 * stores. The {@code *_NAME} strings are compile-time constants for switch labels.
 */
public final class KerasApis {
  public static final String SPARSE_CATEGORICAL_CROSSENTROPY_NAME = "keras.losses.SparseCategoricalCrossentropy";
  public static final String CATEGORICAL_CROSSENTROPY_NAME = "keras.losses.CategoricalCrossentropy";
  public static final String BINARY_CROSSENTROPY_NAME = "keras.losses.BinaryCrossentropy";
  public static final String KL_DIVERGENCE_NAME = "keras.losses.KLDivergence";
  public static final String POISSON_NAME = "keras.losses.Poisson";
  public static final String COSINE_SIMILARITY_NAME = "keras.losses.CosineSimilarity";
  public static final String HINGE_NAME = "keras.losses.Hinge";
  public static final String MEAN_ABSOLUTE_ERROR_NAME = "keras.losses.MeanAbsoluteError";
  /** No such class: the nearest name for a Gaussian NLL, which Keras does not have (never run). */
  public static final String GAUSSIAN_NLL_NAME = "keras.losses.GaussianNLL";

  /** {@code reduction}: Keras 3's, sum_over_batch_size by default. */
  public static final Param REDUCTION = Param.oneOf("reduction", "sum_over_batch_size", "sum_over_batch_size", "sum",
      "none");

  public static final Api SPARSE_CATEGORICAL_CROSSENTROPY = keras(SPARSE_CATEGORICAL_CROSSENTROPY_NAME)
      .param("from_logits", false).param("ignore_class", null).param(REDUCTION).build();
  public static final Api CATEGORICAL_CROSSENTROPY = keras(CATEGORICAL_CROSSENTROPY_NAME).param("from_logits", false)
      .param("label_smoothing", 0.0).param("axis", -1L).param(REDUCTION).build();
  public static final Api BINARY_CROSSENTROPY = keras(BINARY_CROSSENTROPY_NAME).param("from_logits", false)
      .param("label_smoothing", 0.0).param("axis", -1L).param(REDUCTION).build();
  public static final Api KL_DIVERGENCE = keras(KL_DIVERGENCE_NAME).param(REDUCTION).build();
  public static final Api POISSON = keras(POISSON_NAME).param(REDUCTION).build();
  public static final Api COSINE_SIMILARITY = keras(COSINE_SIMILARITY_NAME).param("axis", -1L).param(REDUCTION).build();
  public static final Api HINGE = keras(HINGE_NAME).param(REDUCTION).build();
  public static final Api MEAN_ABSOLUTE_ERROR = keras(MEAN_ABSOLUTE_ERROR_NAME).param(REDUCTION).build();
  /** Declared so that the name is written once; no engine runs it and Java does not implement it. */
  public static final Api GAUSSIAN_NLL = Api.builder(GAUSSIAN_NLL_NAME, Family.KERAS_LOSSES, TensorFlowEngine.ID).build();

  /** Every descriptor Keras has (not {@link #GAUSSIAN_NLL}). */
  public static final List<Api> ALL = List.of(SPARSE_CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY,
      BINARY_CROSSENTROPY, KL_DIVERGENCE, POISSON, COSINE_SIMILARITY, HINGE, MEAN_ABSOLUTE_ERROR);

  private KerasApis() {}

  private static Api.Builder keras(String name) {
    return Api.builder(name, Family.KERAS_LOSSES, TensorFlowEngine.ID).inputs("y_true", "y_pred", "sample_weight")
        .outputs("loss", "grad_y_pred");
  }
}
