"""The steps of ``workflow/rules/rerank.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np

from crossrank.core import contract
from crossrank.core.devices import resolve_device
from crossrank.core.io import all_or_nothing, read_json, write_json
from crossrank.core.runs import ranked, read_run, write_run
from crossrank.finetune.pairs import read_query_documents
from crossrank.rerank.candidates import baseline_scores, candidates, chance_scores, rerank_scores, split_reranker, subset_per_pair
from crossrank.rerank.negatives import read_examples, stratified_split, write_examples
from crossrank.rerank.scoring import ScorePairs, cached_scores, cross_encoder_fingerprint, cross_encoder_scorer
from crossrank.rerank.settings import RerankSettings
from crossrank.rerank.training import train_cross_encoder
from crossrank.rerank.training_data import HardNegatives, read_candidates, training_examples

log = logging.getLogger("crossrank")


def rerank_pairs(
    query_documents: str,
    candidates: str,
    negatives: str,
    settings: Mapping[str, Any],
    hard: Mapping[str, Any],
    out_train: str,
    out_validation: str,
    out_record: str,
    embedding_cache: str = "cache/embeddings",
    threads: int = 1,
) -> None:
    """One negative strategy's training examples of a dataset, split 90/10 by label (the paper's CSV), and where they came from.

    ``hard`` is the plan's resolved hard-negative source (empty for easy negatives): ``source``
    (release or retriever), ``retriever`` (bm25 or an encoder) and that retriever's settings.
    """
    import torch

    torch.set_num_threads(max(1, threads))
    source = HardNegatives(**hard, cache_root=embedding_cache) if negatives == "hard" else None
    per_positive = settings.get("negatives_per_positive", 1)
    rows = training_examples(
        read_query_documents(query_documents),
        negatives,
        per_positive,
        settings.get("seed", 42),
        settings.get("max_train_queries", 0),
        source,
        read_candidates(candidates) if source is not None and source.source == "release" else (),
    )
    train, validation = stratified_split(rows, settings.get("validation_fraction", 0.1), settings.get("seed", 42))
    if not train or not validation:
        raise ValueError(f"{negatives}: {len(rows)} examples are too few for a training and a validation split")
    positives = sum(row.label for row in rows)
    record = {
        "negatives": negatives,
        "source": "random" if source is None else source.description,
        "positives": positives,
        "negatives_found": len(rows) - positives,
        "negatives_wanted": per_positive * positives,
        "training_examples": len(train),
        "validation_examples": len(validation),
    }
    with all_or_nothing([out_train, out_validation, out_record]):
        write_examples(out_train, train)
        write_examples(out_validation, validation)
        write_json(out_record, record)
    log.info("%s negatives (%s): %d training and %d validation examples", negatives, record["source"], len(train), len(validation))


def rerank_train(
    reranker: str,
    base_entry: Mapping[str, Any],
    settings_params: Mapping[str, Any],
    train_path: str,
    validation_path: str,
    out_model: str,
    out_record: str,
    threads: int = 1,
    pairs_record: str | None = None,
) -> None:
    """Train one cross-encoder (``reranker`` = ``<encoder>-<negatives>``) from its base encoder's weights.

    ``pairs_record`` is what the pairs job recorded of its examples (the negatives' source and
    counts), kept in the training record and so in its MLflow run.
    """
    import torch

    torch.set_num_threads(max(1, threads))
    settings = RerankSettings.from_params(settings_params)
    device = resolve_device(settings_params.get("device", "auto"))
    train, validation = read_examples(train_path), read_examples(validation_path)
    result = train_cross_encoder(
        base_entry["model"],
        train,
        validation,
        settings,
        out_model,
        device,
        trust_remote_code=bool(base_entry.get("trust_remote_code")),
        revision=base_entry.get("revision"),
    )
    record = {
        "reranker": reranker,
        "base_model": base_entry["model"],
        "training_examples": len(train),
        "validation_examples": len(validation),
        "best_epoch": result.best_epoch,
        "eval_loss": [{"epoch": epoch, "loss": round(loss, 6)} for epoch, loss in result.eval_loss],
        "seconds": round(result.seconds, 1),
        "resumed_from_epoch": result.resumed_from,  # > 0: this job finished a killed job's training from its checkpoint
        "device": device,
    }
    if pairs_record is not None:
        record["examples"] = read_json(pairs_record)
    write_json(out_record, record)


def rerank_queries(topics_path: str, settings: Mapping[str, Any], out_topics: str) -> None:
    """The evaluated queries that are re-ranked: all, or a seeded ``queries_per_pair`` per language pair (CPU runs)."""
    topics = contract.read_topics(topics_path)
    chosen = subset_per_pair(topics, settings.get("queries_per_pair", 0), settings.get("seed", 42))
    contract.write_topics(out_topics, chosen)
    log.info("re-ranking %d of %d queries", len(chosen), len(topics))


def rerank(
    run_name: str,
    model: str,
    first_stage_path: str,
    topics_path: str,
    qrels_path: str,
    documents_paths: list[str],
    settings: Mapping[str, Any],
    out_run: str,
    checkpoint: str | None = None,
    cache_root: str = "cache/rerank",
) -> None:
    """Re-rank a first-stage run's top-k candidates of the re-ranked queries and write the run (trec_eval order).

    ``model`` is the run name's model part: a re-ranker, ``-asis`` for the as_is candidate mode.
    The re-ranker is a trained cross-encoder (``checkpoint``), ``none`` (the first stage's order:
    the baseline on the same queries and candidates) or ``chance`` (a seeded random order).
    """
    reranker, mode = split_reranker(model)
    topics = contract.read_topics(topics_path)
    wanted = {t.qid for t in topics}
    first = {qid: scores for qid, scores in read_run(first_stage_path).items() if qid in wanted}
    chosen = candidates(first, contract.read_qrels(qrels_path), settings.get("top_k", 100), mode)
    if reranker == "none":
        scores = baseline_scores(chosen)
    elif reranker == "chance":
        scores = chance_scores(chosen, settings.get("seed", 42))
    else:
        if checkpoint is None:
            raise ValueError(f"re-ranker {reranker!r} needs its checkpoint")
        texts = {t.qid: t.text for t in topics}
        documents = {d.docid: d.text for path in documents_paths for d in contract.read_documents(path)}
        pairs = [(qid, docid) for qid in sorted(chosen) for docid in chosen[qid]]
        device = resolve_device(settings.get("device", "auto"))
        precision = "float16" if device.startswith("cuda") else "float32"
        max_length = settings.get("max_length", 512)
        scored: list[int] = []  # pairs the model scored, per call: what the cache lacked

        def scorer() -> ScorePairs:
            score = cross_encoder_scorer(checkpoint, max_length, settings.get("score_batch_size", 32), device)

            def counted(batch: list[tuple[str, str]]) -> np.ndarray:
                scored.append(len(batch))
                return score(batch)

            return counted

        values = cached_scores(
            [(texts[qid], documents[docid]) for qid, docid in pairs],
            cache_root,
            cross_encoder_fingerprint(checkpoint, max_length, precision),
            scorer,
            settings.get("chunk_size", 4096),
        )
        log.info("%s: %d pairs, %d scored by the model, the others from the cache", run_name, len(pairs), sum(scored))
        scores = rerank_scores(chosen, {pair: float(value) for pair, value in zip(pairs, values, strict=True)})
    write_run(out_run, {qid: ranked(found) for qid, found in scores.items()}, tag=run_name)
