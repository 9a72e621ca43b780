"""thinkroom package."""
