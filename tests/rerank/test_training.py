"""Tests of crossrank.rerank.settings, .training, .scoring and .steps on a tiny BERT: Table 11, the score cache, a re-ranked run."""

from __future__ import annotations

import dataclasses

import factories
import numpy as np
import pytest

from crossrank.core.runs import read_run
from crossrank.rerank import steps
from crossrank.rerank.negatives import Example, write_examples
from crossrank.rerank.scoring import cached_scores, cross_encoder_fingerprint
from crossrank.rerank.settings import RerankSettings, training_arguments
from crossrank.rerank.training import train_cross_encoder

WORDS = ["germany", "france", "spain", "euro", "yen", "country", "europe", "currency", "language", "land"]
ROWS = [Example(w, f"{w} {WORDS[(i + 1) % 10]}", 1) for i, w in enumerate(WORDS)] + [
    Example(w, f"{WORDS[(i + 5) % 10]} {WORDS[(i + 6) % 10]}", 0) for i, w in enumerate(WORDS)
]
TINY = RerankSettings(epochs=2, batch_size=4, max_length=16, learning_rate=1e-3)


def test_the_trainer_is_configured_as_table_11(tmp_path):
    args = training_arguments(RerankSettings(), str(tmp_path), use_cpu=True)
    assert (args.learning_rate, args.num_train_epochs, args.per_device_train_batch_size, args.per_device_eval_batch_size) == (
        2e-5,
        10,
        8,
        8,
    )
    assert (str(args.lr_scheduler_type), args.warmup_steps, args.seed) == ("SchedulerType.LINEAR", 0.1, 42)  # 10% of the steps
    assert (args.metric_for_best_model, args.greater_is_better, args.load_best_model_at_end) == ("eval_loss", False, True)
    assert args.get_warmup_steps(100) == 10 and args.fp16 is False  # full precision on CPU; fp16 on CUDA (Table 11)


def test_training_keeps_the_best_eval_loss_and_writes_a_loadable_cross_encoder(tiny_bert, tmp_path):
    result = train_cross_encoder(str(tiny_bert), ROWS[:8] + ROWS[10:18], ROWS[8:10] + ROWS[18:], TINY, tmp_path / "tiny-easy")
    assert [epoch for epoch, _ in result.eval_loss] == [1, 2]
    assert result.best_epoch == min(result.eval_loss, key=lambda item: item[1])[0]
    assert not (tmp_path / "tiny-easy.checkpoints").exists() and not (tmp_path / "tiny-easy" / "README.md").exists()
    from sentence_transformers.cross_encoder import CrossEncoder

    assert CrossEncoder(str(tmp_path / "tiny-easy")).predict([("euro", "euro land")]).shape == (1,)
    with pytest.raises(FileExistsError, match="finished cross-encoder"):
        train_cross_encoder(str(tiny_bert), ROWS, ROWS, TINY, tmp_path / "tiny-easy")


def test_the_score_cache_scores_each_pair_once_and_a_new_checkpoint_scores_all_again(tiny_bert, tmp_path):
    calls: list[int] = []

    def factory():
        def score(pairs):
            calls.append(len(pairs))
            return np.array([len(q) + len(d) for q, d in pairs], dtype=np.float32)

        return score

    pairs = [("euro", "euro land"), ("yen", "japan"), ("euro", "euro land")]
    fingerprint = cross_encoder_fingerprint(str(tiny_bert), 16, "float32")
    first = cached_scores(pairs, tmp_path / "cache", fingerprint, factory, chunk_size=1)
    assert list(first) == [13.0, 8.0, 13.0] and sum(calls) == 2  # a repeated pair is scored once
    calls.clear()
    assert list(cached_scores([*pairs, ("yen", "yen")], tmp_path / "cache", fingerprint, factory)) == [13.0, 8.0, 13.0, 6.0]
    assert sum(calls) == 1  # only the new pair
    calls.clear()
    other = cross_encoder_fingerprint(str(tiny_bert), 32, "float32")
    cached_scores(pairs, tmp_path / "cache", other, factory)
    assert sum(calls) == 2  # another checkpoint setting: every pair again


def test_an_interrupted_scoring_keeps_its_finished_chunks(tiny_bert, tmp_path):
    fingerprint = cross_encoder_fingerprint(str(tiny_bert), 16, "float32")
    pairs = [(f"q{i}", "d" * i) for i in range(6)]
    scored: list[int] = []

    def failing():
        def score(batch):
            if scored:
                raise RuntimeError("killed")
            scored.append(len(batch))
            return np.ones(len(batch))

        return score

    with pytest.raises(RuntimeError, match="killed"):
        cached_scores(pairs, tmp_path / "cache", fingerprint, failing, chunk_size=2)
    resumed: list[int] = []

    def counting():
        def score(batch):
            resumed.append(len(batch))
            return np.ones(len(batch))

        return score

    cached_scores(pairs, tmp_path / "cache", fingerprint, counting, chunk_size=2)
    assert sum(resumed) == 4  # the first chunk of 2 survived


def test_train_then_rerank_a_first_stage_run_end_to_end(tiny_bert, tmp_path):
    write_examples(tmp_path / "easy.train.csv", ROWS[:8] + ROWS[10:18])
    write_examples(tmp_path / "easy.validation.csv", ROWS[8:10] + ROWS[18:])
    settings = {**dataclasses.asdict(TINY), "device": "cpu", "top_k": 3, "score_batch_size": 4, "seed": 1}
    entry = {"model": str(tiny_bert)}
    steps.rerank_train("tiny-easy", entry, settings, str(tmp_path / "easy.train.csv"), str(tmp_path / "easy.validation.csv"),
                       str(tmp_path / "tiny-easy"), str(tmp_path / "tiny-easy.json"))  # fmt: skip
    documents = factories.documents({"d1": ("de", "euro land"), "d2": ("de", "yen"), "d3": ("de", "spain"), "d4": ("de", "germany")})
    topics = factories.topics({"q1": ("en", "de", "euro"), "q2": ("en", "de", "spain")})
    contract_files = factories.write_contract(
        tmp_path / "c", documents=documents, topics=topics, qrels=factories.qrels({"q1": ["d1"], "q2": ["d4"]})
    )
    first = factories.write_run_file(
        tmp_path / "bm25.trec", {"q1": {"d2": 3.0, "d1": 2.0, "d3": 1.0}, "q2": {"d1": 2.0, "d2": 1.0, "d3": 0.5}}, "bm25"
    )
    for model, name in (("tiny-easy", "rerank.tiny-easy.bm25.original"), ("none-asis", "rerank.none-asis.bm25.original")):
        steps.rerank(name, model, str(first), str(contract_files["topics"]), str(contract_files["qrels"]),
                     [str(contract_files["documents"])], settings, str(tmp_path / f"{name}.trec"), checkpoint=str(tmp_path / "tiny-easy"),
                     cache_root=str(tmp_path / "cache"))  # fmt: skip
    reranked = read_run(tmp_path / "rerank.tiny-easy.bm25.original.trec")
    assert set(reranked["q1"]) == {"d1", "d2", "d3"} and set(reranked["q2"]) == {"d1", "d2", "d4"}  # gold d4 replaced rank 3
    assert (tmp_path / "rerank.tiny-easy.bm25.original.trec").read_text().split("\n")[0].endswith("rerank.tiny-easy.bm25.original")
    baseline = read_run(tmp_path / "rerank.none-asis.bm25.original.trec")
    assert sorted(baseline["q2"], key=baseline["q2"].get, reverse=True) == ["d1", "d2", "d3"]  # the first stage's order, as is


def test_a_cross_encoder_killed_in_epoch_2_resumes_from_epoch_1(tiny_bert, tmp_path):
    from transformers import TrainerCallback

    class KillInSecondEpoch(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if state.epoch is not None and state.epoch > 1.0:
                raise RuntimeError("killed")

    train, validation = ROWS[:8] + ROWS[10:18], ROWS[8:10] + ROWS[18:]
    with pytest.raises(RuntimeError, match="killed"):
        train_cross_encoder(str(tiny_bert), train, validation, TINY, tmp_path / "ce", callbacks=[KillInSecondEpoch()])
    assert [p.name for p in (tmp_path / "ce.checkpoints").glob("checkpoint-*")] == ["checkpoint-4"]  # epoch 1: 16 rows / 4
    assert not (tmp_path / "ce").exists()

    class Steps(TrainerCallback):
        def __init__(self):
            self.seen: list[int] = []

        def on_step_begin(self, args, state, control, **kwargs):
            self.seen.append(state.global_step)

    steps_seen = Steps()
    result = train_cross_encoder(str(tiny_bert), train, validation, TINY, tmp_path / "ce", callbacks=[steps_seen])
    assert steps_seen.seen[0] == 4 and [epoch for epoch, _ in result.eval_loss] == [1, 2]  # started in epoch 2
    assert result.resumed_from == 1 and not (tmp_path / "ce.checkpoints").exists()


def test_two_trainings_with_one_seed_give_identical_weights(tiny_bert, tmp_path):
    train, validation = ROWS[:8] + ROWS[10:18], ROWS[8:10] + ROWS[18:]
    one_epoch = dataclasses.replace(TINY, epochs=1)
    train_cross_encoder(str(tiny_bert), train, validation, one_epoch, tmp_path / "a")
    train_cross_encoder(str(tiny_bert), train, validation, one_epoch, tmp_path / "b")
    assert (tmp_path / "a/model.safetensors").read_bytes() == (tmp_path / "b/model.safetensors").read_bytes()
