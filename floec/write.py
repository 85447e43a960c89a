"""Writing a build's files: each environment's directory changes as a whole, or not at all.

`target/<env>/` is written to a staging directory beside it (`target/.floec-stage-<env>-<id>`),
every file flushed to disk, then swapped in by one rename: a reader (the runtime, dbt, a second
build) sees the old set of files or the new one, never a new `compiled_artifacts.json` beside an
old `profiles.yml`. On Linux the swap is `renameat2(RENAME_EXCHANGE)`, atomic even when the
directory exists; elsewhere the old directory is renamed aside first, so there is an instant with
no directory but never a mixed one.

Files that floec did not generate (a DuckDB database, Dagster's run history, a log) are carried
into the new directory as hard links, so a rebuild never loses them.

Concurrent builds into one target take turns: an exclusive lock (flock) on `target/` is held
from the first staging directory to the last swap. Under the lock, staging directories left by a
killed build are removed. Problems with the target (a file where a directory must be, no
permission, a full disk) are FLC030 diagnostics that name the path, never a traceback; they are
found before any environment is swapped in, so one bad environment does not leave the others
half written.

Files are created with the mode the umask gives (0666 & ~umask), as any tool that writes files.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from floec.diagnostics.model import Diagnostic, make
from floec.ir import GeneratedFile
from floec.source import display_name

STAGE_PREFIX = ".floec-stage-"
OLD_PREFIX = ".floec-old-"


class WriteError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _problem(path: Path, what: str, error: OSError | None = None) -> WriteError:
    reason = f": {error.strerror}" if error is not None and error.strerror else ""
    return WriteError(
        make(
            "FLC030",
            f"cannot write the build output: {display_name(str(path))} {what}{reason}",
            None,
            file=display_name(str(path)),
            help="choose another place with --target-dir DIR, or fix the path (remove the file "
            "that is in the way, or give write permission)",
        )
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _ensure_directory(path: Path) -> None:
    """`path` exists and is a directory, creating it (and its parents) if needed."""
    for parent in reversed([path, *path.parents]):
        if (parent.exists() or parent.is_symlink()) and not parent.is_dir():
            raise _problem(parent, "is a file, not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _problem(path, "cannot be created", error) from None


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """An exclusive lock on the target directory itself (no lock file left behind), held while
    the environments are written."""
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        raise _problem(target, "cannot be opened", error) from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock, each swap is atomic
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def remove_stale(target: Path) -> None:
    """Staging and set-aside directories of builds that were killed (the lock is held)."""
    try:
        entries = list(os.scandir(target))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((STAGE_PREFIX, OLD_PREFIX)):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _fsync_directory(path: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def replace_atomically(path: Path, data: bytes) -> None:
    """Write one file whole: a uniquely named temporary sibling (mode from the umask), fsync,
    rename, fsync of the directory. A reader sees the old bytes or the new ones. Raises OSError."""
    temporary = path.parent / f"{STAGE_PREFIX}{path.name}.{os.urandom(16).hex()}"
    try:
        _write_file(temporary, data, 0o666 & ~_umask())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    _fsync_directory(path.parent)


def write_file(path: Path, data: bytes) -> Path | Diagnostic:
    """One file written whole into a directory of the user's, for a command such as `platform
    pull`; the FLC030 diagnostic when it cannot be."""
    try:
        _ensure_directory(path.parent)
        try:
            replace_atomically(path, data)
        except OSError as error:
            raise _problem(path, "cannot be written", error) from None
    except WriteError as error:
        return error.diagnostic
    return path


def _carry_over(old: Path, new: Path, generated: set[str]) -> None:
    """Hard-link every file of `old` that this build does not generate into `new`."""
    for root, dirs, files in os.walk(old):
        relative = Path(root).relative_to(old)
        for name in list(dirs):
            if os.path.islink(os.path.join(root, name)):
                dirs.remove(name)
                files.append(name)  # linked as the link it is, not followed
            elif not (new / relative / name).exists():
                (new / relative / name).mkdir()
            elif not (new / relative / name).is_dir():
                dirs.remove(name)  # a generated file took the name: the old directory goes
        for name in files:
            path = (relative / name).as_posix()
            if path in generated or (new / relative / name).exists():
                continue
            source, destination = Path(root) / name, new / relative / name
            try:
                os.link(source, destination, follow_symlinks=False)
            except OSError:
                with contextlib.suppress(OSError):
                    shutil.copy2(source, destination, follow_symlinks=False)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); False if unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _swap_in(stage: Path, final: Path) -> None:
    if not final.exists():
        os.rename(stage, final)
        return
    if _exchange(stage, final):
        shutil.rmtree(stage, ignore_errors=True)  # now holds the old files
        return
    aside = final.parent / f"{OLD_PREFIX}{final.name}-{os.urandom(4).hex()}"
    os.rename(final, aside)
    os.rename(stage, final)
    shutil.rmtree(aside, ignore_errors=True)


def _stage(target: Path, name: str, files: Sequence[GeneratedFile], mode: int) -> Path:
    stage = target / f"{STAGE_PREFIX}{name}-{os.urandom(4).hex()}"
    stage.mkdir()
    directories = {stage}
    for item in files:
        path = stage / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        directories.add(path.parent)
        _write_file(path, item.data, mode)
    final = target / name
    if final.is_dir():
        _carry_over(final, stage, {item.path for item in files})
    for directory in sorted(directories, key=lambda p: len(p.parts), reverse=True):
        _fsync_directory(directory)
    return stage


def write_environments(
    target: Path, environments: Mapping[str, Sequence[GeneratedFile]]
) -> dict[str, list[Path]] | Diagnostic:
    """Write each environment's files to `target/<env>/`, each environment as a whole; the files
    written, by environment, or the FLC030 diagnostic that stopped the write."""
    try:
        return _write(target, environments)
    except WriteError as error:
        return error.diagnostic


def _write(
    target: Path, environments: Mapping[str, Sequence[GeneratedFile]]
) -> dict[str, list[Path]]:
    _ensure_directory(target)
    for name, files in environments.items():
        final = target / name
        if (final.exists() or final.is_symlink()) and not final.is_dir():
            raise _problem(final, "is a file, not a directory")
        for item in files:
            place = final / item.path
            if place.is_dir() and not place.is_symlink():
                raise _problem(place, "is a directory where floec writes a file")
    mode = 0o666 & ~_umask()
    written: dict[str, list[Path]] = {}
    with _locked(target):
        remove_stale(target)
        staged: list[tuple[str, Path]] = []
        try:
            for name, files in environments.items():
                try:
                    staged.append((name, _stage(target, name, files, mode)))
                except OSError as error:
                    raise _problem(target / name, "cannot be written", error) from None
            for name, stage in staged:
                try:
                    _swap_in(stage, target / name)
                except OSError as error:
                    raise _problem(target / name, "cannot be replaced", error) from None
                written[name] = [target / name / item.path for item in environments[name]]
        finally:
            for _, stage in staged:
                if stage.exists():
                    shutil.rmtree(stage, ignore_errors=True)
        _fsync_directory(target)
    return written
