"""The epochs a training run may take, OpenAI's default heuristic, and what a run is billed for.

With ``n_epochs="auto"`` OpenAI starts from 3 epochs, raises the count so that
examples x epochs reaches 100 (at most 25 epochs) and lowers it so that examples x epochs
stays within 25,000 (at least 1 epoch). Training is billed for every token of every
example in every epoch, each example counted up to the per-example limit.
"""

from __future__ import annotations

from collections.abc import Iterable

from .rules import MAX_TOKENS_PER_EXAMPLE

# What OpenAI's ``n_epochs`` accepts; ``FINETUNE_EPOCHS`` and ``--epochs`` take the same.
MIN_EPOCHS = 1
MAX_EPOCHS = 50
EPOCHS_ALLOWED = f"auto or an integer from {MIN_EPOCHS} to {MAX_EPOCHS}"

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def default_epochs(examples: int) -> int:
    """The epochs ``n_epochs="auto"`` picks for ``examples`` training examples."""
    if examples <= 0:
        return TARGET_EPOCHS
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, -(-MIN_TARGET_EXAMPLES // examples))
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS


def billed_tokens(token_counts: Iterable[tuple[int, int]], epochs: int) -> int:
    """Billed tokens for ``(tokens per example, how many examples)`` pairs over ``epochs``."""
    per_epoch = sum(min(MAX_TOKENS_PER_EXAMPLE, tokens) * n for tokens, n in token_counts)
    return per_epoch * epochs
