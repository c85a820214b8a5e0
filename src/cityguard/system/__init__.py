"""Data loaders for one system: its manifest (cityguard.yaml), answers and inventories.
Import core and model only."""
