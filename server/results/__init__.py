"""What evaluations and arenas share: runs of a workflow whose result is kept in a row of its own."""
