"""Which files a command works on: a project directory, a floe.yaml, a platform.yaml.

A project is a directory holding `floe.yaml`; its environments are the `platform/*/platform.yaml`
files of the nearest `platform/` directory at or above it (DESIGN §3).
"""

from __future__ import annotations

import os

# Neither typing nor pathlib at run time: a `floec check` answered from its cache imports this
# module, and those two imports would be a fifth of what such a run costs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Literal

    ConfigKind = Literal["floe", "platform"]
else:
    ConfigKind = str

FLOE_NAMES = ("floe.yaml", "floe.yml")
PLATFORM_NAMES = ("platform.yaml", "platform.yml")


class Input:
    __slots__ = ("kind", "path")

    def __init__(self, path: str, kind: ConfigKind | None) -> None:
        self.path = path
        self.kind = kind  # None: decide from the content

    def __repr__(self) -> str:
        return f"Input({self.path!r}, {self.kind!r})"


def kind_of_name(path: str) -> ConfigKind | None:
    base = os.path.basename(path)
    if base in FLOE_NAMES:
        return "floe"
    if base in PLATFORM_NAMES:
        return "platform"
    return None


def _by_parts(path: str) -> list[str]:
    return path.split(os.sep)  # the order of sorted Path objects


def _in_platform_directory(directory: str) -> list[str]:
    """`<directory>/platform/*/platform.yaml` (and .yml), as `Path.glob` would list them."""
    base = os.path.join(directory, "platform")
    try:
        children = [entry.path for entry in os.scandir(base) if entry.is_dir()]
    except OSError:
        return []
    found = [
        os.path.join(child, name)
        for name in PLATFORM_NAMES
        for child in children
        if os.path.exists(os.path.join(child, name))
    ]
    return sorted(found, key=_by_parts)


def _platform_paths(start: str) -> list[str]:
    directory = start
    while True:
        candidates = _in_platform_directory(directory)
        if candidates:
            return candidates
        parent = os.path.dirname(directory)
        if parent == directory:
            return []
        directory = parent


def platform_files(start: Path) -> list[Path]:
    """`platform/*/platform.yaml` of the nearest directory at or above `start` that has any."""
    from pathlib import Path

    return [Path(p) for p in _platform_paths(str(start))]


def inputs_for(path: str) -> list[Input] | None:
    """The inputs a path stands for; None when it names nothing floec can check.

    A project directory (one with a floe.yaml) brings the environments found at or above it; any
    other directory brings only the `platform/*/platform.yaml` and `platform.yaml` inside it.
    """
    if not os.path.isdir(path):
        return [Input(path, kind_of_name(path))]
    found = [
        Input(os.path.join(path, name), "floe")
        for name in FLOE_NAMES
        # present and not a directory: a pipe named floe.yaml is reported, not skipped
        if os.path.exists(os.path.join(path, name)) and not os.path.isdir(os.path.join(path, name))
    ]
    if found:
        environments = _platform_paths(os.path.realpath(path))
    else:
        environments = _in_platform_directory(path)
        environments += [
            os.path.join(path, name)
            for name in PLATFORM_NAMES
            if os.path.exists(os.path.join(path, name))
        ]
    found += [Input(p, "platform") for p in environments]
    if not found:
        return None
    unique: dict[str, Input] = {}
    for item in found:
        unique.setdefault(os.path.realpath(item.path), item)
    return [Input(real, item.kind) for real, item in unique.items()]
