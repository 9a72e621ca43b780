"""A small stdio MCP server for the tests: a GenAI glossary with known answers.

Run as `python glossary_server.py` (stdio) or `python glossary_server.py --http PORT`
(streamable HTTP at http://127.0.0.1:PORT/mcp); `glossary(term)` returns the entry (an
unknown term is a tool error), and `crash()` exits the process mid-call, as a server that dies would.
"""

from __future__ import annotations

import os
import sys

from mcp.server.fastmcp import FastMCP

GLOSSARY = {
    "temperature": "Temperature divides the logits before softmax: below 1 sharpens, above 1 flattens.",
    "top-p": "Top-p keeps the smallest set of tokens whose probabilities sum to at least p.",
    "kv cache": "The KV cache stores past keys and values so each new token attends without recomputing them.",
}

server = FastMCP("glossary", log_level="WARNING")


@server.tool()
def glossary(term: str) -> str:
    """The course glossary's definition of a GenAI term (e.g. temperature, top-p, kv cache)."""
    key = term.strip().lower()
    if key not in GLOSSARY:
        raise ValueError(f"no glossary entry for {term!r}; known terms: {', '.join(GLOSSARY)}")
    return GLOSSARY[key]


@server.tool()
def crash() -> str:
    """Exit the server process at once (tests a server that dies mid-turn)."""
    os._exit(3)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        server.settings.host, server.settings.port = "127.0.0.1", int(sys.argv[2])
        server.run("streamable-http")
    else:
        server.run("stdio")
