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

from crossrank.runs import SCORE_DECIMALS, DocidOrder, Ranking, top_k

# Scores within this distance of the k-th best may round to the same value as it.
TIE_MARGIN = 10.0**-SCORE_DECIMALS


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
            candidates: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(len(queries))]
            for d_start in range(0, len(doc_vectors), doc_batch):
                block = torch.from_numpy(np.ascontiguousarray(doc_vectors[d_start : d_start + doc_batch], dtype=np.float32))
                scores = queries @ block.T
                kth = torch.topk(scores, min(k, block.shape[0]), dim=1).values[:, -1:]
                # Keep everything that could round to the k-th score, so the trec_eval tie-break
                # in top_k (not torch's arbitrary choice among ties) decides who makes the cut.
                keep = scores >= kth - TIE_MARGIN
                for row in range(len(queries)):
                    index = torch.nonzero(keep[row]).squeeze(1)
                    candidates[row].append((scores[row, index].numpy(), index.numpy() + d_start))
            for parts in candidates:
                row_scores = np.concatenate([p[0] for p in parts])
                row_index = np.concatenate([p[1] for p in parts])
                rankings.append(top_k(row_scores, k, order, indices=row_index))
    return rankings
