"""Compiled regular expressions, kept between runs: a compiler input staged on first use.

Every `floec` start compiles the same ~150 constant regular expressions (the credential rules',
PyYAML's, the cron and selection fast paths'), and Python's `re` compiles them in Python, a tenth
of a cold `floec check`. Their compiled programs depend only on the pattern, its flags and the
interpreter, so the first run of a floec version records them and later runs hand them straight
to the regex engine.

What is recorded: only patterns compiled by module-level code (constants, at import). A pattern
built inside a function may be made from the input (the redaction of a run's secrets builds one
from their values): it is compiled as usual and never written anywhere.

Where: `$XDG_CACHE_HOME/floec/stage/`, else `~/.cache/floec/stage/`, one file per interpreter
and floec version; `FLOEC_NO_STAGE=1` turns it off. The file is written atomically; a missing,
unreadable or corrupt file only means compiling as usual, and an entry is used only if it was
recorded by the same interpreter build, so a wrong program cannot come out of it.
"""

from __future__ import annotations

import array
import contextlib
import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    # flags, the program (unsigned 32-bit words), groups, group names both ways
    Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]

_MAX_ENTRIES = 2000
_installed = False


def install(version: str) -> None:
    """Serve this process's constant regular expressions from the stage (once per process)."""
    global _installed
    if _installed or os.environ.get("FLOEC_NO_STAGE") == "1":
        return
    _installed = True
    module = _compiler_module()
    if module is None:
        return
    path = stage_path(version)
    table: dict[tuple[object, int], Entry] = {}
    original: Callable[..., object] = module.compile
    engine = _sre()
    added: dict[tuple[object, int], Entry] = {}

    def compile(pattern: object, flags: int = 0) -> object:
        if not table:
            table.update(_read(path))  # on the first compile: a cached run may never need it
        key = (pattern, int(flags))
        entry = table.get(key)
        if entry is not None:
            try:
                return engine.compile(pattern, entry[0], _words(entry[1]), *entry[2:])
            except Exception:  # an entry this engine does not take: compile it as usual
                table.pop(key, None)
        if not isinstance(pattern, str) or not _from_module_level() or len(table) > _MAX_ENTRIES:
            return original(pattern, flags)
        made = _compile_recording(module, pattern, int(flags))
        if made is None:
            return original(pattern, flags)
        compiled, entry = made
        table[key] = added[key] = entry
        return compiled

    setattr(module, "compile", compile)  # noqa: B010 (a module attribute, on purpose)
    import atexit

    def save() -> None:
        if added:
            _write(path, table)

    atexit.register(save)


def stage_path(version: str) -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    build = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre().MAGIC}"
    return os.path.join(base, "floec", "stage", f"regex-v2-{build}-{version}.marshal")


def _sre() -> ModuleType:
    import importlib

    return importlib.import_module("_sre")  # the regex engine (no stubs)


def _compiler_module() -> ModuleType | None:
    """The module whose `compile` turns a pattern into a program (`re._compiler` since 3.11)."""
    import re

    module = getattr(re, "_compiler", None)
    if module is None:  # Python 3.10
        import sre_compile as module
    ok = all(hasattr(module, name) for name in ("compile", "_code", "_parser"))
    return module if ok else None


def _from_module_level() -> bool:
    """Whether the first caller outside the `re` machinery is a module or class body (a constant
    pattern, compiled at import), not a function (which may build its pattern from data)."""
    import re

    machinery = os.path.dirname(re.__file__) if "_compiler" in vars(re) else re.__file__
    frame = sys._getframe(2)
    while frame is not None and (
        frame.f_code.co_filename.startswith(machinery)
        or frame.f_code.co_filename.endswith("sre_compile.py")
    ):
        frame = frame.f_back  # type: ignore[assignment]
    return frame is not None and not frame.f_code.co_flags & _CO_OPTIMIZED


_CO_OPTIMIZED = 0x1  # set on function code, not on module and class bodies


def _compile_recording(module: ModuleType, pattern: str, flags: int) -> tuple[object, Entry] | None:
    """What `module.compile` does, keeping the program it hands to the engine."""
    try:
        parsed = module._parser.parse(pattern, flags)
        code = module._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        program = array.array(_WORD, code)
        if program.tolist() != code:  # a word that does not fit: not staged
            return None
        entry: Entry = (
            flags | parsed.state.flags,
            program.tobytes(),
            parsed.state.groups - 1,
            groupindex,
            tuple(indexgroup),
        )
        return _sre().compile(pattern, entry[0], code, *entry[2:]), entry
    except Exception:  # anything unexpected in the interpreter's internals: no staging
        return None


_WORD = "I"  # the engine's code words are unsigned 32-bit


def _words(program: bytes) -> list[int]:
    return array.array(_WORD, program).tolist()


def _read(path: str) -> dict[tuple[object, int], Entry]:
    try:
        with open(path, "rb") as handle:
            table = marshal.load(handle)
    except Exception:  # missing, unreadable or corrupt: compile as usual
        return {}
    return table if isinstance(table, dict) else {}


def _write(path: str, table: dict[tuple[object, int], Entry]) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as handle:
            marshal.dump(table, handle)
        os.replace(temporary, path)
    except (OSError, ValueError):  # a read-only home: the next run compiles again
        with contextlib.suppress(OSError):
            os.unlink(temporary)
