"""Source positions.

A `Span` is stored once, 0-based, with columns counted in Unicode code points of the decoded
text. Each renderer converts: text output is 1-based, JSON/LSP is 0-based in UTF-16 code units,
SARIF is 1-based.

Both are named tuples rather than attrs classes: the loader makes one for every YAML node, and
a tuple is several times cheaper to build. They are immutable, hashable and ordered by position.
"""

from __future__ import annotations

from typing import NamedTuple


class Position(NamedTuple):
    """A 0-based line and column (code points)."""

    line: int
    column: int


class Span(NamedTuple):
    """A range in one file: 0-based, start inclusive, end exclusive."""

    file: str
    start: Position
    end: Position

    @classmethod
    def of(cls, file: str, start_line: int, start_col: int, end_line: int, end_col: int) -> Span:
        return cls(file, Position(start_line, start_col), Position(end_line, end_col))

    @classmethod
    def point(cls, file: str, line: int, column: int) -> Span:
        position = Position(line, column)
        return cls(file, position, position)

    @classmethod
    def whole_file(cls, file: str) -> Span:
        return cls.point(file, 0, 0)

    @property
    def is_single_line(self) -> bool:
        return self.start.line == self.end.line

    def contains(self, other: Span) -> bool:
        return self.file == other.file and self.start <= other.start and other.end <= self.end
