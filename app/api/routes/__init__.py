"""One module of routes per collection."""
