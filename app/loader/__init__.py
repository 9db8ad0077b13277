"""The data build: read data/*.yaml, check every record and excerpt, load atomically."""
