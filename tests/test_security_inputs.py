"""Data that must stay data, numbers that must stay finite, secrets that must stay hidden,
and an ``-o`` file that is replaced all at once or not at all.

Each test reproduces an attack or a crash from the security review (issue 15) and fails
when the protection is removed.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import doctor_env
import pytest
import yaml
from click.testing import CliRunner

from advisor.cli import cli
from advisor.errors import InputError
from advisor.questionnaire import load_answers_file
from advisor.redaction import environment_secrets, is_secret_name, mask_urls, scrub
from advisor.scaffold import placement
from advisor.scaffold.record import load_record
from advisor.scaffold.selection import load_decision

ROOT = Path(__file__).parents[1]
ANSWERS = ROOT / "examples" / "answers" / "medical-guidelines.yaml"
clean_env = doctor_env.clean_env
pytestmark = pytest.mark.usefixtures("clean_env")


def advisor(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error_line(result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: "), result.stderr
    return lines[-1]


# --- 13. YAML tags are data, never code -------------------------------------------------------


def python_tag(marker: Path) -> str:
    return f'!!python/object/apply:os.mkdir ["{marker}"]'


def test_an_answers_file_cannot_run_code(tmp_path):
    marker = tmp_path / "ran"
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"volatility: {python_tag(marker)}\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_answers_file(answers)
    assert not marker.exists()


def test_set_cannot_run_code(tmp_path):
    marker = tmp_path / "ran"
    result = advisor("decide", "--answers", ANSWERS, "--set", f"volatility={python_tag(marker)}")
    assert result.exit_code == 2
    assert not marker.exists()


def test_a_record_or_decision_file_cannot_run_code(tmp_path):
    marker = tmp_path / "ran"
    record = tmp_path / ".advisor.yml"
    record.write_text(f"advisor_version: {python_tag(marker)}\nbackends: []\n")
    with pytest.raises(InputError):
        load_record(record)
    decision = tmp_path / "decision.yaml"
    decision.write_text(f"recommendation: {python_tag(marker)}\n")
    with pytest.raises(InputError):
        load_decision(decision)
    assert not marker.exists()


# --- 8. cost overrides stay in range; the JSON stays JSON -------------------------------------


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ("chunk_tokens = 0", "costs.chunk_tokens: 0 is not allowed (allowed: a number above 0"),
        ("chunk_tokens = 1e308", "costs.chunk_tokens: 1e+308 is not allowed"),
        ("tokens_per_example = 1e308", "costs.tokens_per_example: 1e+308 is not allowed"),
        ("retrieval_k = -3", "costs.retrieval_k: -3 is not allowed"),
        (
            '[costs.prices."qwen2.5-1.5b-lora"]\ntraining_tokens_per_second = 0',
            "training_tokens_per_second: 0 is not allowed (allowed: a number above 0",
        ),
    ],
)
def test_cost_overrides_out_of_range_are_one_line(clean_env, table, says):
    header = "" if table.startswith("[") else "[costs]\n"
    (clean_env / "advisor.toml").write_text(header + table + "\n")
    result = advisor("decide", "--answers", ANSWERS, "--format", "json")
    assert result.exit_code == 2, result.output
    assert says in one_error_line(result)


def test_the_largest_overrides_still_give_valid_json(clean_env):
    from advisor.costs import MAX_OVERRIDE

    numbers = [
        "tokens_per_example",
        "tokens_per_document",
        "chunk_tokens",
        "retrieval_k",
        "query_tokens",
        "instruction_tokens",
        "output_tokens",
    ]
    table = "\n".join(f"{key} = {MAX_OVERRIDE:.0f}" for key in numbers)
    (clean_env / "advisor.toml").write_text(f"[costs]\n{table}\n")
    result = advisor("decide", "--answers", ANSWERS, "--format", "json")
    assert result.exit_code == 0, result.output

    def finite(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(value)
        return value

    json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    json.loads(result.stdout, parse_float=lambda s: finite(float(s)))


# --- 10. secrets ------------------------------------------------------------------------------

PASSWORD = "hunter2-url-password"


def test_url_credentials_are_masked_by_config_show(clean_env, monkeypatch):
    monkeypatch.setenv("WEAVIATE_URL", f"https://admin:{PASSWORD}@db.example:8080")
    (clean_env / "advisor.toml").write_text(
        "[plugins.acme]\n"
        f'endpoint = "https://svc.example/v1?api_key={PASSWORD}&region=eu"\n'
        f'credentials = "{PASSWORD}-long-enough"\n'
    )
    for fmt in ("text", "json"):
        result = advisor("config", "show", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert PASSWORD not in result.output
    assert "https://****@db.example:8080" in result.output
    assert "region=eu" in result.output


def test_url_credentials_are_scrubbed_from_doctor(clean_env, monkeypatch):
    monkeypatch.setenv("WEAVIATE_URL", f"http://admin:{PASSWORD}@127.0.0.1:9")
    monkeypatch.setenv("ADVISOR_TIMEOUT_S", "1")
    monkeypatch.delenv("ADVISOR_LOAD_PLUGINS", raising=False)
    result = advisor("doctor", "--format", "json")
    assert PASSWORD not in result.output
    assert "admin" not in result.output


def test_a_malformed_plugins_table_is_not_echoed(clean_env):
    (clean_env / "advisor.toml").write_text(f'plugins = {{ acme = "{PASSWORD}" }}\n')
    result = advisor("config", "show")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "plugins must hold [plugins.NAME] tables, got plugins.acme, a str" in line
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    "name", ["credentials", "db_password", "passwd", "auth_header", "private_key", "dsn"]
)
def test_settings_named_like_secrets_are_masked(clean_env, name):
    (clean_env / "advisor.toml").write_text(f'[plugins.acme]\n{name} = "{PASSWORD}-1234"\n')
    result = advisor("config", "show")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert is_secret_name(name)


def test_plugin_load_errors_are_scrubbed(monkeypatch):
    from advisor import plugins

    monkeypatch.setenv("ACME_API_KEY", PASSWORD)
    failure = RuntimeError(f"cannot reach https://u:{PASSWORD}@x with key {PASSWORD}")
    assert PASSWORD not in plugins._describe(failure)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("http://user:pw@host/x", "http://****@host/x"),
        ("postgres://app:s3cret@db:5432/x", "postgres://****@db:5432/x"),
        ("https://host/?token=abc&page=2", "https://host/?token=****&page=2"),
        ("https://host/path", "https://host/path"),
        ("mail me at a@b.c", "mail me at a@b.c"),
    ],
)
def test_mask_urls(text, shown):
    assert mask_urls(text) == shown


def test_scrub_removes_longest_first_and_environment_secrets_are_found():
    environ = {"MY_TOKEN": "abcdefgh12345", "DB": "mysql://root:rootpw@h/db", "HOME": "/root"}
    found = environment_secrets(environ)
    assert "abcdefgh12345" in found and "rootpw" in found and "/root" not in found
    assert scrub("t=abcdefgh12345 p=rootpw", found) == "t=**** p=****"


# --- 12. -o: atomic, no links unless forced, says what else it writes -------------------------


def test_a_failed_write_keeps_the_previous_report(clean_env, monkeypatch):
    report = clean_env / "record.json"
    report.write_text("the previous report\n")

    def full_disk(src, dst, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(placement.os, "replace", full_disk)
    result = advisor("decide", "--answers", ANSWERS, "--format", "json", "-o", report)
    assert result.exit_code == 2
    assert "No space left on device; the previous file is unchanged" in one_error_line(result)
    assert report.read_text() == "the previous report\n"
    assert sorted(p.name for p in clean_env.iterdir()) == ["record.json"]


def test_output_through_a_link_needs_force(clean_env, tmp_path):
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("not a report\n")
    link = clean_env / "record.md"
    link.symlink_to(elsewhere)
    result = advisor("decide", "--answers", ANSWERS, "--format", "markdown", "-o", link)
    assert result.exit_code == 2
    assert "is a symbolic link to" in one_error_line(result)
    assert elsewhere.read_text() == "not a report\n"
    assert not (clean_env / "record-costs.svg").exists()  # refused before anything is written
    forced = advisor("decide", "--answers", ANSWERS, "--format", "markdown", "-o", link, "--force")
    assert forced.exit_code == 0, forced.output
    assert link.is_symlink()
    assert elsewhere.read_text().startswith("# Decision record")


def test_a_linked_chart_is_refused_too(clean_env, tmp_path):
    elsewhere = tmp_path / "elsewhere.svg"
    elsewhere.write_text("<svg/>")
    (clean_env / "record-costs.svg").symlink_to(elsewhere)
    result = advisor("decide", "--answers", ANSWERS, "--format", "markdown", "-o", "record.md")
    assert result.exit_code == 2
    assert elsewhere.read_text() == "<svg/>"
    assert not (clean_env / "record.md").exists()


def test_output_names_the_chart_it_also_writes(clean_env):
    result = advisor("decide", "--answers", ANSWERS, "--format", "markdown", "-o", "record.md")
    assert result.exit_code == 0, result.output
    assert "Wrote record-costs.svg (the cost chart record.md shows)" in result.stderr
    assert "STEM-costs.svg" in advisor("decide", "--help").output


def test_output_keeps_the_mode_of_the_file_it_replaces(clean_env):
    report = clean_env / "record.json"
    report.write_text("{}")
    report.chmod(0o640)
    assert advisor("decide", "--answers", ANSWERS, "--format", "json", "-o", report).exit_code == 0
    assert os.stat(report).st_mode & 0o777 == 0o640
    assert yaml.safe_load(report.read_text())["recommendation"]
