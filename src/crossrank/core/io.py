"""Atomic file writing and strict TSV reading.

Every artifact is written to a temporary sibling and renamed into place, so an interrupted
job never leaves a half-written file that a later run could mistake for a finished one.
Readers report malformed input as :class:`InputError` naming the file, the line and a fix.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from crossrank.core.errors import InputError

HASH_BLOCK = 1 << 23  # bytes per read while hashing or counting a file (8 MiB)


def current_umask() -> int:
    """The process umask (read by setting and restoring it): what permissions a plain `open` would give."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def publish(tmp: str | os.PathLike[str], target: str | os.PathLike[str], directory: bool = False) -> None:
    """Give a finished temporary file (or directory) normal permissions and rename it into place.

    ``mkstemp``/``mkdtemp`` create private (0600/0700) files; results are shared, so they get
    the permissions an ordinary ``open`` would give under the current umask.
    """
    os.chmod(tmp, (0o777 if directory else 0o666) & ~current_umask())
    os.replace(tmp, target)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file next to ``path`` and rename it over ``path`` on success only."""
    text = "b" not in mode
    with (
        atomic_path(path, suffix=".tmp") as tmp,
        open(tmp, mode, encoding=encoding if text else None, newline="" if text else None) as handle,
    ):
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` (for libraries that write files themselves); rename it over ``path`` on success.

    ``suffix`` of the temporary name defaults to the target's, for libraries that insist on one (``np.save``).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix if suffix is None else suffix)
    os.close(fd)
    try:
        yield Path(tmp_name)
        publish(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty temporary directory next to ``path``; on success it replaces ``path`` (and whatever was in it) whole."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        yield staging
        if target.exists():
            shutil.rmtree(target)
        publish(staging, target, directory=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@contextlib.contextmanager
def all_or_nothing(paths: Iterable[str | os.PathLike[str]]) -> Iterator[None]:
    """Remove every one of ``paths`` if the block fails, so a step never leaves part of its outputs.

    Each file is written atomically on its own; this makes the set of them atomic too: a job
    that fails after writing three of its six outputs leaves none.
    """
    paths = [Path(p) for p in paths]
    try:
        yield
    except BaseException:
        for path in paths:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        raise


def file_blocks(path: str | os.PathLike[str], size: int = HASH_BLOCK) -> Iterator[bytes]:
    """The bytes of a file in sequential blocks (constant memory): the one reader for hashing and counting."""
    with open(path, "rb") as handle:
        while block := handle.read(size):
            yield block


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    for block in file_blocks(path):
        digest.update(block)
    return digest.hexdigest()


def write_tsv(
    path: str | os.PathLike[str], rows: Sequence[Sequence[object]] | Iterator[Sequence[object]], header: Sequence[str] | None = None
) -> None:
    """Write tab-separated rows atomically; fields must not contain tabs or newlines."""
    with atomic_write(path) as handle:
        if header is not None:
            handle.write("\t".join(header) + "\n")
        for row in rows:
            fields = [str(field) for field in row]
            for field in fields:
                if "\t" in field or "\n" in field or "\r" in field:
                    raise ValueError(f"{path}: field {field[:40]!r} contains a tab or newline")
            handle.write("\t".join(fields) + "\n")


def write_json(path: str | os.PathLike[str], value: Any) -> None:
    """Write ``value`` as JSON atomically: keys sorted, indented, one final newline (the same bytes for the same value)."""
    with atomic_write(path) as handle:
        json.dump(value, handle, indent=2, sort_keys=True)
        handle.write("\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    """A JSON file's value; a file that is not JSON stops with its path and line."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(path, f"is not valid JSON ({error.msg}).", line=error.lineno, fix="re-run the step that writes it.") from None


GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"


def _raw_lines(path: Path, fix: str) -> Iterator[tuple[int, bytes]]:
    """``(line_number, bytes)`` of a file, gunzipped when it is gzip (by its magic bytes, not its name).

    A missing, unreadable or truncated file and a leading UTF-8 byte-order mark are handled
    here, so every reader reports them as one InputError.
    """
    if not path.is_file():
        raise InputError(path, "file not found." if not path.exists() else "is not a file.", fix=fix)
    number = 0
    try:
        with open(path, "rb") as probe:
            compressed = probe.read(2) == GZIP_MAGIC
        with (gzip.open if compressed else open)(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                yield number, (raw[len(UTF8_BOM) :] if number == 1 and raw.startswith(UTF8_BOM) else raw)
    except (OSError, EOFError, zlib.error) as error:
        message = f"cannot be read after line {number} ({type(error).__name__}: {error})."
        raise InputError(path, message, fix="re-download it; it is damaged or truncated.") from None


def read_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, str]]:
    """``(line_number, text)`` of a UTF-8 file, gzip-compressed or not.

    Streams (constant memory); a byte sequence that is not UTF-8 is an InputError naming the line.
    """
    path = Path(path)
    for number, raw in _raw_lines(path, "check the path (params.yaml) or re-run the step that produces it."):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                path, f"not valid UTF-8 ({error.reason} at byte {error.start}).", line=number, fix="re-encode the file as UTF-8."
            ) from None


def scan_keyed_tsv(
    path: str | os.PathLike[str], columns: Sequence[str], wanted: Collection[str] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` of a headerless TSV whose first column is an id, for wanted ids only.

    Built for releases of millions of lines (mMARCO collections, Wikipedia dumps): a line whose
    id is not in ``wanted`` is only checked for a tab and never decoded, so scanning costs little
    more than reading the bytes and memory stays flat. Wanted lines are decoded (UTF-8) and must
    have at least ``len(columns)`` fields; tabs beyond that belong to the last column (a text).
    Ids are compared without surrounding spaces. ``wanted=None`` yields every line.
    """
    path = Path(path)
    keys = None if wanted is None else {key.encode("utf-8") for key in wanted}
    shape = "<TAB>".join(columns)
    for number, raw in _raw_lines(path, "check the dataset directory and file templates in params.yaml."):
        key, tab, _ = raw.partition(b"\t")
        if not tab:
            if raw.strip():
                raise InputError(path, f"expected '{shape}', found no tab.", line=number, fix="re-download the file; it may be truncated.")
            continue
        if keys is not None and key.strip() not in keys:
            continue
        try:
            line = raw.decode("utf-8").rstrip("\n").rstrip("\r")
        except UnicodeDecodeError as error:
            raise InputError(
                path, f"not valid UTF-8 ({error.reason} at byte {error.start}).", line=number, fix="re-encode the file as UTF-8."
            ) from None
        fields = line.split("\t", len(columns) - 1)
        if len(fields) != len(columns):
            raise _field_count_error(path, columns, len(fields), number, "re-download the file.")
        fields[0] = fields[0].strip()
        yield number, fields


def read_tsv(path: str | os.PathLike[str], columns: Sequence[str], header: bool = False) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` of a TSV file, checking the column count on every line.

    With ``header=True`` the first line must name exactly ``columns``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found.", fix="check the path or re-run the step that produces it.")
    for number, raw in read_lines(path):
        line = raw.rstrip("\n").rstrip("\r")
        fields = line.split("\t")
        if number == 1 and header:
            if fields != list(columns):
                raise InputError(
                    path, f"header is {fields!r}, expected {list(columns)!r}.", line=1, fix="regenerate the file with the current code."
                )
            continue
        if not line:
            continue
        if len(fields) != len(columns):
            raise _field_count_error(path, columns, len(fields), number, "remove stray tabs or newlines inside fields.")
        yield number, fields


def _field_count_error(path: Path, columns: Sequence[str], found: int, line: int, fix: str) -> InputError:
    return InputError(path, f"expected {len(columns)} tab-separated fields '{'<TAB>'.join(columns)}', found {found}.", line=line, fix=fix)


def read_trec_rows(path: str | os.PathLike[str], layout: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` of a whitespace-separated TREC file (qrels or run).

    ``layout`` names the expected fields, e.g. ``"qid 0 docid rel"``; every line must have
    exactly that many.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found.", fix="run the step that produces it first.")
    expected = len(layout.split())
    for number, line in read_lines(path):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != expected:
            raise InputError(path, f"expected {expected} fields '{layout}', found {len(fields)}.", line=number)
        yield number, fields
