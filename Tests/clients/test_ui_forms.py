"""Every GET form of both web UIs, submitted by a real browser (Chromium encodes spaces as `+`
and quotes as %27), with names that need escaping: experiment and model searches with an
apostrophe, the runs filter (empty and with spaces), sorting, compare, the DAG filters and the
graph's run picker."""
from urllib.parse import urlparse

from mlflow.tracking import MlflowClient
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import gone
from test_docs_browser import browser  # noqa: F401  (the fixture)


def submit(browser, form_css, **fields):
    form = browser.find_element(By.CSS_SELECTOR, form_css)
    for name, value in fields.items():
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 15).until(gone(form))


def click_and_wait(browser, element):
    element.click()
    WebDriverWait(browser, 15).until(gone(element))


def main_text(browser):
    return browser.find_element(By.TAG_NAME, "main").text


def test_tracking_ui_get_forms(stack, browser):  # noqa: F811
    tracking = stack.url("tracking")
    client = MlflowClient(tracking_uri=tracking)
    experiment = client.create_experiment("Ada's line")
    runs = []
    for alpha in ["0.5", "1.5"]:
        run = client.create_run(experiment, run_name=f"alpha {alpha}")
        client.log_param(run.info.run_id, "alpha", alpha)
        client.log_metric(run.info.run_id, "r2", float(alpha) / 2)
        client.set_terminated(run.info.run_id)
        runs.append(run.info.run_id)
    client.create_registered_model("O'Brien model")
    client.create_model_version("O'Brien model", source=f"mlflow-artifacts:/{experiment}/{runs[0]}/artifacts/model", run_id=runs[0])

    browser.get(tracking + "/experiments")
    submit(browser, "form[role=search]", q="Ada's")
    assert "q=Ada%27s" in browser.current_url
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Ada's line"))

    # Search with an empty filter: the browser sends `filter=&order=attributes.start_time+DESC`.
    submit(browser, "form[role=search]", filter="")
    assert "+DESC" in browser.current_url
    assert "Invalid filter" not in main_text(browser)
    assert "alpha 0.5" in main_text(browser) and "alpha 1.5" in main_text(browser)

    submit(browser, "form[role=search]", filter="params.alpha = '0.5' and metrics.r2 < 1")
    text = main_text(browser)
    assert "Invalid filter" not in text and "alpha 0.5" in text and "alpha 1.5" not in text

    submit(browser, "form[role=search]", filter="params.alpha = ")
    assert browser.find_element(By.CSS_SELECTOR, "p.banner[role=alert]").text

    # Sorting keeps the filter; then select both runs and compare them (a GET form of checkboxes).
    submit(browser, "form[role=search]", filter="")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "r2"))
    assert "Invalid filter" not in main_text(browser)
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=runs]"):
        box.click()
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[.='Compare selected']"))
    assert urlparse(browser.current_url).path == "/compare"
    assert "alpha 0.5" in main_text(browser) and "alpha 1.5" in main_text(browser)

    browser.get(tracking + "/models")
    submit(browser, "form[role=search]", q="O'Brien")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "O'Brien model"))
    assert "Version" in main_text(browser) or "version" in main_text(browser)
    assert browser.find_elements(By.CSS_SELECTOR, f"a[href='/runs/{runs[0]}']")


def test_orchestrator_ui_get_forms(stack, browser):  # noqa: F811
    base = stack.url("orchestrator")
    wait = WebDriverWait(browser, 30)
    browser.get(base + "/login?next=/dags%3Fsearch%3Dexample%2Bhello")
    browser.find_element(By.ID, "username").send_keys("alice")
    browser.find_element(By.ID, "password").send_keys("bob")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "form[role=search]")))

    submit(browser, "form[role=search]", search="hello")
    assert "example_hello" in main_text(browser) and "alpha_orchestrated_experiment" not in main_text(browser)
    submit(browser, "form[role=search]", search="no such dag at all")
    assert "example_hello" not in main_text(browser)

    # A run to pick in the graph's run selector.
    browser.get(base + "/dags/example_hello/trigger")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button.primary"))
    browser.get(base + "/dags/example_hello/graph")
    select = Select(browser.find_element(By.NAME, "run"))
    run_id = select.options[0].get_attribute("value")
    select.select_by_value(run_id)
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[.='Show']"))
    assert "run=" in browser.current_url and browser.find_elements(By.CSS_SELECTOR, "svg rect")


def test_tracking_ui_fits_a_phone(stack, browser):  # noqa: F811
    """Every page of the tracking UI fits a 390 px wide screen: wide tables scroll inside their own
    container, and the runs filter shrinks to the screen."""
    tracking = stack.url("tracking")
    client = MlflowClient(tracking_uri=tracking)
    experiment = client.create_experiment("a phone's width")
    runs = []
    for index in range(3):
        run = client.create_run(experiment, run_name=f"a rather long run name {index}")
        for key in ["alpha", "degree", "model", "samples", "commit"]:
            client.log_param(run.info.run_id, key, f"{key}-value-{index}")
        for key in ["test-R2-score", "train-R2-score", "rmse", "mae"]:
            client.log_metric(run.info.run_id, key, 0.123456789 * (index + 1))
        client.set_terminated(run.info.run_id)
        runs.append(run.info.run_id)
    client.create_registered_model("line-model")
    client.create_model_version("line-model", source=f"mlflow-artifacts:/{experiment}/{runs[0]}/artifacts/model", run_id=runs[0])

    browser.set_window_size(390, 844)
    assert browser.execute_script("return window.innerWidth") == 390
    for page in ["/experiments", f"/experiments/{experiment}", f"/runs/{runs[0]}", "/models", "/models/line-model",
                 f"/compare?runs={runs[0]}&runs={runs[1]}&runs={runs[2]}"]:
        browser.get(tracking + page)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, f"{page} is {width} px wide"
