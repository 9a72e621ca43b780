"""SQLite persistence for the Agent Protocol API: engine, tables and one repository per table."""

from .engine import Database

__all__ = ["Database"]
