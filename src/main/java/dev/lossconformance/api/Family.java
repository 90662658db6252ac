package dev.lossconformance.api;

/** The framework namespaces the catalog calls into; each has its constants class. */
public enum Family {
  /** {@code torch.nn.functional}: {@link TorchApis}. */
  TORCH_FUNCTIONAL,
  /** {@code keras.losses} (Keras 3 on the TensorFlow backend): {@link KerasApis}. */
  KERAS_LOSSES,
  /** {@code tf.nn}: {@link TfNnApis}. */
  TF_NN;

  /**
   * True when the family's losses compute in float32 whatever the input dtype (Keras, T-19): a
   * float64 result is a float32 value cast up.
   */
  public boolean computesInFloat32() {
    return this == KERAS_LOSSES;
  }
}
