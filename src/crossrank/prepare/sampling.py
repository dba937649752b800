"""Seeded sampling for the paper's protocol: uniform draws per language pair, even language assignment.

Every draw gets its own random generator, seeded by the dataset seed and the draw's scope
(e.g. ``"test", "de", "ja"``), so a pair's sample depends only on its own candidates: adding a
language or changing another pair never changes it. Candidates are sorted by id before
drawing, so the order of lines in the released files does not matter either.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Iterable, Sequence

from crossrank.prepare.prepared import Statistic

log = logging.getLogger(__name__)


def seeded_rng(seed: int, *scope: str) -> random.Random:
    """A generator seeded by ``seed`` and ``scope`` (string seeds are hashed with SHA-512: stable)."""
    return random.Random(":".join([str(seed), *scope]))


class Candidates(tuple):
    """Ids sorted and de-duplicated once, for drawing many samples from the same large set (training queries)."""

    __slots__ = ()

    @classmethod
    def of(cls, ids: Iterable[str]) -> Candidates:
        return ids if isinstance(ids, Candidates) else cls(sorted(set(ids)))


def sample_ids(ids: Iterable[str], size: int, rng: random.Random) -> list[str]:
    """A uniform sample of ``size`` ids (all of them when ``size`` is 0 or exceeds the candidates), sorted."""
    candidates = Candidates.of(ids)
    if size and size < len(candidates):
        return sorted(rng.sample(candidates, size))
    return list(candidates)


def assign_evenly(groups: Sequence[Sequence[str]], languages: Sequence[str], rng: random.Random) -> dict[str, str]:
    """Give every item one language so that languages hold equally many items (differing by at most one
    when groups are single items); the items of one group share a language.

    Groups are visited in a seeded random order and each goes to the language holding the
    fewest items so far (ties: the first in ``languages``).
    """
    order = sorted((sorted(group) for group in groups if group), key=lambda group: group[0])
    rng.shuffle(order)
    load = dict.fromkeys(languages, 0)
    assignment: dict[str, str] = {}
    for group in order:
        lang = min(languages, key=lambda code: load[code])
        load[lang] += len(group)
        assignment.update(dict.fromkeys(group, lang))
    return assignment


class PairSampler:
    """Draws ``label`` (evaluated queries, training queries) per pair and records what was asked, found and drawn."""

    def __init__(self, dataset: str, seed: int, requested: int, label: str = "queries"):
        self.dataset, self.seed, self.requested, self.label = dataset, seed, requested, label
        self.available: Counter[str] = Counter()
        self.drawn: Counter[str] = Counter()

    def draw(self, query_lang: str, doc_lang: str, ids: Iterable[str]) -> list[str]:
        """Sample the queries of one pair; warn when fewer exist than requested."""
        candidates = Candidates.of(ids)
        pair = f"{query_lang}-{doc_lang}"
        sample = sample_ids(candidates, self.requested, seeded_rng(self.seed, self.label, query_lang, doc_lang))
        self.available[pair], self.drawn[pair] = len(candidates), len(sample)
        if self.requested and len(candidates) < self.requested:
            log.warning(
                "%s: pair %s has %d usable %s, fewer than the %d requested; using all of them",
                self.dataset,
                pair,
                len(candidates),
                self.label.replace("_", " "),
                self.requested,
            )
        return sample

    def statistics(self) -> list[Statistic]:
        """Rows for the statistics table: requested, available and shortfall per pair."""
        label = self.label
        rows: list[Statistic] = [(f"requested_{label}", "per_pair", self.requested)]
        rows += [(f"available_{label}", pair, n) for pair, n in sorted(self.available.items())]
        if self.requested:
            rows += [(f"shortfall_{label}", pair, self.requested - n) for pair, n in sorted(self.drawn.items()) if n < self.requested]
        return rows
