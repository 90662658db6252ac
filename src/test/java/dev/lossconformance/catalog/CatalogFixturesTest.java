package dev.lossconformance.catalog;

import dev.lossconformance.engine.Engines;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The committed fixtures were generated from this catalog: same ids in the same order, same api and
 * params, and inputs equal to the catalog's seeded draws. A catalog change without a regeneration
 * fails here, with no engine needed.
 */
class CatalogFixturesTest {

  private static final List<String> ENGINES = Engines.ids();

  private static Path fixtures() {
    return Path.of(System.getProperty("conformance.fixtures", "fixtures"));
  }

  @TestFactory
  Stream<DynamicTest> fixturesMatchTheCatalog() {
    return ENGINES.stream().flatMap(engine -> Catalog.ops().stream().map(op -> DynamicTest.dynamicTest(engine + " | " + op, () -> {
      FixtureFile f = FixtureReader.read(fixtures().resolve(engine).resolve(op + ".json"));
      List<Case> cases = Catalog.cases(op);
      assertEquals(cases.stream().map(Case::id).toList(), f.cases().stream().map(FixtureCase::id).toList(),
          "case ids of fixtures/" + engine + "/" + op + ".json; regenerate with generator/regenerate");
      for (int i = 0; i < cases.size(); i++) {
        Call c = cases.get(i).call(engine);
        FixtureCase g = f.cases().get(i);
        String id = cases.get(i).id();
        assertEquals(c.api(), g.api(), id);
        assertEquals(c.params(), g.params(), id + " params");
        assertEquals(c.inputs(), g.inputs(), id + " inputs differ from the catalog's draws");
        assertEquals(c.unsupported() != null, g.unsupported() != null, id + " unsupported in the catalog but not in the fixture, or the reverse");
      }
    })));
  }

  @Test
  void seedsAreFixedByTheCaseIdAlone() {
    // FNV-1a 64 of "" is the offset basis; of "a" it is the published test vector 0xaf63dc4c8601ec8c
    assertEquals(0xcbf29ce484222325L, CaseBuilder.seed(""));
    assertEquals(0xaf63dc4c8601ec8cL, CaseBuilder.seed("a"));
  }

  @Test
  void theFoundationHasAtLeast300Cases() {
    long n = Catalog.ops().stream().mapToLong(op -> Catalog.cases(op).size()).sum();
    org.junit.jupiter.api.Assertions.assertTrue(n >= 300, n + " cases");
  }
}
