package dev.lossconformance.benchmarks;

import java.util.function.Function;

/**
 * One configuration of a loss a user runs (a row of the report's "Every configuration" tables): its
 * id (the value of a configuration benchmark's {@code config} parameter), its family (the report groups
 * by it), what is called on each engine, the reference engine its target is measured against, the bytes
 * of the outputs the Java call returns (the allocation target), and its workload per engine.
 *
 * @param id e.g. {@code cross_entropy.label_smoothing.f32}
 * @param family e.g. {@code cross_entropy}
 * @param description markdown: the Java call and the engine's call
 * @param reference {@link BenchmarkSettings#PYTORCH} or {@link BenchmarkSettings#TENSORFLOW}
 * @param outputBytes the bytes of the loss and gradient arrays the Java call returns
 * @param workload the workload on an engine ({@code java} or the reference)
 */
record Configuration(String id, String family, String description, String reference, long outputBytes,
    Function<String, Workload> workload) {}
