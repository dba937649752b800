"""Concurrent writers of one shared cache, as real processes: the result must be what one writer alone produces.

Each scenario forks two jobs that overlap for real. Where a race needs a precise interleaving it
is forced: one job is paused at the dangerous point (data renamed, seal not yet written; a
damaged chunk about to be moved; an index file written, its metadata not yet) until the other
job has finished, or for at most ``PAUSE`` seconds, which is what happens when the guard makes
the other job wait for the lock. The fake encoders and translators are deterministic but
depend on the job (like the last float bits of a text embedded in another batch), so a mixed
or replaced chunk shows. After both jobs, every job's values and a fresh reader's must be
equal, equal to one job's values, nothing quarantined, nothing half-written, and each commit
counted once.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from crossrank.core import cache_store
from crossrank.core.cache_store import (
    DAMAGED_DIRECTORY,
    LOCK_FILE,
    SEAL_SUFFIX,
    UNSEALED_GRACE_SECONDS,
    chunk_name,
    chunk_verdict,
    sealed_chunks,
    text_key,
)
from crossrank.dense import embedding_cache
from crossrank.dense import hnsw as ann
from crossrank.dense.embedding_cache import CHUNK_SUFFIXES, EmbeddingCache, embed_with_cache
from crossrank.translate.cache import CHUNK, TranslationCache, piece_key

CTX = mp.get_context("fork")  # fork: the jobs start in milliseconds and share the test's closures
PAUSE = 0.4  # seconds a paused job waits for the other one at most
ROUNDS = 3
FINGERPRINT = {"model": "fake", "pooling": "mean"}
Event = Any  # multiprocessing.Event() returns a synchronize.Event


def _run(jobs: list[Callable[[], Any]], timeout: float = 20.0) -> list[Any]:
    """Run every job in its own forked process at once and return their results in order; a job's exception fails the test."""
    queue = CTX.Queue()

    def main(number: int, job: Callable[[], Any]) -> None:
        try:
            queue.put((number, None, job()))
        except BaseException:
            queue.put((number, traceback.format_exc(), None))

    processes = [CTX.Process(target=main, args=(number, job)) for number, job in enumerate(jobs)]
    for process in processes:
        process.start()
    results: dict[int, Any] = {}
    deadline = time.monotonic() + timeout
    try:
        for _ in processes:
            number, error, value = queue.get(timeout=max(0.1, deadline - time.monotonic()))
            if error is not None:
                pytest.fail(f"job {number} failed:\n{error}")
            results[number] = value
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    return [results[number] for number in range(len(jobs))]


def _pause(
    module: Any, name: str, when: Callable[..., bool], reached: Event, resume: Event, before: bool = False, wait: float = PAUSE
) -> None:
    """In this (forked) job only: make ``module.name`` signal ``reached`` and wait ``wait`` s at most for ``resume`` if ``when(*args)``."""
    real = getattr(module, name)

    def paused(*args: Any, **kwargs: Any) -> Any:
        hit = when(*args)
        if hit and before:
            reached.set()
            resume.wait(wait)
        result = real(*args, **kwargs)
        if hit and not before:
            reached.set()
            resume.wait(wait)
        return result

    setattr(module, name, paused)


def _events() -> tuple[Event, Event]:
    return CTX.Event(), CTX.Event()


def _encoder(job: int) -> Callable[[], Callable[[list[str]], np.ndarray]]:
    """A deterministic fake encoder whose vectors differ between jobs in the last bits (another batch, other padding)."""

    def factory() -> Callable[[list[str]], np.ndarray]:
        def encode(texts: list[str]) -> np.ndarray:
            base = np.array([[len(t), sum(map(ord, t)) % 97 + 1, 1.0] for t in texts], dtype=np.float32)
            return base * np.float32(1 + job * 2**-20)

        return encode

    return factory


def _counted(cache: EmbeddingCache | TranslationCache) -> list[bool]:
    """Record what every ``cache.add`` of this job returned (True: it committed a chunk)."""
    commits: list[bool] = []
    real = cache.add

    def add(*args: Any) -> bool:
        commits.append(real(*args))
        return commits[-1]

    cache.add = add  # type: ignore[method-assign]
    return commits


def _embed(root: Path, texts: list[str], job: int, chunk_size: int = 4) -> tuple[np.ndarray, int]:
    """What an embedding job does: its vectors of ``texts`` (from the cache, computing what is missing) and its commits."""
    cache = EmbeddingCache(root, FINGERPRINT)
    commits = _counted(cache)
    return embed_with_cache(texts, cache, _encoder(job), chunk_size=chunk_size), sum(commits)


def _assert_clean(root: Path, suffixes: tuple[str, ...], commits: int, before: int = 0) -> None:
    """Nothing quarantined, no temporary or unsealed file left, every chunk intact, the commits after ``before`` numbered once each."""
    assert not list(root.rglob(DAMAGED_DIRECTORY)), "a chunk was quarantined"
    assert not [p for p in root.rglob(".*") if p.name != LOCK_FILE], "a temporary file was left"
    numbers = []
    for directory in {p.parent for p in root.rglob(f"*{SEAL_SUFFIX}")}:
        for chunk in sealed_chunks(directory):
            problem, number = chunk_verdict(directory, chunk, suffixes)
            assert problem is None, problem
            numbers.append(number)
        sealed = set(sealed_chunks(directory)) | {"", "fingerprint"}  # "": the .lock file
        assert all(p.name.split(".")[0] in sealed for p in directory.iterdir()), "an unsealed file was left"
    assert sorted(numbers) == list(range(before + 1, before + commits + 1)), "a commit was counted twice, or lost"


def _assert_one_writer(
    root: Path, texts: list[str], results: list[tuple[np.ndarray, int]], candidates: list[np.ndarray], before: int = 0
) -> None:
    """Every job read what a fresh reader reads, which is one job's vectors whole; the cache is clean."""
    fresh = EmbeddingCache(root, FINGERPRINT)
    keys = [text_key(t) for t in texts]
    assert fresh.missing(keys) == [], "a stored vector was lost"
    final = fresh.gather(keys)
    for vectors, _ in results:
        np.testing.assert_array_equal(vectors, final)
    for row in range(len(texts)):
        assert any(np.array_equal(final[row], c[row]) for c in candidates)
    _assert_clean(root, CHUNK_SUFFIXES, sum(commits for _, commits in results), before)


TEXTS = [f"passage {i:02d}" for i in range(8)]


def _data_renamed(tmp: Path, target: Path) -> bool:
    return str(target).endswith(CHUNK_SUFFIXES[-1]) or str(target).endswith(CHUNK)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_jobs_writing_the_same_chunk_leave_one_writers_data_under_its_seal(tmp_path: Path, round_: int):
    """Same texts, same chunks, other last bits: job 0 is paused between renaming its data and sealing; job 1 writes meanwhile."""
    renamed, done = _events()

    def first() -> tuple[np.ndarray, int]:
        _pause(cache_store, "publish", _data_renamed, renamed, done)
        return _embed(tmp_path, TEXTS, 0)

    def second() -> tuple[np.ndarray, int]:
        assert renamed.wait(10)
        try:
            return _embed(tmp_path, TEXTS, 1)
        finally:
            done.set()

    results = _run([first, second])
    _assert_one_writer(tmp_path, TEXTS, results, [_encoder(job)()(TEXTS) for job in (0, 1)])
    assert sum(commits for _, commits in results) == 2  # two chunks of 4, each committed once


def test_free_running_jobs_on_overlapping_texts_read_the_same_vectors(tmp_path: Path):
    """No forced interleaving: four jobs on overlapping texts in other batches, started behind a barrier, several rounds."""
    for round_ in range(4):
        root = tmp_path / f"round{round_}"
        barrier = CTX.Barrier(4)
        shares = [TEXTS[job : job + 5] + TEXTS[:2] for job in range(4)]

        def job(number: int, texts: list[str], root: Path = root, barrier: Any = barrier) -> Callable[[], tuple[np.ndarray, int]]:
            def run() -> tuple[np.ndarray, int]:
                barrier.wait(10)
                return _embed(root, texts, number, chunk_size=2 + number % 2)

            return run

        results = _run([job(n, s) for n, s in enumerate(shares)])
        fresh = EmbeddingCache(root, FINGERPRINT)
        for texts, (vectors, _) in zip(shares, results, strict=True):
            np.testing.assert_array_equal(vectors, fresh.gather([text_key(t) for t in texts]))
        _assert_clean(root, CHUNK_SUFFIXES, sum(c for _, c in results))


def _later_chunk_sorting_first() -> tuple[list[str], list[str]]:
    """Two jobs' texts sharing one text, whose single chunks' names sort the second job's first."""
    shared = "passage shared"
    first = [shared, "passage only 0"]
    for i in range(100):
        second = [shared, f"passage oth {i:02d}"]
        if chunk_name(sorted(text_key(t) for t in second)) < chunk_name(sorted(text_key(t) for t in first)):
            return first, second
    raise AssertionError("no such texts")


def test_a_text_stored_by_two_jobs_keeps_the_value_the_first_job_read(tmp_path: Path):
    """Job 1 computed the shared text too but commits after job 0 has read it back: job 0's value stays the one every process reads."""
    texts0, texts1 = _later_chunk_sorting_first()
    computed, done = _events()

    def first() -> tuple[np.ndarray, int]:
        assert computed.wait(10)
        try:
            return _embed(tmp_path, texts0, 0)
        finally:
            done.set()

    def second() -> tuple[np.ndarray, int]:
        cache = EmbeddingCache(tmp_path, FINGERPRINT)
        commits = _counted(cache)
        _pause(embedding_cache, "tqdm", lambda *a, **k: True, computed, done, before=True)  # after missing(), before encoding
        vectors = embed_with_cache(texts1, cache, _encoder(1), chunk_size=4)
        return vectors, sum(commits)

    results = _run([first, second])
    fresh = EmbeddingCache(tmp_path, FINGERPRINT)
    np.testing.assert_array_equal(results[0][0], fresh.gather([text_key(t) for t in texts0]))
    np.testing.assert_array_equal(results[1][0], fresh.gather([text_key(t) for t in texts1]))
    np.testing.assert_array_equal(results[1][0][0], results[0][0][0])  # the shared text: job 0's vector, committed first
    _assert_clean(tmp_path, CHUNK_SUFFIXES, 2)


def _translator(job: int, keys: list[bytes]) -> list[str]:
    return [f"translation of {key[:8].decode()} by job {job}" for key in keys]


def _translate(root: Path, keys: list[bytes], job: int, chunk_size: int = 3) -> tuple[dict[bytes, str], int]:
    """What a translation shard does: translate what is missing in chunks, then read every piece back."""
    cache = TranslationCache(root, {"model": "m"})
    commits = _counted(cache)
    missing = cache.missing(keys)
    for start in range(0, len(missing), chunk_size):
        chunk = missing[start : start + chunk_size]
        cache.add(chunk, _translator(job, chunk))
    return {key: cache.get(key) for key in keys}, sum(commits)


PIECES = [piece_key("deu_Latn", f"Satz {i}") for i in range(9)]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_translation_shards_writing_the_same_chunk_read_one_translation(tmp_path: Path, round_: int):
    renamed, done = _events()

    def first() -> tuple[dict[bytes, str], int]:
        _pause(cache_store, "publish", _data_renamed, renamed, done)
        return _translate(tmp_path, PIECES, 0)

    def second() -> tuple[dict[bytes, str], int]:
        assert renamed.wait(10)
        try:
            return _translate(tmp_path, PIECES, 1)
        finally:
            done.set()

    results = _run([first, second])
    fresh = TranslationCache(tmp_path, {"model": "m"})
    final = {key: fresh.get(key) for key in PIECES}
    assert all(texts == final for texts, _ in results)
    assert all(final[key] in (_translator(0, [key])[0], _translator(1, [key])[0]) for key in PIECES)
    _assert_clean(tmp_path, (CHUNK,), sum(c for _, c in results))


def test_free_running_translation_shards_of_two_datasets_count_each_commit_once(tmp_path: Path):
    for round_ in range(4):
        root = tmp_path / f"round{round_}"
        barrier = CTX.Barrier(3)
        shares = [PIECES[job * 3 : job * 3 + 6] for job in range(3)]  # overlapping

        def job(number: int, keys: list[bytes], root: Path = root, barrier: Any = barrier) -> Callable[[], tuple[dict[bytes, str], int]]:
            def run() -> tuple[dict[bytes, str], int]:
                barrier.wait(10)
                return _translate(root, keys, number, chunk_size=1 + number)

            return run

        results = _run([job(n, s) for n, s in enumerate(shares)])
        fresh = TranslationCache(root, {"model": "m"})
        assert all(texts == {key: fresh.get(key) for key in texts} for texts, _ in results)
        _assert_clean(root, (CHUNK,), sum(c for _, c in results))


def test_old_unsealed_files_are_never_moved_once_another_job_commits_their_chunk(tmp_path: Path):
    """A killed job's unsealed files of a chunk: a reader decides to move them aside; meanwhile a writer commits that chunk afresh."""
    _embed(tmp_path, TEXTS[:4], 0)
    directory = next(p for p in tmp_path.iterdir() if p.is_dir())
    (chunk,) = sealed_chunks(directory)
    (directory / f"{chunk}{SEAL_SUFFIX}").unlink()  # as a job killed before sealing leaves it
    past = time.time() - UNSEALED_GRACE_SECONDS - 60
    for suffix in CHUNK_SUFFIXES:
        os.utime(directory / f"{chunk}{suffix}", (past, past))
    decided, done = _events()

    def reader() -> tuple[np.ndarray, int]:
        _pause(cache_store, "quarantine", lambda *a: True, decided, done, before=True)
        EmbeddingCache(tmp_path, FINGERPRINT).missing([text_key(t) for t in TEXTS])
        return _embed(tmp_path, TEXTS[:4], 1)

    def writer() -> tuple[np.ndarray, int]:
        assert decided.wait(10)
        try:
            return _embed(tmp_path, TEXTS[:4], 2)
        finally:
            done.set()

    results = _run([reader, writer])
    (moved,) = (directory / DAMAGED_DIRECTORY).iterdir()  # the killed job's files, and nothing else
    assert sorted(p.name for p in moved.iterdir()) == sorted(f"{chunk}{s}" for s in CHUNK_SUFFIXES)
    os.rename(directory / DAMAGED_DIRECTORY, tmp_path.with_name(tmp_path.name + "-expected-damage"))
    _assert_one_writer(tmp_path, TEXTS[:4], results, [_encoder(job)()(TEXTS[:4]) for job in (1, 2)], before=1)


def test_a_damaged_chunk_found_by_two_jobs_is_moved_once_and_its_fresh_copy_kept(tmp_path: Path):
    """Two jobs find one damaged chunk; job 0 is paused just before moving it while job 1 moves it, recomputes and commits it afresh."""
    _embed(tmp_path, TEXTS[:4], 0)
    directory = next(p for p in tmp_path.iterdir() if p.is_dir())
    (chunk,) = sealed_chunks(directory)
    vectors = directory / f"{chunk}.vectors.npy"
    data = bytearray(vectors.read_bytes())
    data[-4:] = bytes(b ^ 0xFF for b in data[-4:])
    vectors.write_bytes(bytes(data))
    found, done = _events()

    def first() -> tuple[np.ndarray, int]:
        _pause(cache_store, "quarantine", lambda *a: True, found, done, before=True)
        return _embed(tmp_path, TEXTS[:4], 1)

    def second() -> tuple[np.ndarray, int]:
        assert found.wait(10)
        try:
            return _embed(tmp_path, TEXTS[:4], 2)
        finally:
            done.set()

    results = _run([first, second])
    (moved,) = (directory / DAMAGED_DIRECTORY).iterdir()  # the damaged chunk, moved once
    assert (moved / vectors.name).read_bytes() == bytes(data)
    os.rename(directory / DAMAGED_DIRECTORY, tmp_path.with_name(tmp_path.name + "-expected-damage"))
    _assert_one_writer(tmp_path, TEXTS[:4], results, [_encoder(job)()(TEXTS[:4]) for job in (1, 2)], before=1)
    assert sum(c for _, c in results) == 1  # recomputed and committed by one job only


def test_a_fingerprint_json_once_visible_is_never_replaced(tmp_path: Path):
    """Job 0 found no fingerprint.json and is paused before writing it; job 1 creates it (two encoders share the root, too)."""
    checked, done = _events()

    def first() -> tuple[int, np.ndarray]:
        _pause(cache_store, "write_json", lambda path, *a: "fingerprint" in str(path), checked, done, before=True)
        vectors, _ = _embed(tmp_path, TEXTS, 0)
        return 0, vectors

    def second() -> tuple[int, np.ndarray]:
        assert checked.wait(10)
        try:
            cache = EmbeddingCache(tmp_path, FINGERPRINT)
            inode = (cache.directory / "fingerprint.json").stat().st_ino
            other = EmbeddingCache(tmp_path, {**FINGERPRINT, "pooling": "cls"})  # another encoder under the same root
            return inode, embed_with_cache(TEXTS, other, _encoder(1))
        finally:
            done.set()

    (_, vectors0), (inode, vectors1) = _run([first, second])
    directory = EmbeddingCache(tmp_path, FINGERPRINT).directory
    assert (directory / "fingerprint.json").stat().st_ino == inode, "fingerprint.json was replaced under a job that had read it"
    np.testing.assert_array_equal(vectors0, _encoder(0)()(TEXTS))
    np.testing.assert_array_equal(vectors1, _encoder(1)()(TEXTS))
    np.testing.assert_array_equal(
        EmbeddingCache(tmp_path, {**FINGERPRINT, "pooling": "cls"}).gather([text_key(t) for t in TEXTS]), vectors1
    )


def _pool() -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(3)
    docs = rng.standard_normal((300, 8)).astype(np.float32)
    docs /= np.linalg.norm(docs, axis=1, keepdims=True)
    return docs, docs[:20] + np.float32(0.05), [f"d{i:03d}" for i in range(300)]


def _search(root: Path, job: int) -> tuple[list[Any], str]:
    """What an ANN job does, with a build that differs between jobs (as a multi-threaded one does): its rankings and its index's digest."""
    real = ann.build_index

    def build(vectors: np.ndarray, settings: ann.HnswSettings, threads: int = 1, progress: bool = True) -> Any:
        return real(vectors, dataclasses.replace(settings, seed=100 + job), threads, False)

    ann.build_index = build
    docs, queries, docids = _pool()
    index, _ = ann.cached_index(root, docs, docids, ann.HnswSettings())
    saved = root.with_name(f"{root.name}-job{job}.bin")
    index.save_index(str(saved))
    return ann.HnswSearcher(index, docids, ann.HnswSettings()).search(queries, 10, progress=False), ann.file_sha256(saved)


@pytest.mark.parametrize("round_", range(2))
def test_two_jobs_building_the_same_hnsw_index_search_one_index(tmp_path: Path, round_: int):
    """Job 0 is paused between writing its index file and its metadata; job 1 builds and stores the same index meanwhile."""
    written, done = _events()

    def first() -> tuple[list[Any], str]:
        _pause(ann, "write_json", lambda *a: True, written, done, before=True, wait=10)  # job 1 never waits for job 0
        return _search(tmp_path, 0)

    def second() -> tuple[list[Any], str]:
        assert written.wait(10)
        try:
            return _search(tmp_path, 1)
        finally:
            done.set()

    results = _run([first, second])
    assert not (tmp_path / DAMAGED_DIRECTORY).exists()
    (later,) = _run([lambda: _search(tmp_path, 2)])  # a later job loads the stored index (in a process of its own: it patches)
    assert results[0] == results[1] == later, "the jobs searched different graphs"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != LOCK_FILE], "a staging directory was left"
    (directory,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert ann._verified_metadata(directory)[0] is not None
