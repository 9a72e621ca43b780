"""One place that knows every concept, so the API, CLI and agents list and look them up identically."""

from __future__ import annotations

from tools.concepts import (
    architecture,
    attention,
    benchmarks,
    classical,
    decoding,
    evaluation,
    feedforward,
    generative,
    inference,
    neural,
    positional,
    prompting,
    reasoning,
    rlhf,
    tokenization,
    training,
)
from tools.concepts.base import Concept
from tools.course.errata import KINDS

_MODULES = (
    neural,
    attention,
    feedforward,
    positional,
    tokenization,
    decoding,
    inference,
    architecture,
    training,
    evaluation,
    benchmarks,
    classical,
    generative,
    rlhf,
    prompting,
    reasoning,
)


def _collect() -> dict[str, Concept]:
    found: dict[str, Concept] = {}
    for module in _MODULES:
        for concept in module.CONCEPTS:
            if concept.name in found:
                raise RuntimeError(f"duplicate concept name {concept.name!r}")
            found[concept.name] = concept
    return found


CONCEPTS: dict[str, Concept] = _collect()


def list_concepts() -> list[Concept]:
    """All concepts in teaching order (the order of the notes, roughly)."""
    return list(CONCEPTS.values())


#: Everyday names a learner types for concepts that live inside a broader task.
ALIASES: dict[str, str] = {
    "top_p": "sampling",
    "nucleus": "sampling",
    "top_k": "sampling",
    "temperature": "sampling",
    "greedy": "sampling",
    "relu": "activation",
    "gelu": "activation",
    "swish": "activation",
    "swiglu": "activation",
    "layernorm": "normalization",
    "rmsnorm": "normalization",
    "self_attention": "attention",
    "scaled_dot_product_attention": "attention",
    "mha": "multi_head_attention",
    "gqa": "grouped_query_attention",
    "sinusoidal": "positional_encoding",
    "tokenizer": "tokenization",
    "byte_pair_encoding": "bpe",
    "presence_penalty": "penalties",
    "frequency_penalty": "penalties",
    "gpt3_parameters": "parameter_count",
    "perplexity": "cross_entropy_perplexity",
    "smt": "ibm_model1",
    "viterbi": "hmm_viterbi",
    "gan": "gan_1d",
    "rlhf": "rlhf_pipeline",
    "reward_model": "bradley_terry",
    "ppo": "ppo_clip",
    "best_of_n": "rejection_sampling",
    "tot": "tree_of_thoughts_value",
    "tree_of_thoughts": "tree_of_thoughts_value",
    "ffn": "position_wise_ffn",
    "feed_forward": "position_wise_ffn",
    "swiglu_block": "swiglu_ffn",
    "kv": "kv_cache",
    "scaling_laws": "training_compute",
    "chinchilla": "training_compute",
    "flops": "training_compute",
    "fine_tuning": "pretraining_finetuning",
    "sft": "pretraining_finetuning",
    "mmlu": "benchmarks",
    "hellaswag": "benchmarks",
    "truthfulqa": "benchmarks",
    "superglue": "benchmarks",
    "mt_bench": "benchmarks",
    "arc": "benchmarks",
    "elo": "arena_elo",
    "chatbot_arena": "arena_elo",
    "cot": "chain_of_thought",
    "prompt_engineering": "prompt_patterns",
    "embeddings": "embedding_similarity",
    "cosine_similarity": "embedding_similarity",
}


def resolve_name(name: str) -> str:
    """The registry name for `name` or one of its aliases (case and dashes forgiven)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    return key if key in CONCEPTS else ALIASES.get(key, key)


def get_concept(name: str) -> Concept:
    """The concept called `name`; KeyError (listing valid names) if there is none."""
    try:
        return CONCEPTS[resolve_name(name)]
    except KeyError:
        raise KeyError(f"unknown concept {name!r}; known: {', '.join(sorted(CONCEPTS))}") from None


def render_errata_markdown() -> str:
    """ERRATA.md's text, built from every concept's `errata` so the two cannot drift apart."""
    lines = [
        "# Errata for the course notes",
        "",
        "Where the course notes (seed 000_81d0867842955ad4.txt, shipped as agents/knowledge/data/course_notes.txt)",
        "disagree with the primary sources, the concept lab computes the source's version. Line numbers refer to",
        "the notes. Each erratum says what the notes say, names the source and says what it says, and has a kind:",
        "`wrong` (the source says otherwise), `imprecise` (true in part or only loosely) or `outdated` (code that",
        "no longer runs on current libraries). This file is generated from the `errata` field of each concept",
        "(`tools.concepts.registry.render_errata_markdown`); a test keeps it equal to that output.",
        "",
    ]
    counts = dict.fromkeys(KINDS, 0)
    for concept in list_concepts():
        if not concept.errata:
            continue
        lines.append(f"## `{concept.name}`: {concept.title}")
        lines.append("")
        for erratum in concept.errata:
            lines.append(f"- {erratum.text}")
            counts[erratum.kind] += 1
        lines.append("")
    by_kind = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    lines.append(f"Total: {sum(counts.values())} errata ({by_kind}).")
    return "\n".join(lines) + "\n"
