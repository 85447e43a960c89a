"""floec's directory in the user's cache: `$XDG_CACHE_HOME/floec`, else `~/.cache/floec`.

The registry's content cache (floec/oci/cache.py, unless `FLOEC_CACHE_DIR` says otherwise) and
the stage of compiled inputs (floec/stage.py) live there. Light on purpose: every start reads it.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def cache_home(environ: Mapping[str, str] = os.environ) -> str:
    if environ.get("XDG_CACHE_HOME"):
        return os.path.join(environ["XDG_CACHE_HOME"], "floec")
    home = environ.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".cache", "floec")
