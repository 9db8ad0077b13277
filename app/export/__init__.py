"""Exports of the built dataset: the Frictionless Data Package (package.py, write.py)."""
