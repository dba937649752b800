"""Tests of crossrank.finetune.training and .settings on a tiny BERT: Table 10 overrides, best-epoch selection, determinism."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
from sentence_transformers.base.evaluation.evaluator import BaseEvaluator

from crossrank.core.encoder_model import EncoderSpec, load_encoder
from crossrank.core.errors import ConfigError
from crossrank.finetune.pairs import TextPair
from crossrank.finetune.settings import FinetuneSettings, training_arguments
from crossrank.finetune.training import best_epoch, fine_tune, validation_evaluator

WORDS = ["germany", "france", "spain", "euro", "yen", "country", "europe", "currency", "language", "land"]
GERMAN = ["deutschland", "frankreich", "spanien", "euro", "yen", "staat", "europa", "währung", "sprache", "land"]
PAIRS = [
    TextPair(f"e{i}", "en", f"{w} {WORDS[(i + 3) % 10]}", "de", f"{g} {GERMAN[(i + 3) % 10]}")
    for i, (w, g) in enumerate(zip(WORDS, GERMAN, strict=True))
]
TINY = FinetuneSettings(batch_size=4, epochs=2, learning_rate=1e-3, seed=7)


def _spec(model: Path) -> EncoderSpec:
    return EncoderSpec(name="tiny", model=str(model), max_length=32, batch_size=8)


def test_the_trainer_is_configured_as_table_10_not_as_the_libraries_defaults(tmp_path):
    settings = FinetuneSettings()
    assert (settings.learning_rate, settings.batch_size, settings.epochs, settings.temperature) == (1e-5, 16, 10, 0.1)
    assert settings.loss_scale == pytest.approx(10.0)  # the library's default scale is 20 (temperature 0.05)
    assert (settings.max_length("phrase"), settings.max_length("word"), settings.max_length("qd")) == (128, 128, 512)
    args = training_arguments(settings, str(tmp_path), "eval_x", use_cpu=True)
    assert args.weight_decay == 0.0 and args.optim.value == "adamw_torch"  # Adam: AdamW without decay
    assert args.lr_scheduler_type.value == "constant" and args.warmup_steps == 0  # no scheduler, no warmup
    assert args.max_grad_norm == 0.0  # transformers clips at 1.0 by default, and only when > 0
    assert (args.learning_rate, args.per_device_train_batch_size, args.num_train_epochs) == (1e-5, 16, 10)
    assert args.load_best_model_at_end and args.metric_for_best_model == "eval_x" and args.greater_is_better


def test_the_optimizer_keeps_the_learning_rate_and_decays_no_weight(tiny_bert, tmp_path):
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    model = load_encoder(_spec(tiny_bert))
    args = training_arguments(FinetuneSettings(epochs=3), str(tmp_path), "eval_loss", use_cpu=True)
    evaluator, _ = validation_evaluator("phrase", PAIRS[:3], _spec(tiny_bert), 8)
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_dict({"anchor": ["a b"] * 4, "positive": ["c d"] * 4}),
        loss=MultipleNegativesRankingLoss(model, scale=10.0),
        evaluator=evaluator,
    )
    trainer.create_optimizer_and_scheduler(num_training_steps=30)
    assert all(group["weight_decay"] == 0.0 for group in trainer.optimizer.param_groups)
    for _ in range(10):
        trainer.optimizer.step()
        trainer.lr_scheduler.step()
    assert trainer.lr_scheduler.get_last_lr() == [1e-5] * len(trainer.optimizer.param_groups)


def test_bad_settings_name_the_key():
    with pytest.raises(ConfigError, match=r"'finetune\.batch_size' is 0"):
        FinetuneSettings(batch_size=0)
    with pytest.raises(ValueError, match="unknown fine-tuning level 'doc'"):
        FinetuneSettings().max_length("doc")


def test_best_epoch_is_the_highest_score_and_the_earliest_among_equals():
    assert best_epoch([(0, 0.2), (1, 0.5), (2, 0.4)]) == 1  # not the last epoch
    assert best_epoch([(0, 0.6), (1, 0.5), (2, 0.4)]) == 0  # training only hurt: the untrained model
    assert best_epoch([(1, 0.5), (2, 0.5)]) == 1
    with pytest.raises(ValueError, match="no validation score"):
        best_epoch([])


def test_phrase_training_writes_the_best_epoch_as_a_loadable_encoder(tiny_bert, tmp_path, capfd, caplog):
    out = tmp_path / "tiny+phrase"
    with caplog.at_level("INFO", logger="crossrank.finetune.training"):
        result = fine_tune(_spec(tiny_bert), "phrase", PAIRS[:8], PAIRS[8:], TINY, out)
    printed = capfd.readouterr()
    assert "eval_en-de_mean_accuracy" not in printed.out + printed.err  # the metric dicts go to the job's log, not the terminal
    assert "eval_en-de_mean_accuracy" in caplog.text
    assert [epoch for epoch, _ in result.curve] == [0, 1, 2] and result.metric == "sequential_score"
    assert result.best_epoch == best_epoch(result.curve)
    assert not (tmp_path / "tiny+phrase.checkpoints").exists() and not (tmp_path / "tiny+phrase.partial").exists()
    tuned = load_encoder(_spec(out))  # a local model like any other registry entry
    assert tuned.encode(["germany"]).shape == (1, 32)
    with pytest.raises(FileExistsError, match="finished fine-tuning run"):
        fine_tune(_spec(tiny_bert), "phrase", PAIRS[:8], PAIRS[8:], TINY, out)


class ScriptedEvaluator(BaseEvaluator):
    """Stands in for the validation evaluator: returns the scores of a script, one per call (epoch 0, 1, 2, ...)."""

    def __init__(self, scores):
        super().__init__()
        self.scores = list(scores)
        self.primary_metric = "scripted"

    def __call__(self, model, output_path=None, epoch=-1, steps=-1):
        return {"scripted": self.scores.pop(0)}


def _scripted(monkeypatch, scores):
    from crossrank.finetune import training

    monkeypatch.setattr(training, "validation_evaluator", lambda *args: (ScriptedEvaluator(scores), "scripted"))


def test_a_middle_epoch_that_validates_best_is_the_one_kept(tiny_bert, tmp_path, monkeypatch):
    _scripted(monkeypatch, [0.2, 0.9, 0.1])  # epoch 0, 1, 2: the best is neither the first nor the last
    result = fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], TINY, tmp_path / "two")
    assert result.curve == [(0, 0.2), (1, 0.9), (2, 0.1)] and result.best_epoch == 1
    _scripted(monkeypatch, [0.2, 0.9])
    one_epoch = dataclasses.replace(TINY, epochs=1)
    fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], one_epoch, tmp_path / "one")
    texts = ["germany euro", "frankreich europa"]
    kept, after_one = load_encoder(_spec(tmp_path / "two")), load_encoder(_spec(tmp_path / "one"))
    assert np.array_equal(kept.encode(texts), after_one.encode(texts))  # epoch 1's weights, not epoch 2's


def test_when_no_epoch_beats_the_untrained_model_the_untrained_model_is_kept(tiny_bert, tmp_path, monkeypatch):
    _scripted(monkeypatch, [0.7, 0.5, 0.6])
    result = fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], TINY, tmp_path / "out")
    assert result.best_epoch == 0
    base, kept = load_encoder(_spec(tiny_bert)), load_encoder(_spec(tmp_path / "out"))
    assert np.allclose(base.encode(["euro land"]), kept.encode(["euro land"]), atol=1e-6)
    _scripted(monkeypatch, [0.5, 0.6])  # without epoch 0 among the candidates, a trained epoch is kept
    without = fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], dataclasses.replace(TINY, epoch_zero=False), tmp_path / "b")
    assert without.curve == [(1, 0.5), (2, 0.6)] and without.best_epoch == 2


def test_two_runs_with_one_seed_give_identical_weights(tiny_bert, tmp_path):
    first = fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], TINY, tmp_path / "a")
    second = fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], TINY, tmp_path / "b")
    assert first.curve == second.curve
    texts = ["germany euro", "frankreich europa"]
    assert np.array_equal(load_encoder(_spec(tmp_path / "a")).encode(texts), load_encoder(_spec(tmp_path / "b")).encode(texts))


def test_phrase_validation_matches_translations_within_each_language_pair_and_averages(tiny_bert):
    pairs = [*PAIRS[:3], TextPair("x", "fr", "pays", "de", "land"), TextPair("y", "fr", "euro", "de", "euro")]
    evaluator, metric = validation_evaluator("phrase", pairs, _spec(tiny_bert), 8)
    scores = evaluator(load_encoder(_spec(tiny_bert)))
    per_pair = [scores["en-de_mean_accuracy"], scores["fr-de_mean_accuracy"]]
    assert metric == "sequential_score" and scores[metric] == pytest.approx(sum(per_pair) / 2)
    assert scores["fr-de_mean_accuracy"] == pytest.approx((scores["fr-de_src2trg_accuracy"] + scores["fr-de_trg2src_accuracy"]) / 2)


def test_qd_validation_averages_ndcg_over_language_pairs(tiny_bert):
    pairs = [*PAIRS[:3], TextPair("x", "fr", "pays", "de", "land"), TextPair("y", "fr", "euro", "de", "euro")]
    evaluator, metric = validation_evaluator("qd", pairs, _spec(tiny_bert), 8)
    scores = evaluator(load_encoder(_spec(tiny_bert)))
    per_pair = [scores["en-de_cosine_ndcg@10"], scores["fr-de_cosine_ndcg@10"]]
    assert metric == "sequential_score" and scores[metric] == pytest.approx(sum(per_pair) / 2)
    with pytest.raises(ValueError, match="no validation pairs"):
        validation_evaluator("qd", [], _spec(tiny_bert), 8)


def test_a_run_killed_in_epoch_2_resumes_from_epoch_1_and_ends_as_an_uninterrupted_run(tiny_bert, tmp_path):
    from transformers import TrainerCallback

    class KillInSecondEpoch(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if state.epoch is not None and state.epoch > 1.0:
                raise RuntimeError("killed")

    three = dataclasses.replace(TINY, epochs=3)
    with pytest.raises(RuntimeError, match="killed"):
        fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], three, tmp_path / "run", callbacks=[KillInSecondEpoch()])
    assert [p.name for p in (tmp_path / "run.checkpoints").glob("checkpoint-*")] == ["checkpoint-2"]  # epoch 1 (2 steps)
    assert not (tmp_path / "run").exists()

    class FirstStep(TrainerCallback):
        def __init__(self):
            self.steps: list[int] = []

        def on_step_begin(self, args, state, control, **kwargs):
            self.steps.append(state.global_step)

    # A kill while the trainer wrote the epoch-2 checkpoint: its weights are there, its state (written last) is not.
    half_written = tmp_path / "run.checkpoints/checkpoint-4"
    shutil.copytree(tmp_path / "run.checkpoints/checkpoint-2", half_written, ignore=shutil.ignore_patterns("trainer_state.json"))
    first = FirstStep()
    resumed = fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], three, tmp_path / "run", callbacks=[first])
    assert first.steps[0] == 2 and resumed.resumed_from == 1  # the trainer started at epoch 2, not from scratch
    assert not (tmp_path / "run.checkpoints").exists() and not (tmp_path / "run.checkpoints.discarded").exists()
    straight = fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], three, tmp_path / "straight")
    assert resumed.curve == straight.curve and resumed.best_epoch == straight.best_epoch and straight.resumed_from == 0
    texts = ["germany euro", "frankreich europa"]
    assert np.array_equal(load_encoder(_spec(tmp_path / "run")).encode(texts), load_encoder(_spec(tmp_path / "straight")).encode(texts))


WORD_PAIRS = [TextPair(f"w{i}", "en", f"{w} land", "en", f"{w} {'land' if i % 2 else 'euro'}", i % 2) for i, w in enumerate(WORDS)]


def test_word_level_trains_a_contrastive_loss_on_labelled_pairs_and_selects_by_accuracy(tiny_bert, tmp_path, monkeypatch):
    from sentence_transformers.sentence_transformer.evaluation import BinaryClassificationEvaluator
    from sentence_transformers.sentence_transformer.losses import ContrastiveLoss

    evaluator, metric = validation_evaluator("word", WORD_PAIRS[6:], _spec(tiny_bert), 8)
    assert isinstance(evaluator, BinaryClassificationEvaluator) and metric == "word_cosine_accuracy"
    assert 0 <= evaluator(load_encoder(_spec(tiny_bert)))[metric] <= 1
    margins = []
    original = ContrastiveLoss.__init__

    def recording(self, model, *args, **kwargs):
        margins.append(kwargs.get("margin"))
        original(self, model, *args, **kwargs)

    monkeypatch.setattr(ContrastiveLoss, "__init__", recording)
    settings = dataclasses.replace(TINY, word_margin=0.3)
    result = fine_tune(_spec(tiny_bert), "word", WORD_PAIRS[:6], WORD_PAIRS[6:], settings, tmp_path / "tiny+word")
    assert margins == [0.3]  # the releases' different-sense pairs as negatives, through the contrastive loss
    assert result.metric == "word_cosine_accuracy" and [epoch for epoch, _ in result.curve] == [0, 1, 2]
    assert load_encoder(_spec(tmp_path / "tiny+word")).encode(["euro"]).shape == (1, 32)


def test_a_checkpoint_embeds_through_the_encoder_path_under_a_cache_key_of_its_weights(tiny_bert, tmp_path):
    from crossrank.dense.embedding import Embedder
    from crossrank.dense.encoders import EmbeddingSettings, encoder_fingerprint

    fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], dataclasses.replace(TINY, epoch_zero=False), tmp_path / "a")
    fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], dataclasses.replace(TINY, epoch_zero=False), tmp_path / "same")
    fine_tune(_spec(tiny_bert), "qd", PAIRS[:8], PAIRS[8:], dataclasses.replace(TINY, epoch_zero=False, seed=8), tmp_path / "other")
    keys = {name: encoder_fingerprint(_spec(tmp_path / name)) for name in ("a", "same", "other")}
    assert keys["a"] == keys["same"]  # the same weights (and files): the same cache
    assert keys["other"] != keys["a"] and encoder_fingerprint(_spec(tiny_bert)) != keys["a"]  # other weights: another cache
    texts = ["germany euro", "frankreich europa"]
    settings = EmbeddingSettings(device="cpu")
    cached = Embedder(_spec(tmp_path / "a"), settings, tmp_path / "cache").embed(texts)
    np.testing.assert_allclose(cached, load_encoder(_spec(tmp_path / "a")).encode(texts, normalize_embeddings=True), atol=1e-6)
    retrained = Embedder(_spec(tmp_path / "other"), settings, tmp_path / "cache").embed(texts)
    assert not np.allclose(cached, retrained)  # not served from the first checkpoint's cache
