"""One module per output format; each registers its renderer (see render/__init__.py)."""
