"""Tiny Hugging Face models built locally for tests (no download): a 2-layer BERT encoder."""

from __future__ import annotations

from pathlib import Path

TRAINING_TEXT = [
    "Germany Deutschland Allemagne Alemania Германия ドイツ 德国 ألمانيا",
    "France Frankreich Francia Франция フランス 法国 فرنسا",
    "Euro euro Евро ユーロ 欧元 يورو meters Meter metros метры",
    "Japan Japon Japón Япония 日本 اليابان Spain Spanien Espagne España",
]


def _tiny_shape(hidden: int) -> dict[str, int]:
    """The size settings every tiny encoder shares: 2 layers, 2 heads, hidden size ``hidden``."""
    return {"hidden_size": hidden, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 2 * hidden}


def build_tiny_bert(directory: Path, seed: int = 0, hidden: int = 32) -> Path:
    """Write a randomly initialised 2-layer BERT with a WordPiece tokenizer to ``directory``."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=400, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tokenizer.train_from_iterator(TRAINING_TEXT * 5, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"
    )
    fast.save_pretrained(directory)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        **_tiny_shape(hidden),
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(directory)
    return directory


# Sentences in the cldr languages (and English) for the tiny NLLB tokenizer's vocabulary.
NLLB_TEXT = [
    "Deutschland ist ein Land in Europa. Die Währung ist der Euro.",
    "La France est un pays. Sa langue est le français.",
    "España es un país de Europa. Su moneda es el euro.",
    "Германия — страна в Европе. Валюта: евро.",
    "日本は国です。通貨は円です。",
    "中国是一个国家。货币是人民币。",
    "ألمانيا بلد في أوروبا. العملة هي اليورو.",
    "Germany is a country in Europe. The currency is the euro.",
]


def build_tiny_nllb(directory: Path, seed: int = 0, positions: int = 128) -> Path:
    """Write a randomly initialised 2+2-layer M2M100 with an NllbTokenizer (all 202 language codes) to ``directory``.

    The tokenizer is a BPE trained here with a Metaspace pre-tokenizer, as NLLB's own; its
    merges must be tuples, and the FLORES-200 language tokens come with NllbTokenizer.
    """
    import json

    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace()
    bpe.decoder = decoders.Metaspace()
    bpe.train_from_iterator(NLLB_TEXT * 5, trainers.BpeTrainer(vocab_size=500, special_tokens=["<s>", "<pad>", "</s>", "<unk>"]))
    model = json.loads(bpe.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]
    tokenizer = NllbTokenizer(vocab=model["vocab"], merges=merges)
    tokenizer.save_pretrained(directory)
    torch.manual_seed(seed)
    config = M2M100Config(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
    )
    M2M100ForConditionalGeneration(config).save_pretrained(directory)
    return directory


def _unigram_tokenizer(special: list[str]) -> object:
    """A SentencePiece-style Unigram tokenizer (Metaspace), as XLM-R and mmBERT-family models use."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=300, special_tokens=special, unk_token=special[3])
    tokenizer.train_from_iterator(TRAINING_TEXT * 5 + ["query: passage: search_query: search_document:"] * 5, trainer)
    return tokenizer


def build_tiny_xlmr(directory: Path, seed: int = 0, hidden: int = 32) -> Path:
    """A 2-layer XLM-RoBERTa (the family of XLM-R large and multilingual-E5) with a Unigram tokenizer."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    directory.mkdir(parents=True, exist_ok=True)
    special = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tokenizer = _unigram_tokenizer(special)
    from tokenizers import processors

    tokenizer.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    fast = XLMRobertaTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
    )
    fast.save_pretrained(directory)
    torch.manual_seed(seed)
    config = XLMRobertaConfig(
        vocab_size=tokenizer.get_vocab_size(),
        **_tiny_shape(hidden),
        max_position_embeddings=130,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    XLMRobertaModel(config).save_pretrained(directory)
    return directory


def build_tiny_modernbert(directory: Path, seed: int = 0, hidden: int = 32) -> Path:
    """A 2-layer ModernBERT (mmBERT's architecture) with a Unigram tokenizer."""
    import torch
    from tokenizers import processors
    from transformers import ModernBertConfig, ModernBertModel, PreTrainedTokenizerFast

    directory.mkdir(parents=True, exist_ok=True)
    special = ["[CLS]", "[PAD]", "[SEP]", "[UNK]", "[MASK]"]
    tokenizer = _unigram_tokenizer(special)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", 0), ("[SEP]", 2)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, cls_token="[CLS]", pad_token="[PAD]", sep_token="[SEP]", unk_token="[UNK]", mask_token="[MASK]"
    )
    fast.save_pretrained(directory)
    torch.manual_seed(seed)
    config = ModernBertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        **_tiny_shape(hidden),
        max_position_embeddings=128,
        local_attention=16,
        pad_token_id=1,
        cls_token_id=0,
        sep_token_id=2,
        bos_token_id=0,
        eos_token_id=2,
    )
    ModernBertModel(config).save_pretrained(directory)
    return directory


REMOTE_CONFIG = """from transformers import BertConfig


class TinyRemoteConfig(BertConfig):
    model_type = "tiny-remote-bert"
"""

REMOTE_MODEL = """from transformers import BertModel

from .configuration_tiny_remote import TinyRemoteConfig


class TinyRemoteModel(BertModel):
    config_class = TinyRemoteConfig
"""


def build_tiny_remote_code(directory: Path, seed: int = 0, hidden: int = 32) -> Path:
    """A 2-layer BERT whose model class lives in the repository's own code (``auto_map``), like
    nomic-embed-text-v2-moe: it loads only with ``trust_remote_code``."""
    import json

    build_tiny_bert(directory, seed=seed, hidden=hidden)
    (directory / "configuration_tiny_remote.py").write_text(REMOTE_CONFIG)
    (directory / "modeling_tiny_remote.py").write_text(REMOTE_MODEL)
    config = json.loads((directory / "config.json").read_text())
    config["model_type"] = "tiny-remote-bert"
    config["architectures"] = ["TinyRemoteModel"]
    config["auto_map"] = {
        "AutoConfig": "configuration_tiny_remote.TinyRemoteConfig",
        "AutoModel": "modeling_tiny_remote.TinyRemoteModel",
    }
    (directory / "config.json").write_text(json.dumps(config, indent=2))
    return directory
