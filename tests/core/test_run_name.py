"""Run names (crossrank.core.run_name): every name the pipeline writes now or will write, parsed and rebuilt."""

from __future__ import annotations

import pytest

from crossrank.core.errors import RunNameError
from crossrank.core.run_name import RunName, run_pattern, split_encoder

# Names of today's runs and of the stages to come (fine-tuned encoders, re-rankers, fusion).
NAMES = [
    "bm25.original",
    "bm25.translated",
    "dense.minilm.original",
    "ann.labse.translated",
    "dense.minilm+qd.original",
    "ann.xlm_r-large+phrase.translated",
    "rerank.minilm-hard.bm25.original",
    "rerank.minilm-easy.dense.minilm+qd.translated",
    "fusion.rrf.bm25+dense.minilm.original",
    "fusion.rrf.bm25+dense.minilm+qd+ann.me5.translated",
    "rerank.ce.fusion.rrf.bm25+dense.minilm.original",
]


@pytest.mark.parametrize("name", NAMES)
def test_every_name_round_trips(name: str) -> None:
    run = RunName.parse(name)
    assert str(run) == name
    assert RunName.parse(str(run)) == run
    assert RunName.join(run.retriever, run.condition) == run


def test_the_parts_of_a_name() -> None:
    assert RunName.parse("dense.minilm.original") == RunName("dense", "original", model="minilm")
    assert RunName.parse("bm25.translated") == RunName("bm25", "translated")
    assert (RunName.parse("dense.minilm.original").retriever, RunName.parse("bm25.translated").retriever) == ("dense.minilm", "bm25")
    tuned = RunName.parse("dense.minilm+qd.original")
    assert (tuned.system, tuned.model, tuned.variant, tuned.first_stage) == ("dense", "minilm", "qd", ())
    reranked = RunName.parse("rerank.minilm-hard.bm25.original")
    assert (reranked.system, reranked.model, reranked.variant) == ("rerank", "minilm-hard", None)
    assert reranked.first_stage == (RunName("bm25", "original"),)
    fused = RunName.parse("fusion.rrf.bm25+dense.minilm+qd.translated")
    assert (fused.system, fused.model, fused.condition) == ("fusion", "rrf", "translated")
    assert [str(stage) for stage in fused.first_stage] == ["bm25.translated", "dense.minilm+qd.translated"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bm25", "no condition"),
        ("dense.minilm", "unknown condition 'minilm'"),
        ("bm25.foo", "unknown condition 'foo'"),
        ("sparse.splade.original", "unknown system 'sparse'"),
        ("bm25.x.original", "bm25 takes nothing after its name"),
        ("dense.original", "dense needs a model name"),
        ("dense.a.b.original", "dense takes one model and no first stage"),
        ("dense.mini lm.original", "dense needs a model name"),
        ("dense.minilm+.original", "variant '' must be"),
        ("dense.minilm+bm25.original", "variant 'bm25'"),
        ("rerank.ce.original", "rerank needs its first stage"),
        ("fusion.rrf.bm25.original", "fusion takes two or more first stages, got 1"),
        ("fusion.rrf.bm25+fusion.x.bm25+dense.a.original", "fusion takes two or more first stages"),
        (".original", "no retriever before the condition"),
        ("dense.minilm.original.", "unknown condition ''"),
        ("", "no condition"),
    ],
)
def test_a_malformed_name_is_one_clear_error(name: str, reason: str) -> None:
    with pytest.raises(RunNameError) as error:
        RunName.parse(name)
    message = str(error.value)
    assert f"run name {name!r} is malformed" in message and reason in message, message
    assert "e.g. bm25.original" in message  # the grammar, with examples
    assert isinstance(error.value, ValueError)


def test_constructing_a_wrong_run_is_refused() -> None:
    with pytest.raises(RunNameError, match="bm25 has no model"):
        RunName("bm25", "original", model="x")
    with pytest.raises(RunNameError, match="rerank takes exactly one first stage"):
        RunName("rerank", "original", model="ce", first_stage=(RunName("bm25", "original"), RunName("bm25", "original")))
    with pytest.raises(RunNameError, match="is on 'translated' documents"):
        RunName("rerank", "original", model="ce", first_stage=(RunName("bm25", "translated"),))
    fused = RunName.parse("fusion.rrf.bm25+dense.a.original")
    with pytest.raises(RunNameError, match="a fusion cannot fuse a run built on another fusion"):
        RunName("fusion", "original", model="x", first_stage=(fused, RunName("bm25", "original")))
    reranked_fusion = RunName("rerank", "original", model="ce", first_stage=(fused,))
    with pytest.raises(RunNameError, match="a fusion cannot fuse a run built on another fusion"):
        RunName("fusion", "original", model="x", first_stage=(RunName("bm25", "original"), reranked_fusion))
    assert RunName("rerank", "original", model="ce", first_stage=[RunName("bm25", "original")]) == RunName.parse("rerank.ce.bm25.original")


def test_join_and_patterns() -> None:
    assert RunName.join("dense.minilm+qd", "translated") == RunName("dense", "translated", model="minilm", variant="qd")
    assert run_pattern("bm25") == "bm25.{condition}"
    assert run_pattern("ann") == "ann.{encoder}.{condition}"
    with pytest.raises(ValueError, match="search systems"):
        run_pattern("rerank")


def _every_run(condition: str, depth: int) -> list[RunName]:
    """Every run the grammar allows up to ``depth`` levels of first stages, over a few models and variants."""
    leaves = [RunName("bm25", condition)]
    leaves += [
        RunName(system, condition, model=m, variant=v) for system in ("dense", "ann") for m in ("minilm", "xlm_r-2") for v in (None, "qd")
    ]
    runs = list(leaves)
    for _ in range(depth):
        reranked = [RunName("rerank", condition, model="ce", variant=v, first_stage=(run,)) for run in runs for v in (None, "hard")]
        members = [run for run in runs if not run.contains_fusion]
        fused = [RunName("fusion", condition, model="rrf", first_stage=(a, b)) for a in members for b in members[:4]]
        fused += [RunName("fusion", condition, model="rrf", first_stage=(a, *members[-2:])) for a in members[:6]]
        runs = list({str(run): run for run in [*runs, *reranked, *fused]}.values())
    return runs


@pytest.mark.parametrize("condition", ["original", "translated"])
def test_every_constructible_run_parses_back_to_itself(condition: str) -> None:
    runs = _every_run(condition, depth=2)
    assert len(runs) > 200 and {run.system for run in runs} == {"bm25", "dense", "ann", "rerank", "fusion"}
    for run in runs:
        assert RunName.parse(str(run)) == run, str(run)
    assert len({str(run) for run in runs}) == len(runs)  # no two runs share a name


def test_a_search_run_takes_its_encoder_as_the_embedding_layer_names_it():
    tuned = RunName.search("dense", "original", "minilm+qd")
    assert (tuned.model, tuned.variant, tuned.encoder, str(tuned)) == ("minilm", "qd", "minilm+qd", "dense.minilm+qd.original")
    assert RunName.search("ann", "translated", "labse").encoder == "labse"
    assert str(RunName.search("bm25", "original")) == "bm25.original" and RunName.search("bm25", "original").encoder is None
    assert split_encoder("minilm+phrase") == ("minilm", "phrase") and split_encoder("xlmr-large") == ("xlmr-large", None)
    with pytest.raises(RunNameError, match="variant '' must be letters"):
        split_encoder("minilm+")
