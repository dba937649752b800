"""The plan of one configuration: every decision the workflow makes from ``params.yaml``, made once.

Which datasets run under which document conditions, which encoders (and HNSW) give which
runs, what each rule reads and writes beyond its wildcards, and the settings that determine
each run (logged to MLflow). ``workflow/rules/common.smk`` builds one :class:`Plan` from the
validated configuration; its input functions only call it, so the decisions are tested here,
without Snakemake.

The plan sits on top of the library: it may use every stage (the dataset registry, the NLLB
settings, the MLflow store), and no stage imports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from crossrank.core import layout
from crossrank.core.contract import base_language
from crossrank.core.layout import fill
from crossrank.core.run_name import EMBEDDING_SYSTEMS, RunName, split_encoder
from crossrank.finetune.tatoeba import phrase_language_pairs, tatoeba_files
from crossrank.finetune.training_data import word_training_files
from crossrank.fusion.methods import method_settings
from crossrank.prepare.registry import dataset, release_inputs, training_candidates_per_query
from crossrank.rerank.candidates import AS_IS_SUFFIX, split_reranker
from crossrank.rerank.candidates import MODES as RERANK_MODES
from crossrank.rerank.candidates import NO_MODEL as RERANK_WITHOUT_MODEL
from crossrank.track.mlflow_store import resolve_tracking_uri
from crossrank.translate.backends import MACHINE_TRANSLATION, NO_TRANSLATION
from crossrank.translate.nllb import result_settings

# Keys of the finetune block: which encoders and levels (the plan's choice), and what the pairs rules read.
FINETUNE_CHOICES = ("encoders", "levels")
FINETUNE_DATA_KEYS = ("seed", "validation_fraction", "max_train_pairs", "max_validation_pairs")
# The embedding settings that change the matrices an encoder writes (shards, devices and chunks do not).
EMBEDDING_RESULT_KEYS = ("precision", "storage")


def translation_backend(config: Mapping[str, Any], name: str) -> str:
    """The backend of a dataset's translated condition (``none`` when it has none)."""
    return config[name].get("translation", NO_TRANSLATION)


def dataset_conditions(config: Mapping[str, Any], name: str) -> list[str]:
    """The configured ``conditions`` this dataset can produce, in their configured order."""
    backend = translation_backend(config, name)
    return [c for c in config["conditions"] if c != "translated" or backend != NO_TRANSLATION]


def enabled_encoders(config: Mapping[str, Any]) -> list[str]:
    """Names of the registry's enabled encoders, sorted (each has dense and, with ann, HNSW runs)."""
    return sorted(name for name, entry in config["encoders"].items() if entry.get("enabled", True))


def finetuned_encoders(config: Mapping[str, Any]) -> list[str]:
    """The fine-tuned encoders, ``<encoder>+<level>`` for each of ``finetune.encoders`` and ``finetune.levels``."""
    block = config.get("finetune", {})
    return [f"{encoder}+{level}" for encoder in block.get("encoders", []) for level in block.get("levels", [])]


def efficiency_source(config: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(dataset, encoder)`` whose cached embeddings the efficiency study reads, or None when it does not run.

    Unset (null) names mean the first configured dataset and the first enabled encoder in
    registry order (so adding an entry below does not change the study); the study does not run
    when it is disabled or no encoder is enabled (a BM25-only configuration).
    """
    study = config.get("efficiency", {})
    encoders = [name for name, entry in config["encoders"].items() if entry.get("enabled", True)]
    if not study.get("enabled") or not encoders:
        return None
    return study.get("dataset") or config["datasets"][0], study.get("encoder") or encoders[0]


def searched_retrievers(config: Mapping[str, Any]) -> list[str]:
    """Every retriever that searches the pool in this configuration: ``bm25``, ``dense.<encoder>`` and, with ann,
    ``ann.<encoder>``, for each enabled and each fine-tuned encoder (the runs a fusion may fuse)."""
    encoders = enabled_encoders(config) + finetuned_encoders(config)
    systems = EMBEDDING_SYSTEMS if config.get("ann", {}).get("enabled") else EMBEDDING_SYSTEMS[:1]
    return ["bm25", *(f"{system}.{encoder}" for system in systems for encoder in encoders)]


def fusion_members(config: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The member lists of ``fusion.members`` with ``*`` expanded, one fusion each (none when fusion.methods is empty).

    ``dense.*`` or ``ann.*`` stands for every enabled registry encoder (fine-tuned ones are named
    in full): a list holding ``*`` becomes one list per encoder, every ``*`` in it that encoder,
    so ``[bm25, dense.*]`` fuses BM25 with each encoder's exact search. Lists that expand to the
    same members are kept once.
    """
    block = config.get("fusion", {})
    if not block.get("methods"):
        return []
    found: list[tuple[str, ...]] = []
    for members in block.get("members", []):
        wild = any("*" in member for member in members)
        expanded = [tuple(m.replace("*", e) for m in members) for e in enabled_encoders(config)] if wild else [tuple(members)]
        found += [fused for fused in expanded if fused not in found]
    return found


@dataclass(frozen=True)
class Plan:
    """What one validated configuration runs (build it with :meth:`from_config`)."""

    config: Mapping[str, Any]
    datasets: tuple[str, ...]
    conditions: Mapping[str, tuple[str, ...]]
    encoders: tuple[str, ...]
    ann_encoders: tuple[str, ...]
    efficiency_source: tuple[str, str] | None
    finetuned: tuple[str, ...] = ()  # fine-tuned encoders, "<encoder>+<level>", one checkpoint per dataset
    fusions: tuple[tuple[str, ...], ...] = ()  # the member retrievers of each fusion (fusion.members, * expanded)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Plan:
        """The plan of a configuration already validated by :func:`crossrank.config.validate_params`."""
        datasets = tuple(config["datasets"])
        encoders = tuple(enabled_encoders(config))
        return cls(
            config=config,
            datasets=datasets,
            conditions={name: tuple(dataset_conditions(config, name)) for name in datasets},
            encoders=encoders,
            ann_encoders=encoders if config["ann"]["enabled"] else (),
            efficiency_source=efficiency_source(config),
            finetuned=tuple(finetuned_encoders(config)),
            fusions=tuple(fusion_members(config)),
        )

    # Datasets and their translations.

    def translation_backend(self, name: str) -> str:
        """The backend of a dataset's translated condition (``none`` when it has none)."""
        return translation_backend(self.config, name)

    @property
    def translated(self) -> tuple[str, ...]:
        """Datasets with a translated condition (each has a ``translate`` job; the others ``skip_translation``)."""
        return tuple(name for name in self.datasets if "translated" in self.conditions[name])

    @property
    def untranslated(self) -> tuple[str, ...]:
        """Datasets without a translated condition (each has a ``skip_translation`` job)."""
        return tuple(name for name in self.datasets if name not in self.translated)

    def machine_translated(self, name: str) -> bool:
        """Whether the dataset's translated condition comes from NLLB."""
        return self.translation_backend(name) == MACHINE_TRANSLATION

    def scored_translations(self, datasets: Iterable[str] | None = None) -> list[str]:
        """Datasets whose machine translations can be scored against their parallel English."""
        names = self.datasets if datasets is None else datasets
        return [
            name
            for name in names
            if dataset(name).parallel_english and self.machine_translated(name) and "translated" in self.conditions[name]
        ]

    def query_languages(self, name: str) -> list[str]:
        """Languages a dataset's queries are written in (Large-Scale: English only, against many document languages)."""
        return dataset(name).query_languages(self.config[name])

    def document_languages(self, name: str) -> list[str]:
        """Languages of a dataset's document pool."""
        return dataset(name).document_languages(self.config[name])

    def protocol_settings(self, name: str) -> dict[str, Any]:
        """A dataset's settings block without the translation backend (which does not change the prepared data)."""
        return {key: value for key, value in self.config[name].items() if key != "translation"}

    @property
    def truncation(self) -> dict[str, Any]:
        """The ``truncation`` block when it cuts documents, else ``{}``: its tokenizer then re-runs nothing."""
        block = self.config.get("truncation", {})
        return dict(block) if block.get("max_tokens", 0) > 0 else {}

    def release_inputs(self, name: str) -> list[str]:
        """The release files a released dataset's prepare step reads (or its download manifest)."""
        return release_inputs(name, self.config[name])

    def sources_inputs(self) -> list[str]:
        """Every configured released dataset's release files or download manifest."""
        return [path for name in self.datasets if dataset(name).released for path in self.release_inputs(name)]

    def english_inputs(self, name: str) -> list[str]:
        """The English texts a dataset's translate step merges: parallel text (oracle) or the NLLB shards."""
        backend = self.translation_backend(name)
        if backend == "oracle":
            return [fill(layout.ORACLE_ENGLISH, dataset=name)]
        if backend == MACHINE_TRANSLATION:
            return [fill(layout.TRANSLATION_SHARD, dataset=name, shard=str(s)) for s in range(self.nllb["shards"])]
        return []

    @property
    def nllb(self) -> Mapping[str, Any]:
        """``translation.nllb``: the machine-translation settings every NLLB job shares."""
        return self.config["translation"]["nllb"]

    def nllb_settings(self, name: str) -> dict[str, Any]:
        """The NLLB settings a dataset's translations depend on ({} unless it translates with nllb)."""
        return result_settings(self.nllb) if self.machine_translated(name) else {}

    # Runs.

    def run_names(self, name: str) -> list[RunName]:
        """Every retrieval run of a dataset: BM25, exact search per encoder, HNSW per ANN encoder, per condition; then the
        fusions and the re-ranked runs."""
        conditions = self.conditions[name]
        runs = [RunName("bm25", c) for c in conditions]
        runs += [RunName("dense", c, model=e) for e in self.encoders for c in conditions]
        runs += [RunName("ann", c, model=e) for e in self.ann_encoders for c in conditions]
        runs += [RunName.search("dense", c, tuned) for tuned in self.finetuned for c in conditions]
        if self.ann_encoders:
            runs += [RunName.search("ann", c, tuned) for tuned in self.finetuned for c in conditions]
        return runs + self.fusion_runs(name) + self.rerank_runs(name)

    def first_stage_runs(self, name: str) -> list[RunName]:
        """A dataset's runs that search the pool (BM25, dense, HNSW) and their fusions: what DVC's retrieve stage owns."""
        return [run for run in self.run_names(name) if run.system != "rerank"]

    # Fusion.

    @property
    def fusion_methods(self) -> tuple[str, ...]:
        """``fusion.methods``: rrf, combsum (none when fusion is off)."""
        return tuple(self.config.get("fusion", {}).get("methods", []))

    def fusion_runs(self, name: str) -> list[RunName]:
        """A dataset's fused runs: per method, member list and fused condition (``fusion.rrf.bm25+dense.minilm.original``)."""
        fused = self.config.get("fusion", {}).get("conditions", ["original", "translated"])
        conditions = [c for c in self.conditions[name] if c in fused]
        return [
            RunName("fusion", condition, model=method, first_stage=tuple(RunName.join(member, condition) for member in members))
            for method in self.fusion_methods
            for members in self.fusions
            for condition in conditions
        ]

    def fusion_inputs(self, name: str, run: str) -> list[str]:
        """The run files a fused run reads, in its members' order."""
        return [self.run_file(name, str(member)) for member in RunName.parse(run).first_stage]

    def fusion_settings(self, run: str | RunName) -> dict[str, Any]:
        """What determines one fused run besides its members: its method and that method's setting (RRF's k)."""
        return method_settings(str(RunName.parse(str(run)).model), self.config.get("fusion", {}).get("rrf_k", 60))

    # Re-ranking.

    @property
    def rerank_settings(self) -> dict[str, Any]:
        """The ``rerank`` block (Table 11, candidates, sampling)."""
        return dict(self.config.get("rerank", {}))

    @property
    def rerankers(self) -> tuple[str, ...]:
        """The trained cross-encoders, ``<encoder>-<negatives>`` for each of ``rerank.models`` and ``rerank.negatives``."""
        block = self.rerank_settings
        return tuple(f"{model}-{negatives}" for model in block.get("models", []) for negatives in block.get("negatives", []))

    def rerank_runs(self, name: str) -> list[RunName]:
        """A dataset's re-ranked runs: per re-ranked first stage and condition, the re-rankers none and chance and every
        cross-encoder, in each candidate mode (``-asis`` names the as_is mode). None when no cross-encoder is configured."""
        if not self.rerankers:
            return []
        block = self.rerank_settings
        conditions = [c for c in self.conditions[name] if c in block.get("conditions", ["original"])]
        runs = []
        for first in block.get("first_stages", ["bm25"]):
            for condition in conditions:
                for reranker in (*RERANK_WITHOUT_MODEL, *self.rerankers):
                    for mode in block.get("modes", list(RERANK_MODES)):
                        model = reranker + (AS_IS_SUFFIX if mode == "as_is" else "")
                        runs.append(RunName("rerank", condition, model=model, first_stage=(RunName.join(first, condition),)))
        return runs

    def rerank_queries_per_pair(self, name: str) -> int:
        """How many evaluated queries per language pair a dataset re-ranks (0 = all): one number, or one per dataset."""
        setting = self.rerank_settings.get("queries_per_pair", 0)
        return int(setting.get(name, 0)) if isinstance(setting, Mapping) else int(setting)

    @property
    def rerank_queries_per_dataset(self) -> dict[str, int]:
        """How many queries per language pair each dataset re-ranks (0 = all): what Table 6's caption states."""
        return {name: self.rerank_queries_per_pair(name) for name in self.datasets}

    def rerank_queries_settings(self, name: str) -> dict[str, Any]:
        """What the re-ranked-queries job of a dataset reads: its number per pair and the seed."""
        return {"queries_per_pair": self.rerank_queries_per_pair(name), "seed": self.rerank_settings.get("seed", 42)}

    def rerank_run_inputs(self, name: str, run: str) -> dict[str, Any]:
        """What one re-ranked run reads: its first stage's run, the re-ranked queries, qrels, documents and checkpoint."""
        parsed = RunName.parse(run)
        reranker, _mode = split_reranker(str(parsed.model))
        inputs: dict[str, Any] = {
            "first_stage": fill(layout.RUN, dataset=name, run=str(parsed.first_stage[0])),
            "topics": fill(layout.RERANK_QUERIES, dataset=name),
            "qrels": fill(layout.QRELS, dataset=name),
            "documents": [fill(layout.DOCUMENTS, dataset=name, condition=parsed.condition)],
        }
        if reranker not in RERANK_WITHOUT_MODEL:
            inputs["checkpoint"] = fill(layout.RERANK_MODEL, dataset=name, reranker=reranker)
        return inputs

    def rerank_hard_source(self, name: str) -> str:
        """Where a dataset's hard negatives come from: ``release`` or ``retriever`` (``rerank.hard_negatives.source``;
        ``auto`` takes the release's candidate lists where its prepare step writes them)."""
        source = self.rerank_settings.get("hard_negatives", {}).get("source", "auto")
        if source == "auto":
            return "release" if training_candidates_per_query(name, self.config[name]) else "retriever"
        return str(source)

    def rerank_hard_negatives(self, name: str, negatives: str) -> dict[str, Any]:
        """What one negative strategy's pairs job needs to find hard negatives on a dataset ({} for easy ones):
        the source, the retriever's name and its settings (``bm25``, or the encoder's entry and embedding settings)."""
        if negatives != "hard":
            return {}
        if self.rerank_hard_source(name) == "release":
            return {"source": "release"}
        retriever = self.rerank_settings.get("hard_negatives", {}).get("retriever", "bm25")
        if retriever == "bm25":
            return {"source": "retriever", "retriever": "bm25", "bm25": self.config["bm25"]}
        return {
            "source": "retriever",
            "retriever": retriever,
            "encoder": self.encoder(retriever),
            "embedding": self.embedding_result_settings,
        }

    def rerank_training_files(self, name: str, reranker: str) -> dict[str, str]:
        """The training and validation examples a cross-encoder (``minilm-hard``) trains on: its negative strategy's."""
        negatives = reranker.rsplit("-", 1)[1]
        files = {split: fill(layout.RERANK_PAIRS, dataset=name, negatives=negatives, split=split) for split in ("train", "validation")}
        return files | {"pairs_record": fill(layout.RERANK_PAIRS_RECORD, dataset=name, negatives=negatives)}

    def rerank_train_params(self, name: str, reranker: str) -> dict[str, Any]:
        """What determines one cross-encoder training (logged to MLflow): its base entry and the ``rerank`` block."""
        return {"dataset": name, "reranker": reranker, "base": self.rerank_base(reranker), "rerank": self.rerank_settings}

    def rerank_base(self, reranker: str) -> dict[str, Any]:
        """The weights a cross-encoder starts from (``minilm-hard`` -> ``minilm``'s model, revision and remote-code switch).

        Only these: the bi-encoder's pooling, prefixes and max length do not touch the cross-encoder
        (its own length is ``rerank.max_length``), so changing them does not retrain it.
        """
        if reranker not in self.rerankers:
            raise ValueError(f"{reranker!r} is not a cross-encoder of this configuration (rerank.models x rerank.negatives)")
        entry = self.config["encoders"][reranker.rsplit("-", 1)[0]]
        return {key: entry.get(key) for key in ("model", "revision", "trust_remote_code")}

    def evaluation_topics(self, name: str, run: str) -> str:
        """The topics a run is evaluated on: the re-ranked queries for a re-ranked run, every evaluated query otherwise."""
        if RunName.parse(run).system == "rerank":
            return fill(layout.RERANK_QUERIES, dataset=name)
        return fill(layout.TOPICS, dataset=name)

    def bias_figure_runs(self, name: str) -> list[str]:
        """A dataset's runs in the language-bias figure's order: each fine-tuned encoder right after its base (Figure 6)."""
        runs = self.run_names(name)
        bases = list(self.encoders)
        levels = list(self.config.get("finetune", {}).get("levels", []))

        def position(run: RunName) -> tuple[int, int, int]:  # sorted() is stable: conditions keep their order
            base, level = split_encoder(run.encoder) if run.encoder and run.system in EMBEDDING_SYSTEMS else ("", None)
            system = ("bm25", *EMBEDDING_SYSTEMS, "fusion", "rerank").index(run.system)
            return system, bases.index(base) if base in bases else -1, 0 if level is None else 1 + levels.index(level)

        return [str(run) for run in sorted(runs, key=position)]

    def training_markers(self, run: str, name: str) -> list[str]:
        """The MLflow marker of the training behind a run's model: its fine-tuning, or its cross-encoder's (none for the others);
        a fusion's are its members'."""
        parsed = RunName.parse(str(run))
        if parsed.system == "fusion":
            return list(dict.fromkeys(marker for member in parsed.first_stage for marker in self.training_markers(str(member), name)))
        if parsed.system == "rerank":
            reranker = split_reranker(str(parsed.model))[0]
            return [fill(layout.MLFLOW_RERANK, dataset=name, reranker=reranker)] if reranker in self.rerankers else []
        encoder = _searched(parsed).encoder
        if encoder is None or encoder not in self.finetuned:
            return []
        return [fill(layout.MLFLOW_FINETUNE, dataset=name, encoder=encoder)]

    def finetune_run_params(self, name: str, tuned: str) -> dict[str, Any]:
        """What determines one fine-tuning (logged to MLflow): the base entry, the training settings and the data settings."""
        base, level = split_encoder(tuned)
        return {
            "dataset": name,
            "encoder": {"name": base, **self.finetune_base(tuned)},
            "level": level,
            "finetune": {**self.finetune_pairs_settings(str(level)), **self.finetune_training_settings(tuned)},
        }

    @property
    def figure_encoders(self) -> list[str]:
        """The encoders of the encoders figure (Figure 4): each registry encoder, then its fine-tuned variants."""
        return [encoder for base in self.encoders for encoder in (base, *(t for t in self.finetuned if split_encoder(t)[0] == base))]

    @property
    def finetune_reports(self) -> list[str]:
        """The fine-tuning tables and curves (Tables 4 and 5): none when nothing is fine-tuned."""
        if not self.finetuned:
            return []
        return [
            layout.TABLE_FINETUNE_CSV,
            layout.TABLE_FINETUNE_MD,
            layout.TABLE_BEST_CSV,
            layout.TABLE_BEST_MD,
            layout.FINETUNE_CURVES_CSV,
            layout.FINETUNE_CURVES_FIGURE,
        ]

    @property
    def rerank_reports(self) -> list[str]:
        """The re-ranking table (Table 6): none when no cross-encoder is configured."""
        return [layout.TABLE_RERANK_CSV, layout.TABLE_RERANK_MD] if self.rerankers else []

    @property
    def linguistic_settings(self) -> dict[str, Any]:
        """``report.linguistic``: Table 8's feature sets and lang2vec code overrides."""
        return dict(self.config["report"].get("linguistic", {}))

    @property
    def linguistic_reports(self) -> list[str]:
        """Table 8, the pairs' similarities and their scatter figure: none when report.linguistic is disabled."""
        if not self.linguistic_settings.get("enabled", True):
            return []
        return [layout.TABLE_LINGUISTIC_CSV, layout.TABLE_LINGUISTIC_MD, layout.LINGUISTIC_SIMILARITY, layout.FIGURE_LINGUISTIC]

    @property
    def linguistic_runs(self) -> list[str]:
        """Table 8's runs: BM25 and every encoder's exact search on original documents (the paper's BM25, XLM-R, Nomic)."""
        return ["bm25.original", *(f"dense.{encoder}.original" for encoder in self.encoders)]

    @property
    def significance_settings(self) -> dict[str, Any]:
        """``report.significance``: resamples, confidence, alpha and seed of the tests and intervals."""
        return dict(self.config["report"].get("significance", {}))

    @property
    def significance_comparisons(self) -> list[dict[str, Any]]:
        """Every run against its table's named baseline, on the same dataset and queries (what the tables compare):
        translated vs original documents (Table 3), a fine-tuned encoder vs its base (Table 4), a re-ranker vs
        ``none``, the first stage's own order of the same candidates, in the same mode (Table 6), and a fusion
        vs each of its members (``fusion``, beyond the paper)."""
        report = self.config["report"]
        found = []
        for name in self.datasets:
            runs = {str(run): run for run in self.run_names(name)}
            for text, run in runs.items():
                pairs: list[tuple[str, RunName, list[str]]] = []
                if run.system == "rerank":
                    reranker, mode = split_reranker(str(run.model))
                    if reranker != "none":
                        none = "none" + (AS_IS_SUFFIX if mode == "as_is" else "")
                        pairs.append(("table6", replace(run, model=none), list(report.get("rerank_metrics", []))))
                else:
                    if run.condition != "original":  # joined anew: a fusion's members change condition with it
                        pairs.append(("table3", RunName.join(run.retriever, "original"), [report["metric"]]))
                    if run.system == "fusion":
                        pairs += [("fusion", member, [report["metric"]]) for member in run.first_stage]
                    if run.variant is not None:
                        pairs.append(("table4", replace(run, variant=None), [report["metric"]]))
                found += [
                    {"table": table, "dataset": name, "run": text, "baseline": str(baseline), "metrics": metrics}
                    for table, baseline, metrics in pairs
                    if str(baseline) in runs
                ]
        return sorted(found, key=lambda c: (c["table"], c["dataset"], c["run"]))

    @property
    def significance_reports(self) -> list[str]:
        """The comparisons' tests and every run's intervals (empty of comparisons on a configuration without any)."""
        return [layout.TABLE_SIGNIFICANCE_CSV, layout.TABLE_SIGNIFICANCE_MD, layout.INTERVALS]

    def dataset_figures(self, wildcards: Any) -> list[str]:
        """A dataset's figures, PNG and PDF (what its MLflow report run carries); an input function of ``{dataset}``."""
        figures = [layout.FIGURE_BM25, layout.FIGURE_ENCODERS, layout.FIGURE_BIAS] + ([layout.FIGURE_BEST] if self.encoders else [])
        return [
            path
            for figure in figures
            for path in (fill(figure, dataset=wildcards.dataset), layout.pdf(fill(figure, dataset=wildcards.dataset)))
        ]

    @property
    def ann_reports(self) -> list[str]:
        """Table 7's recall half (exact vs HNSW per encoder), when HNSW runs."""
        return [layout.TABLE_ANN_CSV, layout.TABLE_ANN_MD] if self.ann_encoders else []

    @property
    def report_items(self) -> list[dict[str, Any]]:
        """What the findings report shows, in the paper's order, then beyond the paper: per item its title, the
        paper's references whose published numbers go beside it, its files, or ``enable``: the setting that runs it."""
        per = {template: [fill(template, dataset=name) for name in self.datasets] for template in (
            layout.FIGURE_BM25, layout.FIGURE_ENCODERS, layout.FIGURE_BEST, layout.FIGURE_BIAS, layout.TABLE_BIAS_MD)}  # fmt: skip
        translated = any("translated" in self.conditions[name] for name in self.datasets)
        no_encoder = None if self.encoders else "encoders.<name>.enabled: true"
        no_finetune = None if self.finetuned else "finetune.encoders: [<encoder>] (with finetune.levels)"
        no_rerank = None if self.rerank_reports else "rerank.models: [<encoder>] (with rerank.negatives)"
        baseline = "differs significantly from {} (Holm-adjusted randomization test)"
        items: list[dict[str, Any]] = [
            {"key": "figure3", "title": "Figure 3: BM25 per language pair", "refs": ["Figure 3"], "figures": per[layout.FIGURE_BM25]},
            {"key": "figure4", "title": "Figures 4 and 7: dense encoders on original and translated documents",
             "refs": ["Figure 4", "Figure 7"], "figures": per[layout.FIGURE_ENCODERS], "enable": no_encoder},
            {"key": "table3", "title": "Table 3: document translation", "refs": ["Table 3"], "annotate": "table3",
             "csv": layout.TABLE_TRANSLATION_CSV, "baseline_note": baseline.format("the same system on original documents"),
             "enable": None if translated else "conditions: [original, translated] (and a dataset translation other than none)"},
            {"key": "table4", "title": "Table 4: contrastive fine-tuning", "refs": ["Table 4"], "annotate": "table4",
             "csv": layout.TABLE_FINETUNE_CSV, "baseline_note": baseline.format("the encoder without fine-tuning (none)"),
             "enable": no_finetune},
            {"key": "figure5", "title": "Figure 5: the best dense run against BM25", "refs": ["Figure 5"],
             "figures": per[layout.FIGURE_BEST], "enable": no_encoder},
            {"key": "table5", "title": "Table 5: the best configuration per dataset and pair", "refs": ["Table 5"],
             "annotate": "table5", "csv": layout.TABLE_BEST_CSV, "enable": no_finetune,
             "note": "gain: over the same encoder without fine-tuning; a pair's value is its own mean (intervals: averages only)."},
            {"key": "table6", "title": "Table 6: cross-encoder re-ranking, easy and hard negatives", "refs": ["Table 6"],
             "annotate": "table6", "csv": layout.TABLE_RERANK_CSV, "enable": no_rerank,
             "baseline_note": baseline.format("none, the first stage's order of the same candidates")},
            {"key": "table7", "title": "Table 7: exact search against HNSW", "refs": ["Table 7"], "annotate": "table7",
             "csv": layout.TABLE_ANN_CSV, "note": "The paper's time column is its normalised timestamps (its appendix E.1); ours "
             "are seconds and queries per second, in the efficiency study (Beyond the paper).",
             "enable": None if self.ann_encoders else "ann.enabled: true (with an enabled encoder)"},
            {"key": "table8", "title": "Table 8: linguistic similarity and retrieval", "refs": ["Table 8"],
             "markdown": [layout.TABLE_LINGUISTIC_MD], "figures": [layout.FIGURE_LINGUISTIC],
             "enable": None if self.linguistic_reports else "report.linguistic.enabled: true (with an enabled encoder)"},
            {"key": "figure6", "title": "Figures 6 and 8: document-language bias", "refs": ["Figure 6", "Figure 8"],
             "markdown": per[layout.TABLE_BIAS_MD], "figures": per[layout.FIGURE_BIAS]},
            {"key": "fusion", "section": "beyond", "title": "Fusion: BM25 with each dense run (RRF and min-max CombSUM)",
             "annotate": "fusion", "baseline_note": "differs significantly from one of its members or more (the significance table: each)",
             "enable": None if any(self.fusion_runs(name) for name in self.datasets)
             else "fusion.methods: [rrf, combsum] with fusion.members of this run's retrievers (dense.* needs an enabled encoder)"},
            {"key": "significance", "section": "beyond", "title": "Every table's differences, tested",
             "markdown": [layout.TABLE_SIGNIFICANCE_MD]},
            {"key": "finetune_curves", "section": "beyond", "title": "Fine-tuning validation curves",
             "figures": [layout.FINETUNE_CURVES_FIGURE], "enable": no_finetune},
            {"key": "efficiency", "section": "beyond", "title": "Exact search against HNSW as the corpus grows",
             "markdown": [layout.EFFICIENCY_MD], "figures": [layout.EFFICIENCY_FIGURE] if self.efficiency_source else []},
        ]  # fmt: skip
        for item in items:  # an item that does not run lists no files
            if item.get("enable"):
                for key in ("figures", "markdown", "csv"):
                    item.pop(key, None)
        return items

    @property
    def findings_settings(self) -> dict[str, Any]:
        """What the findings report reads from the configuration: datasets, metrics, the tests' settings, Table 8's groups."""
        report = self.config["report"]
        significance = self.significance_settings
        return {
            "datasets": list(self.datasets),
            "metric": report["metric"],
            "rerank_metrics": list(report.get("rerank_metrics", ["recall@10"])),
            "alpha": significance.get("alpha", 0.05),
            "confidence": significance.get("confidence", 0.95),
            "significance": significance,
            "feature_groups": dict(self.linguistic_settings.get("feature_sets", {})),
        }

    def report_inputs(self) -> list[str]:
        """Every file the findings report reads: its items' files and the evidence behind the findings."""
        files = [layout.METRICS, layout.QUERY_METRICS, layout.PAPER_RESULTS, *self.significance_reports]
        files += [fill(layout.TABLE_BIAS_CSV, dataset=name) for name in self.datasets]
        files += [*self.linguistic_reports, *self.ann_reports]
        if self.efficiency_source is not None:
            files.append(layout.EFFICIENCY_CSV)
        for item in self.report_items:
            files += [*item.get("figures", []), *item.get("markdown", []), *([item["csv"]] if "csv" in item else [])]
        return list(dict.fromkeys(files))

    @property
    def finetune_records(self) -> list[str]:
        """The training record of every fine-tuned checkpoint (what the validation curves are drawn from)."""
        return [fill(layout.FINETUNE_RECORD, dataset=name, encoder=tuned) for name in self.datasets for tuned in self.finetuned]

    def run_files(self, name: str) -> list[str]:
        """The run files of every retrieval run of a dataset."""
        return [self.run_file(name, str(run)) for run in self.run_names(name)]

    def run_file(self, name: str, run: str) -> str:
        """A run's TREC file: ``results/{dataset}/runs/`` for first stages, ``results/{dataset}/reranked/`` for re-ranked runs."""
        template = layout.RERANKED_RUN if RunName.parse(run).system == "rerank" else layout.RUN
        return fill(template, dataset=name, run=run)

    def run_params(self, name: str, run: str | RunName) -> dict[str, Any]:
        """The settings that determine one retrieval run of a dataset (logged to MLflow); a fusion's are its method's and, under
        ``members``, each member's by its retriever (``bm25``, ``dense.minilm``)."""
        parsed = RunName.parse(str(run))
        if parsed.system == "fusion":
            return {
                "dataset": name,
                "condition": parsed.condition,
                "system": parsed.retriever,
                "fusion": {**self.fusion_settings(parsed), "top_k": self.config["retrieval"]["top_k"]},
                "evaluation": self.evaluation(name),
                "members": {member.retriever: self.run_params(name, member) for member in parsed.first_stage},
            }
        if parsed.system == "rerank":
            reranker, mode = split_reranker(str(parsed.model))
            params = {**self.run_params(name, parsed.first_stage[0]), "system": parsed.retriever, "rerank": self.rerank_settings}
            params["reranker"] = {"name": reranker, "mode": mode}
            if reranker not in RERANK_WITHOUT_MODEL:
                params["reranker"]["base"] = {"name": reranker.rsplit("-", 1)[0], **self.rerank_base(reranker)}
            return params
        run = _searched(run)
        params: dict[str, Any] = {
            "dataset": name,
            "condition": run.condition,
            "system": run.retriever,
            name: self.config[name],
            "retrieval": self.config["retrieval"],
            "evaluation": self.evaluation(name),
        }
        if run.condition == "translated" and self.machine_translated(name):
            params["translation"] = {"nllb": result_settings(self.nllb)}
        if run.system == "bm25":
            params["bm25"] = self.config["bm25"]
            return params
        if run.variant is None:
            params["encoder"] = {"name": run.model, **self.encoder(run.model)}
        else:
            params["encoder"] = {"name": run.encoder, **self.finetuned_encoder(name, str(run.encoder))}
            level = str(split_encoder(str(run.encoder))[1])
            params["finetune"] = {**self.finetune_pairs_settings(level), **self.finetune_training_settings(str(run.encoder))}
        params["embedding"] = self.embedding_result_settings
        if run.system == "ann":
            params["ann"] = self.config["ann"]
        return params

    def evaluation(self, name: str) -> dict[str, Any]:
        """How a dataset's runs are evaluated: the metrics, the relevance level and this dataset's relevance mode."""
        settings = self.config["evaluation"]
        relevance = settings.get("relevance", {}).get(name, "threshold")
        return {"metrics": settings["metrics"], "relevance_level": settings["relevance_level"], "relevance": relevance}

    def embedding_records(self, run: str | RunName, name: str) -> list[str]:
        """The embedding record of a dense or HNSW run's encoder on dataset ``name`` (nothing for BM25 and re-ranked runs);
        a fusion's are its members'."""
        parsed = RunName.parse(str(run))
        if parsed.system == "fusion":
            return list(dict.fromkeys(record for member in parsed.first_stage for record in self.embedding_records(member, name)))
        if parsed.system == "rerank":
            return []
        run = _searched(run)
        if run.system not in EMBEDDING_SYSTEMS:
            return []
        if run.variant is not None:
            return [fill(layout.FINETUNED_EMBEDDING_RECORD, dataset=name, encoder=str(run.encoder))]
        return [fill(layout.EMBEDDING_RECORD, encoder=run.model)]

    # Fine-tuning.

    def finetune_training_settings(self, tuned: str) -> dict[str, Any]:
        """What one training reads of the ``finetune`` block: Table 10, seed and device (and the word level's margin).

        Its data are its inputs (the pairs rules' files), so a source path or a cap is not here:
        changing one re-runs a pairs rule, and the training only if the pairs changed.
        """
        block = self.config.get("finetune", {})
        settings = {k: v for k, v in block.items() if k not in (*FINETUNE_CHOICES, *FINETUNE_DATA_KEYS, "phrase", "word")}
        if split_encoder(tuned)[1] == "word":
            settings["word"] = {"margin": block.get("word", {}).get("margin", 0.5)}
        return settings

    def finetune_pairs_settings(self, level: str) -> dict[str, Any]:
        """What a level's pairs rule reads of the ``finetune`` block: seed, held-out share, caps and that level's sources."""
        block = self.config.get("finetune", {})
        settings = {k: block[k] for k in FINETUNE_DATA_KEYS if k in block}
        if level == "phrase":
            settings["phrase"] = block.get("phrase", {})
        elif level == "word":
            settings["word"] = {k: v for k, v in block.get("word", {}).items() if k != "margin"}
        return settings

    @property
    def finetune_levels(self) -> tuple[str, ...]:
        """The configured fine-tuning levels (each has a pairs rule per dataset when an encoder is fine-tuned)."""
        return tuple(self.config.get("finetune", {}).get("levels", [])) if self.finetuned else ()

    def finetune_languages(self, name: str) -> list[str]:
        """The languages of a dataset (query and document, varieties as their language) that word-level data must cover."""
        return sorted({base_language(lang) for lang in self.query_languages(name) + self.document_languages(name)})

    def phrase_language_pairs(self, name: str) -> list[tuple[str, str]]:
        """The unordered cross-language pairs of a dataset, the phrase level's Tatoeba pairs."""
        return phrase_language_pairs(self.query_languages(name), self.document_languages(name))

    def phrase_pairs_inputs(self, name: str) -> dict[str, Any]:
        """The phrase level's inputs on a dataset: its own parallel phrases, or the Tatoeba files of its languages."""
        if dataset(name).phrase_pairs:
            return {"phrase_pairs": fill(layout.PHRASE_PAIRS, dataset=name)}
        block = self.config.get("finetune", {}).get("phrase", {})
        languages = sorted({lang for pair in self.phrase_language_pairs(name) for lang in pair})
        files = [str(p) for lang in languages for p in tatoeba_files(block.get("tatoeba", ""), lang, block.get("codes", {}))]
        return {"tatoeba": files}

    def word_pairs_inputs(self, name: str) -> list[str]:
        """The WiC release files the word level reads on a dataset (training splits and dev)."""
        training, validation = word_training_files(self.finetune_pairs_settings("word"), self.finetune_languages(name))
        return [str(path) for file in training + validation for path in file.paths]

    def finetune_pairs(self, name: str, tuned: str) -> dict[str, str]:
        """The training and validation files of a fine-tuned encoder's level on a dataset (``train``, ``validation``)."""
        level = str(split_encoder(tuned)[1])
        return {split: fill(layout.FINETUNE_PAIRS, dataset=name, level=level, split=split) for split in ("train", "validation")}

    def finetuned_encoder(self, name: str, tuned: str) -> dict[str, Any]:
        """The registry entry of a fine-tuned encoder on dataset ``name``: its base entry, with the checkpoint as model."""
        entry = self.finetune_base(tuned)
        entry.update(model=fill(layout.FINETUNED_MODEL, dataset=name, encoder=tuned), revision=None, enabled=True)
        return entry

    def finetune_base(self, tuned: str) -> dict[str, Any]:
        """The registry entry (prefixes switch applied) a fine-tuned encoder starts from; ValueError if it is not one."""
        if tuned not in self.finetuned:
            raise ValueError(f"{tuned!r} is not a fine-tuned encoder of this configuration (finetune.encoders x finetune.levels)")
        return self.encoder(split_encoder(tuned)[0])

    def finetuned_embedding_documents(self, name: str) -> list[str]:
        """The document files (per condition) a fine-tuned encoder embeds on one dataset."""
        return [fill(layout.DOCUMENTS, dataset=name, condition=c) for c in self.conditions[name]]

    # Embeddings.

    def encoder(self, name: str) -> dict[str, Any]:
        """An encoder's registry entry as it embeds: without its prefixes under ``embedding.prefixes: none``."""
        entry = dict(self.config["encoders"][name])
        if self.embedding.get("prefixes", "model") == "none":
            entry.update(query_prefix="", document_prefix="")
        return entry

    @property
    def embedding(self) -> Mapping[str, Any]:
        """``embedding``: how every encoder embeds (device, precision, storage, shards)."""
        return self.config["embedding"]

    @property
    def embedding_result_settings(self) -> dict[str, Any]:
        """The embedding settings that change the written matrices (the gathering job's params)."""
        return {key: self.embedding[key] for key in EMBEDDING_RESULT_KEYS}

    def embedding_inputs(self, kind: str) -> list[str]:
        """Document files (per dataset and condition) or topic files (per dataset) that every encoder embeds."""
        if kind == "documents":
            return [fill(layout.DOCUMENTS, dataset=d, condition=c) for d in self.datasets for c in self.conditions[d]]
        return [fill(layout.QUERIES, dataset=d) for d in self.datasets]

    def manifests(self, dataset: str | None = None, condition: str | None = None) -> list[str]:
        """The manifests a job reading a dataset's files checks them against (:mod:`crossrank.core.manifest`).

        One dataset's original manifest (its contract and training files), plus the translated
        one for the ``translated`` condition; with no ``dataset``, every dataset's of every condition.
        """
        if dataset is None:
            return [fill(layout.MANIFEST, dataset=d, condition=c) for d in self.datasets for c in self.conditions[d]]
        conditions = ["original"] + (["translated"] if condition == "translated" else [])
        return [fill(layout.MANIFEST, dataset=dataset, condition=c) for c in conditions]

    def embedding_outputs(self, kind: str) -> list[str]:
        """Embedding matrices of one encoder (wildcard ``{encoder}``), aligned with :meth:`embedding_inputs`."""
        if kind == "documents":
            return [fill(layout.DOC_EMBEDDINGS, dataset=d, condition=c) for d in self.datasets for c in self.conditions[d]]
        return [fill(layout.QUERY_EMBEDDINGS, dataset=d) for d in self.datasets]

    def embedding_shards(self, encoder: str) -> list[str]:
        """The shard records of one encoder, one per ``embedding.shards``."""
        return [fill(layout.EMBEDDING_SHARD, encoder=encoder, shard=str(s)) for s in range(self.embedding["shards"])]

    def efficiency_embeddings(self, kind: str) -> str:
        """The cached embeddings (documents or queries) the efficiency study reads; only asked for when it runs."""
        if self.efficiency_source is None:
            raise ValueError("the efficiency study does not run in this configuration (efficiency.enabled or no encoder)")
        name, encoder = self.efficiency_source
        template = layout.DOC_EMBEDDINGS if kind == "documents" else layout.QUERY_EMBEDDINGS
        return fill(template, dataset=name, encoder=encoder, condition="original")

    # Tracking.

    def mlflow_settings(self) -> dict[str, Any]:
        """MLflow settings with the tracking store actually in effect (the environment can override it),
        so that pointing MLFLOW_TRACKING_URI elsewhere re-logs the runs there."""
        settings = self.config["mlflow"]
        return {**settings, "tracking_uri": resolve_tracking_uri(settings["tracking_uri"])}

    # What each stage builds.

    def stage_targets(self, stage: str, datasets: Iterable[str] | None = None) -> list[str]:
        """The files a pipeline stage produces, over ``datasets`` (all by default): what DVC's stages ask Snakemake for."""
        names = list(self.datasets if datasets is None else datasets)
        targets: list[str] = []
        for name in names:
            own = self.conditions[name]
            runs = [str(run) for run in self.run_names(name)]
            if stage == "prepare":
                targets += [fill(t, dataset=name) for t in (layout.DOCS_TABLE, layout.TOPICS, layout.QRELS, layout.STATISTICS)]
            elif stage == "translate":
                targets += [fill(layout.TRANSLATIONS, dataset=name), fill(layout.TRANSLATION_SUMMARY, dataset=name)]
                if "translated" in own:
                    targets.append(fill(layout.DOCUMENTS, dataset=name, condition="translated"))
                if name in self.scored_translations([name]):
                    targets.append(fill(layout.TRANSLATION_QUALITY, dataset=name))
            elif stage == "finetune":
                targets += [
                    fill(layout.FINETUNE_PAIRS, dataset=name, level=level, split=split)
                    for level in self.finetune_levels
                    for split in ("train", "validation")
                ]
                for tuned in self.finetuned:
                    targets += [
                        fill(layout.FINETUNED_MODEL, dataset=name, encoder=tuned),
                        fill(layout.FINETUNE_RECORD, dataset=name, encoder=tuned),
                    ]
            elif stage == "index":
                targets += [fill(layout.BM25_INDEX, dataset=name, condition=c) for c in own]
            elif stage == "embed":
                for encoder in self.encoders:
                    targets.append(fill(layout.EMBEDDING_RECORD, encoder=encoder))
                    targets.append(fill(layout.QUERY_EMBEDDINGS, dataset=name, encoder=encoder))
                    targets += [fill(layout.DOC_EMBEDDINGS, dataset=name, encoder=encoder, condition=c) for c in own]
                for tuned in self.finetuned:
                    targets.append(fill(layout.FINETUNED_EMBEDDING_RECORD, dataset=name, encoder=tuned))
                    targets.append(fill(layout.QUERY_EMBEDDINGS, dataset=name, encoder=tuned))
                    targets += [fill(layout.DOC_EMBEDDINGS, dataset=name, encoder=tuned, condition=c) for c in own]
            elif stage == "retrieve":
                targets += [fill(layout.RUN, dataset=name, run=str(run)) for run in self.first_stage_runs(name)]
            elif stage == "rerank":
                reranked = self.rerank_runs(name)
                if reranked:
                    targets.append(fill(layout.RERANK_QUERIES, dataset=name))
                    negatives = self.rerank_settings.get("negatives", [])
                    targets += [
                        fill(layout.RERANK_PAIRS, dataset=name, negatives=n, split=s) for n in negatives for s in ("train", "validation")
                    ]
                    for reranker in self.rerankers:
                        targets += [fill(t, dataset=name, reranker=reranker) for t in (layout.RERANK_MODEL, layout.RERANK_RECORD)]
                    targets += [self.run_file(name, str(run)) for run in reranked]
            elif stage == "evaluate":
                targets += [fill(t, dataset=name, run=run) for run in runs for t in (layout.RUN_METRICS, layout.RUN_QUERY_METRICS)]
            elif stage == "analyse":
                targets.append(fill(layout.BIAS, dataset=name))
            elif stage == "report":
                reports = (layout.FIGURE_BM25, layout.FIGURE_ENCODERS, layout.TABLE_BIAS_CSV, layout.TABLE_BIAS_MD, layout.FIGURE_BIAS)
                if self.encoders:
                    reports += (layout.FIGURE_BEST,)
                targets += [fill(t, dataset=name) for t in reports]
            elif stage == "track":
                targets += [fill(layout.MLFLOW_LOGGED, dataset=name, run=run) for run in runs]
                targets += [fill(layout.MLFLOW_FINETUNE, dataset=name, encoder=tuned) for tuned in self.finetuned]
                if self.rerank_runs(name):
                    targets += [fill(layout.MLFLOW_RERANK, dataset=name, reranker=reranker) for reranker in self.rerankers]
                targets.append(fill(layout.MLFLOW_REPORT, dataset=name))
        if stage == "download":
            targets.append(layout.RAW_SOURCES)
        elif stage == "metrics":
            targets += [layout.METRICS, layout.METRICS_SUMMARY, layout.QUERY_METRICS, layout.PAIR_METRICS]
        elif stage == "report":
            targets += [layout.TABLE_TRANSLATION_CSV, layout.TABLE_TRANSLATION_MD]
            targets += self.finetune_reports
            targets += self.rerank_reports
            targets += self.linguistic_reports
            targets += self.significance_reports
            targets += self.ann_reports
            targets += [layout.pdf(t) for t in targets if t.endswith(".png")]  # every figure also as PDF
            targets += [layout.REPORT_MD, layout.REPORT_HTML]
        elif stage == "efficiency":  # a disabled study leaves a report saying so (DVC's output exists either way)
            efficiency = [layout.EFFICIENCY_CSV, layout.EFFICIENCY_MD, layout.EFFICIENCY_FIGURE, layout.pdf(layout.EFFICIENCY_FIGURE)]
            efficiency.append(layout.EFFICIENCY_SUMMARY_CSV)
            targets += efficiency if self.efficiency_source is not None else [layout.EFFICIENCY_MD]
        if stage not in layout.DATASET_STAGES + layout.GLOBAL_STAGES:
            raise ValueError(f"unknown stage {stage!r}; the stages are {', '.join(layout.DATASET_STAGES + layout.GLOBAL_STAGES)}")
        return targets

    def all_targets(self) -> list[str]:
        """Every file a full run leaves behind."""
        return [target for stage in layout.DATASET_STAGES + layout.GLOBAL_STAGES for target in self.stage_targets(stage)]

    def all_run_metrics(self) -> list[str]:
        """The per-run metric tables of every dataset."""
        return [fill(layout.RUN_METRICS, dataset=name, run=str(run)) for name in self.datasets for run in self.run_names(name)]

    def all_run_query_metrics(self) -> list[str]:
        """The per-query table of every run of every dataset, aligned with :meth:`all_run_metrics`."""
        return [fill(layout.RUN_QUERY_METRICS, dataset=name, run=str(run)) for name in self.datasets for run in self.run_names(name)]


def _searched(run: str | RunName) -> RunName:
    """``run`` parsed, if it is a search run: BM25, or exact or HNSW search with an encoder.

    Re-ranked and fused runs are handled (through their first stages) before this is asked;
    refusing anything else is better than logging a first stage's settings for it.
    """
    parsed = RunName.parse(str(run))
    if parsed.system not in ("bm25", *EMBEDDING_SYSTEMS):
        raise ValueError(f"run {parsed}: not a BM25, dense or ann run, so the search settings do not apply to it")
    return parsed
