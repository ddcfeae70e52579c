"use strict";
const SPEC_URL = "/openapi.json";
const METHODS = ["get", "put", "post", "patch", "delete", "head", "options"];
const app = document.getElementById("app");
const hash = (() => { try { return decodeURIComponent(location.hash.slice(1)); } catch (e) { return ""; } })();

// Builds an element; children may be nodes or strings (always inserted as text, never as HTML).
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A tiny, safe subset of Markdown: paragraphs, `code` and **bold**, built from text nodes only.
function inline(text, tag, cls) {
  const node = el(tag || "span", cls ? { class: cls } : {});
  for (const part of String(text || "").split(/(`[^`]+`|\*\*[^*]+\*\*)/)) {
    if (part.startsWith("`") && part.endsWith("`") && part.length > 1) node.append(el("code", {}, part.slice(1, -1)));
    else if (part.startsWith("**") && part.endsWith("**") && part.length > 3) node.append(el("strong", {}, part.slice(2, -2)));
    else if (part) node.append(document.createTextNode(part));
  }
  return node;
}
function prose(text) {
  const out = document.createDocumentFragment();
  for (const para of String(text || "").split(/\n\s*\n/)) if (para.trim()) out.append(inline(para, "p"));
  return out;
}

function resolve(spec, obj, seen) {
  if (obj && typeof obj.$ref === "string") {
    if (seen.has(obj.$ref)) return { obj: {}, name: obj.$ref.split("/").pop(), cycle: true };
    const name = obj.$ref.split("/").pop();
    seen = new Set(seen).add(obj.$ref);
    let target = spec;
    for (const key of obj.$ref.replace(/^#\//, "").split("/")) {
      target = target ? target[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    }
    return { ...resolve(spec, target || {}, seen), name };
  }
  return { obj: obj || {}, name: null, seen: seen };
}

function typeLabel(spec, schema, seen) {
  const r = resolve(spec, schema, seen);
  const s = r.obj;
  let type = Array.isArray(s.type) ? s.type.join(" | ") : (s.type || (s.properties ? "object" : "any"));
  if (s.type === "array" || (Array.isArray(s.type) && s.type.includes("array"))) {
    type = "array of " + typeLabel(spec, s.items || {}, r.seen || seen);
  }
  if (s.format) type += " (" + s.format + ")";
  return r.name ? r.name + " · " + type : type;
}

function constraints(s) {
  const parts = [];
  if (s.const !== undefined) parts.push("always " + JSON.stringify(s.const));
  if (Array.isArray(s.enum)) parts.push("one of " + s.enum.map((v) => JSON.stringify(v)).join(", "));
  for (const [key, label] of [["minLength", "min length"], ["maxLength", "max length"], ["minimum", "min"],
      ["maximum", "max"], ["minItems", "min items"], ["default", "default"]]) {
    if (s[key] !== undefined) parts.push(label + " " + JSON.stringify(s[key]));
  }
  return parts.join("; ");
}

// A schema as a nested list of fields; $refs resolved, cycles cut.
function schemaView(spec, schema, depth) {
  const r = resolve(spec, schema, new Set());
  const s = r.obj;
  const box = el("div");
  if (r.cycle) return el("span", { class: "muted" }, "(recursive: " + r.name + ")");
  const head = el("div", {}, el("span", { class: "type" }, typeLabel(spec, schema, new Set())));
  const c = constraints(s);
  if (c) head.append(" ", el("span", { class: "cons" }, c));
  if (s.description) head.append(" — ", inline(s.description, "span", "muted"));
  box.append(head);
  if (depth > 6) return box;
  let target = s;
  if (s.items) target = resolve(spec, s.items, r.seen || new Set()).obj;
  if (target.properties) box.append(fieldList(spec, target, depth));
  if (target.additionalProperties && typeof target.additionalProperties === "object") {
    box.append(el("ul", { class: "schema" }, el("li", {}, el("span", { class: "field" }, "<any key>"), ": ",
      el("span", { class: "type" }, typeLabel(spec, target.additionalProperties, new Set())))));
  }
  return box;
}

function fieldList(spec, obj, depth) {
  const required = new Set(obj.required || []);
  const list = el("ul", { class: "schema" });
  for (const [name, prop] of Object.entries(obj.properties)) {
    const p = resolve(spec, prop, new Set()).obj;
    const item = el("li", {}, el("span", { class: "field" }, name), " ",
      el("span", { class: "type" }, typeLabel(spec, prop, new Set())),
      required.has(name) ? el("span", { class: "req" }, " required") : null);
    const inner = p.items ? resolve(spec, p.items, new Set()).obj : p;
    const c = constraints(p) || (p.items ? constraints(inner) : "");
    if (c) item.append(" ", el("span", { class: "cons" }, c));
    if (p.description || prop.description) item.append(" — ", inline(prop.description || p.description, "span", "muted"));
    if (inner.properties && depth < 6) item.append(fieldList(spec, inner, depth + 1));
    list.append(item);
  }
  return list;
}

function authLabel(spec, op) {
  const security = op.security !== undefined ? op.security : (spec.security || []);
  if (!security.length || security.every((req) => !Object.keys(req).length)) return el("span", { class: "auth open" }, "public");
  const schemes = (spec.components && spec.components.securitySchemes) || {};
  const label = (name) => {
    const s = resolve(spec, schemes[name] || {}, new Set()).obj;
    return s.type === "http" && /^bearer$/i.test(s.scheme || "") ? "Bearer token" : name;
  };
  const names = security.map((req) => Object.keys(req).map(label).join(" + ")).join(" or ");
  const role = op["x-required-role"] ? ", role " + op["x-required-role"] : "";
  return el("span", { class: "auth lock" }, "requires " + names + role);
}

function operationView(spec, path, method, op, pathParams) {
  const badge = el("span", { class: "method " + (["get", "post", "put", "patch", "delete"].includes(method) ? method : "other") }, method);
  const body = el("div", { class: "op-body" });
  if (op.description) body.append(prose(op.description));
  const params = [...pathParams, ...(op.parameters || [])].map((p) => resolve(spec, p, new Set()).obj);
  if (params.length) {
    body.append(el("h4", {}, "Parameters"), el("table", {},
      el("tr", {}, ["name", "in", "type", "constraints", "description"].map((h) => el("th", {}, h))),
      params.map((p) => el("tr", {},
        el("td", {}, el("code", {}, p.name), p.required ? el("span", { class: "req" }, " required") : null),
        el("td", {}, p.in), el("td", { class: "type" }, typeLabel(spec, p.schema || {}, new Set())),
        el("td", { class: "cons" }, constraints(resolve(spec, p.schema || {}, new Set()).obj)),
        el("td", {}, inline(p.description))))));
  }
  if (op.requestBody) {
    const rb = resolve(spec, op.requestBody, new Set()).obj;
    body.append(el("h4", {}, "Request body" + (rb.required ? " (required)" : "")));
    if (rb.description) body.append(prose(rb.description));
    for (const [media, content] of Object.entries(rb.content || {})) {
      body.append(el("div", { class: "muted" }, media), content.schema ? schemaView(spec, content.schema, 0) : null);
    }
  }
  body.append(el("h4", {}, "Responses"));
  const shown = new Set();
  for (const [status, raw] of Object.entries(op.responses || {})) {
    const resp = resolve(spec, raw, new Set()).obj;
    const row = el("div", { style: "margin:.5rem 0" },
      el("span", { class: "status s" + status[0] }, status), " ", inline(resp.description));
    const headers = Object.keys(resp.headers || {});
    if (headers.length) row.append(el("div", { class: "cons" }, "headers: " + headers.join(", ")));
    const contents = Object.entries(resp.content || {});
    if (!contents.length) row.append(el("div", { class: "cons" }, "no body"));
    for (const [media, content] of contents) {
      const ref = content.schema && content.schema.$ref;  // a schema already spelled out above is only named
      row.append(el("div", { class: "muted" }, media), !content.schema ? null : shown.has(ref)
        ? el("div", { class: "type" }, typeLabel(spec, content.schema, new Set()) + " (as above)") : schemaView(spec, content.schema, 0));
      if (ref) shown.add(ref);
    }
    body.append(row);
  }
  const id = op.operationId || method + path;
  const details = el("details", { class: "op", id: id },
    el("summary", {}, badge, el("span", { class: "path" }, path), el("span", {}, op.summary || ""), authLabel(spec, op)), body);
  if (hash === id) details.open = true;  // deep links: /docs#operationId
  return details;
}

function render(spec) {
  const info = spec.info || {};
  document.title = (info.title || "API") + " — documentation";
  app.replaceChildren(el("h1", {}, info.title || "API"),
    el("div", { class: "muted" }, "version " + (info.version || "?") + " · OpenAPI " + (spec.openapi || "?") + " · ",
      el("a", { href: SPEC_URL }, "openapi.json")), prose(info.description));
  const groups = new Map((spec.tags || []).map((t) => [t.name, { tag: t, ops: [] }]));
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      for (const tag of item[method].tags && item[method].tags.length ? item[method].tags : ["other"]) {
        if (!groups.has(tag)) groups.set(tag, { tag: { name: tag }, ops: [] });
        groups.get(tag).ops.push([path, method, item[method], item.parameters || []]);
      }
    }
  }
  for (const { tag, ops } of groups.values()) {
    if (!ops.length) continue;
    app.append(el("h2", { id: "tag-" + tag.name }, tag.name), tag.description ? el("p", { class: "muted" }, tag.description) : null);
    for (const [path, method, op, pathParams] of ops) app.append(operationView(spec, path, method, op, pathParams));
  }
  const target = hash && document.getElementById(hash);
  if (target) target.scrollIntoView();
}

fetch(SPEC_URL, { headers: { Accept: "application/json" } })
  .then((response) => {
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  })
  .then(render)
  .catch((error) => {
    app.replaceChildren(el("h1", {}, "API documentation"), el("div", { class: "error" },
      el("p", {}, "The API description could not be loaded (" + (error && error.message ? error.message : String(error)) + ")."),
      el("p", {}, "The raw OpenAPI document may still be available at ", el("a", { href: SPEC_URL }, SPEC_URL), ".")));
  });
