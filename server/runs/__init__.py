"""Runs for the Agent Protocol API: a bounded worker pool, per-thread ordering and streaming."""

from .manager import RunManager

__all__ = ["RunManager"]
