"""Bilateral Relations API: a source-cited dataset of bilateral relations, served over HTTP."""
