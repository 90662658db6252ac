package dev.lossconformance.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Every op's cases, by op name (the fixture file's name), in a fixed order. */
public final class Catalog {
  private static final Map<String, Supplier<List<Case>>> OPS = new LinkedHashMap<>();

  static {
    OPS.put(CrossEntropyCases.OP, CrossEntropyCases::cases);
    OPS.put(NllLossCases.OP, NllLossCases::cases);
    OPS.put(BinaryCrossEntropyCases.OP, BinaryCrossEntropyCases::cases);
    OPS.put(BinaryCrossEntropyWithLogitsCases.OP, BinaryCrossEntropyWithLogitsCases::cases);
    OPS.put(KlDivCases.OP, KlDivCases::cases);
    OPS.put(PoissonNllLossCases.OP, PoissonNllLossCases::cases);
    OPS.put(GaussianNllLossCases.OP, GaussianNllLossCases::cases);
    OPS.put(HingeEmbeddingLossCases.OP, HingeEmbeddingLossCases::cases);
    OPS.put(CosineEmbeddingLossCases.OP, CosineEmbeddingLossCases::cases);
    OPS.put(L1LossCases.OP, L1LossCases::cases);
    OPS.put(CtcLossCases.OP, CtcLossCases::cases);
  }

  private Catalog() {}

  /** The op names, in catalog order. */
  public static List<String> ops() {
    return List.copyOf(OPS.keySet());
  }

  /** The cases of {@code op}; the exception lists the ops that exist. */
  public static List<Case> cases(String op) {
    Supplier<List<Case>> s = OPS.get(op);
    if (s == null) {
      throw new IllegalArgumentException("no op \"" + op + "\" in the catalog; it has " + OPS.keySet());
    }
    List<Case> cases = s.get();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Case c : cases) {
      if (!seen.add(c.id())) {
        throw new IllegalStateException("case id " + c.id() + " is declared twice");
      }
    }
    return cases;
  }
}
