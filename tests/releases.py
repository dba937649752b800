"""Tiny releases of CLIRMatrix, mMARCO and Large-Scale CLIR, written in the exact released formats.

Texts are real multilingual strings from CLDR (country names and the cldr benchmark's rendered
documents), so BM25 and an encoder have something to find. Each writer plants the pitfalls of
its release (see FORMATS.md): CLIRMatrix label-0 judgments, judged ids missing from the
document files and page ids repeated across languages; mMARCO's shared ids and Dutch files;
Large-Scale's id-less lines and Simple English. With ``empty_texts=True`` they also plant what
real releases hold now and then: documents and queries whose text is empty (whitespace only),
queries left without a relevant document, and (mMARCO) passages its translation left in English.
Writers return facts the tests assert on.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

from crossrank.prepare.cldr import Entity, load_entities, render_document


def countries(languages: list[str], count: int) -> tuple[list[Entity], dict[str, Entity]]:
    """The first ``count`` countries (two-letter CLDR territories) named in every language, and all entities by id."""
    locales = sorted({"en" if lang == "simple" else lang for lang in [*languages, "en"]})
    entities = load_entities(locales, ["territory", "language", "currency"])
    by_id = {e.entity_id: e for e in entities}
    chosen = [e for e in entities if e.kind == "territory" and len(e.code) == 2 and e.code.isalpha() and e.related]
    return chosen[:count], by_id


def document_text(entity: Entity, lang: str, by_id: dict[str, Entity]) -> str:
    """A one-line document about ``entity`` in ``lang`` (``simple`` is written in English)."""
    return render_document(entity, "en" if lang == "simple" else lang, by_id)


def _write_gz_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))


def _write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@dataclass
class ClirMatrixFacts:
    """What the CLIRMatrix fixture planted."""

    languages: list[str]
    test_queries: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # eligible source ids per pair
    missing_judged: dict[tuple[str, str], int] = field(default_factory=dict)  # judged ids absent from DOCS
    short_pair: tuple[str, str] = ("", "")
    # Per pair, test queries that are not eligible, by reason (statistics.csv names), and empty judged documents per language.
    not_eligible: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)
    empty_documents: dict[str, int] = field(default_factory=dict)
    empty_document_ids: dict[str, str] = field(default_factory=dict)  # lang -> the empty document's page id


CLIRMATRIX_MISSING_ID = "999999"


def write_clirmatrix(
    root: Path, languages: list[str], test_per_pair: int = 12, train_per_pair: int = 10, empty_texts: bool = False
) -> ClirMatrixFacts:
    """MULTI-8 layout: ``MULTI-8/{q}/{q}.{d}.{split}.jl.gz`` and ``DOCS/{lang}.tsv.gz``.

    Entity i has page id ``100 + (i * 7 + offset(lang)) % n`` in each language, so the same id
    names different entities in different languages. Per pair: the last query of the test split
    judges only a missing document (not eligible), and the pair (languages[-1], languages[0])
    has three queries fewer than the others. With ``empty_texts``, test entity ``test_per_pair - 3``
    has a whitespace-only document in every language and its queries judge only it relevant
    (unjudgeable), and the queries of test entity ``test_per_pair - 2`` are whitespace only.
    """
    entities, by_id = countries(languages, test_per_pair + train_per_pair + 4)
    n = len(entities)
    page = {lang: {e.entity_id: str(100 + (i * 7 + k) % n) for i, e in enumerate(entities)} for k, lang in enumerate(languages)}
    facts = ClirMatrixFacts(list(languages), short_pair=(languages[-1], languages[0]))
    empty_document, empty_query = (test_per_pair - 3, test_per_pair - 2) if empty_texts else (-1, -1)
    for lang in languages:
        texts = {e.entity_id: "   " if i == empty_document else document_text(e, lang, by_id) for i, e in enumerate(entities)}
        _write_gz_lines(root / "DOCS" / f"{lang}.tsv.gz", [f"{page[lang][e.entity_id]}\t{texts[e.entity_id]}" for e in entities])
        if empty_texts:
            facts.empty_documents[lang] = 1
            facts.empty_document_ids[lang] = page[lang][entities[empty_document].entity_id]
    reasons = ("queries_empty_text", "queries_without_relevant", "queries_relevant_empty_text")
    facts.not_eligible = {reason: {} for reason in reasons}
    splits = {"test1": entities[:test_per_pair], "train": entities[test_per_pair : test_per_pair + train_per_pair]}
    for q in languages:
        for d in languages:
            if q == d:
                continue
            for split, members in splits.items():
                if split == "test1" and (q, d) == facts.short_pair:
                    members = members[3:]
                lines = []
                for i, entity in enumerate(members):
                    index = entities.index(entity)
                    src_id = str(5000 + index)
                    neighbour = entities[(index + 1) % n]
                    results = [[page[d][entity.entity_id], 6], [page[d][neighbour.entity_id], 2], [CLIRMATRIX_MISSING_ID, 1]]
                    results += [[page[d][entities[(index + j) % n].entity_id], 0] for j in (5, 9)]
                    reason = ""
                    if split == "test1" and i == len(members) - 1:
                        results, reason = [[CLIRMATRIX_MISSING_ID, 6], [page[d][neighbour.entity_id], 0]], "queries_without_relevant"
                    elif split == "test1" and index == empty_document:
                        results, reason = [results[0], *results[3:]], "queries_relevant_empty_text"
                    elif split == "test1" and index == empty_query:
                        reason = "queries_empty_text"
                    text = " \t " if split == "test1" and index == empty_query else entity.names[q]
                    record = {"src_id": src_id, "src_query": text, "tgt_results": results}
                    lines.append(json.dumps(record, ensure_ascii=False))
                    if split == "test1" and not reason:
                        facts.test_queries.setdefault((q, d), []).append(src_id)
                    elif split == "test1":
                        facts.not_eligible[reason][(q, d)] = facts.not_eligible[reason].get((q, d), 0) + 1
                if split == "test1":
                    facts.missing_judged[(q, d)] = sum(line.count(f'"{CLIRMATRIX_MISSING_ID}"') for line in lines)
                _write_gz_lines(root / "MULTI-8" / q / f"{q}.{d}.{split}.jl.gz", lines)
    return facts


MMARCO_NAMES = {"de": "german", "en": "english", "nl": "dutch", "zh": "chinese", "fr": "french"}


@dataclass
class MmarcoFacts:
    """What the mMARCO fixture planted."""

    languages: list[str]
    dev_queries: list[str]
    dev_passages: list[str]
    leaking_train_query: str
    shared_passage_queries: tuple[str, str]
    triple_negatives: list[str]  # every training query's negatives that may train, in file order
    # With empty_texts: a passage empty in every language (its query judges only it), passages left in English in every
    # language, a dev query empty in one language, and a qrels query judging no passage relevant.
    empty_passage: str = ""
    unjudgeable_query: str = ""
    untranslated_passages: tuple[str, ...] = ()
    empty_query: tuple[str, str] = ("", "")  # (qid, language)
    query_without_relevant: str = ""


def write_mmarco(
    root: Path, languages: list[str], dev_queries: int = 16, train_queries: int = 12, empty_texts: bool = False
) -> MmarcoFacts:
    """v2 layout: ``collections/{language}_collection.tsv``, ``queries/{split}/{language}_queries.{split}.tsv``, shared qrels.

    Query ``2000 + i`` asks for country i, whose passage is ``7000 + i`` in every language. Two
    dev queries share a passage, one dev query has two relevant passages, and one training
    query's passage is in the dev pool (it must be dropped). Collections hold extra passages
    that nobody judged. The training triples give every training query, in this order, its own
    positive (never a negative), a pool passage (never a negative), then unjudged passages, one
    of them twice. With ``empty_texts``: passage 7005 is whitespace only in every language (query
    2005 judges only it), passages 7006 and 7007 are the English text in every language, query
    2008 is whitespace only in the first non-English language, and the qrels judge one more query
    (never asked) only with label 0.
    """
    entities, by_id = countries(languages, dev_queries + train_queries + 6)
    files = sorted({*languages, "en"})
    empty_query_lang = next(lang for lang in files if lang != "en")
    for lang in files:
        texts = [document_text(e, lang, by_id) for e in entities]
        if empty_texts:
            texts[5], texts[6], texts[7] = " ", document_text(entities[6], "en", by_id), document_text(entities[7], "en", by_id)
        _write_lines(root / "collections" / f"{MMARCO_NAMES[lang]}_collection.tsv", [f"{7000 + i}\t{t}" for i, t in enumerate(texts)])
        for split, members in (("dev", range(dev_queries)), ("train", range(dev_queries, dev_queries + train_queries))):
            lines = [f"{2000 + i}\t{entities[i].names['en' if lang == 'en' else lang]}?" for i in members]
            if empty_texts and split == "dev" and lang == empty_query_lang:
                lines[8] = "2008\t  "
            _write_lines(root / "queries" / split / f"{MMARCO_NAMES[lang]}_queries.{split}.tsv", lines)
    dev = [f"{2000 + i}\t0\t{7000 + i}\t1" for i in range(dev_queries)]
    dev[1] = f"2001\t0\t{7000}\t1"  # query 2001 shares passage 7000 with query 2000
    dev.append(f"2002\t0\t{7000 + dev_queries + train_queries + 1}\t1")  # query 2002 has two relevant passages
    without_relevant = str(2000 + dev_queries + train_queries + 5)
    if empty_texts:
        dev.append(f"{without_relevant}\t0\t7009\t0")  # judged, but nothing relevant: no document language
    _write_lines(root / "qrels.dev.small.tsv", dev)
    train = [f"{2000 + i}\t0\t{7000 + i}\t1" for i in range(dev_queries, dev_queries + train_queries)]
    train[0] = f"{2000 + dev_queries}\t0\t7003\t1"  # its passage is evaluated: must not become training material
    _write_lines(root / "qrels.train.tsv", train)
    passages = sorted({line.split("\t")[2] for line in dev if line.endswith("\t1")})
    unjudged = [str(7000 + dev_queries + train_queries + k) for k in (2, 3, 4, 5)]
    triples = []
    for line in train:
        qid, _zero, positive, _label = line.split("\t")
        for negative in (positive, "7000", unjudged[0], unjudged[1], unjudged[0], unjudged[2], unjudged[3]):
            triples.append(f"{qid}\t{positive}\t{negative}")
    triples.append(f"{2000 + dev_queries + train_queries + 3}\t7001\t7002")  # a query nobody drew
    _write_lines(root / "triples.train.ids.small.tsv", triples)
    facts = MmarcoFacts(
        list(languages), [str(2000 + i) for i in range(dev_queries)], passages, str(2000 + dev_queries), ("2000", "2001"), unjudged
    )
    if empty_texts:
        facts.empty_passage, facts.unjudgeable_query, facts.untranslated_passages = "7005", "2005", ("7006", "7007")
        facts.empty_query, facts.query_without_relevant = ("2008", empty_query_lang), without_relevant
    return facts


LARGESCALE_DIRECTORIES = {"de": "german", "ja": "japanese", "simple": "simple_english", "fr": "french"}


# What ``empty_texts=True`` plants in each language's test split of the Large-Scale releases (statistics.csv names).
LARGESCALE_SPLIT_PITFALLS = {
    "queries_empty_text": 1,  # a query whose text is whitespace only
    "queries_relevant_empty_text": 1,  # a query whose rel-2 and rel-1 documents are whitespace only
    "queries_without_relevant": 1,  # a query listed with 0-label documents only
    "documents_empty_text": 2,  # judgment lines with an empty document (the split release has no document ids)
}
LARGESCALE_FULL_PITFALLS = {
    "queries_empty_text": 1,
    "queries_relevant_empty_text": 1,
    "queries_without_relevant": 1,
    "documents_empty_text": 1,
}


def write_largescale_split(
    root: Path, languages: list[str], test_per_language: int = 12, train_per_language: int = 8, empty_texts: bool = False
) -> list[str]:
    """Split release: ``data_en_{lang}/{test1,train}.txt`` lines ``rel<TAB>query<TAB>document``.

    Each query (an English sentence about a country) has its article (rel 2), a linked article
    (rel 1) and two negatives (rel 0), consecutive as in the release. Returns the test queries.
    With ``empty_texts``, each test split ends with the queries of :data:`LARGESCALE_SPLIT_PITFALLS`
    (not among those returned).
    """
    entities, by_id = countries(languages, test_per_language + train_per_language + 4)
    n = len(entities)
    queries = []
    for lang in languages:
        for split, members in (
            ("test1", range(test_per_language)),
            ("train", range(test_per_language, test_per_language + train_per_language)),
        ):
            lines = []
            for i in members:
                query = f"{entities[i].names['en']} is a country."
                for j, rel in ((0, 2), (1, 1), (4, 0), (7, 0)):
                    lines.append(f"{rel}\t{query}\t{document_text(entities[(i + j) % n], lang, by_id)}")
                if split == "test1" and lang == languages[0]:
                    queries.append(query)
            if split == "test1" and empty_texts:
                lines += _largescale_pitfall_lines(entities, lang, by_id, test_per_language + train_per_language)
            _write_lines(root / f"data_en_{lang}" / f"{split}.txt", lines)
    return queries


def _largescale_pitfall_lines(entities: list[Entity], lang: str, by_id: dict[str, Entity], spare: int) -> list[str]:
    """Split-release lines of the :data:`LARGESCALE_SPLIT_PITFALLS` queries, about entities no other query asks for."""
    article = [document_text(entities[spare + k], lang, by_id) for k in range(3)]
    negative = document_text(entities[0], lang, by_id)
    empty_query = [f"{rel}\t  \t{text}" for rel, text in ((2, article[0]), (1, article[1]), (0, negative))]
    relevant_empty = [
        f"{rel}\t{entities[spare + 1].names['en']} is a country.\t{text}" for rel, text in ((2, " "), (1, "  "), (0, negative))
    ]
    no_relevant = [f"0\t{entities[spare + 2].names['en']} is a country.\t{text}" for text in (article[2], negative)]
    return empty_query + relevant_empty + no_relevant


def write_largescale_full(root: Path, languages: list[str], queries: int = 14, empty_texts: bool = False) -> None:
    """Full release: ``wiki-clir/english/wiki_en.queries``, ``wiki-clir/{dir}/wiki_{lang}.documents``, ``en2{lang}.rel``.

    With ``empty_texts`` (:data:`LARGESCALE_FULL_PITFALLS`): query 301's only relevant document is whitespace only
    in every language (it is also query 300's rel-1 document), query 302's first sentence is whitespace only, and
    each ``.rel`` file judges one more query (never asked) with label 0 only.
    """
    entities, by_id = countries(languages, queries + 4)
    rows = [f"{300 + i}\t{e.names['en']}\t{e.names['en']} is a country." for i, e in enumerate(entities[:queries])]
    if empty_texts:
        rows[2] = f"302\t{entities[2].names['en']}\t  "
    _write_lines(root / "wiki-clir" / "english" / "wiki_en.queries", rows)
    for k, lang in enumerate(languages):
        directory = root / "wiki-clir" / LARGESCALE_DIRECTORIES[lang]
        ids = {e.entity_id: str(40 + (i + k) % len(entities)) for i, e in enumerate(entities)}  # page ids repeat across languages
        texts = [" " if empty_texts and i == 1 else document_text(e, lang, by_id) for i, e in enumerate(entities)]
        _write_lines(
            directory / f"wiki_{lang}.documents",
            [f"{ids[e.entity_id]}\t{e.names.get(lang, e.names['en'])}\t{text}" for e, text in zip(entities, texts, strict=True)],
        )
        rel = [f"{300 + i}\t{ids[e.entity_id]}\t2" for i, e in enumerate(entities[:queries])]
        rel += [f"{300 + i}\t{ids[entities[i + 1].entity_id]}\t1" for i in range(0, queries, 3)]
        if empty_texts:
            rel.append(f"{300 + queries}\t{ids[entities[0].entity_id]}\t0")
        _write_lines(directory / f"en2{lang}.rel", rel)


# Fine-tuning releases: Tatoeba (LASER's packaging), XL-WiC, AM2iCo and SenWiCh, in their formats.


def write_tatoeba(root: Path, languages: list[str], count: int = 24) -> None:
    """LASER's ``tatoeba.{xxx}-eng.{xxx}`` / ``.eng`` for each non-English language: country names, line i with line i.

    Every language translates the same English lines, so non-English pairs join through English.
    """
    from crossrank.finetune.tatoeba import tatoeba_code

    entities, _ = countries(languages, count)
    for lang in sorted(set(languages) - {"en", "simple"}):
        code = tatoeba_code(lang)
        _write_lines(root / f"tatoeba.{code}-eng.{code}", [f"{e.names[lang]}." for e in entities])
        _write_lines(root / f"tatoeba.{code}-eng.eng", [f"{e.names['en']}." for e in entities])


def _wic_contexts(lang: str, count: int) -> list[tuple[str, str, str, int]]:
    """``(target, context_1, context_2, label)``: the same country twice (label 1) or two neighbours (label 0)."""
    entities, _ = countries([lang], count + 1)
    rows = []
    for i, entity in enumerate(entities[:count]):
        other = entities[i] if i % 2 == 0 else entities[i + 1]
        rows.append((entity.names[lang], f"{entity.names[lang]} .", f"{other.names[lang]} !", 1 if i % 2 == 0 else 0))
    return rows


def write_xlwic(root: Path, languages: list[str], count: int = 12) -> None:
    """``xlwic_datasets/``: English WiC (train, valid), Wiktionary languages (train, valid, test) and WordNet ones (valid, test)."""
    from crossrank.finetune.word_pairs import word_files

    for lang in languages:
        rows = _wic_contexts(lang, count)
        for file in word_files("xlwic", root, lang, ["train", "dev", "test"]):
            lines = [f"{t}\tN\t0\t{len(t)}\t0\t{len(t)}\t{a}\t{b}" + ("" if file.split == "test" else f"\t{y}") for t, a, b, y in rows]
            _write_lines(file.paths[0], lines)
            if file.split == "test":
                _write_lines(file.paths[1], [str(y) for *_, y in rows])


def write_am2ico(root: Path, languages: list[str], count: int = 12) -> None:
    """AM2iCo's ``data/{lang}/{train,dev,test}.tsv``: a header, a target-language and an English context, ``<word>`` marks, T/F."""
    for lang in languages:
        english = _wic_contexts("en", count)
        rows = _wic_contexts(lang, count)
        lines = ["context1\tcontext2\tlabel"] + [
            f"<word>{t}</word> {a}\tThe <word>{e[0]}</word> {e[2]}\t{'T' if y else 'F'}"
            for (t, a, _, y), e in zip(rows, english, strict=True)
        ]
        for split in ("train", "dev", "test"):
            _write_lines(root / lang / f"{split}.tsv", lines)


def write_senwich(root: Path, languages: list[str], count: int = 12) -> None:
    """SenWiCh's WiC-style ``{Language}_{split}.data``: a JSON list of pairs with lemma, sentences, spans and label."""
    from crossrank.finetune.word_pairs import word_files

    for lang in languages:
        records = [
            {
                "lemma": t,
                "sentence1": a,
                "sentence2": b,
                "sent_id1": f"{lang}_0_{i}",
                "sent_id2": f"{lang}_1_{i}",
                "start1": 0,
                "end1": len(t),
                "start2": 0,
                "end2": len(t),
                "label": y,
            }
            for i, (t, a, b, y) in enumerate(_wic_contexts(lang, count))
        ]
        for file in word_files("senwich", root, lang, ["train", "dev", "test"]):
            file.paths[0].parent.mkdir(parents=True, exist_ok=True)
            file.paths[0].write_text(json.dumps(records, ensure_ascii=False, indent=4), encoding="utf-8")
