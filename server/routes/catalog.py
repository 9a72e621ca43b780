"""What can answer: the personas and the workflows (with their reasoning strategies)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from agents.personas import PERSONAS
from workflows.registry import WORKFLOWS

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/agents")
async def list_agents() -> list[dict[str, Any]]:
    """Every persona: role, goal, default framework, tools and whether it runs code in the sandbox."""
    return [
        {
            "name": p.name,
            "role": p.role,
            "goal": p.goal,
            "framework": p.framework,
            "tools": list(p.tools),
            "uses_sandbox": p.uses_sandbox,
            "model": p.model,
        }
        for p in PERSONAS.values()
    ]


@router.get("/workflows")
async def list_workflows() -> list[dict[str, Any]]:
    """Every registered workflow (read at request time, so late registrations show up) and its strategies."""
    return [
        {"name": s.name, "description": s.description, "strategies": list(s.strategies)} for s in WORKFLOWS.values()
    ]
