"""Everything on top of an `arena` run's ArenaResult: status and storage, people's votes, ratings, export, plots.

Shared by `/api/arenas` (server.routes.arena) and `thinkroom arena` (server.cli.arena).
matplotlib is imported by `plots` only when a plot is drawn, never at server start.
"""
