package dev.lossconformance.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.impl.AdapterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The committed overview {@code reports/implementations/index.html} (written by implementations/run) in
 * headless Chromium: one row per adapter folder under {@code implementations/}, and every cell's link
 * opens that implementation's report at the loss's rows.
 */
class ImplementationsBrowserIT {
  private static ChromeDriver driver;
  private static Path page;

  @BeforeAll
  static void open() throws Exception {
    page = Path.of(System.getProperty("conformance.reports", "reports"), "implementations", "index.html")
        .toAbsolutePath();
    assertTrue(Files.isRegularFile(page), "no overview at " + page + ": implementations/run writes it");
    driver = Chromium.open(page);
  }

  @AfterAll
  static void close() {
    if (driver != null) {
      driver.quit();
    }
  }

  @Test
  void oneRowPerAdapterAndNoConsoleErrors() throws Exception {
    assertEquals(List.of(), Chromium.consoleErrors(driver));
    List<String> expected = new ArrayList<>();
    for (Path folder : AdapterConfig.folders(Path.of("implementations"))) {
      expected.add(AdapterConfig.read(folder).name());
    }
    assertFalse(expected.isEmpty(), "no adapter under implementations/");
    List<String> shown = driver.findElements(By.cssSelector("#matrix tbody tr")).stream()
        .map(r -> r.getAttribute("data-impl")).toList();
    assertEquals(expected, shown);
  }

  @Test
  void everyCellLinksToTheLossRowsOfThatImplementationsReport() {
    List<String[]> links = new ArrayList<>();
    for (WebElement a : driver.findElements(By.cssSelector("#matrix td.cell a"))) {
      links.add(new String[] {a.getAttribute("href"), a.findElement(By.xpath("..")).getAttribute("data-loss")});
    }
    assertFalse(links.isEmpty(), "no cell links");
    for (String[] l : links) {
      driver.get(l[0]);
      List<WebElement> target = driver.findElements(By.id("loss-" + l[1]));
      assertEquals(1, target.size(), l[0] + " has no element #loss-" + l[1]);
    }
    driver.get(page.toUri().toString());
  }
}
