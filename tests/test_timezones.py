# ruff: noqa: E501  (the table of exact messages reads best one case a line)
"""Time zone names against the system's zone database."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floec.timezones import check_timezone


@pytest.mark.parametrize(
    "name", ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Etc/GMT+5", "US/Eastern"]
)
def test_known_zones(name: str) -> None:
    assert check_timezone(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("europe/paris", "unknown time zone 'europe/paris': did you mean 'Europe/Paris'?"),
        ("America/New York", "unknown time zone 'America/New York': did you mean 'America/New_York'?"),
        ("Europe/London ", "unknown time zone 'Europe/London ': did you mean 'Europe/London'?"),
        ("Paris", "unknown time zone 'Paris': did you mean 'Europe/Paris'?"),
        ("Utc", "unknown time zone 'Utc': did you mean 'UTC'?"),
        ("Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons': use an IANA zone name such as Europe/Paris, or UTC"),
        ("", "unknown time zone '': use an IANA zone name such as Europe/Paris, or UTC"),
        ("../../etc/passwd", "unknown time zone '../../etc/passwd': use an IANA zone name such as Europe/Paris, or UTC"),
        ("localtime", "'localtime' is the zone of whichever machine runs the schedule, not a time zone: name one, such as Europe/Paris or UTC"),
    ],
)  # fmt: skip
def test_unknown_zones(name: str, message: str) -> None:
    assert check_timezone(name) == message


def test_a_misspelt_zone_gets_close_suggestions() -> None:
    message = check_timezone("Europe/Pari")
    assert message is not None and "did you mean 'Europe/Paris'" in message


def test_a_known_zone_does_not_list_the_database() -> None:
    code = (
        "import zoneinfo; calls = []; real = zoneinfo.available_timezones\n"
        "zoneinfo.available_timezones = lambda: calls.append(1) or real()\n"
        "from floec.timezones import check_timezone\n"
        "assert check_timezone('Europe/Paris') is None and check_timezone('UTC') is None\n"
        "print(len(calls))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.sampled_from(["Europe/", "/", ".", "..", "UTC\x00"])))
def test_any_text_gives_none_or_a_message(name: str) -> None:
    result = check_timezone(name)
    assert result is None or name in result or "unknown time zone" in result
