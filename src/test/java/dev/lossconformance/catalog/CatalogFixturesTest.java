package dev.lossconformance.catalog;

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

  private static Path fixtures() {
    return Path.of(System.getProperty("conformance.fixtures", "fixtures"));
  }

  @TestFactory
  Stream<DynamicTest> torchFixturesMatchTheCatalog() {
    return Catalog.ops().stream().map(op -> DynamicTest.dynamicTest("torch | " + op, () -> {
      FixtureFile f = FixtureReader.read(fixtures().resolve("torch").resolve(op + ".json"));
      List<Case> cases = Catalog.cases(op);
      assertEquals(cases.stream().map(Case::id).toList(), f.cases().stream().map(FixtureCase::id).toList(),
          "case ids of fixtures/torch/" + op + ".json; regenerate with generator/regenerate");
      for (int i = 0; i < cases.size(); i++) {
        Case c = cases.get(i);
        FixtureCase g = f.cases().get(i);
        assertEquals(c.api(), g.api(), c.id());
        assertEquals(c.params(), g.params(), c.id() + " params");
        assertEquals(c.inputs(), g.inputs(), c.id() + " inputs differ from the catalog's draws");
      }
    }));
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
