"""Pure detectors of hardcoded credentials in strings: no YAML, no files, no diagnostics.

The lint pass (`floec.passes.lint_credentials`) walks a YAML tree and asks these functions about
each key, value and comment; they answer with `Hit`s (a rule code and a range inside the string).
Keeping them pure makes each one testable with a plain string, and lets `floec lint` and the
build's `lint-credentials` pass share them.

`scan_value` is the entry point: it runs the detectors in order of specificity (a known token
shape explains a value better than its key name, and both better than its entropy) and returns at
most one hit per range of the string.
"""

from floec.credential_rules.hits import Hit
from floec.credential_rules.scan import (
    has_candidate,
    scan_comment,
    scan_key,
    scan_value,
    split_comment,
)

__all__ = ["Hit", "has_candidate", "scan_comment", "scan_key", "scan_value", "split_comment"]
