package dev.lossconformance.loss;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which of a loss's gradients to compute, as PyTorch's {@code requires_grad} and TensorFlow's
 * {@code GradientTape.watch} choose them: by the gradient's output name ({@code grad_input},
 * {@code grad_target}, {@code grad_var}, {@code grad_y_pred}, ...; the names of {@link LossAndGrads}
 * and of the fixtures). A kernel computes the loss and only the gradients asked for, and returns only
 * those; {@link #ALL} (the default of every kernel's {@code apply}) asks for every gradient the loss
 * has, {@link #NONE} for the loss alone.
 *
 * <p>A name the loss does not have is refused by the kernel (before anything is computed) with
 * {@link ErrorKind#UNSUPPORTED_ARGUMENT}, naming the api, the name and the names it has: a misspelt
 * {@code grad_targt} is an error, never a silently missing gradient. Immutable.
 */
public final class Gradients {
  /** Every gradient the loss has. */
  public static final Gradients ALL = new Gradients(null);

  /** No gradient: the loss alone. */
  public static final Gradients NONE = new Gradients(Set.of());

  private final Set<String> names;

  private Gradients(Set<String> names) {
    this.names = names;
  }

  /** Exactly the gradients named (each a loss's output name such as {@code grad_input}). */
  public static Gradients of(String... names) {
    Objects.requireNonNull(names, "names must not be null");
    Set<String> s = new LinkedHashSet<>();
    for (int i = 0; i < names.length; i++) {
      s.add(Objects.requireNonNull(names[i], "names[" + i + "] must not be null"));
    }
    return new Gradients(Collections.unmodifiableSet(s));
  }

  /** Whether the gradient {@code name} is asked for. */
  public boolean wants(String name) {
    return names == null || names.contains(name);
  }

  /** Whether any gradient is asked for. */
  public boolean any() {
    return names == null || !names.isEmpty();
  }

  /**
   * Refuses a name that {@code api} has no gradient of: {@link ErrorKind#UNSUPPORTED_ARGUMENT} naming
   * the api, the unknown name and the names the loss has ({@code available}). Returns {@code this}.
   */
  public Gradients requireKnown(String api, String... available) {
    if (names != null) {
      Set<String> known = Set.of(available);
      for (String n : names) {
        if (!known.contains(n)) {
          throw new LossArgumentException(ErrorKind.UNSUPPORTED_ARGUMENT, api + ": gradients: " + n
              + " is not a gradient of this loss; it has " + String.join(", ", Arrays.asList(available)));
        }
      }
    }
    return this;
  }

  @Override
  public String toString() {
    return names == null ? "Gradients.ALL" : "Gradients.of(" + String.join(", ", names) + ")";
  }
}
