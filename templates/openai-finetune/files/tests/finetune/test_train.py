"""`train` against the local OpenAI server: upload, job request, following, recording."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ package }}.cli import main

DATA = Path(__file__).resolve().parents[2] / "data"
FILES = ["--training-file", str(DATA / "train.jsonl"),
         "--validation-file", str(DATA / "validation.jsonl")]


def train(*args: str):
    return CliRunner().invoke(main, ["train", *args])


def recorded_model() -> dict:
    return json.loads(Path(".finetune/model.json").read_text())


def logged_jobs() -> list[dict]:
    return json.loads(Path(".finetune/jobs.json").read_text())["jobs"]


def test_train_uploads_creates_a_supervised_job_follows_it_and_records_the_model(api_env):
    result = train(*FILES)
    assert result.exit_code == 0, result.output
    uploads = [r[2] for r in api_env.requests if r[1] == "files"]
    assert uploads == [{"purpose": "fine-tune", "filename": "train.jsonl"},
                       {"purpose": "fine-tune", "filename": "validation.jsonl"}]
    stored = {f["filename"]: f["content"] for f in api_env.files.values()}
    assert stored["train.jsonl"] == (DATA / "train.jsonl").read_bytes()
    (request,) = [r[2] for r in api_env.requests if r[:2] == ("POST", "fine_tuning/jobs")]
    assert "hyperparameters" not in request
    assert request["method"] == {"type": "supervised",
                                 "supervised": {"hyperparameters": {"n_epochs": {{ chatdata.epochs | tojson }}}}}
    assert request["model"] == {{ chatdata.base_model | tojson }}
    assert request["suffix"] == {{ openai_finetune.suffix | tojson }}
    assert request["seed"] == {{ openai_finetune.seed }}
    assert request["validation_file"] != request["training_file"]
    (job,) = api_env.jobs.values()
    assert "status: running" in result.output
    assert "step 4/4" in result.output
    assert "checkpoint at step 2: train loss 1.0000, valid loss 1.1000" in result.output
    assert "The job has successfully completed" in result.output
    saved = json.loads(Path(".finetune/model.json").read_text())
    assert saved == {"job_id": job["id"], "base_model": job["model"], "status": "succeeded",
                     "fine_tuned_model": job["fine_tuned_model"]}
    assert logged_jobs() == [{**saved, "training_file": request["training_file"],
                              "validation_file": request["validation_file"]}]
    assert f"fine-tuned model: {job['fine_tuned_model']}" in result.output
    assert api_env.api_key not in result.output


def test_settings_from_the_environment_shape_the_request(api_env, monkeypatch):
    monkeypatch.setenv("FINETUNE_EPOCHS", "5")
    monkeypatch.setenv("FINETUNE_SUFFIX", "ward-7")
    monkeypatch.setenv("FINETUNE_BASE_MODEL", "gpt-4o-mini-2024-07-18")
    assert train(*FILES).exit_code == 0
    (request,) = [r[2] for r in api_env.requests if r[:2] == ("POST", "fine_tuning/jobs")]
    assert request["method"]["supervised"]["hyperparameters"] == {"n_epochs": 5}
    assert (request["suffix"], request["model"]) == ("ward-7", "gpt-4o-mini-2024-07-18")


def test_train_states_the_base_models_shutdown_from_the_model_table(api_env, monkeypatch):
    result = train("--dry-run", *FILES)
{% if openai_base_retires %}
    assert ("warning: {{ chatdata.base_model }} shuts down on {{ openai_base_retires.date }} "
            "with every fine-tune built on it") in result.output
    assert {{ openai_base_retires.source | tojson }} in result.output
{% else %}
    assert "shuts down" not in result.output
{% endif %}
    monkeypatch.setenv("FINETUNE_BASE_MODEL", "gpt-3.5-turbo-0125")  # no date recorded
    assert "shuts down" not in train("--dry-run", *FILES).output


def test_dry_run_validates_and_prints_the_request_without_calling_the_api(api_env):
    result = train("--dry-run", *FILES)
    assert result.exit_code == 0, result.output
    assert api_env.requests == []
    assert "train.jsonl: 62 examples" in result.output
    assert "validation.jsonl: 12 validation examples" in result.output
    request = json.loads(result.output.split("with:\n", 1)[1])
    assert request["method"]["type"] == "supervised"
    assert request["training_file"] == f"<file id of {DATA / 'train.jsonl'}>"


def test_invalid_training_data_stops_before_anything_is_uploaded(api_env, project):
    bad = project / "bad.jsonl"
    bad.write_text('{"messages": []}\n' * 12, encoding="utf-8")
    result = train("--training-file", str(bad))
    assert result.exit_code == 1
    assert "missing_messages_list: 12" in result.output
    assert api_env.requests == []


def test_a_validation_file_needs_no_minimum_of_examples(api_env, project):
    small = project / "small.jsonl"
    small.write_text("".join((DATA / "validation.jsonl").read_text("utf-8")
                             .splitlines(keepends=True)[:3]), encoding="utf-8")
    result = train("--training-file", str(DATA / "train.jsonl"), "--validation-file", str(small))
    assert result.exit_code == 0, result.output
    assert {f["filename"] for f in api_env.files.values()} == {"train.jsonl", "small.jsonl"}


def test_a_refused_job_is_explained_by_the_wind_down(api_env):
    api_env.refuse_jobs = "You do not have access to fine-tuning."
    result = train(*FILES)
    assert result.exit_code == 1
    assert "OpenAI refused to create the fine-tuning job: You do not have access" in result.output
    for fact in {{ openai_status.events | map(attribute="date") | list | tojson }}:
        assert fact in result.output
    assert {{ openai_status.source | tojson }} in result.output
    assert "hf-lora" in result.output
    assert not Path(".finetune/model.json").exists()
    # no job will use the uploaded files: they are deleted, and the message says so
    uploaded = [r for r in api_env.requests if r[1] == "files"]
    deleted = sorted(r[1] for r in api_env.requests if r[0] == "DELETE")
    assert len(uploaded) == 2 and api_env.files == {}
    assert deleted == ["files/file-000001", "files/file-000002"]
    assert "Deleted the uploaded files file-000001, file-000002." in result.output


def test_uploads_that_cannot_be_deleted_are_named_with_how_to_delete_them(api_env):
    api_env.refuse_jobs = "You do not have access to fine-tuning."
    api_env.refuse_deletes = True
    result = train(*FILES)
    assert result.exit_code == 1
    assert "uploaded files file-000001, file-000002 could not be deleted" in result.output
    assert "openai.OpenAI().files.delete('FILE_ID')" in result.output
    assert len(api_env.files) == 2


def test_a_failed_job_exits_1_with_openais_reason(api_env):
    api_env.job_script = ["validating_files", "failed"]
    result = train(*FILES)
    assert result.exit_code == 1
    assert "failed: The training file has too few examples." in result.output
    assert [job["status"] for job in logged_jobs()] == ["failed"]
    assert not Path(".finetune/model.json").exists()


def test_a_wrong_key_is_one_line_without_the_key(api_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-secret-value")
    result = train(*FILES)
    assert result.exit_code == 1
    assert "Incorrect API key provided" in result.output
    assert "sk-wrong-secret-value" not in result.output
    assert "Traceback" not in result.output


def test_no_key_is_a_one_line_error(project):
    result = train("--training-file", str(DATA / "train.jsonl"))
    assert result.exit_code == 2
    assert "OPENAI_API_KEY is not set" in result.output


def test_follow_reattaches_to_a_running_job(api_env):
    api_env.refuse_jobs = None
    assert train(*FILES).exit_code == 0
    (job_id,) = api_env.jobs
    result = train("--follow", job_id)
    assert result.exit_code == 0
    assert "status: succeeded" in result.output


def _train_then_interrupt(api_env, answer: str):
    """Run `train` on a job that never ends and press Ctrl-C (a real SIGINT) once it runs.

    The signal comes from a helper thread while `train` waits between two polls, after it
    has seen the job `running` (its events and checkpoints requests follow that status);
    Python raises KeyboardInterrupt in the main thread, inside `train`'s follow loop.
    The helper waits as long as `train` runs, with no deadline of its own: had it given up
    before the job was running, `train` would follow it forever. A suite started in the
    background (`pytest &`, some CI runners) inherits SIGINT ignored, and Python then never
    raises KeyboardInterrupt; a terminal's Ctrl-C is what is tested, so its default handler
    is put back for the test.
    """
    api_env.job_script = ["validating_files", "running"]
    finished = threading.Event()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)

    def interrupt_when_running() -> None:
        running_from = None
        while not finished.wait(0.01):
            with api_env.lock:
                if running_from is None and any(
                    job["status"] == "running" for job in api_env.jobs.values()
                ):
                    running_from = len(api_env.requests)
                later = api_env.requests[running_from:] if running_from is not None else []
            if any(path.endswith("/checkpoints") for _, path, _ in later):
                time.sleep(0.3)  # into the poll interval
                if not finished.is_set():
                    os.kill(os.getpid(), signal.SIGINT)
                return

    helper = threading.Thread(target=interrupt_when_running)
    helper.start()
    try:
        return CliRunner().invoke(main, ["train", *FILES], input=answer,
                                  env={"FINETUNE_POLL_SECONDS": "1.5"},
                                  prog_name="{{ project_slug }}")
    finally:
        finished.set()
        helper.join()
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_then_cancel_cancels_the_job(api_env):
    result = _train_then_interrupt(api_env, "cancel\n")
    assert result.exit_code == 1, result.output
    assert "Cancel job" in result.output
    (job,) = api_env.jobs.values()
    assert job["status"] == "cancelled"
    assert ("POST", f"fine_tuning/jobs/{job['id']}/cancel", {}) in api_env.requests
    assert [(j["job_id"], j["status"]) for j in logged_jobs()] == [(job["id"], "cancelled")]
    assert not Path(".finetune/model.json").exists()


def test_ctrl_c_then_detach_leaves_the_job_running(api_env):
    result = _train_then_interrupt(api_env, "detach\n")
    assert result.exit_code == 0, result.output
    (job,) = api_env.jobs.values()
    assert job["status"] == "running"
    assert f"{{ project_slug }} train --follow {job['id']}" in result.output
    assert [(j["job_id"], j["status"]) for j in logged_jobs()] == [(job["id"], "running")]
    assert not Path(".finetune/model.json").exists()


@pytest.mark.parametrize("answer, status", [("cancel", "cancelled"), ("detach", "running")])
def test_a_retrain_stopped_with_ctrl_c_keeps_the_model_that_works(api_env, answer, status):
    assert train(*FILES).exit_code == 0
    working = recorded_model()
    result = _train_then_interrupt(api_env, f"{answer}\n")
    assert result.exit_code == (1 if answer == "cancel" else 0), result.output
    assert recorded_model() == working
    first, second = logged_jobs()
    assert (first["job_id"], first["status"]) == (working["job_id"], "succeeded")
    assert second["status"] == status
    assert second["training_file"] and second["job_id"] != working["job_id"]
    chat = CliRunner().invoke(main, ["chat", "Which model answers?"])
    assert chat.output == f"{working['fine_tuned_model']} says hello\n"


def test_following_a_cancelled_job_keeps_the_model_that_works(api_env):
    assert train(*FILES).exit_code == 0
    working = recorded_model()
    assert _train_then_interrupt(api_env, "cancel\n").exit_code == 1
    cancelled = logged_jobs()[-1]["job_id"]
    result = train("--follow", cancelled)
    assert result.exit_code == 1
    assert (f"job {cancelled} cancelled; still using {working['fine_tuned_model']} "
            f"from job {working['job_id']}") in result.output
    assert recorded_model() == working
    assert logged_jobs()[-1]["status"] == "cancelled"
