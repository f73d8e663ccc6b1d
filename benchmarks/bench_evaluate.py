"""The starter's ``evaluate``: concurrent against one at a time, on a slow model endpoint.

A local OpenAI-protocol server answers every chat completion after 200 ms (a hosted
model's latency, all of it waiting), over HTTP/1.1 keep-alive. Four systems (base, rag,
fine-tuned, fine-tuned+rag: four model names) answer every item through the starter's own
code (``finetune.answer.ask`` with the ``openai`` client, ``evaluation.run``). Baseline:
the same run with ``concurrency=1``, in the same process. A third run has the server
refuse one request in twenty with HTTP 429 and ``Retry-After``: no item may be lost.
Target (issue 16): 4 systems x 200 items in at most 1/5 of the serial time.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness import Target
from starter import scaffold

LATENCY_S = 0.2
SYSTEMS = ("base", "rag", "fine-tuned", "fine-tuned+rag")
CONCURRENCY = 8


class SlowModel(BaseHTTPRequestHandler):
    """Chat completions after ``LATENCY_S``; every ``refuse_every``-th request is a 429."""

    protocol_version = "HTTP/1.1"
    refuse_every = 0
    lock = threading.Lock()
    count = 0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with SlowModel.lock:
            SlowModel.count += 1
            refuse = self.refuse_every and SlowModel.count % self.refuse_every == 0
        if refuse:
            self.reply(
                429,
                {"error": {"message": "Rate limit reached", "type": "requests"}},
                {"Retry-After": "0.2"},
            )
            return
        time.sleep(LATENCY_S)
        question = body["messages"][-1]["content"]
        self.reply(
            200,
            {
                "id": "chatcmpl-bench",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": f"answer to {question}"},
                    }
                ],
                "usage": {"prompt_tokens": 40, "completion_tokens": 8, "total_tokens": 48},
            },
        )

    def reply(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return


def run(quick: bool) -> list[Target]:
    items_per_system = 5 if quick else 200
    project = scaffold("openai-finetune", "evaluate")
    sys.path.insert(0, str(project / "src"))
    package = next(p.name for p in (project / "src").iterdir() if (p / "__init__.py").exists())
    evaluation = importlib.import_module(f"{package}.evaluation")
    ask = importlib.import_module(f"{package}.finetune.answer").ask
    from openai import OpenAI

    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowModel)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # No retries in the client: rate limits are the runner's to honour here.
    client = OpenAI(
        base_url=f"http://127.0.0.1:{server.server_address[1]}/v1",
        api_key="bench",
        max_retries=0,
        timeout=30,
    )

    def system(model: str):
        return lambda question: evaluation.Prediction(ask(client, model, "Answer.", question))

    systems = {name: system(f"model-{name}") for name in SYSTEMS}
    items = [
        evaluation.EvalItem(f"q{n}", f"question {n}", f"answer to question {n}")
        for n in range(items_per_system)
    ]

    def timed(concurrency: int, refuse_every: int = 0) -> tuple[float, Any]:
        SlowModel.refuse_every, SlowModel.count = refuse_every, 0
        started = time.perf_counter()
        report = evaluation.run(systems, items, scorer="exact", concurrency=concurrency)
        return time.perf_counter() - started, report

    try:
        serial, _ = timed(1)
        concurrent, report = timed(CONCURRENCY)
        limited, limited_report = timed(CONCURRENCY, refuse_every=20)
    finally:
        client.close()
        server.shutdown()
        server.server_close()
    total = len(SYSTEMS) * items_per_system
    lost = sum(s.errors for s in limited_report.summaries) + sum(s.errors for s in report.summaries)
    print(
        f"\n## evaluate, {len(SYSTEMS)} systems x {items_per_system} items, "
        f"{LATENCY_S * 1000:.0f} ms a call (one run each)"
    )
    print(f"{'':<46} {'seconds':>8} {'items/s':>8} {'ratio':>7}")
    for label, seconds in (
        ("one at a time (baseline)", serial),
        (f"concurrency {CONCURRENCY}", concurrent),
        (f"concurrency {CONCURRENCY}, 1 in 20 calls refused (429)", limited),
    ):
        print(f"{label:<46} {seconds:8.2f} {total / seconds:8.1f} {seconds / serial:6.2f}x")
    print(f"items lost: {lost} of {2 * total}")
    return [
        Target("evaluate concurrent / serial time", concurrent / serial, 0.2),
        Target("evaluate items lost to errors and rate limits", lost, 0),
    ]
