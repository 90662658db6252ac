package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lossconformance.loss.keras.KerasReduction;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The null contract of {@link LossArgumentException}'s Javadoc over the whole public API of the
 * kernels ({@code loss.torch}, {@code loss.keras}, {@code loss.tf}; records, enums' generated methods
 * and {@code Object}'s methods aside): every public constructor and method is called with one
 * reference argument null at a time (the others non-null); a parameter not documented as nullable
 * must give a {@link NullPointerException} whose message is {@code "<api>: <parameter> must not be
 * null"}, the parameter named as in the source; a documented nullable one must not give an NPE.
 */
class NullArgumentsTest {
  /** The parameters documented as "null for none" (class simple name, method, parameter). */
  private static final Set<String> NULLABLE = Set.of(
      "Builder.weight.weight", "Builder.posWeight.posWeight",
      "SparseCategoricalCrossentropy.apply.sampleWeight", "CategoricalCrossentropy.apply.sampleWeight",
      "BinaryCrossentropy.apply.sampleWeight", "SparseCategoricalCrossentropy.SparseCategoricalCrossentropy.ignoreClass",
      "KerasRegression.klDivergence.sampleWeight", "KerasRegression.poisson.sampleWeight",
      "KerasRegression.hinge.sampleWeight", "KerasRegression.meanAbsoluteError.sampleWeight",
      "KerasRegression.cosineSimilarity.sampleWeight", "KerasReduction.reduce.valid",
      "KerasReduction.reduce.sampleWeight", "Mode.of.name");

  private static final Path SOURCES = Path.of("src/main/java");

  @Test
  void everyPublicEntryPointNamesItsNullArgument() throws Exception {
    int checked = 0;
    Set<String> nullableSeen = new java.util.HashSet<>();
    for (Class<?> c : kernelClasses()) {
      for (Executable x : entryPoints(c)) {
        List<String> names = parameterNames(c, x);
        Class<?>[] types = x.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
          if (types[i].isPrimitive()) {
            continue;
          }
          String where = c.getSimpleName() + "." + (x instanceof Constructor ? c.getSimpleName() : x.getName())
              + "." + names.get(i);
          Throwable thrown = call(c, x, i);
          if (NULLABLE.contains(where)) {
            nullableSeen.add(where);
            assertFalse(thrown instanceof NullPointerException, where + " is documented nullable but gave " + thrown);
            continue;
          }
          checked++;
          if (!(thrown instanceof NullPointerException npe)) {
            fail(where + ": a null argument gave " + thrown + ", not a NullPointerException naming it");
            return;
          }
          assertNotNull(npe.getMessage(), where + ": NPE without a message");
          assertTrue(npe.getMessage().endsWith(": " + names.get(i) + " must not be null"),
              where + ": \"" + npe.getMessage() + "\" does not name the parameter");
          assertFalse(npe.getStackTrace()[0].getClassName().startsWith("dev.lossconformance.tensor"),
              where + ": the NPE comes from inside a tensor, not from a check");
        }
      }
    }
    // the kernels' API has dozens of reference parameters; a scan that found few is broken
    assertTrue(checked > 60, checked + " non-null parameters checked");
    assertEquals(NULLABLE, nullableSeen, "every documented nullable parameter was found");
  }

  /** Calls {@code x} with argument {@code i} null and the others dummies; what it threw, or null. */
  private static Throwable call(Class<?> c, Executable x, int nullAt) throws ReflectiveOperationException {
    Class<?>[] types = x.getParameterTypes();
    Object[] args = new Object[types.length];
    for (int j = 0; j < types.length; j++) {
      args[j] = j == nullAt ? null : dummy(types[j]);
    }
    try {
      if (x instanceof Constructor<?> k) {
        k.newInstance(args);
      } else {
        Method m = (Method) x;
        m.invoke(Modifier.isStatic(m.getModifiers()) ? null : instance(c), args);
      }
      return null;
    } catch (InvocationTargetException e) {
      return e.getCause();
    }
  }

  private static Object dummy(Class<?> t) {
    if (t == Tensor.class) {
      return Tensor.ofFloats(new float[] {0.5f, 0.25f}, 1, 2);
    }
    if (t == String.class) {
      return "mean";
    }
    if (t == Reduction.class) {
      return Reduction.MEAN;
    }
    if (t == KerasReduction.Mode.class) {
      return KerasReduction.Mode.SUM;
    }
    if (t == Long.class) {
      return 1L;
    }
    if (t == DType.class) {
      return DType.FLOAT32;
    }
    if (t == Gradients.class) {
      return Gradients.ALL;
    }
    if (t.isArray()) {
      return java.lang.reflect.Array.newInstance(t.getComponentType(), 2);
    }
    if (t == boolean.class) {
      return false;
    }
    if (t == double.class) {
      return 0.0;
    }
    if (t == long.class) {
      return 0L;
    }
    if (t == int.class) {
      return 0;
    }
    throw new AssertionError("no dummy for " + t);
  }

  /** An instance for an instance method: a builder from options(), a built loss, a Keras loss object. */
  private static Object instance(Class<?> c) throws ReflectiveOperationException {
    if (c.getSimpleName().equals("Builder")) {
      return c.getEnclosingClass().getMethod("options").invoke(null);
    }
    try {
      Object builder = c.getMethod("options").invoke(null);
      return builder.getClass().getMethod("build").invoke(builder);
    } catch (NoSuchMethodException e) {
      Constructor<?> k = c.getConstructors()[0];
      Object[] args = new Object[k.getParameterCount()];
      for (int j = 0; j < args.length; j++) {
        args[j] = dummy(k.getParameterTypes()[j]);
      }
      return k.newInstance(args);
    }
  }

  /** The public classes of loss.torch, loss.keras and loss.tf, nested ones included, records and interfaces aside. */
  private static List<Class<?>> kernelClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(CrossEntropy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> out = new ArrayList<>();
    for (String pkg : List.of("torch", "keras", "tf")) {
      Path dir = classes.resolve("dev/lossconformance/loss/" + pkg);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
          String name = "dev.lossconformance.loss." + pkg + "." + f.getFileName().toString().replace(".class", "");
          Class<?> c = Class.forName(name, false, NullArgumentsTest.class.getClassLoader());
          if (isPublicApi(c)) {
            out.add(c);
          }
        }
      }
    }
    assertTrue(out.size() >= 15, "kernel classes found: " + out);
    return out;
  }

  private static boolean isPublicApi(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        return false;
      }
    }
    return !c.isRecord() && !c.isInterface() && !c.isAnonymousClass() && !c.isSynthetic();
  }

  /** Public constructors and declared public methods with a reference parameter; enums' values/valueOf aside. */
  private static List<Executable> entryPoints(Class<?> c) {
    List<Executable> out = new ArrayList<>();
    if (!c.isEnum()) {
      out.addAll(List.of(c.getConstructors()));
    }
    for (Method m : c.getDeclaredMethods()) {
      if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic() || m.isBridge()
          || (c.isEnum() && (m.getName().equals("valueOf") || m.getName().equals("values")))
          || m.getName().equals("equals")) {
        continue;
      }
      out.add(m);
    }
    out.removeIf(x -> Stream.of(x.getParameterTypes()).allMatch(Class::isPrimitive));
    return out;
  }

  /**
   * The parameter names of {@code x} as its source declares them (class files hold none without
   * {@code -parameters}): the declaration in the top-level class's file whose parameter types match.
   */
  private static List<String> parameterNames(Class<?> c, Executable x) throws IOException {
    Class<?> top = c;
    while (top.getEnclosingClass() != null) {
      top = top.getEnclosingClass();
    }
    String src = Files.readString(SOURCES.resolve(top.getName().replace('.', '/') + ".java"))
        .replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ").replaceAll("\\s+", " ");
    String name = x instanceof Constructor ? c.getSimpleName() : x.getName();
    Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\s*\\(([^()]*)\\)\\s*\\{").matcher(src);
    List<List<String>> found = new ArrayList<>();
    while (m.find()) {
      List<String> names = new ArrayList<>();
      List<String> types = new ArrayList<>();
      String params = m.group(1).trim();
      if (!params.isEmpty()) {
        for (String p : params.split(",")) {
          String[] words = p.trim().replace("final ", "").split(" ");
          types.add(words[words.length - 2]);
          names.add(words[words.length - 1]);
        }
      }
      if (types.size() == x.getParameterCount() && sameTypes(types, x.getParameterTypes())) {
        found.add(names);
      }
    }
    assertEquals(1, found.size(), "declarations of " + x + " in " + top.getSimpleName() + ".java: " + found);
    return found.get(0);
  }

  private static boolean sameTypes(List<String> source, Class<?>[] types) {
    for (int i = 0; i < types.length; i++) {
      String s = source.get(i);
      String simple = s.substring(s.lastIndexOf('.') + 1);
      if (!simple.equals(types[i].getSimpleName())) {
        return false;
      }
    }
    return true;
  }
}
