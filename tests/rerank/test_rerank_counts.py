"""The re-ranking job says how many pairs its model scored (crossrank.rerank.steps.rerank): what a resumed job redid."""

from __future__ import annotations

import logging
import re

import factories


def _scored(caplog) -> list[tuple[int, int]]:
    """(pairs, scored by the model) of every re-ranking logged so far."""
    found = [re.search(r": (\d+) pairs, (\d+) scored by the model", record.getMessage()) for record in caplog.records]
    return [(int(m.group(1)), int(m.group(2))) for m in found if m]


def test_the_log_counts_the_pairs_the_model_scored_and_a_second_mode_scores_only_new_ones(tiny_bert, tmp_path, caplog):
    from crossrank.rerank import steps

    documents = factories.documents({"d1": ("de", "euro land"), "d2": ("de", "yen"), "d3": ("de", "spain"), "d4": ("de", "germany")})
    topics = factories.topics({"q1": ("en", "de", "euro"), "q2": ("en", "de", "spain")})
    files = factories.write_contract(
        tmp_path / "c", documents=documents, topics=topics, qrels=factories.qrels({"q1": ["d1"], "q2": ["d4"]})
    )
    first = factories.write_run_file(
        tmp_path / "bm25.trec", {"q1": {"d2": 3.0, "d1": 2.0, "d3": 1.0}, "q2": {"d1": 2.0, "d2": 1.0, "d3": 0.5}}, "bm25"
    )
    settings = {"device": "cpu", "top_k": 2, "score_batch_size": 4, "max_length": 16, "chunk_size": 2}
    caplog.set_level(logging.INFO, logger="crossrank")
    for model in ("tiny-easy", "tiny-easy-asis", "tiny-easy"):  # inject_gold, as_is (one new pair: q1's d2), inject_gold again
        name = f"rerank.{model}.bm25.original"
        steps.rerank(name, model, str(first), str(files["topics"]), str(files["qrels"]), [str(files["documents"])], settings,
                     str(tmp_path / f"{name}.trec"), checkpoint=str(tiny_bert), cache_root=str(tmp_path / "cache"))  # fmt: skip
    # inject_gold: q1 keeps d2, d1 (d1 relevant); q2's gold d4 replaces rank 2 (d2): d1, d4. as_is adds q2's d2.
    assert _scored(caplog) == [(4, 4), (4, 1), (4, 0)]
