"""What every start compiles, kept between runs: compiler inputs staged on first use.

Every `floec` start compiles the same constant regular expressions (~150: the credential rules',
PyYAML's, the cron and selection fast paths') and, for every record class (AST, IR, syntax tree,
diagnostics; floec/frozen.py), the `__init__` attrs writes. Python compiles both in every process,
about a fifth of a cold `floec check`. What they compile to depends only on their text and the
interpreter, so the first run of a floec version records it and later runs load it: regex
programs go straight to the regex engine, attrs' code objects to `eval`, as a `.pyc` would.

What is recorded: regular expressions compiled by module or class bodies (constants, at import;
a pattern built inside a function may be made from the input, such as the redaction of a run's
secrets: it is compiled as usual and never written anywhere), and the methods attrs generates
for floec's own classes (their source names fields, never values).

Where: `$XDG_CACHE_HOME/floec/stage/`, else `~/.cache/floec/stage/`, one file per interpreter
build and floec version; `FLOEC_NO_STAGE=1` turns it off. The file is written atomically at exit
when a run added to it; a missing, unreadable or corrupt file only means compiling as usual.
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any

    # flags, the program (unsigned 32-bit words), groups, group names both ways
    Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]

_MAX_ENTRIES = 4000


class _Stage:
    """The table of one process: read on first use, written at exit if it grew."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.loaded = False
        self.regex: dict[tuple[object, int], Entry] = {}
        self.code: dict[tuple[str, str], object] = {}
        self.grew = False

    def load(self) -> None:
        if not self.loaded:
            self.loaded = True
            regex, code = _read(self.path)
            self.regex.update(regex)
            self.code.update(code)

    def full(self) -> bool:
        return len(self.regex) + len(self.code) > _MAX_ENTRIES

    def save(self) -> None:
        if self.grew:
            _write(self.path, {"regex": self.regex, "code": self.code})


_stage: _Stage | None = None


def install(version: str) -> None:
    """Serve this process's constant regular expressions from the stage, and attrs' generated
    methods once `serve_attrs` is called (once per process)."""
    global _stage
    if _stage is not None or os.environ.get("FLOEC_NO_STAGE") == "1":
        return
    module = _compiler_module()
    if module is None:
        return
    stage = _stage = _Stage(stage_path(version))
    original: Callable[..., object] = module.compile
    engine = _sre()

    def compile(pattern: object, flags: int = 0) -> object:
        if not isinstance(pattern, str) or not _from_module_level():
            return original(pattern, flags)
        stage.load()  # on the first constant: a run answered from the result cache needs none
        key = (pattern, int(flags))
        entry = stage.regex.get(key)
        if entry is not None:
            try:
                return engine.compile(pattern, entry[0], _words(entry[1]), *entry[2:])
            except Exception:  # an entry this engine does not take: compile it as usual
                stage.regex.pop(key, None)
        if stage.full():
            return original(pattern, flags)
        made = _compile_recording(module, pattern, int(flags))
        if made is None:
            return original(pattern, flags)
        compiled, stage.regex[key] = made
        stage.grew = True
        return compiled

    setattr(module, "compile", compile)  # noqa: B010 (a module attribute, on purpose)
    import atexit

    atexit.register(stage.save)


def serve_attrs(module: ModuleType) -> None:
    """Give attrs' class builder (`attr._make`, which calls the built-in `compile` on the source
    of each generated method) the staged code objects, when `install` ran in this process."""
    stage = _stage
    if stage is None or not callable(getattr(module, "_compile_and_eval", None)):
        return
    import builtins
    from types import CodeType

    def compile(source: Any, filename: str, mode: str, *args: Any, **kwargs: Any) -> object:
        if not isinstance(source, str) or args or kwargs:
            return builtins.compile(source, filename, mode, *args, **kwargs)
        stage.load()
        key = (source, filename)
        code = stage.code.get(key)
        if not isinstance(code, CodeType):
            code = builtins.compile(source, filename, mode)
            # attrs' own __hash__ holds a salt drawn per class: that source never recurs.
            if "def __hash__" not in source and not stage.full():
                stage.code[key] = code
                stage.grew = True
        return code

    module.compile = compile  # type: ignore[attr-defined]  # shadows the built-in in attr._make


def stage_path(version: str) -> str:
    from floec.cache_home import cache_home

    build = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre().MAGIC}"
    return os.path.join(cache_home(), "stage", f"floec-{build}-{version}.marshal")


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
        import array

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
    import array

    return array.array(_WORD, program).tolist()


def _read(path: str) -> tuple[dict[tuple[object, int], Entry], dict[tuple[str, str], object]]:
    try:
        with open(path, "rb") as handle:
            table = marshal.load(handle)
        regex, code = table["regex"], table["code"]
    except Exception:  # missing, unreadable or corrupt: compile as usual
        return {}, {}
    if not isinstance(regex, dict) or not isinstance(code, dict):
        return {}, {}
    return regex, code


def _write(path: str, table: dict[str, object]) -> None:
    from pathlib import Path

    from floec.write import replace_atomically

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        replace_atomically(Path(path), marshal.dumps(table))
    except (OSError, ValueError):  # a read-only home: the next run compiles again
        pass
