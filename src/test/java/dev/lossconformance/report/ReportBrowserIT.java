package dev.lossconformance.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;

/**
 * The report as a person sees it: {@code reports/index.html} (written by the package phase's check
 * run) opened in headless Debian Chromium through Selenium. Needs {@code chromium} and
 * {@code chromium-driver} ({@code .ci/run} installs them); without them the test aborts outside CI and
 * fails in CI.
 */
class ReportBrowserIT {
  private static ChromeDriver driver;
  private static Path page;

  private static Path reports() {
    return Path.of(System.getProperty("conformance.reports", "reports"));
  }

  private static Path target() {
    return Path.of(System.getProperty("conformance.target", "target"));
  }

  @BeforeAll
  static void openReport() throws Exception {
    page = reports().resolve("index.html").toAbsolutePath();
    assertTrue(Files.isRegularFile(page), "no report at " + page + ": the package phase writes it");
    driver = Chromium.open(page);
  }

  @AfterAll
  static void close() {
    if (driver != null) {
      driver.quit();
    }
  }

  /** Ids of the case rows the browser renders (one script call, not a round trip per row). */
  @SuppressWarnings("unchecked")
  private static List<String> visibleCaseIds() {
    return (List<String>) ((JavascriptExecutor) driver).executeScript(
        "return Array.from(document.querySelectorAll('tr.case'))"
            + ".filter(function (r) { return r.getClientRects().length > 0; })"
            + ".map(function (r) { return r.getAttribute('data-id'); });");
  }

  private static long visibleCaseRows() {
    return visibleCaseIds().size();
  }

  @Test
  void pageLoadsWithoutConsoleErrorsAndShowsEveryCase() {
    List<LogEntry> severe = Chromium.consoleErrors(driver);
    assertTrue(severe.isEmpty(), "console errors: " + severe);
    long rows = driver.findElements(By.cssSelector("tr.case")).size();
    assertTrue(rows > 500, "the matrix shows " + rows + " case rows");
    assertEquals(rows, visibleCaseRows(), "every case row is visible before filtering");
  }

  @Test
  void filterBoxNarrowsTheMatrix() {
    long before = visibleCaseRows();
    WebElement filter = driver.findElement(By.id("filter"));
    filter.clear();
    filter.sendKeys("kl_div/worked_example");
    long after = visibleCaseRows();
    assertTrue(after > 0 && after < before, "filter 'kl_div/worked_example' left " + after + " of " + before + " rows");
    for (String id : visibleCaseIds()) {
      assertTrue(id.contains("kl_div/worked_example"), id + " is shown under the filter 'kl_div/worked_example'");
    }
    assertEquals(Long.toString(after), driver.findElement(By.id("visible-count")).getText().trim());
    filter.clear();
    ((JavascriptExecutor) driver).executeScript(
        "document.getElementById('filter').dispatchEvent(new Event('input'))");
    assertEquals(before, visibleCaseRows(), "clearing the filter shows every row again");
  }

  @Test
  void svgChartsRenderWithNonZeroSize() throws Exception {
    List<WebElement> charts = driver.findElements(By.cssSelector("svg.chart"));
    assertTrue(charts.size() >= 2, "expected at least the ULP histogram and the pass-rate chart, found " + charts.size());
    for (WebElement chart : charts) {
      Dimension size = chart.getSize();
      assertTrue(size.getWidth() > 0 && size.getHeight() > 0, "chart rendered at " + size);
    }
    ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Path shot = target().resolve("report-screenshot.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, png);
    assertTrue(png.length > 10_000, "screenshot of " + png.length + " bytes");
  }

  /** Keep a copy of the page next to the screenshot, for a CI artifact. */
  @AfterAll
  static void keepCopy() throws Exception {
    if (page != null && Files.isRegularFile(page)) {
      Files.copy(page, target().resolve("report-index.html"), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
