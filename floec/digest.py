"""`sha256`: SHA-256 without importing `hashlib`.

`hashlib` loads OpenSSL and probes every algorithm when it is imported, which costs a `floec
check` several milliseconds of a start that hashes a few small files. CPython's built-in
implementation gives the same digests; `hashlib` stays the fallback where it is missing.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        from _sha256 import sha256
    except ImportError:  # Python 3.12 renamed it; other interpreters
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256

__all__ = ["sha256"]
