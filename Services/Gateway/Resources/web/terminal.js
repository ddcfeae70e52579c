// The café terminal (seed c's point of sale): sign-in with the café's code, selling, stock, today.
import { get, post } from "./api.js";
import { field, form, h, money, render, statusBadge, table, toast } from "./dom.js";
import { go, session, start } from "./app.js";

export async function terminalSignIn() {
  const cafés = (await get("/api/locations")).items.filter((l) => l.active);
  render(h("h1", {}, "Café terminal"),
    form([field("Café", "location_id", { options: [["", "Choose the café"], ...cafés.map((c) => [c.id, c.name])], required: true }, "select"),
      field("Access code", "access_code", { type: "password", autocomplete: "off", required: true })],
    "Open the terminal", async (values) => {
      await post("/api/auth/browser/terminal-login", { location_id: values.location_id ?? "", access_code: values.access_code ?? "" });
      const café = cafés.find((c) => c.id === values.location_id);
      localStorage.setItem("terminal", JSON.stringify({ location_id: café.id, name: café.name }));
      await start();
      go("#/pos");
    }));
}

function terminal() {
  if (!session.terminal) { go("#/terminal"); throw Object.assign(new Error("not a terminal"), { status: 401, humanMessage: "Open the terminal first." }); }
  return session.terminal;
}

export async function sale() {
  const { location_id, name } = terminal();
  const stock = await get(`/api/locations/${location_id}/stock`);
  // What this café has in stock, with the menu's prices.
  const inStock = stock.items.filter((line) => line.quantity > 0);
  const products = { items: (await Promise.all(inStock.map((line) => get(`/api/products/${line.product_id}`).catch(() => null)))).filter(Boolean) };
  const available = new Map(stock.items.map((line) => [line.product_id, line.quantity]));
  const ticket = new Map();  // product id → quantity
  const summary = h("div", { class: "card stack", "aria-live": "polite" });
  const byCategory = Map.groupBy(products.items.filter((p) => p.active), (p) => p.category);

  function redraw() {
    let total = 0;
    const rows = [...ticket].map(([id, quantity]) => {
      const product = products.items.find((p) => p.id === id);
      total += product.price_cents * quantity;
      return h("li", { class: "row" }, `${quantity} × ${product.name}`, money(product.price_cents * quantity, product.currency),
        h("button", { class: "link", type: "button", onclick: () => { change(id, -1); } }, `One less ${product.name}`));
    });
    summary.replaceChildren(h("h2", {}, "Sale"),
      rows.length ? h("ul", {}, rows) : h("p", { class: "muted" }, "Tap products to add them."),
      h("p", { class: "price" }, `Total ${money(total, products.items[0]?.currency ?? "EUR")}`),
      h("button", { type: "button", disabled: rows.length === 0, onclick: sell }, "Sell"),
      h("button", { class: "secondary", type: "button", disabled: rows.length === 0, onclick: () => { ticket.clear(); redraw(); } }, "Clear"));
  }

  function change(id, delta) {
    const next = (ticket.get(id) ?? 0) + delta;
    if (next <= 0) ticket.delete(id); else ticket.set(id, next);
    redraw();
  }

  async function sell() {
    try {
      const order = await post("/api/orders", { items: [...ticket].map(([product_id, quantity]) => ({ product_id, quantity })) });
      ticket.clear();
      redraw();
      summary.prepend(h("p", { role: "alert" }, "Sold: ", statusBadge(order.status), ` ${money(order.total_cents, order.currency)}`));
    } catch (error) {
      summary.prepend(h("p", { class: "form-error", role: "alert" }, error.humanMessage));
    }
  }

  const grid = [...byCategory].map(([category, items]) => h("section", {},
    h("h2", {}, category),
    h("div", { class: "pos-grid" }, items.map((p) => h("button", { type: "button", disabled: (available.get(p.id) ?? 0) <= 0, onclick: () => change(p.id, 1) },
      h("span", {}, p.name), h("span", {}, money(p.price_cents, p.currency)), h("span", { class: "muted" }, `${available.get(p.id) ?? 0} left`))))));
  render(h("h1", {}, `Sell — ${name}`), h("div", { class: "pos-layout" }, h("div", {}, grid), summary));
  redraw();
}

export async function stock() {
  const { location_id, name } = terminal();
  const list = await get(`/api/locations/${location_id}/stock`);
  const low = list.items.filter((line) => line.low_stock);
  render(h("h1", {}, `Stock — ${name}`),
    low.length ? h("p", { class: "form-error", role: "alert" }, `Low stock: ${low.map((l) => l.product_name).join(", ")}`) : h("p", { class: "muted" }, "No product is low."),
    table(["Product", "Category", "Quantity", "Restock"], list.items.map((line) => [
      line.product_name, line.category, line.low_stock ? h("strong", {}, `${line.quantity} (low)`) : String(line.quantity),
      restockForm(location_id, line, stock)]), "This café stocks nothing yet."));
}

/** A small form restocking one product by a quantity (shared by the staff's stock page). */
export function restockForm(locationID, line, after) {
  const id = `restock-${line.product_id}`;
  const input = h("input", { id, type: "number", min: 1, max: 10000, value: "10", "aria-label": `Quantity to add to ${line.product_name}` });
  const element = h("form", { class: "row" }, input, h("button", { type: "submit", class: "secondary" }, `Restock ${line.product_name}`));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/api/locations/${locationID}/restock`, { items: [{ product_id: line.product_id, quantity: Number(input.value) }] });
      toast(`${line.product_name} restocked`);
      after();
    } catch (error) { toast(error.humanMessage); }
  });
  return element;
}

export async function today() {
  const { location_id, name } = terminal();
  const sales = await get(`/api/locations/${location_id}/sales/today`);
  render(h("h1", {}, `Today — ${name}`),
    h("div", { class: "cards" },
      h("div", { class: "card" }, h("p", { class: "muted" }, "Sales"), h("p", { class: "metric" }, money(sales.sales_cents))),
      h("div", { class: "card" }, h("p", { class: "muted" }, "Orders"), h("p", { class: "metric" }, String(sales.order_count)))),
    h("h2", {}, "Most sold"),
    table(["Product", "Quantity"], sales.top_products.map((p) => [p.name, String(p.quantity)]), "No sale yet today."));
}
