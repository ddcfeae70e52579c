// The gateway's REST API, for a browser signed in by cookie (POST /api/auth/browser/login):
// the session cookie is sent by the browser, the CSRF token (readable cookie) by us on every
// state-changing request; an expired session is renewed once, transparently.

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error.code;
    this.details = error.details ?? {};
    this.humanMessage = humanMessage(status, this.message);
  }
}

const messages = {
  0: "The platform cannot be reached. Check your connection and try again.",
  401: "Please sign in again.",
  403: "You are not allowed to do this.",
  404: "This no longer exists, or you may not see it.",
  409: "This conflicts with the current state:",
  413: "That is too large.",
  415: "That kind of file is not accepted.",
  422: "Please correct the highlighted fields.",
  429: "Too many attempts. Please wait a moment and try again.",
  500: "Something went wrong on our side. Please try again.",
  503: "The platform is busy or partly down. Please try again shortly.",
  504: "The platform took too long to answer. Please try again.",
};

function humanMessage(status, detail) {
  const base = messages[status] ?? messages[status >= 500 ? 500 : 0] ?? `Error ${status}.`;
  return status === 409 || status === 403 || status === 404 || status === 422 || status === 429 ? `${base} (${detail})` : base;
}

function cookie(name) {
  return document.cookie.split("; ").find((pair) => pair.startsWith(`${name}=`))?.slice(name.length + 1) ?? "";
}

const unsafe = new Set(["POST", "PUT", "PATCH", "DELETE"]);

async function send(method, path, { json, body, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { ...headers } };
  if (json !== undefined) { init.body = JSON.stringify(json); init.headers["Content-Type"] = "application/json"; }
  else if (body !== undefined) init.body = body;
  if (unsafe.has(method)) init.headers["X-CSRF-Token"] = cookie("platform_csrf");
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError(0, null);
  }
}

let renewing = null;
/** Renews the session cookies once for all callers waiting on a 401. */
async function renew() {
  renewing ??= send("POST", "/api/auth/browser/refresh").then((response) => response.ok).finally(() => { renewing = null; });
  return renewing;
}

export async function api(method, path, options = {}) {
  let response = await send(method, path, options);
  if (response.status === 401 && cookie("platform_csrf") && !path.startsWith("/api/auth/browser/")) {
    if (await renew()) response = await send(method, path, options);
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") ?? "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, json) => api("POST", path, { json });
export const patch = (path, json) => api("PATCH", path, { json });
export const put = (path, json) => api("PUT", path, { json });
export const del = (path) => api("DELETE", path);

/** `?a=1&b=2` from an object, leaving out empty values. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined && value !== null && value !== "") search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const hasSession = () => cookie("platform_csrf") !== "";
