// Workflows: a form per workflow drawn from its input schema, a background run per submit, and
// RESULT_VIEWS: how the run view (studio.js `openRun`) draws each graph's finished or paused run.
// Owner: issue 17 (D2). Model and user text only ever goes in as text or through renderMarkdown.
"use strict";

// What a background run keeps for the run view: node events (time, tokens), updates and values.
const WF_STREAM_MODES = ["values", "updates", "custom"];

// The graphs offered first, in this order; any other registered graph follows.
const WF_ORDER = ["chat", "lesson", "code", "prompt_lab", "reason", "eval"];
// Fields drawn as a multi-line text box.
const WF_LONG = new Set(["task", "prompt", "question", "task_input", "suite_text", "tests"]);
let wfSeq = 0; // unique ids for views drawn more than once
const wfUid = (stem) => `wf-${stem}-${++wfSeq}`;

// ---------- small helpers ----------
const wfMd = (text) => (typeof renderMarkdown === "function" ? renderMarkdown(text) : el("div", { class: "md plain", text: String(text ?? "") }));
// Numbers in computed JSON (worked examples, state) rounded, so no 0.8999999999999999 reaches the page.
const wfRound = (value) => (typeof roundDeep === "function" ? roundDeep(value, 4)
  : JSON.parse(JSON.stringify(value ?? null, (_k, x) => (typeof x === "number" ? Number(x.toFixed(4)) : x))));
const wfPct = (x) => (typeof x === "number" ? `${fmt(100 * x, 1)}%` : "—");
const wfTitle = (key, prop) => prop.title && prop.title.toLowerCase() !== key.replace(/_/g, " ") ? prop.title : key.replace(/_/g, " ");

// A thread state ({values, next, ...}) or bare values: the values.
function wfValues(state) {
  if (state && typeof state === "object" && state.values && typeof state.values === "object" && ("next" in state || "checkpoint" in state)) return state.values;
  return state || {};
}
// Pending interrupts' values, from the view's context or the thread state.
function wfInterrupts(ctx) {
  let list = ctx.interrupts;
  const s = ctx.state || {};
  if (!list || !list.length) list = s.interrupts && s.interrupts.length ? s.interrupts : (s.tasks || []).flatMap((t) => t.interrupts || []);
  if (list && !Array.isArray(list)) list = Object.values(list).flat();
  return (list || []).map((i) => (i && typeof i === "object" && "value" in i ? i.value : i));
}

// A JSON schema property without its `| null`: the type the form draws.
function wfUnwrap(prop) {
  if (prop.anyOf) {
    const real = prop.anyOf.filter((p) => p.type !== "null");
    if (real.length === 1) return { ...real[0], ...Object.fromEntries(Object.entries(prop).filter(([k]) => k !== "anyOf")), nullable: true };
  }
  return prop;
}

// ---------- the form ----------
function wfField(graph, key, raw, required) {
  const prop = wfUnwrap(raw);
  const id = `wf-${graph}-${key}`;
  const hintId = `${id}-hint`, errId = `${id}-error`;
  // the required mark sits beside the label, so the field's accessible name is its name alone (aria-required says it)
  const label = el("label", { for: id }, wfTitle(key, prop));
  const head = el("div", { class: "wf-label" }, label, required ? el("span", { class: "req", "aria-hidden": "true", text: "*" }) : null);
  const hints = [];
  if (prop.description) hints.push(prop.description);
  if (prop.default !== undefined && prop.default !== null && prop.type !== "boolean") hints.push(`default ${Array.isArray(prop.default) ? prop.default.join(", ") || "none" : prop.default}`);
  const common = { id, name: key, "aria-describedby": `${hintId} ${errId}`, required: required || null, "aria-required": required ? "true" : null };
  let control, kind;
  const items = prop.items ? wfUnwrap(prop.items) : null;
  if (prop["x-widget"] === "message") {
    kind = "message"; control = el("textarea", { ...common, rows: 3 });
  } else if (prop.enum) {
    kind = "enum";
    control = el("select", common, required || prop.default !== undefined ? null : el("option", { value: "", text: "(default)" }),
      ...prop.enum.map((v) => el("option", { value: v, text: v, selected: v === prop.default || null })));
  } else if (prop.type === "boolean") {
    kind = "boolean"; control = el("input", { ...common, type: "checkbox", checked: prop.default === true || null });
  } else if (prop.type === "integer" || prop.type === "number") {
    kind = prop.type;
    control = el("input", { ...common, type: "number", step: prop.type === "integer" ? 1 : "any", min: prop.minimum ?? null, max: prop.maximum ?? null,
      placeholder: prop.default ?? "default", inputmode: prop.type === "integer" ? "numeric" : "decimal" });
  } else if (prop.type === "array" && items && items.enum) {
    kind = "choices";
    const box = el("fieldset", { id, class: "wf-choices", "aria-describedby": `${hintId} ${errId}` }, el("legend", { text: wfTitle(key, prop) }),
      ...items.enum.map((v) => el("label", {}, el("input", { type: "checkbox", name: key, value: v, checked: (prop.default || []).includes(v) || null }), ` ${v}`)));
    return { key, kind, control: box, node: el("div", { class: "wf-field", "data-field": key }, box, el("p", { id: hintId, class: "hint muted", text: hints.join(" · ") }), el("p", { id: errId, class: "wf-field-error", role: "alert" })) };
  } else if (prop.type === "array") {
    kind = "lines"; hints.unshift("one per line");
    control = el("textarea", { ...common, rows: key === "tests" ? 4 : 2, class: key === "tests" ? "code" : null, spellcheck: key === "tests" ? "false" : null });
  } else if (prop.type === "object") {
    kind = "json"; hints.unshift("JSON object");
    control = el("textarea", { ...common, rows: 2, class: "code", spellcheck: "false", placeholder: "{}" });
  } else {
    kind = "string";
    control = WF_LONG.has(key) ? el("textarea", { ...common, rows: key === "suite_text" ? 4 : 3 }) : el("input", { ...common, type: "text", placeholder: prop.default ?? null });
    if (prop.default !== undefined && prop.default !== null) control.value = prop.default;
  }
  if (prop.examples && control.tagName === "INPUT") {
    const listId = `${id}-options`;
    control.setAttribute("list", listId);
    label.after(el("datalist", { id: listId }, ...prop.examples.map((v) => el("option", { value: v }))));
  }
  // a user's JSONL suite: read from a file in the page (the server never sees a path of this machine)
  const loader = key === "suite_text" ? el("input", { type: "file", id: `${id}-file`, accept: ".jsonl,.json,.txt", "aria-label": "Load the suite from a JSONL file",
    onchange: async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      control.value = await file.text();
      const path = $(`wf-${graph}-suite_path`);
      if (path && !path.value) path.value = file.name;
      const suite = $(`wf-${graph}-suite`);
      if (suite && [...suite.options].some((o) => o.value === "jsonl")) suite.value = "jsonl";
    } }) : null;
  const node = el("div", { class: `wf-field wf-${kind}`, "data-field": key }, head, control, loader,
    el("p", { id: hintId, class: "hint muted", text: hints.join(" · ") }), el("p", { id: errId, class: "wf-field-error", role: "alert" }));
  if (kind === "boolean") node.classList.add("row");
  return { key, kind, control, prop, node };
}

class WfFieldError extends Error { constructor(field, message) { super(message); this.fields = [{ field, message }]; } }

// The run's input from the form: empty fields are left out, so the workflow's own defaults apply.
function wfCollect(fields) {
  const input = {};
  for (const f of fields) {
    const c = f.control;
    if (f.kind === "choices") {
      const picked = [...c.querySelectorAll("input:checked")].map((i) => i.value);
      if (picked.length || (f.prop && f.prop.default && f.prop.default.length)) input[f.key] = picked;
      continue;
    }
    if (f.kind === "boolean") { if (c.checked !== (f.prop.default === true)) input[f.key] = c.checked; continue; }
    const text = c.value.trim();
    if (!text) continue;
    if (f.kind === "message") input[f.key] = [{ role: "user", content: text }];
    else if (f.kind === "integer" || f.kind === "number") input[f.key] = Number(text);
    else if (f.kind === "lines") input[f.key] = text.split("\n").map((s) => s.trim()).filter(Boolean);
    else if (f.kind === "json") {
      let value;
      try { value = JSON.parse(text); } catch (err) { throw new WfFieldError(f.key, `not valid JSON: ${err.message}`); }
      if (!value || typeof value !== "object" || Array.isArray(value)) throw new WfFieldError(f.key, "must be a JSON object");
      input[f.key] = value;
    } else input[f.key] = text;
  }
  return input;
}

// Show a 4xx next to the field the server names ("input.concept", "body.limit", "config.k" -> config); the rest above the button.
function wfShowErrors(form, fields, err) {
  const box = form.querySelector(".wf-form-error");
  clear(box);
  let placed = 0;
  for (const f of err.fields || []) {
    const path = String(f.field || "").replace(/^(body|input)\./, "");
    const key = fields.find((x) => x.key === path || path.startsWith(`${x.key}.`) || path.startsWith(`${x.key}[`))?.key;
    if (!key) continue;
    const slot = $(`wf-${form.dataset.graph}-${key}-error`);
    slot.textContent = path === key ? f.message : `${path}: ${f.message}`;
    const control = $(`wf-${form.dataset.graph}-${key}`);
    control.setAttribute("aria-invalid", "true");
    if (!placed++) (control.matches("fieldset") ? control.querySelector("input") : control).focus();
  }
  if (!placed) showError(box, err);
}

function wfClearErrors(form) {
  clear(form.querySelector(".wf-form-error"));
  for (const p of form.querySelectorAll(".wf-field-error")) p.textContent = "";
  for (const c of form.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
}

// Start the run: a new thread and a background run (evals through /api/evals, so they get their tables and plots).
async function wfStart(spec, input) {
  if (spec.submit === "eval") {
    const created = await (await api("/api/evals", { method: "POST", body: input })).json();
    return { threadId: created.thread_id, runId: created.run_id };
  }
  const thread = await (await api("/threads", { method: "POST", body: { metadata: { graph_id: spec.graph_id, source: "workflows" } } })).json();
  const run = await (await api(`/threads/${thread.thread_id}/runs`, { method: "POST", body: { assistant_id: spec.graph_id, input, stream_mode: WF_STREAM_MODES } })).json();
  return { threadId: thread.thread_id, runId: run.run_id };
}

async function wfSubmit(spec, form, fields, button) {
  wfClearErrors(form);
  let input;
  try { input = wfCollect(fields); } catch (err) { wfShowErrors(form, fields, err); return; }
  button.disabled = true;
  const status = $("wf-status");
  status.textContent = `starting ${spec.graph_id}…`;
  try {
    const { threadId, runId } = await wfStart(spec, input);
    status.textContent = `${spec.graph_id} run ${runId.slice(0, 8)} started on thread ${threadId.slice(0, 8)}`;
    wfHandOff(spec.graph_id, threadId, runId);
  } catch (err) {
    status.textContent = "";
    wfShowErrors(form, fields, err);
  } finally { button.disabled = false; }
}

// D1's run view when it is there; else this panel follows the run itself and draws its result below the form.
function wfHandOff(graph, threadId, runId) {
  const out = clear($("wf-result"));
  if (typeof openRun === "function") {
    out.append(el("p", {}, "Opened in the Threads tab. ",
      el("button", { type: "button", onclick: () => openRun(threadId, runId), text: "Open the run again" })));
    openRun(threadId, runId);
    return;
  }
  wfFollow(out, graph, threadId, runId);
}

// Wait for the run to end (or pause), then draw RESULT_VIEWS[graph] with a resume that starts the next run here.
async function wfFollow(out, graph, threadId, runId) {
  clear(out).append(el("p", { class: "muted", role: "status", "aria-live": "polite", text: `running ${graph}… (run ${runId.slice(0, 8)})` }));
  out.setAttribute("aria-busy", "true");
  try {
    await api(`/threads/${threadId}/runs/${runId}/join`);
    const [state, run] = await Promise.all([getJSON(`/threads/${threadId}/state`), getJSON(`/threads/${threadId}/runs/${runId}`)]);
    clear(out);
    if (run.status === "error") showError(out, { message: `the run failed: ${(run.error && (run.error.message || run.error)) || "see the server log"}` });
    const resume = async (value) => {
      const next = await (await api(`/threads/${threadId}/runs`, { method: "POST", body: { assistant_id: graph, command: { resume: value }, stream_mode: WF_STREAM_MODES } })).json();
      await wfFollow(out, graph, threadId, next.run_id);
    };
    const view = RESULT_VIEWS[graph] || wfGeneric;
    view(out, { state, interrupts: state.interrupts, run, resume });
  } catch (err) { clear(out); showError(out, err); } finally { out.removeAttribute("aria-busy"); }
}

async function wfOpen(name) {
  const host = clear($("wf-form-box"));
  for (const b of document.querySelectorAll("#wf-list button")) b.setAttribute("aria-pressed", String(b.dataset.graph === name));
  let spec;
  try { spec = await getJSON(`/api/workflows/${encodeURIComponent(name)}/form`); } catch (err) {
    try { // an older server: the graph's bare input schema
      const s = await getJSON(`/assistants/${encodeURIComponent(name)}/schemas`);
      spec = { graph_id: name, description: "", submit: name === "eval" ? "eval" : "run", schema: s.input_schema || {} };
    } catch (err2) { showError(host, err2); return; }
  }
  const schema = spec.schema || {};
  const required = new Set(schema.required || []);
  const fields = Object.entries(schema.properties || {}).map(([k, p]) => wfField(name, k, p, required.has(k)));
  const button = el("button", { type: "submit", id: "wf-run", text: `Run ${name.replace(/_/g, " ")}` });
  const form = el("form", { id: "wf-form", class: "wf-form", "data-graph": name, "aria-labelledby": "wf-form-h", novalidate: null },
    el("h3", { id: "wf-form-h", text: name.replace(/_/g, " ") }),
    spec.description ? el("p", { class: "muted", text: spec.description }) : null,
    required.size ? el("p", { class: "muted small" }, el("span", { class: "req", text: "*" }), " required") : null,
    el("div", { class: "wf-fields" }, ...fields.map((f) => f.node)),
    el("div", { class: "wf-form-error" }),
    el("div", { class: "row" }, button));
  form.addEventListener("submit", (e) => { e.preventDefault(); wfSubmit(spec, form, fields, button); });
  host.append(form);
}

async function wfInit() {
  const root = $("workflows");
  if (!root) return;
  root.append(
    el("div", { class: "wf-layout" },
      el("nav", { class: "wf-nav", "aria-label": "Workflows" }, el("ul", { id: "wf-list", class: "wf-list" })),
      el("div", { class: "wf-main" }, el("div", { id: "wf-form-box" }),
        el("p", { id: "wf-status", class: "muted", role: "status", "aria-live": "polite" }),
        el("section", { id: "wf-result", class: "wf-result", "aria-label": "Result", "aria-live": "polite" }))));
  let graphs = [];
  try {
    graphs = (await (await api("/assistants/search", { method: "POST", body: { limit: 100, metadata: { created_by: "system" } } })).json()).map((a) => a.graph_id);
  } catch (err) { showError($("wf-form-box"), err); return; }
  graphs = [...new Set(graphs)].sort((a, b) => (WF_ORDER.indexOf(a) + 1 || 99) - (WF_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
  $("wf-list").append(...graphs.map((g) => el("li", {}, el("button", { type: "button", "data-graph": g, "aria-pressed": "false",
    onclick: () => wfOpen(g), text: g.replace(/_/g, " ") }))));
  // #tab=workflows&workflow=lesson opens that form
  const wanted = new URLSearchParams(location.hash.replace(/^#/, "")).get("workflow");
  if (graphs.length) await wfOpen(graphs.includes(wanted) ? wanted : graphs[0]);
}

// ---------- result views ----------
function wfSection(title, ...children) { return el("section", { class: "wf-part" }, el("h4", { text: title }), ...children); }
function wfPre(text, cls = "result") { return el("pre", { class: cls }, el("code", { text: String(text ?? "") })); }
function wfAnswerBox(values) { return values.answer ? wfSection("Answer", wfMd(values.answer)) : null; }

function wfGeneric(container, ctx) {
  const v = wfValues(ctx.state);
  container.append(el("div", { class: "wf-view" }, wfAnswerBox(v), el("details", {}, el("summary", { text: "State" }), wfPre(pretty(wfRound(v))))));
}

// lesson: the explanation, the worked example, then the quiz (while paused) or the grades (after it).
RESULT_VIEWS.lesson = (container, ctx) => {
  const v = wfValues(ctx.state);
  const view = el("div", { class: "wf-view wf-lesson" }, el("h3", { text: v.title || v.concept || "Lesson" }));
  if (v.explanation) view.append(wfSection("Explanation", wfMd(v.explanation)));
  if (v.worked_example) {
    view.append(wfSection("Worked example", el("p", { class: "muted", text: "Computed by the concept's tool:" }),
      el("div", { class: "wf-cols" }, el("div", {}, el("strong", { text: "Input" }), wfPre(pretty(wfRound(v.worked_example.inputs)))),
        el("div", {}, el("strong", { text: "Result" }), wfPre(pretty(wfRound(v.worked_example.result)))))));
  }
  if (v.errata && v.errata.length) view.append(el("aside", { class: "errata", "aria-label": "Where the notes are wrong" }, el("h4", { text: "Where the notes are wrong" }), el("ul", {}, ...v.errata.map((e) => el("li", { text: e })))));
  const quiz = wfInterrupts(ctx).find((i) => i && Array.isArray(i.questions));
  if (v.grades) view.append(wfGrades(v.grades, v.answer));
  else if (quiz && ctx.resume) view.append(wfQuizForm(quiz, ctx.resume));
  container.append(view);
};

function wfQuizForm(payload, resume) {
  const stem = wfUid("quiz");
  const boxes = payload.questions.map((q, i) => {
    const id = `${stem}-q${i + 1}`;
    return { id, node: el("li", { class: "wf-question" }, el("label", { for: id, text: q }), el("textarea", { id, rows: 2, name: `answer-${i + 1}` })) };
  });
  const button = el("button", { type: "submit", text: "Submit answers" });
  const note = el("p", { class: "muted", role: "status", "aria-live": "polite" });
  const form = el("form", { class: "wf-quiz stack", "aria-labelledby": `${stem}-h` }, el("h4", { id: `${stem}-h`, text: "Quiz" }),
    el("p", { class: "muted", text: "Answer each question; the evaluator grades them against the concept's computation and reference answers." }),
    el("ol", { class: "wf-questions" }, ...boxes.map((b) => b.node)), el("div", { class: "row" }, button, note));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    button.disabled = true; note.textContent = "grading…";
    try { await resume({ answers: boxes.map((b) => $(b.id).value.trim()) }); note.textContent = "submitted"; } catch (err) { note.textContent = ""; showError(form, err); button.disabled = false; }
  });
  return form;
}

function wfGrades(grades, answer) {
  const rows = (grades.items || []).map((g) => el("tr", {}, el("td", { text: g.question }), el("td", { text: g.answer || "(blank)" }),
    el("td", { class: "num", text: `${fmt(g.score, 2)}` }), el("td", {}, g.feedback, el("div", { class: "muted small", text: `reference: ${g.reference}` }))));
  return el("section", { class: "wf-part wf-grades", "aria-label": "Grades" }, el("h4", { text: "Grades" }),
    el("p", { class: "wf-score", role: "status" }, el("strong", { text: `Score ${fmt(grades.total, 2)} / ${fmt(grades.max_total, 2)}` }),
      typeof grades.total === "number" && grades.max_total ? ` (${wfPct(grades.total / grades.max_total)})` : ""),
    el("div", { class: "wf-scroll" }, el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ...["Question", "Your answer", "Score", "Feedback"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows))), answer ? el("p", { class: "muted", text: answer }) : null);
}

// code: the program, the sandbox's output, the evaluator's verdict (and the team's conversation or the tree search).
RESULT_VIEWS.code = (container, ctx) => {
  const v = wfValues(ctx.state);
  const ok = v.verdict === "approved" || v.verdict === "passed";
  const view = el("div", { class: "wf-view wf-code" },
    el("p", { class: "wf-verdict" }, "Verdict: ", el("span", { class: `verified ${ok ? "yes" : "no"}`, text: v.verdict || "none" }),
      v.score === null || v.score === undefined ? "" : ` · score ${fmt(v.score, 2)} / 10`, v.stop_reason ? ` · stopped: ${v.stop_reason}` : ""));
  if (v.final_code) {
    const block = el("div", {}, el("pre", {}, el("code", { class: "language-python", text: v.final_code })));
    view.append(el("div", { class: "wf-program" }, wfSection("Program", typeof decorateCode === "function" ? decorateCode(block) : block)));
  }
  if (v.test_output || v.exit_code !== undefined) {
    view.append(wfSection(`Sandbox output${v.exit_code === null || v.exit_code === undefined ? "" : ` (exit ${v.exit_code})`}`, wfPre(v.test_output || "(no output)", "result wf-output")));
  }
  if (v.evaluator_feedback) view.append(wfSection("Evaluator", wfMd(v.evaluator_feedback)));
  if (v.trace && v.trace.tests) view.append(wfSection("Tests", el("ul", {}, ...v.trace.tests.map((t) => el("li", {}, el("code", { text: t }))))));
  if (v.messages && v.messages.length) {
    view.append(el("details", { class: "wf-part" }, el("summary", { text: `Team conversation (${v.messages.length} messages)` }),
      el("ol", { class: "wf-messages" }, ...v.messages.map((m) => el("li", {}, el("strong", { text: m.source || m.role || m.name || "agent" }), wfMd(m.content ?? m.text ?? "")))))); 
  }
  container.append(view);
};

// prompt_lab: the winning prompt, its techniques, and the score table (search) or both answers (rewrite).
RESULT_VIEWS.prompt_lab = (container, ctx) => {
  const v = wfValues(ctx.state);
  const verdict = v.verdict || {};
  const view = el("div", { class: "wf-view wf-prompt-lab" });
  const better = { original: "the original prompt", rewritten: "the rewritten prompt", tie: "a tie", undecided: "undecided" }[verdict.better] || "the rewritten prompt";
  // the verdict's scores are 0..1 (the table's are the evaluator's 0-10)
  view.append(wfSection("Winner", el("p", {}, el("span", { class: `verified ${verdict.better === "tie" || verdict.better === "undecided" ? "na" : "yes"}`, text: better }),
    typeof verdict.rewritten_score === "number" ? ` · rewritten ${wfPct(verdict.rewritten_score)} vs the original's ${wfPct(verdict.original_score)}` : ""),
    wfPre(v.rewritten_prompt || v.answer || "", "result wf-winner")));
  if (v.tricks_applied && v.tricks_applied.length) view.append(wfSection("Techniques", el("ul", {}, ...v.tricks_applied.map((t) => el("li", {}, el("strong", { text: t.trick }), t.why ? ` — ${t.why}` : "")))));
  if (v.score_table && v.score_table.length) {
    const best = v.score_table[0];
    const rows = v.score_table.map((r) => el("tr", { class: r === best ? "wf-best" : null },
      el("td", {}, el("code", { text: r.id }), r === best ? el("span", { class: "verified yes", text: "winner" }) : null),
      el("td", { text: (r.techniques || []).join(", ") || "(original)" }), el("td", { text: r.written_by || r.source || "—" }),
      el("td", { class: "num", text: fmt(r.score, 2) }), el("td", { class: "num", text: (r.scores || []).map((s) => fmt(s, 2)).join(" · ") }),
      el("td", {}, el("details", {}, el("summary", { text: "prompt" }), el("pre", { class: "wf-prompt", text: r.prompt })))));
    view.append(wfSection("Variants", el("div", { class: "wf-scroll" }, el("table", { class: "grid wf-score-table" },
      el("thead", {}, el("tr", {}, ...["Variant", "Techniques", "Written by", "Score (0-10)", "Per input", "Prompt"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows)))));
  }
  if (v.original_answer || v.rewritten_answer) {
    view.append(wfSection("Answers", el("div", { class: "wf-cols" }, el("div", {}, el("strong", { text: "Original prompt" }), wfMd(v.original_answer || "")),
      el("div", {}, el("strong", { text: "Rewritten prompt" }), wfMd(v.rewritten_answer || "")))));
  }
  if (verdict.reasons) view.append(el("p", { class: "muted", text: verdict.reasons }));
  container.append(view);
};

// reason: the answer, the self-consistency vote and the Tree of Thoughts (the Reason tab's renderers).
RESULT_VIEWS.reason = (container, ctx) => {
  const v = wfValues(ctx.state);
  const view = el("div", { class: "wf-view wf-reason" }, wfSection("Answer", answerLine(v)));
  const t = v.trace || {};
  if (t.counts) {
    const voters = t.voters || {};
    const rows = Object.entries(t.counts).sort((a, b) => b[1] - a[1]).map(([answer, n]) => el("tr", {}, el("td", { text: answer }),
      el("td", { class: "num", text: n }), el("td", { class: "persona", text: (voters[answer] || []).join(", ") })));
    for (const e of t.excluded || []) rows.push(el("tr", { class: "excluded muted" }, el("td", { text: `${e.answer} (excluded)` }), el("td", { text: "0" }), el("td", { text: e.reason || "" })));
    if (t.abstentions) rows.push(el("tr", { class: "muted" }, el("td", { text: "(abstained)" }), el("td", { class: "num", text: t.abstentions }), el("td")));
    const chart = typeof barChart === "function" ? barChart(Object.entries(t.counts).sort((a, b) => b[1] - a[1]), { label: "Votes per answer", digits: 0 }) : null;
    view.append(wfSection("Self-consistency vote", chart, el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ...["Answer", "Votes", "Voters"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows)), el("p", { class: "muted", text: voteSummary(t) })));
  }
  if (v.tot && v.tot.nodes) view.append(wfSection("Tree of Thoughts", renderTree(v.tot.nodes, el("ul", { class: "tree" }))));
  const u = v.usage || {};
  view.append(el("p", { class: "muted", text: `${u.calls ?? 0} model calls, ${u.prompt_tokens ?? 0} prompt + ${u.completion_tokens ?? 0} completion tokens` }));
  container.append(view);
};

// chat: the reply (markdown) and what the context window kept.
RESULT_VIEWS.chat = (container, ctx) => {
  const v = wfValues(ctx.state);
  const msgs = v.messages || [];
  const view = el("div", { class: "wf-view wf-chat" }, el("ol", { class: "chat-log" }, ...msgs.map((m) => el("li", { class: `msg ${m.type === "human" || m.role === "user" ? "user" : "assistant"}` },
    el("span", { class: "who", text: m.type === "human" || m.role === "user" ? "You" : (v.agent || "assistant") }),
    typeof m.content === "string" ? wfMd(m.content) : wfPre(pretty(m.content))))));
  const w = v.context_window;
  if (w && typeof w === "object" && w.dropped) view.append(el("p", { class: "muted", text: `context window: ${w.dropped} older message(s) left out` }));
  container.append(view);
};

// eval: every column's accuracy with its 95% interval, pass@k, cost; the McNemar tests; the plots.
RESULT_VIEWS.eval = (container, ctx) => {
  const v = wfValues(ctx.state);
  const r = v.result;
  const view = el("div", { class: "wf-view wf-eval" });
  container.append(view);
  if (!r) { view.append(el("p", { class: "muted", text: v.answer || "no item has finished yet" })); return; }
  const ks = [...new Set(r.columns.flatMap((c) => Object.keys(c.pass_at_k || {})))];
  const head = ["Column", "Correct", "Accuracy", "95% interval", ...ks, "Tokens (prompt + completion)", "Calls / item", "s / item", "Errors"];
  const rows = r.columns.map((c) => el("tr", { "data-column": c.id }, el("th", { scope: "row" }, el("code", { text: c.id })),
    el("td", { class: "num", text: `${c.correct} / ${c.items}` }), el("td", { class: "num", text: fmt(c.accuracy, 3) }),
    el("td", { class: "num", text: c.wilson95 ? `[${fmt(c.wilson95.low, 3)}, ${fmt(c.wilson95.high, 3)}]` : "—" }),
    ...ks.map((k) => el("td", { class: "num", text: c.pass_at_k && k in c.pass_at_k ? fmt(c.pass_at_k[k], 3) : "—" })),
    el("td", { class: "num", text: `${c.prompt_tokens ?? 0} + ${c.completion_tokens ?? 0}` }), el("td", { class: "num", text: fmt(c.calls_per_item, 2) }),
    el("td", { class: "num", text: fmt(c.seconds_per_item, 3) }), el("td", { class: "num", text: c.errors ?? 0 })));
  view.append(el("h3", { text: `${r.spec.suite}: ${r.items.length} of ${r.total_items} items` }),
    el("div", { class: "wf-scroll" }, el("table", { class: "grid wf-eval-table", "aria-label": "Accuracy per column" },
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", text: h })))), el("tbody", {}, ...rows))));
  if (r.mcnemar && r.mcnemar.length) {
    view.append(wfSection("McNemar tests", el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ...["A", "B", "only A right", "only B right", "p"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...r.mcnemar.map((m) => el("tr", {}, el("td", { text: m.a }), el("td", { text: m.b }), el("td", { class: "num", text: m.a_only }),
        el("td", { class: "num", text: m.b_only }), el("td", { class: "num", text: fmt(m.p_value, 3) })))))));
  }
  const evalId = (ctx.run && ctx.run.metadata && ctx.run.metadata.eval_id) || (ctx.run && ctx.run.thread_id);
  if (evalId) {
    const kinds = [["tokens", "Accuracy against tokens per column"]];
    if (ks.length) kinds.push(["passk", "pass@k curves per column"]);
    for (const [kind, alt] of kinds) view.append(wfPlot(evalId, kind, alt));
  }
};

// An eval plot fetched with the API key, shown from a blob URL.
function wfPlot(evalId, kind, alt) {
  const fig = el("figure", { class: "wf-plot" }, el("figcaption", { class: "muted", text: alt }));
  api(`/api/evals/${encodeURIComponent(evalId)}/plot.png?kind=${kind}`).then((res) => res.blob()).then((blob) => {
    fig.prepend(el("img", { src: URL.createObjectURL(blob), alt, class: "wf-plot-img", "data-kind": kind }));
  }, (err) => fig.append(el("p", { class: "muted", text: `no plot: ${err.message}` })));
  return fig;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wfInit); else wfInit();
