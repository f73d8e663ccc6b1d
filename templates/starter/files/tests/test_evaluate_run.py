"""How ``evaluate`` runs: concurrently, through rate limits, with costs, format validity,
progress, and an evidence file advisor reads back; and how it fails out loud."""

from __future__ import annotations

import io
import json
import sys
import threading
import types
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from {{ package }} import cli
from {{ package }}.evaluation import (
    EVIDENCE_SCHEMA,
    EvalItem,
    EvaluationError,
    Prediction,
    PriceBook,
    Progress,
    RateGate,
    Usage,
    close_systems,
    evidence,
    load_answer_format,
    load_price_book,
    problems,
    rate_limit_delay,
    record_usage,
    response_format,
    run,
    serial,
)

ITEMS = [EvalItem(f"q{n}", f"question {n}?", f"answer {n}") for n in range(12)]
SYSTEM_NAMES = ("base", "rag", "fine-tuned", "fine-tuned+rag")
PRICES = {
    "version": "2026.11.24",
    "chat_models": {
        "gpt-4.1-mini": {
            "input_per_1m": 0.4,
            "output_per_1m": 1.6,
            "fine_tuned_input_per_1m": 0.8,
            "fine_tuned_output_per_1m": 3.2,
        },
    },
    "embedding_models": {"text-embedding-3-small": {"per_1m": 0.02}},
}


def echo(question: str) -> Prediction:
    return Prediction(question.replace("question", "answer").rstrip("?"))


def by_system(report):
    return {s.system: s for s in report.summaries}


# --- the evidence document ----------------------------------------------------------------


def check_evidence_shape(document: dict) -> None:
    """advisor.evidence/1's minimal shape (advisor's docs/evidence.md)."""
    assert document["schema"] == "advisor.evidence/1"
    assert isinstance(document["eval_set"]["name"], str) and document["eval_set"]["name"]
    assert isinstance(document["eval_set"]["items"], int) and document["eval_set"]["items"] > 0
    assert isinstance(document["scorer"], str)
    for system in document["systems"]:
        assert isinstance(system["system"], str)
        assert isinstance(system["items"], int) and system["items"] > 0
        assert 0.0 <= system["score"] <= 1.0
        assert isinstance(system["errors"], int) and 0 <= system["errors"] <= system["items"]
        assert system["latency_p95_ms"] >= 0
        if "cost_per_1k_usd" in system:
            assert system["cost_per_1k_usd"] >= 0
        if "format_valid_rate" in system:
            assert 0.0 <= system["format_valid_rate"] <= 1.0
    for item in document["items"]:
        assert isinstance(item["system"], str) and isinstance(item["id"], str)
        assert 0.0 <= item["score"] <= 1.0
    json.dumps(document, allow_nan=False)  # strict JSON: no NaN or Infinity


def test_the_evidence_document_has_advisors_shape():
    report = run({name: echo for name in SYSTEM_NAMES}, ITEMS, scorer="exact")
    document = evidence(report, "guidelines")
    check_evidence_shape(document)
    assert document["schema"] == EVIDENCE_SCHEMA
    assert document["eval_set"] == {"name": "guidelines", "items": 12}
    assert [s["system"] for s in document["systems"]] == list(SYSTEM_NAMES)
    assert all(s["score"] == 1.0 for s in document["systems"])
    assert len(document["items"]) == 4 * 12
    assert "cost_per_1k_usd" not in document["systems"][0], "no usage reported: unknown"
    assert "format_valid_rate" not in document["systems"][0], "no format to check"


# --- concurrency and rate limits ----------------------------------------------------------


def test_questions_are_asked_concurrently_and_none_is_lost():
    # Four calls must be in flight at once to pass the barrier; asked one by one they
    # would all time out.
    barrier = threading.Barrier(4, timeout=10)

    def together(question: str) -> Prediction:
        barrier.wait()
        return echo(question)

    report = run({"base": together}, ITEMS[:8], scorer="exact", concurrency=4)
    assert by_system(report)["base"].errors == 0
    assert [r.id for r in report.results] == [i.id for i in ITEMS[:8]], "in the set's order"


def test_a_serial_system_answers_one_question_at_a_time():
    lock, inside, most = threading.Lock(), [0], [0]

    def counted(question: str) -> Prediction:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        threading.Event().wait(0.01)
        with lock:
            inside[0] -= 1
        return echo(question)

    report = run({"local": serial(counted)}, ITEMS, concurrency=8)
    assert most[0] == 1
    assert by_system(report)["local"].score == 1.0


class RateLimited(Exception):
    """Shaped like openai.RateLimitError: a status code and the response's headers."""

    status_code = 429

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("Rate limit reached for requests")
        self.response = SimpleNamespace(headers=headers)


def test_a_rate_limited_question_waits_as_told_and_is_asked_again():
    refusals: dict[str, int] = {}
    lock = threading.Lock()

    def limited(question: str) -> Prediction:
        with lock:
            refusals[question] = refusals.get(question, 0) + 1
            if refusals[question] <= 2:
                raise RateLimited({"retry-after": "1.5"})
        return echo(question)

    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = RateGate(sleep=sleep, clock=lambda: now[0])
    report = run({"base": limited}, ITEMS, scorer="exact", concurrency=3, gate=gate)
    summary = by_system(report)["base"]
    assert summary.errors == 0 and summary.score == 1.0, "no item lost to the limit"
    assert all(count == 3 for count in refusals.values())
    assert slept and slept[0] == pytest.approx(1.5), "Retry-After honoured"


def test_without_retry_after_the_wait_backs_off_and_finally_gives_up():
    calls = []

    def always_limited(question: str) -> Prediction:
        calls.append(question)
        raise RateLimited({})

    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    gate = RateGate(max_retries=3, base_delay=0.5, sleep=sleep, clock=lambda: now[0])
    report = run({"base": always_limited}, ITEMS[:1], gate=gate, concurrency=1)
    assert len(calls) == 4
    assert now[0] == pytest.approx(0.5 + 1.0 + 2.0), "exponential backoff"
    assert report.results[0].error == "RateLimited: Rate limit reached for requests"


def test_a_rate_limit_is_seen_through_the_error_a_backend_wraps_it_in():
    def wrapped() -> None:
        try:
            raise RateLimited({"retry-after-ms": "250"})
        except RateLimited:
            raise RuntimeError("chat completion failed: RateLimitError (HTTP 429)") from None

    with pytest.raises(RuntimeError) as caught:
        wrapped()
    assert rate_limit_delay(caught.value) == pytest.approx(0.25)
    assert rate_limit_delay(ValueError("no")) is None


def test_retry_after_may_be_an_http_date():
    import email.utils
    import time

    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    delay = rate_limit_delay(RateLimited({"retry-after": when}))
    assert delay is not None and 25 <= delay <= 30
    assert rate_limit_delay(RateLimited({"retry-after": "soon"})) == 0.0, "unreadable: backoff"


# --- cost from reported usage -------------------------------------------------------------


def usage(prompt: int, completion: int = 0) -> SimpleNamespace:
    return SimpleNamespace(prompt_tokens=prompt, completion_tokens=completion)


def test_cost_per_1k_comes_from_reported_usage_and_the_price_book(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(PRICES), encoding="utf-8")
    prices = load_price_book(path)

    def rag(question: str) -> Prediction:
        record_usage("text-embedding-3-small", usage(1000), kind="embedding")
        record_usage("gpt-4.1-mini-2025-04-14", usage(1000, 100))
        return echo(question)

    def tuned(question: str) -> Prediction:
        record_usage("ft:gpt-4.1-mini-2025-04-14:org:guidelines:abc", usage(1000, 100))
        return echo(question)

    def local(question: str) -> Prediction:
        record_usage("Qwen/Qwen2.5-1.5B-Instruct", usage(50, 5))
        return echo(question)

    report = run({"rag": rag, "fine-tuned": tuned, "base": local}, ITEMS, prices=prices)
    summaries = by_system(report)
    # per question: 1000 x 0.02/1M + 1000 x 0.4/1M + 100 x 1.6/1M = 0.00058 USD
    assert summaries["rag"].cost_per_1k_usd == pytest.approx(0.58)
    # fine-tuned rates: 1000 x 0.8/1M + 100 x 3.2/1M = 0.00112 USD
    assert summaries["fine-tuned"].cost_per_1k_usd == pytest.approx(1.12)
    assert summaries["base"].cost_per_1k_usd is None
    assert "base: cost per 1k unknown, no price for Qwen/Qwen2.5-1.5B-Instruct" in problems(report)
    document = evidence(report, "guidelines", prices)
    check_evidence_shape(document)
    assert document["price_book"] == "2026.11.24"
    first = document["items"][0]
    assert (first["input_tokens"], first["output_tokens"]) == (2000, 100)


def test_a_model_without_fine_tuned_rates_has_no_fine_tuned_price():
    book = PriceBook({"gpt-x": {"input_per_1m": 1.0, "output_per_1m": 2.0}}, {})
    assert book.cost(Usage("gpt-x-2026-01-01", 1_000_000, 0)) == 1.0
    assert book.cost(Usage("ft:gpt-x-2026-01-01:org::id", 1_000_000, 0)) is None
    assert book.cost(Usage("gpt-xl", 1, 1)) is None, "a longer name is another model"


def test_usage_outside_an_evaluation_is_ignored():
    record_usage("gpt-4.1-mini", usage(10, 10))  # `chat`, `ask`: nothing to meter


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "cannot read the price book"),
        (
            '{"chat_models": {"m": {"input_per_1m": "cheap", "output_per_1m": 1}}}',
            "chat_models.m.input_per_1m must be a number >= 0",
        ),
        ('{"embedding_models": {"e": {"per_1m": -1}}}', "embedding_models.e.per_1m"),
        ("[]", "not a price book"),
    ],
)
def test_a_broken_price_book_is_one_line(tmp_path, content, message):
    path = tmp_path / "prices.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvaluationError, match=message):
        load_price_book(path)
    assert load_price_book(tmp_path / "missing.json") is None


# --- the answer format --------------------------------------------------------------------


def json_answer(raw: str) -> str:
    data = json.loads(raw)  # a JSONDecodeError is a ValueError
    if not isinstance(data, dict) or not isinstance(data.get("answer"), str):
        raise ValueError("no answer field")
    return data["answer"]


def test_format_validity_is_the_share_of_answers_that_parse():
    def structured(question: str) -> Prediction:
        text = echo(question).answer
        return Prediction(json.dumps({"answer": text}) if question != "question 0?" else text)

    report = run({"base": structured}, ITEMS, scorer="exact", answer_format=json_answer)
    summary = by_system(report)["base"]
    assert summary.format_valid_rate == pytest.approx(11 / 12)
    assert summary.score == 1.0, "the parsed answer is scored, the raw one where it broke"
    assert [r.format_valid for r in report.results[:2]] == [False, True]
    document = evidence(report, "guidelines")
    check_evidence_shape(document)
    assert document["systems"][0]["format_valid_rate"] == pytest.approx(11 / 12)


{% if answers.get("format") == "schema" %}
def test_the_answer_schema_asks_for_strict_structured_outputs_and_checks_answers():
    from {{ package }}.answer_schema import Answer

    asked = response_format()
    assert asked == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "strict": True, "schema": Answer.model_json_schema()},
    }
    schema = asked["json_schema"]["schema"]
    # What strict structured outputs require of a schema.
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])
    check = load_answer_format()
    assert check is not None
    assert check('{"answer": "every year", "confident": true}') == "every year"
    for broken in ("every year", '{"answer": "x"}', '{"answer": "x", "confident": true, "y": 1}'):
        with pytest.raises(ValueError):
            check(broken)
{% else %}
def test_without_an_answer_schema_answers_are_free_text():
    assert response_format() is None
    assert load_answer_format() is None
{% endif %}


# --- progress -----------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_counts_items_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    screen = Terminal()
    run({"base": echo}, ITEMS, progress=Progress(12, screen))
    assert "\revaluated 12/12" in screen.getvalue()
    assert screen.getvalue().endswith("\n")


def test_progress_is_silent_in_a_pipe_and_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    pipe = io.StringIO()
    run({"base": echo}, ITEMS, progress=Progress(12, pipe))
    assert pipe.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    screen = Terminal()
    run({"base": echo}, ITEMS, progress=Progress(12, screen))
    assert screen.getvalue() == ""


# --- the command --------------------------------------------------------------------------


def use_systems(monkeypatch, systems: dict) -> None:
    module = types.ModuleType(f"{cli.__package__}.fake_run_systems")
    module.systems = lambda: systems
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(cli, "EVAL_SYSTEM_MODULES", ("fake_run_systems",))


def write_eval_set(folder: Path) -> Path:
    path = folder / "evals" / "eval.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join(
            json.dumps({"id": i.id, "question": i.question, "answer": i.answer}) for i in ITEMS[:3]
        ),
        encoding="utf-8",
    )
    return path


def unauthorized(question: str) -> Prediction:
    raise PermissionError("Error code: 401 - Incorrect API key provided")


def test_evaluate_writes_evidence_to_evals_results_json_by_default(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    write_eval_set(tmp_path)
    use_systems(monkeypatch, {"base": echo, "rag": echo})
    result = CliRunner().invoke(cli.main, ["evaluate", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "evals" / "results.json").read_text("utf-8"))
    check_evidence_shape(document)
    assert [s["system"] for s in document["systems"]] == ["base", "rag"]
    assert "cost per 1k unknown: no price book at evals/prices.json" in result.output


def test_evaluate_exits_non_zero_and_says_why_when_a_system_fails_everywhere(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    write_eval_set(tmp_path)
    use_systems(monkeypatch, {"base": echo, "rag": unauthorized})
    result = CliRunner().invoke(cli.main, ["evaluate"])
    assert result.exit_code == 1
    assert (
        "rag: 3 of 3 failed; first: PermissionError: Error code: 401 - Incorrect API key "
        "provided" in result.output
    )
    assert "every question failed for rag" in result.output
    # The measurements are still written: they say what failed.
    document = json.loads((tmp_path / "evals" / "results.json").read_text("utf-8"))
    assert document["systems"][1]["errors"] == 3


def test_evaluate_prints_the_first_error_of_a_partly_failing_system(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    write_eval_set(tmp_path)

    def flaky(question: str) -> Prediction:
        if question == "question 1?":
            raise TimeoutError("Request timed out.")
        return echo(question)

    use_systems(monkeypatch, {"base": flaky})
    result = CliRunner().invoke(cli.main, ["evaluate"])
    assert result.exit_code == 0, result.output
    assert "base: 1 of 3 failed; first: TimeoutError: Request timed out." in result.output


class Closing:
    """A system holding a client, and how often it was closed."""

    def __init__(self, fail: bool = False) -> None:
        self.closed = 0
        self.fail = fail

    def __call__(self, question: str) -> Prediction:
        if self.fail:
            raise ConnectionError("refused")
        return echo(question)

    def close(self) -> None:
        self.closed += 1


def test_evaluate_closes_every_system_once_whatever_happened(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    write_eval_set(tmp_path)
    good, bad = Closing(), Closing(fail=True)
    use_systems(monkeypatch, {"base": good, "rag": bad, "unused": good})
    result = CliRunner().invoke(cli.main, ["evaluate", "--system", "base", "--system", "rag"])
    assert result.exit_code == 1
    assert (good.closed, bad.closed) == (1, 1)

    refused = Closing()
    use_systems(monkeypatch, {"base": refused})
    result = CliRunner().invoke(cli.main, ["evaluate", "--system", "nope"])
    assert result.exit_code == 2
    assert refused.closed == 1, "closed even when the run never started"
    close_systems({"a": refused, "b": refused})
    assert refused.closed == 2


def test_evaluate_reads_the_concurrency_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    write_eval_set(tmp_path)
    use_systems(monkeypatch, {"base": echo})
    monkeypatch.setenv("EVAL_CONCURRENCY", "0")
    result = CliRunner().invoke(cli.main, ["evaluate"])
    assert result.exit_code == 2
    assert "EVAL_CONCURRENCY" in result.output or "--concurrency" in result.output
