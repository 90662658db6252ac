package dev.lossconformance.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Apis;
import dev.lossconformance.engine.Engines;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.loss.keras.BinaryCrossentropy;
import dev.lossconformance.loss.keras.CategoricalCrossentropy;
import dev.lossconformance.loss.keras.KerasRegression;
import dev.lossconformance.loss.keras.SparseCategoricalCrossentropy;
import dev.lossconformance.loss.tf.TfCtcLoss;
import dev.lossconformance.loss.tf.TfNn;
import dev.lossconformance.loss.torch.BinaryCrossEntropy;
import dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits;
import dev.lossconformance.loss.torch.CosineEmbeddingLoss;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.CtcLoss;
import dev.lossconformance.loss.torch.NllLoss;
import dev.lossconformance.loss.torch.OtherLosses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The descriptors against the committed fixtures, the Java adapter and the kernels' own names. */
class ApiDescriptorsTest {
  private static final Path FIXTURES = Path.of(System.getProperty("conformance.fixtures", "fixtures"));

  @Test
  void everyCommittedCallHasADescriptorThatDeclaresItsParamsInputsAndOutputs() throws Exception {
    int checked = 0;
    for (FixtureFile f : FixtureReader.readAll(FIXTURES)) {
      for (FixtureCase c : f.cases()) {
        if (c.unsupported() != null) {
          continue; // the nearest name of a call the engine cannot make (keras.losses.GaussianNLL)
        }
        Api api = ApiIndex.of(c.api());
        assertEquals(c.engine(), api.engine(), c.id() + ": " + c.api() + " is run by its descriptor's engine");
        for (String p : c.params().keySet()) {
          assertTrue(api.hasParam(p), c.id() + ": " + api + " declares param " + p);
        }
        assertTrue(api.inputs().containsAll(c.inputs().keySet()), c.id() + ": " + api + " declares inputs " + c.inputs().keySet());
        if (!c.expectsError()) {
          assertEquals(api.outputs(), new ArrayList<>(c.outputs().keySet()), c.id() + ": " + api + "'s outputs");
        }
        checked++;
      }
    }
    assertTrue(checked > 1000, "checked " + checked + " cases");
  }

  @Test
  void theAdapterImplementsEveryDescriptorAndNothingElse() {
    TreeSet<String> names = new TreeSet<>();
    ApiIndex.all().forEach(a -> names.add(a.name()));
    assertEquals(names, Apis.supported());
  }

  @Test
  void theKernelsNameTheirApisAsTheDescriptorsDo() {
    // the kernels depend on nothing but the JDK, so they keep the name their messages start with
    Map<String, Api> kernels = Map.ofEntries(
        Map.entry(CrossEntropy.API, TorchApis.CROSS_ENTROPY), Map.entry(NllLoss.API, TorchApis.NLL_LOSS),
        Map.entry(BinaryCrossEntropy.API, TorchApis.BINARY_CROSS_ENTROPY),
        Map.entry(BinaryCrossEntropyWithLogits.API, TorchApis.BINARY_CROSS_ENTROPY_WITH_LOGITS),
        Map.entry(OtherLosses.KL_DIV, TorchApis.KL_DIV), Map.entry(OtherLosses.POISSON_NLL, TorchApis.POISSON_NLL_LOSS),
        Map.entry(OtherLosses.GAUSSIAN_NLL, TorchApis.GAUSSIAN_NLL_LOSS),
        Map.entry(OtherLosses.HINGE_EMBEDDING, TorchApis.HINGE_EMBEDDING_LOSS), Map.entry(OtherLosses.L1, TorchApis.L1_LOSS),
        Map.entry(CosineEmbeddingLoss.API, TorchApis.COSINE_EMBEDDING_LOSS), Map.entry(CtcLoss.API, TorchApis.CTC_LOSS),
        Map.entry(SparseCategoricalCrossentropy.API, KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY),
        Map.entry(CategoricalCrossentropy.API, KerasApis.CATEGORICAL_CROSSENTROPY),
        Map.entry(BinaryCrossentropy.API, KerasApis.BINARY_CROSSENTROPY),
        Map.entry(KerasRegression.KLD, KerasApis.KL_DIVERGENCE), Map.entry(KerasRegression.POISSON, KerasApis.POISSON),
        Map.entry(KerasRegression.HINGE, KerasApis.HINGE), Map.entry(KerasRegression.MAE, KerasApis.MEAN_ABSOLUTE_ERROR),
        Map.entry(KerasRegression.COSINE, KerasApis.COSINE_SIMILARITY),
        Map.entry(TfNn.SOFTMAX, TfNnApis.SOFTMAX_CROSS_ENTROPY_WITH_LOGITS),
        Map.entry(TfNn.SPARSE_SOFTMAX, TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS),
        Map.entry(TfNn.SIGMOID, TfNnApis.SIGMOID_CROSS_ENTROPY_WITH_LOGITS),
        Map.entry(TfNn.WEIGHTED, TfNnApis.WEIGHTED_CROSS_ENTROPY_WITH_LOGITS),
        Map.entry(TfNn.LOG_POISSON, TfNnApis.LOG_POISSON_LOSS), Map.entry(TfCtcLoss.API, TfNnApis.CTC_LOSS));
    kernels.forEach((kernel, api) -> assertEquals(api.name(), kernel));
    assertEquals(ApiIndex.all().size(), kernels.size(), "every descriptor has a kernel");
  }

  @Test
  void descriptorsGiveTheFrameworksDefaultsAndDomains() {
    assertEquals(-100L, TorchApis.CROSS_ENTROPY.longDefault("ignore_index"));
    assertEquals(TorchApis.IGNORE_INDEX, TorchApis.NLL_LOSS.param("ignore_index"));
    assertEquals("sum_over_batch_size", KerasApis.COSINE_SIMILARITY.stringDefault("reduction"));
    assertTrue(TorchApis.KL_DIV.param("reduction").accepts("batchmean"));
    assertTrue(!TorchApis.CROSS_ENTROPY.param("reduction").accepts("batchmean"));
    assertTrue(TorchApis.CROSS_ENTROPY.param("ignore_index").accepts(7L), "an open domain accepts any value");
    assertTrue(KerasApis.ALL.stream().allMatch(a -> a.family().computesInFloat32()));
    assertTrue(ApiIndex.all().stream().allMatch(a -> Engines.byId(a.engine()).isPresent()));
  }
}
