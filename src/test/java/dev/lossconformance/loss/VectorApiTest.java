package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which loops each kernel runs: with {@code jdk.incubator.vector} in the boot layer (the Vector API test
 * run, pom.xml's conformance-vector execution) every kernel's {@code best()} must be its Vector API class,
 * and without it the scalar class. A loader that silently falls back to the scalar loops would let the
 * Vector API run pass while judging the scalar kernels twice (it did once: the vector classes are
 * package-private and the shared loader could not construct them).
 */
class VectorApiTest {
  @ParameterizedTest(name = "{0}.best() is {1} with the Vector API")
  @CsvSource({
    "dev.lossconformance.loss.torch.Exp, dev.lossconformance.loss.torch.VectorExp",
    "dev.lossconformance.loss.torch.ClassRows, dev.lossconformance.loss.torch.VectorClassRows",
    "dev.lossconformance.loss.torch.PointwiseLoops, dev.lossconformance.loss.torch.VectorPointwiseLoops",
    "dev.lossconformance.loss.torch.CtcFloat, dev.lossconformance.loss.torch.VectorCtcFloat",
    "dev.lossconformance.loss.torch.CosineRows, dev.lossconformance.loss.torch.VectorCosineRows",
    "dev.lossconformance.loss.tf.SigmoidRows, dev.lossconformance.loss.tf.VectorSigmoidRows",
    "dev.lossconformance.loss.keras.SoftmaxRows, dev.lossconformance.loss.keras.VectorSoftmaxRows",
    "dev.lossconformance.loss.keras.RegressionRows, dev.lossconformance.loss.keras.VectorRegressionRows",
  })
  void eachKernelRunsTheLoopsOfItsMode(String kernel, String vectorClass) throws ReflectiveOperationException {
    Method best = Class.forName(kernel).getDeclaredMethod("best");
    best.setAccessible(true);
    String expected = VectorApi.present() ? vectorClass : kernel;
    assertEquals(expected, best.invoke(null).getClass().getName(), kernel + ".best() with the Vector API "
        + (VectorApi.present() ? "present" : "absent"));
  }
}
