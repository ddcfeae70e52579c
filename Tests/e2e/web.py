"""A real browser (Debian's chromium, headless, through chromium-driver) on the gateway's web
application, with the waits the tests share."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import stack

BASE = stack.http_url("gateway", "").rstrip("/")
ARTIFACTS = Path(os.environ.get("PLATFORM_LOCAL_DIR", stack.ROOT / ".local")) / "e2e-artifacts"
WAIT = 15
# The application redraws whole pages: an element found a moment ago may be gone.
REDRAWN = (StaleElementReferenceException,)


def chromium(width: int = 1280, height: int = 900, *, phone: bool = False) -> webdriver.Chrome:
    """Headless chromium; `phone` emulates a phone's screen (a desktop window cannot be narrower than 500 px)."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    if phone:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}})
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver


class Page:
    """The browser on one page of the application, with waits instead of sleeps."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    def open(self, hash_path: str = "/") -> None:
        self.driver.get(f"{BASE}/#{hash_path}")
        self.heading()

    def go(self, hash_path: str) -> None:
        """Navigates inside the application and waits until the old page is gone."""
        old = self.driver.find_elements(By.CSS_SELECTOR, "main h1")
        if self.driver.execute_script("return location.hash") == f"#{hash_path}":
            return
        self.driver.execute_script("location.hash = arguments[0]", hash_path)
        if old:
            WebDriverWait(self.driver, WAIT).until(EC.staleness_of(old[0]), f"{hash_path} was never drawn")

    def heading(self, text: str | None = None) -> str:
        """The page's h1 once it is drawn (and says `text`, when given)."""
        def ready(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, "main h1"):
                if text is None or text in element.text:
                    return element.text
            return False
        return WebDriverWait(self.driver, WAIT, ignored_exceptions=REDRAWN).until(ready, f"no heading {text!r}")

    def sign_in(self, email: str, password: str) -> None:
        self.open("/signin")
        self.fill("Email", email)
        self.fill("Password", password)
        self.click("Sign in")
        self.heading("Menu")

    def sign_out(self) -> None:
        self.driver.find_element(By.XPATH, "//nav//button[text()='Sign out']").click()

    def fill(self, label: str, value: str, within: WebElement | None = None) -> None:
        field = self.labelled(label, within)
        if field.tag_name == "select":
            Select(field).select_by_visible_text(value)
        else:
            field.clear()
            field.send_keys(value)

    def labelled(self, label: str, within: WebElement | None = None) -> WebElement:
        root = within or self.driver
        def find(_):
            for element in root.find_elements(By.TAG_NAME, "label"):
                if element.text.strip() == label:
                    return self.driver.find_element(By.ID, element.get_attribute("for"))
            return False
        return WebDriverWait(self.driver, WAIT, ignored_exceptions=REDRAWN).until(find, f"no field labelled {label!r}")

    def click(self, text: str, within: WebElement | None = None) -> None:
        """Clicks a button or link of the page's content (not of the menu bar) by its text."""
        root = within or self.driver.find_element(By.TAG_NAME, "main")
        def find(_):
            for element in root.find_elements(By.XPATH, ".//button | .//a"):
                if element.text.strip() == text and element.is_displayed() and element.is_enabled():
                    return element
            return False
        WebDriverWait(self.driver, WAIT, ignored_exceptions=REDRAWN).until(find, f"no button or link {text!r}").click()

    def wait_for_text(self, text: str, timeout: float = WAIT) -> None:
        WebDriverWait(self.driver, timeout, ignored_exceptions=REDRAWN).until(
            EC.text_to_be_present_in_element((By.TAG_NAME, "main"), text), f"{text!r} never appeared")

    def main_text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "main").text

    def cookie(self, name: str) -> str | None:
        found = self.driver.get_cookie(name)
        return found["value"] if found else None

    def save(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        (ARTIFACTS / f"{name}.html").write_text(self.driver.page_source)
        return path
