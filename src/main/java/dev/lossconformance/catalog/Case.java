package dev.lossconformance.catalog;

import dev.lossconformance.engine.TensorFlowEngine;
import dev.lossconformance.engine.TorchEngine;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One conformance case as the catalog declares it: the same drawn numbers as each framework's call.
 *
 * @param id case id, a path such as {@code cross_entropy/index/weight_ignore_mean/f32}; the same in
 *     every engine's fixture file
 * @param op the op family, the fixture file's name ({@code cross_entropy})
 * @param calls by engine id ({@code torch}, {@code tensorflow}, as {@link dev.lossconformance.engine.Engines}
 *     registers them, the reference first): what that framework runs, or why it cannot
 * @param divergence when both frameworks run the case and are expected to disagree, one line on why
 *     (citing SEMANTICS.md, e.g. {@code T-3: ...}); {@code null} when they should agree
 * @param why one line on the edge the case probes when its name does not say it, else {@code null}
 */
public record Case(String id, String op, Map<String, Call> calls, String divergence, String why) {

  /** {@link TorchEngine#ID}, kept for the code that has not moved to {@link dev.lossconformance.engine.Engines} yet. */
  public static final String TORCH = TorchEngine.ID;
  /** {@link TensorFlowEngine#ID}, kept for the code that has not moved to {@link dev.lossconformance.engine.Engines} yet. */
  public static final String TENSORFLOW = TensorFlowEngine.ID;

  public Case {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(op, "op");
    calls = Collections.unmodifiableMap(new LinkedHashMap<>(calls));
  }

  /** The call {@code engine} runs; a case without one is unsupported there, with a reason saying so. */
  public Call call(String engine) {
    Call c = calls.get(engine);
    if (c != null) {
      return c;
    }
    Call any = calls.values().iterator().next();
    return Call.unsupported(any.api(), any.params(), any.inputs(), "the catalog declares no " + engine + " call for this case");
  }

  /** True when {@code engine} has a call for the case and runs it. */
  public boolean runsOn(String engine) {
    Call c = calls.get(engine);
    return c != null && c.unsupported() == null;
  }

  /** True when every engine runs the case, so their results can be compared. */
  public boolean paired() {
    return calls.size() >= 2 && calls.values().stream().allMatch(c -> c.unsupported() == null);
  }
}
