"""Both web UIs in a real headless browser: log in as alice, trigger the example DAG with a changed
commit in the config form, watch the run and the grid turn green, open the training task's log,
follow the link to the tracking run, see its metric chart and the registered model, and go back.
Screenshots of the pages land in FLOWLINE_SCREENSHOTS (default: a temporary folder)."""
import os
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import RunningFlowline, gone
from test_docs_browser import browser  # noqa: F401  (the fixture)


def commit(stack, name):
    return re.search(rf"^  {name} +([0-9a-f]{{40}})", stack.output, re.M).group(1)


def test_log_in_trigger_with_config_and_read_the_log(stack, browser, tmp_path):  # noqa: F811
    shots = os.environ.get("FLOWLINE_SCREENSHOTS", str(tmp_path))
    os.makedirs(shots, exist_ok=True)
    base = stack.url("orchestrator")
    wait = WebDriverWait(browser, 30)

    browser.get(base + "/dags")
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("alice")
    browser.find_element(By.ID, "password").send_keys("bob")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.LINK_TEXT, "alpha_orchestrated_experiment")))
    browser.save_screenshot(os.path.join(shots, "dags.png"))

    browser.find_element(By.LINK_TEXT, "alpha_orchestrated_experiment").click()
    browser.find_element(By.LINK_TEXT, "Trigger…").click()
    field = browser.find_element(By.ID, "param-commit")
    field.clear()
    field.send_keys(commit(stack, "linear"))
    browser.save_screenshot(os.path.join(shots, "trigger.png"))
    browser.find_element(By.CSS_SELECTOR, "form button.primary").click()

    # The run page: reload until every task is green.
    def finished(driver):
        driver.refresh()
        states = [e.get_attribute("class") for e in driver.find_elements(By.CSS_SELECTOR, "tbody .state")]
        return len(states) == 5 and all("success" in s for s in states)
    wait.until(finished)
    browser.save_screenshot(os.path.join(shots, "run.png"))

    browser.find_element(By.LINK_TEXT, "model_training").click()
    log = browser.find_element(By.CSS_SELECTOR, "#task-log, #live-log").text
    assert "Using commit " + commit(stack, "linear") in log
    assert "model-gitsha: " + commit(stack, "linear") in log
    assert "Rendered templates" in browser.page_source
    browser.save_screenshot(os.path.join(shots, "task.png"))

    # From the task to its tracking run: metric charts, source commit, the registered model.
    tracking = stack.url("tracking")
    browser.find_element(By.XPATH, "//dt[.='Tracking run']/following-sibling::dd/a").click()
    assert browser.current_url.startswith(tracking + "/runs/")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "test-R2-score" in page and commit(stack, "linear") in page
    assert browser.find_elements(By.CSS_SELECTOR, "main table svg")
    browser.save_screenshot(os.path.join(shots, "tracking-run.png"))
    browser.find_element(By.PARTIAL_LINK_TEXT, "line-model version 1").click()
    assert "@champion" in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(os.path.join(shots, "model.png"))
    browser.get(tracking + "/experiments")
    browser.find_element(By.LINK_TEXT, "alpha_orchestrated_experiment").click()
    assert browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    browser.save_screenshot(os.path.join(shots, "experiment.png"))
    # …and back to the DAG run that produced it.
    browser.get(browser.find_element(By.CSS_SELECTOR, "tbody a[href^='/runs/']").get_attribute("href"))
    browser.find_element(By.PARTIAL_LINK_TEXT, "alpha_orchestrated_experiment › ").click()
    assert browser.current_url.startswith(base + "/dags/alpha_orchestrated_experiment/runs/")

    # Dark mode follows the system setting.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    browser.get(base + "/dags")
    assert browser.execute_script("return getComputedStyle(document.body).backgroundColor") == "rgb(18, 22, 29)"
    browser.save_screenshot(os.path.join(shots, "dark-dags.png"))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})

    # A phone's width: nothing wider than the screen but the tables, which scroll on their own.
    browser.set_window_size(390, 844)
    for page in ["/dags", "/dags/alpha_orchestrated_experiment", "/dags/alpha_orchestrated_experiment/trigger"]:
        browser.get(base + page)
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), page
    browser.save_screenshot(os.path.join(shots, "phone-dags.png"))

    browser.get(base + "/dags/alpha_orchestrated_experiment")
    cells = browser.find_elements(By.CSS_SELECTOR, "table.grid tbody a.state")
    assert cells and all("success" in c.get_attribute("class") for c in cells)
    browser.save_screenshot(os.path.join(shots, "grid.png"))
    browser.get(base + "/dags/alpha_orchestrated_experiment/graph")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg rect")) == 5
    browser.save_screenshot(os.path.join(shots, "graph.png"))

    # The workers page: the server's own executor, its counts; maintenance on and off by its form.
    browser.set_window_size(1280, 900)
    browser.get(base + "/workers")
    row = browser.find_element(By.XPATH, "//tbody/tr[td/span[.='local']]")
    assert "idle" in row.text and re.search(r"\b0 / [1-9]", row.text)
    row.find_element(By.NAME, "comment").send_keys("disk <swap>")
    button = row.find_element(By.CSS_SELECTOR, "button[type=submit]")
    button.click()
    wait.until(gone(button))  # the form posted and the page came back
    row = wait.until(EC.presence_of_element_located((By.XPATH, "//tbody/tr[td/span[.='local']]")))
    assert "maintenance" in row.text and "disk <swap>" in row.text
    browser.save_screenshot(os.path.join(shots, "workers.png"))
    button = row.find_element(By.XPATH, ".//button[.='End maintenance']")
    button.click()
    wait.until(gone(button))
    assert "End maintenance" not in wait.until(EC.presence_of_element_located((By.TAG_NAME, "main"))).text



TICKER_DAG = """tasks:
  - {id: ticker, operator: bash, command: 'for i in $(seq 1 80); do echo "line $i"; sleep 0.04; done'}
"""


def test_live_log_shows_every_line_once(workdir, browser):  # noqa: F811
    """The task page of a running task follows its log: the lines written between the page being
    built and the stream connecting (here over a slow network) are neither lost nor doubled."""
    dags = os.path.join(workdir, "dags")
    os.makedirs(dags)
    with open(os.path.join(dags, "ticker.yaml"), "w") as file:
        file.write(TICKER_DAG)
    server = RunningFlowline(["server", "--port", "0", "--data-dir", os.path.join(workdir, "data"), "--dags-folder", dags,
                              "--no-examples", "--log-level", "warning"], workdir)
    try:
        base = server.url("orchestrator")
        wait = WebDriverWait(browser, 30)
        browser.get(base + "/login")
        browser.find_element(By.ID, "username").send_keys("alice")
        browser.find_element(By.ID, "password").send_keys("bob")
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.LINK_TEXT, "ticker")))
        browser.get(base + "/dags/ticker/trigger")
        browser.find_element(By.CSS_SELECTOR, "form button.primary").click()
        wait.until(lambda driver: "/runs/" in driver.current_url)
        task_page = browser.current_url.split("?")[0] + "/tasks/ticker"
        # Every response comes 150 ms late: the script, and so the stream, start well after the page.
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.emulateNetworkConditions",
                                {"offline": False, "latency": 150, "downloadThroughput": -1, "uploadThroughput": -1})

        def live(driver):
            driver.get(task_page)
            return driver.find_elements(By.ID, "live-log")
        wait.until(live)
        wait.until(EC.text_to_be_present_in_element((By.ID, "live-state"), "finished"))
        text = browser.find_element(By.ID, "live-log").text
        numbers = [int(n) for n in re.findall(r"stdout: line (\d+)$", text, re.M)]
        assert numbers == list(range(1, 81)), numbers
    finally:
        server.stop()
