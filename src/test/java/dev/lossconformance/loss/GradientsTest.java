package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GradientsTest {
  @Test
  void allWantsEveryNameAndNoneWantsNone() {
    assertTrue(Gradients.ALL.wants("grad_input"));
    assertTrue(Gradients.ALL.any());
    assertFalse(Gradients.NONE.wants("grad_input"));
    assertFalse(Gradients.NONE.any());
  }

  @Test
  void ofWantsExactlyTheNamesGiven() {
    Gradients g = Gradients.of("grad_target");
    assertTrue(g.wants("grad_target"));
    assertFalse(g.wants("grad_input"));
    assertTrue(g.any());
  }

  @Test
  void anUnknownNameIsRefusedWithTheNamesTheLossHas() {
    LossArgumentException e = assertThrows(LossArgumentException.class,
        () -> Gradients.of("grad_input", "grad_targt").requireKnown("torch.nn.functional.l1_loss",
            "grad_input", "grad_target"));
    assertEquals(ErrorKind.UNSUPPORTED_ARGUMENT, e.kind());
    assertEquals("torch.nn.functional.l1_loss: gradients: grad_targt is not a gradient of this loss; it has"
        + " grad_input, grad_target", e.getMessage());
    Gradients ok = Gradients.of("grad_input");
    assertSame(ok, ok.requireKnown("torch.nn.functional.l1_loss", "grad_input", "grad_target"));
    assertSame(Gradients.ALL, Gradients.ALL.requireKnown("x"));
  }

  @Test
  void aNullNameIsNamedByItsPosition() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> Gradients.of("grad_input", null));
    assertEquals("names[1] must not be null", e.getMessage());
  }
}
