"""Every screen of the web application as a PNG, at desktop and phone width (scripts/screenshots).
It makes what the screens need (a café with stock, an order, an event, a ticket) through the API."""

from __future__ import annotations

import sys
from pathlib import Path

import commerce
import ticketing
from identity import admin_credentials
from web import Page, chromium

PUBLIC = ["/", "/signin", "/register", "/terminal", "/events"]
CUSTOMER = ["/cart", "/orders", "/profile", "/sessions", "/tickets", "/client"]
TERMINAL = ["/pos", "/pos/stock", "/pos/today"]
ADMIN = ["/staff/products", "/staff/stock", "/staff/orders", "/staff/events", "/staff/check-in", "/admin",
         "/admin/cafes", "/admin/users", "/admin/payments", "/admin/clients", "/admin/tickets", "/admin/health"]


def shoot(page: Page, folder: Path, prefix: str, paths: list[str]) -> None:
    for path in paths:
        page.go(path)
        page.heading()
        name = prefix + (path.strip("/").replace("/", "-") or "menu")
        page.driver.save_screenshot(str(folder / f"{name}.png"))
        print(folder / f"{name}.png")


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    product = commerce.new_product("shot")
    cafe = commerce.new_cafe("shots")
    commerce.restock(cafe.id, product["id"], 3)
    event, _ = ticketing.new_event()
    customer, client = ticketing.customer_with_profile("shots")
    commerce.wait_for_order(commerce.order_placed(customer.access_token, cafe.id, product["id"])["id"])
    ticketing.buy(client["id"], customer.access_token, event_id=event["id"])
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
        for who in ("public", "customer", "terminal", "admin"):
            driver = chromium(width, height, phone=label == "phone")
            page = Page(driver)
            try:
                page.open("/")
                if who == "customer":
                    page.sign_in(customer.email, customer.password)
                    page.go(f"/events/{event['id']}")
                    page.heading()
                    shoot(page, folder, f"{label}-customer-", CUSTOMER + [f"/products/{product['id']}"])
                elif who == "terminal":
                    page.open("/terminal")
                    page.fill("Café", cafe.name)
                    page.fill("Access code", cafe.code)
                    page.click("Open the terminal")
                    page.heading("Sell")
                    shoot(page, folder, f"{label}-terminal-", TERMINAL)
                elif who == "admin":
                    page.sign_in(*admin_credentials())
                    shoot(page, folder, f"{label}-admin-", ADMIN)
                else:
                    shoot(page, folder, f"{label}-", PUBLIC)
            finally:
                driver.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
