// Screens for everyone: the menu, a product, sign-in and registration.
import { get, post, query } from "./api.js";
import { field, form, h, loading, money, pager, render, toast } from "./dom.js";
import { add } from "./cart.js";
import { go, session, start } from "./app.js";

export async function menu() {
  const state = { search: "", category: "", page: 1 };
  const results = h("div", {}, loading());
  const categories = await get("/api/categories");
  const search = field("Search", "search", { type: "search", placeholder: "Name or description" });
  const category = field("Category", "category", { options: [["", "All categories"], ...categories.items.map((c) => [c.name, c.name])] }, "select");
  const filters = h("form", { class: "row", role: "search" }, h("div", {}, search), h("div", {}, category), h("div", {}, h("button", { type: "submit" }, "Search")));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    state.search = filters.elements.search.value.trim();
    state.category = filters.elements.category.value;
    state.page = 1;
    load();
  });
  render(h("h1", {}, "Menu"), filters, results);

  async function load() {
    results.replaceChildren(loading());
    const page = await get(`/api/products${query({ search: state.search, category: state.category, page: state.page, page_size: 12 })}`);
    if (page.items.length === 0) {
      results.replaceChildren(h("p", { class: "empty" }, state.search || state.category ? "No product matches this search." : "The menu is empty for now."));
      return;
    }
    results.replaceChildren(
      h("ul", { class: "grid", role: "list" }, page.items.map((product) => h("li", { class: "card product" },
        h("h2", {}, h("a", { href: `#/products/${product.id}` }, product.name)),
        h("p", { class: "muted" }, product.category),
        h("p", { class: "price" }, money(product.price_cents, product.currency)),
        session.user ? h("button", { type: "button", onclick: () => { add(product); toast(`${product.name} added to the cart`); } }, "Add to cart") : null))),
      pager(page, (next) => { state.page = next; load(); }));
  }
  await load();
}

export async function product(id) {
  const item = await get(`/api/products/${encodeURIComponent(id)}`);
  const quantity = field("Quantity", "quantity", { type: "number", min: 1, max: 99, value: "1" });
  render(
    h("p", {}, h("a", { href: "#/" }, "← Menu")),
    h("h1", {}, item.name),
    h("p", { class: "muted" }, item.category),
    h("p", {}, item.description || "No description."),
    h("p", { class: "price" }, money(item.price_cents, item.currency)),
    item.active ? null : h("p", { class: "form-error" }, "This product is no longer sold."),
    session.user && item.active
      ? form([quantity], "Add to cart", async (values) => { add(item, values.quantity ?? 1); toast(`${item.name} added to the cart`); })
      : h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " to order."));
}

export async function signIn() {
  render(
    h("h1", {}, "Sign in"),
    form([field("Email", "email", { type: "email", autocomplete: "email", required: true }),
      field("Password", "password", { type: "password", autocomplete: "current-password", required: true })],
    "Sign in", async (values) => {
      await post("/api/auth/browser/login", { email: values.email ?? "", password: values.password ?? "" });
      localStorage.removeItem("terminal");
      await start();
      go("#/");
    }),
    h("p", {}, "No account yet? ", h("a", { href: "#/register" }, "Register")));
}

export async function register() {
  render(
    h("h1", {}, "Register"),
    form([field("Name", "name", { autocomplete: "name", required: true }),
      field("Username (optional)", "username", { autocomplete: "username" }),
      field("Email", "email", { type: "email", autocomplete: "email", required: true }),
      field("Password (at least 8 characters)", "password", { type: "password", autocomplete: "new-password", required: true })],
    "Register", async (values) => {
      await post("/api/auth/register", values);
      // Auth learns of the account through an event, within a moment: sign in after short
      // pauses, few times (every refused attempt counts against the login throttle).
      for (const pause of [150, 400, 1000, 2500]) {
        await new Promise((resolve) => setTimeout(resolve, pause));
        try {
          await post("/api/auth/browser/login", { email: values.email, password: values.password });
          await start();
          go("#/");
          return;
        } catch (error) {
          if (error.status !== 401) break;
        }
      }
      toast("Registered. Please sign in.");
      go("#/signin");
    }));
}
