package dev.lossconformance.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float sum fast enough to be bound by memory bandwidth: four vector accumulators of the widest
 * species. Needs {@code --add-modules jdk.incubator.vector}, which the benchmark forks pass; only
 * {@link MemoryBandwidthBenchmark#read} loads this class.
 */
final class VectorSum {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  private VectorSum() {}

  static float sum(float[] a, int from, int to) {
    int w = SPECIES.length();
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = FloatVector.zero(SPECIES);
    FloatVector s2 = FloatVector.zero(SPECIES);
    FloatVector s3 = FloatVector.zero(SPECIES);
    int i = from;
    for (; i + 4 * w <= to; i += 4 * w) {
      s0 = s0.add(FloatVector.fromArray(SPECIES, a, i));
      s1 = s1.add(FloatVector.fromArray(SPECIES, a, i + w));
      s2 = s2.add(FloatVector.fromArray(SPECIES, a, i + 2 * w));
      s3 = s3.add(FloatVector.fromArray(SPECIES, a, i + 3 * w));
    }
    float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) {
      s += a[i];
    }
    return s;
  }
}
