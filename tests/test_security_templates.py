"""Attacks through a template dir, each reproduced: links, the loader, the Jinja floor,
resource bounds, non-regular files and names that are ``.git`` to some file system.

Every test here fails when the protection it names is removed (docs/security.md,
"Checking the security tests").
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
import tomllib
from pathlib import Path, PurePosixPath

import jinja2
import pytest
import yaml
from scaffold_testkit import RAG_ANSWERS, TEST_RAG, make_backend, run_advisor, use_backends
from scaffold_testkit import write_answers as write_answers_file

from advisor.doctor import outdated_jinja
from advisor.errors import ScaffoldError
from advisor.scaffold.engine import secret_values
from advisor.scaffold.render import (
    Limits,
    RenderedFile,
    Source,
    check_no_secrets,
    is_git_name,
    render_sources,
)
from advisor.templating import read_confined, starter_environment

ROOT = Path(__file__).parents[1]
SECRET = "sk-template-canary-0123456789SECRET"


@pytest.fixture
def register(monkeypatch):
    active = []

    def install(*backends):
        active.append(use_backends(monkeypatch, *backends))
        next(active[-1])

    yield install
    for registration in reversed(active):
        next(registration, None)


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "outside" / "advisor.toml"
    path.parent.mkdir()
    path.write_text(f'openai_api_key = "{SECRET}"\n')
    return path


def team_dir(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "team"
    (root / "files").mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def scaffold_team(register, tmp_path, team, *extra):
    register(TEST_RAG)
    answers = write_answers_file(tmp_path, RAG_ANSWERS)
    target = tmp_path / "proj"
    result = run_advisor(
        "scaffold", target, "--answers", answers, "--no-input", "--templates", team, *extra
    )
    return result, target


def assert_refused(result, target, *words):
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    for word in words:
        assert word in result.stderr
    assert not target.exists()


# --- 1. links and the loader ------------------------------------------------------------------


def test_a_link_at_the_template_root_cannot_be_included(register, tmp_path, secret_file):
    team = team_dir(
        tmp_path, {"files/leak.txt": "{{ (include_me | default('')) }}{% include 'settings' %}\n"}
    )
    (team / "settings").symlink_to(secret_file)
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "settings is a symbolic link")


def test_a_linked_files_folder_is_refused(register, tmp_path, secret_file):
    team = tmp_path / "team"
    team.mkdir()
    (team / "files").symlink_to(secret_file.parent)
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "files is a symbolic link")


def test_a_link_inside_a_folder_of_files_is_refused(register, tmp_path, secret_file):
    team = team_dir(tmp_path, {"files/docs/ok.md": "ok\n"})
    (team / "files" / "docs" / "config").symlink_to(secret_file.parent, target_is_directory=True)
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "files/docs/config is a symbolic link")


def test_a_linked_readme_is_refused(register, tmp_path, secret_file):
    team = team_dir(tmp_path, {})
    (team / "readme.md").symlink_to(secret_file)
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "readme.md is a symbolic link")


def test_the_loader_refuses_a_link_made_after_the_folder_was_checked(tmp_path, secret_file):
    team = team_dir(tmp_path, {"files/a.txt": "{% include 'late' %}\n", "sub/ok.txt": "ok"})
    env = starter_environment(team, sandboxed=True)
    (team / "late").symlink_to(secret_file)
    (team / "linked").symlink_to(secret_file.parent, target_is_directory=True)
    with pytest.raises(jinja2.TemplateNotFound, match="symbolic link"):
        env.get_template("files/a.txt").render()
    with pytest.raises(OSError) as raised:
        read_confined(team, ["linked", "advisor.toml"])
    assert raised.value.errno in (errno.ELOOP, errno.ENOTDIR)
    assert read_confined(team, ["sub", "ok.txt"]) == b"ok"


def test_the_loader_searches_only_the_template_dir(tmp_path, secret_file):
    """A loader that also searched ``/`` would find the file by its absolute path."""
    team = team_dir(tmp_path, {})
    from_root = secret_file.relative_to(secret_file.anchor).as_posix()
    (team / "files" / "leak.txt").write_text(f"{{% include '{from_root}' %}}\n")
    env = starter_environment(team, sandboxed=True)
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("files/leak.txt").render()
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("../outside/advisor.toml")


# --- 1. templates: from a recorded .advisor.yml needs trust -----------------------------------


def test_a_recorded_template_dir_needs_trust_and_is_read_beside_the_record(register, tmp_path):
    team = team_dir(tmp_path, {"files/TEAM.md": "Owned by {{ project_slug }}.\n"})
    first = tmp_path / "first"
    result, _ = scaffold_team(register, tmp_path, team)
    assert result.exit_code == 0, result.stderr
    record = yaml.safe_load((tmp_path / "proj" / ".advisor.yml").read_text())
    repo = tmp_path / "repo"
    repo.mkdir()
    (team).rename(repo / "team")
    record["templates"] = "team"  # relative: resolved against the record's folder
    (repo / ".advisor.yml").write_text(yaml.safe_dump(record))
    refused = run_advisor("scaffold", first, "--answers-from", repo / ".advisor.yml")
    assert refused.exit_code == 2
    assert "--trust-templates" in refused.stderr
    assert str(repo / "team") in refused.stderr
    assert not first.exists()
    trusted = run_advisor(
        "scaffold", first, "--answers-from", repo / ".advisor.yml", "--trust-templates"
    )
    assert trusted.exit_code == 0, trusted.stderr
    assert f"Templates: {repo / 'team'}" in trusted.stderr
    assert (first / "TEAM.md").is_file()


# --- 2. the Jinja floor -----------------------------------------------------------------------


def test_the_requirement_excludes_jinja_with_sandbox_escapes():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (jinja,) = [Requirement(r) for r in project["dependencies"] if r.startswith("jinja2")]
    assert not jinja.specifier.contains("3.1.5")
    assert not jinja.specifier.contains("3.1.4")
    assert jinja.specifier.contains("3.1.6")


def test_an_old_jinja_is_refused_for_templates_and_doctor_warns(register, tmp_path, monkeypatch):
    monkeypatch.setattr(jinja2, "__version__", "3.1.5")
    team = team_dir(tmp_path, {"files/ok.txt": "ok\n"})
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "jinja2 3.1.5 is installed", "jinja2>=3.1.6")
    (warning,) = outdated_jinja()
    assert warning.status == "warn" and "CVE-2025-27516" in warning.summary
    doctor = run_advisor("doctor")
    assert "WARN  jinja2" in doctor.output


@pytest.mark.parametrize("version", ["3.1.6", "3.2.0", "4.0.0a1"])
def test_a_patched_jinja_gets_no_warning(version):
    assert outdated_jinja(version) == ()


@pytest.mark.parametrize("version", ["3.1.4", "3.1.5", "3.0.3", "2.11.3"])
def test_older_jinja_gets_a_warning(version):
    assert [f.status for f in outdated_jinja(version)] == ["warn"]


# --- 6. resource bounds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{{ 'x' * 300000000 }}", "a repetition of 300,000,000 items"),
        ("{{ [0] * 300000000 }}", "a repetition of 300,000,000 items"),
        ("{{ 9 ** (9 ** 9) }}", "too large"),
        ("{% for i in range(100000) %}{{ 'y' * 200 }}{% endfor %}", "larger than the limit"),
    ],
)
def test_output_is_bounded_per_file(register, tmp_path, template, says):
    team = team_dir(tmp_path, {"files/big.txt": template})
    started = time.monotonic()
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "files/big.txt", says)
    assert time.monotonic() - started < 30


def test_nested_loops_stop_at_the_time_limit(register, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_TEMPLATE_TIMEOUT_S", "1")
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    team = team_dir(tmp_path, {"files/spin.txt": loops})
    started = time.monotonic()
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "took longer than the limit of 1 s")
    assert time.monotonic() - started < 20


def test_output_is_bounded_in_total_and_binary_files_count(register, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_TEMPLATE_MAX_TOTAL_MB", "1")
    half = "z" * 600_000
    team = team_dir(tmp_path, {"files/a.txt": half, "files/b.bin": b"\0" + b"z" * 600_000})
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "bytes in all")


def test_a_binary_file_over_the_limit_is_refused(register, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_TEMPLATE_MAX_FILE_MB", "1")
    team = team_dir(tmp_path, {"files/blob.bin": b"\0" * 2_000_000})
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, "files/blob.bin")


def test_the_limits_can_be_raised_for_trusted_templates(register, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_TEMPLATE_MAX_FILE_MB", "30")
    team = team_dir(tmp_path, {"files/big.txt": "{{ 'x' * 15000000 }}"})
    result, target = scaffold_team(register, tmp_path, team)
    assert result.exit_code == 0, result.stderr
    assert (target / "big.txt").stat().st_size == 15_000_000


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "lots"])
def test_a_bad_limit_is_one_line(register, tmp_path, monkeypatch, value):
    monkeypatch.setenv("ADVISOR_TEMPLATE_MAX_FILE_MB", value)
    team = team_dir(tmp_path, {"files/ok.txt": "ok\n"})
    result, target = scaffold_team(register, tmp_path, team)
    assert_refused(result, target, f"$ADVISOR_TEMPLATE_MAX_FILE_MB: {value!r} is not allowed")
    assert [line for line in result.stderr.splitlines() if "Error" in line] == [
        result.stderr.strip().splitlines()[-1]
    ]


def test_the_default_limits_are_the_documented_ones():
    limits = Limits.from_environ({})
    assert (limits.file_bytes, limits.total_bytes, limits.seconds) == (10 << 20, 100 << 20, 60)
    security = (ROOT / "docs" / "security.md").read_text()
    assert "10 MB" in security and "100 MB" in security and "60 s" in security


# --- 6. non-regular files ---------------------------------------------------------------------


@contextlib.contextmanager
def hang_guard(seconds: int):
    """Fail instead of hanging: SIGALRM interrupts a blocked open() of a FIFO."""

    def fail(signum, frame):
        raise AssertionError("the render blocked (a FIFO was opened)")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("sandboxed", [True, False])
def test_a_fifo_among_the_files_is_refused(tmp_path, sandboxed):
    team = team_dir(tmp_path, {"files/ok.txt": "ok\n"})
    os.mkfifo(team / "files" / "pipe")
    source = Source("team", team, {}, sandboxed=sandboxed)
    staging = tmp_path / "staging"
    with hang_guard(10), pytest.raises(Exception, match="not a regular file"):
        render_sources([source], staging)


# --- 9. .git under any spelling ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        ".GIT/hooks/pre-commit",
        ".Git/config",
        "vendor/.git/config",
        "{{ '.git ' }}/config",
        "{{ '.git.' }}/config",
        "{{ '.gIt. .' }}/hooks/post-checkout",
        "GIT~1/config",
    ],
)
def test_names_that_are_git_to_some_file_system_are_refused(register, tmp_path, name):
    sneaky = make_backend(
        tmp_path / "t", "sneaky", {f"files/{name}": "#!/bin/sh\n"}, approaches=("fine-tune",)
    )
    register(TEST_RAG, sneaky)
    answers = write_answers_file(tmp_path, RAG_ANSWERS)
    target = tmp_path / "proj"
    result = run_advisor(
        "scaffold",
        target,
        "--answers",
        answers,
        "--no-input",
        "--backend",
        "test-rag",
        "--backend",
        "sneaky",
    )
    assert result.exit_code == 1, result.output
    assert "the scaffold never writes into .git" in result.stderr
    assert not target.exists()


@pytest.mark.parametrize("name", [".github", ".gitignore", "git", ".gitkeep", "a.git"])
def test_names_near_git_are_fine(name):
    assert not is_git_name(name)


# --- 1. generated files hold no key, from the environment or the config, plain or reversed ---


@pytest.mark.parametrize("content", [SECRET, SECRET[::-1], f"x = '{SECRET}'\n"])
def test_a_generated_file_with_a_key_plain_or_reversed_is_refused(tmp_path, content):
    staged = tmp_path / "leak.txt"
    staged.write_text(content)
    leak = RenderedFile(PurePosixPath("leak.txt"), staged, "--templates team")
    with pytest.raises(ScaffoldError, match=r"leak.txt \(--templates team\) would contain") as e:
        check_no_secrets([leak], {"OPENAI_API_KEY": SECRET})
    assert SECRET not in str(e.value) and SECRET[::-1] not in str(e.value)


def test_keys_in_the_config_files_are_kept_out_of_generated_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "user.toml"))
    (tmp_path / "advisor.toml").write_text(f'openai_api_key = "{SECRET}"\n')
    assert secret_values(()) == {"setting 1 of the advisor configuration": SECRET}
