"""What makes one chat-format example valid, after OpenAI's fine-tuning data-prep guidance.

Each problem is counted once where it occurs, with the cookbook's names: message-level
problems count once per message (two messages without content are two ``missing_content``),
example-level problems once per example. A missing ``content`` is both a
``message_missing_key`` and a ``missing_content``, as in the cookbook; a missing ``role`` is
only a ``message_missing_key`` (it is not a role "other than" the recognized ones).
"""

from __future__ import annotations

from typing import Any

# Every error type, in report order. Line-level and file-level names are part of the
# JSON output's contract: scripts key on them.
ERROR_TYPES: tuple[str, ...] = (
    "invalid_json",
    "data_type",
    "missing_messages_list",
    "message_missing_key",
    "message_unrecognized_key",
    "unrecognized_role",
    "missing_content",
    "example_missing_assistant_message",
    "too_few_examples",
)

RECOGNIZED_ROLES = frozenset({"system", "user", "assistant", "function", "tool"})
# The cookbook's keys, plus the two that `tool` messages and tool-calling assistant
# messages need (recognizing the `tool` role without them would reject every tool example).
RECOGNIZED_KEYS = frozenset(
    {"role", "content", "name", "function_call", "weight", "tool_calls", "tool_call_id"}
)

MIN_EXAMPLES = 10  # OpenAI refuses a training file with fewer examples.
MIN_VALIDATION_EXAMPLES = 1  # a validation file has no minimum beyond not being empty.
RECOMMENDED_EXAMPLES = 50  # OpenAI's guidance: clear improvements usually start here.
MAX_TOKENS_PER_EXAMPLE = 16_385  # longer examples are truncated to this many tokens.
# Line numbers kept per problem type, and problems listed, unless asked for more (counts
# are always exact). Here, not in scan.py, so `validate --help` shows it without loading
# the scanner.
DEFAULT_LIMIT = 100

Problem = tuple[str, str]  # (error type, detail)

# What a data file is for: `validate` and `train` apply the same minimum to each.
ROLES = ("training", "validation")


def min_examples(role: str) -> int:
    """The fewest examples a file in ``role`` may have before training refuses it."""
    return MIN_EXAMPLES if role == "training" else MIN_VALIDATION_EXAMPLES


def role_of(name: str) -> str:
    """``validation`` for a file named like one (``validation.jsonl``, or
    ``raft.validation.jsonl`` as ``split`` names them), else ``training``."""
    stem = name.rsplit("/", 1)[-1].removesuffix(".jsonl")
    return "validation" if stem.split(".")[-1] in ("validation", "valid", "val") else "training"


def check_example(example: Any) -> list[Problem]:
    """Every problem of one parsed JSONL line; an empty list means a trainable example."""
    if not isinstance(example, dict):
        return [("data_type", f"line is a JSON {_json_type(example)}, not an object")]
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        found = "missing" if messages is None else f"a JSON {_json_type(messages)}"
        if isinstance(messages, list):
            found = "an empty list"
        return [("missing_messages_list", f'"messages" is {found}, not a non-empty list')]
    problems: list[Problem] = []
    has_assistant = False
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            problems.append(("message_missing_key", f"message {index} is not an object"))
            continue
        is_call = bool(message.get("function_call") or message.get("tool_calls"))
        missing = [k for k in ("role", "content") if k not in message]
        if is_call and "content" in missing:
            missing.remove("content")
        if missing:
            problems.append(
                ("message_missing_key", f"message {index} has no {' or '.join(missing)}")
            )
        unknown = message.keys() - RECOGNIZED_KEYS
        if unknown:
            names = ", ".join(sorted(map(repr, unknown)))
            problems.append(("message_unrecognized_key", f"message {index} has key {names}"))
        role = message.get("role")
        # A role may be any JSON value; an array or object is no role (and unhashable).
        if "role" in message and (not isinstance(role, str) or role not in RECOGNIZED_ROLES):
            problems.append(("unrecognized_role", f"message {index} has role {role!r}"))
        content = message.get("content")
        if not is_call and (not isinstance(content, str) or not content):
            what = "missing" if "content" not in message else _describe_content(content)
            problems.append(("missing_content", f"message {index} content is {what}"))
        if role == "assistant":
            has_assistant = True
    if not has_assistant:
        problems.append(("example_missing_assistant_message", "no assistant message"))
    return problems


def has_system_or_user(messages: list[dict[str, Any]]) -> bool:
    """False for an example the model would learn to answer without being asked."""
    return any(m.get("role") in ("system", "user") for m in messages)


def _describe_content(content: Any) -> str:
    if content == "":
        return "empty"
    if content is None:
        return "null"
    return f"a JSON {_json_type(content)}, not a string"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
