package dev.lossconformance.implementations.onnxruntime;

import dev.lossconformance.tck.AdapterSuite;

/** ONNX Runtime through the TCK, configured by impl.properties as implementations/run checks it. */
class OnnxRuntimeConformanceTest extends AdapterSuite {}
