"""LangGraph workflows that orchestrate the agents, with per-run reasoning strategies."""
