"""JSON Schemas of floe.yaml, platform.yaml and compiled_artifacts.json (package data)."""
