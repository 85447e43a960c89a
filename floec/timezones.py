"""Time zone names (`timezone` of schedules and partitions) against the system's zone database.

A known name costs one `zoneinfo` lookup (cached by zoneinfo); the list of every zone is read only
to suggest a name for one that is unknown.
"""

from __future__ import annotations

import functools
import zoneinfo

# Names zoneinfo loads that are not zones: they name whatever the machine is set to.
_MACHINE_SPECIFIC = frozenset(("localtime", "posixrules"))


def check_timezone(name: str) -> str | None:
    """None when `name` is a zone of the IANA database (UTC always is), else a message that says
    so and suggests the closest names."""
    if name == "UTC":
        return None
    if name in _MACHINE_SPECIFIC:
        return (
            f"'{name}' is the zone of whichever machine runs the schedule, not a time zone: "
            "name one, such as Europe/Paris or UTC"
        )
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    else:
        return None
    suggestions = _suggest(name)
    if suggestions:
        return (
            f"unknown time zone '{name}': did you mean "
            + " or ".join(f"'{s}'" for s in suggestions)
            + "?"
        )
    return f"unknown time zone '{name}': use an IANA zone name such as Europe/Paris, or UTC"


@functools.cache
def _zones() -> dict[str, str]:
    """Every zone, by its name folded for comparison."""
    zones = sorted(zoneinfo.available_timezones() - _MACHINE_SPECIFIC)
    return {_fold(zone): zone for zone in zones}


def _fold(name: str) -> str:
    return name.strip().replace(" ", "_").casefold()


def _suggest(name: str) -> list[str]:
    zones = _zones()
    folded = _fold(name)
    if folded in zones:  # europe/paris, America/New York
        return [zones[folded]]
    # A city alone: Paris -> Europe/Paris
    by_city = [zone for key, zone in zones.items() if key.rsplit("/", 1)[-1] == folded]
    if by_city:
        return by_city[:3]
    import difflib  # only to suggest a name: not on every start

    close = difflib.get_close_matches(folded, list(zones), n=3, cutoff=0.75)
    return [zones[key] for key in close]
