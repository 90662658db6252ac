package dev.lossconformance.implementations.djl;

import dev.lossconformance.tck.AdapterSuite;

/** djl through the TCK, configured by impl.properties as implementations/run checks it. */
class DjlConformanceTest extends AdapterSuite {}
