"""`python -m floec.runtime.list_tables target/<env>/compiled_artifacts.json`: every Iceberg
table of the pipeline's catalogs, with its namespace, row count and snapshot count."""

from __future__ import annotations

import sys

from floec.runtime.iceberg import IcebergTables


def describe(artifacts: str) -> str:
    rows = []
    for name, table in IcebergTables.of(artifacts).tables():
        namespace, _, short = name.rpartition(".")
        snapshot = table.current_snapshot()
        summary = snapshot.summary.additional_properties if snapshot and snapshot.summary else {}
        rows.append(
            (namespace, short, int(summary.get("total-records", 0)), len(table.snapshots()))
        )
    if not rows:
        return "  (no Iceberg tables)"
    lines = [f"  {'namespace':<10} {'table':<18} {'rows':>5} {'snapshots':>9}"]
    lines += [f"  {ns:<10} {t:<18} {r:>5} {s:>9}" for ns, t, r, s in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m floec.runtime.list_tables COMPILED_ARTIFACTS_JSON", file=sys.stderr)
        return 2
    print(describe(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
