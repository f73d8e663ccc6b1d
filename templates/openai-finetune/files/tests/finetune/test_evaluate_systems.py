"""`evaluate` over `base` and `fine-tuned` against the local OpenAI server.

Costs come from the usage the server reports, and the client is closed at the end.
{% if answers.get("format") == "schema" %}
Answers are structured outputs in the project's schema, and their validity is reported.
{% endif %}
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.cli import main
from {{ package }}.finetune.settings import FineTuneSettings

from .conftest import FakeOpenAI, Handler

BASE = {{ chatdata.base_model | tojson }}
TUNED = f"ft:{BASE}:local:guidelines:ftjob-1"
EVAL_SET = Path(__file__).parents[2] / "evals"


@pytest.fixture
def keep_alive(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """The local server speaking HTTP/1.1 and keeping connections open, as OpenAI's does:
    a client that is never closed then leaves its sockets open."""
    state = FakeOpenAI()
    handler = type("KeepAlive", (Handler,), {"state": state, "protocol_version": "HTTP/1.1"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OPENAI_API_KEY", state.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", state.url)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def with_tuned_model(state: FakeOpenAI, project: Path) -> None:
    state.jobs["ftjob-1"] = {"model": BASE, "fine_tuned_model": TUNED}
    record = project / ".finetune" / "model.json"
    record.parent.mkdir(exist_ok=True)
    record.write_text(json.dumps({"job_id": "ftjob-1", "base_model": BASE,
                                  "status": "succeeded", "fine_tuned_model": TUNED}))
    for name in ("eval.jsonl", "prices.json"):
        (project / "evals").mkdir(exist_ok=True)
        (project / "evals" / name).write_bytes((EVAL_SET / name).read_bytes())


def test_evaluate_closes_the_client(
    keep_alive: FakeOpenAI, project: Path, monkeypatch: pytest.MonkeyPatch
):
    with_tuned_model(keep_alive, project)
    made = []
    original = FineTuneSettings.client

    def remember(self: FineTuneSettings):
        made.append(original(self))
        return made[-1]

    monkeypatch.setattr(FineTuneSettings, "client", remember)
    result = CliRunner().invoke(main, ["evaluate", "--system", "base", "--system", "fine-tuned"])
    assert result.exit_code == 0, result.output
    (client,) = made  # one client for both systems
    assert client.is_closed(), "a client left open leaves its keep-alive sockets open"


def test_evaluate_costs_the_fine_tuned_model_at_fine_tuned_rates(
    keep_alive: FakeOpenAI, project: Path
):
    with_tuned_model(keep_alive, project)
    result = CliRunner().invoke(main, ["evaluate", "--system", "base", "--system", "fine-tuned"])
    assert result.exit_code == 0, result.output
    document = json.loads((project / "evals" / "results.json").read_text("utf-8"))
    cost = {s["system"]: s["cost_per_1k_usd"] for s in document["systems"]}
    prices = json.loads((EVAL_SET / "prices.json").read_text("utf-8"))["chat_models"]
    (rates,) = [p for name, p in prices.items() if name == BASE or BASE.startswith(name + "-")]
    # The local server reports 10 prompt and 3 completion tokens for every chat.
    assert cost["base"] == pytest.approx(
        1000 * (10 * rates["input_per_1m"] + 3 * rates["output_per_1m"]) / 1e6
    )
    assert cost["fine-tuned"] == pytest.approx(
        1000 * (10 * rates["fine_tuned_input_per_1m"] + 3 * rates["fine_tuned_output_per_1m"])
        / 1e6
    )
{% if answers.get("format") == "schema" %}


def test_answers_are_structured_outputs_and_evaluate_reports_their_validity(
    keep_alive: FakeOpenAI, project: Path
):
    from {{ package }}.answer_schema import Answer

    with_tuned_model(keep_alive, project)
    questions = [json.loads(line)["question"]
                 for line in (project / "evals" / "eval.jsonl").read_text("utf-8").splitlines()]
    for number, question in enumerate(questions):
        keep_alive.answers[(BASE, question)] = json.dumps({"answer": "x", "confident": True})
        # One answer of the fine-tuned model breaks the schema.
        keep_alive.answers[(TUNED, question)] = (
            "every year" if number == 0 else json.dumps({"answer": "y", "confident": False})
        )
    result = CliRunner().invoke(main, ["evaluate", "--system", "base", "--system", "fine-tuned"])
    assert result.exit_code == 0, result.output
    chats = [r[2] for r in keep_alive.requests if r[1] == "chat/completions"]
    assert chats and all(
        c["response_format"]["json_schema"]["schema"] == Answer.model_json_schema()
        for c in chats
    )
    document = json.loads((project / "evals" / "results.json").read_text("utf-8"))
    valid = {s["system"]: s["format_valid_rate"] for s in document["systems"]}
    assert valid == {"base": 1.0, "fine-tuned": pytest.approx(1 - 1 / len(questions))}
{% endif %}
