"""Builds a tiny random XLM-R checkpoint in Detoxify's format, with its local HF config/tokenizer dir.

The recipe is the one measured in shared/docs/toxicity.md section 2.2: a small SentencePiece
vocabulary, a 2-layer model of hidden size 32, a 16-output head like the multilingual checkpoint.
It proves wiring only: random weights score about 0.5 for every label.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABELS = ["toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat", "sexual_explicit"]
HEAD_SIZE = 16  # the multilingual head: 7 labels plus 9 identity outputs
MAX_LENGTH = 128
CORPUS = [
    "Примите мои соболезнования, сын погиб на фронте.",
    "Вечная память, спасибо за ролик про маму.",
    "Ты тупая сука, чтоб ты сдох.",
    "Мій батько загинув на війні, зробіть відео.",
    "You are an idiot, I hope you die.",
    "My grandfather was killed in the war, thank you.",
    "Сколько стоит ролик и когда будет готов?",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "abcdefghijklmnopqrstuvwxyz 0123456789 .,!?",
]


@dataclass(frozen=True)
class TinyModel:
    """Paths of a built tiny model: ``checkpoint`` (Detoxify format) and ``hf_dir`` (config + tokenizer)."""

    checkpoint: Path
    hf_dir: Path


def build_tiny_detoxify(
    root: Path, *, model_type: str | None = None, num_labels_in_config: int = HEAD_SIZE, seed: int = 0
) -> TinyModel:
    """Write ``root/tiny.ckpt`` and ``root/hf/``; ``model_type`` defaults to the local hf dir."""
    import sentencepiece as spm
    import torch
    import transformers
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    root.mkdir(parents=True, exist_ok=True)
    hf_dir = root / "hf"
    corpus = root / "corpus.txt"
    corpus.write_text("\n".join(CORPUS * 3), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(root / "spm"),
        vocab_size=160,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    tokenizer = _tokenizer(root / "spm.model", int(transformers.__version__.split(".")[0]))
    tokenizer.save_pretrained(str(hf_dir))
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer) + 8,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_LENGTH + 2,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    config.num_labels = HEAD_SIZE
    torch.manual_seed(seed)
    model = XLMRobertaForSequenceClassification(config)
    config.num_labels = num_labels_in_config  # lets a test write a config that disagrees with the head
    config.save_pretrained(str(hf_dir))
    checkpoint = root / "tiny.ckpt"
    torch.save(detoxify_checkpoint(model.state_dict(), model_type or str(hf_dir)), checkpoint)
    return TinyModel(checkpoint=checkpoint, hf_dir=hf_dir)


def detoxify_checkpoint(state_dict: dict[str, Any], model_type: str) -> dict[str, Any]:
    """The dict Detoxify's ``load_checkpoint`` expects: ``config`` (arch + classes) and ``state_dict``."""
    return {
        "config": {
            "arch": {
                "args": {
                    "model_type": model_type,
                    "model_name": "XLMRobertaForSequenceClassification",
                    "tokenizer_name": "XLMRobertaTokenizer",
                    "num_classes": state_dict["classifier.out_proj.weight"].shape[0],
                }
            },
            "dataset": {"args": {"classes": list(LABELS)}},
        },
        "state_dict": state_dict,
    }


def _tokenizer(spm_model: Path, transformers_major: int) -> Any:
    import sentencepiece as spm
    from transformers import XLMRobertaTokenizer

    if transformers_major >= 5:  # v5 is tokenizers-backed and takes the vocabulary as (piece, score) pairs
        sp = spm.SentencePieceProcessor(model_file=str(spm_model))
        pieces = [
            (sp.id_to_piece(i), sp.get_score(i))
            for i in range(sp.get_piece_size())
            if not sp.is_control(i) and sp.id_to_piece(i) != "<unk>"
        ]
        specials = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
        return XLMRobertaTokenizer(vocab=[*specials, *pieces, ("<mask>", 0.0)], model_max_length=MAX_LENGTH)
    return XLMRobertaTokenizer(vocab_file=str(spm_model), model_max_length=MAX_LENGTH)
