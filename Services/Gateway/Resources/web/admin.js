// Admin screens: the sales dashboard, cafés, users, payments, clients, the platform's health.
import { del, get, patch, post, query } from "./api.js";
import { badge, field, form, h, money, pager, render, statusBadge, table, toast, when } from "./dom.js";
import { barChart, lineChart } from "./charts.js";
import { ticketCard } from "./staff.js";

const month = (date) => date.toISOString().slice(0, 7);
const day = (date) => date.toISOString().slice(0, 10);

export async function dashboard() {
  const now = new Date();
  const from = new Date(now.getTime() - 29 * 86400000);
  const [summary, overview, predictions] = await Promise.all([
    get(`/api/admin/analytics/summary${query({ month: month(now) })}`),
    get(`/api/admin/analytics/overview${query({ from: day(from), to: day(now) })}`),
    get("/api/admin/analytics/predictions"),
  ]);
  const growth = summary.growth_pct;
  const names = new Map(overview.locations.map((l) => [l.location_id, l.name]));
  const days = [...new Set(overview.daily.map((d) => d.date))];
  // The 8 best-selling cafés (more lines are unreadable); the tables below list them all.
  const series = overview.locations.slice(0, 8).map((l) => ({
    name: l.name, points: days.map((date) => overview.daily.find((d) => d.date === date && d.location_id === l.location_id)?.sales_cents ?? 0),
  }));
  const format = (cents) => money(Math.round(cents));
  render(h("h1", {}, "Dashboard"),
    h("div", { class: "cards" },
      card("Sales this month", money(summary.total_sales_cents),
        growth === null ? h("span", { class: "muted" }, "no sales last month") : h("span", { class: growth >= 0 ? "up" : "down" }, `${growth >= 0 ? "▲ up" : "▼ down"} ${Math.abs(growth).toFixed(1)} % on last month`)),
      card("Orders", String(summary.order_count), h("span", { class: "muted" }, `average ${money(summary.average_order_cents)}`)),
      card("Top product", summary.top_product?.name ?? "—", summary.top_product ? h("span", { class: "muted" }, `${summary.top_product.quantity} sold`) : null),
      card("Top café", summary.top_location?.name ?? "—", summary.top_location ? h("span", { class: "muted" }, money(summary.top_location.sales_cents)) : null)),
    h("h2", {}, "Daily sales per café (30 days, best 8)"),
    series.length ? lineChart("Daily sales per café", days, series, format) : h("p", { class: "empty" }, "No sales in the last 30 days."),
    h("h2", {}, "Sales per café"),
    overview.locations.length ? barChart("Sales per café", overview.locations.slice(0, 15).map((l) => ({ label: l.name, value: l.sales_cents })), format) : h("p", { class: "empty" }, "No sales yet."),
    h("h2", {}, "Products per café"),
    table(["Café", "Most sold", "Least sold"], overview.products.map((p) => [
      names.get(p.location_id) ?? p.location_id,
      p.top.map((x) => `${x.name} (${x.quantity})`).join(", "), p.bottom.map((x) => `${x.name} (${x.quantity})`).join(", ")]), "No sales yet."),
    h("h2", {}, "Category mix"),
    overview.categories.length ? barChart("Sales per category", overview.categories.map((c) => ({ label: `${c.category} (${c.share_pct} %)`, value: c.sales_cents })), format) : h("p", { class: "empty" }, "No sales yet."),
    h("h2", {}, `Predictions for ${predictions.month}`),
    table(["Rank", "Café", "Last month", "Predicted", "Growth"], predictions.items.map((p) => [
      String(p.rank), p.name, money(p.current_sales_cents), money(p.predicted_sales_cents),
      p.growth_pct === null ? "—" : h("span", { class: p.growth_pct >= 0 ? "up" : "down" }, `${p.growth_pct >= 0 ? "▲" : "▼"} ${Math.abs(p.growth_pct).toFixed(1)} %`)]),
    "Not enough history to predict."));
}

function card(title, value, note) {
  return h("div", { class: "card" }, h("h2", { class: "card-title" }, title), h("p", { class: "metric" }, value), note);
}

export async function cafes() {
  const list = (await get("/api/locations")).items;
  render(h("h1", {}, "Cafés"),
    h("h2", {}, "New café"),
    form([field("Name", "name", { required: true }), field("Address", "address", { required: true }),
      field("Access code for its terminals", "access_code", { type: "password", autocomplete: "new-password", required: true })],
    "Create café", async (values) => { await post("/api/locations", values); toast("Café created"); cafes(); }),
    h("h2", {}, "All cafés"),
    table(["Café", "Address", "State", ""], list.map((c) => [c.name, c.address, c.active ? "open" : statusBadge("closed"),
      h("details", {}, h("summary", {}, `Edit ${c.name}`),
        form([field("Name", "name", { value: c.name }), field("Address", "address", { value: c.address }),
          field("New access code (leave empty to keep it)", "access_code", { type: "password", autocomplete: "new-password" }),
          field("Open", "active", { type: "checkbox", checked: c.active })],
        "Save", async (values) => { await patch(`/api/locations/${c.id}`, values); toast(values.access_code ? "Café saved; the access code was rotated" : "Café saved"); cafes(); }))]),
    "There is no café yet."));
}

export async function users(filters = {}, page = 1) {
  const list = await get(`/api/admin/users${query({ ...filters, page, page_size: 20 })}`);
  const roles = ["customer", "staff", "admin"];
  render(h("h1", {}, "Users"),
    form([field("Email contains", "email", { value: filters.email ?? "" }),
      field("Role", "role", { options: [["", "Any role"], ...roles.map((r) => [r, r])], selected: filters.role ?? "" }, "select"),
      field("State", "active", { options: [["", "Any"], ["true", "Active"], ["false", "Deactivated"]], selected: filters.active ?? "" }, "select")],
    "Filter", (values) => users(values, 1), { class: "row", role: "search" }),
    table(["Email", "Name", "Roles", "State", ""], list.items.map((u) => [u.email, u.name, [...u.roles].sort().join(", "),
      u.active ? "active" : statusBadge("deactivated"),
      h("details", {}, h("summary", {}, `Change ${u.email}`),
        form([h("fieldset", {}, h("legend", {}, "Roles"), roles.map((r) => field(r, `role_${r}`, { type: "checkbox", checked: u.roles.includes(r) })))],
          "Save roles", async (values) => {
            await patch(`/api/admin/users/${u.id}`, { roles: roles.filter((r) => values[`role_${r}`]) });
            toast("Roles saved"); users(filters, page);
          }),
        u.active ? h("button", { class: "danger", type: "button", onclick: async () => {
          try { await del(`/api/admin/users/${u.id}`); toast("User deactivated"); users(filters, page); } catch (error) { toast(error.humanMessage); }
        } }, `Deactivate ${u.email}`) : null)]), "No user matches."),
    list.total > list.page_size ? pager(list, (next) => users(filters, next)) : null);
}

export async function payments(status = "", page = 1) {
  const list = await get(`/api/admin/payments${query({ status, page, page_size: 20 })}`);
  render(h("h1", {}, "Payments"),
    form([field("Status", "status", { options: [["", "Any"], ["succeeded", "succeeded"], ["failed", "failed"], ["refunded", "refunded"]], selected: status }, "select")],
      "Filter", (values) => payments(values.status ?? "", 1), { class: "row" }),
    table(["When", "Order", "Amount", "Status", "Reason"], list.items.map((p) => [when(p.created_at), h("code", {}, p.order_id.slice(0, 8)),
      money(p.amount_cents, p.currency), statusBadge(p.status), p.failure_reason ?? ""]), "No payments yet."),
    list.total > list.page_size ? pager(list, (next) => payments(status, next)) : null);
}

export async function clients(search = "", page = 1) {
  const list = await get(`/api/clients${query({ search, page, page_size: 20 })}`);
  render(h("h1", {}, "Clients"),
    form([field("Search", "search", { type: "search", value: search })], "Search", (values) => clients(values.search ?? "", 1), { class: "row", role: "search" }),
    table(["Email", "Name", "Tickets", "Public"], list.items.map((c) => [c.email, [c.first_name, c.last_name].filter(Boolean).join(" ") || "—",
      String(c.tickets.length), [c.is_name_public ? "name" : "", c.is_social_public ? "links" : ""].filter(Boolean).join(", ") || "nothing"]), "No clients match."),
    list.total > list.page_size ? pager(list, (next) => clients(search, next)) : null);
}

export async function tickets(page = 1) {
  const list = await get(`/api/tickets${query({ page, page_size: 20 })}`);
  const redraw = () => tickets(page);
  render(h("h1", {}, "All tickets"),
    h("p", {}, h("a", { href: "#/staff/check-in" }, "Check a ticket in by its code")),
    list.items.length ? h("div", { class: "grid" }, list.items.map((t) => h("div", {}, ticketCard(t, redraw),
      !t.cancelled_at && !t.checked_in_at ? h("button", { class: "secondary", type: "button", onclick: async () => {
        try { await del(`/api/tickets/${encodeURIComponent(t.code)}`); toast("Ticket cancelled"); redraw(); } catch (error) { toast(error.humanMessage); }
      } }, `Cancel ${t.code}`) : null))) : h("p", { class: "empty" }, "No tickets yet."),
    list.total > list.page_size ? pager(list, tickets) : null);
}

export async function health() {
  const report = await get("/api/health/full");
  render(h("h1", {}, "Health"),
    h("p", {}, "Platform: ", statusBadge(report.status)),
    table(["Service", "State", "Version", "Up for", "Checks"], report.services.map((s) => [s.name, statusBadge(s.status), s.version ?? "—",
      s.uptime_seconds === null ? "—" : duration(s.uptime_seconds),
      Object.entries(s.checks).map(([name, state]) => badge(`${name}: ${state}`, state === "ok" ? "ok" : "bad"))])),
    h("button", { class: "secondary", type: "button", onclick: health }, "Check again"));
}

function duration(seconds) {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
