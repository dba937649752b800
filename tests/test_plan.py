"""The plan of a configuration (crossrank.plan): runs, targets per stage, inputs and params of the rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from crossrank.config import validate_params
from crossrank.core import layout
from crossrank.core.run_name import RunName
from crossrank.plan import Plan, efficiency_source
from crossrank.translate.nllb import result_settings

ROOT = Path(__file__).parents[1]
SCHEMA = ROOT / "workflow/schemas/params.schema.yaml"


def _config(tmp_path: Path, **changes: Any) -> dict[str, Any]:
    """The shipped params.yaml, validated, with ``changes`` (top-level keys or ``dataset__key``) and release roots that exist."""
    config = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    for name in ("clirmatrix", "mmarco", "largescale"):
        config[name]["root"] = str(tmp_path / name)
        (tmp_path / name).mkdir(exist_ok=True)
    if {"encoders", "datasets"} & set(changes) and "finetune" not in changes:
        config["finetune"]["encoders"] = []  # the shipped fine-tuning needs the shipped encoder and cldr's phrases
    if "rerank" not in changes:
        config["rerank"]["models"] = []  # re-ranked runs are checked in their own tests (test_re_ranked_runs_...)
    if "fusion" not in changes:
        config["fusion"]["methods"] = []  # and fused runs in theirs (test_fused_runs_...)
    for key, value in changes.items():
        block, _, field = key.partition("__")
        if field:
            config[block][field] = value
        else:
            config[key] = value
    return validate_params(config, SCHEMA)


def _plan(tmp_path: Path, **changes: Any) -> Plan:
    return Plan.from_config(_config(tmp_path, **changes))


def test_the_shipped_configuration_runs_bm25_dense_and_hnsw_on_both_conditions(tmp_path: Path):
    plan = _plan(tmp_path)
    assert plan.datasets == ("cldr",) and plan.encoders == ("minilm",) and plan.ann_encoders == ("minilm",)
    assert plan.conditions == {"cldr": ("original", "translated")}
    names = [str(run) for run in plan.run_names("cldr")]
    assert names == [
        "bm25.original",
        "bm25.translated",
        "dense.minilm.original",
        "dense.minilm.translated",
        "ann.minilm.original",
        "ann.minilm.translated",
        "dense.minilm+phrase.original",
        "dense.minilm+phrase.translated",
        "dense.minilm+qd.original",
        "dense.minilm+qd.translated",
        "ann.minilm+phrase.original",
        "ann.minilm+phrase.translated",
        "ann.minilm+qd.original",
        "ann.minilm+qd.translated",
    ]
    assert plan.finetuned == ("minilm+phrase", "minilm+qd")
    assert plan.run_files("cldr")[0] == "results/cldr/runs/bm25.original.trec"
    assert plan.efficiency_source == ("cldr", "minilm")


def test_runs_follow_encoders_and_ann(tmp_path: Path):
    encoders = {"a": {"model": "x"}, "b": {"model": "y"}, "off": {"model": "z", "enabled": False}}
    plan = _plan(tmp_path, encoders=encoders, conditions=["original"])
    assert [str(r) for r in plan.run_names("cldr")] == [
        "bm25.original",
        "dense.a.original",
        "dense.b.original",
        "ann.a.original",
        "ann.b.original",
    ]
    plan = _plan(tmp_path, encoders=encoders, conditions=["original"], ann={"enabled": False})
    assert [str(r) for r in plan.run_names("cldr")] == ["bm25.original", "dense.a.original", "dense.b.original"]
    assert "results/cldr/runs/ann.a.original.trec" not in plan.stage_targets("retrieve")


def test_a_dataset_without_translation_has_only_original_runs(tmp_path: Path):
    plan = _plan(tmp_path, datasets=["cldr", "clirmatrix"])
    assert plan.conditions["clirmatrix"] == ("original",) and plan.translated == ("cldr",) and plan.untranslated == ("clirmatrix",)
    runs = plan.stage_targets("retrieve", ["cldr", "clirmatrix"])
    assert "results/clirmatrix/runs/bm25.original.trec" in runs
    assert not [r for r in runs if "clirmatrix" in r and "translated" in r]
    assert plan.stage_targets("translate", ["clirmatrix"]) == [
        "results/clirmatrix/translations.tsv",
        "data/translated/clirmatrix/summary.tsv",
    ]


def test_translation_quality_is_scored_only_where_a_translated_condition_and_parallel_english_exist(tmp_path: Path):
    plan = _plan(
        tmp_path, datasets=["cldr", "clirmatrix"], conditions=["original"], cldr__translation="nllb", clirmatrix__translation="nllb"
    )
    assert plan.scored_translations() == []
    plan = _plan(tmp_path, datasets=["cldr", "clirmatrix"], cldr__translation="nllb", clirmatrix__translation="nllb")
    assert plan.scored_translations() == ["cldr"]  # clirmatrix has no parallel English
    targets = plan.stage_targets("translate")
    assert "data/translated/cldr/quality.csv" in targets and "data/translated/clirmatrix/quality.csv" not in targets
    assert "data/translated/cldr/documents.tsv" in targets and "data/translated/clirmatrix/documents.tsv" in targets


def test_every_stage_has_targets_and_an_unknown_stage_is_refused(tmp_path: Path):
    plan = _plan(tmp_path, rerank=yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["rerank"])  # as shipped
    for stage in layout.DATASET_STAGES + layout.GLOBAL_STAGES:
        assert plan.stage_targets(stage), stage
    targets = plan.all_targets()
    assert len(targets) == len(set(targets))  # no stage claims another stage's file
    assert {layout.METRICS, layout.RAW_SOURCES, layout.EFFICIENCY_FIGURE, "results/mlflow/reports/cldr.json"} <= set(targets)
    assert plan.stage_targets("analyse") == ["data/bias/cldr/language_bias.csv"]
    report = plan.stage_targets("report")
    assert {"results/figures/cldr/language_bias.png", "results/tables/cldr/language_bias.csv"} <= set(report)
    assert len(plan.all_run_metrics()) == 14 + 8 and all(
        path.startswith("data/metrics/cldr/") for path in plan.all_run_metrics()
    )  # + none, chance and two cross-encoders in both modes
    with pytest.raises(ValueError, match="unknown stage"):
        plan.stage_targets("nope")


def test_a_disabled_efficiency_study_still_leaves_its_report(tmp_path: Path):
    plan = _plan(tmp_path, efficiency={"enabled": False})
    assert plan.efficiency_source is None
    assert plan.stage_targets("efficiency") == [layout.EFFICIENCY_MD]
    with pytest.raises(ValueError, match="does not run"):
        plan.efficiency_embeddings("documents")
    plan = _plan(tmp_path)
    assert layout.EFFICIENCY_FIGURE in plan.stage_targets("efficiency")
    assert plan.efficiency_embeddings("documents") == "data/embeddings/cldr/minilm/documents.original.npy"
    assert plan.efficiency_embeddings("queries") == "data/embeddings/cldr/minilm/queries.npy"


def test_languages_come_from_the_dataset_registry(tmp_path: Path):
    plan = _plan(tmp_path, datasets=["cldr", "largescale"], largescale__languages=["de", "fr"])
    assert plan.query_languages("largescale") == ["en"] and plan.document_languages("largescale") == ["de", "fr"]
    assert plan.query_languages("cldr") == plan.document_languages("cldr") == ["ar", "de", "en", "es", "fr", "ja", "ru", "zh"]


def test_english_inputs_and_nllb_settings_follow_the_backend(tmp_path: Path):
    plan = _plan(tmp_path, datasets=["cldr", "mmarco", "clirmatrix"], clirmatrix__translation="nllb")
    assert plan.english_inputs("cldr") == ["data/original/cldr/oracle_en.tsv"]
    assert plan.english_inputs("clirmatrix") == ["data/translated/clirmatrix/shards/0.tsv"]
    assert plan.nllb_settings("cldr") == {}
    settings = plan.nllb_settings("clirmatrix")
    assert settings["model"] == "facebook/nllb-200-distilled-1.3B" and "shards" not in settings and "device" not in settings
    plan = _plan(tmp_path, datasets=["clirmatrix"], clirmatrix__translation="nllb", translation={"nllb": {"model": "m", "shards": 3}})
    assert plan.english_inputs("clirmatrix") == [f"data/translated/clirmatrix/shards/{s}.tsv" for s in range(3)]
    plan = _plan(tmp_path, datasets=["clirmatrix"])
    assert plan.english_inputs("clirmatrix") == []


def test_prepare_inputs_and_settings(tmp_path: Path):
    plan = _plan(tmp_path, datasets=["cldr", "mmarco"], mmarco__source="ir_datasets")
    assert "translation" not in plan.protocol_settings("cldr") and plan.protocol_settings("cldr")["seed"] == 2025
    assert plan.release_inputs("mmarco") == ["data/raw/mmarco/manifest.tsv"]
    assert plan.sources_inputs() == ["data/raw/mmarco/manifest.tsv"]  # cldr is generated


def test_run_params_hold_what_determines_each_run(tmp_path: Path):
    plan = _plan(tmp_path)
    bm25 = plan.run_params("cldr", "bm25.original")
    assert bm25["system"] == "bm25" and bm25["condition"] == "original" and "bm25" in bm25 and "encoder" not in bm25
    assert bm25["cldr"]["seed"] == 2025 and "retrieval" in bm25 and "evaluation" in bm25
    dense = plan.run_params("cldr", RunName("dense", "translated", model="minilm"))
    assert dense["system"] == "dense.minilm" and dense["encoder"]["name"] == "minilm"
    assert dense["embedding"] == {"precision": "auto", "storage": "float32"} and "ann" not in dense and "bm25" not in dense
    assert "translation" not in dense  # the oracle, not NLLB
    ann = plan.run_params("cldr", "ann.minilm.original")
    assert ann["ann"]["m"] == 16
    translated = _plan(tmp_path, cldr__translation="nllb").run_params("cldr", "bm25.translated")
    assert translated["translation"]["nllb"]["num_beams"] == 5


def test_run_params_are_exactly_the_blocks_that_determine_a_run(tmp_path: Path):
    """The whole dict: any key more or less changes what MLflow logs and makes Snakemake re-run the tracking jobs."""
    config = _config(tmp_path, cldr__translation="nllb")
    plan = Plan.from_config(config)
    evaluation = {"metrics": config["evaluation"]["metrics"], "relevance_level": 1, "relevance": "threshold"}
    common = {"dataset": "cldr", "cldr": config["cldr"], "retrieval": config["retrieval"], "evaluation": evaluation}
    nllb = {key: config["translation"]["nllb"][key] for key in plan.nllb_settings("cldr")}
    assert plan.run_params("cldr", "bm25.original") == {**common, "condition": "original", "system": "bm25", "bm25": config["bm25"]}
    encoder = {"name": "minilm", **config["encoders"]["minilm"]}
    embedding = {"precision": config["embedding"]["precision"], "storage": config["embedding"]["storage"]}
    assert plan.run_params("cldr", "ann.minilm.translated") == {
        **common,
        "condition": "translated",
        "system": "ann.minilm",
        "translation": {"nllb": nllb},
        "encoder": encoder,
        "embedding": embedding,
        "ann": config["ann"],
    }
    assert nllb == result_settings(config["translation"]["nllb"]) and "shards" not in nllb and "device" not in nllb


def _shipped(block: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))[block]


def test_fused_runs_fuse_bm25_with_each_encoders_exact_search_by_each_method_on_each_condition(tmp_path: Path):
    plan = _plan(tmp_path, fusion=_shipped("fusion"))
    assert plan.fusions == (("bm25", "dense.minilm"),) and plan.fusion_methods == ("rrf", "combsum")
    fused = [str(run) for run in plan.fusion_runs("cldr")]
    assert fused == [
        "fusion.rrf.bm25+dense.minilm.original",
        "fusion.rrf.bm25+dense.minilm.translated",
        "fusion.combsum.bm25+dense.minilm.original",
        "fusion.combsum.bm25+dense.minilm.translated",
    ]
    names = [str(run) for run in plan.run_names("cldr")]
    assert names[-4:] == fused and names[:-4] == [str(run) for run in _plan(tmp_path).run_names("cldr")]
    assert [str(run) for run in plan.first_stage_runs("cldr")] == names  # DVC's retrieve stage owns them (nothing re-ranked here)
    run = "fusion.rrf.bm25+dense.minilm.translated"
    assert plan.run_file("cldr", run) == f"results/cldr/runs/{run}.trec"
    assert f"results/cldr/runs/{run}.trec" in plan.stage_targets("retrieve")
    assert f"results/mlflow/logged/cldr/{run}.json" in plan.stage_targets("track")
    assert f"data/metrics/cldr/{run}.csv" in plan.stage_targets("evaluate") and f"data/metrics/cldr/{run}.csv" in plan.all_run_metrics()
    assert plan.evaluation_topics("cldr", run) == "results/cldr/topics.tsv"
    assert plan.fusion_inputs("cldr", run) == ["results/cldr/runs/bm25.translated.trec", "results/cldr/runs/dense.minilm.translated.trec"]
    assert plan.fusion_settings(run) == {"method": "rrf", "k": 60}
    assert plan.fusion_settings("fusion.combsum.bm25+dense.minilm.original") == {"method": "combsum", "normalization": "min-max"}
    assert plan.bias_figure_runs("cldr")[-4:] == fused  # after every search run
    compared = {(c["table"], c["run"], c["baseline"]) for c in plan.significance_comparisons}
    assert {("fusion", run, "bm25.translated"), ("fusion", run, "dense.minilm.translated")} <= compared  # a fusion vs each member
    assert ("table3", run, "fusion.rrf.bm25+dense.minilm.original") in compared
    assert len([c for c in compared if c[0] == "fusion"]) == 2 * len(fused)


def test_a_fused_runs_params_are_its_methods_and_each_members(tmp_path: Path):
    plan = _plan(tmp_path, fusion={**_shipped("fusion"), "rrf_k": 10})
    params = plan.run_params("cldr", "fusion.rrf.bm25+dense.minilm.original")
    assert params == {
        "dataset": "cldr",
        "condition": "original",
        "system": "fusion.rrf.bm25+dense.minilm",
        "fusion": {"method": "rrf", "k": 10, "top_k": 100},
        "evaluation": plan.evaluation("cldr"),
        "members": {"bm25": plan.run_params("cldr", "bm25.original"), "dense.minilm": plan.run_params("cldr", "dense.minilm.original")},
    }
    assert plan.embedding_records("fusion.combsum.bm25+dense.minilm.original", "cldr") == ["data/embeddings/minilm.json"]


def test_fusion_members_expand_each_star_to_every_enabled_encoder_and_fine_tuned_ones_are_named(tmp_path: Path):
    encoders = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["encoders"]
    encoders["xlmr"]["enabled"] = True
    members = [["bm25", "dense.*"], ["dense.*", "ann.*"], ["bm25", "dense.minilm+qd", "ann.minilm"], ["bm25", "dense.minilm"]]
    finetune = {**_shipped("finetune"), "encoders": ["minilm"]}
    plan = _plan(tmp_path, encoders=encoders, finetune=finetune, fusion={**_shipped("fusion"), "members": members})
    assert plan.fusions == (
        ("bm25", "dense.minilm"),  # the last list repeats it: one fusion
        ("bm25", "dense.xlmr"),
        ("dense.minilm", "ann.minilm"),
        ("dense.xlmr", "ann.xlmr"),
        ("bm25", "dense.minilm+qd", "ann.minilm"),
    )
    run = "fusion.combsum.bm25+dense.minilm+qd+ann.minilm.original"
    assert run in [str(r) for r in plan.fusion_runs("cldr")]
    assert plan.fusion_inputs("cldr", run)[1] == "results/cldr/runs/dense.minilm+qd.original.trec"
    assert plan.embedding_records(run, "cldr") == [
        *plan.embedding_records("dense.minilm+qd.original", "cldr"),
        *plan.embedding_records("ann.minilm.original", "cldr"),
    ]
    assert plan.training_markers(run, "cldr") == ["results/mlflow/finetune/cldr/minilm+qd.json"]
    assert plan.training_markers("fusion.rrf.bm25+dense.minilm.original", "cldr") == []
    assert set(plan.run_params("cldr", run)["members"]) == {"bm25", "dense.minilm+qd", "ann.minilm"}


def test_fusion_is_off_with_no_method_and_follows_the_datasets_and_its_own_conditions(tmp_path: Path):
    assert _plan(tmp_path, fusion={**_shipped("fusion"), "methods": []}).fusion_runs("cldr") == []
    original = _plan(tmp_path, fusion={**_shipped("fusion"), "methods": ["rrf"], "conditions": ["original"]})
    assert [str(run) for run in original.fusion_runs("cldr")] == ["fusion.rrf.bm25+dense.minilm.original"]
    untranslated = _plan(tmp_path, fusion=_shipped("fusion"), cldr__translation="none", conditions=["original"])
    assert [run.condition for run in untranslated.fusion_runs("cldr")] == ["original", "original"]
    bm25_only = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["encoders"]
    bm25_only["minilm"]["enabled"] = False
    assert _plan(tmp_path, encoders=bm25_only, efficiency={"enabled": False}, fusion=_shipped("fusion")).fusion_runs("cldr") == []


def test_a_fine_tuned_encoder_is_its_base_entry_with_the_datasets_checkpoint(tmp_path: Path):
    plan = _plan(tmp_path)
    entry = plan.finetuned_encoder("cldr", "minilm+qd")
    assert entry["model"] == "data/finetune/cldr/minilm+qd" and entry["revision"] is None
    base = plan.encoder("minilm")
    assert {k: entry[k] for k in ("pooling", "max_length", "query_prefix", "document_prefix")} == {
        k: base[k] for k in ("pooling", "max_length", "query_prefix", "document_prefix")
    }
    params = plan.run_params("cldr", "ann.minilm+phrase.translated")
    assert params["encoder"]["name"] == "minilm+phrase" and params["encoder"]["model"] == "data/finetune/cldr/minilm+phrase"
    assert params["finetune"]["epochs"] == plan.config["finetune"]["epochs"] and "encoders" not in params["finetune"]
    assert "phrase" in params["finetune"] and "word" not in params["finetune"]  # a run records its level's sources, not the others'
    assert plan.finetune_pairs("cldr", "minilm+phrase") == {
        "train": "data/finetune/cldr/pairs/phrase.train.tsv",
        "validation": "data/finetune/cldr/pairs/phrase.validation.tsv",
    }
    assert plan.phrase_pairs_inputs("cldr") == {"phrase_pairs": "data/train/cldr/phrase_pairs.tsv"}  # its own phrases, no Tatoeba
    targets = plan.stage_targets("finetune")
    assert {
        "data/finetune/cldr/minilm+qd",
        "data/finetune/cldr/pairs/qd.train.tsv",
        "data/finetune/cldr/pairs/phrase.validation.tsv",
    } <= set(targets)
    assert "data/embeddings/cldr/minilm+qd.json" in plan.stage_targets("embed")
    with pytest.raises(ValueError, match="'minilm\\+word' is not a fine-tuned encoder"):
        plan.finetuned_encoder("cldr", "minilm+word")


def test_embedding_records_and_shards(tmp_path: Path):
    plan = _plan(tmp_path, embedding={"shards": 2})
    assert plan.embedding_records("bm25.original", "cldr") == []
    assert plan.embedding_records("ann.minilm.translated", "cldr") == ["data/embeddings/minilm.json"]
    assert plan.embedding_records("dense.minilm+qd.original", "cldr") == ["data/embeddings/cldr/minilm+qd.json"]
    assert plan.embedding_shards("minilm") == ["data/embeddings/shards/minilm/0.json", "data/embeddings/shards/minilm/1.json"]
    assert plan.embedding_inputs("documents") == ["data/original/cldr/documents.tsv", "data/translated/cldr/documents.tsv"]
    assert plan.embedding_outputs("queries") == ["data/embeddings/cldr/{encoder}/queries.npy"]
    assert plan.embedding_result_settings == {"precision": "auto", "storage": "float32"}


def test_prefixes_none_drops_every_encoders_prefixes_and_model_keeps_them(tmp_path: Path):
    kept = _plan(tmp_path)
    assert (kept.encoder("me5")["query_prefix"], kept.encoder("me5")["document_prefix"]) == ("query: ", "passage: ")
    dropped = _plan(tmp_path, embedding={"prefixes": "none"})
    for name in ("me5", "me5-instruct", "nomic", "minilm"):
        entry = dropped.encoder(name)
        assert (entry["query_prefix"], entry["document_prefix"]) == ("", ""), name
        assert entry["model"] == kept.encoder(name)["model"]
    assert dropped.run_params("cldr", "dense.minilm.original")["encoder"]["query_prefix"] == ""


def test_evaluation_settings_resolve_each_datasets_relevance_mode(tmp_path: Path):
    plan = _plan(tmp_path, evaluation={"metrics": ["recall@100", "success@100"], "relevance": {"cldr": "top"}})
    assert plan.evaluation("cldr") == {"metrics": ["recall@100", "success@100"], "relevance_level": 1, "relevance": "top"}
    assert plan.evaluation("clirmatrix")["relevance"] == "threshold"  # the schema's default


def test_truncation_reaches_the_prepare_jobs_only_when_it_cuts(tmp_path: Path):
    assert _plan(tmp_path).truncation == {}  # off: changing its tokenizer re-prepares nothing
    on = _plan(tmp_path, truncation={"max_tokens": 512, "tokenizer": "some/tokenizer"})
    assert on.truncation == {"max_tokens": 512, "tokenizer": "some/tokenizer", "revision": None}


def test_mlflow_settings_follow_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    plan = _plan(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert plan.mlflow_settings()["tracking_uri"] == "sqlite:///results/mlflow/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    assert plan.mlflow_settings()["tracking_uri"] == "http://127.0.0.1:5000"


def test_efficiency_study_defaults_to_the_first_dataset_and_encoder(tmp_path: Path):
    config = _config(tmp_path)
    assert efficiency_source(config) == ("cldr", "minilm")
    for entry in config["encoders"].values():
        entry["enabled"] = False
    assert efficiency_source(config) is None  # BM25 only: nothing to measure


def test_the_pairs_rules_read_tatoeba_and_the_wic_releases_of_a_datasets_languages(tmp_path: Path):
    from releases import write_am2ico, write_tatoeba, write_xlwic

    write_tatoeba(tmp_path / "tatoeba", ["de", "ja"])
    write_xlwic(tmp_path / "xlwic", ["en", "de", "ja"])
    write_am2ico(tmp_path / "am2ico", ["de", "ja"])
    finetune = {
        **yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["finetune"],
        "encoders": ["minilm"],
        "levels": ["word", "phrase", "qd"],
        "phrase": {"tatoeba": str(tmp_path / "tatoeba")},
        "word": {"xlwic": str(tmp_path / "xlwic"), "am2ico": str(tmp_path / "am2ico"), "senwich": None},
    }
    plan = _plan(tmp_path, datasets=["largescale"], largescale__languages=["de", "ja", "simple"], finetune=finetune)
    assert plan.phrase_language_pairs("largescale") == [("de", "en"), ("en", "ja")]
    assert plan.phrase_pairs_inputs("largescale") == {
        "tatoeba": [str(tmp_path / f"tatoeba/tatoeba.{c}-eng.{e}") for c in ("deu", "jpn") for e in (c, "eng")]
    }
    assert plan.finetune_languages("largescale") == ["de", "en", "ja"]
    read = [Path(p).relative_to(tmp_path).as_posix() for p in plan.word_pairs_inputs("largescale")]
    assert "xlwic/wic_english/train_en.txt" in read and "am2ico/ja/dev.tsv" in read and "xlwic/xlwic_wn/japanese_ja/ja_valid.txt" in read
    assert not any("test" in p for p in read)  # training_splits [train], validation on dev
    assert plan.finetune_levels == ("word", "phrase", "qd")
    assert plan.finetune_training_settings("minilm+word")["word"] == {"margin": 0.5}
    qd = plan.finetune_training_settings("minilm+qd")
    assert "word" not in qd and "phrase" not in qd and "max_train_pairs" not in qd and qd["epochs"] == finetune["epochs"]
    assert plan.finetune_pairs_settings("phrase")["phrase"]["tatoeba"] == str(tmp_path / "tatoeba")
    assert "margin" not in plan.finetune_pairs_settings("word")["word"] and "phrase" not in plan.finetune_pairs_settings("word")
    assert set(plan.finetune_pairs_settings("qd")) == {"seed", "validation_fraction", "max_train_pairs", "max_validation_pairs"}


def test_the_bias_figure_puts_each_fine_tuned_encoder_after_its_base_and_tracking_links_them(tmp_path: Path):
    plan = _plan(tmp_path)
    assert plan.bias_figure_runs("cldr") == [
        "bm25.original",
        "bm25.translated",
        "dense.minilm.original",
        "dense.minilm.translated",
        "dense.minilm+phrase.original",
        "dense.minilm+phrase.translated",
        "dense.minilm+qd.original",
        "dense.minilm+qd.translated",
        "ann.minilm.original",
        "ann.minilm.translated",
        "ann.minilm+phrase.original",
        "ann.minilm+phrase.translated",
        "ann.minilm+qd.original",
        "ann.minilm+qd.translated",
    ]
    assert sorted(plan.bias_figure_runs("cldr")) == sorted(str(run) for run in plan.run_names("cldr"))
    assert plan.figure_encoders == ["minilm", "minilm+phrase", "minilm+qd"]
    assert plan.training_markers("dense.minilm+qd.original", "cldr") == ["results/mlflow/finetune/cldr/minilm+qd.json"]
    assert plan.training_markers("dense.minilm.original", "cldr") == [] and plan.training_markers("bm25.original", "cldr") == []
    assert "results/mlflow/finetune/cldr/minilm+phrase.json" in plan.stage_targets("track")
    assert {"results/tables/table4_finetuning.csv", "results/figures/finetune_curves.png"} <= set(plan.stage_targets("report"))
    params = plan.finetune_run_params("cldr", "minilm+qd")
    assert params["encoder"]["name"] == "minilm" and params["level"] == "qd"
    assert params["finetune"]["max_train_pairs"] == plan.config["finetune"]["max_train_pairs"] > 0
    bare = _plan(tmp_path, finetune={**plan.config["finetune"], "encoders": []})
    assert bare.finetune_reports == [] and "results/tables/table4_finetuning.csv" not in bare.stage_targets("report")


def test_re_ranked_runs_are_every_re_ranker_in_both_modes_over_each_first_stage(tmp_path: Path):
    shipped = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["rerank"]
    plan = _plan(tmp_path, rerank={**shipped, "models": ["minilm"], "first_stages": ["bm25", "dense.minilm"]})
    assert plan.rerankers == ("minilm-easy", "minilm-hard")
    reranked = [str(run) for run in plan.rerank_runs("cldr")]
    assert reranked[:4] == [
        "rerank.none.bm25.original",
        "rerank.none-asis.bm25.original",
        "rerank.chance.bm25.original",
        "rerank.chance-asis.bm25.original",
    ]
    assert len(reranked) == 2 * 4 * 2 and "rerank.minilm-hard-asis.dense.minilm.original" in reranked  # original only (rerank.conditions)
    assert plan.run_file("cldr", "rerank.minilm-hard.bm25.original") == "results/cldr/reranked/rerank.minilm-hard.bm25.original.trec"
    assert "results/cldr/reranked/rerank.minilm-hard.bm25.original.trec" not in plan.stage_targets("retrieve")
    assert "results/cldr/reranked/rerank.minilm-hard.bm25.original.trec" in plan.stage_targets("rerank")
    assert plan.evaluation_topics("cldr", "rerank.chance.bm25.original") == "data/rerank/cldr/queries.tsv"
    assert plan.evaluation_topics("cldr", "bm25.original") == "results/cldr/topics.tsv"
    inputs = plan.rerank_run_inputs("cldr", "rerank.minilm-hard-asis.dense.minilm.original")
    assert (
        inputs["first_stage"] == "results/cldr/runs/dense.minilm.original.trec" and inputs["checkpoint"] == "data/rerank/cldr/minilm-hard"
    )
    assert "checkpoint" not in plan.rerank_run_inputs("cldr", "rerank.none.bm25.original")
    assert plan.rerank_training_files("cldr", "minilm-easy")["train"] == "data/rerank/cldr/pairs/easy.train.csv"
    params = plan.run_params("cldr", "rerank.minilm-hard-asis.bm25.original")
    assert (
        params["reranker"]["mode"] == "as_is" and params["reranker"]["base"]["name"] == "minilm" and params["bm25"] == plan.config["bm25"]
    )
    assert plan.embedding_records("rerank.minilm-hard.bm25.original", "cldr") == []
    assert plan.training_markers("rerank.minilm-hard.bm25.original", "cldr") == ["results/mlflow/rerank/cldr/minilm-hard.json"]
    assert plan.training_markers("rerank.chance.bm25.original", "cldr") == []
    assert "results/tables/table6_reranking.md" in plan.stage_targets("report")
    with pytest.raises(ValueError, match="'xlmr-hard' is not a cross-encoder"):
        plan.rerank_base("xlmr-hard")


def test_hard_negatives_come_from_the_release_lists_where_prepare_writes_them_else_the_retriever(tmp_path: Path):
    shipped = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["rerank"]
    datasets = ["cldr", "clirmatrix", "mmarco", "largescale"]
    plan = _plan(tmp_path, datasets=datasets, rerank={**shipped, "models": ["minilm"]}, finetune={"encoders": []})
    assert plan.rerank_hard_negatives("cldr", "easy") == {}
    assert plan.rerank_hard_negatives("clirmatrix", "hard") == {"source": "release"}
    assert plan.rerank_hard_negatives("mmarco", "hard") == {"source": "release"}
    assert plan.rerank_hard_negatives("largescale", "hard") == {"source": "retriever", "retriever": "bm25", "bm25": plan.config["bm25"]}
    assert plan.rerank_hard_negatives("cldr", "hard")["retriever"] == "bm25"
    none_listed = _plan(
        tmp_path,
        datasets=datasets,
        rerank={**shipped, "models": ["minilm"]},
        finetune={"encoders": []},
        mmarco__train_candidates_per_query=0,
    )
    assert none_listed.rerank_hard_source("mmarco") == "retriever" and none_listed.rerank_hard_source("clirmatrix") == "release"
    dense = _plan(tmp_path, rerank={**shipped, "models": ["minilm"], "hard_negatives": {"source": "retriever", "retriever": "minilm"}})
    found = dense.rerank_hard_negatives("cldr", "hard")
    assert found["retriever"] == "minilm" and found["encoder"] == dense.encoder("minilm") and "precision" in found["embedding"]
    assert plan.rerank_training_files("cldr", "minilm-hard")["pairs_record"] == "data/rerank/cldr/pairs/hard.json"


def test_table_8_is_a_report_target_over_bm25_and_each_encoder_unless_disabled(tmp_path: Path):
    plan = _plan(tmp_path)
    assert plan.linguistic_runs == ["bm25.original", "dense.minilm.original"]
    assert {"results/tables/table8_linguistic.md", "results/figures/linguistic_similarity.png"} <= set(plan.stage_targets("report"))
    report = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["report"]
    off = _plan(tmp_path, report={**report, "linguistic": {"enabled": False}})
    assert off.linguistic_reports == [] and "results/tables/table8_linguistic.md" not in off.stage_targets("report")


def test_each_table_compares_its_runs_with_its_named_baseline(tmp_path: Path):
    shipped = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["rerank"]
    plan = _plan(tmp_path, rerank={**shipped, "models": ["minilm"]})
    found = {(c["table"], c["run"]): (c["baseline"], c["metrics"]) for c in plan.significance_comparisons}
    assert found[("table3", "bm25.translated")] == ("bm25.original", ["recall@100"])
    assert found[("table3", "dense.minilm+qd.translated")][0] == "dense.minilm+qd.original"
    assert found[("table4", "dense.minilm+qd.translated")][0] == "dense.minilm.translated"
    assert found[("table6", "rerank.minilm-hard-asis.bm25.original")] == ("rerank.none-asis.bm25.original", ["recall@10", "ndcg@100"])
    assert found[("table6", "rerank.chance.bm25.original")][0] == "rerank.none.bm25.original"
    assert not [key for key in found if key[1].startswith("rerank.none")] and not [
        key for key in found if key[1].endswith(".original") and key[0] == "table3"
    ]
    assert "results/tables/significance.md" in plan.stage_targets("report") and "results/per_query.csv" in plan.stage_targets("metrics")


def test_each_dataset_re_ranks_its_own_number_of_queries_per_pair(tmp_path: Path):
    shipped = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["rerank"]
    plan = _plan(tmp_path, rerank={**shipped, "queries_per_pair": {"cldr": 7, "mmarco": 100}})
    assert plan.rerank_queries_settings("cldr") == {"queries_per_pair": 7, "seed": 42}
    assert plan.rerank_queries_per_pair("largescale") == 0  # a dataset the mapping leaves out re-ranks every query
    assert plan.rerank_queries_per_dataset == {"cldr": 7}  # the configured datasets only
    assert _plan(tmp_path, rerank={**shipped, "queries_per_pair": 3}).rerank_queries_per_pair("cldr") == 3


def test_the_report_lists_every_paper_item_and_runs_each_the_shipped_configuration_enables(tmp_path: Path):
    shipped = _config(tmp_path)
    shipped["rerank"]["models"] = ["minilm"]
    shipped["fusion"]["methods"] = ["rrf", "combsum"]
    items = {item["key"]: item for item in Plan.from_config(shipped).report_items}
    paper = ["figure3", "figure4", "table3", "table4", "figure5", "table5", "table6", "table7", "table8", "figure6"]
    assert [key for key, item in items.items() if item.get("section", "paper") == "paper"] == paper
    assert not any(item.get("enable") for item in items.values())
    assert items["figure6"]["figures"] == ["results/figures/cldr/language_bias.png"]
    assert items["table3"]["csv"] == layout.TABLE_TRANSLATION_CSV


def test_a_disabled_experiment_is_listed_as_not_run_with_the_key_that_enables_it(tmp_path: Path):
    plan = _plan(tmp_path, finetune={**_config(tmp_path)["finetune"], "encoders": []}, conditions=["original"])
    items = {item["key"]: item for item in plan.report_items}
    for key in ("table4", "table5", "finetune_curves"):
        assert "finetune.encoders" in items[key]["enable"] and "csv" not in items[key] and "markdown" not in items[key]
    assert "conditions: [original, translated]" in items["table3"]["enable"]
    assert "fusion.methods" in items["fusion"]["enable"]  # _config turns fusion off
    inputs = plan.report_inputs()
    assert layout.TABLE_FINETUNE_CSV not in inputs and layout.TABLE_BEST_MD not in inputs
    assert {layout.PAPER_RESULTS, layout.QUERY_METRICS, "results/tables/cldr/language_bias.csv"} <= set(inputs)
    assert layout.REPORT_MD in plan.stage_targets("report") and layout.pdf(layout.FIGURE_LINGUISTIC) in plan.stage_targets("report")


def test_fusion_with_nothing_to_fuse_is_listed_as_not_run(tmp_path: Path):
    config = _config(tmp_path)
    config["fusion"].update(methods=["rrf"], members=[])
    items = {item["key"]: item for item in Plan.from_config(config).report_items}
    assert "fusion.members" in items["fusion"]["enable"]
    config["fusion"]["members"] = [["bm25", "dense.*"]]
    assert Plan.from_config(config).report_items[-4]["key"] == "fusion" and not Plan.from_config(config).report_items[-4].get("enable")
