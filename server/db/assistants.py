"""Assistants: one built-in per workflow (id = uuid5 of the graph name), one system assistant per
agent (the chat graph with the persona in its context; id = uuid5 of the agent's name), plus user-made ones.

Either kind of system assistant answers to its name as an id too (`runs.wait(thread, "tutor")`).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from .common import iso, json_filters, metadata_page, sorted_by
from .engine import Database
from .models import AssistantRow, utcnow

# LangGraph Server derives built-in assistant ids the same way, so ids match across servers.
ASSISTANT_NAMESPACE = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")
SORTABLE = {"assistant_id", "graph_id", "name", "created_at", "updated_at"}


#: The graph an agent's assistant runs: its persona answers a chat turn (workflows.graphs.chat).
AGENT_GRAPH = "chat"


def builtin_id(graph_id: str) -> str:
    """The id of a graph's built-in assistant, or of an agent's (the same derivation, from its name)."""
    return str(uuid.uuid5(ASSISTANT_NAMESPACE, graph_id))


def agent_assistants() -> dict[str, tuple[str, dict[str, Any]]]:
    """Each agent's system assistant: name -> (description, context)."""
    from agents.personas import PERSONAS

    return {
        name: (f"The {p.role} ({p.framework}) answering a chat turn. {p.goal}", {"agent": name})
        for name, p in PERSONAS.items()
    }


def as_api(row: AssistantRow) -> dict[str, Any]:
    return {
        "assistant_id": row.assistant_id,
        "graph_id": row.graph_id,
        "config": row.config or {},
        "context": row.context or {},
        "metadata": row.meta or {},
        "name": row.name,
        "description": row.description,
        "version": row.version,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


class AssistantRepo:
    """Assistants change rarely and are read on every run, so reads go through a cache that
    every write in this process clears."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[str, AssistantRow | None] = {}

    def sync_builtins(self, graphs: dict[str, str]) -> None:
        """Make sure every workflow (name -> description) has its built-in assistant."""
        self._cache.clear()
        with self.db.write() as session:
            for graph_id, description in graphs.items():
                aid = builtin_id(graph_id)
                row = session.get(AssistantRow, aid)
                if row is None:
                    session.add(
                        AssistantRow(
                            assistant_id=aid, graph_id=graph_id, name=graph_id, description=description,
                            meta={"created_by": "system"}, builtin=True,
                        )
                    )
                elif row.description != description:
                    row.description = description
                    session.add(row)
            if AGENT_GRAPH in graphs:
                self._sync_agents(session, graphs)

    @staticmethod
    def _sync_agents(session: Any, graphs: dict[str, str]) -> None:
        """An assistant per agent on the chat graph; a graph of the same name keeps the name (and id)."""
        for name, (description, context) in agent_assistants().items():
            if name in graphs:
                continue
            aid = builtin_id(name)
            row = session.get(AssistantRow, aid)
            if row is None:
                session.add(
                    AssistantRow(
                        assistant_id=aid, graph_id=AGENT_GRAPH, name=name, description=description, context=context,
                        meta={"created_by": "system", "agent": name}, builtin=True,
                    )
                )
            elif (row.graph_id, row.description, row.context) != (AGENT_GRAPH, description, context):
                row.graph_id, row.description, row.context = AGENT_GRAPH, description, context
                session.add(row)

    def get(self, assistant_id: str) -> AssistantRow | None:
        """By id, or by graph name (its built-in assistant), like LangGraph Server."""
        if assistant_id in self._cache:
            return self._cache[assistant_id]
        with self.db.read() as session:
            row = session.get(AssistantRow, assistant_id)
            if row is None:
                row = session.get(AssistantRow, builtin_id(assistant_id))
        if row is not None:
            self._cache[assistant_id] = row
        return row

    def create(self, **fields: Any) -> AssistantRow:
        self._cache.clear()
        row = AssistantRow(**fields)
        with self.db.write() as session:
            session.add(row)
        return row

    def update(self, assistant_id: str, changes: dict[str, Any]) -> AssistantRow | None:
        self._cache.clear()
        with self.db.write() as session:
            row = session.get(AssistantRow, assistant_id)
            if row is None:
                return None
            for key, value in changes.items():
                setattr(row, key, value)
            row.version += 1
            row.updated_at = utcnow()
            session.add(row)
            return row

    def delete(self, assistant_id: str) -> bool:
        self._cache.clear()
        with self.db.write() as session:
            row = session.get(AssistantRow, assistant_id)
            if row is None:
                return False
            session.delete(row)
            return True

    def search(
        self,
        *,
        metadata: dict[str, Any] | None = None,
        graph_id: str | None = None,
        name: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[AssistantRow]:
        conditions, rest = json_filters(AssistantRow.meta, metadata, self.db.dialect)  # type: ignore[arg-type]
        query = select(AssistantRow).where(*conditions)
        if graph_id:
            query = query.where(AssistantRow.graph_id == graph_id)
        if name:
            query = query.where(col(AssistantRow.name).contains(name))
        query = sorted_by(query, AssistantRow, sort_by, sort_order, SORTABLE)
        with self.db.read() as session:
            return metadata_page(session, query, rest, limit, offset)

    def count(self, **filters: Any) -> int:
        return len(self.search(limit=1_000_000, **filters))
