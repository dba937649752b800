"""Validation of ``params.yaml`` against its JSON schema, with one readable error.

Snakemake and DVC both read ``params.yaml``; the workflow validates it before any job runs, so
a typo (an unknown key, a wrong type) stops everything with a message naming the key.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from crossrank.analyse.linguistic import lang2vec_code
from crossrank.core.contract import base_language
from crossrank.core.errors import ConfigError
from crossrank.core.model_source import model_problem
from crossrank.finetune.tatoeba import FIX as TATOEBA_FIX
from crossrank.finetune.tatoeba import TATOEBA_CODES, phrase_language_pairs, tatoeba_files
from crossrank.finetune.training_data import word_training_files
from crossrank.finetune.word_pairs import missing_files
from crossrank.plan import dataset_conditions, efficiency_source, enabled_encoders, fusion_members, searched_retrievers, translation_backend
from crossrank.prepare import registry
from crossrank.prepare.cldr import unknown_languages
from crossrank.prepare.download import check_exportable
from crossrank.translate.backends import MACHINE_TRANSLATION
from crossrank.translate.codes import unknown_codes, unmapped


def _key_path(path: Any) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def validate_params(config: dict[str, Any], schema_path: str | os.PathLike[str], source: str = "params.yaml") -> dict[str, Any]:
    """Check ``config`` against the schema and fill in schema defaults; raise :class:`ConfigError`."""
    with open(schema_path, encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        lines = [f"{source} is invalid ({len(errors)} problem{'s' if len(errors) > 1 else ''}):"]
        for error in errors:
            where = _key_path(error.absolute_path)
            if error.validator == "additionalProperties":
                unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
                allowed = ", ".join(sorted(error.schema.get("properties", {})))
                for key in unknown:
                    full = f"{where}.{key}" if error.absolute_path else key
                    lines.append(f"  - unknown key '{full}'. Allowed here: {allowed}.")
            else:
                lines.append(f"  - '{where}': {error.message}.")
        lines.append(f"Fix {source} (or the --configfile overlay); {Path(schema_path).name} lists every key, its type and its meaning.")
        raise ConfigError("\n".join(lines))
    fill_defaults(config, schema)
    problems = _cross_key_problems(config)
    if problems:
        raise ConfigError(f"{source} is invalid:\n" + "\n".join(f"  - {p}" for p in problems))
    return config


def _cross_key_problems(config: dict[str, Any]) -> list[str]:
    """Constraints between keys that a JSON schema cannot express."""
    problems = []
    report, metrics = config.get("report", {}), config.get("evaluation", {}).get("metrics", [])
    if report.get("metric") and metrics and report["metric"] not in metrics:
        problems.append(f"'report.metric' is {report['metric']!r}, which evaluation.metrics {metrics} does not compute.")
    unknown = [m for m in report.get("rerank_metrics", []) if metrics and m not in metrics]
    if unknown and config.get("rerank", {}).get("models"):
        problems.append(f"'report.rerank_metrics' has {unknown}, which evaluation.metrics {metrics} does not compute.")
    problems += _efficiency_problems(config)
    problems += _finetune_problems(config)
    problems += _rerank_problems(config)
    problems += _fusion_problems(config)
    problems += _linguistic_problems(config)
    problems += _model_problems(config)
    problems += _highlight_problems(config)
    for dataset in config.get("datasets", []):
        if dataset not in config:
            problems.append(f"dataset {dataset!r} is listed in 'datasets' but has no '{dataset}:' settings block.")
        else:
            problems += _dataset_problems(dataset, config[dataset])
            problems += _translation_problems(config, dataset)
            if config.get("conditions") and not dataset_conditions(config, dataset):
                problems.append(
                    f"dataset {dataset!r} has no translation backend ('{dataset}.translation: none'), so conditions "
                    f"{config['conditions']} leave it nothing to run. Fix: add 'original' to conditions, or drop {dataset!r} from datasets."
                )
    return problems


def _efficiency_problems(config: dict[str, Any]) -> list[str]:
    """An efficiency study naming a dataset that is not configured or an encoder that is not enabled."""
    study, source = config.get("efficiency", {}), efficiency_source(config)
    if source is None:
        return []
    problems = []
    if study.get("dataset") and study["dataset"] not in config["datasets"]:
        problems.append(
            f"'efficiency.dataset' is {study['dataset']!r}, which is not in datasets {config['datasets']}. "
            "Fix: name one of them, set it to null (the first), or set efficiency.enabled: false."
        )
    enabled = enabled_encoders(config)
    if study.get("encoder") and study["encoder"] not in enabled:
        problems.append(
            f"'efficiency.encoder' is {study['encoder']!r}, which is not an enabled encoder {enabled}. "
            "Fix: name one of them, set it to null (the first), or set efficiency.enabled: false."
        )
    return problems


def _finetune_problems(config: dict[str, Any]) -> list[str]:
    """Fine-tuning an encoder that is not enabled, or at a level whose training data a dataset does not have."""
    block = config.get("finetune", {})
    enabled = enabled_encoders(config)
    problems = [
        f"'finetune.encoders' names {name!r}, which is not an enabled encoder {enabled}. Fix: enable it under encoders, or drop it."
        for name in block.get("encoders", [])
        if name not in enabled
    ]
    if not block.get("encoders"):
        return problems
    levels = block.get("levels", [])
    for name in config.get("datasets", []):
        if name not in config:
            continue
        entry = registry.dataset(name)
        queries, documents = entry.query_languages(config[name]), entry.document_languages(config[name])
        if "phrase" in levels and not entry.phrase_pairs:
            problems += _tatoeba_problems(name, block.get("phrase", {}), phrase_language_pairs(queries, documents))
        if "word" in levels:
            problems += _word_problems(name, block, sorted({base_language(lang) for lang in queries + documents}))
        if "qd" in levels and config[name].get("train_queries_per_pair") == 0:
            problems.append(
                f"'finetune.levels' has qd, but '{name}.train_queries_per_pair' is 0, so {name!r} has no training pairs. "
                f"Fix: set it above 0 (the paper: 1000), or drop qd from finetune.levels."
            )
    return problems


def _rerank_problems(config: dict[str, Any]) -> list[str]:
    """Cross-encoders from encoders that are not enabled, or first stages this configuration does not run."""
    block = config.get("rerank", {})
    if not block.get("models"):
        return []
    enabled = enabled_encoders(config)
    problems = [
        f"'rerank.models' names {name!r}, which is not an enabled encoder {enabled}. Fix: enable it under encoders, or drop it."
        for name in block["models"]
        if name not in enabled
    ]
    searched = {"bm25", *(f"dense.{e}" for e in enabled)}
    if config.get("ann", {}).get("enabled"):
        searched |= {f"ann.{e}" for e in enabled}
    problems += [
        f"'rerank.first_stages' names {stage!r}, which this configuration does not run ({sorted(searched)}). Fix: name one of them."
        for stage in block.get("first_stages", [])
        if stage not in searched
    ]
    missing = [c for c in block.get("conditions", []) if c not in config.get("conditions", [])]
    if missing:
        problems.append(f"'rerank.conditions' has {missing}, which 'conditions' does not run. Fix: drop them, or add them to conditions.")
    if "hard" in block.get("negatives", []):
        problems += _hard_negative_problems(config, block)
    return problems


def _fusion_problems(config: dict[str, Any]) -> list[str]:
    """Fusion members that are not search runs of this configuration, a misplaced ``*``, or a run fused with itself."""
    block = config.get("fusion", {})
    if not block.get("methods"):
        return []
    problems = []
    for members in block.get("members", []):
        wild = [m for m in members if "*" in m and m not in ("dense.*", "ann.*")]
        if wild:
            problems.append(f"'fusion.members' has {wild} in {members}: '*' stands for a whole encoder name. Fix: write dense.* or ann.*.")
        elif "ann.*" in members and not config.get("ann", {}).get("enabled"):
            problems.append(f"'fusion.members' has ann.* in {members}, but ann.enabled is false. Fix: enable ann, or drop ann.*.")
    if problems:
        return problems
    searched = searched_retrievers(config)
    for members in fusion_members(config):
        unknown = [m for m in members if m not in searched]
        if unknown:
            problems.append(
                f"'fusion.members' has {list(members)}, but {unknown} {'is' if len(unknown) == 1 else 'are'} no search run of this "
                f"configuration ({', '.join(searched)}). Fix: name those runs (an encoder must be enabled, a fine-tuned one in "
                "finetune.encoders x finetune.levels, an ann run needs ann.enabled), or set fusion.methods: [] to turn fusion off."
            )
        elif len(set(members)) < len(members):
            problems.append(f"'fusion.members' fuses a run with itself in {list(members)}. Fix: name each member once.")
    return problems


def _linguistic_problems(config: dict[str, Any]) -> list[str]:
    """Languages of a configured dataset that Table 8 cannot look up in lang2vec."""
    block = config.get("report", {}).get("linguistic", {})
    if not block.get("enabled", True):
        return []
    problems = []
    for name in config.get("datasets", []):
        if name not in config:
            continue
        entry = registry.dataset(name)
        for lang in sorted({*entry.query_languages(config[name]), *entry.document_languages(config[name])}):
            try:
                lang2vec_code(lang, block.get("codes", {}))
            except ConfigError as error:
                problems.append(f"dataset {name!r}: {error}")
    return problems


def _hard_negative_problems(config: dict[str, Any], block: dict[str, Any]) -> list[str]:
    """An unknown hard-negative source or retriever, or release candidates a dataset does not have (or has too few of)."""
    hard = block.get("hard_negatives", {})
    source, retriever = hard.get("source", "auto"), hard.get("retriever", "bm25")
    if source not in ("auto", "release", "retriever"):
        return [
            f"'rerank.hard_negatives.source' is {source!r}. Fix: use auto (the release's lists where it has them), release or retriever."
        ]
    problems = []
    if retriever != "bm25" and retriever not in config.get("encoders", {}):
        problems.append(
            f"'rerank.hard_negatives.retriever' is {retriever!r}, neither bm25 nor an encoder of the registry "
            f"{sorted(config.get('encoders', {}))}. Fix: name one of them."
        )
    wanted = block.get("negatives_per_positive", 1)
    for name in config.get("datasets", []):
        try:
            listed = registry.training_candidates_per_query(name, config[name])
        except (ConfigError, KeyError):  # a broken dataset block is reported on its own
            continue
        if source == "release" and not listed:
            problems.append(
                f"'rerank.hard_negatives.source' is release, but {name!r} has no release candidates for its training queries "
                + (
                    f"('{name}.train_candidates_per_query' or train_queries_per_pair is 0). "
                    if registry.dataset(name).training_candidates
                    else "(its release ranks none). "
                )
                + "Fix: use source: auto or retriever."
            )
        elif listed and source != "retriever" and wanted > listed:
            problems.append(
                f"'rerank.negatives_per_positive' is {wanted}, more than the {listed} release candidates per training query "
                f"'{name}.train_candidates_per_query' keeps. Fix: raise it to at least {wanted}, or lower negatives_per_positive."
            )
    return problems


def _tatoeba_problems(name: str, phrase: dict[str, Any], pairs: list[tuple[str, str]]) -> list[str]:
    """Tatoeba files a dataset's phrase level needs that are not on disk, or languages without a Tatoeba code."""
    if not pairs:
        return [
            f"'finetune.levels' has phrase, but dataset {name!r} evaluates no pair of two different languages, so Tatoeba has "
            "no phrase pairs for it. Fix: drop phrase from finetune.levels, or add languages to the dataset."
        ]
    codes = phrase.get("codes", {})
    languages = sorted({lang for pair in pairs for lang in pair})
    unmapped_languages = [lang for lang in languages if lang != "en" and lang not in {**TATOEBA_CODES, **codes}]
    if unmapped_languages:
        return [
            f"'finetune.levels' has phrase, and dataset {name!r} has languages {unmapped_languages} without a Tatoeba code. "
            "Fix: map them in 'finetune.phrase.codes' (e.g. {xx: xxx}), or drop phrase from finetune.levels."
        ]
    missing = [str(path) for lang in languages for path in tatoeba_files(phrase.get("tatoeba", ""), lang, codes) if not path.is_file()]
    if not missing:
        return []
    return [
        f"'finetune.levels' has phrase, and dataset {name!r} reads Tatoeba's pairs, but {len(missing)} file(s) are missing, "
        f"first {missing[0]}. Fix: {TATOEBA_FIX} Put it at 'finetune.phrase.tatoeba' ({phrase.get('tatoeba')!r}), or drop phrase "
        "from finetune.levels."
    ]


def _word_problems(name: str, block: dict[str, Any], languages: list[str]) -> list[str]:
    """A dataset no configured WiC release covers, or release files that are not on disk."""
    training, validation = word_training_files(block, languages)
    if not training or not validation:
        side = "training" if not training else "dev (validation)"
        return [
            f"'finetune.levels' has word, but no configured WiC release has {side} pairs in the languages of dataset {name!r}, "
            f"{languages} (finetune.word: xlwic, am2ico, senwich; training_splits {block.get('word', {}).get('training_splits')}). "
            "Fix: configure a release that covers them, add test to finetune.word.training_splits, or drop word from finetune.levels."
        ]
    missing = missing_files(training + validation)
    if not missing:
        return []
    return [
        f"'finetune.levels' has word, but {len(missing)} WiC release file(s) for dataset {name!r} are missing, first {missing[0]}. "
        "Set the release's directory under 'finetune.word' (null leaves it out), or drop word from finetune.levels."
    ]


def _model_problems(config: dict[str, Any]) -> list[str]:
    """Models the configuration will load that cannot be there: an uninstalled ``package:``, a missing local directory."""
    models = {f"encoders.{name}.model": config["encoders"][name].get("model", "") for name in enabled_encoders(config)}
    if any(translation_backend(config, dataset) == MACHINE_TRANSLATION for dataset in config.get("datasets", [])):
        models["translation.nllb.model"] = config.get("translation", {}).get("nllb", {}).get("model", "")
    if config.get("truncation", {}).get("max_tokens"):
        models["truncation.tokenizer"] = config["truncation"].get("tokenizer", "")
    problems = []
    for key, model in models.items():
        problem = model_problem(str(model))
        if problem:
            problems.append(f"'{key}' is {model!r}: {problem}.")
    return problems


def _highlight_problems(config: dict[str, Any]) -> list[str]:
    """Highlighted pairs naming a language that is neither a configured dataset's nor a language code at all (``en-xx``:
    a typo would silently drop the pair from every table; a real pair another dataset lacks is left out of its tables)."""
    languages: set[str] = set()
    for dataset in config.get("datasets", []):
        if dataset in config and dataset in registry.DATASETS:
            entry = registry.dataset(dataset)
            languages |= {
                base_language(lang) for lang in entry.document_languages(config[dataset]) + entry.query_languages(config[dataset])
            }
    problems = []
    for pair in config.get("report", {}).get("highlight_pairs", []):
        query, _, document = str(pair).partition("-")
        unknown = [lang for lang in (query, document) if lang not in languages and (not lang or unknown_languages([lang]))]
        if not (query and document) or unknown:
            problems.append(
                f"'report.highlight_pairs' has {pair!r}: {unknown or pair!r} is no language code. Fix: write pairs as "
                f"<query language>-<document language>, e.g. en-es (this run's languages: {', '.join(sorted(languages))})."
            )
    return problems


def _dataset_problems(dataset: str, params: dict[str, Any]) -> list[str]:
    """Settings a released dataset's protocol rejects (unknown language, template, ...) and a missing release directory;
    for the generated cldr benchmark, languages CLDR has no locale for."""
    if dataset == "cldr":
        unknown = unknown_languages(params.get("languages", []))
        return [
            f"'cldr.languages' has {unknown}: CLDR has no locale for them. Fix: use ISO 639-1 codes such as 'de' or 'ja'."
        ] if unknown else []  # fmt: skip
    if not registry.dataset(dataset).released:
        return []
    try:
        settings = registry.dataset_settings(dataset, params)
        if params.get("source") == "ir_datasets":
            check_exportable(dataset, settings)
    except ConfigError as error:
        return [str(error).removeprefix("params.yaml ")]
    if params.get("source", "local") == "local" and not Path(params["root"]).is_dir():
        return [
            f"'{dataset}.root': the release directory {params['root']!r} does not exist. Fix: download the release "
            f"(README, 'The paper's datasets'), put or symlink it there, or set {dataset}.root; "
            f"or set {dataset}.source: ir_datasets to download it."
        ]
    return []


def _translation_problems(config: dict[str, Any], dataset: str) -> list[str]:
    """Document languages that machine translation cannot serve (no FLORES-200 code)."""
    if translation_backend(config, dataset) != MACHINE_TRANSLATION:
        return []
    nllb = config.get("translation", {}).get("nllb", {})
    overrides = nllb.get("language_codes", {})
    problems = []
    unknown = unknown_codes(overrides)
    # NLLB-200's own checkpoints know exactly its 202 codes; another model (a fine-tune that adds a language) is
    # checked against its tokenizer when it loads.
    if unknown and str(nllb.get("model", "")).startswith("facebook/nllb-200"):
        problems.append(
            f"'translation.nllb.language_codes' maps {unknown}, but NLLB-200 ({nllb['model']}) has no such language "
            "code. Fix: use one of its 202 FLORES-200 codes (e.g. deu_Latn, zho_Hans; see the model card's list), "
            "or drop the entry."
        )
    missing = unmapped(registry.dataset(dataset).document_languages(config[dataset]), overrides)
    if missing:
        problems.append(
            f"'{dataset}.translation' is nllb, but language(s) {missing} have no NLLB-200 (FLORES-200) code. Fix: map them in "
            "'translation.nllb.language_codes' (e.g. {xx: xxx_Latn}) if the model covers them, or drop them from "
            f"'{dataset}.languages'."
        )
    return problems


def fill_defaults(config: dict[str, Any], schema: dict[str, Any]) -> None:
    """Fill in, in place, the schema's default of every key ``config`` leaves out (nested blocks included)."""
    for key, sub in schema.get("properties", {}).items():
        if key not in config and "default" in sub:
            config[key] = copy.deepcopy(sub["default"])
        if isinstance(config.get(key), dict):
            fill_defaults(config[key], sub)
            if "additionalProperties" in sub and isinstance(sub["additionalProperties"], dict):
                for value in config[key].values():
                    if isinstance(value, dict):
                        fill_defaults(value, sub["additionalProperties"])


def merge_overlays(base: dict[str, Any], *overlays: dict[str, Any]) -> dict[str, Any]:
    """``base`` with each overlay on top, nested blocks merged key by key, as ``snakemake --configfiles`` merges them."""
    merged = copy.deepcopy(base)
    for overlay in overlays:
        for key, value in overlay.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = merge_overlays(merged[key], value)
            else:
                merged[key] = copy.deepcopy(value)
    return merged
