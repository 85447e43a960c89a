"""Which files a command works on: a project directory, a floe.yaml, a platform.yaml.

A project is a directory holding `floe.yaml`; its environments are the `platform/*/platform.yaml`
files of the nearest `platform/` directory at or above it (DESIGN §3).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, NamedTuple

ConfigKind = Literal["floe", "platform"]

FLOE_NAMES = ("floe.yaml", "floe.yml")
PLATFORM_NAMES = ("platform.yaml", "platform.yml")


class Input(NamedTuple):
    path: str
    kind: ConfigKind | None  # None: decide from the content


def kind_of_name(path: str) -> ConfigKind | None:
    base = os.path.basename(path)
    if base in FLOE_NAMES:
        return "floe"
    if base in PLATFORM_NAMES:
        return "platform"
    return None


def platform_files(start: Path) -> list[Path]:
    """`platform/*/platform.yaml` of the nearest directory at or above `start` that has any."""
    for directory in (start, *start.parents):
        candidates = sorted(
            p for name in PLATFORM_NAMES for p in (directory / "platform").glob(f"*/{name}")
        )
        if candidates:
            return candidates
    return []


def inputs_for(path: str) -> list[Input] | None:
    """The inputs a path stands for; None when it names nothing floec can check.

    A project directory (one with a floe.yaml) brings the environments found at or above it; any
    other directory brings only the `platform/*/platform.yaml` and `platform.yaml` inside it.
    """
    target = Path(path)
    if not target.is_dir():
        return [Input(path, kind_of_name(path))]
    found = [Input(str(target / name), "floe") for name in FLOE_NAMES if (target / name).is_file()]
    if found:
        environments = platform_files(target.resolve())
    else:
        environments = sorted(
            p for name in PLATFORM_NAMES for p in (target / "platform").glob(f"*/{name}")
        )
        environments += sorted(p for name in PLATFORM_NAMES for p in target.glob(name))
    found += [Input(str(p), "platform") for p in environments]
    if not found:
        return None
    unique: dict[str, Input] = {}
    for item in found:
        unique.setdefault(os.path.realpath(item.path), item)
    return [Input(real, item.kind) for real, item in unique.items()]
