"""Accessibility of the web application, checked in the browser on every screen a customer and an
admin reach: `lang`, one h1 and headings in order, a label for every control, a name for every
button and link, text contrast of WCAG AA, and the core flow by keyboard alone."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import commerce
from identity import admin_credentials
from web import Page, chromium

SCREENS = ["/", "/events", "/cart", "/orders", "/profile", "/sessions", "/tickets", "/client",
           "/staff/products", "/staff/stock", "/staff/orders", "/staff/events", "/staff/check-in", "/admin",
           "/admin/cafes", "/admin/users", "/admin/payments", "/admin/clients", "/admin/tickets", "/admin/health"]

# Runs in the page: what an automated audit can tell about the current screen.
AUDIT = r"""
const problems = [];
if (document.documentElement.lang !== "en") problems.push("no lang");
const main = document.querySelector("main");
const headings = [...main.querySelectorAll("h1, h2, h3, h4")].map((h) => Number(h.tagName[1]));
if (headings.filter((level) => level === 1).length !== 1) problems.push(`h1 count ${headings.filter((l) => l === 1).length}`);
headings.forEach((level, i) => { if (i > 0 && level > headings[i - 1] + 1) problems.push(`heading h${headings[i - 1]} → h${level}`); });
for (const control of document.querySelectorAll("input, select, textarea")) {
  if (control.type === "hidden") continue;
  const labelled = control.getAttribute("aria-label") || (control.id && document.querySelector(`label[for="${control.id}"]`));
  if (!labelled) problems.push(`unlabelled ${control.tagName} ${control.name}`);
}
for (const control of document.querySelectorAll("button, a[href]")) {
  if (!(control.textContent.trim() || control.getAttribute("aria-label"))) problems.push(`nameless ${control.tagName}`);
}
function rgb(text) { const [r, g, b, a = 1] = text.match(/[\d.]+/g).map(Number); return { r, g, b, a }; }
function luminance({ r, g, b }) {
  const [R, G, B] = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * R + 0.7152 * G + 0.0722 * B;
}
function background(element) {
  for (let node = element; node; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.a > 0.5) return colour;
  }
  return { r: 255, g: 255, b: 255 };
}
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const element = walker.currentNode.parentElement;
  if (!walker.currentNode.textContent.trim() || seen.has(element) || !element.checkVisibility()) continue;
  if (element.closest("[disabled], noscript, title")) continue;  // disabled controls are exempt from AA
  seen.add(element);
  const style = getComputedStyle(element);
  const [fg, bg] = [luminance(rgb(style.color)), luminance(background(element))];
  const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} for "${element.textContent.trim().slice(0, 30)}"`);
}
return problems;
"""


@pytest.fixture
def admin_page():
    driver = chromium()
    page = Page(driver)
    page.sign_in(*admin_credentials())
    yield page
    driver.quit()


@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_passes_the_audit(admin_page: Page, screen: str) -> None:
    admin_page.go(screen)
    admin_page.heading()
    assert admin_page.driver.execute_script(AUDIT) == [], screen


def test_signing_in_and_ordering_works_by_keyboard_alone() -> None:
    product = commerce.new_product("keys")
    cafe = commerce.new_cafe("keys")
    commerce.restock(cafe.id, product["id"], 5)
    customer = commerce.new_customers(1)[0]
    driver = chromium()
    page = Page(driver)

    def keys(*sequence) -> None:
        driver.switch_to.active_element.send_keys(*sequence)

    def tab_to(text: str) -> None:
        for _ in range(30):
            keys(Keys.TAB)
            if driver.switch_to.active_element.text == text:
                return
        raise AssertionError(f"{text!r} cannot be reached with Tab")

    try:
        page.open("/signin")
        # A new page puts the keyboard on its heading (and tells screen readers).
        assert driver.switch_to.active_element.text == "Sign in"
        # The skip link (the first stop from the top of the document) leads into the content.
        driver.execute_script("document.querySelector('.skip').focus()")
        assert driver.switch_to.active_element.rect["x"] >= 0  # shown while focused
        keys(Keys.ENTER)
        assert driver.switch_to.active_element.get_attribute("id") == "main"
        assert page.heading() == "Sign in"  # still the same page
        keys(Keys.TAB)  # the first field of the page
        assert driver.switch_to.active_element.get_attribute("name") == "email"
        keys(customer.email, Keys.TAB, customer.password, Keys.ENTER)
        page.heading("Menu")

        page.go(f"/products/{product['id']}")
        page.heading(product["name"])
        tab_to("Add to cart")
        keys(Keys.ENTER)
        page.go("/cart")
        page.heading("Cart")
        for _ in range(30):
            keys(Keys.TAB)
            if driver.switch_to.active_element.get_attribute("name") == "location_id":
                break
        keys(cafe.name)  # a select chooses by typing
        tab_to("Place order")
        keys(Keys.ENTER)
        page.heading("Order")
        page.wait_for_text("paid", timeout=30)
    finally:
        driver.quit()
