package dev.lossconformance.generator.runtime;

import ai.djl.Model;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The TorchScript module template and its loading: the source of {@code class Loss(Module)} around
 * a loss body, written as an archive in memory ({@link TorchScriptArchive}) and loaded by DJL's
 * PyTorch engine ({@link DjlEngines#pytorch} first).
 *
 * <p>A body is TorchScript statements that bind {@code loss}, calling aten ops as {@code
 * torch.<op>(...)} with literal arguments. It refers to the differentiated tensors under their
 * bound names: {@code input} as {@code x}, any other under its own name. Two forms of {@code
 * forward}, over the same body:
 *
 * <ul>
 *   <li>{@link #withGradients}: returns {@code (loss.detach(), g0, g1, ...)}, the gradients of the
 *       (scalar) objectives with respect to each differentiated tensor, as {@code
 *       objective.backward()} leaves them in Python. Run the block with DJL's training flag ({@code block.forward(store,
 *       inputs, true)}): DJL otherwise runs it under a no-grad guard, and the script switches grad
 *       mode on itself as well (ENGINES.md: both are needed).
 *   <li>{@link #lossOnly}: returns {@code loss}; run it with the training flag off, as under {@code
 *       torch.no_grad()}.
 * </ul>
 */
public final class TorchScriptModule {

  private TorchScriptModule() {}

  /**
   * The module source: class {@code Loss} with a typed {@code forward} over {@code tensors} (in
   * argument order) returning the loss and one gradient per name of {@code grads}:
   * {@code torch.autograd.grad(objectives, vars, allow_unused=True)}.
   *
   * <p>An integer tensor cannot require grad; it goes in as is, so the kernel's own dtype error shows.
   * A differentiated name that is no argument is a leaf the body binds itself (ctc_loss's logits).
   * With several objectives autograd sums their gradients per leaf; a tensor the loss does not use
   * has no gradient: autograd gives None and the module returns zeros.
   *
   * @param tensors the forward's tensor arguments
   * @param grads the tensors to differentiate; {@code input} is bound to {@code x}
   * @param body statements binding {@code loss} and every objective
   * @param objectives the scalar expressions differentiated, e.g. {@code loss} for a reduced loss or
   *     {@code loss.sum()}, as the generator differentiates every loss
   */
  public static String withGradients(List<String> tensors, List<String> grads, List<String> body, List<String> objectives) {
    StringBuilder s = header(tensors);
    s.append(") -> Tuple[Tensor").append(", Tensor".repeat(grads.size())).append("]:\n");
    s.append("    torch.set_grad_enabled(True)\n");
    List<String> vars = new ArrayList<>();
    for (String g : grads) {
      String v = variable(g);
      if (!tensors.contains(g)) {
        vars.add(v);
        continue;
      }
      s.append("    ").append(v).append(" = ").append(g).append(".detach().requires_grad_(")
          .append(g).append(".is_floating_point())\n");
      vars.add(v);
    }
    for (String line : body) {
      s.append("    ").append(line).append('\n');
    }
    s.append("    grads = torch.autograd.grad([")
        .append(String.join(", ", objectives))
        .append("], [").append(String.join(", ", vars)).append("], allow_unused=True)\n");
    StringBuilder ret = new StringBuilder("loss.detach()");
    for (int i = 0; i < vars.size(); i++) {
      s.append("    g").append(i).append("_opt = grads[").append(i).append("]\n");
      s.append("    if g").append(i).append("_opt is None:\n");
      s.append("      g").append(i).append(" = torch.zeros_like(").append(vars.get(i)).append(")\n");
      s.append("    else:\n");
      s.append("      g").append(i).append(" = g").append(i).append("_opt\n");
      ret.append(", g").append(i);
    }
    s.append("    return (").append(ret).append(")\n");
    return s.toString();
  }

  /**
   * The module source of the same body without autograd: {@code forward} binds each name of {@code
   * grads} that is an argument as {@link #withGradients} does (without detaching it) and returns
   * {@code loss}.
   */
  public static String lossOnly(List<String> tensors, List<String> grads, List<String> body) {
    StringBuilder s = header(tensors);
    s.append(") -> Tensor:\n");
    for (String g : grads) {
      if (tensors.contains(g) && !variable(g).equals(g)) {
        s.append("    ").append(variable(g)).append(" = ").append(g).append('\n');
      }
    }
    for (String line : body) {
      s.append("    ").append(line).append('\n');
    }
    s.append("    return loss\n");
    return s.toString();
  }

  /**
   * A new DJL model holding the module of {@code source}; the caller closes it. Its block runs the
   * module: {@code model.getBlock().forward(parameterStore, inputs, training)}.
   *
   * @throws IllegalStateException when the source does not compile (a bug in the source, not an
   *     engine result)
   */
  public static Model load(String source) {
    Model model = Model.newInstance("loss", "PyTorch");
    try {
      model.load(new ByteArrayInputStream(TorchScriptArchive.of(source)));
    } catch (IOException e) {
      model.close();
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      model.close();
      throw new IllegalStateException("TorchScript did not load:\n" + source, e);
    }
    return model;
  }

  private static String variable(String tensor) {
    return tensor.equals("input") ? "x" : tensor;
  }

  private static StringBuilder header(List<String> tensors) {
    StringBuilder s = new StringBuilder();
    s.append("class Loss(Module):\n");
    s.append("  __parameters__ = []\n");
    s.append("  __buffers__ = []\n");
    s.append("  training : bool\n");
    s.append("  def forward(self: __torch__.Loss");
    for (String t : tensors) {
      s.append(", ").append(t).append(": Tensor");
    }
    return s;
  }
}
