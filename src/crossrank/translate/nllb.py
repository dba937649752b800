"""An NLLB-200 (or any M2M100-family) model that translates token sequences into English.

Generation follows the paper's appendix D.2 (beam search with 5 beams, default length penalty,
``forced_bos_token_id`` of ``eng_Latn``) with the throughput habits of a serious MT system:
inputs sorted by length so a batch wastes little on padding, batches sized by a budget of
padded input tokens rather than a fixed count, ``torch.inference_mode``, half precision on
CUDA (bfloat16 where the GPU supports it, else float16) and float32 on CPU.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from crossrank.core.devices import resolve_device, resolve_precision
from crossrank.core.errors import ConfigError
from crossrank.core.model_source import resolve_model
from crossrank.core.text_prefix import longest_fitting_prefix
from crossrank.translate.codes import TARGET_CODE, flores_code

log = logging.getLogger(__name__)

PRECISIONS = ("auto", "float32", "float16", "bfloat16")
# sentence: every sentence is a piece (ours); document: the whole document, truncated (the paper's D.2).
SEGMENTATIONS = ("sentence", "document")
# Generated tokens allowed beyond max_output_ratio x the longest source piece: a one-word name
# can need several English words ("中国" -> "People's Republic of China").
OUTPUT_SLACK = 16
# The settings that change what a document's translation is (the rest only change how fast).
RESULT_KEYS = (
    "model",
    "revision",
    "num_beams",
    "length_penalty",
    "max_input_tokens",
    "segmentation",
    "max_output_tokens",
    "max_output_ratio",
    "precision",
    "language_codes",
)


def result_settings(params: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``translation.nllb`` that determines translations (logged, and re-runs the merge)."""
    return {key: params[key] for key in RESULT_KEYS if key in params}


@dataclass(frozen=True)
class NllbSettings:
    """``translation.nllb`` in ``params.yaml``."""

    model: str
    revision: str | None = None
    num_beams: int = 5
    length_penalty: float = 1.0
    max_input_tokens: int = 256
    segmentation: str = "sentence"
    max_output_tokens: int = 512
    max_output_ratio: float = 2.0
    batch_tokens: int = 4096
    precision: str = "auto"
    device: str = "auto"
    chunk_size: int = 256
    shards: int = 1
    gpus_per_shard: int = 0
    language_codes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ConfigError(f"params.yaml 'translation.nllb.precision': {self.precision!r} is not one of {list(PRECISIONS)}.")
        if self.segmentation not in SEGMENTATIONS:
            raise ConfigError(f"params.yaml 'translation.nllb.segmentation': {self.segmentation!r} is not one of {list(SEGMENTATIONS)}.")

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> NllbSettings:
        """Build from the ``params.yaml`` block ``translation.nllb``."""
        return cls(**params)

    def generation(self) -> dict[str, Any]:
        """The settings that change a piece's translation (the cache fingerprint's part of them)."""
        keys = ("num_beams", "length_penalty", "max_output_tokens", "max_output_ratio")
        return {key: asdict(self)[key] for key in keys}


def plan_batches(lengths: Sequence[int], budget: int, sort_by_length: bool = True) -> list[list[int]]:
    """Indices of ``lengths`` grouped into batches whose padded size (count x longest) fits ``budget``.

    Sorted longest first (a too-large budget fails on the first batch, not after an hour), ties
    by position; unsorted keeps the given order, for comparison. A sequence longer than the
    budget gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)) if sort_by_length else list(range(len(lengths)))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index in order:
        widest = max(longest, lengths[index])
        if current and widest * (len(current) + 1) > budget:
            batches.append(current)
            current, widest = [], lengths[index]
        current.append(index)
        longest = widest
    if current:
        batches.append(current)
    return batches


class NllbTranslator:
    """Tokenizer and (lazily loaded) model of one NLLB checkpoint, translating into English."""

    def __init__(self, settings: NllbSettings, shard: int = 0):
        from transformers import AutoConfig, AutoTokenizer

        self.settings = settings
        self._path, self.identity = resolve_model(settings.model)
        self._hub_kwargs = {"revision": settings.revision} if settings.revision else {}
        self.tokenizer = AutoTokenizer.from_pretrained(self._path, **self._hub_kwargs)
        config = AutoConfig.from_pretrained(self._path, **self._hub_kwargs)
        positions = getattr(config, "max_position_embeddings", None)
        self._max_new_tokens = settings.max_output_tokens if positions is None else min(settings.max_output_tokens, positions - 1)
        if positions is not None and settings.max_input_tokens > positions:
            raise ConfigError(
                f"params.yaml 'translation.nllb.max_input_tokens' is {settings.max_input_tokens}, but {settings.model} reads "
                f"at most {positions} tokens. Fix: set it to {positions} or less (documents are split into pieces that fit, "
                "or truncated with segmentation: document)."
            )
        if settings.segmentation == "document" and not self.tokenizer.is_fast:
            raise ConfigError(
                f"params.yaml 'translation.nllb.segmentation' is document, but the tokenizer of {settings.model} is not a fast "
                "(tokenizers) one, which truncating a document at a token needs. Fix: use segmentation: sentence."
            )
        self.device = resolve_device(settings.device, shard)
        if settings.gpus_per_shard > 0 and not self.device.startswith("cuda"):
            log.warning("gpus_per_shard is %d but this job runs on %s: is CUDA visible here?", settings.gpus_per_shard, self.device)
        self.precision = resolve_precision(settings.precision, self.device)
        self.target_id = self._language_token(TARGET_CODE)
        self._model: Any = None

    def fingerprint(self) -> dict[str, Any]:
        """Everything that determines a piece's translation besides its text and source language."""
        import transformers

        return {
            "model": self.identity,
            "revision": self.settings.revision,
            "target": TARGET_CODE,
            "precision": self.precision,
            "transformers": transformers.__version__,
            **self.settings.generation(),
        }

    def _language_token(self, code: str) -> int:
        token_id = self.tokenizer.convert_tokens_to_ids(code)
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise ConfigError(
                f"the tokenizer of {self.settings.model} has no language token {code!r}. Fix: use an NLLB-200 checkpoint, "
                "or map the language to one of its codes in params.yaml 'translation.nllb.language_codes'."
            )
        return token_id

    def source_code(self, lang: str) -> str:
        """The FLORES-200 code of a dataset language, checked against the tokenizer."""
        code = flores_code(lang, self.settings.language_codes)
        self._language_token(code)
        return code

    def tokenize(self, texts: Sequence[str], source_code: str) -> list[list[int]]:
        """Token ids of ``texts`` in ``source_code``, with the language tag and end of sentence."""
        self._use_source(source_code)
        return self.tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]

    def truncate(self, text: str, source_code: str, limit: int) -> str:
        """``text`` cut after its last token that fits in ``limit`` tokens, special tokens included (all of it if it fits).

        The text is cut, not the token ids, so a truncated document is still a piece the cache
        keys by its text: at the end offset of the last token that fits. The cut text is counted
        again and cut a token earlier while it reads as more than ``limit`` tokens (a word cut
        in two can tokenize differently).
        """
        self._use_source(source_code)
        encoded = self.tokenizer(
            text, add_special_tokens=True, truncation=False, return_offsets_mapping=True, return_special_tokens_mask=True
        )
        if len(encoded["input_ids"]) <= limit:
            return text
        marks = zip(encoded["offset_mapping"], encoded["special_tokens_mask"], strict=True)
        ends = [end for (_start, end), special in marks if not special]
        room = limit - (len(encoded["input_ids"]) - len(ends))
        if room < 1:
            raise ValueError(f"a piece limit of {limit} tokens leaves no room for text")
        return longest_fitting_prefix(text, ends[:room], lambda piece: len(self.tokenize([piece], source_code)[0]) <= limit)

    def _use_source(self, source_code: str) -> None:
        if self.tokenizer.src_lang != source_code:  # switching rebuilds the tokenizer's post-processor
            self.tokenizer.src_lang = source_code

    @property
    def model(self) -> Any:
        """The seq2seq model, loaded on first use (a fully cached run never loads it)."""
        if self._model is None:
            import torch
            from transformers import AutoModelForSeq2SeqLM

            log.info("loading %s (%s) on %s in %s", self.settings.model, self.identity, self.device, self.precision)
            model = AutoModelForSeq2SeqLM.from_pretrained(self._path, dtype=getattr(torch, self.precision), **self._hub_kwargs)
            self._model = model.to(self.device).eval()
        return self._model

    def translate(self, token_ids: Sequence[Sequence[int]], sort_by_length: bool = True, progress: Any = None) -> list[str]:
        """English translations of tokenized pieces, in input order.

        A batch generates at most ``max_output_ratio`` x its longest piece + ``OUTPUT_SLACK``,
        ``max_output_tokens``, and what the model's positions allow.

        ``progress`` (a tqdm bar) advances by pieces and shows source tokens per second.
        """
        import torch

        outputs: list[str] = [""] * len(token_ids)
        lengths = [len(ids) for ids in token_ids]
        for batch in plan_batches(lengths, self.settings.batch_tokens, sort_by_length):
            longest = max(lengths[i] for i in batch)
            padded = self.tokenizer.pad({"input_ids": [list(token_ids[i]) for i in batch]}, return_tensors="pt").to(self.device)
            with torch.inference_mode():
                generated = self.model.generate(
                    **padded,
                    forced_bos_token_id=self.target_id,
                    num_beams=self.settings.num_beams,
                    length_penalty=self.settings.length_penalty,
                    max_new_tokens=min(self._max_new_tokens, math.ceil(self.settings.max_output_ratio * longest) + OUTPUT_SLACK),
                    do_sample=False,
                )
            for index, text in zip(batch, self.tokenizer.batch_decode(generated, skip_special_tokens=True), strict=True):
                outputs[index] = " ".join(text.split())  # one line: no tab or newline reaches a TSV
            if progress is not None:
                progress.update(len(batch))
        return outputs
