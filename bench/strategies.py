"""Cost and accuracy of the reasoning strategies on one model, on a small fixed item set.

For direct, CoT, CoT-SC (n=5, adaptive stop) and ToT (BFS, Game of 24 only) this records
model calls, prompt/completion tokens, prompt tokens the model actually evaluated (llama.cpp
perf counters; KV-cache hits evaluate nothing), wall time and accuracy (task verifiers);
how many samples CoT-SC's adaptive stop saved; and the prompt tokens evaluated per CoT-SC
sample with an identical prompt (prefix reuse) against a per-sample nonce (no reuse).

Writes bench/results/strategies.json and a PNG bar chart (drawn with numpy + zlib because
matplotlib is not a dependency).

    .venv/bin/python bench/strategies.py --gsm8k 3 --game24 1
    .venv/bin/python bench/strategies.py --backend scripted   # seconds-long dry run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import struct
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.llm.backends.scripted import ScriptedBackend  # noqa: E402
from agents.llm.gateway import Gateway  # noqa: E402
from agents.settings import Settings  # noqa: E402
from workflows.strategies import (  # noqa: E402
    CoTConfig,
    CoTSCConfig,
    DirectConfig,
    StrategyConfig,
    StrategyResult,
    Task,
    ToTConfig,
    get_task,
    run_strategy,
)
from workflows.strategies.cot_sc import draw_samples  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GSM8K_INDICES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
GAME24_INDICES = [900, 901, 902, 903, 904]  # the ToT paper's test set starts at 900


# --------------------------------------------------------------------------- backends + probes


def scripted_backend() -> ScriptedBackend:
    """Canned answers so the bench itself can be exercised in seconds."""
    return ScriptedBackend(
        [
            {"pattern": r"Possible next steps:\n\Z", "response": "4 * 6 = 24 (left: 24)\n4 + 6 = 10 (left: 10)"},
            {"pattern": r"Steps:", "response": "Answer: (1 + 2 + 3) * 4 = 24"},
            {"pattern": r"Judge:\Z", "response": "sure"},
            {"pattern": r"\n[\d. ]+\n\Z", "responses": ["likely", "sure", "impossible"]},
            {"pattern": r"Input: ", "response": "Answer: (1 + 2 + 3) * 4 = 24"},
            {"pattern": r".", "responses": ["Reasoning.\nAnswer: 18", "Answer: 3", "Answer: 18"]},
        ]
    )


def make_gateway(name: str) -> Gateway:
    settings = Settings()
    if name == "scripted":
        return Gateway(scripted_backend())
    if name == "embedded":
        from agents.llm.backends.embedded import EmbeddedBackend

        return Gateway(EmbeddedBackend(None, settings.embedded_cache_dir, n_ctx=4096))
    from agents.llm.factory import build_backend

    return Gateway(build_backend(name, settings))


class EvalProbe:
    """Prompt tokens llama.cpp really evaluated, from its perf counters (None off llama.cpp)."""

    def __init__(self, gateway: Gateway) -> None:
        self.backend: Any = gateway.backend
        self.enabled = gateway.backend_name == "embedded"

    async def read(self) -> int | None:
        if not self.enabled:
            return None
        import llama_cpp

        def counters() -> int:
            llm = self.backend._load()
            return int(llama_cpp.llama_perf_context(llm._ctx.ctx).n_p_eval)

        value: int = await self.backend._run(counters)
        return value


def delta(after: int | None, before: int | None) -> int | None:
    return None if after is None or before is None else after - before


# --------------------------------------------------------------------------- the runs


def configs(n: int, max_tokens: int) -> dict[str, StrategyConfig]:
    return {
        "direct": DirectConfig(max_tokens=32),
        "cot": CoTConfig(max_tokens=max_tokens),
        "cot_sc": CoTSCConfig(n=n, max_tokens=max_tokens, max_concurrency=4, seed=1),
        "tot": ToTConfig(
            breadth=2,
            depth=3,
            n_evaluate=1,
            max_tokens=96,
            eval_max_tokens=32,
            max_children=4,
            max_nodes=24,
            seed=1,
        ),
    }


async def run_one(strategy: str, task: Task, cfg: StrategyConfig, gateway: Gateway, probe: EvalProbe) -> dict[str, Any]:
    before = await probe.read()
    started = time.perf_counter()
    result: StrategyResult = await run_strategy(task, gateway, cfg)
    wall = time.perf_counter() - started
    row: dict[str, Any] = {
        "task": task.name,
        "item": task.params,
        "answer": result.answer,
        "verified": result.verified,
        "calls": result.usage.calls,
        "failed_calls": result.usage.failed_calls,
        "prompt_tokens": result.usage.prompt_tokens,
        "completion_tokens": result.usage.completion_tokens,
        "prompt_tokens_evaluated": delta(await probe.read(), before),
        "wall_time_s": round(wall, 3),
    }
    if strategy == "cot_sc":
        vote = result.trace["vote"]
        row.update({k: vote[k] for k in ("samples_used", "samples_saved", "agreement", "stop_reason")})
    if strategy == "tot":
        row.update({"nodes": len(result.trace["nodes"]) - 1, "stop_reason": result.trace["stop_reason"]})
    return row


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def total(key: str) -> Any:
        values = [r[key] for r in rows if r.get(key) is not None]
        return sum(values) if values else None

    correct = sum(1 for r in rows if r["verified"] is True)
    summary = {
        "items": len(rows),
        "correct": correct,
        "accuracy": round(correct / len(rows), 3) if rows else 0.0,
        **{k: total(k) for k in ("calls", "failed_calls", "prompt_tokens", "completion_tokens")},
        "prompt_tokens_evaluated": total("prompt_tokens_evaluated"),
        "wall_time_s": round(total("wall_time_s") or 0.0, 2),
    }
    if rows and "samples_used" in rows[0]:
        summary["samples_used"] = total("samples_used")
        summary["samples_saved"] = total("samples_saved")
    return summary


async def prefix_reuse(gateway: Gateway, probe: EvalProbe, task: Task, n: int, max_tokens: int) -> dict[str, Any]:
    """Per-sample prompt cost of CoT-SC with the identical prompt vs a per-sample nonce."""
    out: dict[str, Any] = {"task": task.name, "item": task.params, "samples": n}
    for label, reuse in (("with_reuse", True), ("without_reuse", False)):
        cfg = CoTSCConfig(n=n, max_tokens=max_tokens, prefix_reuse=reuse, max_concurrency=1, seed=7)
        rows = []
        for i in range(n):
            before = await probe.read()
            started = time.perf_counter()
            (sample,) = await draw_samples([i], task.question, cfg, gateway, task=task)
            rows.append(
                {
                    "prompt_tokens": sample.prompt_tokens,
                    "prompt_tokens_evaluated": delta(await probe.read(), before),
                    "wall_time_s": round(time.perf_counter() - started, 3),
                }
            )
        out[label] = rows
    return out


# --------------------------------------------------------------------------- a tiny PNG bar chart

_FONT = {  # 3x5 glyphs, rows top to bottom
    "A": "010101111101101", "B": "110101110101110", "C": "011100100100011", "D": "110101101101110",
    "E": "111100110100111", "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101010", "K": "101101110101101", "L": "100100100100111",
    "M": "101111111101101", "N": "110101101101101", "O": "010101101101010", "P": "110101110100100",
    "Q": "010101101110011", "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
    "Y": "101101010010010", "Z": "111001010100111", "0": "111101101101111", "1": "010110010010111",
    "2": "110001010100111", "3": "110001010001110", "4": "101101111001001", "5": "111100110001110",
    "6": "011100111101111", "7": "111001010010010", "8": "111101111101111", "9": "111101111001110",
    ".": "000000000000010", "-": "000000111000000", "_": "000000000000111", "%": "101001010100101",
    " ": "000000000000000", "/": "001001010100100", "(": "010100100100010", ")": "010001001001010",
    ":": "000010000010000", "=": "000111000111000", "+": "000010111010000",
}  # fmt: skip


def draw_text(
    img: np.ndarray, x: int, y: int, text: str, scale: int = 2, color: tuple[int, int, int] = (0, 0, 0)
) -> None:
    for ch in text.upper():
        glyph = _FONT.get(ch, _FONT[" "])
        for k, bit in enumerate(glyph):
            if bit == "1":
                r, c = divmod(k, 3)
                img[y + r * scale : y + (r + 1) * scale, x + c * scale : x + (c + 1) * scale] = color
        x += 4 * scale


def write_png(path: Path, img: np.ndarray) -> None:
    height, width, _ = img.shape
    raw = b"".join(b"\x00" + img[row].astype(np.uint8).tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    )


COLORS = [(66, 133, 244), (52, 168, 83), (251, 188, 5), (234, 67, 53)]


def chart(summary: dict[str, dict[str, Any]], path: Path) -> None:
    """Four panels (accuracy, calls, tokens, wall time), one bar per strategy, values printed."""
    metrics = [
        ("ACCURACY %", lambda s: 100 * s["accuracy"]),
        ("MODEL CALLS", lambda s: s["calls"]),
        ("TOKENS PROMPT+COMPLETION", lambda s: s["prompt_tokens"] + s["completion_tokens"]),
        ("WALL TIME S", lambda s: s["wall_time_s"]),
    ]
    names = list(summary)
    panel_w, panel_h, top, bottom = 300, 260, 40, 40
    img = np.full((panel_h, panel_w * len(metrics), 3), 255, dtype=np.uint8)
    for p, (title, get) in enumerate(metrics):
        x0 = p * panel_w
        draw_text(img, x0 + 10, 10, title)
        values = [float(get(summary[n]) or 0.0) for n in names]
        peak = max(values) or 1.0
        bar_w = (panel_w - 40) // max(1, len(names))
        base = panel_h - bottom
        img[base, x0 + 10 : x0 + panel_w - 10] = (0, 0, 0)
        for i, (name, value) in enumerate(zip(names, values, strict=True)):
            h = int((base - top - 20) * value / peak)
            bx = x0 + 20 + i * bar_w
            img[base - h : base, bx : bx + bar_w - 12] = COLORS[i % len(COLORS)]
            label = f"{value:.0f}" if value >= 10 or value.is_integer() else f"{value:.1f}"
            draw_text(img, bx, base - h - 14, label)
            draw_text(img, bx, base + 8, name.replace("cot_sc", "sc"))
    write_png(path, img)


# --------------------------------------------------------------------------- main


async def main(args: argparse.Namespace) -> dict[str, Any]:
    gateway = make_gateway(args.backend)
    probe = EvalProbe(gateway)
    info = await gateway.model_info()
    gsm8k = [get_task("gsm8k", index=i) for i in GSM8K_INDICES[: args.gsm8k]]
    game24 = [get_task("game24", index=i) for i in GAME24_INDICES[: args.game24]]
    cfgs = configs(args.n, args.max_tokens)
    if gsm8k:  # load the model before timing anything
        await gateway.chat("Hello", options=None)
    started = time.perf_counter()
    per_item: dict[str, list[dict[str, Any]]] = {}
    for name, cfg in cfgs.items():
        tasks = game24 if name == "tot" else gsm8k + game24
        per_item[name] = []
        for task in tasks:
            row = await run_one(name, task, cfg, gateway, probe)
            per_item[name].append(row)
            print(
                f"{name:7s} {task.name:7s} {json.dumps(task.params)}: {row['answer']!r} verified={row['verified']} "
                f"calls={row['calls']} {row['wall_time_s']:.1f}s",
                flush=True,
            )
    reuse = await prefix_reuse(gateway, probe, gsm8k[0] if gsm8k else game24[0], args.reuse_samples, args.max_tokens)
    summary = {name: summarise(rows) for name, rows in per_item.items()}
    result = {
        "meta": {
            "backend": gateway.backend_name,
            "model": info.name,
            "machine": platform.machine(),
            "python": platform.python_version(),
            "gsm8k_indices": GSM8K_INDICES[: args.gsm8k],
            "game24_indices": GAME24_INDICES[: args.game24],
            "configs": {k: v.model_dump() for k, v in cfgs.items()},
            "total_wall_time_s": round(time.perf_counter() - started, 1),
            "notes": "accuracy = task verifier (exact Game of 24 check, GSM8K numeric match); ToT runs on Game of 24 "
            "only; prompt_tokens_evaluated = llama.cpp perf counter n_p_eval (KV-cache hits are not evaluated).",
        },
        "summary": summary,
        "cot_sc_adaptive_stop": {
            "budget": args.n * len(per_item["cot_sc"]),
            "samples_used": summary["cot_sc"].get("samples_used"),
            "samples_saved": summary["cot_sc"].get("samples_saved"),
        },
        "prefix_reuse": reuse,
        "per_item": per_item,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    chart(summary, out.with_suffix(".png"))
    await gateway.close()
    return result


def table(result: dict[str, Any]) -> str:
    head = "| strategy | items | accuracy | calls | prompt tok | evaluated prompt tok | completion tok | wall s |"
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for name, s in result["summary"].items():
        lines.append(
            f"| {name} | {s['items']} | {s['correct']}/{s['items']} | {s['calls']} | {s['prompt_tokens']} | "
            f"{s['prompt_tokens_evaluated']} | {s['completion_tokens']} | {s['wall_time_s']} |"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="embedded", choices=["embedded", "ollama", "scripted"])
    parser.add_argument("--gsm8k", type=int, default=5, help="GSM8K items (max 10)")
    parser.add_argument("--game24", type=int, default=2, help="Game of 24 puzzles from index 900 (max 5)")
    parser.add_argument("--n", type=int, default=5, help="CoT-SC samples")
    parser.add_argument("--max-tokens", type=int, default=160, help="completion budget of CoT / CoT-SC calls")
    parser.add_argument("--reuse-samples", type=int, default=3, help="samples per arm of the prefix-reuse test")
    parser.add_argument("--out", default=str(RESULTS / "strategies.json"))
    return parser.parse_args()


if __name__ == "__main__":
    outcome = asyncio.run(main(parse_args()))
    print(table(outcome))
    print("cot_sc adaptive stop:", json.dumps(outcome["cot_sc_adaptive_stop"]))
    for arm in ("with_reuse", "without_reuse"):
        print(arm, json.dumps(outcome["prefix_reuse"][arm]))
