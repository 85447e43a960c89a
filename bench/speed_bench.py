"""The speed targets, each measured in this run against `python -c pass` started the same way:

- `floec check` of the example project (floe.yaml + every environment), cold: <= 6x
  (the result cache is emptied before every sample);
- the same check when nothing changed since the last run (answered from .floec_cache/): <= 3x;
- `floec build --all-envs` of the example, cold: <= 9x;
- for information, the cold check of a floec version's very first run, before it has staged the
  regular expressions and record methods every start compiles (floec/stage.py);
- `floec check` of a platform.yaml of 10,000 profiles: < 1 s, with cost linear in size (1k, 10k
  and 100k profiles: the slope, and the exponent of the cost above a one-profile file).

Commands run from a wheel install, interleaved (one sample of each in turn), medians of
`BENCH_RUNS` (default 20). Both wall time and CPU time (of the child process) are printed: on a
machine shared with other work, CPU time is the steadier figure; the verdict uses CPU time, and
the wall-time ratio is printed beside it. Prints figures; never fails on a slow machine.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import ROOT, Command, installed_python, interleaved, load, runs

EXAMPLE = "examples/customer-analytics"
SIZES = (1_000, 10_000, 100_000)


def profile(index: int) -> tuple[str, str]:
    """One profile of a generated platform.yaml: its section and its YAML, kinds in turn (flow
    style, about 70 bytes: 100,000 profiles stay a 7 MiB file)."""
    name = f"p{index:06d}"
    kind = index % 3
    if kind == 0:
        return "storage", (
            f"  {name}: {{type: s3, bucket: b-{index}, "
            f"credentials: {{mode: static, secret_ref: s-{index}}}}}\n"
        )
    if kind == 1:
        return "catalogs", f'  {name}: {{type: sql, uri: "sqlite:///c-{index}.db"}}\n'
    return "compute", f"  {name}: {{type: duckdb, properties: {{threads: {index % 8 + 1}}}}}\n"


def platform_text(profiles: int) -> str:
    """A valid platform.yaml with `profiles` storage, catalog and compute profiles (and the
    `default` of each)."""
    sections: dict[str, list[str]] = {
        "storage": ["  default:\n    type: local\n    path: target/warehouse\n"],
        "catalogs": ["  default:\n    type: sql\n    uri: sqlite:///target/catalog.db\n"],
        "compute": ["  default:\n    type: duckdb\n"],
    }
    for index in range(max(0, profiles - 3)):
        section, text = profile(index)
        sections[section].append(text)
    parts = ["version: 1.0.0\n"]
    for section, texts in sections.items():
        parts.append(f"{section}:\n")
        parts.extend(texts)
    return "".join(parts)


def emptied(*directories: Path) -> Callable[[], None]:
    def empty() -> None:
        for directory in directories:
            shutil.rmtree(directory, ignore_errors=True)

    return empty


def verdict(ratio: float, target: float) -> str:
    return "meets" if ratio <= target else "MISSES"


TARGETS = {"check (cold)": 6.0, "check (unchanged)": 3.0, "build --all-envs (cold)": 9.0}


def commands_for(label: str, python: str, work: Path, env: dict[str, str]) -> list[Command]:
    floec = str(Path(python).parent / "floec")
    cold_cache, warm_cache = work / f"{label}-cold-cache", work / f"{label}-warm-cache"
    # The stage (floec/stage.py) of compiled regular expressions and record methods lives in the
    # user's cache directory and is filled by the first run of a floec version: `cold` runs keep
    # it, as every run after that first one does; `first run` empties it too.
    home, first_home = work / f"{label}-home", work / f"{label}-first-home"
    env = {**env, "XDG_CACHE_HOME": str(home)}
    cold_env = {**env, "FLOEC_CACHE_DIR": str(cold_cache)}
    warm_env = {**env, "FLOEC_CACHE_DIR": str(warm_cache)}
    first_env = {**cold_env, "XDG_CACHE_HOME": str(first_home)}
    check = [floec, "check", EXAMPLE]
    target = str(work / f"{label}-target")
    build = [floec, "build", EXAMPLE, "--all-envs", "--target-dir", target]
    return [
        Command(f"{label}: python -c pass", [python, "-c", "pass"], ROOT, env),
        Command(f"{label}: check (cold)", check, ROOT, cold_env, emptied(cold_cache)),
        Command(f"{label}: check (unchanged)", check, ROOT, warm_env),
        Command(f"{label}: build --all-envs (cold)", build, ROOT, cold_env, emptied(cold_cache)),
        Command(
            f"{label}: check (first run of floec)",
            check,
            ROOT,
            first_env,
            emptied(cold_cache, first_home),
        ),
    ]


def ratios(commands: list[Command]) -> None:
    base = commands[0]
    width = max(len(c.name) for c in commands)
    for command in commands:
        ratio = command.cpu / base.cpu
        line = (
            f"{command.name:<{width}}  {command.wall:7.1f}  {command.cpu:6.1f}  "
            f"{ratio:12.2f}  {command.wall / base.wall:13.2f}"
        )
        target = TARGETS.get(command.name.split(": ", 1)[1])
        if target is not None:
            line += f"  <= {target:.0f}x: {verdict(ratio, target)}"
        print(line)


def scaling(label: str, python: str, work: Path, env: dict[str, str], n: int) -> None:
    """One platform.yaml of 1, 1k, 10k and 100k profiles, checked without the result cache."""
    floec = str(Path(python).parent / "floec")
    no_cache = ["--no-cache"]  # a baseline must be a floec with the result cache (and its flag)
    # 100,000 profiles are about 10 MiB: above the default limit of an input file.
    env = {
        **env,
        "FLOEC_MAX_FILE_BYTES": str(64 * 1024 * 1024),
        "XDG_CACHE_HOME": str(work / f"{label}-home"),
    }
    sized = []
    passed: list[bool] = []
    for size in (1, *SIZES):
        path = work / f"{label}-platform-{size}" / "platform.yaml"
        path.parent.mkdir()
        path.write_text(platform_text(size))
        samples = max(1, n // (10 if size >= 100_000 else 3 if size >= 10_000 else 1))
        command = Command(f"{size} profiles", [floec, "check", *no_cache, str(path)], ROOT, env)
        for _ in range(samples):
            command.sample()
        sized.append((size, samples, command))
        # What was timed must be a check that passed, not an early error.
        outcome = subprocess.run(command.argv, env=env, capture_output=True, text=True)
        last = (outcome.stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f"  {size} profiles: exit {outcome.returncode}, {last}", flush=True)
        passed.append(outcome.returncode == 0)
    print(f"\n{label}: floec check of one platform.yaml ({load()})")
    print("profiles  runs  wall ms  cpu ms  cpu ms per 1k profiles above a 1-profile file")
    fixed = sized[0][2].cpu
    for size, samples, command in sized:
        per = (command.cpu - fixed) / size * 1000 if size > 1 else 0.0
        print(f"{size:8d}  {samples:4d}  {command.wall:7.0f}  {command.cpu:6.0f}  {per:8.1f}")
    ten = next(c for s, _, c in sized if s == 10_000)
    print(
        f"10,000 profiles: {ten.wall / 1000:.2f} s wall, {ten.cpu / 1000:.2f} s cpu "
        f"(target < 1 s: {verdict(ten.cpu, 1000.0) if passed[2] else 'not met: it failed'})"
    )
    xs = [float(s) for s, _, _ in sized[1:]]
    ys = [c.cpu for _, _, c in sized[1:]]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    above = [(s, max(c.cpu - fixed, 1e-3)) for s, _, c in sized[1:]]
    exponent = math.log(above[-1][1] / above[-2][1]) / math.log(above[-1][0] / above[-2][0])
    linear = "meets" if 0.8 <= exponent <= 1.2 else "MISSES"
    if not all(ok for ok in passed):
        linear = "not measured: a sized check did not pass (see its exit above)"
    print(
        f"slope (least squares, 1k-100k): {slope * 1000:.1f} ms cpu per 1,000 profiles; "
        f"exponent of the cost above one profile, 10k->100k: {exponent:.2f} "
        f"(1.00 is linear: {linear})"
    )


def main() -> None:
    """`BENCH_BASELINE=<another checkout>` measures it too, interleaved in the same run (before
    and after a change, on the same machine under the same load)."""
    n = runs()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOE_", "FLOEC_"))}
    variants = [("this tree", str(installed_python()))]
    baseline = os.environ.get("BENCH_BASELINE")
    if baseline:
        variants.insert(0, ("baseline", str(installed_python(Path(baseline), "venv-baseline"))))
    print(f"speed targets, {n} interleaved runs each, from wheel installs; {load()}")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        groups = [commands_for(label, python, work, env) for label, python in variants]
        interleaved([c for group in groups for c in group], n)
        print(f"after: {load()}")
        width = max(len(c.name) for group in groups for c in group)
        print(f"{'command':<{width}}  wall ms  cpu ms  x pass (cpu)  x pass (wall)  target")
        for group in groups:
            ratios(group)
        if os.environ.get("BENCH_SCALING", "1") != "0":
            for label, python in variants:
                scaling(label, python, work, env, n)


if __name__ == "__main__":
    main()
