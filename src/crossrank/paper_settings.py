"""Every setting the paper states, beside the pipeline's keys: ``docs/paper-settings.md``, generated.

The params schema carries the paper's side of each setting it configures, as an ``x-paper``
annotation on the key (a mapping, or a list of them for keys inside the encoder registry)::

    x-paper:
      group: HNSW                # section of the table (one of GROUPS)
      paper: ef = 50              # what the paper says, in words
      source: "App. E"            # where: section, appendix or table
      literal: 50                 # optional: the value of this key that reproduces the paper
      deviation: ...              # optional: why the paper overlay keeps another value than ``literal``
      note: ...                   # optional: ambiguity, contradiction, or what ours does instead
      key: encoders.xlmr.model    # optional: the key, where the annotated node is not itself one

Settings the paper states but no stage configures yet (fine-tuning, cross-encoders) are listed
at the schema's top level under ``x-paper-pending``. The table shows, per setting, the paper's
value and source, the key, the default (``params.yaml``) and the paper overlay's value
(``params.yaml`` merged with ``workflow/overlays/paper.yaml``, as ``--configfiles`` merges
them). Run ``python -m crossrank.paper_settings`` after changing any of them; a test fails when
the committed table is stale, lacks an annotated key or lists one the schema does not annotate.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from crossrank.config import fill_defaults, merge_overlays
from crossrank.core.io import atomic_write
from crossrank.core.markdown import markdown

GROUPS = (
    "Datasets and sampling",
    "Truncation",
    "Translation",
    "BM25",
    "Encoders",
    "HNSW",
    "Metrics",
    "Fine-tuning",
    "Cross-encoder",
    "Fusion",
    "Linguistic analysis",
)
FIELDS = {"group", "paper", "source", "literal", "deviation", "note", "key"}
PENDING_KEY = "(not yet a setting)"
TABLE = Path("docs/paper-settings.md")
_MISSING = object()


@dataclass(frozen=True)
class PaperSetting:
    """One setting the paper states: its value and source, and the key that configures it (None: none yet)."""

    group: str
    key: str | None
    paper: str
    source: str
    literal: Any = _MISSING
    deviation: str = ""
    note: str = ""

    @property
    def has_literal(self) -> bool:
        """Whether a value of the key reproduces the paper."""
        return self.literal is not _MISSING


def paper_settings(schema: Mapping[str, Any]) -> list[PaperSetting]:
    """The schema's ``x-paper`` annotations and pending settings, in schema order; raises ValueError on a malformed one."""
    found = [_setting(entry, path) for path, entry in _annotations(schema, ())]
    found += [_setting(entry, None) for entry in schema.get("x-paper-pending", [])]
    return found


def _annotations(node: Mapping[str, Any], path: tuple[str, ...]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    notes = node.get("x-paper")
    if notes is not None:
        for entry in notes if isinstance(notes, list) else [notes]:
            yield ".".join(path), entry
    for name, child in node.get("properties", {}).items():
        yield from _annotations(child, (*path, name))


def _setting(entry: Mapping[str, Any], path: str | None) -> PaperSetting:
    where = path or "x-paper-pending"
    unknown = set(entry) - FIELDS
    if unknown or not {"group", "paper", "source"} <= set(entry):
        raise ValueError(f"x-paper of {where!r}: needs group, paper and source, and only {sorted(FIELDS)}; got {sorted(entry)}")
    if entry["group"] not in GROUPS:
        raise ValueError(f"x-paper of {where!r}: group {entry['group']!r} is not one of {list(GROUPS)}")
    if "deviation" in entry and "literal" not in entry:
        raise ValueError(f"x-paper of {where!r}: a deviation needs the literal value it deviates from")
    key = entry.get("key", path) if path is not None else None
    return PaperSetting(
        group=entry["group"],
        key=key,
        paper=str(entry["paper"]),
        source=str(entry["source"]),
        literal=entry.get("literal", _MISSING),
        deviation=entry.get("deviation", ""),
        note=entry.get("note", ""),
    )


def value_at(config: Mapping[str, Any], key: str) -> Any:
    """The value of a dotted key (``ann.ef_search``); raises KeyError naming the key when it is absent."""
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(f"params has no key {key!r}")
        node = node[part]
    return node


def overlay_differences(settings: Sequence[PaperSetting], overlaid: Mapping[str, Any]) -> list[str]:
    """Problems: a key whose paper overlay value is not the paper's literal one and says no deviation, or the reverse."""
    problems = []
    for setting in settings:
        if setting.key is None or not setting.has_literal:
            continue
        value = value_at(overlaid, setting.key)
        if value != setting.literal and not setting.deviation:
            problems.append(f"{setting.key}: the paper overlay has {value!r}, the paper {setting.literal!r}, and no deviation is stated")
        if value == setting.literal and setting.deviation:
            problems.append(f"{setting.key}: the paper overlay has the paper's value {value!r}, but a deviation is stated")
    return problems


def render(settings: Sequence[PaperSetting], defaults: Mapping[str, Any], overlaid: Mapping[str, Any]) -> str:
    """``docs/paper-settings.md``: one table per group, a row per setting."""
    lines = [
        "# The paper's settings and the pipeline's keys",
        "",
        "Generated by `python -m crossrank.paper_settings` from the `x-paper` annotations of",
        "`workflow/schemas/params.schema.yaml`; do not edit by hand. *Default* is `params.yaml`, *paper overlay*",
        "is `params.yaml` with `workflow/overlays/paper.yaml` on top. Where the overlay keeps a value other than",
        "the paper's, the note says why (**overlay differs**); every such key is one line of an overlay away.",
    ]
    for group in GROUPS:
        rows = [s for s in settings if s.group == group]
        if not rows:
            continue
        cells = [
            (
                f"`{s.key}`" if s.key else PENDING_KEY,
                _escape(s.paper),
                _escape(s.source),
                _shown(defaults, s.key),
                _shown(overlaid, s.key),
                _escape(_note(s)),
            )
            for s in rows
        ]
        frame = pd.DataFrame(cells, columns=["key", "paper", "source", "default", "paper overlay", "note"])
        lines += ["", f"## {group}", "", markdown(frame, cell=lambda value, _column: str(value))]
    return "\n".join(lines) + "\n"


def table_keys(text: str) -> list[str]:
    """The keys listed in a rendered table (first column, backquoted)."""
    keys = []
    for line in text.splitlines():
        cell = line.split("|")[1].strip() if line.startswith("| `") else ""
        if cell.startswith("`") and cell.endswith("`"):
            keys.append(cell.strip("`"))
    return keys


def table_problems(settings: Sequence[PaperSetting], text: str) -> list[str]:
    """Keys the schema annotates that a rendered table lacks, and keys it lists that the schema does not annotate."""
    annotated = [s.key for s in settings if s.key is not None]
    listed = table_keys(text)
    problems = [f"the schema annotates {key!r} with x-paper, but the table lacks it" for key in annotated if key not in listed]
    problems += [f"the table lists {key!r}, which no x-paper annotation of the schema names" for key in listed if key not in annotated]
    return problems


def _note(setting: PaperSetting) -> str:
    if setting.deviation:
        return f"**overlay differs** (paper: {_compact(setting.literal)}): {setting.deviation}" + (
            f"; {setting.note}" if setting.note else ""
        )
    return setting.note


def _shown(config: Mapping[str, Any], key: str | None) -> str:
    if key is None:
        return "—"
    try:
        return f"`{_escape(_compact(value_at(config, key)))}`"
    except KeyError:
        return "—"


def _compact(value: Any) -> str:
    """A value as one line of YAML flow style (``[ar, de]``, ``null``, ``""``)."""
    if isinstance(value, str) and value and "\n" not in value:
        return value
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6).strip().removesuffix("...").strip()


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def load(root: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The schema, the defaults and the paper overlay's configuration of a project checkout."""
    schema = yaml.safe_load((root / "workflow/schemas/params.schema.yaml").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    overlay = yaml.safe_load((root / "workflow/overlays/paper.yaml").read_text(encoding="utf-8"))
    overlaid = merge_overlays(defaults, overlay)
    fill_defaults(defaults, schema)
    fill_defaults(overlaid, schema)
    return schema, defaults, overlaid


def main(argv: Sequence[str] | None = None) -> None:
    """Write (or, with --check, compare) ``docs/paper-settings.md`` of the project in the current directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project directory (default: the current one)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed table is stale")
    args = parser.parse_args(argv)
    schema, defaults, overlaid = load(args.root)
    settings = paper_settings(schema)
    problems = overlay_differences(settings, overlaid)
    if problems:
        raise SystemExit("workflow/overlays/paper.yaml and the x-paper annotations disagree:\n  " + "\n  ".join(problems))
    text = render(settings, defaults, overlaid)
    path = args.root / TABLE
    if args.check:
        committed = path.read_text(encoding="utf-8") if path.is_file() else ""
        if committed != text:
            details = "".join(f"\n  {problem}" for problem in table_problems(settings, committed))
            raise SystemExit(f"{TABLE} is stale.{details}\nFix: run `python -m crossrank.paper_settings` and commit it.")
        return
    with atomic_write(path) as handle:
        handle.write(text)
    print(f"wrote {path} ({len(settings)} settings)")


if __name__ == "__main__":
    main()
