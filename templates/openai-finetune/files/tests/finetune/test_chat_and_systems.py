"""`chat` and the evaluation systems, against the local OpenAI server."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from {{ package }}.cli import main
from {{ package }}.evaluation import Prediction
from {{ package }}.finetune.settings import SYSTEM_PROMPT
from {{ package }}.finetune.systems import systems

BASE = {{ chatdata.base_model | tojson }}
TUNED = f"ft:{BASE}:local:guidelines:ftjob-1"
QUESTION = "How often should adults receive the influenza vaccine?"


def record_model(model: str) -> None:
    path = Path(".finetune/model.json")
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"job_id": "ftjob-1", "base_model": BASE,
                                "status": "succeeded", "fine_tuned_model": model}))


def chats(api_env) -> list[dict]:
    return [r[2] for r in api_env.requests if r[1] == "chat/completions"]


def test_chat_asks_the_recorded_fine_tuned_model_with_the_training_prompt(api_env):
    api_env.jobs["ftjob-1"] = {"model": BASE, "fine_tuned_model": TUNED}
    api_env.answers[(TUNED, QUESTION)] = "every year"
    record_model(TUNED)
    result = CliRunner().invoke(main, ["chat", QUESTION])
    assert result.exit_code == 0, result.output
    assert result.output == "every year\n"
    (request,) = chats(api_env)
    assert request["model"] == TUNED
    assert request["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert request["temperature"] == 0


def test_chat_base_asks_the_base_model(api_env):
    api_env.answers[(BASE, QUESTION)] = "Adults should get a flu shot every year."
    result = CliRunner().invoke(main, ["chat", "--base", QUESTION])
    assert result.output == "Adults should get a flu shot every year.\n"
    assert chats(api_env)[0]["model"] == BASE


def test_chat_without_a_fine_tuned_model_says_what_to_do(api_env):
    result = CliRunner().invoke(main, ["chat", QUESTION])
    assert result.exit_code == 2
    assert "no fine-tuned model yet" in result.output
    assert chats(api_env) == []


def test_an_unknown_model_is_one_line(api_env):
    result = CliRunner().invoke(main, ["chat", "--model", "ft:nope", QUESTION])
    assert result.exit_code == 1
    assert "The model `ft:nope` does not exist" in result.output


def test_systems_are_base_and_fine_tuned(api_env):
    api_env.jobs["ftjob-1"] = {"model": BASE, "fine_tuned_model": TUNED}
    api_env.answers[(BASE, QUESTION)] = "annually"
    api_env.answers[(TUNED, QUESTION)] = "every year"
    record_model(TUNED)
    found = systems()
    assert set(found) == {"base", "fine-tuned"}
    assert found["base"](QUESTION) == Prediction(answer="annually")
    assert found["fine-tuned"](QUESTION) == Prediction(answer="every year")


def test_fine_tuned_model_from_the_environment_wins(api_env, monkeypatch):
    api_env.jobs["ftjob-2"] = {"model": BASE, "fine_tuned_model": TUNED + "-b"}
    monkeypatch.setenv("FINETUNE_FINE_TUNED_MODEL", TUNED + "-b")
    record_model(TUNED)
    systems()["fine-tuned"](QUESTION)
    assert chats(api_env)[-1]["model"] == TUNED + "-b"


def test_systems_without_a_model_or_a_key_return_what_they_can(api_env, monkeypatch, capsys):
    assert set(systems()) == {"base"}
    assert "no fine-tuned model yet" in capsys.readouterr().err
    monkeypatch.delenv("OPENAI_API_KEY")
    assert systems() == {}
    assert "OPENAI_API_KEY is not set" in capsys.readouterr().err
