"""Tree of Thoughts (Yao et al. 2023) as checkpointable step functions over a JSON search tree.

BFS (the paper's Game of 24 search):   expand → evaluate → select, T times, then finish.
DFS (the paper's crosswords search):   dfs_step until done, then finish.

Semantics follow princeton-nlp/tree-of-thought-llm: a propose call yields one child per
parsed line; a state's value sums `n_evaluate` sampled verdicts; an identical evaluation
prompt reuses its value (the repo's value cache); a duplicate state within a step is worth
0; greedy selection keeps the top-b by value with ties in generation order. Every
generated node stays in `state.nodes` with its parent link, value, `kept` flag and the
reason it was pruned, so a UI can draw the whole tree.

Three departures from the paper, each a config switch (all off = the paper, for replication):

- `verify_steps`: a task with an exact step verifier (Game of 24) rejects impossible
  proposals ("10 / 6 = 30") before they are valued, so no model call is spent on them and
  no small model can rate them "sure". They stay in the tree, invalid, with the reason.
- `constrained_verdicts`: a value sample whose free text names no verdict (the paper would
  score it 0) gets one from the gateway's constrained decoding over the task's verdict
  names, continuing from the sample's own reasoning; see `_value_outputs` for why only then.
- `propose_mode="choice"`: on a task that lists its legal steps (Game of 24), the model picks
  k distinct steps among them under constrained decoding and the program does the arithmetic,
  so a model that cannot write a valid step still searches; "auto" picks it for models
  without tool calling (see `ToTConfig`). Each node records its `proposer`.

Personas: with `proposer` set, a persona's answer turn writes the proposals (free mode), and
with `evaluator` set, a persona's turn writes the value or vote texts, through the persona
contract on the same gateway (`strategies.personas`); the paper's prompts and parsers stay as
they are. Each node records the `persona` and `framework` that proposed it and `valued_by`.
Only the grammar-constrained verdict fallback stays a bare model call (a framework turn
cannot constrain its output); a node counts those in `constrained`.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from typing import Any, Literal

from pydantic import BaseModel, Field

from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import ChatResult, GenerationOptions

from .base import Emit, Stopwatch, StrategyResult, UsageTotals, emit_event, metered
from .config import ToTConfig
from .personas import author, persona_step
from .tasks import Task, TaskSpec, first_verdict, verdict_value, vote_counts

ROOT = "0"
Phase = Literal["expand", "evaluate", "select", "dfs", "finish", "complete"]
#: Room for '{"verdict": "impossible"}' in any tokenizer, with the grammar's optional spaces.
VERDICT_TOKENS = 24
#: Room for '{"step": ""}' and the grammar's optional spaces, on top of the longest step's characters.
CHOICE_OVERHEAD_TOKENS = 16
Proposer = Literal["model", "choice", "program"]
#: Which persona (config field) does a role's calls.
Role = Literal["propose", "evaluate", "vote"]


def verdict_schema(names: list[str]) -> dict[str, Any]:
    """JSON schema of one verdict: the embedded backend compiles it to a llama.cpp grammar, Ollama
    passes it as `format`, so the answer is always one of `names`."""
    return {
        "type": "object",
        "properties": {"verdict": {"type": "string", "enum": names}},
        "required": ["verdict"],
    }


def step_schema(steps: list[str]) -> dict[str, Any]:
    """JSON schema of one chosen step: the answer is always one of `steps`, verbatim."""
    return {
        "type": "object",
        "properties": {"step": {"type": "string", "enum": list(steps)}},
        "required": ["step"],
    }


class ThoughtNode(BaseModel):
    """One thought: `text` is the step, `state` the cumulative partial solution it ends."""

    id: str
    parent_id: str | None = None
    depth: int = 0
    text: str = ""
    state: str = ""
    value: float | None = None
    votes: list[str] = Field(default_factory=list, description="raw verdicts / vote counts behind the value")
    cached: bool = False
    duplicate_of: str | None = None
    terminal: bool = False
    kept: bool = False
    pruned_reason: str | None = None
    valid: bool | None = Field(default=None, description="the task's exact step check; None = not checked")
    invalid_reason: str | None = Field(default=None, description="why the step breaks the rules (never valued)")
    constrained: int = Field(default=0, description="verdicts the grammar supplied (free text named none)")
    proposer: Proposer | None = Field(
        default=None,
        description="model: written by the model (the paper); choice: the model picked it among the legal "
        "steps; program: added without a model call (the only legal steps left, or the answer they make)",
    )
    persona: str | None = Field(default=None, description="the persona that proposed it (None: the bare model)")
    framework: str | None = Field(default=None, description="the framework that persona ran on")
    valued_by: str | None = Field(default=None, description="persona@framework that valued or voted on it")


class ToTState(BaseModel):
    """The whole search: tree, frontier (BFS) or stack (DFS), value cache, progress."""

    task: TaskSpec
    question: str
    config: ToTConfig
    depth_limit: int
    nodes: dict[str, ThoughtNode] = Field(default_factory=dict)
    frontier: list[str] = Field(default_factory=list, description="BFS: ids to expand next")
    candidates: list[str] = Field(default_factory=list, description="BFS: ids awaiting evaluate/select")
    stack: list[str] = Field(default_factory=list, description="DFS: ids to visit, next on top (last)")
    value_cache: dict[str, float] = Field(default_factory=dict)
    propose_mode: Literal["free", "choice"] | None = Field(
        default=None, description="the config's mode once resolved (at the first expansion; kept on resume)"
    )
    step: int = 0
    phase: Phase = "expand"
    done: bool = False
    stop_reason: str | None = None
    best_id: str | None = None
    answer: str | None = None
    verified: bool | None = None
    next_seed: int = 0
    history: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    usage: UsageTotals = Field(default_factory=UsageTotals)

    @property
    def generated(self) -> int:
        return len(self.nodes) - 1

    @property
    def pruned_invalid(self) -> int:
        """Proposals the exact step verifier rejected (kept in the tree, never valued)."""
        return sum(1 for n in self.nodes.values() if n.valid is False)

    def take_seed(self) -> int:
        seed = self.config.seed + self.next_seed
        self.next_seed += 1
        return seed


def init_tot(task: Task, config: ToTConfig | None = None) -> ToTState:
    config = config or ToTConfig()
    if config.propose_mode == "choice" and not task.lists_steps:
        raise ValueError(f"propose_mode 'choice' needs a task that lists its legal steps (game24), not {task.name!r}")
    root = ThoughtNode(id=ROOT, kept=True)
    return ToTState(
        task=task.spec,
        question=task.question,
        config=config,
        depth_limit=config.depth or task.default_depth,
        nodes={ROOT: root},
        frontier=[ROOT],
        stack=[ROOT],
        phase="expand" if config.search == "bfs" else "dfs",
    )


# --------------------------------------------------------------------------- model calls


Request = tuple[str, int, int, list[str] | None]  # prompt, seed, max_tokens, stop


async def _chat(
    state: ToTState, gateway: Gateway, prompt: str, options: GenerationOptions, schema: dict[str, Any] | None
) -> ChatResult | None:
    """One model call; its usage (and failure) as the gateway's ledger recorded it goes into the state.

    A failure is noted in `errors` and yields None: the search goes on without that output.
    """
    with metered() as meter:
        try:
            return await gateway.chat(prompt, options=options, json_schema=schema)
        except GatewayError as exc:
            state.errors.append(f"{type(exc).__name__}: {exc}"[:300])
            return None
        finally:
            state.usage = state.usage.merged(meter.totals)


def role_persona(config: ToTConfig, role: Role | None) -> str | None:
    """The persona label that does `role`'s calls, None for the bare model."""
    if role == "propose":
        return config.proposer
    if role in ("evaluate", "vote"):
        return config.evaluator
    return None


async def _persona_text(
    state: ToTState, gateway: Gateway, label: str, role: Role, prompt: str, options: GenerationOptions
) -> str | None:
    """One persona step in place of a model call: its text (the stop sequences applied), or None if it failed."""
    reply, usage = await persona_step(label, role, prompt, gateway, options)
    state.usage = state.usage.merged(usage)
    if not reply.ok:
        state.errors.append(f"{reply.label}: {reply.error}"[:300])
        return None
    text = reply.text
    for stop in options.stop or []:
        text = text.split(stop, 1)[0]
    return text


async def _calls(
    state: ToTState,
    gateway: Gateway,
    requests: list[Request],
    schema: dict[str, Any] | None = None,
    role: Role | None = None,
) -> list[Any]:
    """Run (prompt, seed, max_tokens, stop) requests concurrently: texts, or with `schema` the
    parsed JSON values; a failure yields None. A free-text call of a `role` the config gives a
    persona is that persona's step."""
    limit = asyncio.Semaphore(state.config.max_concurrency)
    label = role_persona(state.config, role) if schema is None else None

    async def one(prompt: str, seed: int, max_tokens: int, stop: list[str] | None) -> Any:
        options = GenerationOptions(temperature=state.config.temperature, max_tokens=max_tokens, seed=seed, stop=stop)
        if label is not None and role is not None:
            async with limit:
                return await _persona_text(state, gateway, label, role, prompt, options)
        async with limit:
            result = await _chat(state, gateway, prompt, options, schema)
        if result is None:
            return None
        return result.parsed if schema is not None else result.text

    return list(await asyncio.gather(*(one(*r) for r in requests)))


def _add_child(state: ToTState, parent: ThoughtNode, text: str, task: Task, proposer: Proposer) -> ThoughtNode:
    """A new node; with `verify_steps` on a verifying task, checked and, if invalid, pruned at once."""
    node_id = str(len(state.nodes))
    child_state = f"{parent.state}{text}\n"
    node = ThoughtNode(
        id=node_id,
        parent_id=parent.id,
        depth=parent.depth + 1,
        text=text,
        state=child_state,
        terminal=task.is_terminal(child_state),
        proposer=proposer,
    )
    if proposer == "model":
        who = author(state.config.proposer)
        node.persona, node.framework = who["persona"], who["framework"]
    if state.config.verify_steps and task.verifies_steps:
        problem = task.step_problem(parent.state, text)
        node.valid, node.invalid_reason = problem is None, problem
        if problem is not None:
            node.pruned_reason = f"invalid: {problem}"
    state.nodes[node_id] = node
    return node


Proposals = list[list[tuple[str, Proposer]]]  # per parent: (step text, who proposed it)


async def _propose_mode(state: ToTState, task: Task, gateway: Gateway) -> Literal["free", "choice"]:
    """The config's mode; "auto" is settled once, on the first expansion, and kept in the state."""
    if state.propose_mode is None:
        mode = state.config.propose_mode
        if mode == "auto" and state.config.proposer is not None:
            mode = "free"  # a persona writes its steps: a framework turn cannot pick under a grammar
        elif mode == "auto":
            mode = "choice" if task.lists_steps and await _choice_suits(state, gateway) else "free"
        state.propose_mode = mode
    return state.propose_mode


async def _choice_suits(state: ToTState, gateway: Gateway) -> bool:
    """A model without native tool calling whose output can be constrained to a choice.

    Ollama passes any schema as `format` whatever its model lists; the embedded backend says
    "json_schema". The scripted test backend constrains nothing, so it keeps the paper's mode.
    """
    try:
        info = await gateway.model_info()
    except GatewayError as exc:
        state.errors.append(f"model_info: {type(exc).__name__}: {exc}"[:300])
        return False
    constrains = "json_schema" in info.capabilities or info.backend == "ollama"
    return constrains and not info.supports_tools


async def _written(state: ToTState, parent_ids: list[str], task: Task, gateway: Gateway) -> Proposals:
    """The paper's proposals: the model writes step lines (one propose call or n samples per parent)."""
    cfg = state.config
    counts: list[int] = []
    requests: list[Request] = []
    for pid in parent_ids:
        parent = state.nodes[pid]
        if cfg.generate == "propose":
            requests.append(
                (task.propose_prompt(parent.state, cfg.n_propose), state.take_seed(), cfg.max_tokens, task.propose_stop)
            )
            counts.append(1)
        else:
            prompt = task.sample_prompt(parent.state)
            for _ in range(cfg.n_generate):
                requests.append((prompt, state.take_seed(), cfg.max_tokens, None))
            counts.append(cfg.n_generate)
    outputs = await _calls(state, gateway, requests, role="propose")
    proposals: Proposals = []
    cursor = 0
    for pid, count in zip(parent_ids, counts, strict=True):
        parent = state.nodes[pid]
        texts: list[str] = []
        for output in outputs[cursor : cursor + count]:
            if output is None:
                continue
            if cfg.generate == "propose":
                texts.extend(task.parse_proposals(parent.state, output, cfg.n_propose))
            elif (line := task.parse_sample(parent.state, output)) is not None:
                texts.append(line)
        cursor += count
        proposals.append([(text, "model") for text in texts])
    return proposals


async def _chosen(state: ToTState, parent_ids: list[str], task: Task, gateway: Gateway) -> Proposals:
    """Choice mode: `n_propose` distinct legal steps per parent, picked by the model (parents concurrently)."""
    cfg = state.config
    limit = asyncio.Semaphore(cfg.max_concurrency)
    jobs = []
    for pid in parent_ids:
        parent_state = state.nodes[pid].state
        # seeds fixed up front: reproducible whichever call finishes first
        seeds = [state.take_seed() for _ in range(cfg.n_propose)]
        prompt = task.propose_prompt(parent_state, cfg.n_propose)
        jobs.append(_choose(state, gateway, prompt, task.legal_steps(parent_state), seeds, limit))
    return list(await asyncio.gather(*jobs))


async def _choose(
    state: ToTState, gateway: Gateway, prompt: str, steps: list[str], seeds: list[int], limit: asyncio.Semaphore
) -> list[tuple[str, Proposer]]:
    """Up to len(seeds) distinct steps: each call's enum leaves out the steps already chosen, so
    no call is spent on a repeat; once no more steps are left than picks, all are taken without
    a call (any k distinct picks would be exactly those). A failed call loses its pick only."""
    k = len(seeds)
    remaining = list(steps)
    picked: list[tuple[str, Proposer]] = []
    for seed in seeds:
        if len(remaining) <= k - len(picked):
            return picked + [(step, "program") for step in remaining]
        budget = CHOICE_OVERHEAD_TOKENS + max(len(step) for step in remaining)  # a token is at least a character
        options = GenerationOptions(temperature=state.config.temperature, max_tokens=budget, seed=seed)
        async with limit:
            result = await _chat(state, gateway, prompt, options, step_schema(remaining))
        if result is None:
            continue
        step = str(result.parsed["step"])  # the gateway validated it against the enum
        picked.append((step, "choice"))
        remaining.remove(step)
    return picked


async def _generate(
    state: ToTState, parent_ids: list[str], task: Task, gateway: Gateway, emit: Emit | None
) -> list[str]:
    """Children of each parent in order (ids in generation order); terminal parents get none."""
    cfg = state.config
    open_ids = [pid for pid in parent_ids if not state.nodes[pid].terminal]
    if await _propose_mode(state, task, gateway) == "choice":
        proposals = await _chosen(state, open_ids, task, gateway)
    else:
        proposals = await _written(state, open_ids, task, gateway)
    new_ids: list[str] = []
    for pid, texts in zip(open_ids, proposals, strict=True):
        parent = state.nodes[pid]
        texts = texts[: cfg.max_children] if cfg.max_children else texts
        children: list[str] = []
        invalid: list[ThoughtNode] = []
        for text, proposer in texts:
            if state.generated - state.pruned_invalid >= cfg.max_nodes:
                state.stop_reason = "max_nodes"
                break
            child = _add_child(state, parent, text, task, proposer)
            if child.valid is False:
                invalid.append(child)
            else:
                children.append(child.id)
        new_ids.extend(children)
        expanded: dict[str, Any] = {
            "parent_id": pid,
            "node_ids": children,
            "texts": [state.nodes[c].text for c in children],
            "proposers": [state.nodes[c].proposer for c in children],
        }
        if cfg.proposer is not None:  # the paper's events stay as they were
            expanded["personas"] = [state.nodes[c].persona for c in children]
            expanded["frameworks"] = [state.nodes[c].framework for c in children]
        emit_event(emit, "tot.expand", expanded)
        for node in invalid:
            pruned: dict[str, Any] = {
                "parent_id": pid,
                "node_id": node.id,
                "text": node.text,
                "reason": node.invalid_reason,
                "proposer": node.proposer,
            }
            if cfg.proposer is not None:
                pruned.update(persona=node.persona, framework=node.framework)
            emit_event(emit, "tot.prune", pruned)
    return new_ids


def _value_key(prompt: str) -> str:
    return hashlib.sha1(prompt.encode("utf-8")).hexdigest()[:16]


async def _evaluate(state: ToTState, ids: list[str], task: Task, gateway: Gateway, emit: Emit | None) -> None:
    """Set `value` on the given nodes (value or vote), in place."""
    cfg = state.config
    todo = [i for i in ids if state.nodes[i].value is None]
    if not todo:
        return
    if cfg.evaluate == "vote":
        prompt = task.vote_prompt([state.nodes[i].state for i in todo])
        votes: list[Request] = [(prompt, state.take_seed(), cfg.eval_max_tokens, None) for _ in range(cfg.n_evaluate)]
        outputs = [o or "" for o in await _calls(state, gateway, votes, role="vote")]
        for node_id, count in zip(todo, vote_counts(outputs, len(todo)), strict=True):
            node = state.nodes[node_id]
            node.value, node.votes = count, [f"{count:g} of {cfg.n_evaluate} votes"]
            node.valued_by = cfg.evaluator
            voted: dict[str, Any] = {"node_id": node_id, "value": count, "votes": node.votes}
            if cfg.evaluator is not None:
                voted["valued_by"] = node.valued_by
            emit_event(emit, "tot.evaluate", voted)
        return
    seen: dict[str, str] = {}
    pending: dict[str, list[str]] = {}
    for node_id in todo:
        node = state.nodes[node_id]
        if node.state in seen:  # the repo values a repeated candidate at 0
            node.value, node.duplicate_of = 0.0, seen[node.state]
            continue
        seen[node.state] = node_id
        key = _value_key(task.value_prompt(node.state))
        if cfg.cache_values and key in state.value_cache:
            node.value, node.cached = state.value_cache[key], True
        elif key in pending:
            pending[key].append(node_id)
        elif (static := task.static_value(node.state)) is not None:
            node.value = static
            if cfg.cache_values:
                state.value_cache[key] = static
        elif cfg.verify_steps and (exact := task.exact_verdict(node.state)) is not None:
            node.votes = [f"{exact} (exact)"] * cfg.n_evaluate
            node.value = verdict_value([exact] * cfg.n_evaluate)
        else:
            pending[key] = [node_id]
    states = [state.nodes[group[0]].state for group in pending.values()]
    per_state, forced = await _value_outputs(state, states, task, gateway)
    for (key, group), chunk, supplied in zip(pending.items(), per_state, forced, strict=True):
        value, verdicts = task.value_unwrap(state.nodes[group[0]].state, chunk)
        if cfg.cache_values:
            state.value_cache[key] = value
        for position, node_id in enumerate(group):
            node = state.nodes[node_id]
            node.value, node.votes, node.cached = value, verdicts, position > 0
            node.constrained = supplied
            node.valued_by = cfg.evaluator
    for node_id in todo:
        node = state.nodes[node_id]
        valued: dict[str, Any] = {
            "node_id": node_id,
            "value": node.value,
            "votes": node.votes,
            "cached": node.cached,
            "duplicate_of": node.duplicate_of,
        }
        if cfg.evaluator is not None:
            valued["valued_by"] = node.valued_by
        emit_event(emit, "tot.evaluate", valued)


def _reasoning(output: str) -> str:
    """A value sample's free text up to where it stops being about this state (a blank line)."""
    text = output.split("\n\n")[0].strip()
    return f"{text}\n" if text else ""


async def _value_outputs(
    state: ToTState, states: list[str], task: Task, gateway: Gateway
) -> tuple[list[list[str]], list[int]]:
    """`n_evaluate` value outputs per state, and how many verdicts constrained decoding supplied.

    With `constrained_verdicts` and a task that names its verdicts, a sample whose free text
    names none is finished by one grammar-constrained call on the same prompt plus that
    sample's reasoning, so it always yields a verdict; a prompt that asks for the verdict
    alone (Game of 24's last step) goes straight to the constrained call. Samples whose text
    already names a verdict keep it: a second, constrained draw of the same choice would only
    cost a call, and every scripted value (and the paper's own outputs) would change. The
    switch is a separate flag because the paper scores an unparseable sample 0, so a
    replication must turn it off.
    """
    cfg = state.config
    n = cfg.n_evaluate
    names = [task.verdict_names(s) if cfg.constrained_verdicts else None for s in states]
    free = [g for g, s in enumerate(states) if names[g] is None or task.value_reasons(s)]
    requests: list[Request] = [
        (task.value_prompt(states[g]), state.take_seed(), cfg.eval_max_tokens, None) for g in free for _ in range(n)
    ]
    texts = await _calls(state, gateway, requests, role="evaluate")
    outputs: list[list[str | None]] = [[""] * n for _ in states]
    for k, g in enumerate(free):
        outputs[g] = texts[k * n : (k + 1) * n]
    todo = [
        (g, i)
        for g, chunk in enumerate(outputs)
        for i, out in enumerate(chunk)
        if names[g] is not None and out is not None and first_verdict(out) is None
    ]
    supplied = [0] * len(states)
    by_names: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for g, i in todo:
        by_names.setdefault(tuple(names[g] or []), []).append((g, i))
    for verdicts, slots in by_names.items():
        asks: list[Request] = [
            (task.value_prompt(states[g]) + _reasoning(outputs[g][i] or ""), state.take_seed(), VERDICT_TOKENS, None)
            for g, i in slots
        ]
        parsed = await _calls(state, gateway, asks, verdict_schema(list(verdicts)))
        for (g, i), value in zip(slots, parsed, strict=True):
            if isinstance(value, dict) and value.get("verdict") in verdicts:
                outputs[g][i] = str(value["verdict"])
                supplied[g] += 1
    return [[o or "" for o in chunk] for chunk in outputs], supplied


# --------------------------------------------------------------------------- BFS steps


async def expand(state: ToTState, task: Task, gateway: Gateway, emit: Emit | None = None) -> ToTState:
    """BFS: generate children of every frontier node; terminal frontier nodes are carried along."""
    new = state.model_copy(deep=True)
    children = await _generate(new, new.frontier, task, gateway, emit)
    carried = [i for i in new.frontier if new.nodes[i].terminal]
    new.candidates = carried + children
    new.phase = "evaluate"
    return new


async def evaluate(state: ToTState, task: Task, gateway: Gateway, emit: Emit | None = None) -> ToTState:
    """BFS: value (or vote on) every candidate."""
    new = state.model_copy(deep=True)
    await _evaluate(new, new.candidates, task, gateway, emit)
    new.phase = "select"
    return new


def _weighted_sample(ids: list[str], weights: list[float], k: int, rng: random.Random) -> list[str]:
    """k distinct ids drawn in turn with probability ∝ weight (uniform if all weights are 0)."""
    pool = list(zip(ids, weights, strict=True))
    chosen: list[str] = []
    while pool and len(chosen) < k:
        total = sum(w for _, w in pool)
        if total <= 0:
            index = rng.randrange(len(pool))
        else:
            mark, acc, index = rng.random() * total, 0.0, len(pool) - 1
            for i, (_, w) in enumerate(pool):
                acc += w
                if mark < acc:
                    index = i
                    break
        chosen.append(pool.pop(index)[0])
    return chosen


def select(state: ToTState, emit: Emit | None = None, rng: random.Random | None = None) -> ToTState:
    """BFS: keep b candidates (greedy top-b, ties in generation order; or sampled ∝ value)."""
    new = state.model_copy(deep=True)
    cfg = new.config
    values = {i: new.nodes[i].value or 0.0 for i in new.candidates}
    ranked = sorted(new.candidates, key=lambda i: -values[i])  # stable: ties keep generation order
    if cfg.select == "greedy":
        kept = ranked[: cfg.breadth]
    else:
        rng = rng or random.Random(cfg.seed * 1_000_003 + new.step)
        kept = _weighted_sample(new.candidates, [values[i] for i in new.candidates], cfg.breadth, rng)
    kept_set = set(kept)
    pruned = [i for i in ranked if i not in kept_set]
    for node_id in kept:
        new.nodes[node_id].kept, new.nodes[node_id].pruned_reason = True, None
    for rank, node_id in enumerate(ranked, 1):
        node = new.nodes[node_id]
        if node_id not in kept_set:
            node.kept = False
            node.pruned_reason = (
                f"duplicate of {node.duplicate_of}"
                if node.duplicate_of
                else f"not selected at step {new.step} (rank {rank})"
            )
    new.history.append(
        {
            "step": new.step,
            "parents": list(new.frontier),
            "candidates": list(new.candidates),
            "values": [values[i] for i in new.candidates],
            "selected": kept,
        }
    )
    emit_event(emit, "tot.select", {"step": new.step, "kept_ids": kept, "pruned_ids": pruned})
    new.frontier, new.candidates = kept, []
    new.step += 1
    if new.step >= new.depth_limit or not kept or new.stop_reason == "max_nodes":
        new.done, new.phase = True, "finish"
        invalid_only = any(n.valid is False and n.depth == new.step for n in new.nodes.values())
        ended = "depth" if kept else "no_valid_steps" if invalid_only else "no_candidates"
        new.stop_reason = new.stop_reason or ended
    else:
        new.phase = "expand"
    return new


# --------------------------------------------------------------------------- DFS step


def _backtrack(state: ToTState, emit: Emit | None, from_id: str, reason: str) -> None:
    emit_event(
        emit,
        "tot.backtrack",
        {"from_id": from_id, "to_id": state.stack[-1] if state.stack else None, "reason": reason},
    )


async def dfs_step(state: ToTState, task: Task, gateway: Gateway, emit: Emit | None = None) -> ToTState:
    """DFS: visit the top of the stack; expand, value and prune its children, or accept a leaf.

    Children valued below `value_threshold` are pruned; the rest are pushed best-on-top.
    A leaf (depth T or a final answer) is accepted unless the task's ground-truth-free
    `check` rejects it, in which case the search backtracks. Bounded by `max_nodes`.
    """
    new = state.model_copy(deep=True)
    cfg = new.config
    if not new.stack:
        new.done, new.phase, new.stop_reason = True, "finish", "exhausted"
        return new
    if new.generated - new.pruned_invalid >= cfg.max_nodes:
        new.done, new.phase, new.stop_reason = True, "finish", "max_nodes"
        return new
    node = new.nodes[new.stack.pop()]
    new.step += 1
    if node.id != ROOT and (node.depth >= new.depth_limit or node.terminal):
        verdict = task.check(node.state)
        new.history.append({"step": new.step, "visit": node.id, "leaf": True, "check": verdict})
        if verdict is False:
            node.kept, node.pruned_reason = False, "leaf failed the task check"
            _backtrack(new, emit, node.id, "leaf failed the task check")
            return new
        new.best_id, new.done, new.phase = node.id, True, "finish"
        new.stop_reason = "solution" if verdict else "leaf"
        return new
    children = await _generate(new, [node.id], task, gateway, emit)
    await _evaluate(new, children, task, gateway, emit)
    ranked = sorted(children, key=lambda i: -(new.nodes[i].value or 0.0))
    survivors = [i for i in ranked if (new.nodes[i].value or 0.0) >= cfg.value_threshold]
    for child_id in ranked:
        child = new.nodes[child_id]
        child.kept = child_id in survivors
        if not child.kept:
            child.pruned_reason = f"value {child.value or 0.0:g} < threshold {cfg.value_threshold:g}"
    new.stack.extend(reversed(survivors))
    new.history.append({"step": new.step, "visit": node.id, "children": children, "pushed": survivors})
    if not survivors:
        invalid_only = not children and any(n.parent_id == node.id and n.valid is False for n in new.nodes.values())
        reason = "every proposed step was invalid" if invalid_only else "no child reached the value threshold"
        _backtrack(new, emit, node.id, reason)
    if new.stop_reason == "max_nodes":
        new.done, new.phase = True, "finish"
    return new


# --------------------------------------------------------------------------- finish + loop


def _best_node(state: ToTState, task: Task) -> ThoughtNode | None:
    if state.best_id is not None:
        return state.nodes[state.best_id]
    pool = [state.nodes[i] for i in state.frontier if i != ROOT]
    if state.config.search == "dfs" or not pool:
        pool = [
            n
            for n in state.nodes.values()
            if n.id != ROOT and n.valid is not False and n.pruned_reason != "leaf failed the task check"
        ]
    if not pool:
        return None
    order = {n.id: k for k, n in enumerate(pool)}

    def rank(n: ThoughtNode) -> tuple[int, int, float, int]:
        return (int(task.check(n.state) is True), n.depth, n.value or 0.0, -order[n.id])

    return max(pool, key=rank)


def finish(state: ToTState, task: Task, emit: Emit | None = None) -> ToTState:
    """Answer from the best final state (one passing the task's own check first, then by value)."""
    new = state.model_copy(deep=True)
    best = _best_node(new, task)
    new.best_id = best.id if best else None
    new.answer = task.answer_from_state(best.state) if best else None
    new.verified = task.verify(new.answer)
    new.done, new.phase = True, "complete"
    emit_event(
        emit,
        "tot.finish",
        {"best_id": new.best_id, "answer": new.answer, "verified": new.verified, "pruned_invalid": new.pruned_invalid},
    )
    return new


async def search_tot(
    task: Task,
    gateway: Gateway,
    config: ToTConfig | None = None,
    emit: Emit | None = None,
    rng: random.Random | None = None,
) -> ToTState:
    """The full search loop over the step functions; returns the finished state."""
    state = init_tot(task, config)
    while not state.done:
        if state.config.search == "dfs":
            state = await dfs_step(state, task, gateway, emit)
        else:
            state = await expand(state, task, gateway, emit)
            state = await evaluate(state, task, gateway, emit)
            state = select(state, emit, rng)
    return finish(state, task, emit)


async def run_tot(
    task: Task,
    gateway: Gateway,
    config: ToTConfig | None = None,
    emit: Emit | None = None,
    rng: random.Random | None = None,
) -> StrategyResult:
    """Tree-of-Thoughts search as a StrategyResult; `trace` is the whole ToTState."""
    watch = Stopwatch()
    state = await search_tot(task, gateway, config, emit, rng)
    best = state.nodes.get(state.best_id or "")
    return StrategyResult(
        strategy="tot",
        answer=state.answer,
        raw=best.state if best else "",
        verified=state.verified,
        trace=state.model_dump(),
        usage=state.usage,
        wall_time_s=watch.elapsed(),
    )


__all__ = [
    "ROOT",
    "ThoughtNode",
    "ToTState",
    "dfs_step",
    "evaluate",
    "expand",
    "finish",
    "init_tot",
    "run_tot",
    "search_tot",
    "select",
]
