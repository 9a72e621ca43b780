// thinkroom dashboard, Arena panel: vote on blind pairs, then see the Bradley-Terry ratings.
// Loaded after app.js and uses its helpers ($, el, clear, api, getJSON, showError, fmt).
// A pair is shown as the judge saw it: the prompt, answer A and answer B, never who wrote them;
// the ratings (with names) appear once this person has voted, or when no pair is left.
"use strict";

const arena = { id: null, voted: 0, plotUrl: null };
const ARENA_SOURCES = { judge: "judge (verifier + evaluator)", human: "people's votes", combined: "judge + people" };

function arenaLabel(a) {
  const when = (a.created_at || "").slice(0, 16).replace("T", " ");
  return `${a.suite} · ${a.items_done}/${a.total_items} prompts · ${a.status} · ${when} · ${a.arena_id.slice(0, 8)}`;
}

async function arenaList(preferred) {
  const pick = $("arena-pick"), status = $("arena-status");
  clear(pick);
  try {
    const body = await getJSON("/api/arenas?limit=50");
    if (!body.arenas.length) {
      pick.append(el("option", { value: "", text: "no arenas yet" }));
      status.textContent = "Start one with `thinkroom arena run` or POST /api/arenas.";
      return;
    }
    for (const a of body.arenas) pick.append(el("option", { value: a.arena_id, text: arenaLabel(a) }));
    if (preferred && body.arenas.some((a) => a.arena_id === preferred)) pick.value = preferred;
    status.textContent = "";
    await arenaOpen();
  } catch (err) { status.textContent = ""; showError($("arena-status"), err); }
}

async function arenaOpen() {
  arena.id = $("arena-pick").value || null;
  arena.voted = 0;
  $("arena-ratings-box").hidden = true;
  if (arena.id) await arenaNext();
}

function arenaButtons(enabled) {
  for (const b of document.querySelectorAll(".arena-vote button")) b.disabled = !enabled;
}

async function arenaNext() {
  const box = $("arena-pair"), done = $("arena-done");
  try {
    const body = await getJSON(`/api/arenas/${encodeURIComponent(arena.id)}/pairs/next`);
    if (!body.pair) {
      box.hidden = true; done.hidden = false;
      done.textContent = body.status === "running"
        ? "No finished prompt to vote on yet: the arena is still running. Refresh in a moment."
        : "Every pair of this arena has a vote. Here are the ratings.";
      await arenaRatings();
      return;
    }
    done.hidden = true; box.hidden = false;
    box.dataset.pair = body.pair.pair_id;
    $("arena-prompt").textContent = body.pair.prompt;
    $("arena-a").textContent = body.pair.a;
    $("arena-b").textContent = body.pair.b;
    $("arena-left").textContent = `${body.remaining} pair${body.remaining === 1 ? "" : "s"} left to vote on`;
    arenaButtons(true);
  } catch (err) { box.hidden = true; done.hidden = false; clear(done); showError(done, err); }
}

async function arenaVote(winner) {
  const box = $("arena-pair");
  arenaButtons(false);
  try {
    await api(`/api/arenas/${encodeURIComponent(arena.id)}/votes`, { method: "POST", body: { pair_id: box.dataset.pair, winner } });
    arena.voted += 1;
    await arenaNext();
    if (arena.voted) await arenaRatings();
  } catch (err) { showError($("arena-left"), err); arenaButtons(true); }
}

async function arenaRatings() {
  const base = `/api/arenas/${encodeURIComponent(arena.id)}`;
  const body = await getJSON(`${base}/ratings`);
  const rows = clear($("arena-ratings"));
  for (const source of Object.keys(ARENA_SOURCES)) {
    const view = body[source];
    if (!view) continue;
    view.ratings.forEach((r, i) => {
      const interval = r.low === null ? "—" : `[${fmt(r.low, 0)}, ${fmt(r.high, 0)}]`;
      rows.append(el("tr", { "data-source": source, "data-contestant": r.contestant },
        el("td", { text: i === 0 ? `${ARENA_SOURCES[source]} (${view.outcomes})` : "" }), el("td", { text: String(i + 1) }),
        el("td", { text: r.contestant }), el("td", { text: view.outcomes ? fmt(r.elo, 0) : "—" }), el("td", { text: interval }),
        el("td", { text: String(r.wins) }), el("td", { text: String(r.losses) }), el("td", { text: String(r.ties) })));
    });
  }
  $("arena-ratings-box").hidden = false;
  const img = $("arena-plot");
  try {
    const res = await api(`${base}/plot.svg`);  // fetched with the API key, so an <img> can show it
    if (arena.plotUrl) URL.revokeObjectURL(arena.plotUrl);
    arena.plotUrl = URL.createObjectURL(await res.blob());
    img.src = arena.plotUrl; img.hidden = false;
  } catch (_) { img.hidden = true; }  // nothing rated yet: no plot
}

function arenaInit() {
  $("arena-pick").addEventListener("change", arenaOpen);
  $("arena-refresh").addEventListener("click", () => arenaList(arena.id));
  for (const b of document.querySelectorAll(".arena-vote button")) b.addEventListener("click", () => arenaVote(b.dataset.winner));
  const params = new URLSearchParams(location.search);
  for (const [k, v] of new URLSearchParams(location.hash.replace(/^#/, ""))) params.set(k, v);
  let loaded = false;
  const load = () => { if (!loaded) { loaded = true; arenaList(params.get("arena")); } };
  $("tab-arena").addEventListener("click", load);
  if (params.get("tab") === "arena") load();  // #tab=arena&arena=ID opens that arena
}

arenaInit();
