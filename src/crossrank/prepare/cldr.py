"""The embedded ``cldr`` benchmark: an 8-language CLIR collection generated from Unicode CLDR.

Entities are territories, languages, currencies, scripts and measurement units that CLDR names
in every benchmark language (real human translations, shipped with ``babel``). A query is an
entity's name in language X (like CLIRMatrix's Wikipedia titles). Each entity has exactly one
document, in one language Y assigned evenly and seeded (the paper's mMARCO protocol, its
appendix C): the entity's name followed by lists of related entities' names, joined with CLDR's
own localized list patterns. The English rendering of the same document is its oracle
translation. Entities are split into train and test by a seeded, per-language stratified draw;
only test entities become evaluated queries, every document stays in the pool, and training
material comes from train entities only and never names a test entity.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError, lists
from babel.core import get_global

from crossrank.core.contract import Document, Qrels, Topic

LANGUAGES = ("ar", "de", "en", "es", "fr", "ja", "ru", "zh")
ENTITY_TYPES = ("territory", "language", "currency", "script", "unit")

# CLDR placeholders that name no real entity.
_EXCLUDED_CODES = {
    "territory": {"ZZ"},
    "language": {"und", "zxx", "mul", "mis"},
    "currency": {"XXX", "XTS"},
    "script": {"Zzzz", "Zyyy", "Zinh", "Zxxx"},
    "unit": set(),
}
# Scripts written without spaces between words, where a name can only be found as a substring;
# Arabic joins the conjunction و to the next word, so word boundaries do not hold there either.
_SUBSTRING_LANGUAGES = {"ar", "ja", "zh"}
_MAX_RELATED = 5


@dataclass(frozen=True)
class Entity:
    """A CLDR entity with its name in every language and its related entities."""

    entity_id: str
    kind: str
    code: str
    names: dict[str, str]
    related: tuple[tuple[str, ...], ...] = ()


@dataclass
class CldrBenchmark:
    """Everything the prepare step writes for ``cldr``."""

    documents: list[Document]
    oracle_english: dict[str, str]
    topics: list[Topic]
    qrels: Qrels
    phrase_pairs: list[tuple[str, str, str, str, str]]
    query_documents: list[tuple[str, str, str, str, str]]
    statistics: list[tuple[str, str, int]] = field(default_factory=list)


def _names_by_code(kind: str, locales: dict[str, Locale]) -> dict[str, dict[str, str]]:
    """Names of every entity of ``kind`` that CLDR translates into all ``locales``."""

    def lookup(locale: Locale, code: str) -> str | None:
        if kind == "territory":
            return locale.territories.get(code)
        if kind == "language":
            return locale.languages.get(code)
        if kind == "currency":
            return locale.currencies.get(code)
        if kind == "script":
            return locale.scripts.get(code)
        display = locale._data["unit_display_names"].get(code)
        return (display.get("long") or display.get("short")) if display else None

    english = locales.get("en") or next(iter(locales.values()))
    if kind == "territory":
        codes = list(english.territories)
    elif kind == "language":
        codes = list(english.languages)
    elif kind == "currency":
        codes = list(english.currencies)
    elif kind == "script":
        codes = list(english.scripts)
    else:
        codes = list(english._data["unit_display_names"])
    result: dict[str, dict[str, str]] = {}
    for code in sorted(codes):
        if code in _EXCLUDED_CODES[kind]:
            continue
        names = {lang: (lookup(locale, code) or "").strip() for lang, locale in locales.items()}
        if all(name and name != code and "\t" not in name for name in names.values()):
            result[code] = names
    return result


def _related_codes(kind: str, code: str, available: dict[str, set[str]]) -> list[list[tuple[str, str]]]:
    """Sections of related ``(kind, code)`` pairs from CLDR's supplemental data."""
    territory_languages = get_global("territory_languages")
    territory_currencies = get_global("territory_currencies")
    likely = get_global("likely_subtags")

    def script_of(language: str) -> str | None:
        parts = likely.get(language, "").split("_")
        return parts[1] if len(parts) >= 3 else None

    sections: list[list[tuple[str, str]]] = []
    if kind == "territory":
        spoken = territory_languages.get(code, {})
        ranked = sorted(spoken, key=lambda lang: (spoken[lang]["official_status"] is None, -spoken[lang]["population_percent"], lang))
        sections.append([("language", lang) for lang in ranked if lang in available["language"]])
        current = [c for c, _start, end, tender in territory_currencies.get(code, ()) if end is None and tender]
        sections.append([("currency", c) for c in current if c in available["currency"]])
        scripts = dict.fromkeys(s for s in (script_of(lang) for lang in ranked[:3]) if s)
        sections.append([("script", s) for s in scripts if s in available["script"]])
    elif kind == "language":
        places = [
            (info["official_status"] is None, -info["population_percent"], territory)
            for territory, spoken in territory_languages.items()
            for lang, info in spoken.items()
            if lang == code
        ]
        sections.append([("territory", t) for *_key, t in sorted(places) if t in available["territory"]])
        script = script_of(code)
        sections.append([("script", script)] if script in available["script"] else [])
    elif kind == "currency":
        users = sorted(t for t, entries in territory_currencies.items() if any(c == code and end is None for c, _s, end, _t in entries))
        sections.append([("territory", t) for t in users if t in available["territory"]])
    elif kind == "script":
        writers = sorted(lang for lang in available["language"] if script_of(lang) == code)
        sections.append([("language", lang) for lang in writers])
        home = likely.get(f"und_{code}", "").split("_")
        sections.append([("territory", home[2])] if len(home) >= 3 and home[2] in available["territory"] else [])
    elif kind == "unit":
        category = code.split("-")[0]
        siblings = [u for u in sorted(available["unit"]) if u.split("-")[0] == category and u != code]
        sections.append([("unit", u) for u in siblings])
    return [section[:_MAX_RELATED] for section in sections if section]


def unknown_languages(languages: Sequence[str]) -> list[str]:
    """The codes of ``languages`` CLDR has no locale for (checked at validation, before any job)."""
    unknown = []
    for lang in languages:
        try:
            Locale.parse(lang)
        except (ValueError, TypeError, UnknownLocaleError):
            unknown.append(lang)
    return unknown


def load_entities(languages: Sequence[str] = LANGUAGES, entity_types: Sequence[str] = ENTITY_TYPES) -> list[Entity]:
    """All CLDR entities named in every language, with names unique per language.

    Types are taken in the order given; an entity whose name (case-folded) in some language is
    already used by an earlier entity is dropped, so every query names exactly one entity.
    """
    locales = {}
    for lang in languages:
        try:
            locales[lang] = Locale.parse(lang)
        except (ValueError, UnknownLocaleError):
            raise ValueError(f"cldr.languages: CLDR has no locale {lang!r}; use ISO 639-1 codes such as 'de' or 'ja'.") from None
    names = {kind: _names_by_code(kind, locales) for kind in entity_types}
    used: dict[str, set[str]] = {lang: set() for lang in languages}
    kept: dict[str, dict[str, dict[str, str]]] = {kind: {} for kind in entity_types}
    for kind in entity_types:
        for code, entity_names in names[kind].items():
            folded = {lang: name.casefold() for lang, name in entity_names.items()}
            if any(folded[lang] in used[lang] for lang in languages):
                continue
            for lang in languages:
                used[lang].add(folded[lang])
            kept[kind][code] = entity_names
    available = {kind: set(kept.get(kind, {})) for kind in ENTITY_TYPES}
    entities = []
    for kind in entity_types:
        for code, entity_names in kept[kind].items():
            related = tuple(tuple(f"{k}.{c}" for k, c in section) for section in _related_codes(kind, code, available))
            entities.append(Entity(f"{kind}.{code}", kind, code, entity_names, related))
    return entities


def render_document(entity: Entity, lang: str, by_id: dict[str, Entity], allowed: set[str] | None = None) -> str:
    """The entity's document in ``lang``: its name, then each section as a CLDR localized list.

    ``allowed`` restricts the related entities mentioned (used to keep test names out of
    training documents).
    """
    sections = []
    for section in entity.related:
        members = [by_id[eid].names[lang] for eid in section if eid in by_id and (allowed is None or eid in allowed)]
        if members:
            sections.append(lists.format_list(members, locale=lang))
    name = entity.names[lang]
    return f"{name}: {'; '.join(sections)}" if sections else name


def _name_matcher(names: Iterable[str], lang: str) -> re.Pattern[str] | None:
    """A regex finding any of ``names`` in a text of ``lang`` (case-insensitive)."""
    alternatives = sorted({re.escape(name.casefold()) for name in names}, key=len, reverse=True)
    if not alternatives:
        return None
    body = "|".join(alternatives)
    if lang in _SUBSTRING_LANGUAGES:
        return re.compile(f"(?:{body})")
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def _assign_languages(entities: list[Entity], languages: Sequence[str], rng: random.Random) -> dict[str, str]:
    """Give each entity one document language, evenly (counts differ by at most one)."""
    order = list(entities)
    rng.shuffle(order)
    return {entity.entity_id: languages[i % len(languages)] for i, entity in enumerate(order)}


def _split(entities: list[Entity], doc_lang: dict[str, str], test_fraction: float, rng: random.Random) -> set[str]:
    """Seeded train/test split by entity, stratified by document language."""
    test: set[str] = set()
    by_lang: dict[str, list[str]] = defaultdict(list)
    for entity in entities:
        by_lang[doc_lang[entity.entity_id]].append(entity.entity_id)
    for lang in sorted(by_lang):
        ids = sorted(by_lang[lang])
        rng.shuffle(ids)
        test.update(ids[: round(test_fraction * len(ids))])
    return test


def build_benchmark(
    languages: Sequence[str] = LANGUAGES,
    entity_types: Sequence[str] = ENTITY_TYPES,
    test_fraction: float = 0.65,
    seed: int = 0,
    max_entities: int = 0,
) -> CldrBenchmark:
    """Generate the benchmark deterministically from CLDR and ``seed``.

    ``max_entities`` > 0 keeps a seeded sample of that many entities (for tiny test runs).
    """
    rng = random.Random(seed)
    entities = load_entities(languages, entity_types)
    if max_entities and max_entities < len(entities):
        sample = set(rng.sample([e.entity_id for e in entities], max_entities))
        entities = [e for e in entities if e.entity_id in sample]
    by_id = {e.entity_id: e for e in entities}
    doc_lang = _assign_languages(entities, languages, rng)
    test_ids = _split(entities, doc_lang, test_fraction, rng)
    train_ids = {e.entity_id for e in entities} - test_ids

    documents = [Document(e.entity_id, doc_lang[e.entity_id], render_document(e, doc_lang[e.entity_id], by_id)) for e in entities]
    oracle = {e.entity_id: render_document(e, "en", by_id) for e in entities}
    topics, qrels = [], {}
    for entity in entities:
        if entity.entity_id not in test_ids:
            continue
        target = doc_lang[entity.entity_id]
        for query_lang in languages:
            if query_lang == target:
                continue
            qid = f"{entity.entity_id}.{query_lang}"
            topics.append(Topic(qid, query_lang, target, entity.names[query_lang]))
            qrels[qid] = {entity.entity_id: 1}

    if not topics:
        raise ValueError(
            f"cldr: no test queries with max_entities={max_entities} and test_fraction={test_fraction}; "
            "raise either so that every document language keeps at least one test entity."
        )
    matchers = {lang: _name_matcher((by_id[eid].names[lang] for eid in test_ids), lang) for lang in languages}

    def leaks(text: str, lang: str) -> bool:
        matcher = matchers[lang]
        return bool(matcher and matcher.search(text.casefold()))

    phrase_pairs, query_documents, dropped = [], [], Counter()
    for entity in entities:
        if entity.entity_id not in train_ids:
            continue
        for a, b in itertools.combinations(languages, 2):
            row = (entity.entity_id, a, entity.names[a], b, entity.names[b])
            if leaks(row[2], a) or leaks(row[4], b):
                dropped["phrase_pairs"] += 1
            else:
                phrase_pairs.append(row)
        target = doc_lang[entity.entity_id]
        training_text = render_document(entity, target, by_id, allowed=train_ids)
        for query_lang in languages:
            if query_lang == target:
                continue
            row = (entity.entity_id, query_lang, entity.names[query_lang], target, training_text)
            if leaks(row[2], query_lang) or leaks(row[4], target):
                dropped["query_documents"] += 1
            else:
                query_documents.append(row)

    statistics: list[tuple[str, str, int]] = []
    for kind, count in sorted(Counter(e.kind for e in entities).items()):
        statistics.append(("entities", kind, count))
    for lang, count in sorted(Counter(d.lang for d in documents).items()):
        statistics.append(("documents", lang, count))
    for (q, d), count in sorted(Counter((t.query_lang, t.doc_lang) for t in topics).items()):
        statistics.append(("test_queries", f"{q}-{d}", count))
    statistics += [
        ("split", "train_entities", len(train_ids)),
        ("split", "test_entities", len(test_ids)),
        ("training", "phrase_pairs", len(phrase_pairs)),
        ("training", "query_documents", len(query_documents)),
        ("training", "phrase_pairs_dropped_for_test_names", dropped["phrase_pairs"]),
        ("training", "query_documents_dropped_for_test_names", dropped["query_documents"]),
    ]
    return CldrBenchmark(documents, oracle, topics, qrels, phrase_pairs, query_documents, statistics)
