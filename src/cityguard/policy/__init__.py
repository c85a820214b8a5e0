"""Data loaders for the MLPS policy: catalog, check map, grading, finding rules and the
UI messages. Import core and model only."""
