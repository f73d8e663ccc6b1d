"""The plugin registers its backend through advisor's public API and its templates exist."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from advisor.api import InputError, ScaffoldContext, chat_model
from advisor.testing import invoke, plugin_registered

from advisor_pgvector import plugin

PACKAGE = Path(plugin.__file__).parent


def context(**answers) -> ScaffoldContext:
    return ScaffoldContext("demo", "demo", answers, ("pgvector-rag",), ("rag",))


def test_registers_the_pgvector_rag_backend():
    with plugin_registered(plugin) as manager:
        backend = manager.backends()["pgvector-rag"]

    assert backend.approaches == ("rag",)
    assert [q.key for q in backend.questions] == ["pgvector_table", "pgvector_dimensions"]
    assert "psycopg[binary]>=3.2" in backend.dependencies
    assert [v.name for v in backend.env if v.secret] == ["PGVECTOR_DATABASE_URL", "OPENAI_API_KEY"]


def test_advisor_plugins_lists_it():
    with plugin_registered(plugin, name="pgvector"):
        result = invoke(["plugins", "--format", "json"])

    [entry] = json.loads(result.stdout)
    assert entry["hooks"] == ["register_backends", "register_catalogs", "register_doctor_checks"]
    assert entry["backends"][0]["name"] == "pgvector-rag"
    assert entry["errors"] == []


def test_installed_entry_point_is_found():
    """Runs the installed `advisor` in a fresh process (pip install -e examples/advisor-pgvector).

    Only public interfaces: the console script and the documented environment variables.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update(ADVISOR_LOAD_PLUGINS="advisor-pgvector", ADVISOR_STRICT_PLUGINS="1")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "advisor"), "plugins", "--format", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stderr
    [entry] = json.loads(result.stdout)
    assert (entry["name"], entry["distribution"]) == ("pgvector", "advisor-pgvector")
    assert entry["version"] == "0.1.0"


def test_scaffold_step_passes_the_table_and_dimensions_to_the_templates():
    extra = plugin.extra_context(context(pgvector_table="guideline_chunks", pgvector_dimensions=3))

    model = chat_model()  # the price book's current default, and whether it reasons
    chat = {"pgvector_chat_model": model.model_id,
            "pgvector_temperature": None if model.reasoning else 0}
    assert extra == {"pgvector_table": "guideline_chunks", "pgvector_dimensions": 3, **chat}
    defaults = plugin.extra_context(context())
    assert defaults == {"pgvector_table": "chunks", "pgvector_dimensions": 1536, **chat}


@pytest.mark.parametrize("table", ["chunks; DROP TABLE users", "Chunks", "1chunks", "a" * 64])
def test_scaffold_step_refuses_a_table_name_that_is_not_an_identifier(table):
    with pytest.raises(InputError, match=r"pgvector_table: .* is not allowed"):
        plugin.extra_context(context(pgvector_table=table))


def test_templates_follow_the_scaffold_layout():
    root = plugin.BACKEND.template_dir
    own = root / "files" / "src" / "{{package}}" / "pgvector_rag"

    assert (root / "readme.md").is_file()
    for module in (*plugin.BACKEND.commands, *plugin.BACKEND.eval_systems):
        assert (own.parent / (module.replace(".", "/") + ".py")).is_file()
    tests = sorted(p.name for p in (root / "files" / "tests").iterdir())
    assert tests and all(name.startswith("test_pgvector_rag_") for name in tests)
    corpus = {p.name for p in (root / "files" / "data" / "corpus").glob("*.md")}
    assert corpus == {"hypertension.md", "diabetes.md", "vaccination.md", "hypertension-ko.md"}


def test_plugin_imports_nothing_from_advisor_but_the_public_api():
    imported = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)

    assert {m for m in imported if m.split(".")[0] == "advisor"} == {"advisor.api"}


LOCALE = PACKAGE / "locale"


@pytest.mark.parametrize("po", sorted(LOCALE.glob("*/LC_MESSAGES/advisor_pgvector.po")))
def test_the_compiled_catalog_is_complete_and_matches_its_po(po):
    """``hatch_build.py`` compiles the ``.po`` at install; a stale ``.mo`` (an install made
    before the ``.po`` changed) or an untranslated entry fails here."""
    import gettext

    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source)
    with po.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    entries = [message for message in catalog if message.id]
    assert entries
    for message in entries:
        assert message.string and not message.fuzzy, message.id
        assert translations.gettext(message.id) == message.string


def test_doctor_and_questions_speak_korean_through_the_plugin_catalog(monkeypatch):
    monkeypatch.delenv("PGVECTOR_DATABASE_URL", raising=False)
    with plugin_registered(plugin, name="pgvector"):
        doctor = invoke(["doctor", "--lang", "ko", "--backend", "pgvector-rag"])
        from advisor import i18n  # the language the command chose stays in use

        help_ko = i18n.gettext(plugin.TABLE.help)

    assert "PGVECTOR_DATABASE_URL이 설정되어 있지 않습니다" in doctor.stdout
    assert help_ko == "문서 청크와 임베딩을 저장할 PostgreSQL 테이블."


def test_the_database_url_check_never_shows_the_url(monkeypatch):
    monkeypatch.setenv("PGVECTOR_DATABASE_URL", "postgresql://app:s3cret-pw@db:5432/rag")
    result = plugin.check_database_url(_Settings())
    assert result.status == "ok" and "s3cret-pw" not in result.summary
    monkeypatch.setenv("PGVECTOR_DATABASE_URL", "mysql://app:s3cret-pw@db/rag")
    result = plugin.check_database_url(_Settings())
    assert result.status == "fail" and "s3cret-pw" not in result.summary + result.fix


class _Settings:
    """What the check reads of advisor's settings: the variable and where it came from."""

    @staticmethod
    def env_value(name):
        return os.environ.get(name) or None

    @staticmethod
    def env_origin(name):
        return f"env {name}"
