// The mock-gateway dashboard: a client of the /__mock/ JSON API, nothing else. Plain
// JavaScript, no build step. Each page renders from the API and refreshes every second.
"use strict";

const REFRESH_MS = 1000;
const TOKEN_KEY = "mock-gateway-admin-token";
const main = document.getElementById("main");
const statusLine = document.getElementById("status");
let timer = null;
let generation = 0;

// ---- the API --------------------------------------------------------------------------------

class Refused extends Error {}

async function api(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/__mock/" + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    askForToken(Boolean(token));
    throw new Refused("the admin token is needed");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const messages = data && (data.messages || data);
    const text = Array.isArray(messages) ? messages.map((m) => m.content).join("; ") : response.status;
    throw new Error(String(text));
  }
  return data;
}

function askForToken(refused) {
  const dialog = document.getElementById("token-dialog");
  document.getElementById("token-error").hidden = !refused;
  main.replaceChildren(el("p", {}, "The dashboard needs the admin token."));
  if (!dialog.open) dialog.showModal();
}

document.getElementById("token-form").addEventListener("submit", () => {
  sessionStorage.setItem(TOKEN_KEY, document.getElementById("token-input").value);
  route();
});

// ---- small DOM helpers ----------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function table(headers, rows) {
  return el("div", { class: "table-wrap" },
    el("table", {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)));
}

function say(text) { statusLine.textContent = text; }

// Re-render a section only when its data changed: an open dashboard then costs the browser
// (and a machine under load) next to nothing between changes.
const lastSeen = new Map();
function changed(section, data) {
  const key = JSON.stringify(data);
  if (lastSeen.get(section) === key) return false;
  lastSeen.set(section, key);
  return true;
}

async function act(label, fn) {
  try {
    await fn();
    say(label + ": done");
    await refresh();
  } catch (error) {
    if (!(error instanceof Refused)) say(label + ": " + error.message);
  }
}

const RESET_QUESTION = "Reset the mock? Every purchase, package, fault and clock move is wiped, " +
  "and the catalog goes back to its start-up data.";

// One format and zone for every time on every page: ISO-8601 in UTC, as the API writes them.
function utc(date) { return date.toISOString().replace(/\.\d{3}Z$/, "Z"); }

// A page's own anchor (#batches/3, #packages/88475): the row it names is shown and marked.
let anchor = null;
function markAnchor(selector) {
  if (!anchor) return;
  const row = document.querySelector(`[${selector}="${CSS.escape(anchor)}"]`);
  if (!row) return;
  row.classList.add("anchored");
  row.scrollIntoView({ block: "center" });
  anchor = null;
}

function link(href, text) { return el("a", { href }, text); }

// A fault rule's effect, in words.
function effectWords(effect) {
  if (effect.type === "drop") return "drops the connection, no answer";
  if (effect.type === "status") {
    return `answers ${effect.status}` + (effect.retryAfter !== undefined ? `, Retry-After ${effect.retryAfter} s` : "");
  }
  const low = effect.minMs ?? effect.ms ?? 0, high = effect.maxMs ?? effect.ms ?? low;
  return `waits ${low === high ? low : low + "–" + high} ms, then answers`;
}

function ruleScope(rule) {
  const parts = [];
  if (rule.probability !== undefined && rule.probability !== null && rule.probability < 1) {
    parts.push(`${Math.round(rule.probability * 100)} % of matches`);
  }
  return parts.join(", ");
}

function field(label, input) {
  return el("label", {}, label, input);
}

function pretty(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

// ---- pages ----------------------------------------------------------------------------------

const pages = {
  overview: { title: "Overview", build: buildOverview },
  catalog: { title: "Catalog", build: buildCatalog },
  orders: { title: "Orders", build: buildOrders },
  batches: { title: "Batches", build: buildBatches },
  packages: { title: "Packages", build: buildPackages },
  journal: { title: "Journal", build: buildJournal },
  faults: { title: "Faults and rate limit", build: buildFaults },
  state: { title: "State", build: buildState },
};
let current = null;

function buildOverview() {
  const clock = el("section", { "aria-labelledby": "clock-h", class: "cards" });
  const batches = el("section", { "aria-labelledby": "batches-h" });
  const packages = el("section", { "aria-labelledby": "latest-h" });
  const activity = el("ol", { id: "activity", class: "activity", reversed: "" });
  let lastClock = null;
  const controls = el("div", { class: "buttons" },
    el("button", { class: "primary", id: "advance-cutoff", onclick: () => act("Advance to next cut-off", async () => {
      const target = lastClock && (lastClock.nextEvent || lastClock.nextCutoff);
      if (!target) throw new Error("no cut-off ahead (the time cut-off is off)");
      await api("POST", "clock/set", { at: target });
    }) }, "Advance to next cut-off"),
    el("button", { onclick: () => act("+1 hour", () => api("POST", "clock/advance", { by: "1h" })) }, "+1 hour"),
    el("button", { onclick: () => act("+1 day", () => api("POST", "clock/advance", { by: "1d" })) }, "+1 day"),
    el("button", { id: "freeze", onclick: () => act("Clock", () =>
      api("POST", lastClock && lastClock.mode === "frozen" ? "clock/resume" : "clock/freeze", {})) }, "Freeze"),
    el("button", { id: "overview-reset", onclick: () => {
      if (confirm(RESET_QUESTION)) act("Reset", () => api("POST", "reset", {}));
    } }, "Reset"));
  main.replaceChildren(
    el("h2", { id: "clock-h" }, "Clock"), clock, controls,
    el("h2", { id: "batches-h" }, "Open batches"), batches,
    el("h2", { id: "latest-h" }, "Latest packages"), packages,
    el("h2", { id: "activity-h" }, "Activity"),
    el("p", { class: "muted" }, "Clock moves, cut-offs, packing, resets, imports and faults fired, newest first " +
      "(from the journal and the batches: the same on every replica of a fleet)."), activity);
  return async () => {
    const [c, open, recent, story, batchList] = await Promise.all([
      api("GET", "clock"), api("GET", "requests?state=open"), api("GET", "packages?limit=10"),
      api("GET", "journal?plane=all&limit=300"), api("GET", "batches")]);
    if (changed("activity", [story, batchList])) {
      const items = activityOf(story, batchList);
      activity.replaceChildren(...(items.length ? items.map(([when, kind, text]) =>
        el("li", { "data-kind": kind }, el("span", { class: "badge " + kind }, kind), " ", text,
          el("span", { class: "muted" }, " · " + when))) : [el("li", { class: "muted" }, "Nothing yet.")]));
    }
    lastClock = c;
    document.getElementById("freeze").textContent = c.mode === "frozen" ? "Resume" : "Freeze";
    const now = Date.parse(c.now);
    const cutoff = c.nextEvent || c.nextCutoff;
    const left = cutoff ? Math.max(0, Date.parse(cutoff) - now) : null;
    clock.replaceChildren(
      el("div", { class: "card" }, el("h3", {}, "Mock time"), el("div", { class: "big", id: "clock-now" }, c.now),
        el("div", { class: "muted" }, `${c.nowInZone} (${c.zone}) · ${c.mode}`)),
      el("div", { class: "card" }, el("h3", {}, "Next cut-off"),
        el("div", { class: "big", id: "countdown" }, left === null ? "none" : countdown(left)),
        el("div", { class: "muted" }, cutoff || "no time cut-off")));
    if (!changed("overview", [open, recent])) return;
    const byBuyer = {};
    for (const r of open) (byBuyer[r.buyerCode] = byBuyer[r.buyerCode] || []).push(r);
    const buyers = Object.keys(byBuyer).sort();
    batches.replaceChildren(buyers.length ? el("div", { class: "cards" }, buyers.map((b) =>
      el("div", { class: "card" }, el("h3", {}, b),
        el("div", { class: "muted" }, `${byBuyer[b].length} request(s), ` +
          `${byBuyer[b].reduce((n, r) => n + r.lines.reduce((m, x) => m + x.reservedQuantity - x.cancelledQuantity, 0), 0)} units reserved`),
        table(["request", "vendorRef", "lines", "units"], byBuyer[b].map((r) => el("tr", { "data-request": r.requestNumber },
          el("td", {}, r.requestNumber), el("td", {}, r.vendorRef || "–"), el("td", {}, r.lines.length),
          el("td", {}, r.lines.reduce((m, x) => m + x.reservedQuantity - x.cancelledQuantity, 0)))))))) :
      el("p", { class: "muted" }, "No open batch: the next purchase opens one."));
    packages.replaceChildren(recent.length ? table(["b2BId", "warehouse", "createDate"], recent.map((p) =>
      el("tr", { "data-b2bid": p.b2BId }, el("td", {}, p.b2BId), el("td", {}, p.warehouseName || p.warehouseId),
        el("td", {}, p.createDate)))) : el("p", { class: "muted" }, "No package yet: packing follows the cut-off."));
  };
}

const ACTIVITY_SHOWN = 25;

// The overview's timeline: control-plane changes and fired faults from the journal, cut-offs
// and packing from the batches; newest first. Each item: [mock time, kind, words].
function activityOf(entries, batches) {
  const items = [];
  for (const e of entries) {
    if (e.plane === "control") items.push([e.time, controlKind(e.path), controlWords(e)]);
    else if (e.fault) items.push([e.time, "fault", `${e.method} ${e.path} ${e.fault}`]);
  }
  for (const b of batches) {
    if (b.closedAt) items.push([b.closedAt, "cut-off", `batch ${b.id} of ${b.buyerCode} closed by ` +
      (CLOSE_REASONS[b.closeReason] || b.closeReason) + `: ${b.requestNumbers.length} request(s), ${b.reservedUnits} unit(s)`]);
    if (b.packedAt) items.push([b.packedAt, "packing", `batch ${b.id} of ${b.buyerCode} packed`]);
  }
  // by mock time, then as recorded (a stable sort keeps the journal's order within an instant)
  return items.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).reverse().slice(0, ACTIVITY_SHOWN);
}

function controlKind(path) {
  const part = path.replace("/__mock/", "").split("/")[0];
  return { clock: "clock", reset: "reset", state: "import", faults: "fault", "rate-limit": "fault",
    batches: "cut-off", offers: "catalog", buyers: "buyers", requests: "cancel" }[part] || "control";
}

function controlWords(e) {
  const body = e.body && typeof e.body === "object" ? e.body : {};
  const tail = e.path.replace("/__mock/", "");
  const words = {
    "clock/advance": `clock advanced by ${body.by}`,
    "clock/set": `clock set to ${body.at}`,
    "clock/freeze": body.at ? `clock frozen at ${body.at}` : "clock frozen",
    "clock/resume": "clock running again",
    "reset": "state reset to the start-up data" + (body.seed !== undefined ? ` (seed ${body.seed})` : ""),
    "state": "state imported",
    "batches/close": "open batches closed from the control plane",
    "batches/pack": "closed batches packed from the control plane",
  }[tail];
  let text = words;
  if (!text && tail === "faults" && e.method === "POST" && body.effect) {
    text = `fault rule added: ${body.method || "*"} ${body.path || "/*"} ${effectWords(body.effect)}`;
  }
  if (!text) text = `${e.method} ${e.path}`;
  return e.status >= 400 ? `${text} (refused: ${e.status})` : text;
}

function countdown(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return (d ? d + "d " : "") + [h, m, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
}

function buildCatalog() {
  const search = el("input", { id: "catalog-q", type: "search", placeholder: "barcode, model or name", size: "30" });
  let page = 1;
  const grid = el("div", { class: "grid", id: "catalog-grid" });
  const pager = el("div", { class: "buttons" });
  const form = el("form", { class: "inline", role: "search", onsubmit: (e) => { e.preventDefault(); page = 1; refresh(); } },
    field("Search", search), el("button", { type: "submit" }, "Search"));
  main.replaceChildren(el("h2", {}, "Catalog"), form, grid, pager);
  return async () => {
    if (grid.contains(document.activeElement)) return; // an edit in progress
    const q = encodeURIComponent(search.value.trim());
    const result = await api("GET", `offers?q=${q}&page=${page}&pageSize=24`);
    if (!changed("catalog", result)) return;
    grid.replaceChildren(...result.offers.map(offerCard));
    const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
    pager.replaceChildren(
      el("button", { disabled: page <= 1 ? "" : null, onclick: () => { page -= 1; refresh(); } }, "Previous"),
      el("span", { class: "muted" }, `page ${page} of ${pages} · ${result.total} offers`),
      el("button", { disabled: page >= pages ? "" : null, onclick: () => { page += 1; refresh(); } }, "Next"));
  };
}

function offerCard(o) {
  const stock = el("input", { type: "number", min: "0", value: o.stockQuantity, id: "stock-" + o.barcode });
  const price = el("input", { type: "number", min: "0", step: "0.01", value: o.price, id: "price-" + o.barcode });
  return el("article", { class: "card offer", "data-barcode": o.barcode },
    el("img", { src: o.imageUrl, alt: `${o.name}, ${o.color}`, loading: "lazy", width: "160", height: "160" }),
    el("h3", {}, o.name),
    el("div", { class: "muted" }, `${o.modelNo} · ${o.barcode}`),
    el("div", {}, `${o.color} · ${o.size}`),
    el("div", {}, `$${o.price} `, o.discountRate ? el("span", { class: "muted" }, `(−${o.discountRate}% of $${o.originalSalesPrice})`) : null),
    el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); act("Save " + o.barcode, () =>
      api("PATCH", "offers/" + encodeURIComponent(o.barcode), { stockQuantity: Number(stock.value), price: Number(price.value) })); } },
      field("Stock", stock), field("Price", price), el("button", { type: "submit" }, "Save")));
}

function buildOrders() {
  const buyer = el("input", { id: "orders-buyer", placeholder: "any" });
  const state = el("select", { id: "orders-state" }, ["", "open", "closed", "packed"].map((s) => el("option", { value: s }, s || "any")));
  const list = el("div", { id: "orders-list" });
  main.replaceChildren(el("h2", {}, "Orders"),
    el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); refresh(); } },
      field("Buyer", buyer), field("State", state), el("button", { type: "submit" }, "Filter")), list);
  return async () => {
    const query = new URLSearchParams();
    if (buyer.value.trim()) query.set("buyerCode", buyer.value.trim());
    if (state.value) query.set("state", state.value);
    const rows = await api("GET", "requests?" + query);
    if (!changed("orders", [String(query), rows])) return;
    list.replaceChildren(rows.length ? table(
      ["request", "buyer", "state", "created", "batch", "packages", "package type", "address",
        "lines (requested / reserved / cancelled)"],
      rows.map((r) => el("tr", { "data-request": r.requestNumber },
        el("td", {}, r.requestNumber, r.vendorRef ? el("div", { class: "muted" }, r.vendorRef) : null),
        el("td", {}, r.buyerCode), el("td", {}, el("span", { class: "badge " + r.state }, r.state)),
        el("td", {}, r.createDateTime),
        el("td", {}, r.batchId ? link("#batches/" + r.batchId, "batch " + r.batchId) : "–"),
        el("td", {}, r.b2BIds.length ? r.b2BIds.map((id) => el("div", {}, link("#packages/" + id, String(id)))) : "–"),
        el("td", {}, r.packageType), el("td", {}, r.addressTitle || "–"),
        el("td", {}, r.lines.map((x) => el("div", { class: "line" },
          `${x.barcode}: ${x.requestedQuantity} / ${x.reservedQuantity} / ${x.cancelledQuantity} `,
          r.state === "open" && x.reservedQuantity > x.cancelledQuantity ? el("button", {
            "aria-label": `Cancel one ${x.barcode} of ${r.requestNumber}`,
            onclick: () => act("Cancel", () => api("POST", `requests/${r.requestNumber}/cancel`, { barcode: x.barcode, quantity: 1 })),
          }, "cancel 1") : null)))))) : el("p", { class: "muted" }, "No purchase request matches."));
  };
}

function buildPackages() {
  const list = el("div", { id: "packages-list" });
  main.replaceChildren(el("h2", {}, "Packages"), list);
  return async () => {
    const rows = await api("GET", "packages");
    if (!changed("packages", rows)) return;
    list.replaceChildren(rows.length ? table(["b2BId", "batch", "warehouse", "createDate", "items (request, barcode, quantity)"],
      rows.map((p) => el("tr", { "data-b2bid": p.b2BId }, el("td", {}, p.b2BId),
        el("td", {}, p.batchId ? link("#batches/" + p.batchId, "batch " + p.batchId) : "–"),
        el("td", {}, p.warehouseName || p.warehouseId),
        el("td", {}, p.createDate), el("td", {}, p.items.map((i) => el("div", {}, `${i.requestNumber} · ${i.barcode} × ${i.quantity}`))))))
      : el("p", { class: "muted" }, "No package yet."));
    markAnchor("data-b2bid");
  };
}

const CLOSE_REASONS = { time: "the time cut-off", quantity: "the quantity cut-off", manual: "the control plane" };

// A batch: one buyer's purchases between two cut-offs, then its packages.
function buildBatches() {
  const list = el("div", { id: "batches-list" });
  main.replaceChildren(el("h2", {}, "Batches"),
    el("p", { class: "muted" }, "Each buyer's purchases gather in an open batch until a cut-off closes it; packing then makes its packages."),
    list);
  return async () => {
    const [batches, packages] = await Promise.all([api("GET", "batches"), api("GET", "packages")]);
    if (!changed("batches", [batches, packages])) return;
    const byBatch = {};
    for (const p of packages) (byBatch[p.batchId] = byBatch[p.batchId] || []).push(p.b2BId);
    list.replaceChildren(batches.length ? table(
      ["batch", "buyer", "opened", "cut-off", "closed", "packed", "requests", "packages"],
      batches.slice().reverse().map((b) => el("tr", { "data-batch": b.id },
        el("td", {}, b.id), el("td", {}, b.buyerCode), el("td", {}, b.openedAt),
        el("td", {}, b.cutoffAt || "–"),
        el("td", {}, b.closedAt ? [b.closedAt, el("div", { class: "muted" }, "by " + (CLOSE_REASONS[b.closeReason] || b.closeReason))] : "open"),
        el("td", {}, b.packedAt || (b.packAt ? el("span", { class: "muted" }, "due " + b.packAt) : "–")),
        el("td", {}, b.requestNumbers.map((n) => el("div", {}, n)), el("div", { class: "muted" }, `${b.reservedUnits} units`)),
        el("td", {}, (byBatch[b.id] || []).length ? byBatch[b.id].map((id) => el("div", {}, link("#packages/" + id, String(id)))) : "–"))))
      : el("p", { class: "muted" }, "No batch yet: the first purchase opens one."));
    markAnchor("data-batch");
  };
}

// One word for a POSIX shell, whatever the text: inside single quotes nothing is special but
// the quote itself, written as '\''. Every part a client sent (method, path, query, body) goes
// through it, so a pasted command runs curl and nothing else.
function shellWord(text) {
  return "'" + String(text).replace(/'/g, "'\\''") + "'";
}

function curlOf(entry) {
  const url = location.origin + entry.path + (entry.query ? "?" + entry.query : "");
  const parts = ["curl", "-s", "-u", '"$BUYER:$PASSWORD"', "-X", shellWord(entry.method)];
  if (entry.body !== "" && entry.body !== null) {
    const body = typeof entry.body === "string" ? entry.body : JSON.stringify(entry.body);
    parts.push("-H", shellWord("Content-Type: application/json"), "--data-raw", shellWord(body));
  }
  parts.push(shellWord(url));
  return parts.join(" ");
}

function buildJournal() {
  const inputs = { buyerCode: el("input", { id: "j-buyer" }), method: el("input", { id: "j-method", size: "6" }),
    path: el("input", { id: "j-path" }), status: el("input", { id: "j-status", size: "4" }) };
  const list = el("div", { id: "journal-list" });
  const open = new Set();
  main.replaceChildren(el("h2", {}, "Journal"),
    el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); refresh(); } },
      field("Buyer", inputs.buyerCode), field("Method", inputs.method), field("Path", inputs.path),
      field("Status", inputs.status), el("button", { type: "submit" }, "Filter")), list);
  return async () => {
    const query = new URLSearchParams({ limit: "100" });
    for (const [k, input] of Object.entries(inputs)) {
      const value = input.value.trim();
      if (value) query.set(k, k === "method" ? value.toUpperCase() : value);
    }
    const entries = (await api("GET", "journal?" + query)).reverse();
    if (!changed("journal", [String(query), entries])) return;
    list.replaceChildren(...(entries.length ? entries.map((e) => {
      const curl = el("pre", { hidden: "" }, curlOf(e));
      const details = el("details", { "data-entry": e.id, class: "status-" + String(e.status).charAt(0) + "xx",
        open: open.has(e.id) ? "" : null,
        ontoggle: (ev) => { if (ev.target.open) open.add(e.id); else open.delete(e.id); } },
        el("summary", {}, `${e.method} ${e.path}${e.query ? "?" + e.query : ""} → ${e.status}`,
          el("span", { class: "muted" }, `  ${e.buyerCode || "-"} · ${e.time}`)),
        el("h3", {}, "Request body"), el("pre", {}, e.body === "" ? "(none)" : pretty(e.body)),
        el("h3", {}, "Response"), el("pre", {}, pretty(e.response)),
        el("button", { onclick: async () => {
          curl.hidden = false;
          try { await navigator.clipboard.writeText(curl.textContent); say("copied as curl (no credentials)"); }
          catch (error) { say("select the command below to copy it"); }
        } }, "Copy as curl"), curl);
      return details;
    }) : [el("p", { class: "muted" }, "No request recorded.")]));
  };
}

function buildFaults() {
  const list = el("div", { id: "faults-list" });
  const rate = el("div", { id: "rate-limit" });
  const f = { method: el("input", { id: "f-method", value: "*", size: "6" }), path: el("input", { id: "f-path", value: "/v1_1/offers" }),
    type: el("select", { id: "f-type" }, ["status", "latency", "drop"].map((t) => el("option", { value: t }, t))),
    status: el("input", { id: "f-status", type: "number", value: "503", size: "4" }),
    ms: el("input", { id: "f-ms", type: "number", value: "500", size: "5" }), times: el("input", { id: "f-times", type: "number", min: "1", placeholder: "every time" }) };
  const r = { requests: el("input", { id: "r-requests", type: "number", value: "50", min: "1" }),
    window: el("input", { id: "r-window", type: "number", value: "10", min: "1" }) };
  main.replaceChildren(el("h2", {}, "Fault rules"), list,
    el("h2", {}, "Add a fault rule"),
    el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); act("Add fault", () => {
      const effect = { type: f.type.value };
      if (f.type.value === "status") effect.status = Number(f.status.value);
      if (f.type.value === "latency") effect.ms = Number(f.ms.value);
      const rule = { method: f.method.value || "*", path: f.path.value || "/*", effect };
      if (f.times.value) rule.times = Number(f.times.value);
      return api("POST", "faults", rule);
    }); } }, field("Method", f.method), field("Path", f.path), field("Effect", f.type), field("Status", f.status),
      field("Latency ms", f.ms), field("Times", f.times), el("button", { type: "submit" }, "Add")),
    el("h2", {}, "Rate limit"), rate,
    el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); act("Rate limit", () =>
      api("PUT", "rate-limit", { enabled: true, requests: Number(r.requests.value), windowSeconds: Number(r.window.value) })); } },
      field("Requests", r.requests), field("Per seconds", r.window), el("button", { type: "submit" }, "Turn on"),
      el("button", { type: "button", onclick: () => act("Rate limit off", () => api("PUT", "rate-limit", { enabled: false })) }, "Turn off")));
  return async () => {
    const [rules, limit] = await Promise.all([api("GET", "faults"), api("GET", "rate-limit")]);
    if (!changed("faults", [rules, limit])) return;
    list.replaceChildren(rules.length ? table(["id", "method", "path", "buyer", "effect", "times left", "matched", ""],
      rules.map((x) => el("tr", { "data-fault": x.id }, el("td", {}, x.id), el("td", {}, x.method), el("td", {}, x.path),
        el("td", {}, x.buyerCode || "any"),
        el("td", { class: "effect" }, effectWords(x.effect), ruleScope(x) ? el("div", { class: "muted" }, ruleScope(x)) : null),
        el("td", {}, x.times ?? "every time"),
        el("td", {}, x.matched), el("td", {}, el("button", { "aria-label": "Delete fault rule " + x.id,
          onclick: () => act("Delete fault", () => api("DELETE", "faults/" + x.id)) }, "Delete")))))
      : el("p", { class: "muted" }, "No fault rule."));
    rate.replaceChildren(el("p", {}, limit.enabled ? `On: ${limit.requests} requests per ${limit.windowSeconds} s per buyer and endpoint.` : "Off."));
  };
}

function buildState() {
  const seed = el("input", { id: "s-seed", type: "number", min: "0", placeholder: "start-up" });
  const size = el("input", { id: "s-size", type: "number", min: "0", placeholder: "fixtures" });
  const file = el("input", { id: "s-file", type: "file", accept: "application/json,.json" });
  const summary = el("p", { id: "state-summary" });
  // the import's outcome stays until the next import: a failed one says why, in words
  const outcome = el("p", { id: "import-outcome", role: "status", hidden: "" });
  const tell = (text, failed) => {
    outcome.hidden = false;
    outcome.className = failed ? "outcome error" : "outcome ok";
    outcome.textContent = text;
  };
  main.replaceChildren(el("h2", {}, "State"), summary,
    el("div", { class: "buttons" }, el("button", { onclick: () => act("Download", async () => {
      const doc = await api("GET", "state");
      const link = el("a", { href: URL.createObjectURL(new Blob([JSON.stringify(doc)], { type: "application/json" })),
        download: "mock-gateway-state.json" });
      link.click();
      URL.revokeObjectURL(link.href);
    }) }, "Download the export")),
    el("form", { class: "inline", onsubmit: async (e) => {
      e.preventDefault();
      outcome.hidden = true;
      try {
        if (!file.files.length) throw new Error("choose a state file first");
        const name = file.files[0].name;
        let doc;
        try { doc = JSON.parse(await file.files[0].text()); } catch (error) { throw new Error(`${name} is not JSON`); }
        await api("PUT", "state", doc);
        const ready = await api("GET", "ready");
        tell(`Imported ${name} at ${utc(new Date())}: ${ready.offers} offers.`, false);
        await refresh();
      } catch (error) {
        if (!(error instanceof Refused)) tell("Import failed, nothing was changed: " + error.message, true);
      }
    } }, field("State file", file), el("button", { type: "submit" }, "Import")), outcome,
    el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); if (!confirm(RESET_QUESTION)) return; act("Reset", () => {
      const body = {};
      if (seed.value !== "") body.seed = Number(seed.value);
      if (size.value !== "") body.catalogSize = Number(size.value);
      return api("POST", "reset", body);
    }); } }, field("Seed", seed), field("Catalog size", size), el("button", { type: "submit" }, "Reset")));
  return async () => {
    const ready = await api("GET", "ready");
    summary.textContent = `${ready.offers} offers loaded.`;
  };
}

// ---- routing and refresh --------------------------------------------------------------------

async function refresh() {
  if (!current) return;
  const mine = generation;
  try {
    await current();
    if (mine === generation) say("live · updated " + utc(new Date()));
  } catch (error) {
    if (!(error instanceof Refused)) say("could not refresh: " + error.message);
  }
}

function route() {
  const [name, rest] = (location.hash || "#overview").slice(1).split("/", 2);
  const page = pages[name] || pages.overview;
  anchor = rest ? decodeURIComponent(rest) : null;
  generation += 1;
  lastSeen.clear();
  document.title = page.title + " · mock-gateway";
  for (const link of document.querySelectorAll("nav a")) {
    if (link.getAttribute("href") === "#" + name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  current = page.build();
  refresh();
  clearInterval(timer);
  timer = setInterval(refresh, REFRESH_MS);
}

window.addEventListener("hashchange", route);
route();
