"""A tiny random chat model, built locally: the pipeline's smoke test without a download.

It has the real architecture of the default family (Qwen2) at a toy size, a byte-level
BPE tokenizer trained on the given texts and a ChatML chat template, saved as a normal
model directory. ``train``, ``evaluate`` and ``export`` take it like any Hub model
(``FINETUNE_BASE_MODEL=out/tiny``), so the whole code path runs on a CPU in seconds and in
the tests without network access. Its answers are noise: it checks plumbing, not quality.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
{% raw %}
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
{% endraw %}


def build_tiny_model(out_dir: Path, texts: Iterable[str], vocab_size: int = 512) -> Path:
    """Train the tokenizer on ``texts``, make a random model to match, save both."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast, Qwen2Config

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(
        texts,
        trainers.BpeTrainer(
            vocab_size=vocab_size,
            special_tokens=list(SPECIAL_TOKENS),
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        ),
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",  # noqa: S106 (a special token, not a password)
        pad_token="<|endoftext|>",  # noqa: S106 (a special token, not a password)
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        # Wider than the usual 0.02, so greedy decoding varies instead of repeating one
        # token: a trained adapter then visibly changes the answers.
        initializer_range=0.2,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = AutoModelForCausalLM.from_config(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    return out_dir


def texts_of(rows: Iterable[dict]) -> Iterable[str]:
    """Every message's content, to train the tiny tokenizer on the data it will see."""
    for row in rows:
        for message in row["messages"]:
            yield message["content"]
