"""Exact cosine top-k search over L2-normalised embeddings.

Scores are one matrix product per block of queries and documents (torch), so memory stays
bounded by ``query_batch x doc_batch`` floats however large the pool; each document block keeps
only its own top-k, and the merged candidates are ranked with the same deterministic
tie-breaking as every other run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from tqdm import tqdm

from crossrank.runs import DocidOrder, Ranking, top_k


def exact_search(
    query_vectors: np.ndarray,
    doc_vectors: np.ndarray,
    docids: Sequence[str],
    k: int,
    query_batch: int = 1024,
    doc_batch: int = 262144,
) -> list[Ranking]:
    """Top-``k`` documents by inner product (cosine on normalised vectors) for every query."""
    if doc_vectors.shape[0] != len(docids):
        raise ValueError(f"{doc_vectors.shape[0]} document vectors but {len(docids)} docids")
    if query_vectors.shape[1] != doc_vectors.shape[1]:
        raise ValueError(f"query dimension {query_vectors.shape[1]} != document dimension {doc_vectors.shape[1]}")
    order = DocidOrder(docids)
    rankings: list[Ranking] = []
    with torch.inference_mode():
        for q_start in tqdm(range(0, len(query_vectors), query_batch), desc="exact search", unit="batch"):
            queries = torch.from_numpy(np.ascontiguousarray(query_vectors[q_start : q_start + query_batch], dtype=np.float32))
            best_scores, best_index = [], []
            for d_start in range(0, len(doc_vectors), doc_batch):
                block = torch.from_numpy(np.ascontiguousarray(doc_vectors[d_start : d_start + doc_batch], dtype=np.float32))
                scores = queries @ block.T
                values, index = torch.topk(scores, min(k, block.shape[0]), dim=1)
                best_scores.append(values)
                best_index.append(index + d_start)
            candidate_scores = torch.cat(best_scores, dim=1).numpy()
            candidate_index = torch.cat(best_index, dim=1).numpy()
            for row in range(len(queries)):
                rankings.append(top_k(candidate_scores[row], k, order, indices=candidate_index[row]))
    return rankings
