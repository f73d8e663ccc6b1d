"""Property-based tests of the fine-tuning starters' data scanner (the shared ``chatdata`` part).

Whatever a training file holds, ``validate`` counts every non-blank line once, as a valid
example or as one with errors, and never raises; and the fast path taken for ordinary
examples accepts only what the full checks accept, with the same token counts.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import event, given
from hypothesis import strategies as st

from advisor.cli import cli

ANSWERS = Path(__file__).resolve().parents[1] / "examples" / "answers" / "medical-guidelines.yaml"


@pytest.fixture(scope="module")
def chatdata(tmp_path_factory):
    """The ``chatdata`` modules of a freshly scaffolded openai-finetune starter."""
    project = tmp_path_factory.mktemp("starter") / "props"
    result = CliRunner().invoke(
        cli, ["scaffold", str(project), "--backend", "openai-finetune", "--answers",
              str(ANSWERS), "--no-input"]
    )
    assert result.exit_code == 0, result.output
    (package,) = [p.name for p in (project / "src").iterdir() if (p / "__init__.py").exists()]
    sys.path.insert(0, str(project / "src"))
    try:
        yield SimpleNamespace(
            **{name: importlib.import_module(f"{package}.chatdata.{name}")
               for name in ("rules", "scan", "tokens")}
        )
    finally:
        sys.path.remove(str(project / "src"))
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=6,
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "role": st.sampled_from(["system", "user", "assistant", "tool", "robot"]) | json_values,
        "content": st.text(max_size=30) | json_values,
        "weight": st.sampled_from([0, 1]),
        "name": st.text(max_size=5),
        "tool_calls": json_values,
        "foo": json_values,
    },
)


def plain_message(roles: list[str]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {"role": st.sampled_from(roles), "content": st.text(min_size=1, max_size=30)},
        optional={"weight": st.sampled_from([0, 1])},
    )


# Ordinary examples (the fast path's), then anything shaped like an example.
examples = st.builds(
    lambda before, answer: {"messages": [*before, answer]},
    st.lists(plain_message(["system", "user", "assistant"]), max_size=3),
    plain_message(["assistant"]),
) | st.fixed_dictionaries(
    {"messages": st.lists(plain_message(["system", "user"]) | messages | json_values, max_size=4)}
)
lines = st.lists(
    (examples | json_values).map(json.dumps) | st.sampled_from(["", "  ", "{oops", "[]"]),
    max_size=25,
)


@given(lines)
def test_every_non_blank_line_is_one_valid_example_or_one_with_errors(chatdata, text_lines):
    raw = [line.encode("utf-8") + b"\n" for line in text_lines]
    counter = chatdata.tokens.approximate_counter()
    summary = chatdata.scan.scan_lines(raw, counter, limit=10**6)
    examples = sum(1 for line in text_lines if line.strip())
    with_errors = set().union(*(found.lines for found in summary.errors.values()))
    assert summary.lines == len(text_lines)
    assert summary.examples == examples
    assert summary.valid + len(with_errors) == examples
    assert summary.total_tokens.total() == summary.assistant_tokens.total() == summary.valid


@given(examples | json_values)
def test_the_fast_path_accepts_only_valid_examples_and_counts_like_the_full_count(
    chatdata, example
):
    counter = chatdata.tokens.approximate_counter()
    overheads = chatdata.tokens.message_overheads(counter.count)
    if not isinstance(example, dict):
        assert chatdata.rules.check_example(example)
        return
    plain = chatdata.tokens.plain_example_tokens(example.get("messages"), counter.count, overheads)
    event("fast path" if plain is not None else "full checks")
    if plain is None:
        return
    assert chatdata.rules.check_example(example) == []
    total, assistant, asked = plain
    assert (total, assistant) == counter.example_tokens(example["messages"])
    assert asked == chatdata.rules.has_system_or_user(example["messages"])
