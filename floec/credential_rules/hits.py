"""The one record every detector returns."""

from __future__ import annotations

from floec.frozen import frozen


@frozen
class Hit:
    """A credential found in a string: `text[start:end]` is the secret itself (what gets masked).

    `what` is the message's phrase ("hardcoded AWS access key id"); it never holds the value.
    """

    code: str
    start: int
    end: int
    what: str

    def overlaps(self, other: Hit) -> bool:
        return self.start < other.end and other.start < self.end
