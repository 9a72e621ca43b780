// Threads studio (LangGraph Studio's model): a sidebar of threads and their runs, and the run view
// (live node timeline, the graph's diagram, the state at each checkpoint, fork, cancel). Owner: issue 17.
//
// Contract with workflows.js: openRun(threadId, runId) shows a run; when it ends (or stops at an interrupt)
// RESULT_VIEWS[graphId](container, { state, interrupts, run, resume }) draws its result, where `state` is the
// thread's values, `interrupts` the pending interrupts ([{ value, id }]), `run` the run record and `resume(value)`
// starts a run on the thread with `command: { resume: value }` and opens it.
// Model and user text is only ever inserted as text (or through renderMarkdown, which sanitizes).
"use strict";

(() => {

// Every run the studio starts asks for these modes, so its stored events hold the timeline and the trace.
const STUDIO_MODES = ["values", "updates", "custom"];
const STUDIO_ACTIVE = new Set(["pending", "running"]);
const studio = { threads: [], open: null, runs: {}, view: null, editing: null, confirming: null };

// ---------- small helpers ----------
const sid = (id) => String(id || "").slice(0, 8);
const threadTitle = (t) => (t.metadata && t.metadata.title) || `${(t.metadata && t.metadata.graph_id) || "thread"} · ${sid(t.thread_id)}`;
const tokensOf = (u) => (u ? (u.prompt_tokens || 0) + (u.completion_tokens || 0) : null);
const seconds = (s) => (typeof s === "number" ? `${fmt(s, s < 10 ? 2 : 1)} s` : "—");
function since(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString();
}
function badge(status) {
  return el("span", { class: `studio-badge st-${status || "unknown"}`, text: status || "unknown" });
}
function studioHash(threadId, runId) {
  const p = new URLSearchParams({ tab: "threads" });
  if (threadId) p.set("thread", threadId);
  if (runId) p.set("run", runId);
  history.replaceState(null, "", `#${p}`);
}
function section(title, id, ...children) {
  return el("section", { class: "studio-box", "aria-labelledby": `${id}-h` }, el("h3", { id: `${id}-h`, text: title }), ...children);
}

// ---------- the sidebar: threads (search, rename, delete) and each thread's runs ----------
function buildStudio() {
  const root = clear($("studio"));
  const search = el("input", { id: "studio-search", type: "search", placeholder: "id, title, graph or key=value" });
  const status = el("select", { id: "studio-status" }, ...["", "idle", "busy", "interrupted", "error"].map((s) =>
    el("option", { value: s, text: s || "any status" })));
  const form = el("form", { id: "studio-search-form", role: "search", class: "stack", onsubmit: (e) => { e.preventDefault(); loadThreads(); } },
    el("label", { for: "studio-search", text: "Search threads" }), search,
    el("div", { class: "row" }, el("label", { for: "studio-status", text: "Thread status" }), status,
      el("button", { type: "submit", id: "studio-search-go", text: "Search" })));
  search.addEventListener("input", () => renderThreads());
  status.addEventListener("change", () => loadThreads());
  const side = el("aside", { class: "studio-side", "aria-label": "Threads" }, form,
    el("p", { id: "studio-threads-status", class: "muted", role: "status" }),
    el("ul", { id: "studio-threads", class: "studio-threads", "aria-label": "Threads list" }));
  const view = el("div", { id: "studio-run", class: "studio-run" },
    el("p", { class: "muted", text: "Pick a thread, then one of its runs, to see its trace." }));
  root.append(el("div", { class: "studio" }, side, view));
}

function metaQuery(text) {
  const m = /^([\w.-]+)\s*=\s*(.+)$/.exec(text);
  return m ? { [m[1]]: m[2].trim() } : null;
}

async function loadThreads() {
  const text = $("studio-search").value.trim(), status = $("studio-status").value;
  const body = { limit: 100, sort_by: "updated_at", sort_order: "desc" };
  const meta = metaQuery(text);
  if (meta) body.metadata = meta;
  if (status) body.status = status;
  try {
    studio.threads = await (await api("/threads/search", { method: "POST", body })).json();
    $("studio-threads-status").textContent = "";
  } catch (err) {
    clear($("studio-threads-status")); showError($("studio-threads-status"), err); return;
  }
  renderThreads();
}

function threadMatches(t, text) {
  if (!text || metaQuery(text)) return true;
  const hay = `${t.thread_id} ${threadTitle(t)} ${t.status} ${JSON.stringify(t.metadata || {})}`.toLowerCase();
  return hay.includes(text.toLowerCase());
}

function renderThreads() {
  const text = $("studio-search").value.trim();
  const list = $("studio-threads");
  // the list is rebuilt: keep the keyboard focus on the same thread (or run) across it
  const active = list.contains(document.activeElement) ? document.activeElement : null;
  const had = active && { thread: active.closest("[data-thread]")?.dataset.thread, run: active.dataset.run };
  clear(list);
  const shown = studio.threads.filter((t) => threadMatches(t, text));
  for (const t of shown) list.append(threadItem(t));
  const li = had && had.thread ? list.querySelector(`[data-thread="${CSS.escape(had.thread)}"]`) : null;
  if (li) (had.run && li.querySelector(`[data-run="${CSS.escape(had.run)}"]`) || li.querySelector(".studio-thread-open")).focus();
  $("studio-threads-status").textContent = shown.length ? `${shown.length} thread${shown.length === 1 ? "" : "s"}` : "no threads match";
}

function threadItem(t) {
  const open = studio.open === t.thread_id, title = threadTitle(t);
  const li = el("li", { class: `studio-thread${open ? " open" : ""}`, "data-thread": t.thread_id });
  li.append(el("div", { class: "studio-thread-head" },
    el("button", { type: "button", class: "studio-thread-open", "aria-expanded": String(open), "aria-controls": `studio-runs-${t.thread_id}`,
      onclick: () => toggleThread(t.thread_id) }, el("span", { class: "studio-thread-title", text: title })),
    badge(t.status)));
  if (!open) return li;
  if (studio.editing === t.thread_id) li.append(renameForm(t));
  else if (studio.confirming === t.thread_id) li.append(deleteConfirm(t));
  else {
    li.append(el("div", { class: "row studio-thread-tools" },
      el("button", { type: "button", "aria-label": `Rename ${title}`, text: "Rename",
        onclick: () => { studio.editing = t.thread_id; renderThreads(); $("studio-rename-input").focus(); } }),
      el("button", { type: "button", class: "danger", "aria-label": `Delete ${title}`, text: "Delete",
        onclick: () => { studio.confirming = t.thread_id; renderThreads(); $("studio-delete-yes").focus(); } }),
      el("code", { class: "muted", title: t.thread_id, text: sid(t.thread_id) })));
  }
  li.append(runList(t));
  return li;
}

function renameForm(t) {
  const input = el("input", { id: "studio-rename-input", type: "text", maxlength: 200 });
  input.value = (t.metadata && t.metadata.title) || "";
  const done = () => { studio.editing = null; renderThreads(); };
  const form = el("form", { class: "row studio-rename", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const updated = await (await api(`/threads/${t.thread_id}`, { method: "PATCH", body: { metadata: { title: input.value.trim() } } })).json();
      Object.assign(t, updated);
      done();
    } catch (err) { showError(form, err); }
  } }, el("label", { for: "studio-rename-input", text: "Thread title" }), input,
  el("button", { type: "submit", text: "Save" }), el("button", { type: "button", text: "Cancel", onclick: done }));
  input.addEventListener("keydown", (e) => { if (e.key === "Escape") done(); });
  return form;
}

function deleteConfirm(t) {
  const box = el("div", { class: "row studio-confirm", role: "alertdialog", "aria-label": "Confirm delete" },
    el("span", { text: `Delete “${threadTitle(t)}” and all its runs?` }));
  box.append(
    el("button", { type: "button", id: "studio-delete-yes", class: "danger", text: "Delete thread", onclick: async () => {
      try {
        await api(`/threads/${t.thread_id}`, { method: "DELETE" });
        studio.threads = studio.threads.filter((x) => x.thread_id !== t.thread_id);
        studio.confirming = null;
        if (studio.open === t.thread_id) studio.open = null;
        if (studio.view && studio.view.threadId === t.thread_id) closeRunView();
        renderThreads();
      } catch (err) { showError(box, err); }
    } }),
    el("button", { type: "button", text: "Keep it", onclick: () => { studio.confirming = null; renderThreads(); } }));
  return box;
}

async function toggleThread(threadId) {
  studio.open = studio.open === threadId ? null : threadId;
  studio.editing = studio.confirming = null;
  if (studio.open) await loadRuns(threadId);
  renderThreads();
}

async function loadRuns(threadId) {
  try { studio.runs[threadId] = await getJSON(`/api/studio/threads/${threadId}/runs`); } catch (err) { studio.runs[threadId] = err; }
}

function runLabel(r) {
  const tokens = tokensOf(r.usage);
  return [r.graph_id || r.assistant_id, seconds(r.duration_s), tokens === null ? null : `${tokens} tok`, since(r.created_at)]
    .filter(Boolean).join(" · ");
}

function runList(t) {
  const runs = studio.runs[t.thread_id];
  const list = el("ol", { id: `studio-runs-${t.thread_id}`, class: "studio-runs", "aria-label": `Runs of ${threadTitle(t)}` });
  if (runs instanceof Error) { const li = el("li"); showError(li, runs); list.append(li); return list; }
  if (!runs || !runs.length) { list.append(el("li", { class: "muted", text: "no runs" })); return list; }
  for (const r of runs) {
    const current = studio.view && studio.view.runId === r.run_id;
    list.append(el("li", {}, el("button", { type: "button", class: "studio-run-open", "data-run": r.run_id,
      "aria-current": current ? "true" : null, "aria-label": `Run ${sid(r.run_id)}, ${r.status}`, onclick: () => openRun(t.thread_id, r.run_id) },
    badge(r.status), el("code", { text: sid(r.run_id) }), el("span", { class: "muted", text: runLabel(r) }))));
  }
  return list;
}

async function refreshSidebar(threadId) {
  if (threadId) { studio.open = threadId; await loadRuns(threadId); }
  await loadThreads();
}

// ---------- the run view ----------
function closeRunView() {
  if (studio.view && studio.view.abort) { studio.view.abort.abort(); clearInterval(studio.view.ticker); }
  studio.view = null;
  clear($("studio-run")).append(el("p", { class: "muted", text: "Pick a thread, then one of its runs, to see its trace." }));
}

// Select the Threads tab and show one run: live if it is still going, else its stored trace.
async function openRun(threadId, runId) {
  selectTab("threads");
  studioHash(threadId, runId);
  if (studio.view && studio.view.abort) { studio.view.abort.abort(); clearInterval(studio.view.ticker); }
  const view = { threadId, runId, abort: new AbortController(), nodes: [], events: 0, tokens: "", run: null, graphId: null };
  studio.view = view;
  const root = clear($("studio-run"));
  const head = el("header", { class: "studio-run-head" }, el("h3", { id: "studio-run-title" }, "Run ", el("code", { title: runId, text: sid(runId) })),
    el("span", { id: "studio-run-status", role: "status", "aria-live": "polite" }, badge("loading")),
    el("dl", { id: "studio-run-facts", class: "studio-facts" }),
    el("div", { class: "row" }, el("button", { type: "button", id: "studio-cancel", class: "danger", hidden: true, text: "Cancel run",
      onclick: () => cancelRun(view) })));
  root.append(head,
    section("Timeline", "studio-timeline", el("table", { class: "grid studio-timeline" },
      el("thead", {}, el("tr", {}, ...["Node", "Status", "Time", "Calls", "Prompt tok", "Completion tok"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", { id: "studio-timeline", "aria-live": "polite" })),
    el("pre", { id: "studio-tokens", class: "studio-tokens", "aria-live": "polite", hidden: true })),
    section("Result", "studio-result", el("div", { id: "studio-result", "aria-live": "polite" }, el("p", { class: "muted", text: "waiting for the run to end…" }))),
    section("Graph", "studio-diagram", el("div", { id: "studio-diagram", class: "studio-diagram" }, el("p", { class: "muted", text: "drawing the graph…" }))),
    section("Checkpoints", "studio-checkpoints", el("p", { class: "muted", text: "The thread's state after each step; fork a new run from any of them." }),
      el("ol", { id: "studio-checkpoints", class: "studio-checkpoints" })),
    section("Trace", "studio-trace", el("ol", { id: "studio-trace", class: "studio-trace", "aria-label": "Stored events of this run" })));
  if (studio.open !== threadId) refreshSidebar(threadId);
  else { renderThreads(); }
  let run;
  try {
    run = await getJSON(`/api/studio/threads/${threadId}/runs/${runId}`);
  } catch (err) { clear($("studio-run-status")); showError(root, err); return; }
  if (studio.view !== view) return;
  view.run = run; view.graphId = run.graph_id;
  showRunFacts(view);
  drawDiagram(view);
  await followRun(view);
}

function showRunFacts(view) {
  const r = view.run;
  clear($("studio-run-status")).append(badge(r.status));
  const u = r.usage || liveUsage(view);
  const facts = [["Graph", r.graph_id || r.assistant_id], ["Thread", sid(r.thread_id)], ["Started", since(r.started_at || r.created_at)],
    ["Duration", seconds(r.duration_s)], ["Tokens", u ? `${tokensOf(u)} (${u.prompt_tokens || 0} prompt + ${u.completion_tokens || 0} completion)` : "—"],
    ["Model calls", u ? u.calls ?? 0 : "—"]];
  clear($("studio-run-facts")).append(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { "data-fact": k, text: v })]));
  if (r.error) $("studio-run-facts").append(el("dt", { text: "Error" }), el("dd", { class: "bad", text: r.error.message || pretty(r.error) }));
  const k = r.kwargs || {}, started = k.command ? ["Command", k.command] : ["Input", k.input];
  if (k.checkpoint_id) $("studio-run-facts").append(el("dt", { text: "Forked from" }), el("dd", {}, el("code", { text: `checkpoint ${sid(k.checkpoint_id)}` })));
  if (started[1] !== undefined && started[1] !== null) {
    $("studio-run-facts").append(el("dt", { text: started[0] }), el("dd", {}, el("details", {}, el("summary", { text: "show" }),
      el("pre", { id: "studio-run-input", class: "studio-json", text: pretty(started[1]) }))));
  }
  $("studio-cancel").hidden = !STUDIO_ACTIVE.has(r.status);
  tickDuration(view);
}

// While the run goes on, its duration counts up from its start (the server's clock gave the start).
function tickDuration(view) {
  clearInterval(view.ticker);
  const r = view.run;
  if (!STUDIO_ACTIVE.has(r.status) || !r.started_at) return;
  const offset = Date.now() - new Date(r.started_at).getTime() - (r.duration_s || 0) * 1000;
  view.ticker = setInterval(() => {
    const dd = $("studio-run-facts") && $("studio-run-facts").querySelector("[data-fact='Duration']");
    if (studio.view !== view || !STUDIO_ACTIVE.has(view.run.status) || !dd) { clearInterval(view.ticker); return; }
    dd.textContent = seconds((Date.now() - offset - new Date(r.started_at).getTime()) / 1000);
  }, 1000);
}

function liveUsage(view) {
  const done = view.nodes.filter((n) => n.usage);
  if (!done.length) return null;
  const sum = (k) => done.reduce((a, n) => a + (n.usage[k] || 0), 0);
  return { calls: sum("calls"), prompt_tokens: sum("prompt_tokens"), completion_tokens: sum("completion_tokens") };
}

// Join the run's event stream: stored events first (a finished run is replayed), then live ones.
async function followRun(view) {
  const path = `/threads/${view.threadId}/runs/${view.runId}/stream`;
  try {
    const res = await fetch(path, { headers: headers(), signal: view.abort.signal });
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    await readSSE(res, (event, raw) => { if (studio.view === view) onRunEvent(view, event, raw); });
  } catch (err) {
    if (err.name === "AbortError") return;
    showError($("studio-result"), err);
  }
  if (studio.view !== view) return;
  if (STUDIO_ACTIVE.has(view.run.status)) {
    try { await getJSON(`/threads/${view.threadId}/runs/${view.runId}/join`); } catch (_) { /* the status below says how it ended */ }
  }
  await settleRun(view);
}

function onRunEvent(view, event, raw) {
  let data;
  try { data = JSON.parse(raw); } catch (_) { data = raw; }
  view.events += 1;
  traceItem(view, event, data);
  if (event === "metadata" && STUDIO_ACTIVE.has(view.run.status)) {
    view.run.status = "running"; showRunFacts(view);
  } else if (event === "custom" && data && typeof data === "object") {
    onCustom(view, data);
  } else if (event === "updates" && data && typeof data === "object") {
    for (const node of Object.keys(data)) if (!node.startsWith("__")) markUpdated(view, node);
  } else if (event === "messages" && Array.isArray(data) && data[0] && !view.nodes.some((n) => n.fromCustom)) {
    appendTokens(String(data[0].content || "")); // messages-tuple: the same tokens, when no custom events carry them
  } else if (event === "values" && !view.nodes.some((n) => !n.fromCheckpoint)) {
    liveFromCheckpoints(view); // a run streamed without node events: its checkpoints say which nodes ran
  } else if (event === "error") {
    clear($("studio-result")); showError($("studio-result"), { message: (data && data.message) || pretty(data) });
  }
}

function onCustom(view, chunk) {
  const node = chunk.node || "graph", d = chunk.data || {};
  if (chunk.kind === "node.start") {
    view.nodes.push({ node, status: "running", duration_s: null, usage: null, fromCustom: true });
  } else if (chunk.kind === "node.end" || chunk.kind === "node.error") {
    let row = [...view.nodes].reverse().find((n) => n.node === node && n.status === "running");
    if (!row) { row = { node, fromCustom: true }; view.nodes.push(row); }
    Object.assign(row, { status: chunk.kind === "node.end" ? "done" : "error", duration_s: d.duration_s, usage: d.usage || null, error: d.error });
    if (view.run.usage === null || view.run.usage === undefined) showRunFacts(view);
  } else if (chunk.kind === "token") {
    appendTokens(String(d.text || ""));
    return;
  } else return;
  renderTimeline(view);
}

function appendTokens(text) {
  const box = $("studio-tokens");
  box.hidden = false; box.append(text);
}

// A node that reported no timing (no custom events) still shows up from its state update.
function markUpdated(view, node) {
  if (view.nodes.some((n) => n.node === node && n.fromCustom)) return;
  view.nodes = view.nodes.filter((n) => !n.fromCheckpoint);
  view.nodes.push({ node, status: "done", duration_s: null, usage: null, fromUpdate: true });
  renderTimeline(view);
}

function renderTimeline(view) {
  const rows = view.nodes.map((n) => el("tr", { class: `studio-node st-${n.status}`, "data-node": n.node },
    el("th", { scope: "row", text: n.node }), el("td", {}, badge(n.status), n.error ? el("span", { class: "bad", text: ` ${n.error}` }) : null),
    el("td", { text: seconds(n.duration_s) }), el("td", { text: n.usage ? n.usage.calls ?? 0 : "—" }),
    el("td", { text: n.usage ? n.usage.prompt_tokens ?? 0 : "—" }), el("td", { text: n.usage ? n.usage.completion_tokens ?? 0 : "—" })));
  clear($("studio-timeline")).append(...rows);
  paintDiagram(view);
}

function traceSummary(event, data) {
  if (event === "custom" && data && data.kind) return `${data.kind}${data.node ? ` · ${data.node}` : ""}`;
  if (event === "updates" && data && typeof data === "object") return Object.keys(data).join(", ");
  if (event === "values" && data && typeof data === "object") return `${Object.keys(data).length} keys`;
  if (event === "metadata") return `attempt ${data.attempt ?? 1}`;
  if (event === "error") return (data && data.message) || "";
  return "";
}

function traceItem(view, event, data) {
  // tokens are shown as text above, not one row each
  if ((event === "custom" && data && data.kind === "token") || event === "messages" || event === "messages/partial") return;
  $("studio-trace").append(el("li", { class: `studio-ev ev-${event}` }, el("details", {},
    el("summary", {}, el("code", { text: event }), " ", el("span", { class: "muted", text: traceSummary(event, data) })),
    el("pre", { class: "studio-json", text: typeof data === "string" ? data : pretty(data) }))));
}

// The run has ended (or stopped at an interrupt): its status, result view and checkpoints.
async function settleRun(view) {
  try {
    const [run, state, latest] = await Promise.all([getJSON(`/api/studio/threads/${view.threadId}/runs/${view.runId}`),
      getJSON(`/threads/${view.threadId}/state`), getJSON(`/threads/${view.threadId}/runs?limit=1`)]);
    if (studio.view !== view) return;
    view.run = run;
    for (const n of view.nodes) if (n.status === "running") n.status = run.status === "success" ? "done" : run.status;
    renderTimeline(view);
    showRunFacts(view);
    showResult(view, latest[0] && latest[0].run_id === view.runId ? state : await pastRunState(view, state));
  } catch (err) { showError($("studio-result"), err); }
  if (!view.events) $("studio-trace").append(el("li", { class: "muted", text: "no stored events for this run" }));
  const states = await loadCheckpoints(view);
  if (states && !view.nodes.some((n) => !n.fromCheckpoint)) timelineFromCheckpoints(view, states);
  if (studio.open === view.threadId) await refreshSidebar(view.threadId); // the thread's status and its runs changed
}

// An earlier run of the thread: its own output (what join returns), not the thread's state since; its
// interrupts, if it stopped at one, were answered by the runs after it.
async function pastRunState(view, state) {
  try {
    const output = await getJSON(`/threads/${view.threadId}/runs/${view.runId}/join`);
    if (output && typeof output === "object" && !output.__error__ && Object.keys(output).length) {
      const { __interrupt__: _answered, ...values } = output;
      return { values, interrupts: [], tasks: [] };
    }
  } catch (_) { /* fall back to the thread's state */ }
  return { ...state, interrupts: [], tasks: [] };
}

function pendingInterrupts(state) {
  const out = [...(state.interrupts || [])];
  for (const task of state.tasks || []) for (const i of task.interrupts || []) if (!out.some((o) => o.id === i.id)) out.push(i);
  return out;
}

function showResult(view, state) {
  const box = clear($("studio-result"));
  const interrupts = pendingInterrupts(state);
  const draw = RESULT_VIEWS[view.graphId];
  const resume = (value) => startRun(view, { command: { resume: value } });
  if (typeof draw === "function") {
    try { draw(box, { state: state.values || {}, interrupts, run: view.run, resume }); return; } catch (err) { showError(box, err); }
  }
  if (interrupts.length) box.append(resumeForm(interrupts, resume));
  box.append(el("pre", { id: "studio-state", class: "studio-json", text: pretty(state.values || {}) }));
}

// A graph without its own result view still answers its interrupt: the payload, and a JSON (or text) reply.
function resumeForm(interrupts, resume) {
  const input = el("textarea", { id: "studio-resume-input", class: "code", rows: 3, spellcheck: "false" });
  const out = el("div");
  const form = el("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault(); clear(out);
    let value = input.value.trim();
    try { value = JSON.parse(value); } catch (_) { /* plain text is a string answer */ }
    try { await resume(value); } catch (err) { showError(out, err); }
  } }, el("p", {}, el("strong", { text: "Waiting for input: " }), "the run stopped at an interrupt."),
  ...interrupts.map((i) => el("pre", { class: "studio-json", text: pretty(i.value) })),
  el("label", { for: "studio-resume-input", text: "Your answer (JSON or text)" }), input,
  el("div", { class: "row" }, el("button", { type: "submit", id: "studio-resume", text: "Resume" })), out);
  return form;
}

// A new run on the same thread (a resume or a fork) with the studio's stream modes; then open it.
async function startRun(view, extra) {
  const body = { assistant_id: view.run.assistant_id || view.graphId, stream_mode: STUDIO_MODES, ...extra };
  const run = await (await api(`/threads/${view.threadId}/runs`, { method: "POST", body })).json();
  await loadRuns(view.threadId);
  await openRun(view.threadId, run.run_id);
  return run;
}

async function cancelRun(view) {
  const button = $("studio-cancel");
  button.disabled = true;
  try {
    await api(`/threads/${view.threadId}/runs/${view.runId}/cancel?wait=true`, { method: "POST" });
  } catch (err) {
    if (err.status !== 409) showError($("studio-result"), err); // 409: it had already ended
  } finally { button.disabled = false; }
}

// ---------- checkpoints: the state after each step, and fork ----------
async function loadCheckpoints(view) {
  const list = clear($("studio-checkpoints"));
  let states;
  try { states = await (await api(`/threads/${view.threadId}/history`, { method: "POST", body: { limit: 50 } })).json(); } catch (err) { showError(list, err); return; }
  if (studio.view !== view) return null;
  if (!states.length) list.append(el("li", { class: "muted", text: "no checkpoints" }));
  for (const s of states) list.append(checkpointItem(view, s));
  return states;
}

// The nodes of this run from its checkpoints (each step's `next` ran until the following checkpoint was written):
// the timeline of a run whose stream carried no node events, e.g. one started with stream_mode "values" only.
function timelineFromCheckpoints(view, states) {
  const mine = states.filter((s) => (s.metadata || {}).run_id === view.runId && s.metadata.source !== "input")
    .sort((a, b) => (a.metadata.step ?? 0) - (b.metadata.step ?? 0));
  const active = STUDIO_ACTIVE.has(view.run.status);
  const rows = [];
  mine.forEach((s, i) => {
    const after = mine[i + 1];
    const took = after && s.created_at && after.created_at ? (new Date(after.created_at) - new Date(s.created_at)) / 1000 : null;
    for (const node of s.next || []) {
      if (node.startsWith("__")) continue;
      const status = after ? "done" : active ? "running" : view.run.status === "success" ? "waiting" : view.run.status;
      rows.push({ node, status, duration_s: took, usage: null, fromCheckpoint: true });
    }
  });
  view.nodes = rows;
  renderTimeline(view);
}

function liveFromCheckpoints(view) {
  if (view.historyPending) return;
  view.historyPending = true;
  api(`/threads/${view.threadId}/history`, { method: "POST", body: { limit: 50 } }).then((r) => r.json()).then((states) => {
    if (studio.view === view && !view.nodes.some((n) => !n.fromCheckpoint)) timelineFromCheckpoints(view, states);
  }).catch(() => { /* the settled view reads them again */ }).finally(() => { view.historyPending = false; });
}

function checkpointItem(view, s) {
  const meta = s.metadata || {}, id = s.checkpoint && s.checkpoint.checkpoint_id;
  const step = meta.step ?? "?", ofThis = meta.run_id === view.runId;
  const label = `step ${step}`;
  const writes = meta.writes && typeof meta.writes === "object" ? Object.keys(meta.writes).join(", ") : "";
  const summary = [meta.source, writes && `wrote ${writes}`, s.next && s.next.length ? `next: ${s.next.join(", ")}` : "final"].filter(Boolean).join(" · ");
  const out = el("div", { class: "studio-fork-out" });
  const editor = el("textarea", { class: "code", rows: 6, spellcheck: "false", "aria-label": `State to fork from at ${label}` });
  editor.value = pretty(s.values || {});
  const fork = async (withEdit) => {
    clear(out);
    try {
      let from = id;
      if (withEdit) {
        let values;
        try { values = JSON.parse(editor.value); } catch (err) { throw new Error(`the state is not valid JSON: ${err.message}`); }
        const made = await (await api(`/threads/${view.threadId}/state`, { method: "POST", body: { values, checkpoint_id: id } })).json();
        from = made.checkpoint.checkpoint_id;
      }
      await startRun(view, { input: null, checkpoint_id: from, metadata: { forked_from: id } });
    } catch (err) { showError(out, err); }
  };
  const runnable = Boolean(id && s.next && s.next.length); // a final checkpoint has nothing left to run
  return el("li", { class: `studio-checkpoint${ofThis ? " this-run" : ""}`, "data-checkpoint": id || "" },
    el("div", { class: "row" }, el("strong", { text: label }), el("span", { class: "muted", text: summary }),
      runnable ? el("button", { type: "button", class: "studio-fork", "aria-label": `Fork from ${label}`, text: "Fork", onclick: () => fork(false) }) : null),
    el("details", {}, el("summary", { text: "State" }), el("pre", { class: "studio-json", text: pretty(s.values || {}) }),
      runnable ? el("label", { class: "stack" }, "Edit, then fork with this state", editor) : null,
      runnable ? el("button", { type: "button", "aria-label": `Fork from ${label} with the edited state`, text: "Fork with edits", onclick: () => fork(true) }) : null),
    out);
}

// ---------- the graph's diagram (vendored mermaid, loaded on first use) ----------
let mermaidLoading = null;
function loadMermaid() {
  mermaidLoading = mermaidLoading || new Promise((resolve, reject) => {
    const script = el("script", { src: "/static/vendor/mermaid.min.js" });
    script.onload = () => {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
      resolve(window.mermaid);
    };
    script.onerror = () => { mermaidLoading = null; reject(new Error("could not load the diagram library")); };
    document.head.append(script);
  });
  return mermaidLoading;
}

let diagramCount = 0;
async function drawDiagram(view) {
  const box = $("studio-diagram");
  if (!view.graphId) { clear(box).append(el("p", { class: "muted", text: "no graph" })); return; }
  try {
    const { mermaid: source } = await getJSON(`/api/graphs/${encodeURIComponent(view.graphId)}/mermaid`);
    const mermaid = await loadMermaid();
    diagramCount += 1;
    const { svg } = await mermaid.render(`studio-mermaid-${diagramCount}`, source);
    if (studio.view !== view) return;
    // mermaid's own output (securityLevel strict: labels are escaped); parsed, never taken from model text
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    const node = document.importNode(doc.documentElement, true);
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", `Graph of ${view.graphId}`);
    clear(box).append(node, el("details", {}, el("summary", { text: "Mermaid source" }), el("pre", { class: "studio-json", text: source })));
    paintDiagram(view);
  } catch (err) { clear(box); showError(box, err); }
}

const NODE_FILLS = { running: "#cddcff", done: "#dcf3e3", error: "#fdecea", other: "#fff4d6" };

// Colour each diagram node by its latest status in the timeline.
function paintDiagram(view) {
  const svg = $("studio-diagram").querySelector("svg");
  if (!svg) return;
  const latest = {};
  for (const n of view.nodes) latest[n.node] = n.status;
  for (const g of svg.querySelectorAll("g.node")) {
    const id = g.getAttribute("data-id") || (/flowchart-(.+)-\d+$/.exec(g.id) || [])[1];
    const status = id && latest[id];
    if (!status) continue;
    g.classList.remove(...[...g.classList].filter((c) => c.startsWith("st-")));
    g.classList.add(`st-${status}`);
    // mermaid writes its fill inline with !important, which no stylesheet overrides
    for (const shape of g.querySelectorAll("rect, polygon, path")) shape.style.setProperty("fill", NODE_FILLS[status] || NODE_FILLS.other, "important");
  }
}

// ---------- start-up: the sidebar, and the run named in the URL (#tab=threads&thread=..&run=..) ----------
function studioLink() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ""));
  return { thread: p.get("thread"), run: p.get("run") };
}

async function initStudio() {
  buildStudio();
  $("tab-threads").addEventListener("click", () => { if (!studio.threads.length) loadThreads(); });
  const { thread, run } = studioLink();
  if (thread) studio.open = thread;
  if (thread) await loadRuns(thread);
  await loadThreads();
  if (thread && run) await openRun(thread, run);
  else if (thread) selectTab("threads");
}

window.openRun = openRun;
initStudio();
})();
