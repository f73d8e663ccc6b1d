"""Token counting: tiktoken with the model's encoding, or a stated approximation.

tiktoken downloads an encoding the first time it is used and caches it
(``TIKTOKEN_CACHE_DIR``). Without network and without a cached copy it cannot count, so
:func:`load_counter` falls back to :data:`APPROXIMATION` and says why in
:attr:`TokenCounter.description`, which every report prints: an approximate count is
never passed off as an exact one. A failed download is remembered for a while
(:mod:`.offline`), so offline runs do not pay for trying again each time.

Per example, the count follows OpenAI's cookbook: 3 tokens of framing per message, the
tokens of each string value (role, content, name; a function or tool call as its JSON),
1 more for a ``name``, and 3 to prime the reply.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .offline import forget_failure, recent_failure, record_failure

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3

APPROXIMATION = "approximate: 1 token per 4 bytes of UTF-8 text, rounded up"


def approximate_tokens(text: str) -> int:
    """About right for English with OpenAI's encodings, and for Korean with o200k_base."""
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    return (size + 3) // 4


@dataclass(frozen=True)
class TokenCounter:
    """Counts the tokens of strings; ``exact`` is False for the approximation."""

    count: Callable[[str], int]
    exact: bool
    description: str
    encoding: str | None = None

    def example_tokens(self, messages: list[dict[str, Any]]) -> tuple[int, int]:
        """(all tokens, assistant tokens) of one valid example, whatever its keys."""
        count = self.count
        total = REPLY_PRIMING_TOKENS
        assistant = 0
        for message in messages:
            total += TOKENS_PER_MESSAGE
            for key, value in message.items():
                if key == "weight" or value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value)
                n = count(text)
                total += n
                if key == "name":
                    total += TOKENS_PER_NAME
                elif key != "role" and message.get("role") == "assistant":
                    assistant += n
        return total, assistant


def message_overheads(count: Callable[[str], int]) -> dict[str, int]:
    """Tokens a message of each fast-path role costs besides its content: the framing and
    the role's own tokens, counted once per scan rather than once per message."""
    return {role: TOKENS_PER_MESSAGE + count(role) for role in ("system", "user", "assistant")}


def plain_example_tokens(
    messages: Any, count: Callable[[str], int], overheads: dict[str, int]
) -> tuple[int, int, bool] | None:
    """The fast path for the common example, which is valid by construction.

    When every message is an object with only a ``role`` in ``overheads`` (see
    :func:`message_overheads`), a non-empty string ``content`` and perhaps ``weight``, and
    one of them is the assistant's, return (all tokens, assistant tokens, has a system or
    user message); otherwise None, and the caller runs the full checks and
    :meth:`TokenCounter.example_tokens`. Counts are the same as ``example_tokens``'; one
    loop instead of two keeps a large file fast.
    """
    if type(messages) is not list or not messages:
        return None
    total = REPLY_PRIMING_TOKENS
    assistant = 0
    asked = answered = False
    for message in messages:
        if type(message) is not dict:
            return None
        content = message.get("content")
        role = message.get("role")
        if type(content) is not str or not content or type(role) is not str:
            return None
        overhead = overheads.get(role)
        if overhead is None:
            return None
        if len(message) != 2 and not (len(message) == 3 and "weight" in message):
            return None
        n = count(content)
        total += overhead + n
        if role == "assistant":
            assistant += n
            answered = True
        elif role == "system" or role == "user":
            asked = True
    return (total, assistant, asked) if answered else None


def approximate_counter(reason: str = "") -> TokenCounter:
    text = APPROXIMATION + (f" ({reason})" if reason else "")
    return TokenCounter(approximate_tokens, exact=False, description=text)


def load_counter(encoding: str | None, mode: str = "auto") -> TokenCounter:
    """A counter for ``encoding``: ``mode`` is ``auto`` (tiktoken, else approximate),
    ``tiktoken`` (tiktoken or an error) or ``approx``."""
    if mode == "approx":
        return approximate_counter("chosen with --tokenizer approx")
    if encoding is None:
        if mode == "tiktoken":
            raise LookupError("no tiktoken encoding is known for this model (see models.json)")
        return approximate_counter("no tiktoken encoding is known for this model")
    if mode == "auto":
        failure = recent_failure(encoding)
        if failure is not None:
            return approximate_counter(
                f"tiktoken could not load {encoding} at {failure.when:%Y-%m-%d %H:%M} UTC: "
                f"{failure.reason}; it tries again from {failure.retry_at:%H:%M} UTC, or now "
                "with --tokenizer tiktoken"
            )
    try:
        import tiktoken
    except ImportError as exc:  # not a download: nothing to remember
        return _unavailable(encoding, mode, _first_line(exc))
    try:
        enc = tiktoken.get_encoding(encoding)
    except Exception as exc:  # no network and nothing cached, most often
        reason = _first_line(exc)
        record_failure(encoding, reason)
        return _unavailable(encoding, mode, reason)
    forget_failure(encoding)
    encode = enc.encode_ordinary
    cache: dict[str, int] = {}

    def count(text: str) -> int:
        # Roles and system prompts repeat on every line; counting them once pays off.
        if len(text) <= 16:
            n = cache.get(text)
            if n is None:
                n = cache[text] = len(encode(text))
            return n
        return len(encode(text))

    return TokenCounter(count, exact=True, description=f"tiktoken {encoding}", encoding=encoding)


def _unavailable(encoding: str, mode: str, reason: str) -> TokenCounter:
    if mode == "tiktoken":
        raise LookupError(f"tiktoken cannot load {encoding}: {reason}")
    return approximate_counter(f"tiktoken could not load {encoding}: {reason}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    message = message if len(message) <= 60 else message[:57] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
