"""The findings report (``results/report.md``): every table and figure of the paper this run covers, the paper's
published numbers beside ours, and each of the paper's findings with a verdict decided from this run.

The report is assembled from the files the pipeline already wrote (tables as CSV/Markdown, figures
as PNG) and from :mod:`crossrank.report.findings`; what an item shows is described by the plan
(:meth:`crossrank.plan.Plan.report_items`): its files, or the setting that would enable it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from crossrank.core.markdown import markdown
from crossrank.report.annotate import (
    MARK,
    Uncertainty,
    ann_cells,
    best_cells,
    finetuning_cells,
    fusion_cells,
    reranking_cells,
    translation_cells,
)
from crossrank.report.findings import FINDINGS, Evidence, verdicts
from crossrank.report.paper_beside import beside
from crossrank.report.paper_results import paper_rows

VERDICT_MARKS = {"supported": "✅ supported", "not supported": "❌ not supported", "not applicable": "➖ not applicable"}


def _relative(path: str, report_dir: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), report_dir.resolve())).as_posix()


def _demoted(text: str) -> str:
    """A Markdown file's text with its headings pushed below the report's own (``#`` -> ``####``)."""
    return re.sub(r"^(#+) ", lambda m: "###" + m.group(1) + " ", text.strip(), flags=re.MULTILINE)


def _annotated(kind: str, csv_path: str | None, evidence: Evidence, uncertainty: Uncertainty, settings: Mapping[str, Any]) -> str:
    if kind == "fusion":
        return markdown(fusion_cells(evidence.metrics, uncertainty, settings["metric"]))
    table = pd.read_csv(str(csv_path), keep_default_na=False, na_values=[""])
    if kind == "table3":
        shown = translation_cells(table, uncertainty, settings["metric"])
    elif kind == "table4":
        shown = finetuning_cells(table, uncertainty, settings["metric"])
    elif kind == "table5":
        shown = best_cells(table, uncertainty, settings["metric"])
    elif kind == "table7":
        shown = ann_cells(table, uncertainty, settings["metric"])
    else:
        shown = reranking_cells(table, uncertainty, list(settings["rerank_metrics"]))
    return markdown(shown)


def _paper_block(refs: Sequence[str], paper: pd.DataFrame, evidence: Evidence, settings: Mapping[str, Any]) -> list[str]:
    lines = []
    for ref in refs:
        rows = paper_rows(paper, ref)
        if rows.empty:
            lines.append(f"*The paper's {ref}* is a figure: its numbers are not printed, so there is none to set beside ours.")
            continue
        ours_datasets = sorted(set(rows["dataset"]) & set(evidence.datasets))
        where = (
            f"ours beside them on {', '.join(ours_datasets)}" if ours_datasets else "ours: — (this run has none of the paper's datasets)"
        )
        table = beside(rows, evidence, settings.get("feature_groups", {}))
        lines += [
            f'<details markdown="1"><summary>The paper\'s {ref}: {len(rows)} published numbers ({where})</summary>',
            "",
            markdown(table),
            "",
            "</details>",
        ]
    return lines


def _item(item: Mapping[str, Any], evidence: Evidence, uncertainty: Uncertainty, paper: pd.DataFrame, settings: Mapping[str, Any],
          report_dir: Path) -> list[str]:  # fmt: skip
    lines = [f"### {item['title']}", ""]
    if item.get("enable"):
        lines += [f"**Not run** in this configuration. Enable it with `{item['enable']}`.", ""]
    else:
        if item.get("annotate"):
            lines += [_annotated(item["annotate"], item.get("csv"), evidence, uncertainty, settings), ""]
            marks = f"; {MARK} = {item['baseline_note']}" if item.get("baseline_note") else ""
            lines += [f"Cells: macro average in % [{settings['confidence']:.0%} bootstrap interval]{marks}.", ""]
        if item.get("note"):
            lines += [item["note"], ""]
        for path in item.get("markdown", []):
            lines += [_demoted(Path(path).read_text(encoding="utf-8")), ""]
        for path in item.get("figures", []):
            lines += [f"![{item['title']}]({_relative(path, report_dir)})", ""]
    if item.get("refs"):
        lines += [*_paper_block(item["refs"], paper, evidence, settings), ""]
    return lines


def findings_table(evidence: Evidence) -> pd.DataFrame:
    """Every finding's verdict per dataset, with the numbers that decide it."""
    rows = [(v.number, f"{v.claim} ({v.ref})", v.dataset, VERDICT_MARKS[v.verdict], v.evidence) for v in verdicts(evidence)]
    return pd.DataFrame(rows, columns=["#", "finding (paper)", "dataset", "verdict", "this run's evidence"])


def report_markdown(items: Sequence[Mapping[str, Any]], evidence: Evidence, uncertainty: Uncertainty, paper: pd.DataFrame,
                    settings: Mapping[str, Any], report_path: str | os.PathLike[str]) -> str:  # fmt: skip
    """The whole report as Markdown; image links are relative to ``report_path``'s folder."""
    report_dir = Path(report_path).parent
    found = findings_table(evidence)
    counts = found["verdict"].value_counts()
    summary = ", ".join(f"{counts.get(mark, 0)} {verdict}" for verdict, mark in VERDICT_MARKS.items())
    lines = [
        "# What drives cross-lingual ranking? This run against the paper",
        "",
        f"Datasets: {', '.join(evidence.datasets)}. Primary metric: {settings['metric']}; re-ranking: "
        f"{', '.join(settings['rerank_metrics'])}. Significance: paired randomization test, Holm-adjusted per table, dataset and "
        f"metric, α = {evidence.alpha}; intervals: {settings['confidence']:.0%} bootstrap, queries resampled within language pairs "
        "and macro-averaged as the paper averages. Generated by the pipeline from results/metrics.csv, results/per_query.csv and "
        "the tables and figures beside this file; the paper's numbers come from workflow/data/paper_results.csv.",
        "",
        "## The paper's findings, decided on this run",
        "",
        f"Verdicts: {summary}. A finding is decided per dataset by the criterion below it; not applicable names the setting it needs.",
        "",
        markdown(found),
        "",
        "Criteria (ours: the paper states its findings in words):",
        "",
        *[f"{finding.number}. {finding.criterion}." for finding in FINDINGS],
        "",
        "## Tables and figures",
        "",
    ]
    for section in ("paper", "beyond"):
        if section == "beyond":
            lines += ["## Beyond the paper", ""]
        for item in items:
            if item.get("section", "paper") == section:
                lines += _item(item, evidence, uncertainty, paper, settings, report_dir)
    return "\n".join(lines).rstrip() + "\n"
