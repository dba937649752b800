"""Crash safety by fault injection, and determinism, on one tiny configuration of the whole DAG.

Three copies of the project run the same tiny configuration (cldr translated by a tiny NLLB, one tiny encoder
fine-tuned at the query-document level, a tiny cross-encoder re-ranking its dense run), each with the README's
command (``make demo``, which runs the launcher ``python -m crossrank.core.resume``):

* ``reference``: one uninterrupted run, the run every other one must equal;
* ``clean``: a second uninterrupted run in another directory: determinism (the same bytes);
* ``crashed``: one run whose process group is SIGKILLed in the middle of translation, of embedding, of
  fine-tuning, of the re-ranker's training and of re-ranking (in the order the DAG reaches them; one kill may
  catch two stages running side by side), each time re-run with the same command
  until it completes. "In the middle" is read from what the stage keeps: at least one sealed chunk of its
  cache (``*.sha256``), or one complete epoch checkpoint, while its job is still running. Each re-run must
  redo none of what was sealed: the work its job reports (the embed record's ``encoded``, the translation
  job's "N to translate", the re-ranking job's "N scored by the model", the training records'
  ``resumed_from_epoch``) is exactly what the kill left undone, so what a kill costs is the chunk (epoch) in
  flight, and the chunk files sealed before the kill are never rewritten.

The three run at once (the DAG leaves cores idle; a slower machine only widens the windows the kills aim at).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import yaml
from scratch_project import copy_project, environment

from crossrank.core.cache_store import SEAL_SUFFIX
from crossrank.core.checkpoints import CHECKPOINT_PREFIX, checkpoint_epoch, is_complete
from crossrank.core.model_source import resolve_model

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("make") is None, reason="needs make")]

CHUNKS = {"translation": 4, "embedding": 8, "rerank": 16}  # pieces, texts and pairs per sealed chunk: several per stage
# What the runs build: every stage that computes (translation, both BM25 and dense conditions, fine-tuning, re-ranking),
# the evaluation and the tables. Not the MLflow runs (ids and times are new in every run, and one MLflow job costs
# more than a stage here), the figures and report (drawn from these tables), nor the efficiency study (timings).
TARGETS = [
    "stage_prepare_cldr",
    "stage_translate_cldr",
    "stage_finetune_cldr",
    "stage_retrieve_cldr",
    "stage_rerank_cldr",
    "stage_metrics",
    "results/tables/table3_translation.csv",
    "results/tables/table4_finetuning.csv",
    "results/tables/table6_reranking.csv",
    "results/tables/significance.csv",
]
TRANSLATION_LOG = "logs/translate/cldr.shard0.log"
FINETUNED = "data/finetune/cldr/tiny+qd"
RERANKER = "data/rerank/cldr/tiny-easy"
RERANKED = "results/cldr/reranked/rerank.tiny-easy.dense.tiny.original.trec"
RERANK_LOG = "logs/rerank/cldr.rerank.tiny-easy.dense.tiny.original.log"
# Compared byte for byte: every file under these, after one run of TARGETS.
COMPARED = ("results", "data")
# Inherently not reproducible: the wall time a training took, kept in its record beside what it chose. The rest of
# each record is compared. (Logs, .snakemake and the caches are not outputs: not compared.)
VOLATILE_KEYS = {"data/finetune/cldr/tiny+qd.json": {"seconds"}, "data/rerank/cldr/tiny-easy.json": {"seconds"}}
# Differ after a resume by design, asserted on their own below: the work a record says its job did (what the
# cache lacked), and the epoch a training job resumed from.
RESUME_KEYS = {
    "data/embeddings/tiny.json": {"encoded"},
    "data/embeddings/cldr/tiny+qd.json": {"encoded"},
    "data/finetune/cldr/tiny+qd.json": {"resumed_from_epoch"},
    "data/rerank/cldr/tiny-easy.json": {"resumed_from_epoch"},
}
RUN_SECONDS = 420  # bound on one pipeline, killed attempts included


def _configure(root: Path, tiny_bert: Path, tiny_nllb: Path) -> Path:
    """``root``'s params.yaml made tiny: 40 entities, a stage's work cut in several chunks, no ANN, fusion or study."""
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["cldr"].update(max_entities=40, translation="nllb")
    nllb = {"model": str(tiny_nllb), "num_beams": 2, "max_input_tokens": 64, "max_output_tokens": 16, "chunk_size": CHUNKS["translation"]}
    params["translation"]["nllb"].update(nllb)
    params["encoders"] = {"tiny": {"model": str(tiny_bert), "max_length": 32, "batch_size": 8}}
    params["embedding"]["chunk_size"] = CHUNKS["embedding"]
    params["ann"]["enabled"] = False
    params["efficiency"]["enabled"] = False
    params["fusion"]["methods"] = []
    # A learning rate that moves the tiny model, and no epoch 0: the kept model is a trained epoch.
    tuning = {"encoders": ["tiny"], "levels": ["qd"], "epochs": 2, "batch_size": 8, "learning_rate": 1e-3, "epoch_zero": False}
    params["finetune"].update(tuning, max_train_pairs=64, max_validation_pairs=16)
    reranking = {"models": ["tiny"], "negatives": ["easy"], "first_stages": ["dense.tiny"], "modes": ["inject_gold"], "top_k": 10}
    params["rerank"].update(reranking, epochs=2, max_train_queries=32, queries_per_pair=1, max_length=32, chunk_size=CHUNKS["rerank"])
    params["report"]["significance"].update(resamples=200, bootstrap_resamples=100)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (root / "stamp").write_text("")  # the Makefile's "virtual environment installed" stamp: the test's own is used
    return root


def _make_demo(project: Path, log: Path) -> subprocess.Popen[bytes]:
    """The README's command, ``make demo`` (the launcher, then Snakemake), in its own process group, output to ``log``."""
    make = [shutil.which("make") or "make", "-s", "demo", f"BIN={Path(sys.executable).parent}", f"STAMP={project / 'stamp'}"]
    make += ["CORES=2", f"SNAKEMAKE_ARGS={' '.join(TARGETS)}"]
    with open(log, "wb") as output:
        return subprocess.Popen(make, cwd=project, env=environment(), stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def _processes_in(directory: Path) -> list[int]:
    """PIDs of the live processes whose working directory is ``directory`` (a killed one's zombie has none)."""
    here, found = directory.resolve(), []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if Path(os.readlink(entry / "cwd")) == here:
                found.append(int(entry.name))
    return found


def _kill(process: subprocess.Popen[bytes], project: Path) -> None:
    """SIGKILL ``process``'s group (make, Snakemake, its jobs) and wait until nothing runs in ``project``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while (left := _processes_in(project)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"processes {left} outlived the kill of the pipeline's process group"


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


@dataclass
class Pipeline:
    """One copy of the project and its ``make demo`` in flight (if any)."""

    root: Path
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    seconds: float | None = None

    @property
    def log(self) -> Path:
        return self.root.parent / f"{self.root.name}.log"

    def start(self) -> None:
        self.started = time.monotonic()
        self.process = _make_demo(self.root, self.log)

    def finish(self) -> Path:
        """Wait for the run (at most :data:`RUN_SECONDS` from its start); its project, once it succeeded."""
        if self.process is not None:
            try:
                rc = self.process.wait(timeout=max(1.0, RUN_SECONDS - (time.monotonic() - self.started)))
            except subprocess.TimeoutExpired:
                self.stop()
                pytest.fail(f"{self.root.name}: no result after {RUN_SECONDS} s:\n{_tail(self.log)}")
            self.seconds = time.monotonic() - self.started
            print(f"{self.root.name}: {self.seconds:.0f} s")
            self.process = None
            assert rc == 0, f"{self.root.name}: make demo failed ({rc}):\n{_tail(self.log)}"
        return self.root

    def stop(self) -> None:
        if self.process is not None:
            _kill(self.process, self.root)
            self.process = None


@dataclass
class Projects:
    reference: Pipeline
    clean: Pipeline
    crashed: Path
    base_model: str  # the content identity of the tiny encoder (its embedding cache's fingerprint)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path, tiny_nllb: Path, project_root: Path) -> Iterator[Projects]:
    """Three configured copies; the reference and the clean run are started at once (in the background)."""
    base = tmp_path_factory.mktemp("crash")
    made = {name: _configure(copy_project(project_root, base / name), tiny_bert, tiny_nllb) for name in ("reference", "clean", "crashed")}
    reference, clean = Pipeline(made["reference"]), Pipeline(made["clean"])
    reference.start()
    clean.start()
    try:
        yield Projects(reference, clean, made["crashed"], resolve_model(str(tiny_bert))[1])
    finally:
        reference.stop()
        clean.stop()


# -- what each stage keeps -----------------------------------------------------------------------------------------


def _seals(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob(f"*/*{SEAL_SUFFIX}") if not p.name.startswith("."))


def _translation_seals(root: Path, _model: str) -> list[Path]:
    return _seals(root / "cache/translations")


def _embedding_seals(root: Path, model: str) -> list[Path]:
    """The sealed chunks of the base encoder's cache (the fine-tuned encoder's, under another fingerprint, are not its)."""
    found = []
    for spec in (root / "cache/embeddings").glob("*/fingerprint.json"):
        with contextlib.suppress(OSError, ValueError):
            if json.loads(spec.read_text())["model"] == model:
                found += [p for p in spec.parent.glob(f"*{SEAL_SUFFIX}") if not p.name.startswith(".")]
    return sorted(found)


def _rerank_seals(root: Path, _model: str) -> list[Path]:
    return _seals(root / "cache/rerank")


def _complete(checkpoints: Path) -> list[Path]:
    """The complete epoch checkpoints of a training (one being written does not count), by step."""
    found = [p for p in checkpoints.glob(f"{CHECKPOINT_PREFIX}*") if is_complete(p)]
    return sorted(found, key=lambda p: int(p.name[len(CHECKPOINT_PREFIX) :]))


def _checkpoints(root: Path, _model: str) -> list[Path]:
    return _complete(root / f"{FINETUNED}.checkpoints")


def _reranker_checkpoints(root: Path, _model: str) -> list[Path]:
    return _complete(root / f"{RERANKER}.checkpoints")


def _rows(seals: list[Path]) -> int:
    """How many values the sealed chunks of a vector cache hold (their keys files' rows)."""
    return sum(len(np.load(seal.with_name(seal.name[: -len(SEAL_SUFFIX)] + ".keys.npy"))) for seal in seals)


def _pieces(seals: list[Path]) -> int:
    """How many translations the sealed chunks of the translation cache hold (one line each)."""
    return sum(len(seal.with_name(seal.name[: -len(SEAL_SUFFIX)] + ".jsonl").read_text(encoding="utf-8").splitlines()) for seal in seals)


def _epochs(checkpoints: list[Path]) -> int:
    """How many epochs the last of the complete checkpoints holds."""
    return checkpoint_epoch(checkpoints[-1])


@dataclass(frozen=True)
class Stage:
    name: str
    kept: Callable[[Path, str], list[Path]]  # the sealed chunks (or complete checkpoints) of the stage so far
    count: Callable[[list[Path]], int]  # the work they hold: pieces, texts, epochs, pairs
    outputs: tuple[str, ...]  # any of them there: the stage's job has finished


STAGES = [
    Stage("translation", _translation_seals, _pieces, ("data/translated/cldr/shards/0.tsv", "data/translated/cldr/documents.tsv")),
    Stage("embedding", _embedding_seals, _rows, ("data/embeddings/shards/tiny/0.json", "data/embeddings/tiny.json")),
    Stage("fine-tuning", _checkpoints, _epochs, (FINETUNED, f"{FINETUNED}.json")),
    Stage("re-ranker training", _reranker_checkpoints, _epochs, (RERANKER, f"{RERANKER}.json")),
    Stage("re-ranking", _rerank_seals, _rows, (RERANKED,)),
]


def _running(stage: Stage, root: Path) -> bool:
    return not any((root / output).exists() for output in stage.outputs)


@dataclass
class Kill:
    """What a stage had kept when the pipeline was killed in its middle."""

    kept: list[Path]
    count: int  # the work it held (Stage.count)
    files: dict[Path, tuple[int, int]] = field(default_factory=dict)  # each kept chunk file: (inode, mtime in ns)


def _snapshot(stage: Stage, kept: list[Path]) -> Kill:
    files: dict[Path, tuple[int, int]] = {}
    for seal in kept:
        for path in [seal, *seal.parent.glob(seal.name[: -len(SEAL_SUFFIX)] + ".*")] if seal.suffix == SEAL_SUFFIX else []:
            status = path.stat()
            files[path] = (status.st_ino, status.st_mtime_ns)
    return Kill(kept, stage.count(kept), files)


def _crash_and_resume(root: Path, model: str) -> tuple[dict[str, Kill], dict[str, Kill], list[str]]:
    """Run ``make demo`` in ``root``, SIGKILL it in the middle of each stage once, re-run it until it succeeds.

    Returns what each stage had kept at the kill that first caught it in its middle and at the last kill that found
    it unfinished (a re-run job can be killed again, by the kill aimed at another stage), and the stages each kill caught.
    """
    first: dict[str, Kill] = {}
    last: dict[str, Kill] = {}
    attempts: list[str] = []
    started = time.monotonic()
    while True:
        log = root.parent / f"{root.name}.{len(attempts)}.log"
        process = _make_demo(root, log)
        try:
            while process.poll() is None:
                if time.monotonic() - started > RUN_SECONDS:
                    pytest.fail(f"the crashed pipeline had no result after {RUN_SECONDS} s (kills: {attempts}):\n{_tail(log)}")
                if any(stage.name not in first and _running(stage, root) and stage.kept(root, model) for stage in STAGES):
                    break
                time.sleep(0.02)
        finally:
            killed = process.poll() is None
            if killed:
                _kill(process, root)
        if not killed:
            assert process.returncode == 0, f"make demo failed after the kills {attempts} ({process.returncode}):\n{_tail(log)}"
            missed = [stage.name for stage in STAGES if stage.name not in first]
            assert not missed, f"the pipeline finished without being caught in the middle of {missed} (kills: {attempts})"
            return first, last, attempts
        caught = []  # everything is dead now: what each unfinished stage kept is final for this attempt
        for stage in STAGES:
            if _running(stage, root) and (kept := stage.kept(root, model)):
                last[stage.name] = _snapshot(stage, kept)
                first.setdefault(stage.name, last[stage.name])
                caught.append(stage.name)
        attempts.append("+".join(caught) or "none (the stage finished before the kill)")


def _logged(path: Path, pattern: str) -> int:
    found = re.findall(pattern, path.read_text(encoding="utf-8", errors="replace"))
    assert len(found) == 1, f"{path}: {pattern!r} found {len(found)} times"
    return int(found[0])


def _outputs(root: Path, ignore: dict[str, set[str]] | None = None) -> dict[str, bytes | dict]:
    """Every file under :data:`COMPARED`: its bytes, or for a record with keys to ignore its JSON without them.

    :data:`VOLATILE_KEYS` are always ignored, ``ignore`` (file -> keys) too.
    """
    skip = {name: keys | (ignore or {}).get(name, set()) for name, keys in {**(ignore or {}), **VOLATILE_KEYS}.items()}
    found: dict[str, bytes | dict] = {}
    for top in COMPARED:
        for path in sorted((root / top).rglob("*")):
            if path.is_file():
                name = str(path.relative_to(root))
                if name in skip:
                    record = json.loads(path.read_text(encoding="utf-8"))
                    found[name] = {k: v for k, v in record.items() if k not in skip[name]}
                else:
                    found[name] = path.read_bytes()
    return found


def _differences(ours: dict[str, bytes | dict], theirs: dict[str, bytes | dict]) -> list[str]:
    only = sorted(set(ours) ^ set(theirs))
    return [f"only in one run: {name}" for name in only] + sorted(n for n in set(ours) & set(theirs) if ours[n] != theirs[n])


def _check_contents(outputs: dict[str, bytes | dict]) -> None:
    """The compared runs did run every stage (so equality is not that of two empty trees)."""
    expected = [
        "results/cldr/runs/bm25.translated.trec",
        "results/cldr/runs/dense.tiny+qd.translated.trec",
        RERANKED,
        "results/metrics.csv",
        "results/tables/table6_reranking.csv",
        "results/tables/significance.csv",
        "data/translated/cldr/documents.tsv",
        f"{FINETUNED}/model.safetensors",
        "data/rerank/cldr/tiny-easy/model.safetensors",
        "data/embeddings/cldr/tiny+qd/documents.translated.npy",
    ]
    assert [name for name in expected if name not in outputs] == []


def test_a_pipeline_killed_in_each_stage_resumes_redoing_only_the_chunk_in_flight(projects: Projects):
    root = projects.crashed
    first, last, attempts = _crash_and_resume(root, projects.base_model)
    print(f"crashed: killed {len(attempts)} times, in {', '.join(attempts)}")
    reference = projects.reference.finish()
    print("kept at the first kill of each stage (chunks or checkpoints):", {name: len(kill.kept) for name, kill in first.items()})
    print("kept at the last kill of each stage:", {name: len(kill.kept) for name, kill in last.items()})

    # Each stage was killed in its middle: with a chunk (an epoch) kept, and some left to compute.
    # After its last kill, the re-run job computed exactly what no sealed chunk held: the redone work is
    # what a kill lost, the chunk in flight (at most one chunk: CHUNKS), and nothing that had been sealed.
    total = _logged(reference / TRANSLATION_LOG, r"(\d+) to translate")  # pieces
    assert CHUNKS["translation"] <= first["translation"].count < total
    sealed, resumed = last["translation"].count, _logged(root / TRANSLATION_LOG, r"(\d+) to translate")
    print(f"translation: {total} pieces, {sealed} sealed at the kill, {resumed} translated after it")
    assert resumed == total - sealed

    total = json.loads((reference / "data/embeddings/tiny.json").read_text())["encoded"]  # texts: shard and gathering job
    assert CHUNKS["embedding"] <= first["embedding"].count < total
    sealed, resumed = last["embedding"].count, json.loads((root / "data/embeddings/tiny.json").read_text())["encoded"]
    print(f"embedding: {total} texts, {sealed} sealed at the kill, {resumed} encoded after it")
    assert resumed == total - sealed

    record = json.loads((root / f"{FINETUNED}.json").read_text())
    epochs = record["curve"][-1]["epoch"]
    assert 1 <= first["fine-tuning"].count < epochs
    done = last["fine-tuning"].count
    print(f"fine-tuning: {epochs} epochs, {done} checkpointed at the kill, the job resumed from epoch {record['resumed_from_epoch']}")
    assert record["resumed_from_epoch"] == done  # it trained only the epochs after it
    assert json.loads((reference / f"{FINETUNED}.json").read_text())["resumed_from_epoch"] == 0

    # The cross-encoder's training likewise. Both trainings keep their best epoch; on this tiny data that is the first
    # (the encoder's validation score ties, the cross-encoder's eval loss does not fall), checkpointed before the kill
    # and restored after the resume; the epochs trained after it are compared through the records' curves below.
    record = json.loads((root / f"{RERANKER}.json").read_text())
    epochs = record["eval_loss"][-1]["epoch"]
    assert 1 <= first["re-ranker training"].count < epochs
    done = last["re-ranker training"].count
    print(f"re-ranker training: {epochs} epochs, {done} checkpointed at the kill, resumed from epoch {record['resumed_from_epoch']}")
    assert record["resumed_from_epoch"] == done

    total = _logged(reference / RERANK_LOG, r"(\d+) scored by the model")  # pairs
    assert CHUNKS["rerank"] <= first["re-ranking"].count < total
    sealed, resumed = last["re-ranking"].count, _logged(root / RERANK_LOG, r"(\d+) scored by the model")
    print(f"re-ranking: {total} pairs, {sealed} sealed at the kill, {resumed} scored after it")
    assert resumed == total - sealed

    # No chunk sealed before a kill was written again (the same file, untouched), nor set aside as damaged.
    for name in ("translation", "embedding", "re-ranking"):
        files = {**first[name].files, **last[name].files}
        rewritten = [str(p) for p, (inode, mtime) in files.items() if (p.stat().st_ino, p.stat().st_mtime_ns) != (inode, mtime)]
        assert rewritten == [], name
    assert not list(root.glob("cache/*/*/damaged"))

    # The outputs are those of the uninterrupted run, byte for byte; no leftover of a killed job among them.
    ours, theirs = _outputs(root, RESUME_KEYS), _outputs(reference, RESUME_KEYS)
    _check_contents(theirs)
    assert _differences(ours, theirs) == []


def test_two_clean_runs_in_two_directories_give_the_same_bytes(projects: Projects):
    reference, clean = projects.reference.finish(), projects.clean.finish()
    ours, theirs = _outputs(clean), _outputs(reference)
    _check_contents(theirs)
    assert _differences(ours, theirs) == []
