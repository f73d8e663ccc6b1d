"""The ``pgvector-rag`` backend: what advisor needs to scaffold a RAG starter on pgvector.

Everything here comes from :mod:`advisor.api`, the one module a plugin may import from
advisor. Nothing heavy is imported: advisor loads this module for ``advisor --help``.

Texts people read are English, marked with ``N_`` (``Message`` when they hold values), and
translated by advisor where it shows them, through this plugin's own gettext catalog
(``locale/<lang>/LC_MESSAGES/advisor_pgvector.po``, compiled by ``hatch_build.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from advisor.api import (
    N_,
    Backend,
    Catalog,
    Check,
    CheckResult,
    EnvVar,
    InputError,
    Message,
    Question,
    ScaffoldContext,
    chat_model,
    hookimpl,
)

TEMPLATES = Path(__file__).parent / "templates" / "pgvector-rag"
CATALOG = Catalog("advisor_pgvector", Path(__file__).parent / "locale")
DATABASE_URL = "PGVECTOR_DATABASE_URL"

# A table name goes into SQL as an identifier, so the answer must be a plain one.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")

TABLE = Question(
    "pgvector_table",
    "str",
    N_("PostgreSQL table that holds the document chunks and their embeddings."),
    default="chunks",
)
DIMENSIONS = Question(
    "pgvector_dimensions",
    "int",
    N_("Embedding dimensions (1536 for text-embedding-3-small)."),
    default=1536,
    minimum=1,
    maximum=16000,
)


def extra_context(ctx: ScaffoldContext) -> Mapping[str, Any]:
    """The scaffold step: check the table name, hand the templates their settings."""
    table = ctx.answers.get(TABLE.key, TABLE.default)
    if not isinstance(table, str) or not _IDENTIFIER.fullmatch(table):
        raise InputError(
            f"pgvector_table: {table!r} is not allowed (allowed: a lower-case SQL identifier: "
            "letters, digits and _, not starting with a digit, at most 63 characters)"
        )
    dimensions = ctx.answers.get(DIMENSIONS.key, DIMENSIONS.default)
    model = chat_model()  # the price book's current default, not a snapshot that retires
    return {
        "pgvector_table": table,
        "pgvector_dimensions": dimensions,
        "pgvector_chat_model": model.model_id,
        # reasoning models refuse any temperature but their default: send none to them
        "pgvector_temperature": None if model.reasoning else 0,
    }


BACKEND = Backend(
    name="pgvector-rag",
    approaches=("rag",),
    description=N_("RAG on PostgreSQL with the pgvector extension (psycopg, OpenAI embeddings)"),
    template_dir=TEMPLATES,
    questions=(TABLE, DIMENSIONS),
    dependencies=("psycopg[binary]>=3.2", "openai>=1.66"),
    env=(
        EnvVar(
            "PGVECTOR_DATABASE_URL",
            "PostgreSQL connection URL (the database needs the vector extension)",
            "postgresql://advisor:change-me@127.0.0.1:5432/advisor",
            secret=True,
        ),
        EnvVar("OPENAI_API_KEY", "OpenAI API key for embeddings and answers", "sk-...", True),
        EnvVar("OPENAI_BASE_URL", "OpenAI-compatible endpoint", "https://api.openai.com/v1"),
        EnvVar("PGVECTOR_EMBEDDING_MODEL", "Embedding model", "text-embedding-3-small"),
        EnvVar("PGVECTOR_CHAT_MODEL", "Model that writes the answer (unset: the default)", ""),
        EnvVar("PGVECTOR_TEMPERATURE", "Temperature sent with answers (unset: none)", ""),
    ),
    commands=("pgvector_rag.commands",),
    eval_systems=("pgvector_rag.systems",),
    next_steps=(
        "docker compose -f docker-compose.pgvector.yml up -d",
        "{{ project_slug }} pgvector ingest data/corpus",
        '{{ project_slug }} pgvector ask "What is the first-line drug for type 2 diabetes?"',
    ),
    extra_context=extra_context,
)


def check_database_url(settings: Any) -> CheckResult:
    """The starter needs a PostgreSQL URL; its value (a password in it) is never shown."""
    url = settings.env_value(DATABASE_URL)
    fix = N_(
        "set PGVECTOR_DATABASE_URL (environment or the project's .env) to the database's "
        "postgresql:// URL"
    )
    if url is None:
        return CheckResult("fail", N_("PGVECTOR_DATABASE_URL is not set"), fix)
    if not url.startswith(("postgresql://", "postgres://")):
        return CheckResult("fail", N_("PGVECTOR_DATABASE_URL is not a postgresql:// URL"), fix)
    origin = settings.env_origin(DATABASE_URL)
    return CheckResult("ok", Message(N_("PGVECTOR_DATABASE_URL is set ({origin})"), origin=origin))


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    register(BACKEND)


@hookimpl
def register_doctor_checks(register: Callable[[Check], None]) -> None:
    register(Check("pgvector.database-url", check_database_url, BACKEND.name))


@hookimpl
def register_catalogs(register: Callable[[Catalog], None]) -> None:
    register(CATALOG)
