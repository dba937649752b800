"""Exact cosine top-k search over L2-normalised embeddings.

Scores are one matrix product per block of queries and documents (torch), so memory stays
bounded by ``query_batch x doc_batch`` floats however large the pool (a million documents
searches in a few GB); each document block keeps only its own top-k, and the merged candidates
are ranked with the same deterministic tie-breaking as every other run. Documents may be a
memory-mapped float16 or float32 matrix: each block is converted to float32 as it is read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from tqdm import tqdm

from crossrank.core.runs import SCORE_DECIMALS, DocidOrder, Ranking, top_k

# Scores within this distance of the k-th best may round to the same value as it (twice the
# rounding step: the comparison runs in float32, which is coarser than 1e-6 near 1.0).
TIE_MARGIN = 2 * 10.0**-SCORE_DECIMALS
# Each block keeps its top k + TIE_SLACK; only when even the last of those could tie with the
# k-th (many near-duplicates) is the whole score row scanned for every candidate.
TIE_SLACK = 16


def check_dimensions(query_vectors: np.ndarray, doc_vectors: np.ndarray, docids: Sequence[str]) -> None:
    """Refuse a query/document dimension mismatch or a docid list not aligned with the vectors."""
    if doc_vectors.shape[0] != len(docids):
        raise ValueError(f"{doc_vectors.shape[0]} document vectors but {len(docids)} docids")
    if query_vectors.shape[1] != doc_vectors.shape[1]:
        raise ValueError(f"query dimension {query_vectors.shape[1]} != document dimension {doc_vectors.shape[1]}")


class ExactSearcher:
    """Brute-force inner-product search over a fixed pool (built once, queried many times)."""

    def __init__(
        self,
        doc_vectors: np.ndarray,
        docids: Sequence[str],
        query_batch: int = 1024,
        doc_batch: int = 262144,
        device: str = "cpu",
    ):
        if doc_vectors.shape[0] != len(docids):
            raise ValueError(f"{doc_vectors.shape[0]} document vectors but {len(docids)} docids")
        self.doc_vectors = doc_vectors
        self.order = DocidOrder(docids)
        self.query_batch = query_batch
        self.doc_batch = doc_batch
        self.device = torch.device(device)
        # On an accelerator the blocks stay resident after the first batch (no re-upload per batch).
        self._resident: dict[int, torch.Tensor] = {}

    def _block(self, start: int) -> torch.Tensor:
        if start in self._resident:
            return self._resident[start]
        rows = np.ascontiguousarray(self.doc_vectors[start : start + self.doc_batch], dtype=np.float32)
        block = torch.from_numpy(rows).to(self.device)
        if self.device.type != "cpu":
            self._resident[start] = block
        return block

    def _candidates(self, queries: torch.Tensor, d_start: int, k: int, candidates: list[list[tuple[np.ndarray, np.ndarray]]]) -> None:
        """Append to each query's candidates every document of one block that could make its top k.

        That is everything scoring within TIE_MARGIN of the block's k-th best, so the trec_eval
        tie-break in top_k (not torch's arbitrary choice among ties) decides who makes the cut.
        """
        block = self._block(d_start)
        scores = queries @ block.T
        size = block.shape[0]
        depth = min(k + TIE_SLACK, size)
        values, index = torch.topk(scores, depth, dim=1)
        kth = values[:, min(k, size) - 1]
        complete = (values[:, -1] < kth - TIE_MARGIN) | (depth == size)
        values_np, index_np, complete_np = values.cpu().numpy(), index.cpu().numpy() + d_start, complete.cpu().numpy()
        for row in range(len(queries)):
            if complete_np[row]:
                candidates[row].append((values_np[row], index_np[row]))
            else:
                keep = torch.nonzero(scores[row] >= kth[row] - TIE_MARGIN).squeeze(1)
                candidates[row].append((scores[row, keep].cpu().numpy(), keep.cpu().numpy() + d_start))

    def search(self, query_vectors: np.ndarray, k: int, progress: bool = True) -> list[Ranking]:
        """Top-``k`` documents by inner product (cosine on normalised vectors) for every query."""
        check_dimensions(query_vectors, self.doc_vectors, self.order.docids)
        if k <= 0 or len(self.doc_vectors) == 0:
            return [[] for _ in range(len(query_vectors))]
        rankings: list[Ranking] = []
        starts = range(0, len(query_vectors), self.query_batch)
        with torch.inference_mode():
            for q_start in tqdm(starts, desc="exact search", unit="batch", disable=not progress):
                rows = np.ascontiguousarray(query_vectors[q_start : q_start + self.query_batch], dtype=np.float32)
                queries = torch.from_numpy(rows).to(self.device)
                candidates: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(len(queries))]
                for d_start in range(0, len(self.doc_vectors), self.doc_batch):
                    self._candidates(queries, d_start, k, candidates)
                for parts in candidates:
                    row_scores = np.concatenate([p[0] for p in parts])
                    row_index = np.concatenate([p[1] for p in parts])
                    rankings.append(top_k(row_scores, k, self.order, indices=row_index))
        return rankings


def exact_search(
    query_vectors: np.ndarray,
    doc_vectors: np.ndarray,
    docids: Sequence[str],
    k: int,
    query_batch: int = 1024,
    doc_batch: int = 262144,
    device: str = "cpu",
) -> list[Ranking]:
    """Top-``k`` documents by inner product (cosine on normalised vectors) for every query."""
    return ExactSearcher(doc_vectors, docids, query_batch, doc_batch, device).search(query_vectors, k)
