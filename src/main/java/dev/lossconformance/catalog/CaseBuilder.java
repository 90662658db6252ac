package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.engine.Engine;
import dev.lossconformance.engine.Engines;
import dev.lossconformance.engine.TensorFlowEngine;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Declares one case once: its params and how each input is drawn; {@link #inDtypes} makes the
 * per-dtype cases.
 *
 * <p>Each input has its own generator, seeded from {@code op/variant#inputName} (FNV-1a, 64 bit): adding
 * a case, an input or a dtype never changes another draw.
 */
public final class CaseBuilder {
  private final String op;
  private final Api api;
  private final String variant;
  private final Map<String, Object> params = new LinkedHashMap<>();
  private final Map<String, Draw> inputs = new LinkedHashMap<>();
  private String expectError;
  private String why;
  private String torchUnsupported;
  private final Map<String, Function<Call, Call>> counterparts = new LinkedHashMap<>();
  private String divergence;

  /** A case of {@code op} declared as a call of {@code api}, the reference engine's. */
  public CaseBuilder(String op, Api api, String variant) {
    this.op = op;
    this.api = api;
    this.variant = variant;
  }

  /** Sets a non-tensor argument under the framework's name. */
  public CaseBuilder param(String name, Object value) {
    params.put(name, value instanceof Integer i ? Long.valueOf(i) : value);
    return this;
  }

  /** Declares a tensor argument under the framework's name. */
  public CaseBuilder input(String name, Draw draw) {
    inputs.put(name, draw);
    return this;
  }

  /** The engine must raise; {@code phrase} is a key phrase of its message. */
  public CaseBuilder expectError(String phrase) {
    this.expectError = phrase;
    return this;
  }

  /**
   * How {@code engine} expresses the case: a function of the drawn reference call (same numbers, the
   * engine's names, params and layout), returning a call, or {@link Call#unsupported} with the reason.
   */
  public CaseBuilder counterpart(String engine, Function<Call, Call> rule) {
    if (Engines.reference().id().equals(engine) || Engines.byId(engine).isEmpty()) {
      throw new IllegalArgumentException("not a counterpart engine: " + engine + "; they are "
          + Engines.counterparts().stream().map(Engine::id).toList());
    }
    counterparts.put(engine, rule);
    return this;
  }

  /** How TensorFlow expresses the case: {@link #counterpart} for {@link TensorFlowEngine}. */
  public CaseBuilder tensorflow(Function<Call, Call> rule) {
    return counterpart(TensorFlowEngine.ID, rule);
  }

  /** PyTorch has no API for the case (it exists for another framework), with the reason. */
  public CaseBuilder torchUnsupported(String reason) {
    this.torchUnsupported = reason;
    return this;
  }

  /** The frameworks are expected to disagree on this case; one line on why, citing SEMANTICS.md. */
  public CaseBuilder divergence(String reason) {
    this.divergence = reason;
    return this;
  }

  /** One line on what the case probes, when its name does not say it. */
  public CaseBuilder why(String why) {
    this.why = why;
    return this;
  }

  /** The case in each dtype, ids ending in {@code /f32}, {@code /f64}. */
  public List<Case> inDtypes(DType... dtypes) {
    List<Case> out = new ArrayList<>();
    for (DType d : dtypes) {
      Map<String, Tensor> drawn = new LinkedHashMap<>();
      for (Map.Entry<String, Draw> e : inputs.entrySet()) {
        SplittableRandom rng = new SplittableRandom(seed(op + "/" + variant + "#" + e.getKey()));
        drawn.put(e.getKey(), e.getValue().draw(rng, d));
      }
      Call reference = torchUnsupported == null
          ? new Call(api.name(), params, drawn, expectError, null)
          : Call.unsupported(api.name(), params, drawn, torchUnsupported);
      Map<String, Call> calls = new LinkedHashMap<>();
      calls.put(Engines.reference().id(), reference);
      String reason = divergence;
      for (Engine e : Engines.counterparts()) {
        Function<Call, Call> rule = counterparts.get(e.id());
        if (rule == null) {
          continue;
        }
        Call other = rule.apply(new Call(api.name(), params, drawn, expectError, null));
        calls.put(e.id(), other);
        if (reason == null) {
          reason = Counterparts.predictedDivergence(e.id(), reference, other);
        }
      }
      out.add(new Case(op + "/" + variant + "/" + d.shortName(), op, calls, reason, why));
    }
    return out;
  }

  /**
   * One variant under the reductions none, mean and sum: {@code factory.apply(variant, reduction)}
   * makes the builder (the op's own, with its defaults), {@code f} adds what the variant is.
   */
  public static Stream<CaseBuilder> reductions(
      BiFunction<String, String, CaseBuilder> factory, String variant, UnaryOperator<CaseBuilder> f) {
    return Stream.of("none", "mean", "sum").map(r -> f.apply(factory.apply(variant, r)));
  }

  /** FNV-1a 64-bit hash of the UTF-8 bytes: fixed forever, unlike {@code String.hashCode} promises nothing about. */
  public static long seed(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
