package dev.lossconformance.engine;

import java.util.List;

/** TensorFlow with Keras: the counterpart the catalog translates each PyTorch call into. */
public final class TensorFlowEngine implements Engine {
  /** The id, a compile-time constant for switch labels and annotations. */
  public static final String ID = "tensorflow";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "TensorFlow";
  }

  @Override
  public String shortName() {
    return "TF";
  }

  @Override
  public List<String> sourcePrefixes() {
    return List.of("tensorflow", "keras");
  }
}
