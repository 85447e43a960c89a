"""`python -m floec.runtime.summary target/<env>/dagster/definitions.py`: what Dagster loads from
a compiled pipeline (assets by group with their upstream assets, jobs, schedules, sensors), as
`dagster dev` would show it, without starting a server."""

from __future__ import annotations

import runpy
import sys
from typing import Any


def describe(definitions: Any) -> str:
    graph = definitions.resolve_asset_graph()
    by_group: dict[str, list[str]] = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        parents = sorted(p.to_user_string() for p in node.parent_keys)
        arrow = f" <- {', '.join(parents)}" if parents else ""
        by_group.setdefault(node.group_name or "default", []).append(key.to_user_string() + arrow)
    lines = ["  assets (group: asset <- upstream):"]
    for group, assets in sorted(by_group.items()):
        lines += [f"    {group}: {asset}" for asset in assets]
    jobs = sorted(j.name for j in definitions.resolve_all_job_defs() if not j.name.startswith("__"))
    lines.append(f"  jobs: {', '.join(jobs)}")
    for schedule in definitions.schedules or []:
        lines.append(
            f"  schedule {schedule.name}: job {schedule.job_name}, "
            f"'{schedule.cron_schedule}' {schedule.execution_timezone or 'UTC'}"
        )
    for sensor in definitions.sensors or []:
        lines.append(f"  sensor {sensor.name}: job {sensor.job_name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m floec.runtime.summary DEFINITIONS_PY", file=sys.stderr)
        return 2
    print(describe(runpy.run_path(args[0])["defs"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
