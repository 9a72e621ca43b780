// Chat: markdown, agents' tool calls, streaming, stop/regenerate/edit. Owner: issue 17.
"use strict";

// ---------- markdown (marked + DOMPurify, vendored) ----------
// Links open in a new tab without access to this page; everything else DOMPurify allows is kept.
if (typeof DOMPurify !== "undefined" && DOMPurify.addHook) {
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.getAttribute("href")) { node.setAttribute("target", "_blank"); node.setAttribute("rel", "noopener noreferrer"); }
  });
}

// A code block with its language and a copy button (the code stays text: DOMPurify already ran).
function mdDecorateCode(root) {
  for (const pre of root.querySelectorAll("pre")) {
    const code = pre.querySelector("code");
    if (!code || pre.parentElement?.classList.contains("code-block")) continue;
    const lang = [...code.classList].find((c) => c.startsWith("language-"))?.slice(9) || "";
    const copy = el("button", { type: "button", class: "copy", "aria-label": `Copy ${lang || "code"}`, text: "Copy",
      onclick: async () => { try { await navigator.clipboard.writeText(code.textContent); copy.textContent = "Copied"; } catch (_) { copy.textContent = "Select and copy"; } } });
    const box = el("div", { class: "code-block" }, el("div", { class: "code-head" }, el("span", { class: "lang", text: lang || "code" }), copy));
    pre.replaceWith(box);
    box.append(pre);
  }
  return root;
}

// Our own marked instance: raw HTML in model or user text is shown as text, never parsed (DOMPurify still runs after).
const mdEscape = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const MD_PARSER = typeof marked !== "undefined" && marked.Marked
  ? new marked.Marked({ gfm: true, breaks: true, async: false,
    renderer: { html(token) { return token.block ? `<p>${mdEscape(token.text)}</p>` : mdEscape(token.text); } } })
  : null;

// Markdown to a sanitized element (`div.md`): model and user text never reaches the DOM as raw HTML.
// Without the vendored libraries (failed to load) the text is shown as plain text.
function renderMarkdown(text) {
  const box = el("div", { class: "md" });
  const source = String(text ?? "");
  if (!MD_PARSER || typeof DOMPurify === "undefined") {
    box.append(el("p", { class: "plain", text: source }));
    return box;
  }
  const html = MD_PARSER.parse(source);
  box.append(DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"] }));
  return mdDecorateCode(box);
}

// ---------- Chat: conversations are threads of the `chat` graph, so history lives on the server ----------
const CHAT_STORE = "thinkroom.chat.thread";
const CHAT_MODES = ["messages-tuple", "custom", "values"];
const CHAT_STEP_KINDS = { thought: "Thought", message: "Message", tool_call: "Tool call", tool_result: "Tool result", code: "Code", execution: "Sandbox run" };
const CHAT = {
  threadId: null, // the open conversation
  messages: [], // its stored messages ({type, role, id, content})
  steps: {}, // reply id -> [{kind, source, content}]
  agent: null, // who answered last (state.agent)
  runId: null, // the run streaming now (Stop cancels it)
  busy: false,
  stopped: false, // Stop was clicked for the run streaming now
  agents: new Set(),
  ready: null, // loadChatModels' promise
};

const chatNewId = () => (crypto.randomUUID ? crypto.randomUUID() : `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);

// The model/agent picker: the backend's models (the run's context.model; the default model first) and the agents
// (the chat graph's `agent`).
function loadChatModels(preferred = null) {
  CHAT.ready = (async () => {
    const select = $("chat-model");
    const [agents, models] = await Promise.allSettled([getJSON("/api/agents"), getJSON("/api/models")]);
    const previous = preferred || select.value;
    clear(select);
    if (models.status === "fulfilled") {
      select.append(el("optgroup", { label: "Models" }, ...models.value.models.map((m) => el("option", { value: m.name,
        text: m.name === models.value.default_model ? `${m.name} (default)` : m.name }))));
    }
    if (agents.status === "fulfilled") {
      CHAT.agents = new Set(agents.value.map((a) => a.name));
      select.append(el("optgroup", { label: "Agents" }, ...agents.value.map((a) => el("option", { value: a.name, text: `${a.name} (${a.framework})` }))));
    }
    if (previous && ![...select.options].some((o) => o.value === previous)) select.append(el("option", { value: previous, text: previous }));
    if (previous) select.value = previous;
    const failed = [agents, models].find((r) => r.status === "rejected");
    if (failed) showError($("chat-log"), failed.reason);
  })();
  return CHAT.ready;
}

// The run's `input.agent` and `context.model` for the picked target.
function chatTarget() {
  const name = $("chat-model").value;
  return CHAT.agents.has(name) ? { agent: name, context: {} } : { agent: null, context: name ? { model: name } : {} };
}

function chatSetBusy(busy) {
  CHAT.busy = busy;
  $("chat-send").disabled = busy;
  $("chat-stop").hidden = !busy;
  $("chat-stop").disabled = false;
  for (const b of $("chat-log").querySelectorAll(".msg-actions button")) b.disabled = busy;
}

// ---------- the conversation sidebar ----------
const chatTitleOf = (row) => (row.metadata && row.metadata.title) ||
  ((row.values && row.values.messages) || []).find((m) => m.type === "human")?.content?.slice(0, 60) || "(empty conversation)";

async function loadConversations() {
  const list = $("chat-threads");
  let rows;
  try {
    rows = await (await api("/threads/search", { method: "POST", body: { metadata: { graph_id: "chat" }, limit: 100, sort_by: "updated_at", sort_order: "desc" } })).json();
  } catch (err) { clear(list); showError(list, err); return; }
  const q = $("chat-search").value.trim().toLowerCase();
  clear(list);
  for (const row of rows) {
    const title = chatTitleOf(row);
    if (q && !title.toLowerCase().includes(q)) continue;
    const current = row.thread_id === CHAT.threadId;
    list.append(el("li", { class: "conv", "data-thread": row.thread_id },
      el("button", { type: "button", class: "conv-open", "aria-current": current ? "true" : null, title,
        onclick: () => openConversation(row.thread_id) }, chartClip(title, 40)),
      el("span", { class: "conv-actions" },
        el("button", { type: "button", class: "icon", "aria-label": `Rename ${title}`, title: "Rename", text: "✎", onclick: (e) => renameConversation(e.target.closest("li"), row.thread_id, title) }),
        el("button", { type: "button", class: "icon", "aria-label": `Delete ${title}`, title: "Delete", text: "×", onclick: (e) => confirmDelete(e.target.closest(".conv-actions"), row.thread_id, title) }))));
  }
  if (!list.children.length) list.append(el("li", { class: "muted", text: q ? "no match" : "no conversations yet" }));
}

function renameConversation(li, threadId, title) {
  const input = el("input", { type: "text", value: title, "aria-label": "New title", class: "conv-rename" });
  let done = false; // Enter saves once; Escape (or the blur its re-render causes) saves nothing
  const save = async () => {
    if (done) return;
    done = true;
    const value = input.value.trim();
    if (value && value !== title) {
      try { await api(`/threads/${threadId}`, { method: "PATCH", body: { metadata: { title: value } } }); } catch (err) { showError(li, err); return; }
    }
    await loadConversations();
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); save(); }
    if (e.key === "Escape") { e.preventDefault(); done = true; loadConversations(); }
  });
  input.addEventListener("blur", save, { once: true });
  clear(li).append(input);
  input.focus(); input.select();
}

// Deleting asks once, in place: "Delete" removes the thread, "Keep" puts the buttons back.
function confirmDelete(actions, threadId, title) {
  const keep = el("button", { type: "button", class: "small", text: "Keep", "aria-label": `Keep ${title}`, onclick: loadConversations });
  clear(actions).append(el("button", { type: "button", class: "small danger", text: "Delete", "aria-label": `Confirm deleting ${title}`,
    onclick: () => deleteConversation(threadId) }), keep);
  keep.focus();
}

async function deleteConversation(threadId) {
  try { await api(`/threads/${threadId}`, { method: "DELETE" }); } catch (err) { showError($("chat-threads"), err); return; }
  if (threadId === CHAT.threadId) newConversation();
  await loadConversations();
}

function newConversation() {
  CHAT.threadId = null; CHAT.messages = []; CHAT.steps = {}; CHAT.agent = null;
  localStorage.removeItem(CHAT_STORE);
  clear($("chat-log")); $("chat-usage").textContent = "";
  for (const b of $("chat-threads").querySelectorAll(".conv-open")) b.removeAttribute("aria-current");
  $("chat-prompt").focus();
}

// Read a conversation back from its thread (how it survives a reload).
async function openConversation(threadId, { quiet = false } = {}) {
  let state;
  try { state = await getJSON(`/threads/${threadId}/state`); } catch (err) {
    if (err.status === 404) { localStorage.removeItem(CHAT_STORE); if (!quiet) await loadConversations(); return; }
    showError(clear($("chat-log")), err); return;
  }
  CHAT.threadId = threadId;
  localStorage.setItem(CHAT_STORE, threadId);
  chatShowState(state.values || {});
  // a reply still being written (the page was reloaded mid-run): follow it live
  if (!CHAT.busy && (state.next || []).length) {
    const running = [];
    for (const status of ["running", "pending"]) {
      try { running.push(...await getJSON(`/threads/${threadId}/runs?status=${status}&limit=1`)); } catch (_) { /* none */ }
    }
    if (running.length && CHAT.threadId === threadId) { chatSetBusy(true); chatStreamRun(null, running[0].run_id); }
  }
  for (const b of $("chat-threads").querySelectorAll(".conv")) {
    const open = b.querySelector(".conv-open");
    if (open) open.setAttribute("aria-current", String(b.dataset.thread === threadId));
  }
}

function chatShowState(values) {
  CHAT.messages = (values.messages || []).filter((m) => m.type === "human" || m.type === "ai");
  CHAT.steps = values.steps || {};
  CHAT.agent = values.agent || null;
  if (CHAT.agent && [...$("chat-model").options].some((o) => o.value === CHAT.agent)) $("chat-model").value = CHAT.agent;
  chatRenderLog();
}

// ---------- messages ----------
function chatStepItem(step) {
  let content = String(step.content ?? "");
  try { const parsed = JSON.parse(content); if (parsed && typeof parsed === "object") content = pretty(roundDeep(parsed)); } catch (_) { /* plain text */ }
  return el("li", { class: `step ${step.kind}` }, el("strong", { text: CHAT_STEP_KINDS[step.kind] || step.kind }),
    step.source ? el("span", { class: "muted", text: ` · ${step.source}` }) : null, el("pre", { class: "step-content", text: content }));
}

// An agent's steps, collapsed under a summary that names its tool calls.
// `reply` is the text the bubble shows: an agent's message that is (part of) it is not repeated as a step.
function chatStepsBox(steps, open = false, reply = "") {
  const echoes = (s) => s.kind === "message" && (!String(s.content || "").trim() || String(reply).includes(String(s.content).trim()));
  const shown = steps.filter((s) => s.kind in CHAT_STEP_KINDS && !echoes(s));
  if (!shown.length) return null;
  const tools = shown.filter((s) => s.kind === "tool_call").map((s) => s.content.split("(")[0]);
  const summary = tools.length ? `${tools.length} tool call${tools.length > 1 ? "s" : ""}: ${[...new Set(tools)].join(", ")}` : `${shown.length} step${shown.length > 1 ? "s" : ""}`;
  return el("details", { class: "steps", open: open || null }, el("summary", { text: summary }), el("ol", {}, ...shown.map(chatStepItem)));
}

function chatAction(text, label, onclick) {
  return el("button", { type: "button", class: "small", "aria-label": label, text, disabled: CHAT.busy || null, onclick });
}

function chatBubble(role, who, ...body) {
  return el("li", { class: `msg ${role}` }, el("div", { class: "msg-head" }, el("span", { class: "who", text: who }),
    el("span", { class: "msg-actions" })), ...body);
}

function chatRenderLog() {
  const log = clear($("chat-log"));
  const lastAi = CHAT.messages.map((m) => m.type).lastIndexOf("ai");
  const lastHuman = CHAT.messages.map((m) => m.type).lastIndexOf("human");
  CHAT.messages.forEach((m, i) => {
    if (m.type === "human") {
      const li = chatBubble("user", "You", el("div", { class: "msg-text user-text", text: m.content }));
      li.dataset.id = m.id;
      li.querySelector(".msg-actions").append(chatAction("Edit", "Edit and resend this message", () => chatEdit(li, i)));
      if (i === lastHuman && i > lastAi) li.querySelector(".msg-actions").append(chatAction("Regenerate", "Answer this message again", () => chatRegenerate()));
      log.append(li);
    } else {
      const li = chatBubble("assistant", CHAT.agent || $("chat-model").value || "assistant", chatStepsBox(CHAT.steps[m.id] || [], false, m.content), el("div", { class: "msg-text" }, renderMarkdown(m.content)));
      li.dataset.id = m.id;
      if (i === lastAi) li.querySelector(".msg-actions").append(chatAction("Regenerate", "Regenerate the last reply", () => chatRegenerate()));
      log.append(li);
    }
  });
}

function chatEdit(li, index) {
  const original = CHAT.messages[index];
  const box = el("textarea", { class: "edit-box", rows: 3, "aria-label": "Edit message" });
  box.value = original.content;
  const actions = el("div", { class: "row" },
    el("button", { type: "button", text: "Save and send", onclick: () => chatResend(index, box.value) }),
    el("button", { type: "button", text: "Cancel", onclick: chatRenderLog }));
  li.querySelector(".msg-text").replaceWith(el("div", { class: "msg-text" }, box, actions));
  box.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); chatResend(index, box.value); } });
  box.focus();
}

// ---------- runs: send, regenerate (fork before the last reply), edit-and-resend (fork before that message) ----------
async function chatEnsureThread(firstPrompt) {
  if (CHAT.threadId) return CHAT.threadId;
  const thread = await (await api("/threads", { method: "POST", body: { metadata: { graph_id: "chat", title: firstPrompt.slice(0, 60) } } })).json();
  CHAT.threadId = thread.thread_id;
  localStorage.setItem(CHAT_STORE, CHAT.threadId);
  return CHAT.threadId;
}

async function sendChat() {
  const prompt = $("chat-prompt").value.trim();
  if (!prompt || CHAT.busy) return;
  if (CHAT.ready) await CHAT.ready;
  chatSetBusy(true);
  try { await chatEnsureThread(prompt); } catch (err) { chatSetBusy(false); showError($("chat-log"), err); return; }
  $("chat-prompt").value = "";
  const message = { type: "human", role: "user", id: chatNewId(), content: prompt };
  CHAT.messages.push(message);
  chatRenderLog();
  const { agent, context } = chatTarget();
  await chatStreamRun({ input: { messages: [{ type: "human", id: message.id, content: prompt }], agent }, context });
}

// The newest checkpoint whose messages are exactly `ids` (a fork point).
async function chatCheckpointWith(ids) {
  const history = await (await api(`/threads/${CHAT.threadId}/history`, { method: "POST", body: { limit: 1000 } })).json();
  const key = ids.join(",");
  const hit = history.find((h) => ((h.values && h.values.messages) || []).map((m) => m.id).join(",") === key);
  if (!hit) throw new Error("no checkpoint holds this point of the conversation");
  return hit.checkpoint.checkpoint_id;
}

async function chatRegenerate() {
  if (CHAT.busy || !CHAT.threadId) return;
  const last = CHAT.messages.map((m) => m.type).lastIndexOf("human");
  if (last < 0) return;
  chatSetBusy(true);
  const keep = CHAT.messages.slice(0, last + 1);
  let checkpoint;
  try { checkpoint = await chatCheckpointWith(keep.map((m) => m.id)); } catch (err) { chatSetBusy(false); showError($("chat-log"), err); return; }
  CHAT.messages = keep; chatRenderLog();
  const { agent, context } = chatTarget();
  await chatStreamRun({ input: { agent }, checkpoint_id: checkpoint, context });
}

async function chatResend(index, text) {
  const content = String(text || "").trim();
  if (!content || CHAT.busy) return;
  chatSetBusy(true);
  const before = CHAT.messages.slice(0, index);
  let checkpoint;
  try { checkpoint = await chatCheckpointWith(before.map((m) => m.id)); } catch (err) { chatSetBusy(false); showError($("chat-log"), err); return; }
  const message = { type: "human", role: "user", id: chatNewId(), content };
  CHAT.messages = [...before, message]; chatRenderLog();
  const { agent, context } = chatTarget();
  await chatStreamRun({ input: { messages: [{ type: "human", id: message.id, content }], agent }, checkpoint_id: checkpoint, context });
}

async function stopChat() {
  if (!CHAT.runId || !CHAT.threadId) return;
  $("chat-stop").disabled = true;
  CHAT.stopped = true;
  try { await api(`/threads/${CHAT.threadId}/runs/${CHAT.runId}/cancel`, { method: "POST" }); } catch (err) { showError($("chat-log"), err); }
}

function chatUsageText(u, seconds) {
  const total = (u.prompt_tokens || 0) + (u.completion_tokens || 0);
  const calls = u.calls ?? 0;
  return `usage: ${u.prompt_tokens ?? 0} prompt + ${u.completion_tokens ?? 0} completion = ${total} tokens · ` +
    `${calls} model call${calls === 1 ? "" : "s"} · ${fmt(seconds ?? u.model_seconds ?? 0, 2)} s`;
}

// Stream one run into a live bubble: tokens (messages-tuple), the agent's steps (custom), then the thread's state.
// With `joinRunId`, join that run's stream (from its first event) instead of starting one with `body`.
async function chatStreamRun(body, joinRunId = null) {
  const threadId = CHAT.threadId;
  const { agent } = chatTarget();
  const text = el("div", { class: "msg-text", "aria-busy": "true" });
  const live = chatBubble("assistant", agent || $("chat-model").value, text);
  live.classList.add("streaming");
  const steps = [];
  const stepsSlot = el("div", { class: "steps-slot" });
  text.before(stepsSlot);
  $("chat-log").append(live);
  $("chat-usage").textContent = "streaming…";
  CHAT.stopped = false;
  let reply = "", frame = 0, failed = null, joined = null;
  const paint = () => { frame = 0; clear(text).append(renderMarkdown(reply)); text.dataset.chars = String(reply.length); };
  const schedule = () => { if (!frame) frame = setTimeout(paint, 40); }; // at most ~25 renders a second
  const showSteps = () => { const box = chatStepsBox(steps, true); clear(stepsSlot); if (box) stepsSlot.append(box); };
  try {
    if (joinRunId) CHAT.runId = joinRunId;
    const res = joinRunId
      ? await api(`/threads/${threadId}/runs/${joinRunId}/stream`)
      : await api(`/threads/${threadId}/runs/stream`, { method: "POST", body: { assistant_id: "chat", stream_mode: CHAT_MODES, ...body } });
    await readSSE(res, (event, raw) => {
      let data;
      try { data = JSON.parse(raw); } catch (_) { return; }
      if (event === "metadata") {
        CHAT.runId = data.run_id;
        // join the run too: the join answers when the run has ended, even if this stream is cut
        joined = joined || getJSON(`/threads/${threadId}/runs/${data.run_id}/join`).catch(() => null);
        return;
      }
      if (event === "messages") {
        const chunk = Array.isArray(data) ? data[0] : null;
        if (chunk && chunk.content) { reply += chunk.content; schedule(); }
        return;
      }
      if (event === "error") { failed = data; return; }
      if (event !== "custom" || !data) return;
      const d = data.data || {};
      if (data.kind === "tool_call") {
        // what the agent streamed before calling a tool was its reasoning, not the reply
        if (reply.trim()) steps.push({ kind: "thought", source: d.source, content: reply.trim() });
        reply = ""; schedule();
        steps.push({ kind: "tool_call", source: d.source, content: `${d.tool || d.name}(${typeof d.arguments === "string" ? d.arguments : JSON.stringify(d.arguments ?? {})})` });
        showSteps();
      } else if (data.kind === "tool_result") {
        steps.push({ kind: "tool_result", source: d.source, content: String(d.result ?? d.content ?? "") }); showSteps();
      } else if (data.kind === "code") {
        steps.push({ kind: "code", source: d.source, content: d.code || "" }); showSteps();
      } else if (data.kind === "execution") {
        steps.push({ kind: "execution", source: d.source, content: `exit code ${d.exit_code}\n${d.output || ""}` }); showSteps();
      } else if (data.kind === "node.end") {
        $("chat-usage").textContent = chatUsageText(d.usage || {}, d.duration_s);
      } else if (data.kind === "node.error") {
        failed = { message: d.error };
      }
    });
    if (joined) await joined;
  } catch (err) {
    failed = err;
  } finally {
    if (frame) clearTimeout(frame);
    CHAT.runId = null;
  }
  const stopped = CHAT.stopped;
  if (CHAT.threadId === threadId) {
    try { chatShowState((await getJSON(`/threads/${threadId}/state`)).values || {}); } catch (err) { showError($("chat-log"), err); }
  }
  chatSetBusy(false);
  const answered = CHAT.messages.length && CHAT.messages[CHAT.messages.length - 1].type === "ai";
  if (!answered && CHAT.threadId === threadId) {
    // a stopped or failed run leaves no reply in the thread: keep what streamed, marked as such
    const partial = chatBubble("assistant", agent || $("chat-model").value, chatStepsBox(steps), el("div", { class: "msg-text" }, renderMarkdown(reply)));
    partial.classList.add(stopped ? "stopped" : "failed");
    partial.querySelector(".msg-actions").append(el("span", { class: "badge", text: stopped ? "stopped" : "failed" }));
    $("chat-log").append(partial);
    if (failed && !stopped) showError(partial, failed.message ? failed : { message: String(failed) });
    $("chat-usage").textContent = stopped ? "stopped" : "failed";
  } else if ($("chat-usage").textContent === "streaming…") $("chat-usage").textContent = "done";
  await loadConversations();
  $("chat-prompt").focus();
}

// ---------- deep link (#CHAT=tutor&prompt=...): a new conversation with that target ----------
async function chatFromLink(target, prompt) {
  newConversation();
  await loadChatModels(target);
  if (prompt) { $("chat-prompt").value = prompt; await sendChat(); }
}

function initChat() {
  $("chat-form").addEventListener("submit", (e) => { e.preventDefault(); sendChat(); });
  $("chat-prompt").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); sendChat(); } });
  $("chat-reset").addEventListener("click", newConversation);
  $("chat-stop").addEventListener("click", stopChat);
  $("chat-search").addEventListener("input", loadConversations);
  const linked = typeof linkParams === "function" && linkParams().has("chat");
  if (!linked) loadChatModels();
  loadConversations().then(() => {
    const last = localStorage.getItem(CHAT_STORE);
    if (!linked && last) openConversation(last, { quiet: true });
  });
}

initChat();
