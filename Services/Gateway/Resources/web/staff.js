// Staff screens (staff and admins): products, stock of any café, orders of any café, own events.
import { del, get, patch, post, query } from "./api.js";
import { field, form, h, money, pager, render, statusBadge, table, toast, when } from "./dom.js";
import { restockForm } from "./terminal.js";
import { session } from "./app.js";

export async function products(page = 1, search = "") {
  const list = await get(`/api/products${query({ include_inactive: "true", search, page, page_size: 20 })}`);
  render(h("h1", {}, "Products"),
    h("h2", {}, "New product"),
    productForm(null, async (values) => { await post("/api/products", values); toast("Product created"); products(1, values.name); }),
    h("h2", {}, "All products"),
    form([field("Search products", "search", { type: "search", value: search })], "Search", (values) => products(1, values.search ?? ""), { class: "row", role: "search" }),
    table(["Name", "Category", "Price", "State", ""], list.items.map((p) => [
      p.name, p.category, money(p.price_cents, p.currency), p.active ? "sold" : statusBadge("deactivated"),
      h("details", {}, h("summary", {}, `Edit ${p.name}`),
        productForm(p, async (values) => { await patch(`/api/products/${p.id}`, values); toast("Product saved"); products(page, search); }),
        p.active ? h("button", { class: "danger", type: "button", onclick: async () => {
          try { await del(`/api/products/${p.id}`); toast("Product deactivated"); products(page, search); } catch (error) { toast(error.humanMessage); }
        } }, `Deactivate ${p.name}`) : null)]), "No products yet."),
    list.total > list.page_size ? pager(list, (next) => products(next, search)) : null);
}

function productForm(product, action) {
  return form([
    field("Name", "name", { value: product?.name ?? "", required: true }),
    field("Category", "category", { value: product?.category ?? "", required: true }),
    field("Description", "description", { value: product?.description ?? "" }, "textarea"),
    field("Price in cents", "price_cents", { type: "number", min: 0, value: product ? String(product.price_cents) : "", required: true }),
  ], product ? "Save" : "Create product", action);
}

async function cafés() { return (await get("/api/locations")).items; }

export async function stock(locationID = "") {
  const all = await cafés();
  const chosen = locationID || all[0]?.id;
  const chooser = field("Café", "location_id", { options: all.map((c) => [c.id, c.name]), selected: chosen }, "select");
  chooser.querySelector("select").addEventListener("change", (event) => stock(event.target.value));
  if (!chosen) return render(h("h1", {}, "Stock"), h("p", { class: "empty" }, "There is no café yet."));
  const list = await get(`/api/locations/${chosen}/stock`);
  render(h("h1", {}, "Stock"), chooser,
    table(["Product", "Quantity", "Restock"], list.items.map((line) => [
      line.product_name, line.low_stock ? h("strong", {}, `${line.quantity} (low)`) : String(line.quantity),
      restockForm(chosen, line, () => stock(chosen))]), "This café stocks nothing yet."),
    h("h2", {}, "Adjust"),
    form([
      field("Product", "product_id", { options: list.items.map((line) => [line.product_id, line.product_name]), required: true }, "select"),
      field("Change (negative to remove)", "delta", { type: "number", required: true }),
      field("Reason", "reason", { required: true }),
    ], "Adjust stock", async (values) => { await post(`/api/locations/${chosen}/stock-adjustments`, values); toast("Stock adjusted"); stock(chosen); }));
}

export async function orders(locationID = "", status = "", page = 1) {
  const all = await cafés();
  const filters = form([
    field("Café", "location_id", { options: [["", "All cafés"], ...all.map((c) => [c.id, c.name])], selected: locationID }, "select"),
    field("Status", "status", { options: [["", "Any status"], ...["pending_payment", "paid", "payment_failed", "cancelled", "refund_pending", "refunded"].map((s) => [s, s.replaceAll("_", " ")])], selected: status }, "select"),
  ], "Filter", (values) => orders(values.location_id ?? "", values.status ?? "", 1), { class: "row" });
  const list = await get(`/api/orders${query({ location_id: locationID, status, page, page_size: 20 })}`);
  const names = new Map(all.map((c) => [c.id, c.name]));
  render(h("h1", {}, "Orders"), filters,
    table(["Placed", "Café", "Status", "Total", "Items"], list.items.map((o) => [
      when(o.created_at), names.get(o.location_id) ?? o.location_id, statusBadge(o.status), money(o.total_cents, o.currency),
      o.items.map((line) => `${line.quantity} × ${line.name}`).join(", ")]), "No orders match."),
    list.total > list.page_size ? pager(list, (next) => orders(locationID, status, next)) : null);
}

export async function events() {
  const mine = (await get(`/api/events${query({ page_size: 100 })}`)).items.filter((e) => session.has("admin") || e.owner_id === session.user?.id);
  const packets = (await get(`/api/packets${query({ page_size: 100 })}`)).items.filter((p) => session.has("admin") || p.owner_id === session.user?.id);
  const names = new Map(mine.map((e) => [e.id, e.name]));
  render(h("h1", {}, "Events and packets"),
    h("h2", {}, "New event"),
    eventForm(null, async (values) => { await post("/api/events", values); toast("Event created"); events(); }),
    h("h2", {}, session.has("admin") ? "All events" : "Your events"),
    table(["Event", "When", "Sold", "Capacity", ""], mine.map((e) => [
      h("a", { href: `#/events/${e.id}` }, e.name), when(e.starts_at), String(e.tickets_sold), String(e.capacity),
      h("details", {}, h("summary", {}, `Edit ${e.name}`),
        eventForm(e, async (values) => { await patch(`/api/events/${e.id}`, values); toast("Event saved"); events(); }),
        h("button", { class: "danger", type: "button", onclick: async () => {
          try { await del(`/api/events/${e.id}`); toast("Event deleted"); events(); } catch (error) { toast(error.humanMessage); }
        } }, `Delete ${e.name}`))]), "You own no events."),
    h("h2", {}, "New packet"),
    form([
      field("Name", "name", { required: true }), field("Description", "description", {}, "textarea"),
      field("Capacity (optional)", "capacity", { type: "number", min: 1 }),
      field("Events", "event_ids", { options: mine.map((e) => [e.id, e.name]), multiple: true }, "select"),
    ], "Create packet", async (values, element) => {
      const event_ids = [...element.elements.event_ids.selectedOptions].map((option) => option.value);
      await post("/api/packets", { ...values, event_ids });
      toast("Packet created"); events();
    }),
    h("h2", {}, session.has("admin") ? "All packets" : "Your packets"),
    table(["Packet", "Events", "Sold", ""], packets.map((p) => [h("a", { href: `#/packets/${p.id}` }, p.name),
      h("ul", {}, p.event_ids.map((id) => h("li", {}, names.get(id) ?? id.slice(0, 8), " ",
        h("button", { class: "link", type: "button", onclick: async () => {
          try { await del(`/api/packets/${p.id}/events/${id}`); toast("Event removed from the packet"); events(); } catch (error) { toast(error.humanMessage); }
        } }, `Remove from ${p.name}`)))),
      String(p.tickets_sold),
      h("details", {}, h("summary", {}, `Edit ${p.name}`),
        form([field("Name", "name", { value: p.name }), field("Description", "description", { value: p.description }, "textarea"),
          field("Capacity (empty: no own limit)", "capacity", { type: "number", min: 1, value: p.capacity === null ? "" : String(p.capacity) })],
        "Save", async (values) => {
          await patch(`/api/packets/${p.id}`, { ...values, capacity: values.capacity ?? null });
          toast("Packet saved"); events();
        }),
        form([field("Add an event", "event_id", { options: mine.filter((e) => !p.event_ids.includes(e.id)).map((e) => [e.id, e.name]) }, "select")],
          "Add event", async (values) => { await post(`/api/packets/${p.id}/events`, values); toast("Event added to the packet"); events(); }),
        h("button", { class: "danger", type: "button", onclick: async () => {
          try { await del(`/api/packets/${p.id}`); toast("Packet deleted"); events(); } catch (error) { toast(error.humanMessage); }
        } }, `Delete ${p.name}`))]), "You own no packets."));
}

function eventForm(event, action) {
  const local = event ? new Date(new Date(event.starts_at).getTime() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16) : "";
  return form([
    field("Name", "name", { value: event?.name ?? "", required: true }), field("Location", "location", { value: event?.location ?? "", required: true }),
    field("Description", "description", { value: event?.description ?? "" }, "textarea"),
    field("Starts at", "starts_at", { type: "datetime-local", value: local, required: true }),
    field("Capacity", "capacity", { type: "number", min: 1, value: event ? String(event.capacity) : "", required: true }),
  ], event ? "Save" : "Create event", (values) => action({ ...values, starts_at: values.starts_at ? new Date(values.starts_at).toISOString() : undefined }));
}

/** Ticket control at the door: look a ticket up by its code, check it in. */
export async function checkIn(code = "") {
  const result = h("div", { "aria-live": "polite" });
  render(h("h1", {}, "Check-in"),
    form([field("Ticket code", "code", { value: code, required: true, autocomplete: "off" })], "Look up", (values) => checkIn(values.code ?? "")),
    result);
  if (!code) return;
  const ticket = await get(`/api/tickets/${encodeURIComponent(code)}`);
  result.replaceChildren(ticketCard(ticket, () => checkIn(code)));
}

export function ticketCard(ticket, after) {
  const state = ticket.cancelled_at ? "cancelled" : ticket.checked_in_at ? "checked_in" : ticket.valid ? "valid" : "invalid";
  return h("div", { class: "card stack" },
    h("p", {}, h("code", {}, ticket.code), " ", statusBadge(state)),
    h("p", {}, ticket.event_id ? h("a", { href: `#/events/${ticket.event_id}` }, "Event") : h("a", { href: `#/packets/${ticket.packet_id}` }, "Packet"),
      ` · issued ${when(ticket.issued_at)}`, ticket.checked_in_at ? ` · checked in ${when(ticket.checked_in_at)}` : ""),
    state === "valid" ? h("button", { type: "button", onclick: async () => {
      try { await post(`/api/tickets/${encodeURIComponent(ticket.code)}/check-in`); toast("Checked in"); after(); } catch (error) { toast(error.humanMessage); }
    } }, `Check in ${ticket.code}`) : null);
}
