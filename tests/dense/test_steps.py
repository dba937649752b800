"""Tests of crossrank.dense.steps: the embed steps as the workflow calls them, sharded and gathered."""

from __future__ import annotations

from pathlib import Path

import factories
import numpy as np
import pytest

from crossrank.core import contract
from crossrank.core.errors import InputError
from crossrank.dense import steps

TEXTS = ["Germany and France", "ドイツ", "Euro euro Евро", "Japan Japon"]


def _write_inputs(directory: Path) -> tuple[list[str], list[str]]:
    """Two documents files sharing two texts, and a topics file of two English queries."""
    documents = factories.numbered_documents(TEXTS * 2 + ["France", "Spain España"], "en")
    first = factories.write_documents_file(directory / "a.tsv", documents[:6])
    second = factories.write_documents_file(directory / "b.tsv", documents[4:])  # overlaps a.tsv: shared texts
    files = factories.write_contract(directory, topics=factories.numbered_topics(["Germany", "ドイツ"], "en", "de"))
    return [str(first), str(second)], [str(files["topics"])]


def test_shards_split_the_texts_and_the_gathering_job_loads_no_model(tiny_bert, tmp_path, count_loads, monkeypatch):
    import json

    documents, topics = _write_inputs(tmp_path)
    encoder = {"model": str(tiny_bert), "max_length": 32, "batch_size": 2, "query_prefix": "q: "}
    sharded = {"device": "cpu", "shards": 2}
    counter = count_loads()
    for shard in (0, 1):
        steps.embed_shard("tiny", encoder, sharded, str(tmp_path / "cache"), documents, topics, shard, str(tmp_path / f"{shard}.json"))
    records = [json.loads((tmp_path / f"{shard}.json").read_text()) for shard in (0, 1)]
    distinct = {d.text for path in documents for d in contract.read_documents(path)} | {"q: Germany", "q: ドイツ"}
    assert sorted(counter.encoded) == sorted(distinct)  # every distinct input once, over both shards
    assert sum(r["encoded"] for r in records) == len(distinct) and all(r["encoded"] > 0 for r in records)

    count_loads(fail=True)
    outputs = [(path, str(tmp_path / f"out{i}.npy")) for i, path in enumerate(documents)]
    queries = [(topics[0], str(tmp_path / "queries.npy"))]
    shard_records = [str(tmp_path / f"{shard}.json") for shard in (0, 1)]
    steps.embed("tiny", encoder, sharded, str(tmp_path / "cache"), outputs, queries, shard_records, str(tmp_path / "record.json"))
    record = json.loads((tmp_path / "record.json").read_text())
    assert (record["precision"], record["devices"], record["shards"]) == ("float32", ["cpu"], 2)
    assert record["encoded"] == len(distinct) and record["fingerprint"]["pooling"] == "mean"

    monkeypatch.undo()
    alone = [(path, str(tmp_path / f"alone{i}.npy")) for i, path in enumerate(documents)]
    single = [(topics[0], str(tmp_path / "q1.npy"))]
    steps.embed("tiny", encoder, {"device": "cpu"}, str(tmp_path / "single"), alone, single, [], str(tmp_path / "alone.json"))
    for (_, sharded_out), (_, alone_out) in zip(outputs, alone, strict=True):
        np.testing.assert_allclose(np.load(sharded_out), np.load(alone_out), atol=1e-6)  # shards change nothing
    np.testing.assert_allclose(np.load(tmp_path / "queries.npy"), np.load(tmp_path / "q1.npy"), atol=1e-6)
    assert np.load(outputs[0][1]).shape == (6, 32)
    np.testing.assert_array_equal(np.load(outputs[1][1])[0], np.load(outputs[0][1])[4])  # a shared text: one vector


def test_a_shard_outside_the_configured_count_is_refused(tiny_bert, tmp_path):
    documents, topics = _write_inputs(tmp_path)
    with pytest.raises(ValueError, match="outside"):
        steps.embed_shard("tiny", {"model": str(tiny_bert)}, {"shards": 2}, str(tmp_path), documents, topics, 2, str(tmp_path / "x"))


def test_the_gathering_job_reads_the_cache_of_the_shards_precision(tiny_bert, tmp_path, count_loads):
    """Shards on GPU nodes resolve bfloat16; the gathering job, on a CPU, must read their cache, not re-encode in float32."""
    import json

    documents, topics = _write_inputs(tmp_path)
    encoder = {"model": str(tiny_bert), "max_length": 32, "batch_size": 2}
    steps.embed_shard(
        "tiny", encoder, {"device": "cpu", "precision": "bfloat16"}, str(tmp_path / "cache"), documents, topics, 0, str(tmp_path / "0.json")
    )
    count_loads(fail=True)
    outputs = [(path, str(tmp_path / f"out{i}.npy")) for i, path in enumerate(documents)]
    auto = {"device": "cpu", "precision": "auto"}  # resolves to float32 here
    steps.embed("tiny", encoder, auto, str(tmp_path / "cache"), outputs, [], [str(tmp_path / "0.json")], str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["precision"] == "bfloat16"
    np.testing.assert_allclose(np.linalg.norm(np.load(outputs[0][1]), axis=1), 1.0, atol=1e-6)  # re-normalised in float32

    other = json.loads((tmp_path / "0.json").read_text()) | {"precision": "float32", "shard": 1}
    (tmp_path / "1.json").write_text(json.dumps(other))
    with pytest.raises(InputError, match="different precisions"):
        steps.embed(
            "tiny",
            encoder,
            auto,
            str(tmp_path / "cache"),
            outputs,
            [],
            [str(tmp_path / f"{i}.json") for i in (0, 1)],
            str(tmp_path / "r.json"),
        )


def test_a_fine_tuned_encoders_queries_job_embeds_every_text_and_its_document_jobs_only_gather(tiny_bert, tmp_path, count_loads):
    import json

    documents, topics = _write_inputs(tmp_path)
    checkpoint = {"model": str(tiny_bert), "max_length": 32, "batch_size": 2}
    embedding = {"device": "cpu", "precision": "auto", "storage": "float32"}
    cache = str(tmp_path / "cache")
    record = tmp_path / "emb" / "cldr" / "tiny+qd.json"
    counter = count_loads()
    steps.embed_finetuned_queries("tiny+qd", checkpoint, embedding, cache, documents, topics[0], str(tmp_path / "emb/q.npy"), str(record))
    distinct = {d.text for path in documents for d in contract.read_documents(path)} | {"Germany", "ドイツ"}
    assert sorted(counter.encoded) == sorted(distinct)  # one pass over the dataset's texts: batches never depend on job order
    assert json.loads(record.read_text())["precision"] == "float32"
    count_loads(fail=True)  # the documents' jobs find everything in the cache
    for i, path in enumerate(documents):
        steps.embed_finetuned_documents("tiny+qd", checkpoint, embedding, cache, path, str(record), str(tmp_path / f"emb/d{i}.npy"))
    assert np.load(tmp_path / "emb/d0.npy").shape == (6, 32) and np.load(tmp_path / "emb/q.npy").shape == (2, 32)
    assert not list((tmp_path / "emb").glob(".embed-*"))  # no scratch left behind


def test_the_gathering_job_re_encodes_a_damaged_chunk_and_its_record_counts_it(tiny_bert, tmp_path):
    import json

    documents, topics = _write_inputs(tmp_path)
    encoder = {"model": str(tiny_bert), "max_length": 32, "batch_size": 2}
    settings = {"device": "cpu", "shards": 1, "chunk_size": 2}
    cache = str(tmp_path / "cache")
    steps.embed_shard("tiny", encoder, settings, cache, documents, topics, 0, str(tmp_path / "0.json"))
    outputs = [(path, str(tmp_path / f"out{i}.npy")) for i, path in enumerate(documents)]
    queries = [(topics[0], str(tmp_path / "queries.npy"))]
    steps.embed("tiny", encoder, settings, cache, outputs, queries, [str(tmp_path / "0.json")], str(tmp_path / "record.json"))
    good = [np.load(out) for _, out in outputs]
    shards_encoded = json.loads((tmp_path / "0.json").read_text())["encoded"]

    chunk = sorted(Path(json.loads((tmp_path / "record.json").read_text())["cache"]).glob("*.vectors.npy"))[0]
    in_chunk = len(np.load(str(chunk).replace(".vectors.npy", ".keys.npy")))
    data = bytearray(chunk.read_bytes())
    data[-8:] = b"\xff" * 8  # flipped bytes in the last vector: still a valid .npy file
    chunk.write_bytes(bytes(data))
    steps.embed("tiny", encoder, settings, cache, outputs, queries, [str(tmp_path / "0.json")], str(tmp_path / "record.json"))
    assert json.loads((tmp_path / "record.json").read_text())["encoded"] == shards_encoded + in_chunk  # the damaged chunk's texts
    for before, (_, out) in zip(good, outputs, strict=True):
        np.testing.assert_allclose(np.load(out), before, atol=1e-6)
