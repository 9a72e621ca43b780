"""One module per compiled workflow graph."""
