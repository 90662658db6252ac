package dev.lossconformance.check;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.ApiIndex;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.tensor.Tensor;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A case's params and inputs as an API adapter reads them: typed getters with the framework's
 * defaults (from the call's {@link Api} descriptor, or given), and a final check that nothing was left unread. A param of the wrong JSON type (a string
 * where an integer belongs) is a {@link MalformedCaseException} naming the param and its value, so
 * that it can never pass as an engine error.
 */
public final class Params {
  private final String api;
  private final Api descriptor;
  private final Map<String, Object> params;
  private final Map<String, Tensor> inputs;
  private final Set<String> read = new HashSet<>();

  public Params(String api, Map<String, Object> params, Map<String, Tensor> inputs) {
    this(api, ApiIndex.find(api).orElse(null), params, inputs);
  }

  /** The params of a call of {@code api}, whose descriptor gives the defaults. */
  public Params(Api api, Map<String, Object> params, Map<String, Tensor> inputs) {
    this(api.name(), api, params, inputs);
  }

  private Params(String api, Api descriptor, Map<String, Object> params, Map<String, Tensor> inputs) {
    this.api = api;
    this.descriptor = descriptor;
    this.params = params;
    this.inputs = inputs;
  }

  /** The descriptor's default of {@code name}; fails when the api has no descriptor or no such param. */
  private Object dflt(String name) {
    if (descriptor == null) {
      throw new IllegalStateException(api + " has no descriptor to take the default of \"" + name + "\" from");
    }
    return descriptor.defaultOf(name);
  }

  /** A string param, the descriptor's default when absent. */
  public String string(String name) {
    return string(name, (String) dflt(name));
  }

  /** An integer param, the descriptor's default when absent. */
  public long integer(String name) {
    return integer(name, ((Number) dflt(name)).longValue());
  }

  /** A real param, the descriptor's default when absent. */
  public double real(String name) {
    return real(name, ((Number) dflt(name)).doubleValue());
  }

  /** A boolean param, the descriptor's default when absent or null. */
  public boolean flag(String name) {
    Boolean b = bool(name);
    return b == null ? (Boolean) dflt(name) : b;
  }

  /** A required tensor argument. */
  public Tensor tensor(String name) {
    Tensor t = inputs.get(name);
    if (t == null) {
      throw new MalformedCaseException("inputs." + name, api + " needs the tensor input \"" + name + "\"; the case has " + inputs.keySet());
    }
    return t;
  }

  /** An optional tensor argument, {@code null} when absent. */
  public Tensor optionalTensor(String name) {
    return inputs.get(name);
  }

  public String string(String name, String dflt) {
    Object v = take(name);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s)) {
      throw wrongType(name, "a string", v);
    }
    return s;
  }

  public long integer(String name, long dflt) {
    Object v = take(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
      return d.longValue();
    }
    throw wrongType(name, "an integer", v);
  }

  /** An optional integer, {@code null} when absent or null. */
  public Long optionalLong(String name) {
    if (params.get(name) == null) {
      take(name);
      return null;
    }
    return integer(name, 0);
  }

  public double real(String name, double dflt) {
    Object v = take(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw wrongType(name, "a number", v);
  }

  public Boolean bool(String name) {
    Object v = take(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw wrongType(name, "true, false or null", v);
  }

  /**
   * PyTorch's reduction, honouring the deprecated {@code size_average}/{@code reduce} pair the way
   * {@code torch.nn._reduction.legacy_get_string} does: if either is given, {@code reduce=False} means
   * none, else {@code size_average=False} means sum, else mean.
   */
  public Reduction torchReduction() {
    Boolean sizeAverage = bool("size_average");
    Boolean reduce = bool("reduce");
    String name = string("reduction", descriptor != null && descriptor.hasParam("reduction")
        ? descriptor.stringDefault("reduction") : TorchApis.REDUCTION.defaultValue().toString());
    if (sizeAverage != null || reduce != null) {
      boolean sa = sizeAverage == null || sizeAverage;
      boolean r = reduce == null || reduce;
      return !r ? Reduction.NONE : sa ? Reduction.MEAN : Reduction.SUM;
    }
    return Reduction.fromTorchName(name);
  }

  /** Fails with {@link UnsupportedCaseException} when a param was given that nothing read. */
  public void requireAllRead() {
    for (String k : params.keySet()) {
      if (!read.contains(k)) {
        throw new UnsupportedCaseException("parameter \"" + k + "\" of " + api + " is not implemented in Java");
      }
    }
  }

  /**
   * A param of the wrong JSON type: the fixture is malformed (it is not an argument the engine
   * refused), so this is never taken for the engine's error.
   */
  private MalformedCaseException wrongType(String name, String expected, Object v) {
    return new MalformedCaseException("params." + name, api + ": param \"" + name + "\": expected " + expected + ", got "
        + describe(v));
  }

  /** A param value as it was in the JSON, with its JSON type: {@code "3" (a string)}. */
  private static String describe(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\" (a string)";
    }
    if (v instanceof Boolean) {
      return v + " (a boolean)";
    }
    if (v instanceof Number) {
      return v + " (a number)";
    }
    if (v instanceof java.util.List) {
      return v + " (an array)";
    }
    if (v instanceof Map) {
      return v + " (an object)";
    }
    return String.valueOf(v);
  }

  private Object take(String name) {
    read.add(name);
    return params.get(name);
  }
}
