"""The key-value store (`client.store.*`). Owner: issue 16."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["store"])
