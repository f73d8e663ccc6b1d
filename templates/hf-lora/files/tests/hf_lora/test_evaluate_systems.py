"""How ``evaluate`` runs this backend's systems: served models concurrently, each client
closed at the end, usage noted; in-process models one question at a time."""

from __future__ import annotations

from {{ package }}.evaluation import (
    EvalItem,
    PriceBook,
    close_systems,
    problems,
    run,
)
from {{ package }}.hf_lora.settings import HfLoraSettings
from {{ package }}.hf_lora.systems import systems

from .conftest import ChatServer
from .test_endpoint import settings_for

ITEMS = [EvalItem(f"q{n}", f"question {n}", "answer") for n in range(6)]


def test_served_systems_are_the_evidence_formats_names_and_are_closed(server: ChatServer):
    found = systems(settings_for(server, served_adapter="guidelines-lora"))
    assert list(found) == ["base", "fine-tuned"]
    report = run(found, ITEMS, scorer="contains", concurrency=4)
    assert [s.errors for s in report.summaries] == [0, 0]
    assert len(server.requests) == 12
    clients = [system.close.__self__ for system in found.values()]
    assert all(c._client is not None for c in clients)
    close_systems(found)
    assert all(c._client is None for c in clients), "each client closed"


def test_the_usage_the_server_reports_is_noted_and_unpriced_models_are_named(
    server: ChatServer,
):
    found = systems(settings_for(server, served_adapter="guidelines-lora"))
    try:
        report = run(found, ITEMS[:1], prices=PriceBook({}, {}))
    finally:
        close_systems(found)
    assert [(u.model, u.input_tokens) for u in report.results[0].usage] == [
        ("Org/Base-Instruct", 1)
    ]
    assert report.summaries[0].cost_per_1k_usd is None
    assert "base: cost per 1k unknown, no price for Org/Base-Instruct" in problems(report)


def test_in_process_systems_answer_one_question_at_a_time(tmp_path):
    found = systems(HfLoraSettings(_env_file=None, output_dir=tmp_path, server_url=None))
    assert found["base"].max_concurrency == 1
{% if answers.get("format") == "schema" %}


def test_served_models_are_asked_for_structured_outputs(server: ChatServer):
    from {{ package }}.answer_schema import Answer

    found = systems(settings_for(server))
    try:
        found["fine-tuned"]("q")
    finally:
        close_systems(found)
    response_format = server.requests[0]["body"]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"] == Answer.model_json_schema()
{% endif %}
