"""Checks on the settings blocks of the released datasets, shared by their protocols."""

from __future__ import annotations

import string
from collections.abc import Collection, Sequence

from crossrank.config import ConfigError


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
