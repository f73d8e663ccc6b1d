"""A local server that speaks OpenAI's REST API, for driving the real `openai` client.

It implements what this starter uses: file uploads (multipart) and deletes, fine-tuning
jobs (create, retrieve, cancel), their events and checkpoints (newest first,
cursor-paginated) and chat completions, with OpenAI's error bodies. A job moves one step
along ``job_script`` each time it is retrieved, so a test decides how a job goes. Nothing
is monkeypatched: the commands build their client from ``OPENAI_BASE_URL`` as they do in
production.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

API_KEY = "sk-test-local-0123456789"
TOTAL_STEPS = 4


@dataclass
class FakeOpenAI:
    """The server's state; tests read and set it directly."""

    url: str = ""
    api_key: str = API_KEY
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    job_script: list[str] = field(
        default_factory=lambda: ["validating_files", "queued", "running", "running",
                                 "running", "running", "succeeded"]
    )
    refuse_jobs: str | None = None
    refuse_deletes: bool = False
    answers: dict[tuple[str, str], str] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self.ids):06d}"

    def models(self) -> set[str]:
        known = {job["model"] for job in self.jobs.values()}
        return known | {j["fine_tuned_model"] for j in self.jobs.values() if j["fine_tuned_model"]}


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeOpenAI/1"
    state: FakeOpenAI

    def log_message(self, *args: Any) -> None:  # keep test output clean
        return

    # --- plumbing ----------------------------------------------------------------------

    def send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status: int, message: str, code: str | None = None) -> None:
        kind = "invalid_request_error" if status < 500 else "server_error"
        self.send(status, {"error": {"message": message, "type": kind, "param": None,
                                     "code": code}})

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def authorized(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.state.api_key}":
            return True
        self.error(401, "Incorrect API key provided.", "invalid_api_key")
        return False

    def do_GET(self) -> None:
        self.route("GET")

    def do_POST(self) -> None:
        self.route("POST")

    def do_DELETE(self) -> None:
        self.route("DELETE")

    def route(self, method: str) -> None:
        if not self.authorized():
            return
        parts = urlsplit(self.path)
        path = parts.path.removeprefix("/v1").strip("/").split("/")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        state = self.state
        with state.lock:
            if method == "POST" and path == ["files"]:
                return self.upload()
            payload = json.loads(self.body() or b"{}") if method == "POST" else query
            state.requests.append((method, "/".join(path), payload))
            match method, path:
                case "POST", ["fine_tuning", "jobs"]:
                    return self.create_job(payload)
                case "GET", ["fine_tuning", "jobs", job_id]:
                    return self.retrieve_job(job_id)
                case "POST", ["fine_tuning", "jobs", job_id, "cancel"]:
                    return self.cancel_job(job_id)
                case "GET", ["fine_tuning", "jobs", job_id, "events"]:
                    return self.listing(job_id, "events", query)
                case "GET", ["fine_tuning", "jobs", job_id, "checkpoints"]:
                    return self.listing(job_id, "checkpoints", query)
                case "POST", ["chat", "completions"]:
                    return self.chat(payload)
                case "DELETE", ["files", file_id] if file_id in state.files:
                    if state.refuse_deletes:
                        return self.error(403, "This key may not delete files.")
                    del state.files[file_id]
                    return self.send(200, {"id": file_id, "object": "file", "deleted": True})
            self.error(404, f"Invalid URL ({method} {parts.path})")

    # --- files -------------------------------------------------------------------------

    def upload(self) -> None:
        raw = self.body()
        header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(header + raw)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_payload(decode=True))
        purpose = fields.get("purpose", (None, b""))[1].decode()
        filename, content = fields.get("file", (None, None))
        self.state.requests.append(("POST", "files", {"purpose": purpose, "filename": filename}))
        if purpose != "fine-tune" or content is None:
            return self.error(400, f"Invalid purpose {purpose!r} or no file")
        file_id = self.state.new_id("file")
        record = {"id": file_id, "object": "file", "bytes": len(content),
                  "created_at": int(time.time()), "filename": filename,
                  "purpose": purpose, "status": "processed"}
        self.state.files[file_id] = {**record, "content": content}
        self.send(200, record)

    # --- fine-tuning jobs --------------------------------------------------------------

    def create_job(self, payload: dict[str, Any]) -> None:
        state = self.state
        if state.refuse_jobs is not None:
            return self.error(403, state.refuse_jobs, "permission_denied")
        if "hyperparameters" in payload:
            return self.error(400, "hyperparameters is deprecated; use method")
        method = payload.get("method") or {}
        if method.get("type") != "supervised" or "supervised" not in method:
            return self.error(400, "method.type must be supervised")
        for key in ("training_file", "validation_file"):
            if key in payload and payload[key] not in state.files:
                return self.error(400, f"{key} {payload[key]!r} does not exist")
        job_id = state.new_id("ftjob")
        epochs = method["supervised"].get("hyperparameters", {}).get("n_epochs", "auto")
        state.jobs[job_id] = {
            "id": job_id, "object": "fine_tuning.job", "created_at": int(time.time()),
            "error": None, "fine_tuned_model": None, "finished_at": None,
            "hyperparameters": {"n_epochs": 3 if epochs == "auto" else epochs,
                                "batch_size": 1, "learning_rate_multiplier": 2.0},
            "model": payload["model"], "organization_id": "org-local", "result_files": [],
            "seed": payload.get("seed", 0), "status": "validating_files",
            "trained_tokens": None, "training_file": payload["training_file"],
            "validation_file": payload.get("validation_file"), "method": method,
            "suffix": payload.get("suffix"),
            "_step": 0, "_events": [], "_checkpoints": [],
        }
        self.add_event(state.jobs[job_id], "message", f"Created fine-tuning job: {job_id}")
        self.send(200, self.public(state.jobs[job_id]))

    def retrieve_job(self, job_id: str) -> None:
        job = self.state.jobs.get(job_id)
        if job is None:
            return self.error(404, f"Could not find fine tune: {job_id}")
        if job["status"] not in ("succeeded", "failed", "cancelled"):
            self.advance(job)
        self.send(200, self.public(job))

    def advance(self, job: dict[str, Any]) -> None:
        script = self.state.job_script
        job["_step"] = min(job["_step"] + 1, len(script) - 1)
        status = script[job["_step"]]
        if status == "running":
            step = min(sum(1 for s in script[: job["_step"] + 1] if s == "running"), TOTAL_STEPS)
            loss = round(2.0 / step, 4)
            self.add_event(job, "metrics", f"Step {step}/{TOTAL_STEPS}: training loss={loss}",
                           {"step": step, "total_steps": TOTAL_STEPS, "train_loss": loss})
            if step % 2 == 0:
                job["_checkpoints"].append({
                    "id": self.state.new_id("ftckpt"), "object": "fine_tuning.job.checkpoint",
                    "created_at": int(time.time()), "fine_tuning_job_id": job["id"],
                    "fine_tuned_model_checkpoint":
                        f"ft:{job['model']}:local:{job['suffix']}:{job['id']}:ckpt-step-{step}",
                    "step_number": step,
                    "metrics": {"step": step, "train_loss": loss, "valid_loss": loss + 0.1},
                })
        if status != job["status"]:
            job["status"] = status
            if status == "succeeded":
                job["fine_tuned_model"] = f"ft:{job['model']}:local:{job['suffix']}:{job['id']}"
                job["finished_at"] = int(time.time())
                job["trained_tokens"] = 1234
                self.add_event(job, "message", "The job has successfully completed")
            elif status == "failed":
                job["error"] = {"code": "invalid_training_file", "param": "training_file",
                                "message": "The training file has too few examples."}
                self.add_event(job, "message", "The job failed", level="error")
            else:
                self.add_event(job, "message", f"Job status: {status}")

    def cancel_job(self, job_id: str) -> None:
        job = self.state.jobs.get(job_id)
        if job is None:
            return self.error(404, f"Could not find fine tune: {job_id}")
        job["status"] = "cancelled"
        self.send(200, self.public(job))

    def add_event(self, job: dict[str, Any], kind: str, message: str,
                  data: dict[str, Any] | None = None, level: str = "info") -> None:
        job["_events"].append({
            "id": self.state.new_id("ftevent"), "object": "fine_tuning.job.event",
            "created_at": int(time.time()), "level": level, "message": message,
            "type": kind, "data": data or {},
        })

    def listing(self, job_id: str, kind: str, query: dict[str, str]) -> None:
        job = self.state.jobs.get(job_id)
        if job is None:
            return self.error(404, f"Could not find fine tune: {job_id}")
        items = list(reversed(job[f"_{kind}"]))  # newest first, as OpenAI lists them
        if "after" in query:
            ids = [item["id"] for item in items]
            items = items[ids.index(query["after"]) + 1:] if query["after"] in ids else []
        limit = int(query.get("limit", 20))
        page = items[:limit]
        self.send(200, {"object": "list", "data": page, "has_more": len(items) > limit,
                        "first_id": page[0]["id"] if page else None,
                        "last_id": page[-1]["id"] if page else None})

    @staticmethod
    def public(job: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in job.items() if not k.startswith("_") and k != "suffix"}

    # --- chat --------------------------------------------------------------------------

    def chat(self, payload: dict[str, Any]) -> None:
        model = payload.get("model", "")
        if not model.startswith("gpt-") and model not in self.state.models():
            return self.error(404, f"The model `{model}` does not exist", "model_not_found")
        question = payload["messages"][-1]["content"]
        answer = self.state.answers.get((model, question), f"{model} says hello")
        self.send(200, {
            "id": self.state.new_id("chatcmpl"), "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
        })


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    state = FakeOpenAI()
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory with no OpenAI or FINETUNE_* settings from outside."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("FINETUNE_", "OPENAI_")):
            monkeypatch.delenv(name)
    return tmp_path


@pytest.fixture
def api_env(
    openai_server: FakeOpenAI, project: Path, monkeypatch: pytest.MonkeyPatch
) -> FakeOpenAI:
    """Settings pointing the real client at the local server, polling fast."""
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("FINETUNE_POLL_SECONDS", "0.01")
    return openai_server
