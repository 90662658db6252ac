package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fused cross-entropy on (N, C) inputs gives the same bits interpreted as JIT-compiled: {@link KernelBits} is run
 * here (after enough calls for C2 to compile the kernels) and in a fresh JVM with {@code -Xint}, with
 * the Vector API module when this JVM has it (so both surefire executions check their own path). The
 * Vector API path owes this to its polynomial exp made of FMAs, adds and multiplies (SVML's EXP gives
 * other bits than the interpreter's per-lane {@code Math.exp}) and to sums taken in a fixed order. (K-dim
 * inputs keep SVML, which measured faster on their spatial tiles, so they are not covered.)
 */
class KernelDeterminismTest {

  @Test
  void interpretedAndCompiledKernelsGiveTheSameBits() throws IOException, InterruptedException {
    List<String> compiled = null;
    for (int i = 0; i < 300; i++) {
      compiled = KernelBits.lines();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xint");
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.add("--add-modules");
      command.add("jdk.incubator.vector");
    }
    command.add("-Dlossconformance.threads=" + dev.lossconformance.loss.Parallel.threads());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(KernelBits.class.getName());
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "the -Xint run failed: " + stderr);
    assertEquals(String.join("\n", compiled) + "\n", stdout,
        "kernel " + Exp.best().name() + ": interpreted bits (expected) vs JIT-compiled bits (actual) differ");
  }
}
