// Screens of a signed-in customer: cart and checkout, orders, profile, sessions.
import { api, del, get, patch, post, query } from "./api.js";
import { field, form, h, loading, money, pager, render, statusBadge, table, toast, when } from "./dom.js";
import { cart, clear, setLocation, setQuantity } from "./cart.js";
import { go, start } from "./app.js";

const finalStatuses = new Set(["paid", "payment_failed", "cancelled", "refunded"]);

export { cartScreen as cart };
async function cartScreen() {
  const locations = (await get("/api/locations")).items.filter((location) => location.active);
  const value = cart();
  const lines = Object.entries(value.items);
  if (lines.length === 0) {
    return render(h("h1", {}, "Cart"), h("p", { class: "empty" }, "Your cart is empty. ", h("a", { href: "#/" }, "Browse the menu")));
  }
  const total = lines.reduce((sum, [, line]) => sum + line.price_cents * line.quantity, 0);
  const currency = lines[0][1].currency;
  const rows = lines.map(([id, line]) => [
    line.name,
    h("input", { type: "number", min: 0, max: 99, value: String(line.quantity), "aria-label": `Quantity of ${line.name}`,
      onchange: (event) => { setQuantity(id, Number(event.target.value)); cartScreen(); } }),
    money(line.price_cents * line.quantity, line.currency),
    h("button", { class: "link", type: "button", onclick: () => { setQuantity(id, 0); cartScreen(); } }, `Remove ${line.name}`),
  ]);
  const café = field("Café", "location_id", { options: [["", "Choose a café"], ...locations.map((l) => [l.id, `${l.name} — ${l.address}`])], selected: value.location_id, required: true }, "select");
  const payment = field("Payment (test card)", "payment_token", { options: [["tok_ok", "Test card that pays"], ["tok_declined", "Test card that is declined"]] }, "select");
  render(
    h("h1", {}, "Cart"),
    table(["Product", "Quantity", "Price", ""], rows),
    h("p", { class: "price" }, `Total ${money(total, currency)}`),
    form([café, payment], "Place order", async (values) => {
      setLocation(values.location_id ?? "");
      const items = Object.entries(cart().items).map(([product_id, line]) => ({ product_id, quantity: line.quantity }));
      const order = await post("/api/orders", { location_id: values.location_id, items, payment_token: values.payment_token });
      clear();
      go(`#/orders/${order.id}`);
    }));
}

export async function order(id) {
  const status = h("div", { "aria-live": "polite" }, loading());
  render(h("p", {}, h("a", { href: "#/orders" }, "← Orders")), h("h1", {}, "Order"), status);
  // Until the payment service has answered: polled every second, for at most two minutes.
  for (let attempt = 0; attempt < 120; attempt++) {
    if (!document.body.contains(status)) return;  // the customer went elsewhere
    const current = await get(`/api/orders/${encodeURIComponent(id)}`);
    status.replaceChildren(orderDetails(current));
    if (finalStatuses.has(current.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function orderDetails(value) {
  return h("div", { class: "stack" },
    h("p", {}, "Status: ", statusBadge(value.status), value.status === "pending_payment" ? " — waiting for the payment…" : ""),
    value.payment?.failure_reason ? h("p", {}, `Payment failed: ${value.payment.failure_reason.replaceAll("_", " ")}`) : null,
    table(["Product", "Quantity", "Price"], value.items.map((line) => [line.name, String(line.quantity), money(line.line_total_cents, value.currency)])),
    h("p", { class: "price" }, `Total ${money(value.total_cents, value.currency)}`),
    h("p", { class: "muted" }, `Placed ${when(value.created_at)}`),
    value.status === "pending_payment" ? h("button", { class: "secondary", type: "button", onclick: async () => {
      try { await post(`/api/orders/${value.id}/cancel`); toast("Order cancelled"); order(value.id); } catch (error) { toast(error.humanMessage); }
    } }, "Cancel order") : null);
}

export async function orders(page = 1) {
  const result = await get(`/api/orders${query({ page, page_size: 10 })}`);
  render(h("h1", {}, "Orders"),
    table(["Placed", "Status", "Payment", "Total", ""], result.items.map((o) => [
      when(o.created_at), statusBadge(o.status), o.payment ? statusBadge(o.payment.status) : "—", money(o.total_cents, o.currency),
      h("a", { href: `#/orders/${o.id}` }, "Details")]), "No orders yet."),
    result.total > result.page_size ? pager(result, orders) : null);
}

export async function profile() {
  const me = await get("/api/users/me");
  const preview = h("img", { class: "avatar", alt: "Your avatar", src: me.avatar_url ?? "/web/icon.svg" });
  const file = h("input", { type: "file", id: "avatar-file", accept: "image/png,image/jpeg,image/webp,image/gif" });
  file.addEventListener("change", () => { if (file.files[0]) preview.src = URL.createObjectURL(file.files[0]); });
  const avatarForm = form([h("div", {}, h("label", { for: "avatar-file" }, "New avatar (PNG, JPEG, WebP or GIF, up to 5 MB)"), file)], "Upload avatar", async () => {
    const chosen = file.files[0];
    if (!chosen) throw { status: 0, humanMessage: "Choose an image first." };
    await api("PUT", "/api/users/me/avatar", { body: chosen, headers: { "Content-Type": chosen.type || "application/octet-stream" } });
    toast("Avatar updated");
    profile();
  });
  render(h("h1", {}, "Profile"),
    h("div", { class: "row" }, preview, h("div", {}, h("p", {}, me.email), h("p", { class: "muted" }, `Roles: ${me.roles.join(", ")}`))),
    avatarForm,
    me.avatar_url ? h("button", { class: "secondary", type: "button", onclick: async () => { await del("/api/users/me/avatar"); toast("Avatar removed"); profile(); } }, "Remove avatar") : null,
    h("h2", {}, "Details"),
    form([field("Name", "name", { value: me.name, required: true }), field("Username", "username", { value: me.username ?? "" })], "Save", async (values) => {
      await patch("/api/users/me", values);
      toast("Profile saved");
      await start();
    }),
    h("p", {}, h("a", { href: "#/sessions" }, "Your sessions"), " · ", h("a", { href: "#/client" }, "Ticket profile")));
}

export async function sessions() {
  const list = (await get("/api/sessions")).sessions;
  render(h("h1", {}, "Sessions"),
    h("p", { class: "muted" }, "Where you are signed in. Revoke any you do not recognise."),
    table(["Started", "Last seen", "Address", "Browser", ""], list.map((s) => [
      when(s.created_at), when(s.last_seen_at), s.client_address, s.user_agent,
      s.current ? h("strong", {}, "This browser") : h("button", { class: "secondary", type: "button", onclick: async () => {
        await del(`/api/sessions/${s.id}`); toast("Session revoked"); sessions();
      } }, "Revoke")])),
    list.some((s) => !s.current) ? h("button", { type: "button", onclick: async () => {
      for (const s of list.filter((s) => !s.current)) await del(`/api/sessions/${s.id}`);
      toast("Other sessions revoked"); sessions();
    } }, "Revoke all others") : null);
}
