"""A BM25 index saved by two processes with different string hash seeds is the same bytes (crossrank.bm25.index).

bm25s numbers the terms it is given in the iteration order of a set of strings, which depends on the process's
hash seed (PYTHONHASHSEED, random per process), so two runs of the pipeline used to save different indexes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BUILD = """
import sys
from crossrank.bm25.index import Bm25Index, Bm25Settings
corpus = [["the", "cat", "sat"], ["ein", "hund", "the"], ["猫", "犬", "cat", "cat"], ["صحراء", "sat", "zebra"]]
Bm25Index.build(Bm25Settings(), [f"d{i}" for i in range(len(corpus))], corpus).save(sys.argv[1])
"""


def _saved(directory: Path, hash_seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run([sys.executable, "-c", BUILD, str(directory)], check=True, env=env, capture_output=True)
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def test_the_saved_index_does_not_depend_on_the_hash_seed(tmp_path):
    first, second = _saved(tmp_path / "a", "1"), _saved(tmp_path / "b", "2")
    assert "bm25s/vocab.index.json" in first
    assert first == second


def test_terms_are_numbered_in_sorted_order_and_scores_are_unchanged():
    from crossrank.bm25.index import Bm25Index, Bm25Settings

    corpus = [["b", "a"], ["c", "a", "a"]]
    index = Bm25Index.build(Bm25Settings(), ["d1", "d2"], corpus)
    assert {term: number for term, number in index._engine.vocab_dict.items() if term} == {"a": 0, "b": 1, "c": 2}
    import bm25s

    plain = bm25s.BM25(method="lucene", k1=1.2, b=0.75, delta=0.5)
    plain.index(corpus, show_progress=False)  # the library numbering its own vocabulary
    for query in (["a"], ["b", "c"], ["c", "a", "b"]):
        assert index.scores(query).tolist() == plain.get_scores(query).tolist()
