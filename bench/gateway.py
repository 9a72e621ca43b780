"""Gateway overhead and start-up time, as ratios against baselines measured in the same run.

1. Decode speed (tokens/s) of the embedded backend through the gateway's streaming path,
   against raw llama-cpp-python on the same GGUF and settings. Target ratio >= 0.95.
2. Seconds from `thinkroom serve` process start to `/health` answering 200. Target <= 2 s.

Writes bench/results/gateway.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.llm import GenerationOptions  # noqa: E402
from agents.llm.backends.embedded import EmbeddedBackend  # noqa: E402
from agents.llm.gateway import Gateway  # noqa: E402
from agents.settings import Settings  # noqa: E402

PROMPT = "Once upon a time"
MAX_TOKENS = 128
ROUNDS = 5


def raw_tokens_per_s(llm: Any) -> float:
    """Baseline: llama-cpp-python streaming directly, same prompt and options."""
    llm.reset()
    started = time.perf_counter()
    produced = 0
    for _ in llm.create_completion(PROMPT, max_tokens=MAX_TOKENS, temperature=0, seed=1, stream=True, stop=[]):
        produced += 1
    return produced / (time.perf_counter() - started)


async def gateway_tokens_per_s(gateway: Gateway, backend: EmbeddedBackend) -> float:
    backend.load_sync().reset()
    options = GenerationOptions(temperature=0, seed=1, max_tokens=MAX_TOKENS, stop=[], repeat_penalty=1.0)
    started = time.perf_counter()
    final = None
    async for chunk in gateway.stream(PROMPT, options=options):
        if chunk.done:
            final = chunk
    elapsed = time.perf_counter() - started
    assert final is not None and final.usage is not None
    return final.usage.completion_tokens / elapsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def startup_seconds() -> float:
    """Process start to the first 200 from /health, with no Ollama reachable."""
    port = free_port()
    env = {**os.environ, "OLLAMA_HOST": f"http://127.0.0.1:{free_port()}", "THINKROOM_BACKEND": "auto"}
    thinkroom = str(Path(sys.executable).with_name("thinkroom"))
    started = time.perf_counter()
    proc = subprocess.Popen(
        [thinkroom, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.02)
            if time.perf_counter() - started > 60:
                raise TimeoutError("server did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def main() -> dict[str, Any]:
    settings = Settings()
    backend = EmbeddedBackend(None, settings.embedded_cache_dir, n_ctx=2048)
    gateway = Gateway(backend)
    llm = backend.load_sync()
    raw_tokens_per_s(llm)  # warm-up
    raw, through = [], []
    for _ in range(ROUNDS):  # interleave so machine noise hits both sides alike
        raw.append(raw_tokens_per_s(llm))
        through.append(await gateway_tokens_per_s(gateway, backend))
    startups = [startup_seconds() for _ in range(3)]
    result = {
        "model": backend.default_model,
        "prompt": PROMPT,
        "max_tokens": MAX_TOKENS,
        "rounds": ROUNDS,
        "raw_llama_cpp_tokens_per_s": round(statistics.median(raw), 2),
        "gateway_embedded_tokens_per_s": round(statistics.median(through), 2),
        "decode_ratio": round(statistics.median(through) / statistics.median(raw), 3),
        "decode_ratio_target": 0.95,
        "startup_to_health_s": round(statistics.median(startups), 3),
        "startup_samples_s": [round(s, 3) for s in startups],
        "startup_target_s": 2.0,
    }
    out = ROOT / "bench" / "results" / "gateway.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=2))
