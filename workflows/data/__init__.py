"""Bundled task data (a package so that wheels ship the CSV/JSONL files and their licences)."""
