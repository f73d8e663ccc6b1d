"""``distill`` against a local OpenAI-protocol server: the real ``openai`` client, no network.

The server answers ``POST /v1/chat/completions`` with "taught: <the prompt>", refuses any
prompt containing FAIL with HTTP 400, refuses a temperature other than 1 for the models in
``reasoning_models`` as OpenAI's reasoning models do, and records how many requests were
in flight at once, so the tests see what a teacher would: the messages, the concurrency,
the failures.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.chatdata.commands import validate
from {{ package }}.chatdata.distill import distill


class Teacher(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), TeacherHandler)
        self.bodies: list[dict] = []
        self.reasoning_models: set[str] = set()
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class TeacherHandler(BaseHTTPRequestHandler):
    server: Teacher

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.bodies.append(body)
            self.server.in_flight += 1
            self.server.most_in_flight = max(self.server.most_in_flight, self.server.in_flight)
        time.sleep(0.05)  # long enough for concurrent requests to overlap
        with self.server.lock:
            self.server.in_flight -= 1
        prompt = body["messages"][-1]["content"]
        if body["model"] in self.server.reasoning_models and body.get("temperature", 1) != 1:
            self._send(400, {"error": {
                "message": "Unsupported value: 'temperature' does not support "
                f"{body['temperature']} with this model. Only the default (1) value is "
                "supported.", "type": "invalid_request_error", "param": "temperature"}})
            return
        if "FAIL" in prompt:
            self._send(400, {"error": {"message": "refused", "type": "invalid_request_error"}})
            return
        message = {"role": "assistant", "content": f"taught: {prompt}"}
        self._send(200, {
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def teacher(monkeypatch: pytest.MonkeyPatch) -> Iterator[Teacher]:
    server = Teacher()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("DISTILL_BASE_URL", "DISTILL_API_KEY", "DISTILL_TEACHER_MODEL",
                 "DISTILL_CONCURRENCY", "DISTILL_TEMPERATURE", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    yield server
    server.shutdown()
    server.server_close()


def run(*args: str):
    return CliRunner().invoke(distill, list(args))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_every_prompt_becomes_an_example_validate_accepts(teacher: Teacher, tmp_path: Path):
    questions = [f"What is the target number {i}?" for i in range(10)]
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("\n\n".join(questions) + "\n" + questions[0] + "\n", "utf-8")

    result = run(str(prompts), "--teacher", "big-model", "--system", "Answer briefly.",
                 "-o", "out.jsonl")

    assert result.exit_code == 0, result.output
    assert "10 written" in result.output, "blank lines skipped, a repeated prompt asked once"
    examples = lines(tmp_path / "out.jsonl")
    assert sorted(e["messages"][1]["content"] for e in examples) == sorted(questions)
    for example in examples:
        roles = [m["role"] for m in example["messages"]]
        assert roles == ["system", "user", "assistant"]
        assert example["messages"][2]["content"] == "taught: " + example["messages"][1]["content"]
    assert {body["model"] for body in teacher.bodies} == {"big-model"}
    checked = CliRunner().invoke(
        validate, ["out.jsonl", "--format", "json", "--tokenizer", "approx"]
    )
    assert json.loads(checked.output)["ok"] is True, "the examples are valid training data"


def test_a_reasoning_teacher_is_asked_without_a_temperature(teacher: Teacher, tmp_path: Path):
    teacher.reasoning_models.add("reasoner")
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("one?\ntwo?\n", "utf-8")
    result = run(str(prompts), "--teacher", "reasoner", "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    assert "2 written" in result.output
    assert all("temperature" not in body for body in teacher.bodies)


def test_a_temperature_is_sent_only_when_set(teacher: Teacher, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch):
    teacher.reasoning_models.add("reasoner")
    monkeypatch.setenv("DISTILL_TEMPERATURE", "0")
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("one?\n", "utf-8")
    plain = run(str(prompts), "--teacher", "plain", "-o", str(tmp_path / "plain.jsonl"))
    assert plain.exit_code == 0, plain.output
    assert teacher.bodies[-1]["temperature"] == 0
    refused = run(str(prompts), "--teacher", "reasoner", "-o", str(tmp_path / "r.jsonl"))
    assert refused.exit_code != 0, "a reasoning teacher refuses temperature 0, as OpenAI's do"
    assert "temperature" in refused.output


def test_a_second_run_asks_only_new_prompts_and_cuts_an_unfinished_line(
    teacher: Teacher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("DISTILL_TEACHER_MODEL", "big-model")
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(json.dumps({"prompt": "first"}) + "\n", "utf-8")
    assert run(str(prompts), "-o", "out.jsonl").exit_code == 0
    with (tmp_path / "out.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"messages": [{"role": "user", "con')  # a run killed mid-write
    prompts.write_text(
        json.dumps({"prompt": "first"}) + "\n"
        + json.dumps({"messages": [{"role": "user", "content": "second"},
                                   {"role": "assistant", "content": "old answer"}]}) + "\n",
        "utf-8",
    )
    asked_before = len(teacher.bodies)

    result = run(str(prompts), "-o", "out.jsonl")

    assert result.exit_code == 0, result.output
    assert "1 written" in result.output and "1 already there" in result.output
    assert [b["messages"][-1]["content"] for b in teacher.bodies[asked_before:]] == ["second"]
    examples = lines(tmp_path / "out.jsonl")
    assert [e["messages"][-1]["content"] for e in examples] == ["taught: first", "taught: second"]


def test_concurrency_is_bounded(teacher: Teacher, tmp_path: Path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("".join(f"question {i}\n" for i in range(12)), "utf-8")

    result = run(str(prompts), "--teacher", "m", "--concurrency", "3", "-o", "out.jsonl")

    assert result.exit_code == 0, result.output
    assert len(lines(tmp_path / "out.jsonl")) == 12
    assert 1 < teacher.most_in_flight <= 3


def test_failed_prompts_are_counted_and_skipped_and_all_failing_exits_non_zero(
    teacher: Teacher, tmp_path: Path
):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("good one\nFAIL please\n", "utf-8")

    some = run(str(prompts), "--teacher", "m", "-o", "out.jsonl")

    assert some.exit_code == 0, some.output
    assert "1 written" in some.output and "1 failed" in some.output
    assert "line 2" in some.output and "HTTP 400" in some.output
    assert [e["messages"][0]["content"] for e in lines(tmp_path / "out.jsonl")] == ["good one"]

    prompts.write_text("FAIL a\nFAIL b\n", "utf-8")
    every = run(str(prompts), "--teacher", "m", "-o", "all-failed.jsonl")
    assert every.exit_code == 1
    assert "every prompt failed (2)" in every.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"prompt": "ok"}\nnot json\n', "prompts.jsonl:2:"),
        ('{"messages": [{"role": "assistant", "content": "x"}]}\n', "ending with a user message"),
        ("\n\n", "no prompts"),
    ],
)
def test_a_bad_prompts_file_is_one_line_and_exit_2(
    teacher: Teacher, tmp_path: Path, content: str, message: str
):
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(content, "utf-8")
    result = run(str(prompts), "--teacher", "m")
    assert result.exit_code == 2
    assert message in result.output
    assert teacher.bodies == [], "nothing is asked before the file is read whole"


def test_without_a_teacher_model_it_says_how_to_name_one(teacher: Teacher, tmp_path: Path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("q\n", "utf-8")
    result = run(str(prompts))
    assert result.exit_code == 2
    assert "DISTILL_TEACHER_MODEL" in result.output
