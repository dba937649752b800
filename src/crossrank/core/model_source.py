"""Where a model's weights come from, and a name for their content that cache keys can use.

``model`` in ``params.yaml`` is a Hugging Face id (loaded at the pinned ``revision``), a local
directory, or ``package:<module>`` for a Python package that ships weights and exposes
``get_model_path()`` (the offline demo encoder). Encoders and translation models share this.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from pathlib import Path

from crossrank.core.io import file_blocks

PACKAGE_PREFIX = "package:"


def resolve_model(model: str) -> tuple[str, str]:
    """Return ``(path_or_hub_id, identity)`` for a model reference.

    ``identity`` names the weights' content for cache keys: a local directory or a packaged
    model is identified by a hash of its files, a hub model by its id (plus the revision the
    caller records), so retraining a local model invalidates what was cached from it.
    """
    if model.startswith(PACKAGE_PREFIX):
        module_name = model[len(PACKAGE_PREFIX) :]
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise ValueError(f"model {model!r}: the Python package {module_name!r} is not installed ({error}).") from None
        path = Path(module.get_model_path())
        return str(path), f"{model}@{_directory_digest(path)}"
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path), f"local@{_directory_digest(path)}"
    return model, model


def model_problem(model: str) -> str | None:
    """Why ``model`` cannot be loaded, where that is knowable without the network (None otherwise).

    A ``package:`` module must be installed; a reference that reads as a local path (absolute,
    ``./``, ``../``, ``~``, or more than one ``/``: a hub id is ``org/name``) must be a directory.
    A hub id is not checked here: only loading it can tell.
    """
    if model.startswith(PACKAGE_PREFIX):
        module_name = model[len(PACKAGE_PREFIX) :]
        if not module_name or importlib.util.find_spec(module_name.split(".")[0]) is None:
            return f"the Python package {module_name!r} is not installed (pip install it, or name another model)"
        return None
    looks_local = model.startswith(("/", "./", "../", "~")) or model.count("/") > 1
    if looks_local and not Path(model).expanduser().is_dir():
        return f"the local directory {model!r} does not exist (put the model there, or name a hub id such as org/name)"
    return None


def _directory_digest(path: Path) -> str:
    """Content hash of every file in a model directory (names and bytes)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        for block in file_blocks(file):
            digest.update(block)
    return digest.hexdigest()[:16]
