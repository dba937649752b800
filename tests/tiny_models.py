"""Tiny Hugging Face models built locally for tests (no download): a 2-layer BERT encoder."""

from __future__ import annotations

from pathlib import Path

TRAINING_TEXT = [
    "Germany Deutschland Allemagne Alemania Германия ドイツ 德国 ألمانيا",
    "France Frankreich Francia Франция フランス 法国 فرنسا",
    "Euro euro Евро ユーロ 欧元 يورو meters Meter metros метры",
    "Japan Japon Japón Япония 日本 اليابان Spain Spanien Espagne España",
]


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
        hidden_size=hidden,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=2 * hidden,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(directory)
    return directory
