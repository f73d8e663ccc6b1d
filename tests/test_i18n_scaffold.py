"""Starters in Korean: ``advisor scaffold --lang ko`` writes the prose in Korean, the code as in
English; the language is recorded in ``.advisor.yml`` and kept by ``advisor update``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from scaffold_testkit import run_advisor, tree_digest
from starter_runs import run_starter_tests

from advisor import i18n, plugins
from advisor.providers import load_providers

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "examples" / "answers"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# The files a language changes; every other file (code, tests, data) is the same in all.
# The decision record and its cost chart (translated labels) are prose too.
PROSE = {"README.md", "docs/decision.md", "docs/decision-costs.svg", ".advisor.yml"}

STARTERS = {
    "weaviate-rag": ("startup-faq.yaml", "--backend", "weaviate-rag"),
    "openai-finetune": ("support-ticket-router.yaml", "--backend", "openai-finetune"),
    "hf-lora": ("support-ticket-router.yaml", "--backend", "hf-lora"),
    "hybrid": ("medical-guidelines.yaml", "--backend", "weaviate-rag", "--backend", "hf-lora"),
    "self-hosted": ("hospital-private.yaml",),
    "no decision": (None, "--backend", "weaviate-rag", "--backend", "openai-finetune"),
}


@pytest.fixture(autouse=True)
def built_in_backends(monkeypatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "weaviate-rag,openai-finetune,hf-lora")
    monkeypatch.setenv("ADVISOR_TODAY", "2026-12-02")
    plugins.reset()
    yield
    plugins.reset()


def scaffold(target: Path, starter: str, *extra: str) -> str:
    answers, *backends = STARTERS[starter]
    args = ["scaffold", target, "--no-input", "--name", "demo", *backends, *extra]
    if answers is not None:
        args += ["--answers", ANSWERS / answers]
    result = run_advisor(*args)
    assert result.exit_code == 0, result.stderr
    return result.stderr


def record_of(project: Path) -> dict:
    return yaml.safe_load((project / ".advisor.yml").read_text("utf-8"))


@pytest.mark.parametrize("starter", list(STARTERS))
def test_a_korean_starter_differs_from_the_english_one_only_in_its_prose(tmp_path, starter):
    scaffold(tmp_path / "en", starter)
    scaffold(tmp_path / "ko", starter, "--lang", "ko")
    english, korean = tree_digest(tmp_path / "en"), tree_digest(tmp_path / "ko")
    assert english.keys() == korean.keys()
    changed = {path for path in english if english[path] != korean[path]}
    assert changed <= PROSE
    assert {"README.md", ".advisor.yml"} <= changed

    readme = (tmp_path / "ko" / "README.md").read_text("utf-8")
    assert HANGUL.search(readme)
    for heading in ("## 실행하기", "## 평가가 먼저입니다", "## 설정", "## 테스트"):
        assert f"\n{heading}\n" in readme, heading
    # no section of the templates' prose is left in English
    for english_prose in ("## Run it", "## Evaluation first", "Settings are read from"):
        assert english_prose not in readme
    # the decision's reasons and warnings, listed in the first section, too
    first_section = readme.split("\n## ")[1]
    bullets = [line for line in first_section.splitlines() if line.startswith("- ")]
    decided = [line for line in bullets if not line.startswith("- `")]  # not the backends
    assert all(HANGUL.search(line) for line in decided), decided
    assert bool(decided) == (starter != "no decision")
    # the backends' descriptions and every setting in the configuration table
    described = [line for line in bullets if line.startswith("- `")]
    settings = [line for line in readme.splitlines() if re.match(r"\| `[A-Z][A-Z0-9_]+` \|", line)]
    assert described and settings
    assert all(HANGUL.search(line.split("|")[2]) for line in settings), settings
    assert all(HANGUL.search(line) for line in described), described
    if starter == "no decision":
        decision = (tmp_path / "ko" / "docs" / "decision.md").read_text("utf-8")
        assert decision.startswith("# 의사결정 기록: 기록되지 않음\n")
        assert "advisor decide --format markdown -o docs/decision.md" in decision
    assert record_of(tmp_path / "ko")["language"] == "ko"
    assert record_of(tmp_path / "en")["language"] == "en"


def test_the_korean_decision_record_is_what_decide_writes_in_korean(tmp_path, monkeypatch):
    scaffold(tmp_path / "ko", "weaviate-rag", "--lang", "ko")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "docs").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    made = run_advisor(
        "decide",
        "--lang",
        "ko",
        "--answers",
        ANSWERS / "startup-faq.yaml",
        "--format",
        "markdown",
        "-o",
        "docs/decision.md",
    )
    assert made.exit_code == 0, made.stderr
    for name in ("docs/decision.md", "docs/decision-costs.svg"):
        assert (tmp_path / "ko" / name).read_bytes() == (elsewhere / name).read_bytes(), name


def test_every_message_a_starter_template_looks_up_has_a_korean_translation(tmp_path, monkeypatch):
    """Catches a {% trans %} block whose extracted id differs from the one looked up (the
    extraction options in babel.cfg must match the starter environment's)."""
    looked_up: list[str] = []
    translate = i18n.gettext

    def recording(message: str) -> str:
        looked_up.append(message)
        return translate(message)

    monkeypatch.setattr(i18n, "gettext", recording)
    for starter in STARTERS:
        scaffold(tmp_path / starter.replace(" ", "-"), starter, "--lang", "ko")
    assert len(set(looked_up)) > 60
    with (ROOT / "src/advisor/locale/ko/LC_MESSAGES/advisor.po").open("rb") as po:
        in_catalog = {message.id for message in read_po(po) if message.id}
    # The record passes provider notices (data, English by design: docs/i18n.md) through
    # the same lookup; everything else must be a catalog entry.
    data = {event.text for status in load_providers().values() for event in status.events}
    untranslated = sorted(
        {m for m in looked_up if m not in in_catalog and not any(t in m for t in data)}
    )
    assert untranslated == [], untranslated


def test_the_locale_and_advisor_lang_choose_the_starters_language(tmp_path, monkeypatch):
    monkeypatch.delenv("ADVISOR_LANG")
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    scaffold(tmp_path / "by-locale", "weaviate-rag")
    assert record_of(tmp_path / "by-locale")["language"] == "ko"
    monkeypatch.setenv("ADVISOR_LANG", "en")
    scaffold(tmp_path / "by-variable", "weaviate-rag")
    assert "## Run it" in (tmp_path / "by-variable" / "README.md").read_text("utf-8")


def test_a_project_made_again_from_its_record_keeps_its_language(tmp_path):
    scaffold(tmp_path / "ko", "weaviate-rag", "--lang", "ko")
    record = tmp_path / "ko" / ".advisor.yml"
    again = run_advisor("scaffold", tmp_path / "again", "--answers-from", record)
    assert again.exit_code == 0, again.stderr
    assert tree_digest(tmp_path / "again") == tree_digest(tmp_path / "ko")
    english = run_advisor(
        "scaffold", tmp_path / "english", "--answers-from", record, "--lang", "en"
    )
    assert english.exit_code == 0, english.stderr
    assert record_of(tmp_path / "english")["language"] == "en"
    assert "## Run it" in (tmp_path / "english" / "README.md").read_text("utf-8")


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="update merges with git")


@needs_git
def test_update_keeps_the_recorded_language_whoever_runs_it(tmp_path):
    project = tmp_path / "ko"
    scaffold(project, "weaviate-rag", "--lang", "ko")
    readme = (project / "README.md").read_bytes()
    # a teammate with an English environment (the autouse ADVISOR_LANG=en) updates
    result = run_advisor("update", project, "--set", "rag_top_k=8")
    assert result.exit_code == 0, result.stderr
    assert "Updated" in result.stderr  # the messages are in the reader's language
    assert record_of(project)["language"] == "ko"
    assert record_of(project)["answers"]["rag_top_k"] == 8
    assert (project / "README.md").read_bytes() == readme
    again = run_advisor("update", project)
    assert "1 identical" not in again.stderr and "update" not in again.stderr.split("Updated")[0]


@needs_git
def test_update_with_lang_renders_the_prose_anew_and_merges_the_teams_edits(tmp_path):
    project, english = tmp_path / "ko", tmp_path / "en"
    scaffold(project, "weaviate-rag", "--lang", "ko")
    scaffold(english, "weaviate-rag")
    with (project / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("\nTeam: ask Dana before re-indexing.\n")
    result = run_advisor("update", project, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "the language changes from ko to en" in result.stderr
    lines = {
        line.split()[1]: line.split()[0]
        for line in result.stderr.splitlines()
        if line.startswith("  ")
    }
    assert lines["README.md"] == "merge"
    readme = (project / "README.md").read_text("utf-8")
    assert readme == (english / "README.md").read_text("utf-8") + (
        "\nTeam: ask Dana before re-indexing.\n"
    )
    assert record_of(project)["language"] == "en"
    # docs/decision.md is now the English one; the code was the same in both languages
    digest, expected = tree_digest(project), tree_digest(english)
    assert {p for p in expected if digest.get(p) != expected[p]} == {"README.md"}


@needs_git
def test_a_record_without_a_language_is_english(tmp_path):
    project = tmp_path / "old"
    scaffold(project, "weaviate-rag")
    record = project / ".advisor.yml"
    text = record.read_text("utf-8")
    assert "\nlanguage: en\n" in text
    record.write_text(text.replace("\nlanguage: en\n", "\n"), "utf-8")
    with i18n.using("ko"):  # whatever the reader's language
        result = run_advisor("update", project)
    assert result.exit_code == 0, result.stderr
    assert " README.md" not in result.stderr  # identical: not listed
    assert record_of(project)["language"] == "en"


def test_a_record_with_a_language_without_a_catalog_is_refused_in_one_line(tmp_path):
    scaffold(tmp_path / "made", "weaviate-rag")
    record = tmp_path / "made" / ".advisor.yml"
    record.write_text(record.read_text("utf-8").replace("language: en", "language: ja"), "utf-8")
    result = run_advisor("scaffold", tmp_path / "again", "--answers-from", record)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "language: 'ja' has no catalog" in result.stderr and "en, ko" in result.stderr
    assert not (tmp_path / "again").exists()


def test_team_templates_translate_in_the_sandbox_and_stay_confined(tmp_path):
    team = tmp_path / "team"
    (team / "files").mkdir(parents=True)
    (team / "files" / "NOTES.md").write_text(
        "{% trans %}\n## Run it\n{% endtrans %}\n{{ _('Keep in mind:\\n') }}", "utf-8"
    )
    scaffold(tmp_path / "ko", "weaviate-rag", "--lang", "ko", "--templates", str(team))
    assert (tmp_path / "ko" / "NOTES.md").read_text("utf-8") == "## 실행하기\n유의할 점:\n"

    (team / "files" / "NOTES.md").write_text("{{ _.__globals__ }}", "utf-8")
    escape = run_advisor(
        "scaffold",
        tmp_path / "escape",
        "--no-input",
        "--backend",
        "weaviate-rag",
        "--templates",
        team,
        "--lang",
        "ko",
    )
    assert escape.exit_code == 2
    assert "SecurityError" in escape.stderr or "unsafe" in escape.stderr
    assert not (tmp_path / "escape").exists()


@pytest.mark.slow
def test_the_korean_rag_starter_passes_its_own_tests(tmp_path):
    project = tmp_path / "demo"
    scaffold(project, "weaviate-rag", "--lang", "ko")
    tests = run_starter_tests(project)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]


def test_scaffold_speaks_korean_around_actions_that_stay_the_same(tmp_path):
    dry = run_advisor(
        "scaffold",
        tmp_path / "dry",
        "--no-input",
        "--backend",
        "weaviate-rag",
        "--lang",
        "ko",
        "--dry-run",
    )
    assert dry.exit_code == 0, dry.stderr
    assert "결정 없음 -> 백엔드: weaviate-rag" in dry.stderr
    assert "  create    README.md\n" in dry.stderr  # the action is the same word in English
    assert "미리 보기(dry run), 아무것도 쓰지 않음" in dry.stderr
    made = scaffold(tmp_path / "made", "weaviate-rag", "--lang", "ko")
    assert "\n다음 단계:\n" in made
    assert "cp .env.example .env  # 그다음 값을 채우세요" in made

    again = run_advisor(
        "scaffold",
        tmp_path / "made",
        "--no-input",
        "--backend",
        "weaviate-rag",
        "--lang",
        "ko",
        "--set",
        "rag_top_k=9",
    )
    assert again.exit_code == 1
    assert "덮어쓰게 됩니다" in again.stderr and "아무것도 쓰지 않았습니다" in again.stderr


def test_check_in_korean_keeps_path_kind_text_and_the_exit_code(tmp_path, monkeypatch):
    scaffold(tmp_path / "ko", "weaviate-rag", "--lang", "ko")
    monkeypatch.setenv("ADVISOR_TODAY", "2028-06-01")  # the price book is old by then
    english = run_advisor("check", tmp_path / "ko")
    korean = run_advisor("check", tmp_path / "ko", "--lang", "ko")
    assert korean.exit_code == english.exit_code == 1
    record = str(tmp_path / "ko" / ".advisor.yml")
    english_lines = english.stdout.splitlines()
    korean_lines = korean.stdout.splitlines()
    assert len(korean_lines) == len(english_lines) > 0
    for ours, theirs in zip(korean_lines, english_lines, strict=True):
        kind = theirs.removeprefix(f"{record}: ").split(":")[0]
        assert ours.startswith(f"{record}: {kind}: ")
        assert HANGUL.search(ours) and not HANGUL.search(theirs)


def test_the_built_in_backends_questions_and_settings_read_in_korean():
    """Their descriptions, questions (asked while scaffolding) and settings (the README's
    configuration table) are catalog messages; model summaries and values are data."""
    from advisor.messages import translate

    i18n.activate("ko")
    texts = []
    for backend in plugins.get_plugins().backends().values():
        texts += [backend.description, *(q.help for q in backend.questions)]
        texts += [variable.description for variable in backend.env]
        for question in backend.questions:
            if question.key != "hf_lora_model":  # its choices' help: the models' facts
                texts += question.choice_help.values()
    assert len(texts) > 50
    assert [text for text in texts if not HANGUL.search(translate(text))] == []
