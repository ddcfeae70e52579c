"""The web application in a real browser (headless chromium): a customer's, a terminal's and an
admin's journeys, and what the browser must refuse. A failing test leaves a screenshot and the
page source in .local/e2e-artifacts/."""

from __future__ import annotations

import io
import uuid

import pytest
import requests
from PIL import Image

import commerce
import ticketing
from commerce import admin_token
from identity import admin_credentials, get, new_password, unique_email
from web import BASE, Page, chromium


@pytest.fixture
def page(request):
    driver = chromium()
    try:
        yield Page(driver)
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            Page(driver).save(request.node.name)
        driver.quit()


def stocked_cafe(*products: dict, quantity: int = 20) -> commerce.Cafe:
    cafe = commerce.new_cafe("web")
    for product in products:
        commerce.restock(cafe.id, product["id"], quantity)
    return cafe


def png(tmp_path) -> str:
    path = tmp_path / "avatar.png"
    Image.new("RGB", (64, 64), (30, 90, 160)).save(path, format="PNG")
    return str(path)


def test_a_customer_orders_pays_uploads_an_avatar_buys_a_ticket_and_signs_out(page: Page, tmp_path) -> None:
    category = f"web-{uuid.uuid4().hex[:6]}"
    coffee = commerce.new_product("coffee", category=category, price_cents=250)
    cake = commerce.new_product("cake", category=category, price_cents=400)
    cafe = stocked_cafe(coffee, cake)
    event, _ = ticketing.new_event(capacity=5)
    email, password = unique_email("web"), new_password()

    page.open("/register")
    page.fill("Name", "Web Customer")
    page.fill("Email", email)
    page.fill("Password (at least 8 characters)", password)
    page.click("Register")
    page.heading("Menu")

    page.fill("Category", category)
    page.click("Search")
    page.wait_for_text(coffee["name"])
    page.click("Add to cart", page.driver.find_element("xpath", f"//li[.//a[text()='{coffee['name']}']]"))
    page.click("Add to cart", page.driver.find_element("xpath", f"//li[.//a[text()='{cake['name']}']]"))
    page.go("/cart")
    page.heading("Cart")
    page.fill("Café", f"{cafe.name} — web street 1")
    page.click("Place order")
    page.heading("Order")
    page.wait_for_text("paid", timeout=30)
    order_id = page.driver.current_url.rsplit("/", 1)[1]

    page.go("/orders")
    page.heading("Orders")
    page.wait_for_text("paid")
    assert get(f"/api/orders/{order_id}", token=admin_token()).json()["status"] == "paid"

    page.go("/profile")
    page.heading("Profile")
    page.labelled("New avatar (PNG, JPEG, WebP or GIF, up to 5 MB)").send_keys(png(tmp_path))
    page.click("Upload avatar")
    page.wait_for_text("Remove avatar")

    page.go("/client")
    page.heading("Ticket profile")
    page.fill("First name", "Web")
    page.click("Create profile")
    page.wait_for_text("Your public page")
    page.go(f"/events/{event['id']}")
    page.heading(event["name"])
    page.click("Buy a ticket")
    page.heading("Tickets")
    page.wait_for_text("Cancel ")

    session = page.cookie("platform_session")
    assert session and requests.get(f"{BASE}/api/auth/me", cookies={"platform_session": session}, timeout=10).status_code == 200
    page.sign_out()
    page.heading("Sign in")
    assert page.cookie("platform_session") is None
    assert requests.get(f"{BASE}/api/auth/me", cookies={"platform_session": session}, timeout=10).status_code == 401


def test_a_terminal_sells_and_restocks_a_low_product(page: Page) -> None:
    tea = commerce.new_product("tea", category=f"web-{uuid.uuid4().hex[:6]}", price_cents=180)
    cafe = stocked_cafe(tea, quantity=6)
    page.open("/terminal")
    page.fill("Café", cafe.name)
    page.fill("Access code", cafe.code)
    page.click("Open the terminal")
    page.heading("Sell")
    page.driver.find_element("xpath", f"//button[span[text()='{tea['name']}']]").click()
    page.driver.find_element("xpath", f"//button[span[text()='{tea['name']}']]").click()
    page.click("Sell")
    page.wait_for_text("Sold:")
    assert commerce.quantity(cafe.id, tea["id"]) == 4
    page.go("/pos/stock")
    page.heading("Stock")
    page.wait_for_text("Low stock")
    page.click(f"Restock {tea['name']}")
    page.wait_for_text("14")
    assert commerce.quantity(cafe.id, tea["id"]) == 14


def test_an_admin_creates_a_product_and_a_cafe_restocks_sees_the_sale_and_changes_a_role(page: Page) -> None:
    email, password = admin_credentials()
    page.sign_in(email, password)
    name = f"Web scone {uuid.uuid4().hex[:6]}"
    page.go("/staff/products")
    page.heading("Products")
    form = page.driver.find_element("xpath", "//h2[text()='New product']/following-sibling::form[1]")
    page.fill("Name", name, form)
    page.fill("Category", "web-bakery", form)
    page.fill("Price in cents", "350", form)
    page.click("Create product", form)
    page.wait_for_text(name)

    cafe_name = f"Web café {uuid.uuid4().hex[:6]}"
    page.go("/admin/cafes")
    page.heading("Cafés")
    form = page.driver.find_element("xpath", "//h2[text()='New café']/following-sibling::form[1]")
    page.fill("Name", cafe_name, form)
    page.fill("Address", "Web street 2", form)
    page.fill("Access code for its terminals", commerce.new_code(), form)
    page.click("Create café", form)
    page.wait_for_text(cafe_name)

    page.go("/staff/stock")
    page.heading("Stock")
    page.fill("Café", cafe_name)
    product = next(p for p in get("/api/products?search=" + name.replace(" ", "%20")).json()["items"])
    cafe = next(c for c in get("/api/locations").json()["items"] if c["name"] == cafe_name)
    commerce.restock(cafe["id"], product["id"], 1)  # the café stocks it: the page lists it
    page.go("/staff/orders")
    page.go("/staff/stock")
    page.fill("Café", cafe_name)
    page.click(f"Restock {name}")
    page.wait_for_text("11")

    buyer = commerce.new_customers(1)[0]
    order = commerce.order_placed(buyer.access_token, cafe["id"], product["id"], 2)
    commerce.wait_for_order(order["id"], "paid")
    page.go("/admin")
    page.heading("Dashboard")
    page.wait_for_text(cafe_name)
    summary = get("/api/admin/analytics/summary", token=admin_token()).json()

    def card(title: str) -> str:
        return page.driver.find_element("xpath", f"//div[h2[text()='{title}']]/p[@class='metric']").text

    assert card("Orders") == str(summary["order_count"])
    assert card("Sales this month") == f"€{summary['total_sales_cents'] / 100:,.2f}"
    assert card("Top café") == summary["top_location"]["name"]

    page.go("/admin/users")
    page.heading("Users")
    page.fill("Email contains", buyer.email)
    page.click("Filter")
    page.wait_for_text(buyer.email)
    page.driver.find_element("xpath", f"//summary[text()='Change {buyer.email}']").click()
    page.labelled("staff").click()
    page.click("Save roles")
    page.wait_for_text("customer, staff")
    assert sorted(get(f"/api/admin/users/{buyer.id}", token=admin_token()).json()["roles"]) == ["customer", "staff"]


def test_markup_in_a_product_name_is_shown_as_text(page: Page) -> None:
    name = f"<img src=x onerror=alert(1)> {uuid.uuid4().hex[:6]}"
    response = requests.post(f"{BASE}/api/products", json={"name": name, "category": "web-xss", "price_cents": 100},
                             headers={"Authorization": f"Bearer {admin_token()}"}, timeout=10)
    assert response.status_code == 201, response.text
    page.open(f"/products/{response.json()['id']}")
    assert page.heading() == name
    assert page.driver.find_elements("css selector", "main img[src='x']") == []


def test_a_cross_site_post_with_the_cookie_is_refused(page: Page) -> None:
    email, password = admin_credentials()
    page.sign_in(email, password)
    session, csrf = page.cookie("platform_session"), page.cookie("platform_csrf")
    cookies = {"platform_session": session, "platform_csrf": csrf}
    body = {"name": "forged", "address": "x", "access_code": "forged-code-1"}
    no_token = requests.post(f"{BASE}/api/locations", json=body, cookies=cookies, timeout=10)
    assert no_token.status_code == 403, no_token.text
    other_site = requests.post(f"{BASE}/api/locations", json=body, cookies=cookies, timeout=10,
                               headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"})
    assert other_site.status_code == 403, other_site.text
    # A form on another site posting with the browser's own cookies.
    page.driver.get("data:text/html,<form method=post action='" + BASE + "/api/auth/browser/logout'></form>"
                    "<script>document.forms[0].submit()</script>")
    page.driver.get(f"{BASE}/api/auth/me")
    assert '"email"' in page.driver.page_source  # still signed in


def test_a_customer_on_an_admin_page_is_not_allowed_and_gets_no_data(page: Page) -> None:
    customer = commerce.new_customers(1)[0]
    page.sign_in(customer.email, customer.password)
    page.go("/admin/users")
    page.heading("Not allowed")
    assert "You are not allowed" in page.main_text()


def test_the_sign_in_page_is_light_and_never_calls_another_origin(page: Page) -> None:
    page.open("/signin")
    entries = page.driver.execute_script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".map(e => ({name: e.name, size: e.transferSize}))")
    assert all(entry["name"].startswith(BASE + "/") for entry in entries), entries
    total = sum(entry["size"] for entry in entries)
    assert 0 < total <= 150 * 1024, f"{total} bytes transferred: {entries}"
