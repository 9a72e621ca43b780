"""Agents, framework adapters and the model gateway. Importing this turns telemetry off."""

from . import offline as _offline  # noqa: F401  - must run before any framework import
