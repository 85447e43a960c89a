"""Cron expressions (`cron_schedule` in floe.yaml), parsed with grammar/cron.lark and checked.

What is accepted is what a Dagster schedule runs (Dagster hands the string to its vendored
croniter), minus what would run differently from how it reads:

- five fields, minute hour day-of-month month day-of-week, separated by blanks; each field a
  comma list of `*`, `*/n`, `a`, `a/n` (a to the end, every n), `a-b`, `a-b/n`;
- month names JAN-DEC and weekday names SUN-SAT in any case, also in ranges; weekday 7 is Sunday,
  and a weekday range may end on Sunday (`FRI-SUN`, `5-0`, `5-7` are Friday to Sunday);
- `?` for a whole day-of-month or day-of-week field, `L` (last day) in day-of-month, `d#n` (the
  n-th weekday d of the month, n 1-5) in day-of-week: croniter runs them;
- macros @yearly @annually @monthly @weekly @daily @midnight @hourly, in any case.

Rejected although croniter would take them:

- a sixth (seconds) or seventh (year) field: Dagster refuses any cron string that does not expand to
  five fields ("dagster only recognizes cron strings that resolve to 5 parts"), so a schedule with
  seconds would fail when the code location loads;
- a reversed range (`22-2`): croniter wraps it around, most crons refuse it; write `22-23,0-2`;
- a range with equal ends (`5-5`): croniter reads it as the whole field, not as `5`;
- a step larger than the span it steps over (`*/90` in minutes): it selects a single value (Dagster
  warns that it "evaluates to once every hour");
- a day of the month that never comes in the months given (`30 2`, `31 4,6`) while the day of the
  week is `*`: the schedule would never run (Dagster itself refuses February 30 and 31).

Offsets in results and errors are code points into the string. Well-formed strings are split with
a regular expression that recognises exactly the grammar's items (tests prove the two agree), so
lark is imported only for strings that are malformed or that the fast path does not cover.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Union

import attrs

from floec import grammars
from floec.frozen import frozen

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

    from lark import Lark

    _Fail = Callable[[int, int, str], NoReturn]

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_NAMES: tuple[dict[str, int], ...] = (
    {},
    {},
    {},
    {name: number for number, name in enumerate(_MONTHS, start=1)},
    {name: number for number, name in enumerate(_WEEKDAYS)},
)
_MINUTE, _HOUR, _DOM, _MONTH, _DOW = range(5)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

HELP = (
    "a cron expression has five fields separated by spaces: minute (0-59), hour (0-23), "
    "day-of-month (1-31), month (1-12 or JAN-DEC), day-of-week (0-7 or SUN-SAT, 0 and 7 are "
    "Sunday); each field is * or a number, a range a-b, a step */n, a-b/n or a/n, or a list of "
    "these separated by commas, as in '*/15 9-17 * * MON-FRI'; or one of the macros "
    + ", ".join(MACROS)
)


@frozen
class CronField:
    """One of the five fields: what was written, where, and which values it selects.

    `values` is sorted; a weekday 7 is folded into 0 (Sunday); `*` and `?` select every value of
    the field. `last_day` is set when day-of-month contains `L`; `nth_weekdays` holds the
    (weekday, n) pairs of `d#n` items in day-of-week."""

    name: str
    text: str
    start: int
    end: int
    values: tuple[int, ...]
    last_day: bool = False
    nth_weekdays: tuple[tuple[int, int], ...] = ()


@frozen
class CronExpression:
    """A valid cron expression. For a macro, `macro` is its lower-case name and the five fields
    are its expansion, each spanning the whole macro."""

    text: str
    fields: tuple[CronField, ...]
    macro: str | None = None

    @property
    def normalized(self) -> str:
        """The five-field form: the expansion of a macro, else the fields as written."""
        return " ".join(field.text for field in self.fields)


@frozen
class CronError:
    """Where (code points [start, end) into the string) and what is wrong, and how to write it."""

    start: int
    end: int
    message: str
    help: str = HELP
    field: str | None = None


# --- the items of a field, as the grammar and the fast path both produce them -------------------


@frozen
class _Value:
    text: str
    start: int
    end: int


@frozen
class _Item:
    kind: str  # every | unspecified | range | single | nth
    start: int
    end: int
    low: _Value | None = None
    high: _Value | None = None
    step: _Value | None = None


@frozen
class _Field:
    items: tuple[_Item, ...]
    start: int
    end: int


_Parsed = Union[tuple[_Field, ...], _Value]  # fields, or the name of a macro with its span


class _Invalid(Exception):
    def __init__(self, error: CronError) -> None:
        self.error = error


# --- entry point -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # results are immutable; editors re-check the same strings
def parse_cron(text: str) -> CronExpression | CronError:
    """The expression, or the first thing wrong with it."""
    return _parse(text, fast=True)


def _parse(text: str, fast: bool) -> CronExpression | CronError:
    parsed = _fast(text) if fast else None
    if parsed is None:
        slow = _slow(text)
        if isinstance(slow, CronError):
            return slow
        parsed = slow
    try:
        return _check(text, parsed)
    except _Invalid as invalid:
        return invalid.error


# --- the fast path: exactly the grammar's language, without lark ----------------------------------

_VALUE = r"(?:[0-9]+|[A-Za-z]+)"
_ITEM = re.compile(
    rf"(?P<every>\*)(?:/(?P<every_step>[0-9]+))?"
    rf"|(?P<unspecified>\?)"
    rf"|(?P<nth_value>{_VALUE})#(?P<nth>[0-9]+)"
    rf"|(?P<low>{_VALUE})(?:-(?P<high>{_VALUE}))?(?:/(?P<step>[0-9]+))?"
)
_MACRO = re.compile(r"\s*@([A-Za-z]+)\s*")
_WORD = re.compile(r"\S+")


def _fast(text: str) -> _Parsed | None:
    macro = _MACRO.fullmatch(text)
    if macro:
        return _Value(macro.group(1), macro.start(1) - 1, macro.end(1))
    fields: list[_Field] = []
    for word in _WORD.finditer(text):
        items: list[_Item] = []
        offset = word.start()
        for piece in word.group().split(","):
            match = _ITEM.fullmatch(piece)
            if match is None:
                return None
            items.append(_item_from_match(match, offset))
            offset += len(piece) + 1
        fields.append(_Field(tuple(items), word.start(), word.end()))
    return tuple(fields) if fields else None


def _item_from_match(match: re.Match[str], offset: int) -> _Item:
    def value(group: str) -> _Value | None:
        if match.group(group) is None:
            return None
        return _Value(match.group(group), offset + match.start(group), offset + match.end(group))

    start, end = offset, offset + match.end()
    if match.group("every"):
        return _Item("every", start, end, step=value("every_step"))
    if match.group("unspecified"):
        return _Item("unspecified", start, end)
    if match.group("nth_value"):
        return _Item("nth", start, end, low=value("nth_value"), step=value("nth"))
    high = value("high")
    return _Item(
        "range" if high else "single", start, end, low=value("low"), high=high, step=value("step")
    )


# --- the grammar: for malformed strings, to say where they go wrong -------------------------------


def _parser(strict: bool = False) -> Lark:
    return grammars.parser("cron.lark", strict)


def _slow(text: str) -> _Parsed | CronError:
    from lark import Token, Tree

    stripped = text.rstrip()  # offsets stay the same: only the end goes
    tree = grammars.parse("cron.lark", stripped)
    if isinstance(tree, int):
        return _syntax_error(text, tree)

    def value(node: Tree[Token]) -> _Value:
        (token,) = node.children
        assert isinstance(token, Token) and token.start_pos is not None
        assert token.end_pos is not None
        return _Value(str(token), token.start_pos, token.end_pos)

    def number(token: Token) -> _Value:
        assert token.start_pos is not None and token.end_pos is not None
        return _Value(str(token), token.start_pos, token.end_pos)

    (body,) = tree.children
    assert isinstance(body, Tree)
    if body.data == "macro":
        (name,) = body.children
        assert isinstance(name, Token) and name.start_pos is not None
        return _Value(str(name), name.start_pos - 1, name.start_pos + len(name))
    fields: list[_Field] = []
    for field in body.children:
        assert isinstance(field, Tree)
        items: list[_Item] = []
        for item in field.children:
            assert isinstance(item, Tree)
            values = [value(c) for c in item.children if isinstance(c, Tree) and c.data == "value"]
            steps = [c for c in item.children if isinstance(c, Tree) and c.data == "step"]
            numbers = [c for c in item.children if isinstance(c, Token)]
            step = None
            if steps:
                (token,) = steps[0].children
                assert isinstance(token, Token)
                step = number(token)
            start, end = item.meta.start_pos, item.meta.end_pos
            kind = str(item.data)
            if kind == "nth":
                items.append(_Item(kind, start, end, low=values[0], step=number(numbers[0])))
            else:
                low = values[0] if values else None
                high = values[1] if len(values) > 1 else None
                items.append(_Item(kind, start, end, low=low, high=high, step=step))
        fields.append(_Field(tuple(items), field.meta.start_pos, field.meta.end_pos))
    return tuple(fields)


def _field_at(text: str, position: int) -> int | None:
    """Which field (0-based) the position falls in or right after."""
    index = None
    for number, word in enumerate(_WORD.finditer(text)):
        if word.start() <= position:
            index = number
    return index


def _syntax_error(text: str, position: int) -> CronError:
    stripped = text.strip()
    if not stripped:
        return CronError(0, len(text), "the cron expression is empty")
    if stripped.startswith("@"):
        start = text.index("@")
        return CronError(
            start,
            start + len(stripped),
            f"'{stripped}' is not a cron macro: the macros are " + ", ".join(MACROS),
        )
    index = _field_at(text, position)
    where = (
        f"the {FIELD_NAMES[index]} field" if index is not None and index < 5 else "the expression"
    )
    name = FIELD_NAMES[index] if index is not None and index < 5 else None
    if position >= len(text) or text[position].isspace():
        previous = text[:position].rstrip()[-1:]
        return CronError(
            position,
            position,
            f"{where} ends after '{previous}': a number or a name must follow",
            field=name,
        )
    character = text[position]
    return CronError(
        position,
        position + 1,
        f"unexpected '{character}' in {where}",
        field=name,
    )


# --- the checks: field count, values, ranges, steps ---------------------------------------------


def _check(text: str, parsed: _Parsed) -> CronExpression:
    if isinstance(parsed, _Value):
        macro = "@" + parsed.text.lower()
        if macro not in MACROS:
            raise _Invalid(
                CronError(
                    parsed.start,
                    parsed.end,
                    f"'@{parsed.text}' is not a cron macro: the macros are " + ", ".join(MACROS),
                )
            )
        expansion = parse_cron(MACROS[macro])
        assert isinstance(expansion, CronExpression)
        fields = tuple(
            attrs.evolve(field, start=parsed.start, end=parsed.end) for field in expansion.fields
        )
        return CronExpression(text, fields, macro)
    if len(parsed) != 5:
        _wrong_count(text, parsed)
    fields = tuple(_check_field(text, index, field) for index, field in enumerate(parsed))
    _check_days_exist(fields)
    return CronExpression(text, fields)


def _wrong_count(text: str, fields: tuple[_Field, ...]) -> None:
    expected = (
        "a cron expression has five fields (minute hour day-of-month month day-of-week); "
        f"this one has {len(fields)}"
    )
    if len(fields) < 5:
        raise _Invalid(CronError(fields[0].start, fields[-1].end, expected))
    seconds = {
        6: ": Dagster schedules run at minute resolution, so a seconds field is not accepted",
        7: ": Dagster schedules run at minute resolution, so seconds and year fields are not "
        "accepted",
    }.get(len(fields), "")
    raise _Invalid(CronError(fields[5].start, fields[-1].end, expected + seconds))


def _check_field(text: str, index: int, field: _Field) -> CronField:
    name = FIELD_NAMES[index]
    low, high = _BOUNDS[index]
    values: set[int] = set()
    last_day = False
    nth: list[tuple[int, int]] = []
    plain: _Item | None = None

    def fail(start: int, end: int, message: str) -> NoReturn:
        raise _Invalid(CronError(start, end, message, field=name))

    for item in field.items:
        if item.kind == "unspecified":
            if index not in (_DOM, _DOW):
                fail(
                    item.start,
                    item.end,
                    f"'?' is allowed only in day-of-month and day-of-week, not in the {name} field",
                )
            if len(field.items) > 1:
                fail(
                    item.start, item.end, f"'?' must be the whole {name} field, not part of a list"
                )
            values.update(range(low, high + 1))
            continue
        if item.kind == "every":
            last = 6 if index == _DOW else high  # every weekday is 0-6: 7 is Sunday again
            values.update(range(low, last + 1, _step(name, item, low, last, fail)))
            plain = plain or item
            continue
        assert item.low is not None
        if item.kind == "nth":
            if index != _DOW:
                fail(
                    item.start,
                    item.end,
                    "'#' (the n-th weekday of the month) is allowed only in day-of-week, "
                    f"not in the {name} field",
                )
            day = _number(name, index, item.low, fail) % 7
            assert item.step is not None
            n = _int(item.step.text)
            if not 1 <= n <= 5:
                fail(
                    item.step.start,
                    item.step.end,
                    f"'#{_short(item.step.text)}' asks for weekday number "
                    f"{_short(item.step.text)} of the month: it must be 1-5",
                )
            nth.append((day, n))
            continue
        plain = plain or item
        if index == _DOM and item.low.text.upper() == "L":
            if item.kind == "range" or item.step is not None:
                fail(
                    item.start,
                    item.end,
                    "'L' (the last day of the month) stands alone or ends a range, as in L or 15-L",
                )
            last_day = True
            continue
        first = _number(name, index, item.low, fail)
        if item.kind == "single" and item.step is None:
            values.add(first % 7 if index == _DOW else first)
            continue
        if item.kind == "single":  # a/n: from a to the end of the field, every n
            last = 6 if index == _DOW else high
        else:
            assert item.high is not None
            if index == _DOM and item.high.text.upper() == "L":
                last = high
            else:
                last = _number(name, index, item.high, fail)
            if index == _DOW and last == 0 and first > 0:
                last = 7  # FRI-SUN: up to Sunday
            if first > last:
                fail(
                    item.start,
                    item.end,
                    f"{name} range {item.low.text}-{item.high.text} is reversed: the start must "
                    f"not come after the end (write {item.low.text}-{high},{low}-{item.high.text})",
                )
            if first == last:
                fail(
                    item.start,
                    item.end,
                    f"{name} range {item.low.text}-{item.high.text} starts and ends on the same "
                    f"value: write {item.low.text} (croniter would read it as the whole field)",
                )
        step = _step(name, item, first, last, fail)
        values.update(range(first, last + 1, step))
    if nth and plain is not None:
        fail(
            plain.start,
            plain.end,
            "day-of-week cannot mix 'd#n' items with plain weekdays: croniter refuses it",
        )
    if index == _DOW:
        values = {v % 7 for v in values}
    return CronField(
        name,
        text[field.start : field.end],
        field.start,
        field.end,
        tuple(sorted(values)),
        last_day,
        tuple(nth),
    )


def _number(name: str, index: int, value: _Value, fail: _Fail) -> int:
    low, high = _BOUNDS[index]
    if value.text.isdigit():
        number = _int(value.text)
        if not low <= number <= high:
            fail(
                value.start, value.end, f"{name} {_short(value.text)} is out of range {low}-{high}"
            )
        return number
    upper = value.text.upper()
    names = _NAMES[index]
    if upper in names:
        return names[upper]
    if upper in _NAMES[_MONTH] or upper in _NAMES[_DOW]:
        kind = "month" if upper in _NAMES[_MONTH] else "day-of-week"
        fail(
            value.start,
            value.end,
            f"'{value.text}' is a {kind} name, not {_a(name)}: {_takes(index)}",
        )
    if upper == "L":
        fail(
            value.start,
            value.end,
            "'L' (the last day of the month) is allowed only in day-of-month, "
            f"not in the {name} field",
        )
    fail(value.start, value.end, f"'{value.text}' is not {_a(name)}: {_takes(index)}")


def _int(digits: str) -> int:
    """The number, capped: no field goes past 59, and int() refuses very long digit strings."""
    return int(digits) if len(digits) <= 9 else 10**9


def _short(text: str) -> str:
    return text if len(text) <= 12 else text[:12] + "..."


def _a(name: str) -> str:
    return ("an " if name == "hour" else "a ") + name


def _takes(index: int) -> str:
    low, high = _BOUNDS[index]
    name = FIELD_NAMES[index]
    if index == _MONTH:
        return f"the {name} field takes {low}-{high} or JAN-DEC"
    if index == _DOW:
        return f"the {name} field takes {low}-{high} or SUN-SAT"
    if index == _DOM:
        return f"the {name} field takes {low}-{high} or L"
    return f"the {name} field takes {low}-{high}"


def _step(name: str, item: _Item, first: int, last: int, fail: _Fail) -> int:
    if item.step is None:
        return 1
    step = _int(item.step.text)
    if step < 1:
        fail(
            item.step.start,
            item.step.end,
            f"{name} step {_short(item.step.text)} is not allowed: a step is 1 or more",
        )
    if first == last:  # a/n with a the last value: croniter reads it as the whole field
        fail(
            item.step.start,
            item.step.end,
            f"{name} {first}/{_short(item.step.text)} starts on the last {name}, so it "
            f"selects only {first}: write {first} (croniter would read it as the whole field)",
        )
    if step > last - first:
        fail(
            item.step.start,
            item.step.end,
            f"{name} step {_short(item.step.text)} is larger than the span {first}-{last} it steps "
            f"over, so it selects only {first}: write {first}, or a step up to {last - first}",
        )
    return step


def _check_days_exist(fields: tuple[CronField, ...]) -> None:
    dom, month, dow = fields[_DOM], fields[_MONTH], fields[_DOW]
    if dom.last_day or not dom.values or dow.text not in ("*", "?"):
        return  # day-of-month and day-of-week are or-ed when both are given: it runs
    longest = max(_DAYS_IN_MONTH[m - 1] for m in month.values)
    if dom.values[0] > longest:
        names = ", ".join(_MONTHS[m - 1] for m in month.values)
        raise _Invalid(
            CronError(
                dom.start,
                dom.end,
                f"day-of-month {dom.values[0]} never comes in {names}: "
                "the schedule would never run",
                field=dom.name,
            )
        )
