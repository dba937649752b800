"""The settings blocks of the released datasets: how they are built from params.yaml and checked."""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from crossrank.core.errors import ConfigError


class ReleaseSettings:
    """Base of the protocols' frozen dataclasses: a ``root`` directory plus one field per params key."""

    def check(self) -> None:
        """Raise ConfigError for settings the protocol cannot use."""

    @classmethod
    def from_params(cls, params: Mapping[str, Any], root: str | Path) -> Self:
        """Build from the dataset's ``params.yaml`` block and validate; keys the protocol does not read
        (``source``, ``root``, ``translation``) are ignored."""
        fields = set(cls.__dataclass_fields__) - {"root"}  # type: ignore[attr-defined]
        values = {key: (tuple(value) if key == "languages" else value) for key, value in params.items() if key in fields}
        settings = cls(root=Path(root), **values)  # type: ignore[call-arg]
        settings.check()
        return settings


def check_languages(dataset: str, languages: Sequence[str], known: Collection[str], key: str = "languages") -> None:
    """Raise :class:`ConfigError` naming the key and the accepted codes if a language code is unknown."""
    unknown = [code for code in languages if code not in known]
    if unknown:
        raise ConfigError(
            f"params.yaml '{dataset}.{key}': unknown language code(s) {unknown} for {dataset}. "
            f"Fix: use codes of this dataset: {', '.join(sorted(known))}."
        )
    if len(set(languages)) != len(languages):
        raise ConfigError(f"params.yaml '{dataset}.{key}': languages {list(languages)} repeat a code. Fix: list each language once.")


def check_template(dataset: str, key: str, template: str, allowed: Collection[str], required: Collection[str] = ()) -> None:
    """Raise :class:`ConfigError` if a file template uses a placeholder outside ``allowed`` or lacks a ``required`` one."""
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ConfigError(f"params.yaml '{dataset}.{key}': template {template!r} is malformed ({error}). Fix the braces.") from None
    unknown, missing = used - set(allowed), set(required) - used
    if unknown or missing:
        raise ConfigError(
            f"params.yaml '{dataset}.{key}': template {template!r} "
            + (f"uses unknown placeholders {sorted(unknown)}; " if unknown else "")
            + (f"lacks the placeholders {sorted(missing)}; " if missing else "")
            + f"it may use {sorted('{' + p + '}' for p in allowed)}. Fix the template."
        )
