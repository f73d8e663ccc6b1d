"""The straightforward validator the starter's `validate` is measured against.

One line at a time: `json.loads`, the same checks as OpenAI's data-prep cookbook, the same
outputs (error counts with their line numbers, per-example token counts for the
distribution, the over-length and no-system-or-user warnings), the same token
approximation (1 token per 4 bytes of UTF-8, rounded up) and the same per-message framing.
Prints one JSON object so the benchmark can check both did the same work.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

ROLES = {"system", "user", "assistant", "function", "tool"}
KEYS = {"role", "content", "name", "function_call", "weight", "tool_calls", "tool_call_id"}


def tokens(text: str) -> int:
    return (len(text.encode("utf-8")) + 3) // 4


def check(example: object) -> tuple[list[str], int, int]:
    """(error types found, total tokens, assistant tokens) of one parsed line."""
    if not isinstance(example, dict):
        return ["data_type"], 0, 0
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        return ["missing_messages_list"], 0, 0
    problems: list[str] = []
    has_assistant = False
    total, assistant = 3, 0
    for message in messages:
        if not isinstance(message, dict):
            problems.append("message_missing_key")
            continue
        is_call = bool(message.get("function_call") or message.get("tool_calls"))
        if "role" not in message or ("content" not in message and not is_call):
            problems.append("message_missing_key")
        if set(message) - KEYS:
            problems.append("message_unrecognized_key")
        if "role" in message and message["role"] not in ROLES:
            problems.append("unrecognized_role")
        content = message.get("content")
        if not is_call and (not isinstance(content, str) or not content):
            problems.append("missing_content")
        has_assistant |= message.get("role") == "assistant"
        total += 3
        for key, value in message.items():
            if key == "weight" or value is None:
                continue
            n = tokens(value if isinstance(value, str) else json.dumps(value))
            total += n + (1 if key == "name" else 0)
            if key != "role" and key != "name" and message.get("role") == "assistant":
                assistant += n
    if not has_assistant:
        problems.append("example_missing_assistant_message")
    return problems, total, assistant


def main(path: str) -> None:
    errors: Counter = Counter()
    error_lines: dict[str, list[int]] = {}
    histogram: Counter = Counter()
    too_long: list[int] = []
    no_prompt: list[int] = []
    examples = total_tokens = assistant_tokens = 0
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                example = json.loads(line)
            except json.JSONDecodeError:
                problems, total, assistant = ["invalid_json"], 0, 0
            else:
                problems, total, assistant = check(example)
            for kind in problems:
                errors[kind] += 1
                error_lines.setdefault(kind, []).append(number)
            if problems:
                continue
            examples += 1
            total_tokens += total
            assistant_tokens += assistant
            histogram[total] += 1
            if total > 16_385:
                too_long.append(number)
            if not any(m.get("role") in ("system", "user") for m in example["messages"]):
                no_prompt.append(number)
    print(
        json.dumps(
            {
                "examples": examples,
                "errors": dict(errors),
                "error_lines": error_lines,
                "total_tokens": total_tokens,
                "assistant_tokens": assistant_tokens,
                "distinct_lengths": len(histogram),
                "too_long": len(too_long),
                "no_system_or_user": len(no_prompt),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
