package dev.lossconformance.check;

import dev.lossconformance.api.TorchApis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureFormatException;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EngineErrorsTest {

  /** Every committed fixture case whose engine raised, named by engine and id. */
  static Stream<Arguments> committedErrorCases() throws FixtureFormatException {
    Path root = Path.of(System.getProperty("conformance.fixtures", "fixtures"));
    List<Arguments> out = new ArrayList<>();
    for (String engine : List.of("torch", "tensorflow")) {
      for (FixtureFile f : FixtureReader.readAll(root.resolve(engine))) {
        for (FixtureCase c : f.cases()) {
          if (c.expectsError()) {
            out.add(Arguments.argumentSet(c.displayName(), c));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("committedErrorCases")
  void everyCommittedEngineErrorHasAKindAndJavaRaisesThatKind(FixtureCase c) {
    ErrorKind expected = EngineErrors.kindOf(c.error());
    assertNotNull(expected, "no rule classifies the engine's error \"" + c.error() + "\"");
    Set<ErrorKind> matching = EnumSet.noneOf(ErrorKind.class);
    for (EngineErrors.Rule r : EngineErrors.RULES) {
      if (r.pattern().matcher(c.error()).find()) {
        matching.add(r.kind());
      }
    }
    assertEquals(EnumSet.of(expected), matching, "rules of more than one kind match \"" + c.error() + "\"");

    LossArgumentException e = assertThrows(LossArgumentException.class,
        () -> Apis.evaluate(c.api(), c.params(), c.inputs()), "java does not raise on " + c.id());
    assertEquals(expected, e.kind(), c.id() + ": the engine raised \"" + c.error() + "\", java: " + e.getMessage());
    assertNull(EngineErrors.mismatch(c.error(), e));
  }

  /**
   * One engine message per rule, with the kind it must get (by {@link ErrorKind}'s definitions).
   * Messages marked "fixture" are copied from the committed fixtures; the others are the engines'
   * texts from their sources (PyTorch aten / functional.py, TF kernels and shape functions, Keras).
   */
  private static final List<Map.Entry<String, ErrorKind>> EXAMPLES = List.of(
      // fixture
      Map.entry("IndexError: Target 7 is out of bounds.", ErrorKind.INDEX_OUT_OF_RANGE),
      Map.entry("IndexError: Target -1 is out of bounds.", ErrorKind.INDEX_OUT_OF_RANGE),
      Map.entry("InvalidArgumentError: Received a label value of 7 which is outside the valid range of [0, 5).",
          ErrorKind.INDEX_OUT_OF_RANGE),
      // TF ctc_loss_calculator.h
      Map.entry("InvalidArgumentError: All labels must be nonnegative integers, batch: 0 labels: 1,-1",
          ErrorKind.INDEX_OUT_OF_RANGE),
      Map.entry("InvalidArgumentError: No label may be greater than num_classes. num_classes: 5, batch: 0 labels: 1,7",
          ErrorKind.INDEX_OUT_OF_RANGE),
      // PyTorch indexing and gather, the CUDA nll kernel's assertion
      Map.entry("IndexError: index 7 is out of bounds for dimension 1 with size 5", ErrorKind.INDEX_OUT_OF_RANGE),
      Map.entry("RuntimeError: CUDA error: device-side assert triggered: Assertion `t >= 0 && t < n_classes` failed.",
          ErrorKind.INDEX_OUT_OF_RANGE),

      // fixture
      Map.entry("ValueError: Expected input batch_size (3) to match target batch_size (2).", ErrorKind.SHAPE_MISMATCH),
      Map.entry("RuntimeError: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
          ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: Index out of range using input dim 2; input has only 2 dims",
          ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: Invalid reduction dimension (-1 for input with 0 dimension(s)",
          ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: Incompatible shapes: [4] vs. [2,3]", ErrorKind.SHAPE_MISMATCH),
      Map.entry("ValueError: Arguments `target` and `output` must have the same shape. Received: target.shape=(2, 1),"
          + " output.shape=(2, 3)", ErrorKind.SHAPE_MISMATCH),
      Map.entry("ValueError: Using a target size (torch.Size([3, 2])) that is different to the input size"
          + " (torch.Size([2, 3])) is deprecated. Please ensure they have the same size.", ErrorKind.SHAPE_MISMATCH),
      Map.entry("ValueError: Target size (torch.Size([2, 1])) must be the same as input size (torch.Size([2, 3]))",
          ErrorKind.SHAPE_MISMATCH),
      Map.entry("RuntimeError: 0D or 1D target tensor expected, multi-target not supported", ErrorKind.SHAPE_MISMATCH),
      Map.entry("RuntimeError: weight tensor should be defined either for all 5 classes or no classes but got weight"
          + " tensor of shape: [4]", ErrorKind.SHAPE_MISMATCH),
      Map.entry("ValueError: var is of incorrect size", ErrorKind.SHAPE_MISMATCH),
      // PyTorch's checkSize (TensorUtils.cpp) of the CTC targets, dim wrapping, LossCTC.cpp, LossNLL.cpp
      Map.entry("RuntimeError: Expected tensor to have size at least 4294967296 at dimension 1, but got size 4 for"
          + " argument #2 'targets' (while checking arguments for ctc_loss_allocate_outputs)", ErrorKind.SHAPE_MISMATCH),
      Map.entry("IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)",
          ErrorKind.SHAPE_MISMATCH),
      Map.entry("RuntimeError: input_lengths must be of size batch_size", ErrorKind.SHAPE_MISMATCH),
      Map.entry("RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of dimension: 2",
          ErrorKind.SHAPE_MISMATCH),
      Map.entry("ValueError: Expected 2 or more dimensions (got 1)", ErrorKind.SHAPE_MISMATCH),
      // TF xent kernels, nn_ops.py, shape inference, ctc_loss_op.cc
      Map.entry("InvalidArgumentError: logits and labels must be broadcastable: logits_size=[2,3] labels_size=[2,4]",
          ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: logits and labels must have the same first dimension, got logits shape [3,5]"
          + " and labels shape [2]", ErrorKind.SHAPE_MISMATCH),
      Map.entry("ValueError: Rank mismatch: Rank of labels (received 2) should equal rank of logits minus 1"
          + " (received 2).", ErrorKind.SHAPE_MISMATCH),
      Map.entry("ValueError: Logits cannot be scalars - received shape ().", ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: Shape must be rank 3 but is rank 2", ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: Dimensions must be equal, but are 3 and 4", ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: inputs is not a 3-Tensor", ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: len(sequence_length) != batch_size.  len(sequence_length):  2 batch_size: 3",
          ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: batch_size must not be 0", ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: Max time or first dimension of input cannot be 0.", ErrorKind.SHAPE_MISMATCH),
      Map.entry("RuntimeError: start (0) + length (1) exceeds dimension size (0).", ErrorKind.SHAPE_MISMATCH),
      Map.entry("InvalidArgumentError: Must have at least one class, but got logits shape [0,0]", ErrorKind.SHAPE_MISMATCH),

      // fixture
      Map.entry("RuntimeError: all elements of input should be between 0 and 1", ErrorKind.INVALID_VALUE),
      Map.entry("RuntimeError: all elements of target should be between 0 and 1", ErrorKind.INVALID_VALUE),
      Map.entry("RuntimeError: label_smoothing must be between 0.0 and 1.0. Got: 1.5", ErrorKind.INVALID_VALUE),
      Map.entry("RuntimeError: gather(): Expected dtype int64 for index", ErrorKind.DTYPE),
      Map.entry("RuntimeError: blank must be in label range", ErrorKind.INVALID_VALUE),
      Map.entry("RuntimeError: Expected input_lengths to have value at most 6, but got value 7 (while checking"
          + " arguments for ctc_loss_allocate_outputs)", ErrorKind.INVALID_VALUE),
      Map.entry("ValueError: var has negative entry/entries", ErrorKind.INVALID_VALUE),
      Map.entry("ValueError: avg is not a valid value for reduction", ErrorKind.INVALID_VALUE),
      Map.entry("InvalidArgumentError: Labels length is zero in batch 0", ErrorKind.INVALID_VALUE),
      Map.entry("InvalidArgumentError: Not enough time for target transition sequence (required: 2, available: 1)1You"
          + " can turn this error into a warning by using the flag ignore_longer_outputs_than_inputs",
          ErrorKind.INVALID_VALUE),
      Map.entry("InvalidArgumentError: sequence_length(1) <= 6", ErrorKind.INVALID_VALUE),
      // LossCTC.cpp, Keras 3.3.3 standardize_reduction, ctc_loss_calculator.h, ctc_loss_op.cc
      Map.entry("RuntimeError: Expected target_lengths to have value at least 0, but got value -1 (while checking"
          + " arguments for ctc_loss_allocate_outputs)", ErrorKind.INVALID_VALUE),
      Map.entry("ValueError: Invalid value for argument `reduction`. Expected one of {'sum_over_batch_size', 'sum',"
          + " None, 'none'}. Received: reduction=avg", ErrorKind.INVALID_VALUE),
      Map.entry("InvalidArgumentError: seq_len(0) < 0", ErrorKind.INVALID_VALUE),
      Map.entry("InvalidArgumentError: Saw a non-null label (index >= num_classes - 1) following a null label,"
          + " batch: 0 num_classes: 5", ErrorKind.INVALID_VALUE),

      // fixture
      Map.entry("RuntimeError: ignore_index is not supported for floating point target",
          ErrorKind.UNSUPPORTED_ARGUMENT),

      // PyTorch dtype checks (nll_loss, BCE backward, cross_entropy, LossCTC.cpp, dispatch), TF op inputs and attrs
      Map.entry("RuntimeError: expected scalar type Long but found Float", ErrorKind.DTYPE),
      Map.entry("RuntimeError: Expected object of scalar type Long but got scalar type Float for argument #2"
          + " 'target'", ErrorKind.DTYPE),
      Map.entry("RuntimeError: Found dtype Long but expected Float", ErrorKind.DTYPE),
      Map.entry("RuntimeError: Expected floating point type for target with class probabilities, got Long",
          ErrorKind.DTYPE),
      Map.entry("RuntimeError: input_lengths must be integral", ErrorKind.DTYPE),
      Map.entry("RuntimeError: \"nll_loss_out_frame\" not implemented for 'Int'", ErrorKind.DTYPE),
      Map.entry("InvalidArgumentError: cannot compute SparseSoftmaxCrossEntropyWithLogits as input #1(zero-based)"
          + " was expected to be a int64 tensor but is a float tensor", ErrorKind.DTYPE),
      Map.entry("InvalidArgumentError: Value for attr 'T' of int64 is not in the list of allowed values: half,"
          + " bfloat16, float, double", ErrorKind.DTYPE));

  @Test
  void eachExampleGetsItsKind() {
    for (Map.Entry<String, ErrorKind> e : EXAMPLES) {
      assertEquals(e.getValue(), EngineErrors.kindOf(e.getKey()), e.getKey());
    }
  }

  @Test
  void everyRuleIsExercisedByAnExampleOfItsKind() {
    for (EngineErrors.Rule r : EngineErrors.RULES) {
      boolean hit = false;
      for (Map.Entry<String, ErrorKind> e : EXAMPLES) {
        if (r.pattern().matcher(e.getKey()).find()) {
          assertEquals(r.kind(), e.getValue(), "rule /" + r.pattern() + "/ matches \"" + e.getKey() + "\"");
          hit = true;
        }
      }
      assertTrue(hit, "no example exercises rule /" + r.pattern() + "/");
    }
  }

  @Test
  void anUnknownMessageHasNoKind() {
    assertNull(EngineErrors.kindOf("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"));
    assertNull(EngineErrors.kindOf(""));
    assertNull(EngineErrors.kindOf(null));
  }

  @Test
  void theIssueExampleFails() {
    // issue 10: an engine error "Target 7 is out of bounds" answered by a java batch-size complaint
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    inputs.put("input", Tensor.ofDoubles(new double[15], 3, 5));
    inputs.put("target", Tensor.ofLongs(new long[] {0, 7}, 2));
    LossArgumentException e = assertThrows(LossArgumentException.class,
        () -> Apis.evaluate(TorchApis.CROSS_ENTROPY_NAME, Map.of(), inputs));
    assertEquals(ErrorKind.SHAPE_MISMATCH, e.kind());
    String engine = "IndexError: Target 7 is out of bounds.";
    assertEquals("the engine raised an index-out-of-range error (IndexError: Target 7 is out of bounds.) but java"
        + " raised a shape-mismatch error: torch.nn.functional.cross_entropy: target: expected input batch_size (3)"
        + " to match target batch_size (2)", EngineErrors.mismatch(engine, e));
  }

  @Test
  void matchingKindsPassAndSaySo() {
    LossArgumentException e = new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE, "target: element [1] = 7");
    assertNull(EngineErrors.mismatch("IndexError: Target 7 is out of bounds.", e));
    assertEquals("raised as the engine did: target: element [1] = 7 (an index-out-of-range error, as the engine's)",
        EngineErrors.accepted("IndexError: Target 7 is out of bounds.", e));
  }

  @Test
  void anUnknownEngineMessageAcceptsAnyKindButSaysItWasNotChecked() {
    String engine = "RuntimeError: something no rule knows";
    for (ErrorKind k : ErrorKind.values()) {
      LossArgumentException e = new LossArgumentException(k, "java's message");
      assertNull(EngineErrors.mismatch(engine, e), k.name());
      assertEquals("raised as the engine did: java's message (" + k.phrase()
          + "; not checked: the engine's error has no known kind)", EngineErrors.accepted(engine, e));
    }
  }

  @Test
  void anIllegalArgumentExceptionWithoutAKindNeverPasses() {
    IllegalArgumentException plain = new IllegalArgumentException("plain");
    assertEquals("the engine raised an index-out-of-range error (IndexError: Target 7 is out of bounds.) but java"
        + " raised java.lang.IllegalArgumentException without an error kind (every java error should be a"
        + " LossArgumentException): plain", EngineErrors.mismatch("IndexError: Target 7 is out of bounds.", plain));
    String unknown = EngineErrors.mismatch("RuntimeError: something no rule knows", plain);
    assertNotNull(unknown);
    assertTrue(unknown.startsWith("the engine raised an error (RuntimeError: something no rule knows) but java"
        + " raised java.lang.IllegalArgumentException without an error kind"), unknown);
  }

  @Test
  void everyKindHasADistinctPhrase() {
    Map<String, ErrorKind> seen = new HashMap<>();
    for (ErrorKind k : ErrorKind.values()) {
      assertNull(seen.put(k.phrase(), k), k.phrase());
      assertTrue(k.phrase().startsWith("a ") || k.phrase().startsWith("an "), k.phrase());
    }
  }

  @Test
  void aParamOfTheWrongJsonTypeIsAMalformedCaseNotAnEngineError() {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    inputs.put("input", Tensor.ofDoubles(new double[6], 2, 3));
    inputs.put("target", Tensor.ofLongs(new long[] {0, 1}, 2));
    String api = TorchApis.CROSS_ENTROPY_NAME;
    MalformedCaseException e = assertThrows(MalformedCaseException.class,
        () -> Apis.evaluate(api, Map.of("ignore_index", "2"), inputs));
    assertEquals(api + ": param \"ignore_index\": expected an integer, got \"2\" (a string)", e.getMessage());
    e = assertThrows(MalformedCaseException.class, () -> Apis.evaluate(api, Map.of("ignore_index", 1.5), inputs));
    assertEquals(api + ": param \"ignore_index\": expected an integer, got 1.5 (a number)", e.getMessage());
    e = assertThrows(MalformedCaseException.class, () -> Apis.evaluate(api, Map.of("reduction", 1L), inputs));
    assertEquals(api + ": param \"reduction\": expected a string, got 1 (a number)", e.getMessage());
    e = assertThrows(MalformedCaseException.class, () -> Apis.evaluate(api, Map.of("label_smoothing", true), inputs));
    assertEquals(api + ": param \"label_smoothing\": expected a number, got true (a boolean)", e.getMessage());
    e = assertThrows(MalformedCaseException.class, () -> Apis.evaluate(api, Map.of("reduce", "no"), inputs));
    assertEquals(api + ": param \"reduce\": expected true, false or null, got \"no\" (a string)", e.getMessage());
    assertFalse(IllegalArgumentException.class.isAssignableFrom(MalformedCaseException.class),
        "a malformed case must not be caught as the engine's argument error");
  }
}
