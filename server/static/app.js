// thinkroom dashboard: plain JS, no build step, no external assets.
// Model and user text is only ever inserted as text (textContent / text nodes), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "thinkroom.apiKey";
// Tabs come from the page, so a panel added to index.html needs no edit here.
const TABS = [...document.querySelectorAll('nav.tabs [role="tab"]')].map((tab) => tab.dataset.tab);
// Result views per workflow (graph id), filled by workflows.js and drawn by the run view in studio.js:
// RESULT_VIEWS[graphId](container, { state, interrupts, run, resume }) where resume(value) resumes an interrupt.
const RESULT_VIEWS = {};

// ---------- small helpers ----------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}
const clear = (node) => { node.replaceChildren(); return node; };
const pretty = (value) => JSON.stringify(value, null, 2);
const fmt = (x, digits = 2) => (typeof x === "number" ? Number(x.toFixed(digits)).toString() : String(x ?? "—"));

function headers(extra = {}) {
  const key = localStorage.getItem(KEY_STORE);
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || (body && body.detail) || `HTTP ${status}`);
    this.status = status; this.body = body; this.fields = err.fields || [];
  }
}

// fetch with the API key; a 401 reveals the key banner. Returns the Response (ok) or throws ApiError.
async function api(path, { method = "GET", body } = {}) {
  const init = { method, headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  $("auth-banner").hidden = res.status !== 401;
  if (!res.ok) {
    let payload = null;
    try { payload = await res.json(); } catch (_) { /* not JSON */ }
    throw new ApiError(res.status, payload);
  }
  return res;
}
const getJSON = async (path) => (await api(path)).json();

// Read a text/event-stream body; calls onEvent(eventName, dataText) per event.
async function readSSE(res, onEvent) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const flush = (block) => {
    let event = "message"; const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) onEvent(event, data.join("\n"));
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      flush(buffer.slice(0, cut));
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
    }
  }
  if (buffer.trim()) flush(buffer);
}

function showError(container, err) {
  const box = el("div", { class: "error", role: "alert" }, el("strong", { text: `Error${err.status ? ` ${err.status}` : ""}: ` }), err.message);
  if (err.fields && err.fields.length) {
    box.append(el("ul", {}, ...err.fields.map((f) => el("li", {}, el("code", { text: f.field }), ` — ${f.message}`))));
  }
  container.append(box);
}

// ---------- tabs (roving focus, arrow keys) ----------
function selectTab(name, focus = false) {
  for (const t of TABS) {
    const tab = $(`tab-${t}`), on = t === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`panel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
}
function initTabs() {
  for (const t of TABS) {
    $(`tab-${t}`).addEventListener("click", () => { selectTab(t); history.replaceState(null, "", `#tab=${t}`); });
    $(`tab-${t}`).addEventListener("keydown", (e) => {
      const i = TABS.indexOf(t);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      selectTab(TABS[(next + TABS.length) % TABS.length], true);
    });
  }
}

// ---------- Status ----------
const catalog = { agents: [], workflows: [], backendModels: [] };

async function loadStatus() {
  try {
    const h = await (await fetch("/health")).json(); // public even with an API key
    $("st-backend").textContent = h.backend; $("st-model").textContent = h.model;
    $("st-reason").textContent = h.backend_reason; $("st-version").textContent = h.version;
    $("status-pill").textContent = `${h.status} · ${h.backend} · ${h.model} · v${h.version}`;
    $("status-pill").classList.add("ok");
  } catch (err) {
    $("status-pill").textContent = "server unreachable"; $("status-pill").classList.add("bad");
  }
  const [models, agents, workflows] = await Promise.allSettled([getJSON("/api/models"), getJSON("/api/agents"), getJSON("/api/workflows")]);
  const rows = clear($("st-models"));
  if (models.status === "fulfilled") {
    catalog.backendModels = models.value.models.map((m) => m.name);
    for (const m of models.value.models) {
      const name = m.name === models.value.default_model ? `${m.name} (default)` : m.name;
      rows.append(el("tr", {}, el("td", { text: name }), el("td", { text: (m.capabilities || []).join(", ") || "—" }),
        el("td", { text: m.supports_tools ? "yes" : "no" }), el("td", { text: m.context_length ?? "—" }),
        el("td", { text: m.size_bytes ? `${(m.size_bytes / 1e9).toFixed(2)} GB` : "—" }), el("td", { text: m.family ?? "—" })));
    }
  } else rows.append(el("tr", {}, el("td", { colspan: 6, text: models.reason.message })));
  if (agents.status === "fulfilled") {
    catalog.agents = agents.value.map((a) => a.name);
    clear($("st-agents")).append(...agents.value.map((a) => el("li", {}, el("strong", { text: a.name }), ` — ${a.role} (${a.framework})`)));
  }
  if (workflows.status === "fulfilled") {
    catalog.workflows = workflows.value.map((w) => w.name);
    clear($("st-workflows")).append(...workflows.value.map((w) => el("li", {}, el("strong", { text: w.name }),
      ` — ${w.description}`, w.strategies.length ? el("span", { class: "muted", text: ` [${w.strategies.join(", ")}]` }) : null)));
  }
}

// ---------- Concept lab ----------
let concepts = [];

function renderConceptList() {
  const q = $("concept-filter").value.trim().toLowerCase();
  const list = clear($("concept-list"));
  for (const c of concepts) {
    if (q && !`${c.name} ${c.title} ${c.section}`.toLowerCase().includes(q)) continue;
    list.append(el("li", {}, el("button", { type: "button", "data-name": c.name, onclick: () => openConcept(c.name) },
      el("code", { text: c.name }), el("span", { class: "muted", text: c.title }))));
  }
  if (!list.children.length) list.append(el("li", { class: "muted", text: "no match" }));
}

async function loadConcepts() {
  try { concepts = await getJSON("/api/concepts"); } catch (err) { showError($("concept-view"), err); return; }
  renderConceptList();
}

async function openConcept(name, run = false, inputText = null) {
  const view = clear($("concept-view"));
  for (const b of $("concept-list").querySelectorAll("button")) b.setAttribute("aria-current", String(b.dataset.name === name));
  let c;
  try { c = await getJSON(`/api/concepts/${encodeURIComponent(name)}`); } catch (err) { showError(view, err); return; }
  view.append(el("h3", { text: c.title }),
    el("p", { class: "muted" }, `${c.section} · `, el("code", { text: c.name }), c.model_backed ? " · uses the model" : " · pure computation"),
    el("p", { text: c.explanation }));
  if (c.notes_errata && c.notes_errata.length) {
    view.append(el("aside", { class: "errata", "aria-label": "Where the notes are wrong" },
      el("h4", { text: "Where the notes are wrong" }), el("ul", {}, ...c.notes_errata.map((e) => el("li", { text: e })))));
  }
  if (c.quiz && c.quiz.length) {
    view.append(el("h4", { text: "Quiz" }), ...c.quiz.map((item) => el("details", { class: "quiz" },
      el("summary", { text: item.question }), el("p", { text: item.answer }))));
  }
  if (c.references && c.references.length) view.append(el("h4", { text: "References" }), el("ul", {}, ...c.references.map((r) => el("li", { text: r }))));
  const props = (c.input_schema && c.input_schema.properties) || {};
  const required = new Set((c.input_schema && c.input_schema.required) || []);
  view.append(el("h4", { text: "Try it" }), el("ul", { class: "fields" }, ...Object.entries(props).map(([k, p]) =>
    el("li", {}, el("code", { text: k }), ` ${p.type || (p.enum ? "enum" : "value")}${required.has(k) ? "" : " (optional)"}`,
      p.description ? ` — ${p.description}` : "", p.enum ? ` (${p.enum.join(" | ")})` : ""))));
  const input = el("textarea", { id: "concept-input", rows: 8, spellcheck: "false", class: "code" });
  input.value = inputText ?? pretty(c.example || {});
  const out = el("div", { id: "concept-result", "aria-live": "polite" });
  const button = el("button", { type: "submit", id: "concept-run", text: "Run" });
  view.append(el("form", { class: "stack", onsubmit: (e) => { e.preventDefault(); runConcept(c.name, input, out, button); } },
    el("label", { for: "concept-input", text: "Inputs (JSON)" }), input, el("div", { class: "row" }, button)), out);
  if (run) await runConcept(c.name, input, out, button);
}

async function runConcept(name, input, out, button) {
  clear(out);
  let body;
  try { body = JSON.parse(input.value); } catch (err) { showError(out, { message: `inputs are not valid JSON: ${err.message}` }); return; }
  button.disabled = true;
  try {
    const res = await (await api(`/api/concepts/${encodeURIComponent(name)}/run`, { method: "POST", body })).json();
    // shown rounded (no float noise) with charts of its distributions and matrices; the raw result stays in the API
    const charts = typeof conceptCharts === "function" ? conceptCharts(name, body, res.result) : [];
    out.append(el("h4", { text: "Result" }));
    if (charts.length) out.append(el("div", { class: "concept-charts", id: "concept-charts" }, ...charts));
    out.append(el("pre", { class: "result", id: "concept-result-json", text: typeof roundDeep === "function" ? prettyCompact(roundDeep(res.result)) : pretty(res.result) }));
  } catch (err) { showError(out, err); } finally { button.disabled = false; }
}

// ---------- Reason (Agent Protocol runs/stream) ----------
function reasonTask() { return document.querySelector('input[name="reason-task"]:checked').value; }
function syncReasonForm() {
  const game = reasonTask() === "game24";
  for (const id of ["reason-puzzle", "reason-puzzle-label"]) $(id).hidden = !game;
  for (const id of ["reason-question", "reason-question-label"]) $(id).hidden = game;
  for (const box of document.querySelectorAll("#reason-form [data-for]")) box.hidden = box.dataset.for !== $("reason-strategy").value;
}

function reasonInput() {
  const strategy = $("reason-strategy").value, config = {};
  for (const k of ["n", "breadth", "depth"]) if ($(`reason-${k}`).value) config[k] = Number($(`reason-${k}`).value);
  if (strategy !== "cot_sc") delete config.n;
  if (strategy !== "tot") { delete config.breadth; delete config.depth; }
  const input = reasonTask() === "game24"
    ? { task: "game24", puzzle: $("reason-puzzle").value.trim(), strategy, config }
    : { question: $("reason-question").value.trim(), strategy, config };
  // who does the steps: personas as "tutor" or "tutor@crewai" (empty: the bare model)
  for (const k of ["proposer", "evaluator"]) if ($(`reason-${k}`).value.trim()) input[k] = $(`reason-${k}`).value.trim();
  const samplers = $("reason-samplers").value.split(",").map((s) => s.trim()).filter(Boolean);
  if (samplers.length) input.samplers = samplers;
  return input;
}

// who produced a node or a vote: "tutor@crewai" (nothing for the bare model)
const byPersona = (persona, framework) => (persona ? `${persona}@${framework}` : "");

function renderVotes(counts, abstained, summary, voters = {}, excluded = []) {
  $("reason-votes-box").hidden = false;
  const max = Math.max(1, ...Object.values(counts));
  const who = (names) => (names && names.length ? el("span", { class: "persona", text: ` by ${names.join(", ")}` }) : null);
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([answer, n]) => el("tr", {}, el("td", { text: answer }),
    el("td", {}, el("span", { class: "bar", style: `width:${(n / max) * 8}em` }), ` ${n}`, who(voters[answer]))));
  // an answer the concept lab refuted is shown, but left out of the vote
  for (const e of excluded) rows.push(el("tr", { class: "excluded muted" }, el("td", { text: `${e.answer} (excluded)` }),
    el("td", {}, e.reason || "excluded", who([byPersona(e.persona, e.framework)]))));
  if (abstained) rows.push(el("tr", { class: "muted" }, el("td", { text: "(abstained)" }), el("td", { text: abstained })));
  clear($("reason-votes")).append(...rows);
  if (typeof barChart === "function") {
    let chart = $("reason-votes-chart");
    if (!chart) { chart = el("div", { id: "reason-votes-chart", class: "votes-chart" }); $("reason-votes").closest("table").before(chart); }
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    clear(chart).append(barChart(entries, { label: "Votes per answer", digits: 0 }));
  }
  $("reason-vote-summary").textContent = summary || "";
}

// The ToT tree into `list` (default: the Reason tab's, shown); returns the list so other views (workflows.js) reuse it.
function renderTree(nodes, list = null) {
  if (!list) { $("reason-tree-box").hidden = false; list = $("reason-tree"); }
  const children = {};
  for (const [id, n] of Object.entries(nodes)) if (n.parent_id !== null && n.parent_id !== undefined) (children[n.parent_id] ||= []).push(id);
  const item = (id) => {
    const n = nodes[id];
    const mark = n.kept === true ? ["✓", "kept"] : n.kept === false ? ["✗", "pruned"] : ["·", "pending"];
    const li = el("li", { class: `tot-node ${mark[1]}`, "data-node": id },
      el("span", { class: "mark", title: mark[1], "aria-label": mark[1], text: mark[0] }), " ",
      el("code", { text: id }), n.value === null || n.value === undefined ? " " : el("span", { class: "value", text: ` v=${fmt(n.value, 3)} ` }),
      el("span", { class: "thought", text: String(n.text || "").trim() }));
    // a step the exact verifier rejected was pruned before it was valued: say why
    if (n.invalid_reason) li.append(el("span", { class: "invalid-reason", text: ` invalid: ${n.invalid_reason}` }));
    // who proposed it: the model picked it among the legal steps, or the program added it (the paper's steps stay untagged)
    if (n.proposer === "choice" || n.proposer === "program") li.append(el("span", { class: "proposer muted", text: ` [${n.proposer}]` }));
    // the persona (and framework) that proposed it, and the one that valued it
    if (n.persona) li.append(el("span", { class: "persona", "data-persona": byPersona(n.persona, n.framework), text: ` [${byPersona(n.persona, n.framework)}]` }));
    if (n.valued_by) li.append(el("span", { class: "persona valued-by", text: ` valued by ${n.valued_by}` }));
    if (children[id]) li.append(el("ul", {}, ...children[id].map(item)));
    return li;
  };
  // the root thought (no parent, empty text) is never announced: its children are the top level
  const isRoot = (id) => nodes[id].parent_id === null || nodes[id].parent_id === undefined;
  const top = Object.keys(nodes).filter((id) => !isRoot(id) && (!(nodes[id].parent_id in nodes) || isRoot(nodes[id].parent_id)));
  clear(list).append(...top.map(item));
  return list;
}

function voteSummary(d) {
  return `winner ${JSON.stringify(d.winner)}, agreement ${Math.round((d.agreement || 0) * 100)}%, ` +
    `samples used ${d.samples_used}, saved ${d.samples_saved} (${d.stop_reason})`;
}

// A reason run's answer, whether it was verified, and a persona vote's reply; ids (`<prefix>-answer-text`...) only with a prefix.
function answerLine(state, prefix = null) {
  const v = state.verified;
  const id = (name) => (prefix ? `${prefix}-${name}` : null);
  const line = document.createDocumentFragment();
  line.append(el("strong", { id: id("answer-text"), class: "answer-text", text: state.answer ?? "(no answer)" }), " ",
    el("span", { id: id("verified"), class: `verified ${v === true ? "yes" : v === false ? "no" : "na"}`,
      text: v === true ? "✓ verified" : v === false ? "✗ not verified" : "not checkable" }));
  // a persona vote's reply: the best-supported answer, its agreement and what checked it
  if (state.reply) line.append(el("pre", { id: id("reply"), class: "reply", text: state.reply }));
  return line;
}

// The final state (from join): answer + verified, and the authoritative tree / tally.
function showFinal(state) {
  if (state.tot && state.tot.nodes) renderTree(state.tot.nodes);
  const t = state.trace || {};
  if (state.strategy === "cot_sc" && t.counts) renderVotes(t.counts, t.abstentions || 0, voteSummary(t), t.voters, t.excluded);
  clear($("reason-answer")).append(answerLine(state, "reason"));
  $("reason-answer").className = "answer";
  const u = state.usage || {};
  $("reason-status").textContent = `done: ${u.calls ?? 0} model calls, ${u.prompt_tokens ?? 0} prompt + ${u.completion_tokens ?? 0} completion tokens`;
}

// After a Reason run: a button to open it in the Threads tab's run view (its timeline, checkpoints and trace).
function reasonRunLink(threadId, runId) {
  $("reason-open-run")?.remove();
  if (!threadId || !runId || typeof openRun !== "function") return;
  $("reason-status").after(el("button", { type: "button", id: "reason-open-run", text: "Open in Threads",
    "aria-label": `Open run ${runId.slice(0, 8)} in the Threads tab`, onclick: () => openRun(threadId, runId) }));
}

async function runReason() {
  const input = reasonInput();
  const status = $("reason-status");
  reasonRunLink(null, null);
  for (const id of ["reason-votes-box", "reason-tree-box", "reason-tokens-box"]) $(id).hidden = true;
  clear($("reason-nodes")); clear($("reason-tokens"));
  const answer = $("reason-answer"); answer.className = "answer muted"; clear(answer).append("running…");
  $("reason-run").disabled = true;
  const nodes = {}, votes = {}, voters = {}, excluded = [];
  let abstained = 0, last = null, failed = null, joined = null, settled = false, threadId = null, runId = null;
  // Join the run as well as streaming it: the joined final state is authoritative and arrives even if the stream is cut.
  const join = (runPath) => {
    joined = joined || getJSON(`${runPath}/join`).then((state) => {
      if (state && !state.__error__) { settled = true; showFinal(state); }
      return state;
    }, () => null);
  };
  try {
    const thread = await (await api("/threads", { method: "POST", body: {} })).json();
    status.textContent = `thread ${thread.thread_id}`;
    threadId = thread.thread_id;
    const res = await api(`/threads/${thread.thread_id}/runs/stream`, { method: "POST",
      body: { assistant_id: "reason", input, stream_mode: ["custom", "values"] } });
    if (res.headers.get("Content-Location")) join(res.headers.get("Content-Location"));
    await readSSE(res, (event, raw) => {
      const data = JSON.parse(raw);
      if (event === "values") { last = data; return; }
      if (event === "error") { failed = data; return; }
      if (event === "metadata") { runId = data.run_id; join(`/threads/${thread.thread_id}/runs/${data.run_id}`); return; }
      if (event !== "custom") return;
      const d = data.data || {};
      if (data.kind === "node.end") {
        const u = d.usage || {};
        $("reason-nodes").append(el("tr", {}, el("td", { text: data.node }), el("td", { text: `${fmt(d.duration_s, 3)} s` }),
          el("td", { text: u.calls ?? 0 }), el("td", { text: u.prompt_tokens ?? 0 }), el("td", { text: u.completion_tokens ?? 0 })));
      }
      if (settled) return; // the final state is already shown
      switch (data.kind) {
        case "node.start": status.textContent = `running ${data.node}…`; break;
        case "token": $("reason-tokens-box").hidden = false; $("reason-tokens").append(d.text || ""); break;
        case "cot_sc.sample": {
          const key = String(d.normalised ?? d.answer);
          if (d.abstained) abstained += 1;
          else if (d.excluded) excluded.push({ answer: d.answer, reason: d.excluded_reason, persona: d.persona, framework: d.framework });
          else {
            votes[key] = (votes[key] || 0) + 1;
            if (d.persona) (voters[key] ||= []).push(`${byPersona(d.persona, d.framework)} #${d.index}`);
          }
          renderVotes(votes, abstained, "", voters, excluded); break;
        }
        case "cot_sc.vote": renderVotes(d.counts || votes, d.abstentions ?? abstained, voteSummary(d), d.voters || voters, d.excluded || excluded); break;
        case "tot.expand":
          (d.node_ids || []).forEach((id, i) => { nodes[id] = { parent_id: d.parent_id, text: (d.texts || [])[i], value: null, kept: null, proposer: (d.proposers || [])[i],
            persona: (d.personas || [])[i], framework: (d.frameworks || [])[i] }; });
          renderTree(nodes); break;
        case "tot.prune":
          nodes[d.node_id] = { parent_id: d.parent_id, text: d.text, value: null, kept: false, invalid_reason: d.reason, proposer: d.proposer,
            persona: d.persona, framework: d.framework };
          renderTree(nodes); break;
        case "tot.evaluate": if (nodes[d.node_id]) { nodes[d.node_id].value = d.value; nodes[d.node_id].valued_by = d.valued_by; renderTree(nodes); } break;
        case "tot.select":
          for (const id of d.kept_ids || []) if (nodes[id]) nodes[id].kept = true;
          for (const id of d.pruned_ids || []) if (nodes[id]) nodes[id].kept = false;
          renderTree(nodes); break;
        default: break;
      }
    });
    const final = joined && await joined;
    if (failed || (final && final.__error__)) throw new ApiError(0, { error: failed || final.__error__ });
    if (!settled) {
      if (!last) throw new Error("the run ended without a state");
      showFinal(last);
    }
  } catch (err) {
    clear(answer); showError(answer, err); status.textContent = "failed";
  } finally { $("reason-run").disabled = false; reasonRunLink(threadId, runId); }
}

// ---------- deep links (hash or query): #tab=chat, #concept=pass_at_k&run=1[&input={json}], #chat=tutor&prompt=hi,
// #reason=tot&puzzle=4 5 6 10&breadth=1&depth=3&run=1, #reason=cot_sc&question=...&n=5&run=1,
// personas: &proposer=tutor@crewai&evaluator=evaluator@autogen&samplers=tutor,coder ----------
function linkParams() {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of new URLSearchParams(location.hash.replace(/^#/, ""))) params.set(k, v);
  return params;
}

async function followLink(p) {
  if (p.has("concept")) { selectTab("concepts"); await openConcept(p.get("concept"), p.get("run") === "1", p.get("input")); return; }
  if (p.has("chat")) { selectTab("chat"); await chatFromLink(p.get("chat"), p.get("prompt")); return; }
  if (p.has("reason")) {
    selectTab("reason");
    $("reason-strategy").value = p.get("reason") || "cot_sc";
    if (p.has("puzzle")) { document.querySelector('input[value="game24"]').checked = true; $("reason-puzzle").value = p.get("puzzle"); }
    if (p.has("question")) $("reason-question").value = p.get("question");
    for (const k of ["n", "breadth", "depth", "proposer", "evaluator", "samplers"]) if (p.has(k)) $(`reason-${k}`).value = p.get(k);
    syncReasonForm();
    if (p.get("run") === "1") await runReason();
    return;
  }
  // the tab named now, not at load: a tab clicked (or a run opened) during start-up stays selected
  const tab = linkParams().get("tab");
  selectTab(TABS.includes(tab) ? tab : "status");
}

async function main() {
  initTabs();
  $("api-key").value = localStorage.getItem(KEY_STORE) || "";
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const key = $("api-key").value.trim();
    if (key) localStorage.setItem(KEY_STORE, key); else localStorage.removeItem(KEY_STORE);
    location.reload();
  });
  $("concept-filter").addEventListener("input", renderConceptList);
  $("reason-form").addEventListener("submit", (e) => { e.preventDefault(); runReason(); });
  for (const r of document.querySelectorAll('input[name="reason-task"]')) r.addEventListener("change", syncReasonForm);
  $("reason-strategy").addEventListener("change", syncReasonForm);
  syncReasonForm();
  const params = linkParams();
  selectTab("status");
  await Promise.all([loadStatus(), loadConcepts()]);
  if (document.readyState === "loading") await new Promise((ok) => document.addEventListener("DOMContentLoaded", ok, { once: true }));
  await followLink(params);
}

main();
