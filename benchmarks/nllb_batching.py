"""Throughput of the nllb backend with length-sorted vs unsorted token-budget batches, in one run.

Translates the same corpus twice with the real ``NllbTranslator`` (no cache): once with pieces
sorted by length before batching (what the pipeline does), once in corpus order (the baseline:
what a naive loop over documents does). Both use the same budget of padded source tokens per
batch, so the difference is padding and the generation steps it costs. Prints documents per
second, source tokens per second, batches and the share of padded positions for each, and the
sorted/unsorted ratio.

The corpus: ``--documents`` documents in the seven non-English cldr languages, each 1 to 12
sentences of 3 to 60 words (log-normal, median ~15) drawn (seeded) from a small multilingual
vocabulary, cut into pieces (one per sentence) by the pipeline's own segmentation. The model:
the tests' tiny M2M100 (2+2 layers, d_model 32),
built on the fly, or ``--model`` for a real checkpoint (e.g. facebook/nllb-200-distilled-600M
on a GPU). An untrained model never emits end-of-sentence, so every batch generates up to its
cap (``max_output_ratio`` x its longest piece): on the tiny model the ratio is an upper bound,
and a trained model, stopping at the end of each sentence, gains less from sorting.

Run: ``.venv/bin/python benchmarks/nllb_batching.py [--documents N] [--batch-tokens N] [--model PATH]``
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from crossrank.translate.nllb import NllbSettings, NllbTranslator, plan_batches
from crossrank.translate.segment import pieces

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from tiny_models import NLLB_TEXT, build_tiny_nllb

# Per language: the words (characters, for Chinese and Japanese) sentences are drawn from.
WORDS = {
    lang: list(text.replace("。", "")) if lang in ("ja", "zh") else text.replace(".", "").split()
    for lang, text in zip(("de", "fr", "es", "ru", "ja", "zh", "ar"), NLLB_TEXT, strict=False)
}


def corpus(documents: int, seed: int) -> list[tuple[str, str]]:
    """``(lang, text)`` documents of 1-12 sentences of 3-60 words, long-tailed like real text."""
    rng = random.Random(seed)
    langs = sorted(WORDS)
    docs = []
    for i in range(documents):
        lang = langs[i % len(langs)]
        sentences = []
        for _ in range(min(12, int(rng.expovariate(1 / 3)) + 1)):
            length = min(60, max(3, int(rng.lognormvariate(2.7, 0.6))))
            words = [rng.choice(WORDS[lang]) for _ in range(length)]
            sentences.append("".join(words) + "。" if lang in ("ja", "zh") else " ".join(words) + ".")
        docs.append((lang, ("" if lang in ("ja", "zh") else " ").join(sentences)))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=600)
    parser.add_argument("--batch-tokens", type=int, default=2048)
    parser.add_argument("--max-input-tokens", type=int, default=128)
    parser.add_argument("--beams", type=int, default=5)
    parser.add_argument("--model", help="a checkpoint to use instead of the tiny M2M100")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        model = args.model or str(build_tiny_nllb(Path(scratch) / "tiny-nllb"))
        settings = NllbSettings(
            model=model, num_beams=args.beams, max_input_tokens=args.max_input_tokens, batch_tokens=args.batch_tokens, max_output_tokens=256
        )
        translator = NllbTranslator(settings)
        docs = corpus(args.documents, args.seed)
        token_ids: list[list[int]] = []
        for lang, text in docs:
            code = translator.source_code(lang)
            count = lambda texts, code=code: [len(ids) for ids in translator.tokenize(texts, code)]  # noqa: E731
            token_ids += translator.tokenize(pieces(text, count, settings.max_input_tokens), code)
        lengths = [len(ids) for ids in token_ids]
        tokens = sum(lengths)
        print(f"model: {'tiny M2M100 (2+2 layers, d_model 32)' if not args.model else args.model} on {translator.device}")
        span = f"{min(lengths)}-{max(lengths)}"
        print(f"corpus: {len(docs)} documents, {len(token_ids)} pieces, {tokens} source tokens (piece length {span})")
        print(f"settings: beams {args.beams}, batch budget {args.batch_tokens} padded source tokens")
        translator.translate(token_ids[:16])  # warm-up: model load, first allocations

        results = {}
        for label, sort in (("unsorted", False), ("sorted", True)):
            batches = plan_batches(lengths, args.batch_tokens, sort_by_length=sort)
            padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
            started = time.perf_counter()
            translator.translate(token_ids, sort_by_length=sort)
            elapsed = time.perf_counter() - started
            results[label] = elapsed
            print(
                f"{label:>9}: {elapsed:7.2f} s  {len(docs) / elapsed:8.1f} docs/s  {tokens / elapsed:9.1f} tokens/s  "
                f"{len(batches):4d} batches  padding {1 - tokens / padded:5.1%}"
            )
        print(f"sorted vs unsorted: {results['unsorted'] / results['sorted']:.2f}x the throughput")


if __name__ == "__main__":
    main()
