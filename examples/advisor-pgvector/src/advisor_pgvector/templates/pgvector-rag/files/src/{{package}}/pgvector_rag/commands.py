"""``pgvector ingest`` and ``pgvector ask``, wired into the starter's CLI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .settings import PgvectorSettings


def register(cli: click.Group) -> None:
    @cli.group(name="pgvector")
    def pgvector() -> None:
        """RAG over PostgreSQL + pgvector."""

    @pgvector.command()
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def ingest(folder: Path) -> None:
        """Chunk, embed and store every Markdown file in FOLDER."""
        from . import rag

        settings = configured()
        click.echo(f"Stored {rag.ingest(folder, settings)} chunks in {settings.pgvector_table}.")

    @pgvector.command()
    @click.argument("question")
    def ask(question: str) -> None:
        """Answer QUESTION from the stored chunks, citing their files."""
        from . import rag

        prediction = rag.answer(question, configured())
        click.echo(prediction.answer)
        click.echo("sources: " + (", ".join(prediction.sources) or "none"))


def configured() -> PgvectorSettings:
    """The settings, or a one-line usage error naming what is missing.

    Imported here, not at the top: pydantic-settings would slow every ``--help``.
    """
    from .settings import PgvectorSettings

    settings = PgvectorSettings()
    missing = settings.missing()
    if missing:
        raise click.UsageError(f"set {', '.join(missing)} (see .env.example)")
    return settings
