package dev.lossconformance.tensor;

import java.util.Locale;

/** Element types a fixture tensor can carry, named as PyTorch and NumPy name them. */
public enum DType {
  FLOAT32("float32", true),
  FLOAT64("float64", true),
  INT64("int64", false),
  INT32("int32", false),
  UINT8("uint8", false),
  BOOL("bool", false);

  private final String jsonName;
  private final boolean floating;

  DType(String jsonName, boolean floating) {
    this.jsonName = jsonName;
    this.floating = floating;
  }

  /** The name used in fixture files and case ids' dtype suffix source, e.g. {@code float32}. */
  public String jsonName() {
    return jsonName;
  }

  /** True for float32 and float64. */
  public boolean isFloating() {
    return floating;
  }

  /** Short suffix for case ids: {@code f32}, {@code f64}, {@code i64}, ... */
  public String shortName() {
    return switch (this) {
      case FLOAT32 -> "f32";
      case FLOAT64 -> "f64";
      case INT64 -> "i64";
      case INT32 -> "i32";
      case UINT8 -> "u8";
      case BOOL -> "bool";
    };
  }

  /** Looks a dtype up by its fixture name; the exception lists the names that exist. */
  public static DType fromJsonName(String name) {
    for (DType d : values()) {
      if (d.jsonName.equals(name)) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "unknown dtype \"" + name + "\"; expected one of float32, float64, int64, int32, uint8, bool");
  }

  @Override
  public String toString() {
    return jsonName.toLowerCase(Locale.ROOT);
  }
}
