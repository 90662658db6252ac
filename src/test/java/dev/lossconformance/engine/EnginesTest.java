package dev.lossconformance.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class EnginesTest {
  @Test
  void theReferenceComesFirstThenItsCounterparts() {
    assertEquals(List.of("torch", "tensorflow"), Engines.ids());
    assertEquals(TorchEngine.ID, Engines.reference().id());
    assertEquals(List.of(TensorFlowEngine.ID), Engines.counterparts().stream().map(Engine::id).toList());
    assertEquals("TensorFlow", Engines.require("tensorflow").displayName());
    assertThrows(IllegalArgumentException.class, () -> Engines.require("jax"));
  }

  @Test
  void aFileTakesItsEngineFromItsFolderThenItsSourceLine() {
    assertEquals("torch", Engines.idOf("torch", "anything"));
    assertEquals("tensorflow", Engines.idOf("tensorflow", "PyTorch 2.7.1"));
    assertEquals("torch", Engines.idOf("mine", "PyTorch 2.7.1 via a script"));
    assertEquals("tensorflow", Engines.idOf("mine", "Keras 3.3.3"));
    assertEquals(Engines.EXTERNAL, Engines.idOf("mine", "numpy"));
  }
}
