"""The layout shared by the content-addressed caches (embeddings, translations, re-ranking scores).

A cache lives in one directory per fingerprint: the settings that determine its values (model
identity, revision, generation or pooling settings), hashed into the directory name and kept
readable in ``fingerprint.json`` (created once, by a hard link, so two jobs never replace it
under each other). Inside, values are stored in immutable chunks named after the hash of their
keys. Each of a chunk's data files is written to a private temporary file, then all of them are
renamed into place and the chunk's *seal* ``{chunk}.sha256`` (JSON: the size and SHA-256 of
every data file, and the chunk's commit number) is written, last. The seal is the commit:
readers list chunks by their seals, so a chunk is visible only once complete.

Concurrency: jobs sharing a cache (two datasets' translation shards, two encoders under one
root, two jobs asking for the same texts) never produce a different result than one writer.
Chunks are *write-once*: a chunk whose seal exists and verifies is never rewritten. The rename
of the data files and the seal happen while holding the directory's lock (``.lock``, an
``fcntl`` POSIX record lock taken with :func:`directory_lock`), so the data and the seal of a
chunk always come from one writer and a reader never sees a file change under it (the same
text embedded in another batch may differ in its last bits: without this, writer A's data could
end up under writer B's seal and be quarantined as damaged). The lock is held only to commit
(renames and a small JSON file) and to quarantine, never while computing; reading needs no lock.
The lock file also holds a commit counter: each seal records its number, and a key stored in
two chunks (two jobs computed it concurrently in different batches) is always read from the
chunk committed first, so a job that read a value never sees another one later, and every
process reads the same value. A POSIX lock was chosen over a lock-free scheme because renaming
several files and a seal cannot be made atomic without it in this layout, and over ``flock``
because POSIX locks are the ones NFS implements between clients (NLM for NFSv3, built into
NFSv4; Linux only emulates ``flock`` with them there); taking a lock also makes an NFS client
revalidate the locked file, so the counter kept inside it is coherent across machines. Within a
process the lock is reentrant and excludes threads too (POSIX locks alone do neither). Do not
delete ``.lock`` while jobs run.

Every chunk is verified against its seal on its first read in a process (one sequential read
of its files). A chunk that fails (flipped bytes, a truncated or missing file, an unreadable
seal) is never read: :func:`quarantine_chunk` re-checks it under the lock (another job may have
moved it aside or committed it afresh meanwhile) and only then moves its files into
``damaged/`` beside it (never deleting them, for a post-mortem), logs one warning, and the
cache recomputes its values.

Data files without a seal were left by a job killed while committing, by a code version that
wrote no seals, or lost their seal. None is ever read: nothing can vouch for its bytes, and a
cache is recomputable by definition. Once older than :data:`UNSEALED_GRACE_SECONDS` (for
writers of older versions, which took no lock) they are quarantined like damaged chunks, under
the lock, so a chunk being committed is never taken for one. A cache written before seals
existed is therefore recomputed once, and its files kept under ``damaged/``.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from crossrank.core.io import current_umask, file_sha256, publish, write_json

log = logging.getLogger("crossrank")

SEAL_SUFFIX = ".sha256"
DAMAGED_DIRECTORY = "damaged"
LOCK_FILE = ".lock"
# Unsealed data files younger than this may belong to a writer of an older version (which took
# no lock) that is still writing them: leave them alone.
UNSEALED_GRACE_SECONDS = 3600.0


def text_key(text: str) -> bytes:
    """Cache key of one exact model input, as 64 hex bytes (SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest().encode("ascii")


def fingerprint_directory(root: str | os.PathLike[str], fingerprint: dict[str, Any]) -> Path:
    """The directory of one fingerprint under ``root``, created with its ``fingerprint.json`` (written once, never replaced)."""
    key = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:20]
    directory = Path(root) / key
    directory.mkdir(parents=True, exist_ok=True)  # safe when two jobs create it at once
    spec = directory / "fingerprint.json"
    if not spec.exists():
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".fingerprint.json.", suffix=".tmp")
        os.close(fd)
        try:
            write_json(tmp, fingerprint)
            os.chmod(tmp, 0o666 & ~current_umask())
            with contextlib.suppress(FileExistsError):  # another job created it first: same bytes, keep theirs
                os.link(tmp, spec)
        finally:
            os.unlink(tmp)
    return directory


class _ProcessLock:
    """This process's hold on one directory's lock: a reentrant mutex for its threads, the lock file's descriptor, a depth."""

    def __init__(self) -> None:
        self.mutex = threading.RLock()
        self.fd = -1
        self.depth = 0


_LOCKS: dict[str, _ProcessLock] = {}
_LOCKS_GUARD = threading.Lock()


def _forget_locks_after_fork() -> None:
    """A forked child holds no POSIX lock of its parent's (they are not inherited): start afresh."""
    global _LOCKS_GUARD
    _LOCKS.clear()
    _LOCKS_GUARD = threading.Lock()


os.register_at_fork(after_in_child=_forget_locks_after_fork)


@contextlib.contextmanager
def directory_lock(directory: str | os.PathLike[str]) -> Iterator[int]:
    """Hold ``directory``'s exclusive lock (``.lock``, a POSIX record lock) for the block; yield the lock file's descriptor.

    Reentrant within a process and exclusive between its threads. Blocks until other holders,
    on this or another machine, release it.
    """
    key = os.path.abspath(directory)
    with _LOCKS_GUARD:
        held = _LOCKS.setdefault(key, _ProcessLock())
    with held.mutex:
        if held.depth == 0:
            fd = os.open(os.path.join(key, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
            held.fd = fd
        held.depth += 1
        try:
            yield held.fd
        finally:
            held.depth -= 1
            if held.depth == 0:
                fd, held.fd = held.fd, -1
                try:
                    fcntl.lockf(fd, fcntl.LOCK_UN)
                finally:
                    os.close(fd)


def _next_commit(lock_fd: int) -> int:
    """Take the next commit number from the counter kept in the (held) lock file."""
    text = os.pread(lock_fd, 32, 0).decode("ascii", "replace").strip()
    number = (int(text) if text.isdigit() else 0) + 1
    os.pwrite(lock_fd, f"{number}\n".encode("ascii"), 0)  # numbers only grow: never shorter than the last
    os.fsync(lock_fd)
    return number


def chunk_name(keys: Sequence[bytes]) -> str:
    """The file stem of a chunk holding ``keys``: equal keys, equal name."""
    return hashlib.sha256(b"".join(keys)).hexdigest()[:24]


def key_shard(key: bytes, shards: int) -> int:
    """The shard that computes a value: by its key, so each distinct input is computed by one job only."""
    return int(key[:12], 16) % shards


def write_sealed_chunk(directory: Path, chunk: str, writers: Mapping[str, Callable[[Path], None]]) -> int | None:
    """Write one chunk, write-once: each ``{chunk}{suffix}`` by its writer (given a temporary path), then the seal, last.

    Each file is written and hashed privately first, so the seal records exactly the bytes this
    job wrote; then, under the directory's lock, unless a chunk of that name is already sealed
    and intact, the files are renamed into place and sealed. Returns the chunk's commit number,
    or None when an intact chunk of that name was there already (then nothing was written: keep
    reading that one).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        files: dict[str, dict[str, Any]] = {}
        for suffix, write in writers.items():
            target = directory / f"{chunk}{suffix}"
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=target.suffix)
            os.close(fd)
            staged.append((Path(tmp), target))
            write(Path(tmp))
            files[suffix] = {"bytes": Path(tmp).stat().st_size, "sha256": file_sha256(tmp)}
        seal = directory / f"{chunk}{SEAL_SUFFIX}"
        with directory_lock(directory) as lock:
            if seal.exists():
                problem = chunk_problem(directory, chunk, tuple(writers))
                if problem is None:
                    return None
                quarantine(directory / chunk, chunk_files(directory, chunk, tuple(writers)), problem)
            number = _next_commit(lock)
            for tmp, target in staged:
                publish(tmp, target)  # unsealed files of that name are orphans nobody reads: replacing them is safe
            staged.clear()
            write_json(seal, {"commit": number, "files": files})
            return number
    finally:
        for tmp, _target in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def sealed_chunks(directory: Path) -> list[str]:
    """The names of the chunks in ``directory`` that carry a seal, sorted (temporary files excluded)."""
    return sorted(p.name[: -len(SEAL_SUFFIX)] for p in directory.glob(f"*{SEAL_SUFFIX}") if not p.name.startswith("."))


def chunk_verdict(directory: Path, chunk: str, suffixes: Sequence[str]) -> tuple[str | None, int]:
    """What is wrong with a chunk's ``suffixes`` files compared with its seal (None when every file matches), and its commit number.

    Sizes are compared first (a truncated file is named as such without hashing it), then
    digests. The commit number is 0 for a seal written before seals recorded one (such a chunk
    was committed before any numbered one).
    """
    seal = directory / f"{chunk}{SEAL_SUFFIX}"
    try:
        record = json.loads(seal.read_text(encoding="utf-8"))
        files = record["files"]
        expected = {suffix: (int(files[suffix]["bytes"]), str(files[suffix]["sha256"])) for suffix in suffixes}
        commit = int(record.get("commit", 0))
    except FileNotFoundError:
        return f"its seal {seal.name} is missing", 0
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        return f"its seal {seal.name} is unreadable ({type(error).__name__}: {error})", 0
    for suffix, (size, sha256) in expected.items():
        path = directory / f"{chunk}{suffix}"
        try:
            found = path.stat().st_size
            if found != size:
                return f"{path.name} has {found} bytes, its seal says {size} (truncated or overwritten)", commit
            if file_sha256(path) != sha256:
                return f"{path.name} does not match the SHA-256 in its seal (its bytes changed after it was written)", commit
        except FileNotFoundError:
            return f"{path.name} is missing", commit
    return None, commit


def chunk_problem(directory: Path, chunk: str, suffixes: Sequence[str]) -> str | None:
    """What is wrong with a chunk's files compared with its seal, or None when every file matches."""
    return chunk_verdict(directory, chunk, suffixes)[0]


def chunk_files(directory: Path, chunk: str, suffixes: Sequence[str]) -> list[Path]:
    """Every file of one chunk: its data files and its seal (whether or not they exist)."""
    return [directory / f"{chunk}{suffix}" for suffix in (*suffixes, SEAL_SUFFIX)]


def quarantine(entry: Path, paths: Sequence[Path], problem: str) -> Path | None:
    """Move a damaged cache entry's ``paths`` into ``damaged/`` beside them and log one warning.

    ``entry`` names the entry in the warning (a chunk's stem, an index directory). Each call gets
    a folder of its own (``damaged/<entry>.<time>.<unique>``), so nothing is ever overwritten or
    deleted; a file another job has already moved aside is skipped. Returns the folder, or None
    when the entry could not be moved (a read-only cache): the caller must then skip it itself.
    Callers that share the entry with other jobs hold the directory's lock and re-check first
    (:func:`quarantine_chunk`).
    """
    moved: list[str] = []
    try:
        damaged = entry.parent / DAMAGED_DIRECTORY
        damaged.mkdir(exist_ok=True)
        target = Path(tempfile.mkdtemp(dir=damaged, prefix=f"{entry.name}.{time.strftime('%Y%m%dT%H%M%S')}."))
        for path in paths:
            try:
                os.replace(path, target / path.name)
                moved.append(path.name)
            except FileNotFoundError:
                continue
    except OSError as error:
        log.warning(
            "%s: damaged cache entry (%s); it could not be moved aside (%s: %s), so this job ignores it and recomputes it. "
            "Fix: delete it by hand.",
            entry,
            problem,
            type(error).__name__,
            error,
        )
        return None
    log.warning(
        "%s: damaged cache entry (%s); moved %s to %s. It will be recomputed; nothing to do unless this recurs (then check the disk).",
        entry,
        problem,
        ", ".join(moved) or "nothing (another job already did)",
        target,
    )
    return target


class Quarantined(enum.Enum):
    """What :func:`quarantine_chunk` found under the lock."""

    MOVED = "moved"  # still damaged: moved aside now
    GONE = "gone"  # no seal any more: another job moved it aside
    INTACT = "intact"  # it verifies now: another job committed it afresh meanwhile
    STUCK = "stuck"  # damaged but could not be moved (a read-only cache): skip it


def quarantine_chunk(directory: Path, chunk: str, suffixes: Sequence[str], problem: str, recheck: Callable[[], str | None]) -> Quarantined:
    """Move a chunk found damaged (``problem``) aside, unless, re-checked under the lock, it is gone or intact now.

    ``recheck`` is the caller's full verification of the chunk (None: intact). Without the
    lock, two jobs that found one chunk damaged would both move it (the second one maybe moving
    a chunk a third job had just recommitted, intact).
    """
    seal = directory / f"{chunk}{SEAL_SUFFIX}"
    try:
        with directory_lock(directory):
            if not seal.exists():
                return Quarantined.GONE
            now = recheck()
            if now is None:
                return Quarantined.INTACT
            moved = quarantine(directory / chunk, chunk_files(directory, chunk, suffixes), now)
    except OSError as error:  # no lock on a read-only cache
        log.warning(
            "%s: damaged cache entry (%s); it could not be locked (%s: %s), so this job ignores it.",
            directory / chunk,
            problem,
            type(error).__name__,
            error,
        )
        return Quarantined.STUCK
    return Quarantined.STUCK if moved is None else Quarantined.MOVED


def _unsealed_stems(directory: Path, suffixes: Sequence[str], grace: float) -> dict[str, list[Path]]:
    """The stems of data files no seal vouches for, with their files, whose newest file is older than ``grace`` seconds."""
    sealed = set(sealed_chunks(directory))
    now = time.time()
    stems: set[str] = set()
    for suffix in suffixes:
        for path in directory.glob(f"*{suffix}"):
            stem = path.name[: -len(suffix)]
            if not path.name.startswith(".") and stem not in sealed:
                stems.add(stem)
    found: dict[str, list[Path]] = {}
    for stem in sorted(stems):
        present = [path for path in chunk_files(directory, stem, suffixes) if path.exists()]
        try:
            newest = max(path.stat().st_mtime for path in present)
        except (ValueError, FileNotFoundError):
            continue  # moved or sealed meanwhile
        if now - newest >= grace:
            found[stem] = present
    return found


def quarantine_unsealed(directory: Path, suffixes: Sequence[str], grace: float | None = None) -> None:
    """Quarantine the data files of ``directory`` that no seal vouches for and that are older than ``grace`` seconds.

    Candidates are found without the lock (the common case: none), then found again under it,
    so a chunk another job is committing (data renamed, seal not yet written) is never moved.
    """
    grace = UNSEALED_GRACE_SECONDS if grace is None else grace
    if not _unsealed_stems(directory, suffixes, grace):
        return
    try:
        with directory_lock(directory):
            for stem, present in _unsealed_stems(directory, suffixes, grace).items():
                quarantine(directory / stem, present, "no seal: written by an older version, or its job was killed before sealing it")
    except OSError as error:  # no lock on a read-only cache: leave them, they are never read
        log.warning("%s: unsealed cache files were left in place (%s: %s); they are never read.", directory, type(error).__name__, error)
