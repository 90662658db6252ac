package dev.lossconformance.engine;

import java.util.List;

/** PyTorch: the catalog's reference engine (every case is declared as a PyTorch call). */
public final class TorchEngine implements Engine {
  /** The id, a compile-time constant for switch labels and annotations. */
  public static final String ID = "torch";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "PyTorch";
  }

  @Override
  public String shortName() {
    return "torch";
  }

  @Override
  public List<String> sourcePrefixes() {
    return List.of("pytorch", "torch");
  }
}
