"""Property-based tests: the framework's invariants, and hostile answers files.

Whatever arrives, `decide` has two outcomes: a decision (exit 0) or a one-line error (exit
2). The framework always returns one of three recommendations with a confidence in [0, 1],
its flips are true, and more of a resource never makes fine-tuning less available.
"""

from __future__ import annotations

import json
from dataclasses import replace

import yaml
from click.testing import CliRunner
from hypothesis import event, given
from hypothesis import strategies as st

from advisor.cli import cli
from advisor.framework import RECOMMENDATIONS, decide, recommend
from advisor.questionnaire import FORMATS, VOLATILITY, Answers

answers_strategy = st.builds(
    Answers,
    volatility=st.sampled_from(VOLATILITY),
    format=st.sampled_from(FORMATS),
    latency_ms=st.integers(1, 600_000),
    budget_usd=st.floats(0, 1e7, allow_nan=False),
    examples=st.integers(0, 100_000),
    citations=st.booleans(),
    queries_per_month=st.integers(0, 10**9),
    documents=st.integers(0, 10**7),
)


@given(answers_strategy)
def test_framework_always_returns_a_recommendation_and_a_bounded_confidence(answers):
    decision = decide(answers)
    assert decision.recommendation in RECOMMENDATIONS
    assert 0.0 <= decision.confidence <= 1.0
    assert decision.reasons


@given(answers_strategy)
def test_applying_a_flip_yields_the_stated_recommendation(answers):
    decision = decide(answers)
    for flip in decision.flips:
        changed = replace(answers, **{flip.key: flip.to})
        assert recommend(changed) == flip.recommendation != decision.recommendation


@given(answers_strategy, st.integers(1, 10_000))
def test_more_examples_never_turn_fine_tuning_into_rag(answers, more):
    before = recommend(answers)
    after = recommend(replace(answers, examples=answers.examples + more))
    if before in ("fine-tune", "hybrid"):
        assert after in ("fine-tune", "hybrid")


@given(answers_strategy, st.floats(1, 1e6))
def test_more_budget_never_turns_fine_tuning_into_rag(answers, more):
    if recommend(answers) != "rag":
        assert recommend(replace(answers, budget_usd=answers.budget_usd + more)) != "rag"


@given(answers_strategy)
def test_needing_citations_never_removes_retrieval(answers):
    with_citations = recommend(replace(answers, citations=True))
    assert with_citations in ("rag", "hybrid")


# --- hostile input ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
CORE = {
    "volatility": "weekly",
    "format": "light",
    "latency_ms": 2000,
    "budget_usd": 100,
}


def assert_decision_or_one_line_error(result) -> None:
    """A decision on stdout, or exit 2 with one ``Error:`` line per problem and nothing else."""
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert lines and all(line.startswith("Error: ") for line in lines), result.output
    else:
        assert json.loads(result.stdout)["recommendation"] in RECOMMENDATIONS


def run_file(tmp_path, content: bytes, suffix: str):
    path = tmp_path / f"answers{suffix}"
    path.write_bytes(content)
    return CliRunner().invoke(
        cli, ["decide", "--answers", str(path), "--no-input", "--format", "json"]
    )


@given(st.dictionaries(st.sampled_from([*CORE, "examples", "citations", "documents"]), json_values))
def test_any_value_for_known_keys(tmp_path_factory, values):
    tmp = tmp_path_factory.mktemp("answers")
    content = json.dumps({**CORE, **values}).encode()
    assert_decision_or_one_line_error(run_file(tmp, content, ".json"))


@given(json_values)
def test_any_json_document(tmp_path_factory, document):
    tmp = tmp_path_factory.mktemp("answers")
    result = run_file(tmp, json.dumps(document).encode(), ".json")
    assert_decision_or_one_line_error(result)


@given(st.binary(max_size=200))
def test_any_bytes_as_yaml(tmp_path_factory, content):
    tmp = tmp_path_factory.mktemp("answers")
    assert_decision_or_one_line_error(run_file(tmp, content, ".yaml"))


@given(st.text(max_size=200))
def test_any_text_as_yaml(tmp_path_factory, text):
    tmp = tmp_path_factory.mktemp("answers")
    assert_decision_or_one_line_error(run_file(tmp, text.encode("utf-8", "replace"), ".yaml"))


@given(st.sampled_from([*CORE, "examples", "citations", "unknown"]), st.text(max_size=30))
def test_any_set_value(key, value):
    args = ["decide", "--no-input", "--format", "json"]
    for k, v in CORE.items():
        args += ["--set", f"{k}={v}"]
    args += ["--set", f"{key}={value}"]
    assert_decision_or_one_line_error(CliRunner().invoke(cli, args))


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    result = run_file(tmp_path, "\n".join(lines).encode(), ".yaml")
    assert result.exit_code == 2
    assert "aliases are not allowed" in result.output


def test_deep_nesting_is_one_line(tmp_path):
    for suffix, text in ((".json", "[" * 100_000 + "]" * 100_000), (".yaml", "[" * 100_000)):
        assert_decision_or_one_line_error(run_file(tmp_path, text.encode(), suffix))


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    content = yaml.safe_dump(CORE).encode() + b"#" * 2_000_000
    result = run_file(tmp_path, content, ".yaml")
    assert result.exit_code == 2 and "at most" in result.output


# --- scaffold arguments -------------------------------------------------------------------


@given(
    name=st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True) | st.text(max_size=40),
    collection=st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,10}", fullmatch=True) | st.text(max_size=20),
    top_k=st.integers(-5, 60).map(str) | st.text(max_size=8),
)
def test_any_scaffold_name_and_backend_answer(tmp_path_factory, name, collection, top_k):
    """A project name and backend answers from anywhere: a project inside the target, or a
    one-line error; never a traceback, never a file outside the target."""
    from scaffold_testkit import RAG_ANSWERS, TEST_RAG, BackendsPlugin, write_answers

    from advisor import plugins

    root = tmp_path_factory.mktemp("scaffold")
    answers = write_answers(root, RAG_ANSWERS)
    target = root / "out" / "proj"
    before = set(root.rglob("*"))
    manager = plugins.Plugins(strict=True)
    manager.add(BackendsPlugin(TEST_RAG), "test-backends")
    previous = plugins.use(manager)
    try:
        result = CliRunner().invoke(
            cli,
            [
                "scaffold",
                str(target),
                "--answers",
                str(answers),
                "--no-input",
                "--backend",
                "test-rag",
                "--name",
                name,
                "--set",
                f"test_collection={collection}",
                "--set",
                f"test_top_k={top_k}",
            ],
        )
    finally:
        plugins.use(previous)
    event(f"exit code {result.exit_code}")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert lines, result.output  # one line per problem
        assert not target.exists()
    written = set(root.rglob("*")) - before
    assert all(path == root / "out" or target in (path, *path.parents) for path in written)
