"""The interactive API docs page in a real headless browser (Debian's chromium), with no
internet access assumed: every resource the page loads comes from the service itself."""
import os
import shutil
from urllib.parse import urlparse

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def chromium_paths():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not browser or not os.path.exists(driver):
        pytest.fail("headless browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    return browser, driver


@pytest.fixture
def browser():
    binary, driver_path = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def send_from_page(browser, operation_id, body):
    """Sends `body` with the operation's form on the docs page; returns the operation's element
    and the response body shown."""
    wait = WebDriverWait(browser, 15)
    operation = wait.until(EC.presence_of_element_located((By.ID, operation_id)))
    if operation.get_attribute("open") is None:
        operation.find_element(By.TAG_NAME, "summary").click()
    editor = operation.find_element(By.TAG_NAME, "textarea")
    editor.clear()
    editor.send_keys(body)
    operation.find_element(By.XPATH, ".//button[contains(., 'Send request')]").click()
    shown = wait.until(lambda d: operation.find_element(By.CLASS_NAME, "response-body"))
    return operation, shown


def test_docs_page_sends_a_request_from_the_browser(samples_url, browser, tmp_path):
    browser.get(f"{samples_url}/docs")
    operation, body = send_from_page(browser, "getSamples", '{"n_samples": 4, "seed": 7}')
    assert "Flowline line samples" in browser.title
    assert '"samples"' in body.text
    assert "200" in operation.text
    browser.save_screenshot(os.environ.get("FLOWLINE_SCREENSHOT", str(tmp_path / "docs.png")))

    # Every resource came from the service: nothing from a CDN or any other host.
    origin = urlparse(samples_url).netloc
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources, "the page loaded no resources at all"
    assert all(urlparse(name).netloc == origin for name in resources), resources
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe


def test_docs_page_opens_the_linked_operation_and_shows_validation_errors(samples_url, browser):
    browser.get(f"{samples_url}/docs#putLineParams")
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "putLineParams").get_attribute("open") is not None)
    operation, body = send_from_page(browser, "putLineParams", '{"gradient": 1}')
    assert "422" in operation.text
    assert "missing" in body.text


def test_docs_page_offers_the_documented_examples(samples_url, browser):
    browser.get(f"{samples_url}/docs#getSamples")
    operation = WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.ID, "getSamples")))
    chooser = operation.find_element(By.TAG_NAME, "select")
    chooser.find_element(By.XPATH, ".//option[contains(., 'Reproducible')]").click()
    assert '"seed": 42' in operation.find_element(By.TAG_NAME, "textarea").get_attribute("value")
