"""The pipeline's steps as functions of files: what each Snakemake script calls.

Each step reads its inputs, calls the library, and writes its outputs atomically. Steps take
plain paths and settings so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from crossrank import bm25, catalog, contract, evaluation, runs, translation
from crossrank.contract import Document
from crossrank.datasets.prepared import QUERY_DOCUMENT_COLUMNS, PreparedDataset, check_prepared
from crossrank.io import InputError, all_or_nothing, atomic_path, atomic_write, write_tsv
from crossrank.mt.codes import ENGLISH_SOURCES

log = logging.getLogger("crossrank")
Paths = Mapping[str, str]


def prepare_cldr(settings: Mapping[str, Any], out: Paths) -> None:
    """Generate the ``cldr`` benchmark and write the contract, texts, oracle and training files."""
    from crossrank.datasets.cldr import build_benchmark

    bench = build_benchmark(
        languages=settings["languages"],
        entity_types=settings["entity_types"],
        test_fraction=settings["test_fraction"],
        seed=settings["seed"],
        max_entities=settings["max_entities"],
    )
    log.info("cldr: %d documents, %d topics", len(bench.documents), len(bench.topics))
    prepared = PreparedDataset(
        bench.documents,
        bench.topics,
        bench.qrels,
        bench.statistics,
        oracle_english=bench.oracle_english,
        query_documents=bench.query_documents,
        phrase_pairs=bench.phrase_pairs,
    )
    write_prepared(prepared, out, "cldr")


def prepare_release(dataset: str, params: Mapping[str, Any], out: Paths) -> None:
    """Prepare a released dataset (CLIRMatrix, mMARCO, Large-Scale) by the paper's protocol and write it."""
    from crossrank.protocols.registry import PROTOCOLS, dataset_settings

    settings = dataset_settings(dataset, params)
    log.info("%s: reading the release in %s", dataset, settings.root)
    write_prepared(PROTOCOLS[dataset].prepare(settings), out, f"{dataset} release in {settings.root}")


def download_release(dataset: str, params: Mapping[str, Any], out_manifest: str) -> None:
    """Export a dataset from ir_datasets into its release layout next to ``out_manifest``, which lists the files."""
    from crossrank.release_export import export_release

    root = Path(out_manifest).parent
    rows = export_release(dataset, params, root)
    write_tsv(
        out_manifest,
        ((name, dataset_id, (root / name).stat().st_size) for name, dataset_id in rows),
        header=("file", "ir_datasets_id", "bytes"),
    )


def record_sources(settings: Mapping[str, Mapping[str, Any]], out_sources: str) -> None:
    """Write where each configured dataset's files came from: generated, a local release, or ir_datasets."""
    from importlib.metadata import version

    from crossrank.protocols.registry import PROTOCOLS, release_files, release_root

    rows = []
    for dataset, params in settings.items():
        if dataset not in PROTOCOLS:  # the embedded benchmark
            rows.append((dataset, "generated", f"Unicode CLDR via babel {version('babel')}", 0, 0))
            continue
        files = [Path(f) for f in release_files(dataset, params)]
        source = params.get("source", "local")
        location = release_root(dataset, params) + (f" (ir_datasets {version('ir-datasets')})" if source == "ir_datasets" else "")
        rows.append((dataset, source, location, len(files), sum(f.stat().st_size for f in files)))
    write_tsv(out_sources, rows, header=("dataset", "source", "location", "files", "bytes"))


def write_prepared(prepared: PreparedDataset, out: Paths, source: str) -> None:
    """Check a prepared dataset, then write all of its files or none of them.

    ``out`` names the files: ``documents``, ``queries``, ``docs``, ``topics``, ``qrels``,
    ``statistics``, ``query_documents``, and ``oracle`` / ``phrase_pairs`` where the dataset has them.
    """
    check_prepared(prepared, source)
    if ("oracle" in out) != (prepared.oracle_english is not None) or ("phrase_pairs" in out) != (prepared.phrase_pairs is not None):
        raise ValueError(f"{source}: the outputs {sorted(out)} do not match what the dataset provides")
    with all_or_nothing(out.values()):
        contract.write_documents(out["documents"], prepared.documents)
        if prepared.oracle_english is not None:
            oracle = prepared.oracle_english
            contract.write_documents(out["oracle"], (Document(d.docid, "en", oracle[d.docid]) for d in prepared.documents))
        if prepared.phrase_pairs is not None:
            write_tsv(out["phrase_pairs"], prepared.phrase_pairs, header=("id", "lang_a", "text_a", "lang_b", "text_b"))
        write_tsv(out["query_documents"], prepared.query_documents, header=QUERY_DOCUMENT_COLUMNS)
        contract.write_docs_table(out["docs"], prepared.documents)
        contract.write_topics(out["topics"], prepared.topics)
        contract.write_topics(out["queries"], prepared.topics)
        contract.write_qrels(out["qrels"], prepared.qrels)
        with atomic_write(out["statistics"]) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("statistic", "key", "value"))
            writer.writerows(prepared.statistics)
    counts = len(prepared.documents), len(prepared.topics), len(prepared.query_documents)
    log.info("wrote %d documents, %d topics, %d training pairs", *counts)


def translate_shard(documents_path: str, nllb_params: Mapping[str, Any], shard: int, shards: int, cache_root: str, out_shard: str) -> None:
    """Machine-translate one shard of a corpus's distinct pieces (through the cache)."""
    from crossrank.mt.documents import needs_translation, translate_pieces, write_shard
    from crossrank.mt.nllb import NllbSettings

    documents = [d for d in contract.read_documents(documents_path) if needs_translation(d)]
    write_shard(out_shard, translate_pieces(documents, NllbSettings.from_params(nllb_params), cache_root, shard, shards))


def translate(documents_path: str, backend: str, english_paths: Sequence[str], nllb_params: Mapping[str, Any], out: Paths) -> None:
    """Write the ``translated`` condition, which backend produced each document, and a per-language summary.

    ``english_paths`` are the parallel English documents (``oracle``) or the translation
    shards (``nllb``, joined per document after segmenting again with ``nllb_params``'s
    tokenizer); ``copy`` needs none.
    """
    from crossrank.mt.documents import EnglishText

    documents = contract.read_documents(documents_path)
    english: dict[str, EnglishText] | None = None
    model = "-"
    if backend == "oracle":
        english = {d.docid: EnglishText(d.docid, d.text, 0) for path in english_paths for d in contract.read_documents(path)}
    elif backend == "nllb":
        english = _merge_shards(documents, nllb_params, english_paths)
        model = f"{nllb_params['model']}@{nllb_params['revision']}" if nllb_params.get("revision") else nllb_params["model"]
    translated = translation.translate_documents(documents, backend, english, model)
    with all_or_nothing(out.values()):
        contract.write_documents(out["documents"], (t.document for t in translated))
        rows = ((t.document.docid, t.source_lang, t.backend, t.pieces, t.model) for t in translated)
        write_tsv(out["record"], rows, header=translation.RECORD_COLUMNS)
        write_tsv(out["summary"], translation.summary(translated), header=translation.SUMMARY_COLUMNS)


def _merge_shards(documents: Sequence[Document], nllb_params: Mapping[str, Any], shard_paths: Sequence[str]) -> dict[str, Any]:
    from crossrank.mt.documents import join_pieces, needs_translation, read_shards, segment_documents
    from crossrank.mt.nllb import NllbSettings, NllbTranslator

    todo = [d for d in documents if needs_translation(d)]
    segmented = segment_documents(todo, NllbTranslator(NllbSettings.from_params(nllb_params)))
    translations = read_shards(shard_paths)
    lacking = [d.docid for d in todo if any(key not in translations for key in segmented.keys[d.docid])]
    if lacking:
        raise InputError(
            "translation shards",
            f"no translation of some pieces of {len(lacking)} document(s), e.g. {lacking[0]!r}.",
            fix="re-run the translate_shard jobs (with the same translation.nllb settings).",
        )
    return {e.docid: e for e in join_pieces(segmented, translations, todo)}


def skip_translation(documents_path: str, out: Paths) -> None:
    """For a dataset without a translated condition: an empty record and a summary saying ``none``."""
    documents = contract.read_documents(documents_path)
    per_language = Counter(d.lang for d in documents)
    rows = [(lang, catalog.NO_TRANSLATION, count, 0) for lang, count in sorted(per_language.items())]
    with all_or_nothing(out.values()):
        write_tsv(out["record"], [], header=translation.RECORD_COLUMNS)
        write_tsv(out["summary"], rows, header=translation.SUMMARY_COLUMNS)


def translation_quality(documents_path: str, translated_path: str, reference_path: str, out_csv: str) -> None:
    """chrF and BLEU per source language of the machine translations against the parallel English."""
    from crossrank.mt.quality import QUALITY_COLUMNS
    from crossrank.mt.quality import translation_quality as score

    source_lang = {d.docid: d.lang for d in contract.read_documents(documents_path)}
    reference = {d.docid: d.text for d in contract.read_documents(reference_path)}
    rows = [
        (source_lang[d.docid], d.text, reference[d.docid])
        for d in contract.read_documents(translated_path)
        if source_lang[d.docid] not in ENGLISH_SOURCES
    ]
    with atomic_write(out_csv) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(QUALITY_COLUMNS)
        writer.writerows(score(rows))


def _bm25_settings(settings: Mapping[str, Any]) -> tuple[bm25.Bm25Settings, Any]:
    from crossrank.text_analysis import Analyzer

    analyzer = Analyzer(**settings["analyzer"])
    params = {k: settings[k] for k in ("backend", "variant", "k1", "b", "delta", "epsilon")}
    return bm25.Bm25Settings(**params), analyzer


def bm25_index(documents_path: str, settings: Mapping[str, Any], out_index: str) -> None:
    """Analyze and index one condition's documents."""
    bm25_settings, analyzer = _bm25_settings(settings)
    index = bm25.index_documents(contract.read_documents(documents_path), analyzer, bm25_settings)
    index.save(out_index)


def bm25_search(index_path: str, topics_path: str, settings: Mapping[str, Any], top_k: int, run_name: str, out_run: str) -> None:
    """Search every topic against a saved BM25 index and write the run."""
    _, analyzer = _bm25_settings(settings)
    index = bm25.Bm25Index.load(index_path)
    rankings = bm25.search(index, contract.read_topics(topics_path), analyzer, top_k)
    runs.write_run(out_run, rankings, tag=run_name)


def _model_inputs(spec: Any, documents_paths: Sequence[str], topics_paths: Sequence[str]) -> list[list[str]]:
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
) -> Any:
    """The :class:`crossrank.embedding.Embedder` of one registry entry (imported late: it loads torch)."""
    from crossrank.embedding import Embedder
    from crossrank.encoders import EmbeddingSettings, EncoderSpec

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
    import torch

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
    with atomic_write(out_marker) as handle:
        json.dump(record, handle, indent=2)
        handle.write("\n")


def embed_all(
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
    import torch

    torch.set_num_threads(max(1, threads))
    shards = [json.loads(Path(path).read_text(encoding="utf-8")) for path in shard_records]
    precision = _shards_precision(shard_records, shards)
    embedder = _embedder(encoder_name, encoder_params, embedding_params, cache_root, precision=precision)
    pairs = [*documents, *queries]
    inputs = _model_inputs(embedder.spec, [p for p, _ in documents], [p for p, _ in queries])
    record = {
        "encoder": encoder_name,
        "precision": embedder.precision,
        "storage": embedder.settings.storage,
        "devices": sorted({shard["device"] for shard in shards}),
        "shards": len(shards),
        "encoded": sum(shard["encoded"] for shard in shards),
        "cache": str(embedder.cache.directory),
        "fingerprint": embedder.fingerprint,
    }
    with all_or_nothing([out for _, out in pairs] + [out_record]):
        for (_, out), texts in zip(pairs, inputs, strict=True):
            vectors = embedder.embed(texts)
            with atomic_path(out) as tmp:
                np.save(tmp, vectors, allow_pickle=False)
            log.info("wrote %s %s %s", out, vectors.shape, vectors.dtype)
        with atomic_write(out_record) as handle:
            json.dump(record, handle, indent=2, sort_keys=True)
            handle.write("\n")


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
    import torch

    from crossrank.dense import exact_search
    from crossrank.devices import resolve_device

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
    runs.write_run(out_run, {t.qid: r for t, r in zip(topics, rankings, strict=True)}, tag=run_name)


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
    from crossrank.ann import HnswSettings
    from crossrank.ann import ann_search as search

    topics = contract.read_topics(topics_path)
    docids = [d.docid for d in contract.read_documents(documents_path)]
    settings = HnswSettings.from_params(ann_params)
    rankings = search(
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
    runs.write_run(out_run, {t.qid: r for t, r in zip(topics, rankings, strict=True)}, tag=run_name)


def evaluate(
    run_path: str, qrels_path: str, topics_path: str, dataset: str, run_name: str, settings: Mapping[str, Any], out_metrics: str
) -> None:
    """Per-pair and macro metrics of one run."""
    table = evaluation.evaluate_run(
        runs.read_run(run_path),
        contract.read_qrels(qrels_path),
        contract.read_topics(topics_path),
        settings["metrics"],
        settings["relevance_level"],
    )
    evaluation.write_metrics(out_metrics, evaluation.metrics_frame(dataset, run_name, table))


def collect_metrics(paths: Sequence[str], out_metrics: str, out_summary: str) -> None:
    """Merge per-run metric tables into ``results/metrics.csv``; macro averages into a JSON summary."""
    frame = evaluation.read_metrics(paths)
    evaluation.write_metrics(out_metrics, frame)
    with atomic_write(out_summary) as handle:
        json.dump(evaluation.macro_summary(frame), handle, indent=2, sort_keys=True)
        handle.write("\n")


def translation_table(metrics_path: str, metric: str, out_csv: str, out_markdown: str) -> None:
    """The paper's Table 3 (macro ``metric``, original vs translated) from the merged metrics."""
    from crossrank.report.tables import translation_table as build
    from crossrank.report.tables import write_table

    table = build(evaluation.read_metrics([metrics_path]), metric)
    caption = f"Table 3: macro {metric} (%) over all language pairs, original vs English-translated documents."
    write_table(table, out_csv, out_markdown, caption)


def figures(
    metrics_path: str,
    dataset: str,
    metric: str,
    query_languages: Sequence[str],
    doc_languages: Sequence[str],
    conditions: Sequence[str],
    encoders: Sequence[str],
    pairs: Sequence[str],
    out_bm25: str,
    out_encoders: str,
) -> None:
    """Figure 3 (BM25 heatmaps per condition) and Figure 4 (encoders) of ``metric`` for one dataset.

    Highlighted ``pairs`` the dataset does not have (e.g. ar-ru in Large-Scale, whose queries
    are English) are left out of its figure.
    """
    from crossrank.report.figures import grouped_bars, heatmaps

    metrics = evaluation.read_metrics([metrics_path])
    metrics = metrics[metrics["dataset"] == dataset]
    if metric not in set(metrics["metric"]):
        raise ValueError(f"{metrics_path} has no {metric!r} rows for {dataset!r}; add it to evaluation.metrics")
    titles = [f"BM25, {c} documents" for c in conditions]
    heatmaps(metrics, [f"bm25.{c}" for c in conditions], titles, query_languages, doc_languages, out_bm25, metric=metric)
    present = set(metrics["query_lang"] + "-" + metrics["doc_lang"])
    title = f"Dense encoders on {dataset}: {metric}"
    shown = [pair for pair in pairs if pair in present]
    grouped_bars(metrics, [f"dense.{e}" for e in encoders], conditions, shown, out_encoders, title=title, metric=metric)


def language_bias(
    run_paths: Sequence[str],
    run_names: Sequence[str],
    topics_path: str,
    docs_table_path: str,
    dataset: str,
    depth: int,
    out_csv: str,
) -> None:
    """Document-language bias of every run of a dataset (the paper's Figures 6 and 8), as one tidy table."""
    import pandas as pd

    from crossrank.language_bias import language_bias as measure

    topics = contract.read_topics(topics_path)
    doc_langs = contract.read_docs_table(docs_table_path)
    frames = [
        measure(dataset, name, runs.read_run(path), topics, doc_langs, depth, source=path)
        for path, name in zip(run_paths, run_names, strict=True)
    ]
    with atomic_write(out_csv) as handle:
        pd.concat(frames, ignore_index=True).to_csv(handle, index=False, lineterminator="\n")


def bias_report(bias_csv: str, dataset: str, depth: int, run_names: Sequence[str], out: Paths) -> None:
    """A dataset's language-bias table (``out['csv']``, ``out['markdown']``) and figure (``out['figure']``)."""
    import pandas as pd

    from crossrank.language_bias import bias_table
    from crossrank.report.bias_figure import language_bias_figure
    from crossrank.report.tables import write_table

    frame = pd.read_csv(bias_csv, keep_default_na=False, na_values=[""])
    caption = (
        f"Document-language bias on {dataset} (top {depth} documents per query): same-language % = share of retrieved "
        "documents in the query's language (uniform % = its share of the pool); <lang> % = share of each document language "
        "among the documents retrieved for queries whose relevant documents are in another language (uniform: its pool share)."
    )
    with all_or_nothing(out.values()):
        write_table(bias_table(frame), out["csv"], out["markdown"], caption)
        language_bias_figure(frame, run_names, out["figure"], title=f"Document-language bias on {dataset} (top {depth})")


def efficiency_study(
    doc_embeddings: str,
    query_embeddings: str,
    study: Mapping[str, Any],
    ann_params: Mapping[str, Any],
    retrieval: Mapping[str, Any],
    out: Paths,
    threads: int = 1,
) -> None:
    """Exact search vs HNSW by corpus size (``out``: csv, markdown, figure), on one dataset's real embeddings where big enough."""
    from crossrank.ann import HnswSettings
    from crossrank.devices import resolve_device
    from crossrank.efficiency import crossover, machine_description, matmul_peak_gflops, run_study
    from crossrank.report.efficiency_figure import efficiency_figure
    from crossrank.report.efficiency_report import write_study

    settings = HnswSettings.from_params(ann_params)
    real_docs = np.load(doc_embeddings, mmap_mode="r")
    frame = run_study(
        study["sizes"],
        k=retrieval["top_k"],
        ef_values=study["ef"],
        settings=settings,
        threads=threads,
        n_queries=study["queries"],
        latency_queries=study["latency_queries"],
        seed=study["seed"],
        real_docs=real_docs,
        real_queries=np.load(query_embeddings, mmap_mode="r"),
        query_batch=retrieval["query_batch"],
        doc_batch=retrieval["doc_batch"],
        device=resolve_device(retrieval.get("device", "cpu")),
    )
    machine = machine_description(threads, matmul_peak_gflops(threads))
    with all_or_nothing(out.values()):
        write_study(frame, out["csv"], out["markdown"], crossover(frame, settings=settings), machine)
        sources = "/".join(sorted(frame["source"].unique()))
        title = f"Exact search vs HNSW (M={settings.m}, efC={settings.ef_construction}), {sources} embeddings"
        efficiency_figure(frame, out["figure"], title)


def skip_efficiency(out_markdown: str) -> None:
    """The efficiency report of a configuration that does not run the study (so the stage's output exists)."""
    with atomic_write(out_markdown) as handle:
        handle.write(
            "# Exact dense search vs HNSW: efficiency by corpus size\n\n"
            "Not measured: the study is disabled (`efficiency.enabled: false`) or no encoder is enabled. "
            "Enable both to run it, or run `benchmarks/ann_efficiency.py`.\n"
        )


def _log_and_mark(
    dataset: str,
    run_name: str,
    params: Mapping[str, Any],
    metrics: Mapping[str, float],
    artifacts: Sequence[str],
    tags: Mapping[str, str],
    mlflow_settings: Mapping[str, Any],
    out_marker: str,
) -> None:
    from crossrank.provenance import git_commit
    from crossrank.tracking import log_run

    ids = log_run(
        mlflow_settings["tracking_uri"],
        mlflow_settings["artifact_root"],
        f"{mlflow_settings['experiment_prefix']}/{dataset}",
        run_name,
        params,
        metrics,
        artifacts,
        {"dataset": dataset, **tags, **git_commit(Path.cwd())},
    )
    with atomic_write(out_marker) as handle:
        json.dump(ids, handle, indent=2)
        handle.write("\n")
    log.info("logged %s/%s to MLflow run %s", dataset, run_name, ids["run_id"])


def track(
    dataset: str,
    run_name: str,
    params: Mapping[str, Any],
    run_metrics: str,
    artifacts: Sequence[str],
    mlflow_settings: Mapping[str, Any],
    out_marker: str,
    embedding_records: Sequence[str] = (),
) -> None:
    """Log one retrieval run (params, macro and per-pair metrics, run file) to MLflow.

    A dense or HNSW run also logs what its embedding jobs resolved ``auto`` to (precision,
    devices), from the encoder's embedding record (``embedding_records``: none for BM25).
    """
    from crossrank.tracking import pair_metrics

    params = dict(params)
    for path in embedding_records:
        resolved = json.loads(Path(path).read_text(encoding="utf-8"))
        params["embedding"] = {**params.get("embedding", {}), "resolved": {k: resolved[k] for k in ("precision", "devices", "shards")}}
    system, condition = evaluation.split_run_name(run_name)
    metrics = pair_metrics(evaluation.read_metrics([run_metrics]))
    tags = {"run": run_name, "system": system, "condition": condition, "kind": "retrieval"}
    artifacts = [*artifacts, run_metrics, *embedding_records]
    _log_and_mark(dataset, run_name, params, metrics, artifacts, tags, mlflow_settings, out_marker)


def track_report(
    dataset: str,
    params: Mapping[str, Any],
    metrics_path: str,
    artifacts: Sequence[str],
    mlflow_settings: Mapping[str, Any],
    out_marker: str,
) -> None:
    """Log a dataset's tables and figures, with every run's macro metrics, as its ``report`` run."""
    from crossrank.tracking import pair_metrics

    frame = evaluation.read_metrics([metrics_path])
    macro = frame[(frame["dataset"] == dataset) & (frame["query_lang"] == evaluation.MACRO)]
    metrics: dict[str, float] = {}
    for run_name, rows in macro.groupby("run"):
        metrics.update(pair_metrics(rows, prefix=f"{run_name}/"))
    _log_and_mark(dataset, "report", params, metrics, [*artifacts, metrics_path], {"kind": "report"}, mlflow_settings, out_marker)
