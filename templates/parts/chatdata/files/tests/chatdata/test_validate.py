"""`validate`: every error type with its count and line numbers, warnings, numbers, exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.chatdata.epochs import default_epochs
from {{ package }}.chatdata.models import (
    GpuPrice,
    lookup,
    open_weights_gpu,
)
from {{ package }}.chatdata.report import (
    Plan,
    render_text,
    validate_file,
)
from {{ package }}.cli import main

VALID = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
BAD_FILE = [
    VALID,  # 1
    "{not json",  # 2
    "[1, 2]",  # 3
    {"messages": []},  # 4
    {"messages": [{"role": "user"}, {"role": "assistant", "content": "a"}]},  # 5
    {"messages": [{"role": "user", "content": "q", "foo": 1},
                  {"role": "assistant", "content": "a"}]},  # 6
    {"messages": [{"role": "robot", "content": "q"}, {"role": "assistant", "content": "a"}]},  # 7
    {"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "a"}]},  # 8
    {"messages": [{"role": "user", "content": "q"}]},  # 9
    {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": 42}]},  # 10
    "   ",  # 11: blank
    {"messages": [  # 12: a valid tool-calling example
        {"role": "user", "content": "Look up the guideline."},
        {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
         "function": {"name": "lookup", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "below 7%"},
        {"role": "assistant", "content": "below 7%"},
    ]},
    {"messages": [{"content": "q"}, {"role": "assistant", "content": "a"}]},  # 13
    "7",  # 14
]


def run_json(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["validate", *args, "--format", "json",
                                       "--tokenizer", "approx"])
    return result.exit_code, json.loads(result.output)


def test_every_error_type_is_counted_with_its_lines(write_jsonl):
    code, report = run_json(str(write_jsonl(BAD_FILE)))
    assert code == 1
    assert report["ok"] is False
    assert report["errors"] == {
        "invalid_json": 1,
        "data_type": 2,
        "missing_messages_list": 1,
        "message_missing_key": 2,
        "message_unrecognized_key": 1,
        "unrecognized_role": 1,
        "missing_content": 3,
        "example_missing_assistant_message": 1,
    }
    assert report["error_lines"] == {
        "invalid_json": [2],
        "data_type": [3, 14],
        "missing_messages_list": [4],
        "message_missing_key": [5, 13],
        "message_unrecognized_key": [6],
        "unrecognized_role": [7],
        "missing_content": [5, 8, 10],
        "example_missing_assistant_message": [9],
    }
    assert report["examples"] == 13
    assert report["valid_examples"] == 2
    assert {"type": "blank_lines", "message": "blank lines are skipped", "count": 1,
            "lines": [11]} in report["warnings"]
    details = {(p["line"], p["type"]): p["detail"] for p in report["problems"]}
    assert "'foo'" in details[(6, "message_unrecognized_key")]
    assert "'robot'" in details[(7, "unrecognized_role")]
    assert details[(10, "missing_content")] == "message 1 content is a JSON number, not a string"


@pytest.mark.parametrize("role", [["user"], {"name": "user"}, 7, None])
def test_a_role_that_is_not_a_string_is_an_unrecognized_role(write_jsonl, example, role):
    bad = {"messages": [{"role": role, "content": "hi"}, {"role": "assistant", "content": "a"}]}
    code, report = run_json(str(write_jsonl([bad] + [example()] * 10)))
    assert code == 1
    assert report["errors"] == {"unrecognized_role": 1}
    assert report["error_lines"] == {"unrecognized_role": [1]}


def test_text_report_names_each_problem_with_its_line(write_jsonl):
    result = CliRunner().invoke(main, ["validate", str(write_jsonl(BAD_FILE)),
                                       "--tokenizer", "approx"])
    assert result.exit_code == 1
    assert "  missing_content: 3 (lines 5, 8, 10)" in result.output
    assert "  line 9: example_missing_assistant_message: no assistant message" in result.output


def test_fewer_than_ten_examples_is_an_error(write_jsonl, example):
    code, report = run_json(str(write_jsonl([example()] * 9)))
    assert code == 1
    assert report["errors"] == {"too_few_examples": 1}
    assert report["problems"][0]["line"] is None


@pytest.mark.parametrize("name, args, role, ok", [
    ("validation.jsonl", [], "validation", True),
    ("raft.validation.jsonl", [], "validation", True),
    ("small.jsonl", ["--role", "validation"], "validation", True),
    ("train.jsonl", [], "training", False),
    ("validation.jsonl", ["--role", "training"], "training", False),
])
def test_a_validation_file_is_held_to_the_minimum_train_applies_to_it(
    write_jsonl, example, name, args, role, ok
):
    # `train` uploads a 2-example validation file and the job succeeds: `validate` agrees
    code, report = run_json(str(write_jsonl([example()] * 2, name=name)), *args)
    assert (code, report["ok"], report["role"]) == (0 if ok else 1, ok, role)
    assert ("too_few_examples" in report["errors"]) is not ok
    assert not [w for w in report["warnings"] if w["type"] == "few_examples"]


def test_an_empty_validation_file_is_still_an_error(write_jsonl):
    code, report = run_json(str(write_jsonl([], name="validation.jsonl")))
    assert code == 1
    assert report["problems"][0]["detail"] == "0 examples; a validation file needs at least 1"


def test_an_open_weights_model_is_priced_in_gpu_hours_not_openai_terms(write_jsonl, example):
    gpu = GpuPrice("test-lora", "Test GPU (24 GB)", 2.0, 1000.0, 0.5, "https://example.org")
    plan = Plan(lookup("Org/Open-Model-1B"), "auto", gpu)
    report = validate_file(write_jsonl([example()] * 20), plan, tokenizer="approx")
    hours = report["billed_tokens"] / (1000 * 3600) + 0.5
    assert report["cost_basis"] == "gpu-hours"
    assert report["gpu_hours"] == round(hours, 2)
    assert report["estimated_cost_usd"] == round(round(hours, 2) * 2.0, 2)
    text = render_text(report)
    numbers = text.split("tokens counted with", 1)[1]
    assert "OpenAI" not in numbers and "unknown" not in numbers
    assert f"epochs: {default_epochs(20)} (the default heuristic for 20 valid examples)" in text
    assert (f"GPU-hours ({report['billed_tokens']:,} tokens at 1,000 tokens/s + 0.5 h overhead) "
            "on Test GPU (24 GB) at $2.00/h") in text


def test_an_openai_model_keeps_its_token_price_in_any_project(write_jsonl, example):
    gpu = GpuPrice("test-lora", "Test GPU", 2.0, 1000.0, 0.5, "https://example.org")
    plan = Plan(lookup("gpt-4.1-mini-2025-04-14"), "auto", gpu)
    report = validate_file(write_jsonl([example()] * 20), plan, tokenizer="approx")
    assert report["price_usd_per_1m_tokens"] == 5.0
    assert (report["cost_basis"], report["gpu"]) == ("tokens", None)
    assert "OpenAI's default for" in render_text(report)


def test_warnings_for_missing_prompt_long_examples_and_few_examples(write_jsonl, example):
    no_prompt = {"messages": [{"role": "assistant", "content": "below 7%"}]}
    long = example(question="x" * 70_000)  # 17,500 approximate tokens
    code, report = run_json(str(write_jsonl([example()] * 10 + [no_prompt, long])))
    assert code == 0
    warnings = {w["type"]: (w["count"], w["lines"]) for w in report["warnings"]}
    assert warnings == {
        "missing_system_or_user_message": (1, [11]),
        "over_token_limit": (1, [12]),
        "few_examples": (12, []),
    }


def test_fifty_clean_examples_have_no_warnings(write_jsonl, example):
    code, report = run_json(str(write_jsonl([example(f"q{i}") for i in range(50)])))
    assert (code, report["errors"], report["warnings"]) == (0, {}, [])


def test_tokens_epochs_billing_and_cost(write_jsonl):
    # With the approximation (4 bytes a token, rounded up) each example is:
    # 3 priming + user (3 framing + "user" 1 + 20 bytes 5) + assistant (3 + "assistant" 3 + 1)
    # = 3 + 9 + 7 = 19 tokens, 1 of them the assistant's.
    line = {"messages": [{"role": "user", "content": "abcd" * 5},
                         {"role": "assistant", "content": "xy"}]}
    path = write_jsonl([line] * 10)
    code, report = run_json(str(path), "--model", "gpt-4o-mini-2024-07-18")
    assert code == 0
    assert report["tokens"]["exact"] is False
    assert report["tokens"]["counting"].startswith("approximate")
    assert report["tokens"]["total"] == {"sum": 190, "min": 19, "max": 19, "mean": 19.0,
                                         "p50": 19, "p90": 19}
    assert report["tokens"]["assistant"]["sum"] == 10
    assert (report["epochs"], report["epochs_source"]) == (10, "heuristic")  # 10 x 10 = 100
    assert report["billed_tokens"] == 19 * 10 * 10
    assert report["estimated_cost_usd"] == pytest.approx(1900 * 3.0 / 1_000_000)
    _, configured = run_json(str(path), "--model", "gpt-4o-mini-2024-07-18", "--epochs", "2")
    assert (configured["epochs"], configured["billed_tokens"]) == (2, 380)


def test_epochs_come_from_the_environment(write_jsonl, example, monkeypatch):
    monkeypatch.setenv("FINETUNE_EPOCHS", "4")
    _, report = run_json(str(write_jsonl([example()] * 10)))
    assert (report["epochs"], report["epochs_source"]) == (4, "configured")


def test_unknown_model_has_no_token_price_but_still_validates(write_jsonl, example):
    code, report = run_json(str(write_jsonl([example()] * 10)), "--model", "my-own-model")
    assert code == 0
    assert report["price_usd_per_1m_tokens"] is None
    assert report["billed_tokens"] > 0
    if open_weights_gpu() is None:  # an OpenAI project: nothing to price it with
        assert (report["estimated_cost_usd"], report["cost_basis"]) == (None, None)
    else:  # an open-weights project prices any model without a token price in GPU-hours
        assert report["cost_basis"] == "gpu-hours" and report["estimated_cost_usd"] > 0


def test_fine_tuned_model_is_priced_as_its_base(write_jsonl, example):
    _, report = run_json(str(write_jsonl([example()] * 10)), "--model",
                         "ft:gpt-4o-mini-2024-07-18:acme:guidelines:abc123")
    assert report["model"] == "gpt-4o-mini-2024-07-18"
    assert report["price_usd_per_1m_tokens"] == 3.0


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [(1, 25), (4, 25), (5, 20), (10, 10), (30, 4), (33, 4), (34, 3), (100, 3), (8333, 3),
     (8334, 2), (12_500, 2), (12_501, 1), (100_000, 1)],
)
def test_default_epochs_follow_openais_heuristic(examples, epochs):
    assert default_epochs(examples) == epochs


def test_exit_codes_for_bad_input(write_jsonl, example, monkeypatch):
    runner = CliRunner()
    missing = runner.invoke(main, ["validate", "nope.jsonl"])
    assert missing.exit_code == 2
    bad_epochs = runner.invoke(main, ["validate", str(write_jsonl([example()])), "--epochs", "0"])
    assert bad_epochs.exit_code == 2
    assert "auto or an integer from 1 to 50" in bad_epochs.output
    monkeypatch.setenv("FINETUNE_EPOCHS", "lots")
    bad_env = runner.invoke(main, ["validate", str(write_jsonl([example()]))])
    assert bad_env.exit_code == 2
    assert bad_env.output.strip().splitlines()[-1] == (
        "Error: FINETUNE_EPOCHS: 'lots' is not allowed (allowed: auto or an integer from 1 to 50)"
    )
    assert "Traceback" not in bad_env.output


def test_line_numbers_are_capped_but_counts_stay_exact(write_jsonl):
    path = write_jsonl(["oops"] * 30)
    code, report = run_json(str(path), "--max-lines", "5")
    assert code == 1
    assert report["errors"] == {"invalid_json": 30}
    assert report["error_lines"]["invalid_json"] == [1, 2, 3, 4, 5]
    assert (report["problems_shown"], report["problems_total"]) == (5, 30)


def test_json_output_has_the_documented_keys(write_jsonl, example):
    _, report = run_json(str(write_jsonl([example()] * 10)))
    assert {"examples", "errors", "warnings", "tokens", "epochs", "billed_tokens",
            "estimated_cost_usd"} <= report.keys()


def test_a_file_that_does_not_end_in_a_newline_is_read_whole(tmp_path: Path, example):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(example()) for _ in range(10)), encoding="utf-8")
    code, report = run_json(str(path))
    assert (code, report["valid_examples"]) == (0, 10)
