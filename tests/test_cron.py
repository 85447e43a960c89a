# ruff: noqa: E501  (the tables of exact messages read best one case a line)
"""Cron expressions: the grammar, the checks, their offsets, agreement with Dagster's croniter."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floec.cron import CronError, CronExpression, _parse, _parser, parse_cron


def test_grammar_is_unambiguous_in_strict_mode() -> None:
    _parser(strict=True)  # lark raises on terminal collisions and grammar conflicts


def _values(text: str) -> tuple[tuple[int, ...], ...]:
    result = parse_cron(text)
    assert isinstance(result, CronExpression), result
    return tuple(field.values for field in result.fields)


EVERY_DAY = tuple(range(1, 32))
EVERY_MONTH = tuple(range(1, 13))
EVERY_WEEKDAY = tuple(range(7))


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("0 0 * * *", ((0,), (0,), EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
        (
            "*/15 9-17 * * MON-FRI",
            ((0, 15, 30, 45), tuple(range(9, 18)), EVERY_DAY, EVERY_MONTH, (1, 2, 3, 4, 5)),
        ),
        ("5,10-20/5 0 1 jan,Jul *", ((5, 10, 15, 20), (0,), (1,), (1, 7), EVERY_WEEKDAY)),
        ("10/20 * * * *", ((10, 30, 50), tuple(range(24)), EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
        ("0 0 * * 7", ((0,), (0,), EVERY_DAY, EVERY_MONTH, (0,))),
        ("0 0 * * FRI-SUN", ((0,), (0,), EVERY_DAY, EVERY_MONTH, (0, 5, 6))),
        ("0 0 * * 5-7", ((0,), (0,), EVERY_DAY, EVERY_MONTH, (0, 5, 6))),
        ("0 0 * * sun-sat", ((0,), (0,), EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
        ("0 0 ? * 1", ((0,), (0,), EVERY_DAY, EVERY_MONTH, (1,))),
        ("0 0 31 1,5 *", ((0,), (0,), (31,), (1, 5), EVERY_WEEKDAY)),
        ("0 0 31 2 MON", ((0,), (0,), (31,), (2,), (1,))),  # day or weekday: Mondays in February
        ("  0\t0  *  *  *  ", ((0,), (0,), EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
        ("00 07 * * *", ((0,), (7,), EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
    ],
)
def test_well_formed(text: str, values: tuple[tuple[int, ...], ...]) -> None:
    assert _values(text) == values


def test_field_spans_point_into_the_text() -> None:
    result = parse_cron(" */5  1 * * MON")
    assert isinstance(result, CronExpression)
    assert [(f.name, f.start, f.end, f.text) for f in result.fields] == [
        ("minute", 1, 4, "*/5"),
        ("hour", 6, 7, "1"),
        ("day-of-month", 8, 9, "*"),
        ("month", 10, 11, "*"),
        ("day-of-week", 12, 15, "MON"),
    ]
    assert result.normalized == "*/5 1 * * MON"


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
        (" @DAILY ", "0 0 * * *"),
    ],
)
def test_macros(text: str, normalized: str) -> None:
    result = parse_cron(text)
    assert isinstance(result, CronExpression)
    assert result.macro == text.strip().lower()
    assert result.normalized == normalized
    assert {(f.start, f.end) for f in result.fields} == {(text.index("@"), len(text.rstrip()))}


def test_last_day_and_nth_weekday() -> None:
    result = parse_cron("0 0 L * *")
    assert isinstance(result, CronExpression) and result.fields[2].last_day
    result = parse_cron("0 0 * * fri#2,MON#1")
    assert isinstance(result, CronExpression)
    assert result.fields[4].nth_weekdays == ((5, 2), (1, 1))


@pytest.mark.parametrize(
    ("text", "start", "end", "message"),
    [
        ("61 * * * *", 0, 2, "minute 61 is out of range 0-59"),
        ("0 24 * * *", 2, 4, "hour 24 is out of range 0-23"),
        ("0 0 0 * *", 4, 5, "day-of-month 0 is out of range 1-31"),
        ("0 0 * 13 *", 6, 8, "month 13 is out of range 1-12"),
        ("0 0 * * 8", 8, 9, "day-of-week 8 is out of range 0-7"),
        ("0 0 * * 1-9", 10, 11, "day-of-week 9 is out of range 0-7"),
        ("0 0 * * MONDAY", 8, 14, "'MONDAY' is not a day-of-week: the day-of-week field takes 0-7 or SUN-SAT"),
        ("0 0 * * jan", 8, 11, "'jan' is a month name, not a day-of-week: the day-of-week field takes 0-7 or SUN-SAT"),
        ("0 MON * * *", 2, 5, "'MON' is a day-of-week name, not an hour: the hour field takes 0-23"),
        ("0 22-2 * * *", 2, 6, "hour range 22-2 is reversed: the start must not come after the end (write 22-23,0-2)"),
        ("0 0 * * 1-1", 8, 11, "day-of-week range 1-1 starts and ends on the same value: write 1 (croniter would read it as the whole field)"),
        ("*/0 * * * *", 2, 3, "minute step 0 is not allowed: a step is 1 or more"),
        ("*/90 * * * *", 2, 4, "minute step 90 is larger than the span 0-59 it steps over, so it selects only 0: write 0, or a step up to 59"),
        ("59/5 * * * *", 3, 4, "minute 59/5 starts on the last minute, so it selects only 59: write 59 (croniter would read it as the whole field)"),
        ("0 0 30 2 *", 4, 6, "day-of-month 30 never comes in FEB: the schedule would never run"),
        ("0 0 31 4,6 *", 4, 6, "day-of-month 31 never comes in APR, JUN: the schedule would never run"),
        ("0 ? * * *", 2, 3, "'?' is allowed only in day-of-month and day-of-week, not in the hour field"),
        ("0 0 ?,1 * *", 4, 5, "'?' must be the whole day-of-month field, not part of a list"),
        ("0 L * * *", 2, 3, "'L' (the last day of the month) is allowed only in day-of-month, not in the hour field"),
        ("0 0 L/2 * *", 4, 7, "'L' (the last day of the month) stands alone or ends a range, as in L or 15-L"),
        ("0 0 * * 1#6", 10, 11, "'#6' asks for weekday number 6 of the month: it must be 1-5"),
        ("0 0 * * 1,5#2", 8, 9, "day-of-week cannot mix 'd#n' items with plain weekdays: croniter refuses it"),
        ("0 0 1#2 * *", 4, 7, "'#' (the n-th weekday of the month) is allowed only in day-of-week, not in the day-of-month field"),
        ("* * * *", 0, 7, "a cron expression has five fields (minute hour day-of-month month day-of-week); this one has 4"),
        ("0 0 * * * *", 10, 11, "a cron expression has five fields (minute hour day-of-month month day-of-week); this one has 6: Dagster schedules run at minute resolution, so a seconds field is not accepted"),
        ("0 0 1 1 * 0 2030", 10, 16, "a cron expression has five fields (minute hour day-of-month month day-of-week); this one has 7: Dagster schedules run at minute resolution, so seconds and year fields are not accepted"),
        ("0 0 * * 1-", 10, 10, "the day-of-week field ends after '-': a number or a name must follow"),
        ("0 0 */ * *", 6, 6, "the day-of-month field ends after '/': a number or a name must follow"),
        ("0 0 * * 1--2", 10, 11, "unexpected '-' in the day-of-week field"),
        ("0 0 * * MON–FRI", 11, 12, "unexpected '–' in the day-of-week field"),
        ("0 0,,1 * * *", 4, 5, "unexpected ',' in the hour field"),
        ("", 0, 0, "the cron expression is empty"),
        ("   ", 0, 3, "the cron expression is empty"),
        ("@weekdays", 0, 9, "'@weekdays' is not a cron macro: the macros are @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"),
        ("@daily 0", 0, 8, "'@daily 0' is not a cron macro: the macros are @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"),
    ],
)  # fmt: skip
def test_malformed(text: str, start: int, end: int, message: str) -> None:
    result = parse_cron(text)
    assert isinstance(result, CronError), result
    assert (result.start, result.end, result.message) == (start, end, message)
    assert "five fields" in result.help and "@daily" in result.help


def test_an_error_names_its_field() -> None:
    result = parse_cron("0 0 * * 9")
    assert isinstance(result, CronError) and result.field == "day-of-week"


def test_well_formed_strings_do_not_import_lark() -> None:
    import subprocess

    code = (
        "import sys; from floec.cron import parse_cron; "
        "assert parse_cron('*/15 9-17 * * MON-FRI').fields; assert parse_cron('@daily').macro; "
        "assert parse_cron('61 * * * *').message; print('lark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- properties --------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["*", "?", "L", "0", "1", "5", "7", "12", "23", "29", "30", "31", "59", "60", "99", "-", "/",
     ",", "#", "MON", "sun", "Fri", "JAN", "dec", "x", "@", "daily", "\t", "–"]
)  # fmt: skip
_FIELD = st.lists(_PIECES, min_size=1, max_size=6).map("".join)
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = ((), (), ("L",), ("JAN", "jun", "Dec", "feb"), ("MON", "fri", "Sun", "SAT", "wed"))


def _field(index: int) -> st.SearchStrategy[str]:
    low, high = _BOUNDS[index]
    value = st.one_of(
        st.integers(low, high).map(str),
        st.sampled_from(_NAMES[index] or ("0",)),
        st.integers(0, 70).map(str),  # now and then out of range
    )
    item = st.one_of(
        value,
        st.just("*"),
        st.integers(0, 40).map("*/{}".format),
        st.tuples(value, value).map("-".join),
        st.tuples(value, value, st.integers(0, 12)).map(lambda t: f"{t[0]}-{t[1]}/{t[2]}"),
        st.tuples(value, st.integers(0, 12)).map(lambda t: f"{t[0]}/{t[1]}"),
        st.tuples(value, st.integers(0, 6)).map(lambda t: f"{t[0]}#{t[1]}"),
        st.just("?"),
    )
    return st.lists(item, min_size=1, max_size=3).map(",".join)


# Five fields built from each field's own values: many are accepted, so there is much to compare.
_WELL_FORMED = st.tuples(*(_field(i) for i in range(5))).map(" ".join)
CRONISH = st.one_of(
    _WELL_FORMED,
    st.lists(_FIELD, min_size=3, max_size=7).map(" ".join),
    st.sampled_from(["@daily", "@hourly", "@Weekly", "@yearly", "@foo"]),
    st.text(max_size=30),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CRONISH)
def test_any_text_gives_an_expression_or_an_error_inside_it(text: str) -> None:
    result = parse_cron(text)
    if isinstance(result, CronError):
        assert 0 <= result.start <= result.end <= len(text)
        assert result.message
    else:
        assert len(result.fields) == 5
        for field in result.fields:
            assert 0 <= field.start <= field.end <= len(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CRONISH)
def test_the_fast_path_says_exactly_what_the_grammar_says(text: str) -> None:
    assert parse_cron(text) == _parse(text, fast=False)


def _croniter_sets(text: str) -> list[set[object]]:
    from dagster._utils.schedules import CroniterShim

    expanded = CroniterShim.expand(text)[0]
    full = [range(0, 60), range(0, 24), range(1, 32), range(1, 13), range(0, 7)]
    # '*' in a list (`*,5`) selects everything too
    return [set(full[i]) if "*" in part else set(part) for i, part in enumerate(expanded)]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_WELL_FORMED)
def test_what_floec_accepts_dagster_runs_with_the_same_values(text: str) -> None:
    from dagster._utils.schedules import is_valid_cron_string

    result = parse_cron(text)
    if isinstance(result, CronError):
        return
    assert is_valid_cron_string(text), text
    theirs = _croniter_sets(text)
    for index, field in enumerate(result.fields):
        ours: set[object] = set(field.values)
        if field.last_day and len(field.values) < 31:  # with every day, L adds nothing
            ours.add("l")
        ours.update(day for day, _ in field.nth_weekdays)
        assert ours == theirs[index], (text, field.name)


@pytest.mark.parametrize(
    "text",
    ["*/15 9-17 * * MON-FRI", "0 0 * * FRI-SUN", "0 0 1-L/2 * *", "0 0 * * fri#2", "0 0 ? * 1",
     "@weekly", "10/20 * * * *", "0 0 * jan-dec/2 *", "0 12 */2 * sat"],
)  # fmt: skip
def test_examples_agree_with_dagster(text: str) -> None:
    test_what_floec_accepts_dagster_runs_with_the_same_values.hypothesis.inner_test(text)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    ["* * * * * *", "0 22-2 * * *", "0 0 * * 1-1", "*/90 * * * *", "0 0 31 4 *"],
)
def test_deliberately_stricter_than_dagster(text: str) -> None:
    """What Dagster loads but runs otherwise than it reads (or, for seconds, refuses later)."""
    from dagster._utils.schedules import CroniterShim

    CroniterShim.expand(text)  # croniter takes it
    assert isinstance(parse_cron(text), CronError)


def test_very_long_numbers_are_out_of_range_not_a_crash() -> None:
    result = parse_cron("*/" + "9" * 5000 + " * * * *")
    assert isinstance(result, CronError)
    assert result.message.startswith("minute step 999999999999... is larger than the span 0-59")
    result = parse_cron("9" * 5000 + " * * * *")
    assert isinstance(result, CronError)
    assert result.message == "minute 999999999999... is out of range 0-59"
