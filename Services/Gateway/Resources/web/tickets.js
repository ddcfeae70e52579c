// Ticketing for customers: events and packets, buying, own tickets, the client profile.
import { api, del, get, put, query } from "./api.js";
import { field, form, h, loading, pager, render, statusBadge, table, toast, when } from "./dom.js";
import { go, session } from "./app.js";

export async function events(page = 1, search = "") {
  const results = h("div", {}, loading());
  const filter = form([field("Search events", "search", { type: "search", value: search })], "Search", (values) => events(1, values.search ?? ""), { role: "search" });
  render(h("h1", {}, "Events"), filter, results);
  const list = await get(`/api/events${query({ page, page_size: 10, search })}`);
  results.replaceChildren(
    table(["Event", "When", "Where", "Seats left"], list.items.map((e) => [
      h("a", { href: `#/events/${e.id}` }, e.name), when(e.starts_at), e.location, String(e.seats_left)]), "No events match."),
    list.total > list.page_size ? pager(list, (next) => events(next, search)) : null);
}

export async function event(id) {
  const [item, packets] = await Promise.all([get(`/api/events/${encodeURIComponent(id)}`), get(`/api/events/${encodeURIComponent(id)}/packets`)]);
  render(h("p", {}, h("a", { href: "#/events" }, "← Events")),
    h("h1", {}, item.name),
    h("p", {}, `${when(item.starts_at)} · ${item.location}`),
    h("p", {}, item.description || ""),
    h("p", {}, `${item.seats_left} of ${item.capacity} seats left`),
    buyButton({ event_id: item.id }, item.seats_left),
    h("h2", {}, "Packets with this event"),
    table(["Packet", "Seats left"], packets.items.map((p) => [h("a", { href: `#/packets/${p.id}` }, p.name), String(p.seats_left)]), "This event is in no packet."));
}

export async function packet(id) {
  const [item, included] = await Promise.all([get(`/api/packets/${encodeURIComponent(id)}`), get(`/api/packets/${encodeURIComponent(id)}/events`)]);
  render(h("p", {}, h("a", { href: "#/events" }, "← Events")),
    h("h1", {}, item.name),
    h("p", {}, item.description || ""),
    h("p", {}, `${item.seats_left} seats left`),
    buyButton({ packet_id: item.id }, item.seats_left),
    h("h2", {}, "Events in this packet"),
    table(["Event", "When"], included.items.map((e) => [h("a", { href: `#/events/${e.id}` }, e.name), when(e.starts_at)])));
}

function buyButton(target, seatsLeft) {
  if (!session.user) return h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " to buy a ticket.");
  if (seatsLeft <= 0) return h("p", { class: "badge bad" }, "Sold out");
  const button = h("button", { type: "button" }, "Buy a ticket");
  // One key per click: a retried request cannot buy twice.
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const client = await myClient();
      if (!client) { toast("Create your ticket profile first."); go("#/client"); return; }
      const ticket = await api("POST", `/api/clients/${client.id}/tickets`, { json: target, headers: { "Idempotency-Key": crypto.randomUUID() } });
      toast(`Ticket ${ticket.code} bought`);
      go("#/tickets");
    } catch (error) {
      toast(error.humanMessage ?? "The ticket could not be bought.");
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

async function myClient() {
  try { return await get("/api/clients/me"); } catch (error) { if (error.status === 404) return null; throw error; }
}

export async function tickets(page = 1) {
  const list = await get(`/api/tickets${query({ page, page_size: 10 })}`);
  render(h("h1", {}, "Tickets"),
    table(["Code", "For", "Issued", "State", ""], list.items.map((t) => [
      h("code", {}, t.code),
      t.event_id ? h("a", { href: `#/events/${t.event_id}` }, "Event") : h("a", { href: `#/packets/${t.packet_id}` }, "Packet"),
      when(t.issued_at),
      t.cancelled_at ? statusBadge("cancelled") : t.checked_in_at ? statusBadge("checked_in") : statusBadge(t.valid ? "valid" : "invalid"),
      t.valid && !t.cancelled_at && !t.checked_in_at ? h("button", { class: "secondary", type: "button", onclick: async () => {
        try { await del(`/api/tickets/${encodeURIComponent(t.code)}`); toast("Ticket cancelled"); tickets(page); } catch (error) { toast(error.humanMessage); }
      } }, `Cancel ${t.code}`) : ""]), "You have no tickets yet."),
    list.total > list.page_size ? pager(list, tickets) : null,
    h("p", {}, h("a", { href: "#/events" }, "Browse events")));
}

export async function client() {
  const current = await myClient();
  const links = current?.social_links ?? {};
  render(h("h1", {}, "Ticket profile"),
    h("p", { class: "muted" }, "Tickets are held by this profile. Choose what others may see on your public page."),
    form([
      field("Email", "email", { type: "email", value: current?.email ?? session.user?.email ?? "", required: true }),
      field("First name", "first_name", { value: current?.first_name ?? "" }),
      field("Last name", "last_name", { value: current?.last_name ?? "" }),
      field("Show my name publicly", "is_name_public", { type: "checkbox", checked: current?.is_name_public ?? false }),
      field("Website", "website", { type: "url", value: links.website ?? "" }),
      field("Show my links publicly", "is_social_public", { type: "checkbox", checked: current?.is_social_public ?? false }),
    ], current ? "Save" : "Create profile", async (values) => {
      const { website, ...fields } = values;
      await put("/api/clients/me", { ...fields, social_links: website ? { website } : null });
      toast("Ticket profile saved");
      client();
    }),
    current ? h("p", {}, h("a", { href: `/api/clients/${current.id}/public`, target: "_blank", rel: "noopener" }, "Your public page (JSON)")) : null);
}
