"""The evaluation's inputs checked against each other before any metric is computed.

A damaged contract file otherwise gives wrong metrics with exit status 0: qrels cut at a line
boundary silently drop queries, a judged document outside the pool counts as an unretrievable
relevant one, a run naming an unknown document scores as if it were judged non-relevant. Each
check stops with the file, the line where there is one, and the fix.
"""

from __future__ import annotations

import os

from crossrank.core import contract
from crossrank.core.contract import Qrels, Topic
from crossrank.core.errors import InputError
from crossrank.core.runs import read_run, read_trec_rows

# Not "delete the file": Snakemake does not rebuild a deleted intermediate file whose downstream results exist.
REPREPARE = "re-run the dataset's prepare job: snakemake --cores all --forcerun prepare_<dataset>."


def checked_inputs(
    run_path: str | os.PathLike[str], qrels_path: str | os.PathLike[str], topics_path: str | os.PathLike[str],
    docs_path: str | os.PathLike[str],
) -> tuple[dict[str, dict[str, float]], Qrels, list[Topic]]:  # fmt: skip
    """The run, qrels and topics of one evaluation, once every cross-file invariant holds.

    Checked: qrels, topics and pool are not empty; every topic has judgments; every judged
    document and every retrieved document is in the pool (``docs.tsv``).
    """
    pool = contract.read_docs_table(docs_path)
    if not pool:
        raise InputError(docs_path, "the document pool is empty.", fix=REPREPARE)
    topics = contract.read_topics(topics_path)
    if not topics:
        raise InputError(topics_path, "there are no topics to evaluate.", fix=REPREPARE)
    judgments = contract.read_judgments(qrels_path)
    if not judgments:
        raise InputError(qrels_path, "there are no relevance judgments.", fix=REPREPARE)
    unjudged = [topic.qid for topic in topics if topic.qid not in judgments]
    if unjudged:
        raise InputError(
            qrels_path,
            f"{len(unjudged)} of {len(topics)} topics of {topics_path} have no judgment (first: {unjudged[0]!r}): it looks cut short.",
            fix=REPREPARE,
        )
    for qid, judged in judgments.items():
        for docid, (_label, line) in judged.items():
            if docid not in pool:
                raise InputError(
                    qrels_path, f"query {qid!r} judges document {docid!r}, which is not in the pool {docs_path}.", line, REPREPARE
                )
    run = read_run(run_path)
    unknown = {docid for ranked in run.values() for docid in ranked if docid not in pool}
    if unknown:
        line = next(number for number, fields in read_trec_rows(run_path, "qid Q0 docid rank score tag") if fields[2] in unknown)
        raise InputError(
            run_path,
            f"{len(unknown)} retrieved document(s) are not in the pool {docs_path} (e.g. {sorted(unknown)[0]!r}).",
            line,
            f"re-run the search that wrote this run: snakemake --cores all --forcerun {run_path} (its index may be stale).",
        )
    return run, {qid: {docid: label for docid, (label, _) in judged.items()} for qid, judged in judgments.items()}, topics
