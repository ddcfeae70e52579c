// Building the page. Everything from the API goes in as text (textContent), never as HTML:
// there is no innerHTML anywhere in the application.

/** h("button", {class: "x", onclick: f}, "text", child) → an element. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the main content and moves focus to its heading (screen readers hear the new page). */
export function render(...children) {
  const main = document.getElementById("main");
  main.replaceChildren();
  append(main, children);
  const heading = main.querySelector("h1");
  if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
}

export function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.textContent = ""; }, 4000);
}

let counter = 0;
/** A labelled form control; `name` is the API's field name, so 422 details find it. */
export function field(label, name, attributes = {}, control = "input") {
  const id = `f-${name}-${++counter}`;
  const { options = [], selected, ...rest } = attributes;
  const input = control === "select"
    ? h("select", { id, name, ...rest }, options.map(([value, text]) => h("option", { value, selected: value === selected }, text)))
    : h(control, { id, name, ...rest });
  const error = h("div", { class: "field-error", id: `${id}-error`, hidden: true });
  input.setAttribute("aria-describedby", error.id);
  const wrapper = h("div", { class: attributes.type === "checkbox" ? "check" : "" });
  if (attributes.type === "checkbox") wrapper.append(input, " ", h("label", { for: id }, label), error);
  else wrapper.append(h("label", { for: id }, label), input, error);
  return wrapper;
}

/** Shows an API error on a form: each 422 detail next to its field, the rest on top. */
export function showErrors(form, error) {
  clearErrors(form);
  const details = error.status === 422 || error.status === 409 ? error.details ?? {} : {};
  let placed = 0;
  for (const [name, problem] of Object.entries(details)) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const box = document.getElementById(input.getAttribute("aria-describedby"));
    box.textContent = `${labelOf(form, input)} ${problem}`;
    box.hidden = false;
    placed++;
  }
  if (placed === 0 || placed < Object.keys(details).length) {
    const summary = h("div", { class: "form-error", role: "alert" }, error.humanMessage ?? String(error));
    form.prepend(summary);
  }
  form.querySelector('[aria-invalid="true"]')?.focus();
}

export function clearErrors(form) {
  form.querySelectorAll(".form-error").forEach((box) => box.remove());
  form.querySelectorAll(".field-error").forEach((box) => { box.hidden = true; box.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
}

function labelOf(form, input) {
  return form.querySelector(`label[for="${input.id}"]`)?.textContent ?? input.name;
}

/** A form whose submit runs `action(values)`, with its button disabled meanwhile and errors shown. */
export function form(children, submitLabel, action, attributes = {}) {
  const button = h("button", { type: "submit" }, submitLabel);
  const element = h("form", { class: "stack", novalidate: true, ...attributes }, children, h("div", {}, button));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(element);
    button.disabled = true;
    try {
      await action(values(element), element);
    } catch (error) {
      showErrors(element, error);
    } finally {
      button.disabled = false;
    }
  });
  return element;
}

/** The form's values: checkboxes as booleans, numbers as numbers, empty text left out. */
export function values(formElement) {
  const result = {};
  for (const input of formElement.querySelectorAll("input, select, textarea")) {
    if (!input.name || input.type === "file") continue;
    if (input.type === "checkbox") result[input.name] = input.checked;
    else if (input.value.trim() === "") continue;
    else if (input.type === "number") result[input.name] = Number(input.value);
    else result[input.name] = input.value;
  }
  return result;
}

export function money(cents, currency = "EUR") {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format((cents ?? 0) / 100);
}

export function when(timestamp) {
  return timestamp ? new Date(timestamp).toLocaleString() : "—";
}

export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}` }, text.replaceAll("_", " "));
}

const statusKinds = { paid: "ok", succeeded: "ok", ready: "ok", ok: "ok", payment_failed: "bad", failed: "bad", cancelled: "bad", unreachable: "bad", not_ready: "warn", pending_payment: "warn", pending: "warn", refund_pending: "warn", degraded: "warn" };
export function statusBadge(status) { return badge(status, statusKinds[status] ?? ""); }

export function table(headers, rows, empty = "Nothing here yet.") {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-wrap" },
    h("table", {}, h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell)))))));
}

/** Previous/next for a paged list answer ({page, page_size, total}). */
export function pager(page, go) {
  const pages = Math.max(1, Math.ceil(page.total / page.page_size));
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { class: "secondary", disabled: page.page <= 1, onclick: () => go(page.page - 1) }, "Previous"),
    h("span", {}, `Page ${page.page} of ${pages} (${page.total})`),
    h("button", { class: "secondary", disabled: page.page >= pages, onclick: () => go(page.page + 1) }, "Next"));
}

export function loading() { return h("p", { class: "muted", role: "status" }, "Loading…"); }
