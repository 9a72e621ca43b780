"""The key-value store behind `/store` and LangGraph's `store=`: long-term memory that outlives threads."""

from .backends import InlineSqliteStore, open_store

__all__ = ["InlineSqliteStore", "open_store"]
