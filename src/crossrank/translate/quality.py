"""How close machine translations are to a human English reference: chrF and BLEU per language.

Beyond the paper (which scores adequacy with reference-free COMET-QE on a sample): where a
dataset has a parallel English text of every document (mMARCO, ``cldr``), corpus-level chrF
and BLEU from sacrebleu, with its default settings (13a tokenisation for BLEU, character
6-grams for chrF), so the numbers compare with published ones.
"""

from __future__ import annotations

from collections.abc import Iterable

QUALITY_COLUMNS = ("source_lang", "documents", "chrf", "bleu")


def translation_quality(rows: Iterable[tuple[str, str, str]]) -> list[tuple[str, int, float, float]]:
    """``(source_lang, documents, chrF, BLEU)`` per language and over ``all``, from ``(lang, hypothesis, reference)``."""
    import sacrebleu

    by_lang: dict[str, tuple[list[str], list[str]]] = {}
    for lang, hypothesis, reference in rows:
        hypotheses, references = by_lang.setdefault(lang, ([], []))
        hypotheses.append(hypothesis)
        references.append(reference)
    groups = sorted(by_lang.items())
    if len(groups) > 1:
        groups.append(("all", ([h for _, (hs, _) in groups for h in hs], [r for _, (_, rs) in groups for r in rs])))
    table = []
    for lang, (hypotheses, references) in groups:
        chrf = sacrebleu.corpus_chrf(hypotheses, [references]).score
        bleu = sacrebleu.corpus_bleu(hypotheses, [references]).score
        table.append((lang, len(hypotheses), round(chrf, 2), round(bleu, 2)))
    return table
