package dev.lossconformance.implementations.tribuo;

import dev.lossconformance.tck.AdapterSuite;

/** tribuo through the TCK, configured by impl.properties as implementations/run checks it. */
class TribuoConformanceTest extends AdapterSuite {}
