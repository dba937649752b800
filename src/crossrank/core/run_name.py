"""Run names: the one place a run's name is built or taken apart.

A run name says which system produced a run and on which documents, and names its file
(``results/{dataset}/runs/{run}.trec``), its metrics rows and its MLflow run::

    run        := retriever "." condition
    retriever  := "bm25"
                | ("dense" | "ann") "." model                  exact or HNSW search with an encoder
                | "rerank" "." model "." retriever              a cross-encoder re-ranking a first stage
                | "fusion" "." model "." member ("+" member)+   a fusion method over first stages
    member     := a retriever with no fusion in it (its "+" would be ambiguous)
    model      := name ["+" variant]                            a registry name, optionally fine-tuned
    condition  := "original" | "translated"

``name`` and ``variant`` are letters, digits, ``_`` and ``-``; a variant may not be a system's
name. Examples: ``bm25.original``, ``dense.minilm.translated``, ``ann.labse.original``,
``dense.minilm+qd.original`` (MiniLM fine-tuned on query-document pairs),
``rerank.minilm-hard.bm25.original`` (a cross-encoder over the BM25 run) and
``fusion.rrf.bm25+dense.minilm.original``. The part before the condition is the run's
``retriever``: the ``system`` column of ``results/metrics.csv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crossrank.core.contract import CONDITIONS
from crossrank.core.errors import RunNameError

SYSTEMS = ("bm25", "dense", "ann", "rerank", "fusion")
# Systems that read an encoder's embeddings (their model is an encoder registry name).
EMBEDDING_SYSTEMS = ("dense", "ann")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_GRAMMAR = (
    "run names are <retriever>.<condition>, e.g. bm25.original, dense.minilm.translated, dense.minilm+qd.original, "
    "rerank.minilm-hard.bm25.original or fusion.rrf.bm25+dense.minilm.original (see crossrank.core.run_name)"
)


@dataclass(frozen=True)
class RunName:
    """One run's name, parsed: system, model (and its fine-tuning variant), first stages, condition.

    ``system`` is the kind of retriever (``bm25``, ``dense``, ``ann``, ``rerank``, ``fusion``);
    the ``system`` column of the metrics is :attr:`retriever`. ``first_stage`` holds the runs a
    re-ranker (exactly one) or a fusion (two or more) reads, on the same condition.
    ``str(run)`` is the name; :meth:`parse` is its inverse.
    """

    system: str
    condition: str
    model: str | None = None
    variant: str | None = None
    first_stage: tuple[RunName, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_stage", tuple(self.first_stage))
        problem = self._problem()
        if problem:
            raise _error(problem)

    def _problem(self) -> str | None:
        if self.system not in SYSTEMS:
            return f"unknown system {self.system!r} (one of {', '.join(SYSTEMS)})"
        if self.condition not in CONDITIONS:
            return f"unknown condition {self.condition!r} (one of {', '.join(CONDITIONS)})"
        if self.system == "bm25":
            if self.model is not None or self.variant is not None or self.first_stage:
                return "bm25 has no model, variant or first stage"
            return None
        if self.model is None or not _NAME.fullmatch(self.model):
            return f"{self.system} needs a model name of letters, digits, '_' and '-', got {self.model!r}"
        if self.variant is not None and (not _NAME.fullmatch(self.variant) or self.variant in SYSTEMS):
            return f"variant {self.variant!r} must be letters, digits, '_' and '-', and not a system's name"
        wanted = {"dense": (0, 0), "ann": (0, 0), "rerank": (1, 1), "fusion": (2, None)}[self.system]
        count = len(self.first_stage)
        if count < wanted[0] or (wanted[1] is not None and count > wanted[1]):
            expected = {(0, 0): "no first stage", (1, 1): "exactly one first stage", (2, None): "two or more first stages"}[wanted]
            return f"{self.system} takes {expected}, got {count}"
        for stage in self.first_stage:
            if stage.condition != self.condition:
                return f"first stage {stage} is on {stage.condition!r} documents, not {self.condition!r}"
            if self.system == "fusion" and stage.contains_fusion:
                return f"a fusion cannot fuse a run built on another fusion ({stage})"
        return None

    @property
    def contains_fusion(self) -> bool:
        """Whether this run is a fusion or is built on one (a re-ranked fusion)."""
        return self.system == "fusion" or any(stage.contains_fusion for stage in self.first_stage)

    @property
    def encoder(self) -> str | None:
        """The model as the embedding layer names an encoder: ``minilm``, or ``minilm+qd`` when fine-tuned (None for bm25)."""
        if self.model is None:
            return None
        return self.model if self.variant is None else f"{self.model}+{self.variant}"

    @property
    def retriever(self) -> str:
        """Everything but the condition, e.g. ``dense.minilm+qd`` (the ``system`` column of the metrics)."""
        if self.system == "bm25":
            return "bm25"
        if self.system in EMBEDDING_SYSTEMS:
            return f"{self.system}.{self.encoder}"
        stages = "+".join(stage.retriever for stage in self.first_stage)
        return f"{self.system}.{self.encoder}.{stages}"

    def __str__(self) -> str:
        return f"{self.retriever}.{self.condition}"

    @classmethod
    def parse(cls, name: str) -> RunName:
        """The :class:`RunName` of ``name``; raises :class:`~crossrank.core.errors.RunNameError` naming what is wrong."""
        try:
            retriever, dot, condition = str(name).rpartition(".")
            if not dot:
                raise _error("it has no condition")
            if condition not in CONDITIONS:
                raise _error(f"unknown condition {condition!r} (one of {', '.join(CONDITIONS)})")
            if not retriever:
                raise _error("it has no retriever before the condition")
            return cls.join(retriever, condition)
        except RunNameError as error:
            raise RunNameError(f"run name {name!r} is malformed: {error}") from None

    @classmethod
    def search(cls, system: str, condition: str, encoder: str | None = None) -> RunName:
        """A ``bm25``, ``dense`` or ``ann`` run, its encoder named as the embedding layer names it (``minilm+qd``)."""
        return cls.join(system if encoder is None else f"{system}.{encoder}", condition)

    @classmethod
    def join(cls, retriever: str, condition: str) -> RunName:
        """The run of ``retriever`` (e.g. ``dense.minilm``) on ``condition`` documents."""
        system, _, rest = retriever.partition(".")
        if system == "bm25":
            if rest:
                raise _error(f"bm25 takes nothing after its name, got {retriever!r}")
            return cls("bm25", condition)
        if system not in SYSTEMS:
            raise _error(f"unknown system {system!r} in {retriever!r} (one of {', '.join(SYSTEMS)})")
        model_part, _, stages = rest.partition(".")
        model, plus, variant = model_part.partition("+")
        variant = variant if plus else None  # "minilm+" names an empty variant: refused below
        if system in EMBEDDING_SYSTEMS:
            if stages:
                raise _error(f"{system} takes one model and no first stage, got {retriever!r}")
            return cls(system, condition, model, variant)
        if not stages:
            raise _error(f"{system} needs its first stage(s) after the model, got {retriever!r}")
        members = [stages] if system == "rerank" else _fusion_members(stages)
        first = tuple(cls.join(member, condition) for member in members)
        return cls(system, condition, model, variant, first)


def _error(reason: str) -> RunNameError:
    return RunNameError(f"{reason}; {_GRAMMAR}.")


def _fusion_members(stages: str) -> list[str]:
    """``bm25+dense.minilm+qd`` -> ``["bm25", "dense.minilm+qd"]``: a ``+`` starts a member only before a system."""
    members: list[str] = []
    for token in stages.split("+"):
        head = token.partition(".")[0]
        starts_member = token == "bm25" or (head in SYSTEMS and "." in token)
        if starts_member or not members:
            members.append(token)
        else:
            members[-1] += f"+{token}"
    return members


def split_encoder(name: str) -> tuple[str, str | None]:
    """``minilm+qd`` -> ``("minilm", "qd")``, ``minilm`` -> ``("minilm", None)``; raises RunNameError on a malformed name."""
    run = RunName.search("dense", CONDITIONS[0], name)
    return str(run.model), run.variant


def run_pattern(system: str) -> str:
    """The wildcard pattern of one search system's run names, for rule outputs: ``dense.{encoder}.{condition}``."""
    if system == "bm25":
        return "bm25.{condition}"
    if system in EMBEDDING_SYSTEMS:
        return f"{system}.{{encoder}}.{{condition}}"
    raise ValueError(f"run_pattern knows the search systems bm25, {', '.join(EMBEDDING_SYSTEMS)}; got {system!r}")
