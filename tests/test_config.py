"""Tests of crossrank.config.validate_params with the real schema and the shipped params.yaml."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from releases import write_am2ico, write_senwich, write_tatoeba, write_xlwic

from crossrank.config import merge_overlays, validate_params
from crossrank.core.config_files import check_config_files
from crossrank.core.errors import ConfigError
from crossrank.finetune.tatoeba import TATOEBA_CODES
from crossrank.finetune.word_pairs import languages_of

ROOT = Path(__file__).parents[1]
SCHEMA = ROOT / "workflow/schemas/params.schema.yaml"
PARAMS = ROOT / "params.yaml"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture
def params() -> dict[str, Any]:
    return yaml.safe_load(PARAMS.read_text(encoding="utf-8"))


def _error(config: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        validate_params(config, SCHEMA)
    return str(info.value)


def test_shipped_params_validate(params: dict[str, Any]) -> None:
    original = copy.deepcopy(params)
    result = validate_params(params, SCHEMA)
    assert result is params
    # params.yaml sets every key explicitly, so filling defaults adds nothing.
    assert result == original


def test_unknown_top_level_key(params: dict[str, Any]) -> None:
    params["bm25_settings"] = {}
    message = _error(params)
    assert "unknown key 'bm25_settings'" in message
    assert "Allowed here:" in message


def test_unknown_nested_key_names_the_dotted_path(params: dict[str, Any]) -> None:
    params["bm25"]["k3"] = 8
    message = _error(params)
    assert "'bm25.k3'" in message
    assert "k1" in message.split("Allowed here:")[1]


def test_unknown_key_two_levels_down(params: dict[str, Any]) -> None:
    params["bm25"]["analyzer"]["stemmer"] = "porter"
    assert "'bm25.analyzer.stemmer'" in _error(params)


def test_unknown_key_inside_an_encoder_entry(params: dict[str, Any]) -> None:
    params["encoders"]["minilm"]["normalise"] = True
    assert "'encoders.minilm.normalise'" in _error(params)


def test_wrong_type_names_the_dotted_path(params: dict[str, Any]) -> None:
    params["bm25"]["k1"] = "x"
    message = _error(params)
    assert "'bm25.k1'" in message
    assert "number" in message


def test_wrong_enum_value_in_encoder(params: dict[str, Any]) -> None:
    params["encoders"]["minilm"]["pooling"] = "sum"
    assert "'encoders.minilm.pooling'" in _error(params)


def test_several_problems_are_all_reported(params: dict[str, Any]) -> None:
    params["bm25"]["k1"] = "x"
    params["retrieval"]["top_k"] = 0
    params["extra"] = 1
    message = _error(params)
    assert "3 problems" in message
    assert "'bm25.k1'" in message and "'retrieval.top_k'" in message and "'extra'" in message


def test_missing_required_section(params: dict[str, Any]) -> None:
    del params["bm25"]
    assert "bm25" in _error(params)


@pytest.mark.parametrize(
    ("section", "key", "default"),
    [
        ("bm25", "epsilon", 0.25),
        ("bm25", "variant", "lucene"),
        ("retrieval", "doc_batch", 262144),
        ("evaluation", "metrics", ["recall@100", "success@100", "recall@10", "ndcg@100"]),
        ("mlflow", "experiment_prefix", "crossrank"),
    ],
)
def test_default_filled_for_missing_optional_key(params: dict[str, Any], section: str, key: str, default: Any) -> None:
    del params[section][key]
    result = validate_params(params, SCHEMA)
    assert result[section][key] == default


def test_defaults_filled_inside_encoder_entries(params: dict[str, Any]) -> None:
    params["encoders"] = {"other": {"model": "some/model"}}
    params["finetune"]["encoders"] = []
    params["rerank"]["models"] = []
    result = validate_params(params, SCHEMA)
    assert result["encoders"]["other"] == {
        "enabled": True,
        "model": "some/model",
        "revision": None,
        "pooling": "mean",
        "max_length": 512,
        "query_prefix": "",
        "document_prefix": "",
        "batch_size": 32,
        "trust_remote_code": False,
    }


def test_missing_optional_section_gets_its_defaults(params: dict[str, Any]) -> None:
    del params["cldr"]
    result = validate_params(params, SCHEMA)
    assert result["cldr"]["seed"] == 2025
    assert result["cldr"]["languages"] == ["ar", "de", "en", "es", "fr", "ja", "ru", "zh"]


def test_filled_defaults_are_copies(params: dict[str, Any]) -> None:
    first = copy.deepcopy(params)
    del first["cldr"]
    validate_params(first, SCHEMA)["cldr"]["languages"].append("xx")
    second = copy.deepcopy(params)
    del second["cldr"]
    assert "xx" not in validate_params(second, SCHEMA)["cldr"]["languages"]


def test_missing_optional_nested_object_gets_its_defaults(params: dict[str, Any]) -> None:
    del params["bm25"]["analyzer"]
    result = validate_params(params, SCHEMA)
    assert result["bm25"]["analyzer"] == {"stem": True, "cjk_ngram": 2}


def _properties(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every property of the schema, at every level: (dotted path, its schema, whether it is required)."""
    required = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        dotted = f"{path}.{name}" if path else name
        yield dotted, sub, name in required
        yield from _properties(sub, dotted)
        if isinstance(sub.get("additionalProperties"), dict):
            yield from _properties(sub["additionalProperties"], f"{dotted}.<name>")
        if isinstance(sub.get("items"), dict):
            yield from _properties(sub["items"], f"{dotted}[]")


def test_walk_reaches_encoder_entry_properties(schema: dict[str, Any]) -> None:
    paths = {path for path, _, _ in _properties(schema)}
    assert {"encoders.<name>.model", "encoders.<name>.pooling", "bm25.analyzer.cjk_ngram", "cldr.seed"} <= paths
    assert len(paths) > 40


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    missing = [path for path, sub, _ in _properties(schema) if not str(sub.get("description", "")).strip()]
    assert missing == []


def test_every_optional_leaf_property_has_a_default(schema: dict[str, Any]) -> None:
    def is_leaf(sub: dict[str, Any]) -> bool:
        return "properties" not in sub and not isinstance(sub.get("additionalProperties"), dict)

    missing = [path for path, sub, required in _properties(schema) if is_leaf(sub) and not required and "default" not in sub]
    assert missing == []


def test_schema_defaults_validate_against_their_own_schema(schema: dict[str, Any]) -> None:
    import jsonschema

    for path, sub, _ in _properties(schema):
        if "default" in sub:
            errors = [e.message for e in jsonschema.Draft202012Validator(sub).iter_errors(sub["default"])]
            assert errors == [], path


def test_cross_key_constraints_are_checked(params: dict[str, Any]) -> None:
    params["report"]["metric"] = "ndcg@10"
    with pytest.raises(ConfigError, match=r"report\.metric"):
        validate_params(params, SCHEMA)


def test_rank_bm25_variant_must_match_backend(params: dict[str, Any]) -> None:
    params["bm25"]["variant"] = "okapi"
    with pytest.raises(ConfigError, match=r"bm25\.variant"):
        validate_params(params, SCHEMA)
    params["bm25"]["backend"] = "rank_bm25"
    validate_params(params, SCHEMA)


def test_paper_overlay_validates_once_the_releases_exist(params: dict[str, Any], tmp_path: Path, monkeypatch) -> None:
    overlay = yaml.safe_load((ROOT / "workflow/overlays/paper.yaml").read_text(encoding="utf-8"))
    for dataset in ("clirmatrix", "mmarco", "largescale"):
        (tmp_path / "datasets" / dataset).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)  # release roots are relative to the project directory
    merged = merge_overlays(params, overlay)  # as snakemake --configfiles merges them
    message = _error(copy.deepcopy(merged))  # the fine-tuning releases are checked before any job too
    assert "dataset 'clirmatrix' reads Tatoeba's pairs, but 14 file(s) are missing, first datasets/tatoeba/tatoeba.ara-eng.ara" in message
    assert "WiC release file(s) for dataset 'clirmatrix' are missing" in message
    languages = sorted({lang for name in merged["datasets"] for lang in merged[name]["languages"]} - {"simple"})
    write_tatoeba(tmp_path / "datasets/tatoeba", languages, count=4)
    finetune = merged["finetune"]["word"]
    write_xlwic(tmp_path / finetune["xlwic"], [lang for lang in languages_of("xlwic") if lang in languages], count=2)
    write_am2ico(tmp_path / finetune["am2ico"], [lang for lang in languages_of("am2ico") if lang in languages], count=2)
    write_senwich(tmp_path / finetune["senwich"], [lang for lang in languages_of("senwich") if lang in languages], count=2)
    validate_params(merged, SCHEMA)
    assert merged["finetune"]["levels"] == ["word", "phrase", "qd"]
    assert merged["datasets"] == ["clirmatrix", "mmarco", "largescale"]
    enabled = sorted(name for name, entry in merged["encoders"].items() if entry["enabled"])
    assert enabled == ["labse", "me5-instruct", "mmbert", "nomic", "xlmr"]  # the paper's five, not the demo encoder
    assert merged["encoders"]["me5"]["query_prefix"] == "query: "  # the registry's settings survive the merge
    assert merged["encoders"]["xlmr"]["model"] == "FacebookAI/xlm-roberta-base"  # 768 dimensions (D.1), Table 11
    # The paper-literal switches (docs/paper-settings.md lists every one, with the two kept deviations).
    assert merged["evaluation"]["relevance"] == {"cldr": "threshold", "clirmatrix": "top", "mmarco": "threshold", "largescale": "top"}
    assert merged["report"]["metric"] == "success@100" and "success@10" in merged["evaluation"]["metrics"]
    assert merged["largescale"]["pool"] == "linked"
    assert merged["ann"]["ef_search"] == 50
    assert merged["truncation"]["max_tokens"] == 512
    nllb = merged["translation"]["nllb"]
    assert (nllb["segmentation"], nllb["max_input_tokens"], nllb["precision"]) == ("document", 1024, "float32")
    assert merged["embedding"]["precision"] == "float32"
    assert merged["embedding"]["prefixes"] == "model"  # a stated deviation: the paper is silent on prefixes


def test_fine_tuning_a_disabled_encoder_or_at_a_level_without_data_is_refused(
    params: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params["finetune"]["encoders"] = ["xlmr"]  # shipped disabled
    assert "'finetune.encoders' names 'xlmr', which is not an enabled encoder ['minilm']" in _error(params)
    params["finetune"]["encoders"] = ["minilm"]
    params["datasets"] = ["cldr", "mmarco"]
    params["mmarco"]["root"] = str(tmp_path)
    params["mmarco"]["languages"] = ["de", "en", "ja"]
    params["finetune"]["phrase"]["tatoeba"] = str(tmp_path / "tatoeba")
    message = _error(params)
    assert (
        "'finetune.levels' has phrase, and dataset 'mmarco' reads Tatoeba's pairs, but 4 file(s) are missing, first "
        f"{tmp_path / 'tatoeba/tatoeba.deu-eng.deu'}. Fix: download the LASER Tatoeba test set"
    ) in message
    write_tatoeba(tmp_path / "tatoeba", ["de", "ja"])
    validate_params(copy.deepcopy(params), SCHEMA)  # cldr reads its own phrases; mmarco's de, ja pairs are all on disk
    monkeypatch.delitem(TATOEBA_CODES, "ja")  # a language the table does not map
    with pytest.raises(ConfigError, match=r"dataset 'mmarco' has languages \['ja'\] without a Tatoeba code.*'finetune.phrase.codes'"):
        validate_params(copy.deepcopy(params), SCHEMA)
    params["finetune"]["phrase"]["codes"] = {"ja": "jpn"}
    validate_params(copy.deepcopy(params), SCHEMA)
    simple = copy.deepcopy(params)  # English queries, Simple English documents: no pair of two languages for Tatoeba
    simple["datasets"] = ["largescale"]
    simple["largescale"].update(root=str(tmp_path), languages=["simple"])
    with pytest.raises(ConfigError, match=r"dataset 'largescale' evaluates no pair of two different languages"):
        validate_params(simple, SCHEMA)
    params["finetune"]["levels"] = ["qd"]
    validate_params(copy.deepcopy(params), SCHEMA)
    params["mmarco"]["train_queries_per_pair"] = 0
    with pytest.raises(ConfigError, match=r"'mmarco.train_queries_per_pair' is 0, so 'mmarco' has no training pairs"):
        validate_params(params, SCHEMA)


def test_the_word_level_needs_a_wic_release_of_each_datasets_languages_on_disk(params: dict[str, Any], tmp_path: Path) -> None:
    word = {"xlwic": str(tmp_path / "xlwic"), "am2ico": str(tmp_path / "am2ico"), "senwich": None, "training_splits": ["train"]}
    params["finetune"].update(levels=["word"], word={**params["finetune"]["word"], **word})
    message = _error(params)
    assert "'finetune.levels' has word, but " in message and "WiC release file(s) for dataset 'cldr' are missing, first" in message
    assert "xlwic/xlwic_wikt/german_de/de_train.txt (fix: download xlwic_datasets.zip from pilehvar.github.io/xlwic" in message
    write_xlwic(tmp_path / "xlwic", ["en", "de", "fr", "ja", "zh"])
    write_am2ico(tmp_path / "am2ico", ["ar", "de", "ja", "ru", "zh"])
    validate_params(copy.deepcopy(params), SCHEMA)
    params["cldr"]["languages"] = ["es", "en"]  # no release has Spanish, but English WiC covers English
    validate_params(copy.deepcopy(params), SCHEMA)
    params["finetune"]["word"]["xlwic"] = None
    with pytest.raises(
        ConfigError, match=r"no configured WiC release has training pairs in the languages of dataset 'cldr', \['en', 'es'\]"
    ):
        validate_params(params, SCHEMA)


def test_a_listed_dataset_without_its_release_directory_says_where_to_put_it(params: dict[str, Any], tmp_path: Path) -> None:
    params["datasets"] = ["cldr", "mmarco"]
    params["mmarco"]["root"] = str(tmp_path / "nowhere")
    message = _error(params)
    assert "'mmarco.root': the release directory" in message and "does not exist" in message
    assert "source: ir_datasets" in message


def test_an_unlisted_dataset_needs_no_release(params: dict[str, Any]) -> None:
    params["clirmatrix"]["root"] = "/nonexistent"
    validate_params(params, SCHEMA)


@pytest.mark.parametrize(
    ("dataset", "languages", "message"),
    [
        ("mmarco", ["de", "xx"], r"'mmarco\.languages': unknown language code\(s\) \['xx'\]"),
        ("clirmatrix", ["de", "dt"], r"'clirmatrix\.languages': unknown language code\(s\) \['dt'\]"),
        ("largescale", ["de", False], r"'largescale\.languages\.1'"),  # a bare `no` in YAML is false
    ],
)
def test_unknown_language_codes_stop_before_any_job(params: dict[str, Any], tmp_path: Path, dataset, languages, message) -> None:
    params["datasets"] = [dataset]
    params[dataset]["root"] = str(tmp_path)
    params[dataset]["languages"] = languages
    assert re.search(message, _error(params))


def test_ir_datasets_source_needs_no_local_directory(params: dict[str, Any]) -> None:
    params["datasets"] = ["mmarco"]
    params["finetune"]["levels"] = ["qd"]  # phrase pairs are cldr's
    params["mmarco"]["source"] = "ir_datasets"
    params["mmarco"]["root"] = "/nonexistent"
    validate_params(params, SCHEMA)


@pytest.mark.parametrize(
    ("dataset", "settings", "message"),
    [
        ("largescale", {"release": "split"}, r"ir_datasets serves the full release only"),
        ("mmarco", {"split": "test"}, r"split must be 'dev'"),
        ("mmarco", {"qrels": "my.tsv"}, r"'mmarco\.qrels'.*must be named one of"),
    ],
)
def test_what_ir_datasets_cannot_serve_stops_before_any_job(params: dict[str, Any], dataset, settings, message) -> None:
    params["datasets"] = [dataset]
    params[dataset].update(source="ir_datasets", **settings)
    assert re.search(message, _error(params))


def test_a_dataset_left_without_conditions_is_named(params: dict[str, Any], tmp_path: Path) -> None:
    params["datasets"] = ["cldr", "clirmatrix"]
    params["clirmatrix"]["root"] = str(tmp_path)
    params["conditions"] = ["translated"]
    message = _error(params)
    assert "dataset 'clirmatrix' has no translation backend" in message and "add 'original' to conditions" in message


def test_machine_translation_of_a_language_nllb_lacks_stops_before_any_job(params: dict[str, Any], tmp_path: Path) -> None:
    params["datasets"] = ["clirmatrix"]
    params["finetune"]["levels"] = ["qd"]  # phrase pairs are cldr's
    params["clirmatrix"].update(root=str(tmp_path), collection="bi139-base", languages=["en", "de", "la"], translation="nllb")
    message = _error(params)
    assert "['la']" in message and "translation.nllb.language_codes" in message
    params["translation"] = {"nllb": {"language_codes": {"la": "lat_Latn"}}}
    message = _error(params)  # NLLB-200 has no Latin: caught now, not when the model loads
    assert "maps {'la': 'lat_Latn'}, but NLLB-200 (facebook/nllb-200-distilled-1.3B) has no such language code" in message
    params["translation"]["nllb"]["model"] = "facebook/nllb-200-3.3B"
    assert "NLLB-200 (facebook/nllb-200-3.3B) has no such language code" in _error(params)
    params["translation"]["nllb"]["model"] = "my-lab/nllb-latin"  # another model: its tokenizer is checked when it loads
    validate_params(params, SCHEMA)
    params["translation"]["nllb"] = {"language_codes": {"la": "ita_Latn"}}  # one of NLLB-200's codes
    validate_params(params, SCHEMA)


def test_every_shipped_flores_code_is_one_of_nllb_200s_languages() -> None:
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    from crossrank.translate.codes import FLORES_CODES, NLLB_LANGUAGES

    assert set(FAIRSEQ_LANGUAGE_CODES) == NLLB_LANGUAGES  # the tokenizer's own list, as transformers ships it
    assert set(FLORES_CODES.values()) <= NLLB_LANGUAGES


def test_machine_translation_settings_are_checked(params: dict[str, Any]) -> None:
    params["translation"] = {"nllb": {"precision": "float8", "shards": 0}}
    message = _error(params)
    assert "translation.nllb.precision" in message and "translation.nllb.shards" in message


def test_hard_negatives_need_a_known_retriever_and_release_lists_where_asked_for(params: dict[str, Any], tmp_path: Path) -> None:
    params["rerank"]["models"] = ["minilm"]
    params["rerank"]["hard_negatives"] = {"source": "retriever", "retriever": "bge"}
    assert "'rerank.hard_negatives.retriever' is 'bge', neither bm25 nor an encoder of the registry" in _error(copy.deepcopy(params))
    params["rerank"]["hard_negatives"] = {"source": "release"}
    assert "'rerank.hard_negatives.source' is release, but 'cldr' has no release candidates" in _error(copy.deepcopy(params))
    params["datasets"] = ["clirmatrix"]
    params["finetune"]["encoders"] = []
    params["clirmatrix"].update(root=str(tmp_path), train_candidates_per_query=2)
    params["rerank"]["negatives_per_positive"] = 3
    message = _error(copy.deepcopy(params))
    assert "'rerank.negatives_per_positive' is 3, more than the 2 release candidates per training query" in message
    params["rerank"]["hard_negatives"] = {"source": "retriever"}  # BM25 over the training side ranks as deep as asked
    validate_params(copy.deepcopy(params), SCHEMA)
    params["rerank"]["negatives"] = ["easy"]  # no hard negatives: nothing to check
    params["rerank"]["hard_negatives"] = {"source": "release"}
    params["clirmatrix"]["train_candidates_per_query"] = 0
    validate_params(params, SCHEMA)


def test_fusion_members_must_be_search_runs_of_the_configuration(params: dict[str, Any]) -> None:
    params["fusion"]["members"] = [["bm25", "dense.labse"]]  # labse ships disabled
    message = _error(copy.deepcopy(params))
    assert "'fusion.members' has ['bm25', 'dense.labse'], but ['dense.labse'] is no search run of this configuration" in message
    assert "bm25, dense.minilm, dense.minilm+phrase" in message and "Fix:" in message and "fusion.methods: []" in message
    params["fusion"]["members"] = [["bm25", "rerank.none.bm25"]]
    assert "'fusion.members.0.1': 'rerank.none.bm25' does not match" in _error(copy.deepcopy(params))  # not a search run
    params["fusion"]["members"] = [["bm25", "dense.mini*"]]
    assert "'*' stands for a whole encoder name. Fix: write dense.* or ann.*" in _error(copy.deepcopy(params))
    params["fusion"]["members"] = [["bm25", "ann.*"]]
    params["ann"]["enabled"] = False
    assert "'fusion.members' has ann.* in ['bm25', 'ann.*'], but ann.enabled is false" in _error(copy.deepcopy(params))
    params["fusion"]["members"] = [["dense.*", "dense.minilm"]]
    assert "fuses a run with itself in ['dense.minilm', 'dense.minilm']" in _error(copy.deepcopy(params))
    params["fusion"]["members"] = [["bm25", "dense.minilm+qd"], ["dense.*", "bm25"]]  # fine-tuned by name, members in any order
    validate_params(copy.deepcopy(params), SCHEMA)
    params["fusion"]["members"] = [["bm25", "dense.labse"]]
    params["fusion"]["methods"] = []  # fusion off: its members are not checked
    validate_params(params, SCHEMA)


def test_fusion_settings_are_checked_by_the_schema(params: dict[str, Any]) -> None:
    params["fusion"] = {"methods": ["borda"], "rrf_k": -1, "members": [["bm25"]]}
    message = _error(params)
    assert "'fusion.methods.0'" in message and "'fusion.rrf_k'" in message and "'fusion.members.0'" in message


def test_efficiency_study_names_must_exist(params: dict[str, Any]) -> None:
    params["efficiency"] = {"enabled": True, "dataset": "mmarco", "encoder": "xlmr"}
    message = _error(params)
    assert "'efficiency.dataset' is 'mmarco'" in message and "'efficiency.encoder' is 'xlmr'" in message
    params["efficiency"] = {"enabled": False, "dataset": "mmarco", "encoder": "xlmr"}
    validate_params(params, SCHEMA)


def test_re_ranking_needs_enabled_encoders_a_first_stage_that_runs_and_its_table_metrics(params: dict[str, Any]) -> None:
    params["rerank"]["models"] = ["xlmr"]  # shipped disabled
    assert "'rerank.models' names 'xlmr', which is not an enabled encoder ['minilm']" in _error(copy.deepcopy(params))
    params["rerank"].update(models=["minilm"], first_stages=["bm25", "dense.labse"])
    assert "'rerank.first_stages' names 'dense.labse', which this configuration does not run" in _error(copy.deepcopy(params))
    params["rerank"]["first_stages"] = ["ann.minilm"]
    params["report"]["rerank_metrics"] = ["success@10"]
    assert "'report.rerank_metrics' has ['success@10'], which evaluation.metrics" in _error(copy.deepcopy(params))
    params["report"]["rerank_metrics"] = ["ndcg@100"]
    validate_params(params, SCHEMA)


def test_an_unknown_cldr_language_stops_validation_naming_the_key(params: dict[str, Any]) -> None:
    params["cldr"]["languages"] = ["de", "en", "xq"]
    message = _error(params)
    assert "'cldr.languages' has ['xq']: CLDR has no locale" in message and "ISO 639-1" in message


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("package:does_not_exist", "the Python package 'does_not_exist' is not installed"),
        ("./models/missing-encoder", "the local directory './models/missing-encoder' does not exist"),
        ("/nowhere/at/all/encoder", "the local directory '/nowhere/at/all/encoder' does not exist"),
    ],
)
def test_a_model_that_cannot_be_there_stops_validation_with_the_reason(params: dict[str, Any], model: str, reason: str) -> None:
    params["encoders"]["minilm"]["model"] = model
    message = _error(params)
    assert f"'encoders.minilm.model' is {model!r}: {reason}" in message


def test_a_hub_id_and_a_disabled_encoders_missing_model_pass_validation(params: dict[str, Any]) -> None:
    params["encoders"]["xlmr"]["model"] = "package:does_not_exist"  # disabled: never loaded
    params["encoders"]["minilm"]["model"] = "sentence-transformers/all-MiniLM-L6-v2"  # a hub id: only loading can tell
    validate_params(params, SCHEMA)


def test_a_key_given_twice_in_a_config_file_is_refused_with_file_and_lines(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("bm25:\n  k1: 1.2\n  b: 0.75\n  k1: 0.9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"overlay\.yaml, line 4: key 'bm25\.k1' is given twice \(first on line 2\)"):
        check_config_files([overlay])
    check_config_files([PARAMS])  # the shipped file has no duplicate


def test_a_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("bm25:\n  k1: [1.2\n  b: 0.75\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"overlay\.yaml, line \d+: .*YAML"):
        check_config_files([overlay])


def test_a_highlighted_pair_with_no_such_language_stops_validation(params: dict[str, Any]) -> None:
    params["report"]["highlight_pairs"] = ["en-es", "en-xx"]
    message = _error(params)
    assert "'report.highlight_pairs' has 'en-xx': ['xx'] is no language code" in message and "en-es" not in message.split("has")[1][:8]
    params["report"]["highlight_pairs"] = ["en-es", "sw-en"]  # a real pair this run lacks: left out of its tables, not refused
    validate_params(params, SCHEMA)
