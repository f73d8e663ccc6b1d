"""The scaffold engine's parts: names, backend choice, composition, rendering rules."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml
from scaffold_testkit import (
    HYBRID_ANSWERS,
    RAG_ANSWERS,
    TEST_RAG,
    TEST_TUNE,
    make_backend,
    run_advisor,
    tree_digest,
    use_backends,
    write_answers,
)

from advisor.backends import EnvVar
from advisor.errors import InputError, ScaffoldError
from advisor.framework import decide
from advisor.plugins import get_plugins
from advisor.questionnaire import Answers
from advisor.reports import to_dict
from advisor.scaffold.compose import merge_contributions, merge_env, merge_requirements
from advisor.scaffold.engine import decide_command, scaffold
from advisor.scaffold.planning import ScaffoldRequest, plan_scaffold, project_names
from advisor.scaffold.record import BackendVersion, Record, load_record
from advisor.scaffold.selection import choose_backends, load_decision

# Marks a key to leave out of a test record.
_DROP = object()

# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("my-bot", "my-bot", "my_bot"),
        ("Clinical Guidelines Bot", "clinical-guidelines-bot", "clinical_guidelines_bot"),
        ("  RAG__v2!! ", "rag-v2", "rag_v2"),
    ],
)
def test_project_names(name, slug, package):
    names = project_names(name)
    assert (names.name, names.slug, names.package) == (name, slug, package)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("2fast", "not a usable project name"),
        ("한국어", "not a usable project name"),
        ("---", "not a usable project name"),
        ("bot\nname", "not a usable project name"),
        ("x" * 65, "not a usable project name"),
        ("json", "would shadow Python's own 'json' module"),
        ("class", "would shadow"),
    ],
)
def test_unusable_project_names_are_refused(name, why):
    with pytest.raises(InputError, match=why):
        project_names(name)


# --- choosing backends ---------------------------------------------------------------------


def fake(name, approaches, tmp_path):
    return make_backend(tmp_path, name, {}, approaches=approaches)


def test_defaults_prefer_open_weights_fine_tuning(tmp_path):
    available = {
        name: fake(name, approaches, tmp_path)
        for name, approaches in [
            ("weaviate-rag", ("rag",)),
            ("openai-finetune", ("fine-tune",)),
            ("hf-lora", ("fine-tune",)),
            ("other-rag", ("rag",)),
        ]
    }
    names = [b.name for b in choose_backends(available, ("rag", "fine-tune"))]
    assert names == ["hf-lora", "weaviate-rag"]
    del available["hf-lora"]
    assert [b.name for b in choose_backends(available, ("fine-tune",))] == ["openai-finetune"]


def test_the_only_backend_serving_an_approach_is_used(tmp_path):
    available = {"a": fake("a", ("rag",), tmp_path), "b": fake("b", ("fine-tune",), tmp_path)}
    assert [b.name for b in choose_backends(available, ("rag",))] == ["a"]


def test_ambiguous_or_missing_backends_are_refused(tmp_path):
    available = {"a": fake("a", ("rag",), tmp_path), "b": fake("b", ("rag",), tmp_path)}
    with pytest.raises(InputError, match="several installed backends serve 'rag': a, b"):
        choose_backends(available, ("rag",))
    with pytest.raises(InputError, match="no installed backend serves 'fine-tune'"):
        choose_backends(available, ("fine-tune",))


def test_named_backends_are_checked(tmp_path):
    available = {
        "a": fake("a", ("fine-tune",), tmp_path),
        "b": fake("b", ("fine-tune",), tmp_path),
        "both": fake("both", ("rag", "fine-tune"), tmp_path),
    }
    with pytest.raises(InputError, match=r"'c': unknown backend \(available: a, b, both\)"):
        choose_backends(available, (), ["c"])
    with pytest.raises(InputError, match="backends 'a' and 'b' both serve 'fine-tune'"):
        choose_backends(available, (), ["a", "b"])
    assert [b.name for b in choose_backends(available, ("rag", "fine-tune"), ["both"])] == ["both"]


# --- a saved decision ----------------------------------------------------------------------


def test_a_saved_decision_is_rebuilt_exactly(tmp_path):
    decision = decide(Answers.from_mapping({**HYBRID_ANSWERS, "queries_per_month": 10_000}))
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(to_dict(decision)), encoding="utf-8")
    loaded = load_decision(path)
    assert to_dict(loaded) == to_dict(decision)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recommendation": "magic"}, "recommendation: 'magic' is not allowed"),
        ({"confidence": True}, "confidence: true is not a number"),
        ({"answers": {"volatility": "hourly"}}, "answers: volatility: 'hourly' is not allowed"),
        ({"reasons": [{"key": "x"}]}, "an entry lacks 'text'"),
        ({"retrieval_needed": "yes"}, "retrieval_needed"),
    ],
)
def test_a_malformed_decision_is_refused(tmp_path, change, message):
    data = to_dict(decide(Answers.from_mapping(RAG_ANSWERS))) | change
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_decision(path)


# --- composing shared files ----------------------------------------------------------------


def test_requirements_merge_per_project_and_marker():
    merged = merge_requirements(
        [
            ("skeleton", "click>=8.1"),
            ("a", "Click >= 8.1.3"),
            ("a", "openai[realtime]>=1.40"),
            ("b", "openai[datalib]>=1.66"),
            ("b", "openai>=1.66"),
            ("b", "tomli>=2; python_version < '3.11'"),
            ("a", "tomli>=1"),
            ("b", "click>=8.1"),
        ]
    )
    assert merged == (
        "click>=8.1,>=8.1.3",
        "openai[datalib,realtime]>=1.40,>=1.66",
        "tomli>=2; python_version < '3.11'",
        "tomli>=1",
    )


def test_a_malformed_requirement_names_its_backend():
    with pytest.raises(ScaffoldError, match=r"backend weird: '>=1\.0' is not a requirement"):
        merge_requirements([("weird", ">=1.0")])


def test_env_merges_by_name_and_stays_secret():
    merged = merge_env(
        [
            EnvVar("OPENAI_API_KEY", "Key", "sk-replace-me"),
            EnvVar("OPENAI_API_KEY", "Key for the vectorizer", "x", secret=True),
            EnvVar("WEAVIATE_URL", "URL", "http://localhost:8080"),
        ]
    )
    assert [(v.name, v.description, v.example, v.secret) for v in merged] == [
        ("OPENAI_API_KEY", "Key", "sk-replace-me", True),
        ("WEAVIATE_URL", "URL", "http://localhost:8080", False),
    ]


def test_env_examples_follow_the_deployment(tmp_path):
    backend = make_backend(
        tmp_path,
        "local",
        {},
        env=(
            EnvVar("OPENAI_BASE_URL", "Endpoint", "", local="http://localhost:8000/v1"),
            EnvVar("OPENAI_TIMEOUT_S", "Timeout", "60"),
            EnvVar("HF_HUB_OFFLINE", "Offline", "1", deployments=("air-gapped",)),
        ),
    )

    def env(deployment):
        merged = merge_contributions([backend], deployment)
        return {var.name: var.example for var in merged.env}

    assert env("api") == {"OPENAI_BASE_URL": "", "OPENAI_TIMEOUT_S": "60"}
    local = {"OPENAI_BASE_URL": "http://localhost:8000/v1", "OPENAI_TIMEOUT_S": "60"}
    assert env("self-hosted") == local
    assert env("air-gapped") == {**local, "HF_HUB_OFFLINE": "1"}


def test_contributions_merge_skeleton_and_backends():
    merged = merge_contributions([TEST_RAG, TEST_TUNE])
    assert merged.dependencies == (
        "click>=8.1,>=8.1.3",
        "pydantic-settings>=2.4",
        "python-dotenv>=1.0",
    )
    assert merged.dev_dependencies == ("pytest>=8", "ruff>=0.6")
    assert merged.gitignore.count(".env") == 1
    assert merged.gitignore[-1] == "data/index/"
    assert merged.commands == ("testrag.commands",)
    assert merged.eval_systems == ("testrag.systems", "testtune.systems")


@pytest.mark.parametrize(
    "fields",
    [
        {"commands": ("x; import os",)},
        {"eval_systems": ("../x",)},
        {"env": (EnvVar("BAD NAME", "x"),)},
        {"env": (EnvVar("URL", "x", local="a\nb"),)},
        {"env": (EnvVar("URL", "x", deployments=("cloud",)),)},
        {"gitignore": ("ok\n!evil",)},
    ],
)
def test_malformed_contributions_are_refused(tmp_path, fields):
    backend = make_backend(tmp_path, "sloppy", {}, **fields)
    with pytest.raises(ScaffoldError, match="backend sloppy"):
        merge_contributions([backend])


# --- rendering rules, through the command ----------------------------------------------------


@pytest.fixture
def register(monkeypatch):
    """Call ``register(*backends)`` to have exactly those backends installed."""
    active = []

    def install(*backends):
        active.append(use_backends(monkeypatch, *backends))
        next(active[-1])

    yield install
    for registration in reversed(active):
        next(registration, None)


def scaffold_with(register, tmp_path, *extra_backends, args=(), answers=RAG_ANSWERS):
    register(TEST_RAG, *extra_backends)
    tmp_path.mkdir(parents=True, exist_ok=True)
    answers_file = write_answers(tmp_path, answers)
    target = tmp_path / "proj"
    result = run_advisor("scaffold", target, "--answers", answers_file, "--no-input", *args)
    return result, target


def test_strict_undefined_is_an_error_naming_file_and_line(register, tmp_path):
    broken = make_backend(
        tmp_path / "t", "broken", {"files/ok.txt": "fine\n", "files/bad.txt": "a\n{{ nope }}\n"},
        approaches=("fine-tune",),
    )
    result, target = scaffold_with(
        register, tmp_path, broken, args=["--backend", "test-rag", "--backend", "broken"]
    )
    assert result.exit_code == 1
    assert "backend broken: files/bad.txt line 2: UndefinedError: 'nope' is undefined" in (
        result.stderr
    )
    assert not target.exists()


@pytest.mark.parametrize(
    "name",
    ["{{ '..' }}/evil.txt", "{{ '../evil.txt' }}", "{{ '/tmp/evil.txt' }}", "{{ '.git' }}/hooks/x"],
)
def test_rendered_names_cannot_leave_the_project(register, tmp_path, name):
    escaping = make_backend(
        tmp_path / "t", "escaping", {f"files/{name}": "gotcha\n"}, approaches=("fine-tune",)
    )
    result, target = scaffold_with(
        register, tmp_path, escaping, args=["--backend", "test-rag", "--backend", "escaping"]
    )
    assert result.exit_code == 1
    assert "backend escaping:" in result.stderr
    assert not target.exists()
    assert not (tmp_path / "evil.txt").exists()


def test_a_symlink_in_the_target_pointing_outside_is_refused(register, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "proj"
    target.mkdir()
    (target / "data").symlink_to(outside)
    before = tree_digest(target)
    result, _ = scaffold_with(register, tmp_path, args=["--force"])
    assert result.exit_code == 2
    assert f"is a symbolic link to {outside}, outside" in result.stderr
    assert tree_digest(outside) == {}
    assert tree_digest(target) == before


def test_a_symlink_inside_the_target_is_followed(register, tmp_path):
    target = tmp_path / "proj"
    (target / "real-data").mkdir(parents=True)
    (target / "data").symlink_to(target / "real-data")
    result, _ = scaffold_with(register, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert (target / "real-data" / "pixel.png").is_file()


def test_two_backends_writing_one_path_must_agree(register, tmp_path):
    same = make_backend(
        tmp_path / "t",
        "same",
        {"files/data/README.md": (TEST_RAG.include[0] / "files/data/README.md").read_text()},
        approaches=("fine-tune",),
    )
    result, _target = scaffold_with(
        register, tmp_path, same, args=["--backend", "test-rag", "--backend", "same"]
    )
    assert result.exit_code == 0, result.stderr
    differs = make_backend(
        tmp_path / "t2", "differs", {"files/data/README.md": "mine\n"}, approaches=("fine-tune",)
    )
    result, _ = scaffold_with(
        register,
        tmp_path,
        differs,
        args=["--backend", "test-rag", "--backend", "differs", "--force"],
    )
    assert result.exit_code == 1
    assert (
        "data/README.md: backend differs and backend test-rag (include shared) both write it, "
        "differently"
    ) in result.stderr


def test_a_backend_cannot_replace_a_skeleton_file(register, tmp_path):
    rogue = make_backend(
        tmp_path / "t", "rogue", {"files/pyproject.toml": "[project]\n"}, approaches=("fine-tune",)
    )
    result, target = scaffold_with(
        register, tmp_path, rogue, args=["--backend", "test-rag", "--backend", "rogue"]
    )
    assert result.exit_code == 1
    assert "pyproject.toml: starter skeleton and backend rogue both write it" in result.stderr
    assert not target.exists()


def test_binary_files_are_copied_and_names_can_leave_a_file_out(register, tmp_path):
    result, target = scaffold_with(register, tmp_path, args=["--set", "test_with_notes=true"])
    assert result.exit_code == 0, result.stderr
    png = TEST_RAG.template_dir / "files/data/pixel.png"
    assert (target / "data/pixel.png").read_bytes() == png.read_bytes()
    assert (target / "NOTES.md").is_file()
    result, target = scaffold_with(register, tmp_path / "again")
    assert result.exit_code == 0, result.stderr
    assert not (target / "NOTES.md").exists()


def test_text_that_is_not_utf8_is_copied_as_binary(register, tmp_path):
    latin1 = "caf\u00e9 {{ not rendered }}\n".encode("latin-1")
    odd = make_backend(
        tmp_path / "t", "odd", {"files/legacy.txt": latin1}, approaches=("fine-tune",)
    )
    result, target = scaffold_with(
        register, tmp_path, odd, args=["--backend", "test-rag", "--backend", "odd"]
    )
    assert result.exit_code == 0, result.stderr
    assert (target / "legacy.txt").read_bytes() == latin1


def test_bytecode_caches_beside_installed_templates_are_not_rendered(register, tmp_path):
    cached = make_backend(
        tmp_path / "t",
        "cached",
        {
            "files/src/mod.py": "VALUE = 1\n",
            "files/src/__pycache__/mod.cpython-311.pyc": b"\x00compiled",
            "files/stray.pyc": b"\x00compiled",
        },
        approaches=("fine-tune",),
    )
    result, target = scaffold_with(
        register, tmp_path, cached, args=["--backend", "test-rag", "--backend", "cached"]
    )
    assert result.exit_code == 0, result.stderr
    assert (target / "src/mod.py").is_file()
    assert not (target / "src/__pycache__").exists()
    assert not (target / "stray.pyc").exists()


def test_a_secret_value_never_reaches_a_generated_file(register, monkeypatch, tmp_path):
    monkeypatch.setenv("TEST_RAG_API_KEY", "Sup3rSecretValue")
    result, target = scaffold_with(
        register, tmp_path, args=["--set", "test_collection=Sup3rSecretValue"]
    )
    assert result.exit_code == 1
    assert "would contain the value of $TEST_RAG_API_KEY" in result.stderr
    assert "Sup3rSecretValue" not in result.stderr.replace("test_collection=Sup3rSecretValue", "")
    assert not target.exists()


# --- the sandbox for --templates -----------------------------------------------------------


def team_templates(tmp_path, files):
    root = tmp_path / "team"
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def test_a_team_template_dir_renders_with_the_same_variables(register, tmp_path):
    team = team_templates(
        tmp_path,
        {
            "files/CODEOWNERS": "* @{{ project_slug }}-team\n",
            "files/src/{{ package }}/house_style.py": '"""{{ answers.test_collection }}."""\n',
            "readme.md": "## House rules\n\nAsk #{{ project_slug }} before changing prompts.\n",
        },
    )
    result, target = scaffold_with(register, tmp_path, args=["--templates", team])
    assert result.exit_code == 0, result.stderr
    assert (target / "CODEOWNERS").read_text() == "* @proj-team\n"
    assert (target / "src/proj/house_style.py").read_text() == '"""Guidelines."""\n'
    readme = (target / "README.md").read_text()
    assert "## House rules\n\nAsk #proj before changing prompts." in readme


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.system('echo pwned') }}",
        "{{ lipsum.__globals__['os'].getcwd() }}",
        "{{ answers.update({'volatility': 'daily'}) }}",
        "{{ ''|attr('__class__') }}",
    ],
)
def test_the_sandbox_blocks_escapes(register, tmp_path, template):
    team = team_templates(tmp_path, {"files/evil.txt": template + "\n"})
    result, target = scaffold_with(register, tmp_path, args=["--templates", team])
    assert result.exit_code == 2, result.stderr
    assert f"--templates {team}: files/evil.txt line 1: SecurityError:" in result.stderr
    assert [line for line in result.stderr.splitlines() if "Error" in line] == [
        result.stderr.strip().splitlines()[-1]
    ]
    assert not target.exists()


def test_the_sandbox_cannot_include_files_outside_its_dir(register, tmp_path):
    (tmp_path / "secret.txt").write_text("top secret\n")
    team = team_templates(tmp_path, {"files/leak.txt": "{% include '../secret.txt' %}\n"})
    result, target = scaffold_with(register, tmp_path, args=["--templates", team])
    assert result.exit_code == 2
    assert "TemplateNotFound" in result.stderr
    assert not target.exists()


def test_the_sandbox_refuses_symlinks(register, tmp_path):
    (tmp_path / "secret.txt").write_text("top secret\n")
    team = team_templates(tmp_path, {"files/ok.txt": "ok\n"})
    (team / "files" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    result, target = scaffold_with(register, tmp_path, args=["--templates", team])
    assert result.exit_code == 2
    assert "files/leak.txt is a symbolic link" in result.stderr
    assert not target.exists()


# --- the decision: dated, optional, recorded -------------------------------------------------


@pytest.mark.parametrize(
    ("today", "notice", "path"),
    [
        (dt.date(2026, 11, 24), "from 2027-01-06 no organization", "hosted"),
        (dt.date(2027, 2, 1), "since 2027-01-06 no organization", "open-weights"),
    ],
)
def test_one_date_dates_the_notices_and_the_costs(register, tmp_path, today, notice, path):
    register(TEST_RAG, TEST_TUNE)
    request = ScaffoldRequest(target=tmp_path / "bot", provided=HYBRID_ANSWERS, today=today)
    said: list[str] = []
    blueprint, _ = plan_scaffold(request, get_plugins().backends(), said.append)
    assert blueprint.today == today
    scaffold(blueprint, "refuse")
    assert any(line.startswith("Notice (test-tune):") and notice in line for line in said)
    readme = (tmp_path / "bot/README.md").read_text()
    assert "Provider notice (test-tune):** OpenAI self-serve fine-tuning is winding down" in readme
    assert notice in readme
    record_md = (tmp_path / "bot/docs/decision.md").read_text()
    assert f"Fine-tuning is priced on the **{path}** path" in record_md
    assert "- **provider**: OpenAI self-serve fine-tuning is winding down" in record_md
    assert notice in record_md


def test_the_decide_command_passes_the_given_core_answers_in_question_order():
    answers = {
        "test_model": "tiny", "citations": False, "budget_usd": 2500.5, "volatility": "monthly",
        "latency_ms": 800, "documents": 10_000, "format": "light",
    }
    assert decide_command(answers) == (
        "advisor decide --set volatility=monthly --set format=light --set latency_ms=800 "
        "--set budget_usd=2500.5 --set citations=false --set documents=10000 "
        "--format markdown -o docs/decision.md"
    )
    assert decide_command({}) == "advisor decide --format markdown -o docs/decision.md"


def test_templates_and_extra_context_see_no_decision_as_none(register, tmp_path):
    seen = []

    def remember(context):
        seen.append(context.decision)
        return {}

    watcher = make_backend(
        tmp_path / "t", "watcher",
        {"files/decision.txt": "{{ decision is none }} {{ decision.costs is defined }}\n"},
        extra_context=remember,
    )
    register(watcher)
    result = run_advisor("scaffold", tmp_path / "none", "--backend", "watcher", "--no-input")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "none/decision.txt").read_text() == "True False\n"
    answers = write_answers(tmp_path, RAG_ANSWERS)
    result = run_advisor(
        "scaffold", tmp_path / "made", "--backend", "watcher", "--answers", answers, "--no-input"
    )
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "made/decision.txt").read_text() == "False True\n"
    assert seen[0] is None
    assert seen[1]["recommendation"] == "rag" and "costs" in seen[1]


def test_a_record_without_a_decision_reads_back(tmp_path):
    record = Record(
        advisor_version="1.0",
        project_name="bot",
        backends=(BackendVersion("test-rag", "dist", "2.0"),),
        answers={"volatility": "monthly", "test_top_k": 5},
        decision=None,
        costs={"retrieval_k": 8},
    )
    path = tmp_path / ".advisor.yml"
    path.write_text(record.to_yaml(), encoding="utf-8")
    assert "\ndecision: null\n" in path.read_text()
    assert load_record(path) == record


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"decision": "hybrid"}, "decision: 'hybrid' is not a decision summary or null"),
        ({"costs": [1, 2]}, "costs: [1, 2] is not a mapping of cost overrides"),
        ({"decision": _DROP}, "decision: None is not a decision summary or null"),
    ],
)
def test_a_record_with_a_bad_decision_or_costs_is_refused(tmp_path, change, message):
    data = {
        "advisor_version": "1.0", "project_name": "bot", "backends": [{"name": "test-rag"}],
        "answers": {}, "costs": {}, "decision": None,
    }
    data.update(change)
    data = {k: v for k, v in data.items() if v is not _DROP}
    path = tmp_path / ".advisor.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)):
        load_record(path)
