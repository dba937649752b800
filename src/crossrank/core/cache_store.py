"""The layout shared by the content-addressed caches (embeddings, translations).

A cache lives in one directory per fingerprint: the settings that determine its values (model
identity, revision, generation or pooling settings), hashed into the directory name and kept
readable in ``fingerprint.json``. Inside, values are stored in immutable chunks named after the
hash of their keys, each written to a temporary file and renamed, so a chunk is visible only
once complete and two jobs writing the same values never collide.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crossrank.core.io import write_json


def text_key(text: str) -> bytes:
    """Cache key of one exact model input, as 64 hex bytes (SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest().encode("ascii")


def fingerprint_directory(root: str | os.PathLike[str], fingerprint: dict[str, Any]) -> Path:
    """The directory of one fingerprint under ``root``, created with its ``fingerprint.json``."""
    key = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:20]
    directory = Path(root) / key
    directory.mkdir(parents=True, exist_ok=True)
    spec = directory / "fingerprint.json"
    if not spec.exists():
        write_json(spec, fingerprint)
    return directory


def chunk_name(keys: Sequence[bytes]) -> str:
    """The file stem of a chunk holding ``keys``: equal keys, equal name."""
    return hashlib.sha256(b"".join(keys)).hexdigest()[:24]


def key_shard(key: bytes, shards: int) -> int:
    """The shard that computes a value: by its key, so each distinct input is computed by one job only."""
    return int(key[:12], 16) % shards
