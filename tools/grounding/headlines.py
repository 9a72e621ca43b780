"""One readable sentence that states what a concept computed, with rounded numbers.

The tutor's direct answer quotes these sentences, so every number a learner reads was
computed by the concept lab, never written by the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Headline = Callable[[dict[str, Any], dict[str, Any]], str]


def fmt_number(value: Any, digits: int = 4) -> str:
    """A number without float noise: integers exactly (with separators), others to `digits` significant digits."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
        text = f"{value:.{digits}g}"
        return text if "e" not in text else f"{value:.{digits}e}"
    return str(value)


def fmt_list(values: Any, limit: int = 8) -> str:
    if not isinstance(values, list):
        return fmt_value(values)
    shown = ", ".join(fmt_value(v) for v in values[:limit])
    more = f", … ({len(values)} in all)" if len(values) > limit else ""
    return f"({shown}{more})"


def fmt_value(value: Any) -> str:
    if isinstance(value, (int, float)):
        return fmt_number(value)
    if isinstance(value, list):
        return fmt_list(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {fmt_value(v)}" for k, v in list(value.items())[:8]) + "}"
    return str(value)


def _neuron(args: dict[str, Any], r: dict[str, Any]) -> str:
    act = args.get("activation", "sigmoid")
    return f"z = w·x + b = {fmt_number(r['z'])}, so the {act} output is y = {fmt_number(r['y'])}."


def _activation(args: dict[str, Any], r: dict[str, Any]) -> str:
    names = {"gelu": "GELU", "gelu_tanh": "GELU (tanh approx.)", "relu": "ReLU", "elu": "ELU", "swish": "Swish"}
    name = names.get(str(args.get("name", "gelu")), args.get("name"))
    xs = args.get("x") or []
    if len(xs) == 1:
        return f"{name}({fmt_number(xs[0])}) = {fmt_number(r['y'][0], 7)} (formula: {r.get('formula', '')})."
    pairs = ", ".join(f"{name}({fmt_number(x)}) = {fmt_number(y)}" for x, y in zip(xs, r["y"], strict=False))
    return f"{pairs} (formula: {r.get('formula', '')})."


def _softmax(args: dict[str, Any], r: dict[str, Any]) -> str:
    t = args.get("temperature", 1.0)
    return f"softmax{fmt_list(args.get('logits'))} at temperature {fmt_number(t)} = {fmt_list(r['probs'])}."


def _normalization(args: dict[str, Any], r: dict[str, Any]) -> str:
    kind = "RMSNorm" if args.get("kind") == "rmsnorm" else "LayerNorm"
    if kind == "LayerNorm":
        return (
            f"LayerNorm{fmt_list(args.get('x'))} = {fmt_list(r['y'])}: mean μ = {fmt_number(r['mean'])}, "
            f"population standard deviation σ = {fmt_number(r['std'])} (variance {fmt_number(r['variance'])})."
        )
    return f"RMSNorm{fmt_list(args.get('x'))} = {fmt_list(r['y'])}: RMS = {fmt_number(r['rms'])}, no mean subtracted."


def _add_and_norm(args: dict[str, Any], r: dict[str, Any]) -> str:
    return f"x + Sublayer(x) = {fmt_list(r['residual'])}; LayerNorm of it = {fmt_list(r['y'])}."


def _sampling(args: dict[str, Any], r: dict[str, Any]) -> str:
    method = args.get("method", "top_p")
    kept = list(r.get("candidates", {}))
    probs = ", ".join(f"{k} {fmt_number(v)}" for k, v in r.get("candidates", {}).items())
    setting = {
        "top_p": f"p = {fmt_number(args.get('p'))}",
        "top_k": f"k = {args.get('k')}",
        "temperature": f"T = {fmt_number(args.get('temperature'))}",
        "greedy": "greedy",
    }.get(method, method)
    if method == "top_p":
        return (
            f"Top-p with {setting} keeps {{{', '.join(kept)}}} (kept mass {fmt_number(r.get('kept_mass'))}: the "
            f"smallest set whose cumulative probability is ≥ p), renormalised to {probs}."
        )
    return f"{method} ({setting}) keeps {{{', '.join(kept)}}}, renormalised to {probs}."


def _penalties(args: dict[str, Any], r: dict[str, Any]) -> str:
    adj = ", ".join(
        f"{k}: {fmt_number(args['logits'][k])} → {fmt_number(v)} (count {r['counts'].get(k, 0)})"
        for k, v in r["adjusted_logits"].items()
    )
    return f"Adjusted logits (logit − count·frequency_penalty − presence_penalty if count > 0): {adj}."


def _parameter_count(args: dict[str, Any], r: dict[str, Any]) -> str:
    total = int(r["total"])
    return (
        f"{args.get('n_layers')} layers, d_model = {fmt_number(args.get('d_model'))}: {total:,} parameters "
        f"(≈ {total / 1e9:.3g} B; 12·L·d² ≈ {int(r['approx_12_L_d2']):,})."
    )


def _gqa(args: dict[str, Any], r: dict[str, Any]) -> str:
    gib = r["kv_cache_gib"]
    return (
        f"Group size {r['group_size']} query heads per KV head; KV cache: MHA {fmt_number(gib['mha'])} GiB, "
        f"GQA {fmt_number(gib['gqa'])} GiB, MQA {fmt_number(gib['mqa'])} GiB ({fmt_number(r['reduction_vs_mha'])}× "
        "smaller than MHA)."
    )


def _pass_at_k(args: dict[str, Any], r: dict[str, Any]) -> str:
    n, c, k = args.get("n"), args.get("c"), args.get("k")
    return (
        f"pass@{k} for n = {n}, c = {c} is 1 − C(n−c, k)/C(n, k) = {fmt_number(r['pass_at_k'])} "
        f"(the biased 1 − (1 − c/n)^k would give {fmt_number(r['naive_estimate'])})."
    )


def _perplexity(args: dict[str, Any], r: dict[str, Any]) -> str:
    return (
        f"Cross-entropy = {fmt_number(r['cross_entropy_nats'])} nats = {fmt_number(r['cross_entropy_bits'])} bits; "
        f"perplexity = exp(cross-entropy) = {fmt_number(r['perplexity'])}."
    )


def _beam(args: dict[str, Any], r: dict[str, Any]) -> str:
    beams = "; ".join(f"'{b['text']}' {fmt_number(b['prob'])}" for b in r["beams"])
    return f"With beam width {args.get('beam_width')}, the beam after the last step is: {beams}."


def _self_consistency(args: dict[str, Any], r: dict[str, Any]) -> str:
    votes = ", ".join(f"{k}: {v}" for k, v in r["votes"].items())
    return f"Votes {votes}; the majority answer is {r['winner']} (agreement {fmt_number(r['agreement'])})."


def _tot_value(args: dict[str, Any], r: dict[str, Any]) -> str:
    values = "; ".join(f"'{k}' = {fmt_number(v)}" for k, v in r["values"].items())
    return f"Values (sure 20, likely 1, impossible 0.001, summed): {values}; kept: {', '.join(r['selected'])}."


def _ppo(args: dict[str, Any], r: dict[str, Any]) -> str:
    rows = r.get("per_sample") or []
    if len(rows) == 1:
        row = rows[0]
        return f"Per-sample clipped objective = {fmt_value(row.get('objective', row))}."
    return f"Mean clipped objective L^CLIP = {fmt_number(r['objective'])} (loss {fmt_number(r['loss'])})."


def _viterbi(args: dict[str, Any], r: dict[str, Any]) -> str:
    return f"The most likely state path is {' → '.join(r['path'])} with probability {fmt_number(r['prob'])}."


def _bpe(args: dict[str, Any], r: dict[str, Any]) -> str:
    merges = r.get("merges") or []
    first = merges[0] if merges else None
    shown = fmt_value(first) if first is not None else "none"
    return f"First merge: {shown}; {len(merges)} merges learned; encoding gives {r.get('tokens')}."


def _positional(args: dict[str, Any], r: dict[str, Any]) -> str:
    return f"PE rows (position 0 … {len(r['pe']) - 1}): " + "; ".join(fmt_list(row) for row in r["pe"][:4]) + "."


HEADLINES: dict[str, Headline] = {
    "neuron": _neuron,
    "activation": _activation,
    "softmax": _softmax,
    "normalization": _normalization,
    "add_and_norm": _add_and_norm,
    "sampling": _sampling,
    "penalties": _penalties,
    "parameter_count": _parameter_count,
    "grouped_query_attention": _gqa,
    "pass_at_k": _pass_at_k,
    "cross_entropy_perplexity": _perplexity,
    "beam_search": _beam,
    "self_consistency": _self_consistency,
    "tree_of_thoughts_value": _tot_value,
    "ppo_clip": _ppo,
    "hmm_viterbi": _viterbi,
    "bpe": _bpe,
    "positional_encoding": _positional,
}


def generic_headline(result: dict[str, Any]) -> str:
    """The result's small top-level fields, rounded; large nested ones are left to the JSON view."""
    parts = []
    for key, value in result.items():
        text = fmt_value(value)
        if len(text) <= 160 and len(json.dumps(value, default=str)) <= 400:
            parts.append(f"{key} = {text}")
    return ("; ".join(parts) or "see the full result") + "."


def headline(concept: str, arguments: dict[str, Any], result: dict[str, Any]) -> str:
    """The sentence for `concept`'s `result` on `arguments`; a generic one if the concept has none or it fails."""
    special = HEADLINES.get(concept)
    if special is not None:
        try:
            return special(arguments, result)
        except (KeyError, TypeError, IndexError, ValueError):
            pass
    return generic_headline(result)


__all__ = ["HEADLINES", "fmt_number", "fmt_value", "generic_headline", "headline"]
