"""Search with a text `query` on a store without an embedding index.

LangGraph's stores rank by meaning only when an embedding index is configured; without one
they ignore `query`. thinkroom has no index, so a query matches items whose value contains
every word of it (case-insensitive), in the store's order (most recently updated first).
The namespace prefix and the value filter still run in SQL; the words are checked here,
page by page, until `offset + limit` items have matched.
"""

from __future__ import annotations

import json
from typing import Any

from langgraph.store.base import BaseStore, SearchItem

PAGE = 200


def matches(value: dict[str, Any], words: list[str]) -> bool:
    text = json.dumps(value, ensure_ascii=False, default=str).casefold()
    return all(word in text for word in words)


async def search(
    store: BaseStore,
    prefix: tuple[str, ...],
    *,
    filter: dict[str, Any] | None,
    query: str | None,
    limit: int,
    offset: int,
    refresh_ttl: bool | None,
) -> list[SearchItem]:
    """Items under `prefix` that pass `filter` (and contain `query`'s words), `offset` skipped, at most `limit`."""
    words = (query or "").casefold().split()
    if getattr(store, "index_config", None) or not words:  # a real index ranks by the query itself
        return await store.asearch(
            prefix, query=query or None, filter=filter, limit=limit, offset=offset, refresh_ttl=refresh_ttl
        )
    found: list[SearchItem] = []
    scanned = 0
    while len(found) < offset + limit:
        page = await store.asearch(prefix, filter=filter, limit=PAGE, offset=scanned, refresh_ttl=refresh_ttl)
        found.extend(item for item in page if matches(item.value, words))
        scanned += len(page)
        if len(page) < PAGE:
            break
    return found[offset : offset + limit]
