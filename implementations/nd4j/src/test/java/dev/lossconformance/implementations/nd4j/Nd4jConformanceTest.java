package dev.lossconformance.implementations.nd4j;

import dev.lossconformance.tck.AdapterSuite;

/** nd4j through the TCK, configured by impl.properties as implementations/run checks it. */
class Nd4jConformanceTest extends AdapterSuite {}
