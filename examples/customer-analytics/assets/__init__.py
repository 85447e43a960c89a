"""The pipeline's Python assets (floe.yaml: `orchestration.asset_modules`)."""
