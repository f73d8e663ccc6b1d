"""The command line in Korean: help pages, the questionnaire, and the human output of
``questions``, ``doctor``, ``config show`` and ``plugins`` (their JSON stays the same)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from advisor import i18n, plugins
from advisor.api import Check, CheckResult, Question, hookimpl
from advisor.cli import cli
from advisor.errors import InputError
from advisor.i18n import N_
from advisor.messages import Message, translate
from advisor.questionnaire import (
    CORE_QUESTIONS,
    OPTIONAL_QUESTIONS,
    choice_labels,
    coerce,
    core_label_messages,
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


CORE_COMMANDS = sorted(path for path, _ in _commands(cli))


def invoke(args, env=None):
    result = CliRunner().invoke(cli, args, env=env, prog_name="advisor")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--help", "--lang", "ko"], {}),
        (["decide", "--lang", "ko", "--help"], {}),
        (["scaffold", "--help"], {"ADVISOR_LANG": "ko"}),
    ],
)
def test_help_follows_the_language_wherever_it_is_chosen(args, env):
    out = invoke(args, env)
    assert out.startswith("사용법: advisor")
    assert "옵션:" in out and "이 도움말을 보여 주고 종료합니다." in out
    assert "Usage:" not in out and "Options:" not in out


@pytest.mark.parametrize("path", CORE_COMMANDS, ids=" ".join)
def test_every_core_command_and_option_has_korean_help(path):
    """Each command's own help, and each option's, come out in Korean (no English left)."""
    command = cli
    for name in path:
        command = command.commands[name]
    out = invoke([*path, "--help"], {"ADVISOR_LANG": "ko"})
    description = out.split("\n\n")[1]
    assert HANGUL.search(description), description
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            assert HANGUL.search(param.help), f"{path} {param.opts}: {param.help}"
    english = invoke([*path, "--help"], {"ADVISOR_LANG": "en"})
    assert not HANGUL.search(english)


@pytest.mark.parametrize("path", [(), *CORE_COMMANDS], ids=lambda p: " ".join(p) or "advisor")
def test_korean_help_wraps_by_the_columns_hangul_takes(path, monkeypatch):
    """Hangul takes two terminal columns: a page wrapped by length would run past 80."""
    monkeypatch.setenv("COLUMNS", "80")
    out = invoke([*path, "--help", "--lang", "ko"])
    too_wide = [line for line in out.splitlines() if i18n.columns(line) > 80]
    # A line without a space to break at (a long option list) may be wider, as in English.
    assert [line for line in too_wide if " " in line.strip()] == []


def test_the_command_list_shows_korean_short_help():
    out = invoke(["--lang", "ko", "--help"])
    commands = out.split("명령:\n")[1].splitlines()
    rows = [line.split(None, 1) for line in commands if line.strip()]
    assert {name for name, _ in rows} >= {"decide", "scaffold", "doctor", "questions"}
    assert all(HANGUL.search(text) for _, text in rows), rows


def test_help_is_translated_when_shown_not_when_defined():
    """The same command object gives English and Korean help in one process."""
    decide = cli.commands["decide"]
    i18n.activate("ko")
    assert HANGUL.search(decide.get_short_help_str())
    i18n.activate("en")
    assert decide.get_short_help_str() == "Recommend rag, fine-tune or hybrid, with costs."


# --- The questionnaire --------------------------------------------------------------

CHOICE_QUESTIONS = [q for q in CORE_QUESTIONS if q.kind == "choice"]


def run(args, env=None, input=None):
    return CliRunner().invoke(cli, args, env=env, input=input, prog_name="advisor")


@pytest.mark.parametrize("question", CHOICE_QUESTIONS, ids=lambda q: q.key)
def test_every_core_choice_has_a_korean_label_that_reads_back_as_its_value(question):
    i18n.activate("ko")
    labels = choice_labels(question)
    assert all(HANGUL.search(label) for c, label in labels.items() if c != "api"), labels
    assert len({label.lower() for label in labels.values()}) == len(labels)
    for choice, label in labels.items():
        assert coerce(question, label, "test") == choice
    i18n.activate("en")
    assert choice_labels(question) == {c: c for c in question.choices}
    for choice, label in zip(question.choices, labels.values(), strict=True):
        assert coerce(question, label, "test") == choice  # any language's label, in English


def test_the_label_list_covers_every_core_choice():
    """``core_label_messages`` is what puts the labels in the catalog: none may be missing."""
    i18n.activate("ko")
    labels = set(core_label_messages())
    for question in CHOICE_QUESTIONS:
        assert set(choice_labels(question).values()) <= labels, question.key
    assert {"예", "아니요"} <= labels


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_korean_labels_in_set_and_answers_files_give_the_english_values(tmp_path, lang):
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "volatility: 매주\nformat: 엄격\nlatency_ms: 900\nbudget_usd: 5000\n", "utf-8"
    )
    korean = run(
        ["decide", "--lang", lang, "--answers", str(answers), "--set", "citations=예",
         "--set", "deployment=자체 호스팅", "--format", "json"]
    )
    english = run(
        ["decide", "--lang", "en", "--set", "volatility=weekly", "--set", "format=strict",
         "--set", "latency_ms=900", "--set", "budget_usd=5000", "--set", "citations=true",
         "--set", "deployment=self-hosted", "--format", "json"]
    )
    assert korean.exit_code == english.exit_code == 0, korean.output
    decision = json.loads(korean.stdout)
    assert decision["answers"] == json.loads(english.stdout)["answers"]
    assert decision["answers"]["volatility"] == "weekly"
    assert decision["answers"]["deployment"] == "self-hosted"
    assert decision["answers"]["citations"] is True


def test_a_bad_value_is_one_korean_line_naming_field_value_and_allowed():
    result = run(["decide", "--lang", "ko", "--no-input", "--set", "volatility=weakly",
                  "--set", "format=strict", "--set", "latency_ms=9", "--set", "budget_usd=1"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("오류: --set: volatility: 'weakly'")
    assert "허용되지 않습니다" in line and "weekly(매주)" in line and "'weekly'을(를)" in line
    assert "Traceback" not in result.output


def test_several_bad_answers_are_reported_at_once_in_korean(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("volatility: 자주\nformat: json\nlatency_ms: 빠름\nbudget: 1\n", "utf-8")
    result = run(["decide", "--lang", "ko", "--answers", str(answers)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 5, lines  # unknown key, three bad values, missing budget_usd
    assert all(line.startswith("오류: ") and HANGUL.search(line[4:]) for line in lines)
    assert any("budget_usd" in line and "'budget'" in line for line in lines)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a: [\n", "올바른 YAML/JSON이 아닙니다(2행)"),
        ("- 1\n", "key: value 매핑이어야 합니다"),
        (b"\xff\xfe", "UTF-8 텍스트가 아닙니다"),
    ],
)
def test_answers_file_errors_are_korean(tmp_path, content, expected):
    answers = tmp_path / "a.yaml"
    if isinstance(content, bytes):
        answers.write_bytes(content)
    else:
        answers.write_text(content, "utf-8")
    result = run(["decide", "--lang", "ko", "--answers", str(answers)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"오류: {answers}: " + result.stderr.split(
        f"{answers}: ", 1)[1].strip()]
    assert expected in result.stderr


def test_questions_text_is_korean_and_its_json_is_the_same_in_every_language():
    korean = invoke(["questions", "--lang", "ko"])
    assert "답변이 의존하는 사실은 얼마나 자주 바뀝니까?" in korean
    assert "weekly(매주)" in korean and "strict(엄격): " in korean
    assert "허용값: true 또는 false(예 또는 아니요)" in korean
    english = invoke(["questions", "--lang", "en"])
    assert not HANGUL.search(english)
    assert invoke(["questions", "--format", "json", "--lang", "ko"]) == invoke(
        ["questions", "--format", "json", "--lang", "en"]
    )
    keys = [q["key"] for q in json.loads(invoke(["questions", "--format", "json"]))]
    assert keys == [q.key for q in CORE_QUESTIONS + OPTIONAL_QUESTIONS]


def test_korean_labels_come_through_a_pipe(tmp_path):
    """``--answers /dev/stdin`` fed by a pipe, in an English session: values in the JSON."""
    text = "volatility: 매주\nformat: 엄격\nlatency_ms: 900\nbudget_usd: 5000\ncitations: 아니요\n"
    env = {**os.environ, "ADVISOR_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", "from advisor.cli import main; main()", "decide",
         "--answers", "/dev/stdin", "--format", "json"],
        input=text.encode(), capture_output=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    answers = json.loads(done.stdout)["answers"]
    assert answers["volatility"] == "weekly" and answers["format"] == "strict"
    assert answers["citations"] is False
    assert "'매주' read as weekly" in done.stderr.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
def test_a_korean_session_at_a_terminal_shows_and_accepts_korean_labels(tmp_path):
    from test_cli_pty import Terminal

    term = Terminal(
        "decide", "--format", "json", cwd=tmp_path, columns=80, env={"ADVISOR_LANG": "ko"}
    )
    term.expect("< 입력 후 Enter를 누르면 이전 질문으로 돌아갑니다.")
    term.expect("질문 1/8: 답변이 의존하는 사실은 얼마나 자주 바뀝니까?")
    term.expect("volatility (고정/매년/매월/매주/매일/실시간):")
    term.line("매주")
    shown = term.expect("format (없음/가벼움/스키마/엄격):")
    assert "엄격: 지시문만으로는" in shown
    term.line("json")  # a hint in Korean, then asked again
    refused = term.expect("format (없음/가벼움/스키마/엄격):")
    assert "오류: 답변: format: 'json'은(는) 허용되지 않습니다" in refused
    assert "'schema'을(를) 뜻했나요?" in refused and "Error" not in refused
    term.line("엄격")
    term.expect("latency_ms (예: 800, 800ms, 0.8 s):")
    term.line("<")  # back: the previous answer is offered as its label
    term.expect("format (없음/가벼움/스키마/엄격) [엄격]:")
    term.line("")
    term.expect("latency_ms")
    term.line("900")
    term.expect("budget_usd (예: 2000, $2,000):")
    term.line("5000")
    term.expect("examples [0]:")
    term.line("")
    term.expect("citations (예/아니요) [아니요]:")
    term.line("예")
    for _ in range(2):
        term.expect("]:")
        term.line("")
    term.expect("답변을 저장할까요(`advisor scaffold`용)?")
    term.line("-")
    code, stdout, shown = term.finish()
    assert code == 0, shown
    answers = json.loads(stdout)["answers"]
    assert answers["volatility"] == "weekly" and answers["format"] == "strict"
    assert answers["citations"] is True
    # Help and errors wrap to the terminal's 80 columns, Hangul counted as two each
    # (a prompt line, with its default and what was typed, is one line as in English).
    wrapped = [line for line in shown.splitlines() if "]: " not in line]
    assert [line for line in wrapped if i18n.columns(line) > 80] == []
    assert "  엄격: 지시문만으로는" in shown


# --- doctor, config show, plugins ---------------------------------------------------

KEY = "sk-test-" + "x" * 40


class SpeakingChecks:
    """A plugin whose checks say things with values in them (one of them a secret)."""

    @staticmethod
    @hookimpl
    def register_doctor_checks(register):
        def broken(settings):
            return CheckResult(
                "fail",
                Message(N_("the check itself failed: {error}"), error=f"RuntimeError: {KEY}"),
                N_("report this to the plugin's authors (`advisor plugins` names it)"),
            )

        register(Check("speaking.broken", broken, "speaking"))
        register(Check("speaking.fine", lambda settings: CheckResult("ok", "fine"), "speaking"))


@pytest.fixture
def speaking(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "user.toml"))
    monkeypatch.chdir(tmp_path)
    plugins.reset()
    plugins.get_plugins().add(SpeakingChecks(), "speaking")
    yield
    plugins.reset()


def test_doctor_speaks_korean_and_its_json_stays_english(speaking):
    korean = run(["doctor", "--lang", "ko", "--backend", "speaking"])
    assert korean.exit_code == 1
    text = korean.stdout
    assert "설정 출처: 환경 변수" in text
    assert "실패    speaking.broken  점검 자체가 실패했습니다: RuntimeError: " in text
    assert "해결: 플러그인 작성자에게 알려 주세요" in text
    assert "정상 1, 경고 0, 실패 1, 건너뜀 0" in text and "해결 방법:" in text
    assert KEY not in korean.output
    as_json = [run(["doctor", "--lang", lang, "--backend", "speaking", "--format", "json"])
               for lang in ("ko", "en")]
    assert as_json[0].stdout == as_json[1].stdout
    checks = {c["name"]: c for c in json.loads(as_json[0].stdout)["checks"]}
    assert checks["speaking.broken"]["summary"].startswith("the check itself failed: ")
    assert KEY not in as_json[0].stdout


def test_a_message_is_english_text_that_translates_itself():
    message = Message(N_("the check did not finish within {seconds} s"), seconds="2")
    assert message == "the check did not finish within 2 s"
    assert json.dumps(message) == '"the check did not finish within 2 s"'
    i18n.activate("ko")
    assert translate(message) == "점검이 2초 안에 끝나지 않았습니다"
    assert translate("To fix:") == "해결 방법:" and translate("not in any catalog") == (
        "not in any catalog"
    )


def test_config_show_speaks_korean_and_its_json_stays_the_same(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "user.toml"))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    text = invoke(["config", "show", "--lang", "ko"])
    assert text.startswith("설정 파일(") and "[기본값]" in text and "(설정 안 됨)" in text
    assert KEY not in text
    assert invoke(["config", "show", "--format", "json", "--lang", "ko"]) == invoke(
        ["config", "show", "--format", "json", "--lang", "en"]
    )


def test_plugins_speaks_korean_its_columns_line_up_and_its_json_stays_the_same():
    text = invoke(["plugins", "--lang", "ko"])
    header, first = text.splitlines()[:2]
    assert header.split() == ["플러그인", "패키지", "버전", "훅"]
    # Hangul takes two columns: the second heading starts where the row's second cell does.
    heading_at = i18n.columns(header[: header.index("패키지")])
    assert heading_at == len(first) - len(first[len(first.split()[0]):].lstrip())
    assert "    백엔드 " in text
    assert invoke(["plugins", "--format", "json", "--lang", "ko"]) == invoke(
        ["plugins", "--format", "json", "--lang", "en"]
    )


def test_the_built_in_backends_checks_speak_korean(monkeypatch, tmp_path):
    for name in ("OPENAI_API_KEY", "WEAVIATE_URL", "WEAVIATE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "user.toml"))
    monkeypatch.chdir(tmp_path)
    plugins.reset()
    text = run(["doctor", "--lang", "ko", "--backend", "openai-finetune"]).stdout
    assert "실패    openai.key" in text and "OpenAI API 키가 설정되어 있지 않습니다" in text
    assert "건너뜀  openai.api          OpenAI API 키가 필요합니다(openai.key 참고)" in text
    text = run(["doctor", "--lang", "ko", "--backend", "weaviate-rag"]).stdout
    assert "WEAVIATE_URL이 설정되지 않았습니다" in text
    english = run(["doctor", "--lang", "en", "--backend", "openai-finetune", "--format", "json"])
    korean = run(["doctor", "--lang", "ko", "--backend", "openai-finetune", "--format", "json"])
    assert english.stdout == korean.stdout and "no OpenAI API key is set" in korean.stdout


def test_a_message_in_a_message_is_translated_as_the_clause_it_is():
    """A clause (``or {alternative}``) is a Message of its own; English stays English."""
    clause = Message(N_("choose a backend that does not depend on hosted fine-tuning"))
    sentence = Message(
        N_("plan training before the last date above, or {alternative}"), alternative=clause
    )
    i18n.activate("ko")
    assert sentence == (
        "plan training before the last date above, or choose a backend that does not depend "
        "on hosted fine-tuning"
    )
    assert translate(sentence) == (
        "위의 마지막 날짜 전에 학습을 계획하거나, 다음을 따르세요: "
        "호스팅 미세조정에 의존하지 않는 백엔드를 고르세요"
    )


class BrokenQuestions:
    @staticmethod
    @hookimpl
    def register_questions(register):
        register(Question("Team Size", "int", "People on the team.", default=3))


def test_plugin_warnings_speak_korean_and_plugins_json_keeps_english_errors(monkeypatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    plugins.reset()
    plugins.get_plugins().add(BrokenQuestions(), "broken")
    korean = run(["plugins", "--lang", "ko"])
    warning = korean.stderr.strip().splitlines()
    assert warning == [
        "경고: 플러그인 'broken': 질문 키 'Team Size'은(는) 허용되지 않습니다(허용값: 영문 소문자, "
        "숫자, _로 이루어지고 영문자로 시작, 예: data_residency)"
    ]
    assert "    오류: 질문 키 'Team Size'은(는) 허용되지 않습니다" in korean.stdout
    as_json = run(["plugins", "--lang", "ko", "--format", "json"])
    [info] = json.loads(as_json.stdout)
    assert info["errors"] == [
        "question key 'Team Size' is not allowed (allowed: lowercase letters, digits and _, "
        "starting with a letter, e.g. data_residency)"
    ]
    plugins.reset()
    plugins.get_plugins().add(BrokenQuestions(), "broken")
    strict = run(["plugins", "--lang", "ko"], env={"ADVISOR_STRICT_PLUGINS": "1"})
    assert strict.exit_code == 1
    assert strict.stderr.startswith("오류: 플러그인 'broken': 질문 키 'Team Size'")
    plugins.reset()


def test_the_deployment_boundary_checks_speak_korean_item_by_item(monkeypatch, tmp_path):
    for name in ("OPENAI_BASE_URL", "WEAVIATE_URL", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADVISOR_DEPLOYMENT", "air-gapped")
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "user.toml"))
    monkeypatch.chdir(tmp_path)
    plugins.reset()
    text = run(["doctor", "--lang", "ko", "--backend", "hf-lora"]).stdout
    offline = next(line for line in text.splitlines() if "deployment.offline" in line)
    assert "실행 중에: HF_HUB_OFFLINE이(가) 1이 아닙니다(모델과 토크나이저를 내려받게 됨); " in (
        offline
    )
    assert "WEAVIATE_URL이 설정되지 않았습니다(임베디드 Weaviate가 실행 파일을 내려받음)" in offline
    as_json = run(["doctor", "--lang", "ko", "--backend", "hf-lora", "--format", "json"]).stdout
    assert "HF_HUB_OFFLINE is not 1 (models and tokenizers would be downloaded); " in as_json


@pytest.mark.parametrize(
    ("key", "typed", "meant"),
    [("volatility", "매쥬", "매주"), ("format", "엄겨", "엄격"), ("volatility", "wekly", "weekly")],
)
def test_a_mistyped_label_points_at_the_label(key, typed, meant):
    question = next(q for q in CORE_QUESTIONS if q.key == key)
    i18n.activate("ko")
    with pytest.raises(InputError) as raised:
        coerce(question, typed, "--set")
    assert raised.value.message.endswith(f"'{meant}'을(를) 뜻했나요?")
