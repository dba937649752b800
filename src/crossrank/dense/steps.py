"""The steps of ``workflow/rules/dense.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from crossrank.core import contract
from crossrank.core.devices import resolve_device
from crossrank.core.encoder_model import EncoderSpec
from crossrank.core.errors import InputError
from crossrank.core.io import all_or_nothing, atomic_path, write_json
from crossrank.core.runs import write_run
from crossrank.dense.embedding import Embedder
from crossrank.dense.encoders import EmbeddingSettings
from crossrank.dense.exact import exact_search
from crossrank.dense.hnsw import HnswSettings
from crossrank.dense.hnsw import ann_search as hnsw_search

log = logging.getLogger("crossrank")


def _model_inputs(spec: EncoderSpec, documents_paths: Sequence[str], topics_paths: Sequence[str]) -> list[list[str]]:
    """The model inputs (prefix + text) of every documents file, then of every topics file."""
    inputs = [[spec.model_input(d.text, "document") for d in contract.read_documents(path)] for path in documents_paths]
    inputs += [[spec.model_input(t.text, "query") for t in contract.read_topics(path)] for path in topics_paths]
    return inputs


def _embedder(
    encoder_name: str,
    encoder_params: Mapping[str, Any],
    embedding_params: Mapping[str, Any],
    cache_root: str,
    shard: int = 0,
    precision: str | None = None,
) -> Embedder:
    """The :class:`~crossrank.dense.embedding.Embedder` of one registry entry."""
    spec = EncoderSpec.from_params(encoder_name, dict(encoder_params))
    return Embedder(spec, EmbeddingSettings.from_params(embedding_params), cache_root, shard, precision)


def _shards_precision(shard_records: Sequence[str], shards: Sequence[Mapping[str, Any]]) -> str | None:
    """The forward-pass precision every shard job resolved (they must agree: it is part of the cache key)."""
    precisions = {shard["precision"] for shard in shards}
    if len(precisions) > 1:
        raise InputError(
            shard_records[0],
            f"the embedding shards ran in different precisions {sorted(precisions)}, so their embeddings are in different caches.",
            fix="set embedding.precision explicitly (e.g. bfloat16 on GPUs, float32 on CPUs) so that every shard resolves the same one.",
        )
    return precisions.pop() if precisions else None


def embed_shard(
    encoder_name: str,
    encoder_params: Mapping[str, Any],
    embedding_params: Mapping[str, Any],
    cache_root: str,
    documents_paths: Sequence[str],
    topics_paths: Sequence[str],
    shard: int,
    out_marker: str,
    threads: int = 1,
) -> None:
    """Fill the embedding cache with one shard of an encoder's distinct model inputs; record what it did."""
    torch.set_num_threads(max(1, threads))
    embedder = _embedder(encoder_name, encoder_params, embedding_params, cache_root, shard)
    texts = [text for inputs in _model_inputs(embedder.spec, documents_paths, topics_paths) for text in inputs]
    shards = embedder.settings.shards
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is outside 0..{shards - 1} (embedding.shards is {shards})")
    in_shard, encoded = embedder.fill(texts, shard, shards)
    log.info("%s shard %d/%d: %d texts, %d encoded, %d from the cache", encoder_name, shard, shards, in_shard, encoded, in_shard - encoded)
    record = {"encoder": encoder_name, "shard": shard, "shards": shards, "texts": in_shard, "encoded": encoded}
    record |= {"device": embedder.device, "precision": embedder.precision, "cache": str(embedder.cache.directory)}
    write_json(out_marker, record)


def embed(
    encoder_name: str,
    encoder_params: Mapping[str, Any],
    embedding_params: Mapping[str, Any],
    cache_root: str,
    documents: Sequence[tuple[str, str]],
    queries: Sequence[tuple[str, str]],
    shard_records: Sequence[str],
    out_record: str,
    threads: int = 1,
) -> None:
    """Write the embeddings of every document file and topic file of one encoder, given as ``(input, output .npy)`` pairs.

    The shard jobs have filled the cache, so this only gathers, from the cache of the precision
    the shards resolved (on a GPU node that is bfloat16 even when this job runs on a CPU); what
    is still missing (e.g. after a cache was pruned) is encoded here. Matrices are written in the
    storage dtype. ``out_record`` keeps what the shards resolved (device, precision, cache) for
    the run's MLflow params.
    """
    torch.set_num_threads(max(1, threads))
    shards = [json.loads(Path(path).read_text(encoding="utf-8")) for path in shard_records]
    precision = _shards_precision(shard_records, shards)
    embedder = _embedder(encoder_name, encoder_params, embedding_params, cache_root, precision=precision)
    record = {
        "encoder": encoder_name,
        "precision": embedder.precision,
        "storage": embedder.settings.storage,
        "devices": sorted({shard["device"] for shard in shards}),
        "shards": len(shards),
        "cache": str(embedder.cache.directory),
        "fingerprint": embedder.fingerprint,
    }
    _write_matrices(embedder, documents, queries, [out_record])
    # What was really encoded: by the shard jobs, and here (texts whose chunk was missing or found damaged).
    record["encoded"] = sum(shard["encoded"] for shard in shards) + embedder.encoded
    write_json(out_record, record)


def _write_matrices(
    embedder: Embedder, documents: Sequence[tuple[str, str]], queries: Sequence[tuple[str, str]], also: Sequence[str]
) -> None:
    """Each ``(input, output .npy)`` pair's matrix (from the cache where it can), all written or none (``also`` included)."""
    pairs = [*documents, *queries]
    inputs = _model_inputs(embedder.spec, [p for p, _ in documents], [p for p, _ in queries])
    with all_or_nothing([out for _, out in pairs] + list(also)):
        for (_, out), texts in zip(pairs, inputs, strict=True):
            vectors = embedder.embed(texts)
            with atomic_path(out) as tmp:
                np.save(tmp, vectors, allow_pickle=False)
            log.info("wrote %s %s %s", out, vectors.shape, vectors.dtype)


def embed_finetuned_queries(
    encoder_name: str,
    encoder_params: Mapping[str, Any],
    embedding_params: Mapping[str, Any],
    cache_root: str,
    documents_paths: Sequence[str],
    topics_path: str,
    out_queries: str,
    out_record: str,
    threads: int = 1,
) -> None:
    """Embed one dataset's texts with its fine-tuned checkpoint (``encoder_params["model"]``); write the queries' matrix.

    A fine-tuned encoder has one checkpoint per dataset, so its jobs are per dataset, without
    shards. This job fills the cache with every text of the dataset (documents of each condition
    and queries) in one pass, as a shard job does, so batches (and so the last bits of every
    vector) never depend on which job ran first; the documents' jobs then only gather.
    """
    with tempfile.TemporaryDirectory(dir=Path(out_queries).parent.parent, prefix=".embed-") as scratch:
        shard_record = str(Path(scratch) / "shard.json")
        embed_shard(
            encoder_name,
            encoder_params,
            {**embedding_params, "shards": 1},
            cache_root,
            documents_paths,
            [topics_path],
            0,
            shard_record,
            threads,
        )
        embed(
            encoder_name,
            encoder_params,
            embedding_params,
            cache_root,
            [],
            [(topics_path, out_queries)],
            [shard_record],
            out_record,
            threads,
        )


def embed_finetuned_documents(
    encoder_name: str,
    encoder_params: Mapping[str, Any],
    embedding_params: Mapping[str, Any],
    cache_root: str,
    documents_path: str,
    record_path: str,
    out_documents: str,
    threads: int = 1,
) -> None:
    """One condition's document matrix of a fine-tuned encoder, gathered from the cache its queries job filled.

    The precision is the one that job resolved (``record_path``), so this reads the same cache.
    """
    torch.set_num_threads(max(1, threads))
    precision = json.loads(Path(record_path).read_text(encoding="utf-8"))["precision"]
    embedder = _embedder(encoder_name, encoder_params, embedding_params, cache_root, precision=precision)
    _write_matrices(embedder, [(documents_path, out_documents)], [], [])


def dense_search(
    query_embeddings: str,
    doc_embeddings: str,
    topics_path: str,
    documents_path: str,
    retrieval: Mapping[str, Any],
    run_name: str,
    out_run: str,
    threads: int = 1,
) -> None:
    """Exact cosine top-k for every topic; write the run."""
    torch.set_num_threads(max(1, threads))
    topics = contract.read_topics(topics_path)
    docids = [d.docid for d in contract.read_documents(documents_path)]
    rankings = exact_search(
        np.load(query_embeddings, mmap_mode="r"),
        np.load(doc_embeddings, mmap_mode="r"),
        docids,
        retrieval["top_k"],
        query_batch=retrieval["query_batch"],
        doc_batch=retrieval["doc_batch"],
        device=resolve_device(retrieval.get("device", "cpu")),
    )
    write_run(out_run, {t.qid: r for t, r in zip(topics, rankings, strict=True)}, tag=run_name)


def ann_search(
    query_embeddings: str,
    doc_embeddings: str,
    topics_path: str,
    documents_path: str,
    ann_params: Mapping[str, Any],
    top_k: int,
    cache_root: str,
    run_name: str,
    out_run: str,
    threads: int = 1,
) -> None:
    """HNSW top-k for every topic over the pool's (cached) index; write the run."""
    topics = contract.read_topics(topics_path)
    docids = [d.docid for d in contract.read_documents(documents_path)]
    settings = HnswSettings.from_params(ann_params)
    rankings = hnsw_search(
        cache_root,
        np.load(query_embeddings, mmap_mode="r"),
        np.load(doc_embeddings, mmap_mode="r"),
        docids,
        top_k,
        settings,
        threads,
        metadata={"built_for": run_name, "embeddings": doc_embeddings},
    )
    log.info("searched %d queries with ef=%d", len(topics), settings.ef_for(top_k))
    write_run(out_run, {t.qid: r for t, r in zip(topics, rankings, strict=True)}, tag=run_name)
