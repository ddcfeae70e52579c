// The web application: a hash router over lazily loaded screens, the signed-in user, the menu bar.
import { get, hasSession, post } from "./api.js";
import { h, render, toast } from "./dom.js";

/** Who is signed in: a user (their profile) or a café terminal (its café), or nobody. */
export const session = {
  user: null,
  terminal: null,
  has(role) { return this.user?.roles?.includes(role) ?? false; },
  async load() {
    this.user = null;
    this.terminal = JSON.parse(localStorage.getItem("terminal") ?? "null");
    if (!hasSession()) { this.terminal = null; return; }
    if (this.terminal) return;
    try { this.user = await get("/api/auth/me"); } catch { this.user = null; }
  },
  async signOut() {
    try { await post("/api/auth/browser/logout"); } catch { /* the cookies are cleared by the answer; nothing else to do */ }
    localStorage.removeItem("terminal");
    this.user = null;
    this.terminal = null;
    location.hash = "#/signin";
    await start();
  },
};

// Each screen: a pattern, the module that draws it and the export to call with the path's parts.
const routes = [
  ["/", "public.js", "menu"],
  ["/signin", "public.js", "signIn"],
  ["/register", "public.js", "register"],
  ["/products/:id", "public.js", "product"],
  ["/cart", "customer.js", "cart"],
  ["/orders", "customer.js", "orders"],
  ["/orders/:id", "customer.js", "order"],
  ["/profile", "customer.js", "profile"],
  ["/sessions", "customer.js", "sessions"],
  ["/events", "tickets.js", "events"],
  ["/events/:id", "tickets.js", "event"],
  ["/packets/:id", "tickets.js", "packet"],
  ["/tickets", "tickets.js", "tickets"],
  ["/client", "tickets.js", "client"],
  ["/terminal", "terminal.js", "terminalSignIn"],
  ["/pos", "terminal.js", "sale"],
  ["/pos/stock", "terminal.js", "stock"],
  ["/pos/today", "terminal.js", "today"],
  ["/staff/products", "staff.js", "products"],
  ["/staff/stock", "staff.js", "stock"],
  ["/staff/orders", "staff.js", "orders"],
  ["/staff/events", "staff.js", "events"],
  ["/staff/check-in", "staff.js", "checkIn"],
  ["/admin", "admin.js", "dashboard"],
  ["/admin/cafes", "admin.js", "cafes"],
  ["/admin/users", "admin.js", "users"],
  ["/admin/payments", "admin.js", "payments"],
  ["/admin/clients", "admin.js", "clients"],
  ["/admin/tickets", "admin.js", "tickets"],
  ["/admin/health", "admin.js", "health"],
];

function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, module, view] of routes) {
    const template = pattern.split("/").filter(Boolean);
    if (template.length !== parts.length) continue;
    const parameters = [];
    if (template.every((segment, index) => segment.startsWith(":") ? parameters.push(decodeURIComponent(parts[index])) : segment === parts[index])) {
      return { module, view, parameters };
    }
  }
  return null;
}

function navigation(path) {
  const links = [["#/", "Menu"], ["#/events", "Events"]];
  if (session.terminal) links.splice(0, 2, ["#/pos", "Sell"], ["#/pos/stock", "Stock"], ["#/pos/today", "Today"]);
  if (session.user) links.push(["#/cart", "Cart"], ["#/orders", "Orders"], ["#/tickets", "Tickets"]);
  if (session.has("staff") || session.has("admin")) links.push(["#/staff/products", "Products"], ["#/staff/stock", "Stock"], ["#/staff/orders", "All orders"], ["#/staff/events", "Manage events"], ["#/staff/check-in", "Check-in"]);
  if (session.has("admin")) links.push(["#/admin", "Dashboard"], ["#/admin/cafes", "Cafés"], ["#/admin/users", "Users"], ["#/admin/payments", "Payments"], ["#/admin/clients", "Clients"], ["#/admin/tickets", "All tickets"], ["#/admin/health", "Health"]);
  const right = session.user || session.terminal
    ? [session.user ? h("a", { href: "#/profile" }, session.user.username ?? session.user.name) : h("span", {}, session.terminal.name),
       h("button", { class: "link", type: "button", onclick: () => session.signOut() }, "Sign out")]
    : [h("a", { href: "#/signin" }, "Sign in"), h("a", { href: "#/register" }, "Register"), h("a", { href: "#/terminal" }, "Café terminal")];
  document.getElementById("nav").replaceChildren(
    ...links.map(([href, text]) => h("a", { href, "aria-current": href === `#${path}` ? "page" : false }, text)),
    h("span", { class: "right" }, right));
}

async function show() {
  const path = location.hash.replace(/^#/, "") || "/";
  navigation(path);
  const route = match(path.split("?")[0]);
  if (!route) return render(h("h1", {}, "Not found"), h("p", {}, "There is no such page. ", h("a", { href: "#/" }, "Back to the menu")));
  try {
    const module = await import(`./${route.module}`);
    await module[route.view](...route.parameters);
  } catch (error) {
    render(h("h1", {}, error.status === 403 ? "Not allowed" : "Something went wrong"),
      h("p", { role: "alert" }, error.humanMessage ?? "This page could not be shown."),
      error.status === 401 ? h("p", {}, h("a", { href: "#/signin" }, "Sign in")) : null);
  }
}

/** Reloads who is signed in and redraws the current page. */
export async function start() {
  await session.load();
  await show();
}

export function go(hash) {
  if (location.hash === hash) show(); else location.hash = hash;
}

export { toast };

// The skip link moves the keyboard to the content without touching the router's hash.
document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main").focus();
});

// At phone width the menu bar folds behind a button.
const toggle = document.getElementById("nav-toggle");
toggle.addEventListener("click", () => {
  const open = document.getElementById("nav").classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});
window.addEventListener("hashchange", () => {
  document.getElementById("nav").classList.remove("open");
  toggle.setAttribute("aria-expanded", "false");
  show();
});
start();
