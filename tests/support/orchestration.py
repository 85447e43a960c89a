"""Stand-in until the compiler writes `orchestration` and `layers` into compiled_artifacts.json:
adds what it will write for the example (defaults filled in, as REFERENCE.md §1 gives them).
Delete this module, and its callers' use of it, once `floec build` writes both."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ORCHESTRATION: dict[str, Any] = {
    "asset_modules": ["assets.bronze"],
    "dbt": {
        "manifest_path": "dbt/target/manifest.json",
        "observability_level": "per_model",
        "project_dir": None,
        "profiles_dir": None,
        "target": None,
    },
    "partitions": {},
    "assets": {},
    "jobs": {
        name: {"type": "batch", "selection": [selection], "description": None, "tags": None}
        for name, selection in (
            ("bronze", "group:bronze"),
            ("silver", "group:silver"),
            ("gold", "group:gold"),
            ("refresh", "*"),
        )
    },
    "schedules": {
        "nightly": {
            "job": "refresh",
            "cron_schedule": "0 2 * * *",
            "timezone": "UTC",
            "enabled": True,
            "partition_selector": None,
            "description": None,
        }
    },
    "sensors": {
        "incoming_orders": {
            "type": "file_watcher",
            "job": "bronze",
            "path": "data/incoming",
            "pattern": "*.csv",
            "poll_interval_seconds": 30,
            "description": None,
        }
    },
    "backfills": {},
}


def add_orchestration(artifacts: Path, orchestration: dict[str, Any] | None = None) -> None:
    """Write `orchestration` and one layer per medallion stage (the pipeline's own catalog and
    storage profiles, namespaces bronze/silver/gold) into an artifacts file, if it lacks them."""
    document = json.loads(artifacts.read_text(encoding="utf-8"))
    if document.get("orchestration") is None or orchestration is not None:
        document["orchestration"] = copy.deepcopy(orchestration or ORCHESTRATION)
    if not document.get("layers"):
        profiles = document["profiles"]
        document["layers"] = {
            name: {
                "name": name,
                "description": "",
                "namespace": name,
                "retention_days": None,
                "properties": {},
                "storage": profiles["storage"],
                "catalog": profiles["catalog"],
            }
            for name in ("bronze", "silver", "gold")
        }
    artifacts.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
