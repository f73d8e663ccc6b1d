"""The `ingest` and `ask` commands, added to the project's CLI by `cli.py`."""

from __future__ import annotations

from pathlib import Path

import click


def register(cli: click.Group) -> None:
    """Add this backend's commands to the project's click group."""
    cli.add_command(ingest_command)
    cli.add_command(ask_command)


@click.command("ingest")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option(
    "--force", is_flag=True, help="Re-import every file, even those whose chunks are current."
)
def ingest_command(paths: tuple[Path, ...], force: bool) -> None:
    """Load Markdown, text and PDF files (or folders of them) into Weaviate.

    Unchanged files are skipped; a changed file's chunks are replaced.
    """
    from .pipeline import ingest
    from .settings import load_settings
    from .store import describe_location

    settings = load_settings()
    click.echo(
        f"Collection {settings.collection} in {describe_location(settings)} "
        f"(vectors: {settings.vectorizer})",
        err=True,
    )
    report = ingest(list(paths), settings, force=force)
    click.echo(report.summary())
    if report.failed_count:
        for line in report.failures:
            click.echo(f"  failed: {line}", err=True)
        hidden = report.failed_count - len(report.failures)
        if hidden > 0:
            click.echo(f"  ... and {hidden} more", err=True)
        raise click.ClickException(f"{report.failed_count} chunk(s) were not imported")


@click.command("ask")
@click.argument("question")
@click.option("--top-k", type=click.IntRange(1, 50), help="Chunks to retrieve [RAG_TOP_K].")
@click.option(
    "--mode",
    type=click.Choice(["near-text", "hybrid"]),
    help="Search mode [RAG_SEARCH_MODE].",
)
@click.option("--show-context", is_flag=True, help="Print the retrieved chunks too.")
def ask_command(question: str, top_k: int | None, mode: str | None, show_context: bool) -> None:
    """Answer QUESTION from the ingested documents, then list the sources."""
    from .pipeline import Answerer
    from .prompting import format_sources
    from .settings import load_settings

    if not question.strip():
        raise click.BadParameter("must not be empty", param_hint="QUESTION")
    overrides: dict[str, object] = {}
    if top_k is not None:
        overrides["top_k"] = top_k
    if mode is not None:
        overrides["search_mode"] = mode
    settings = load_settings(**overrides)
    with Answerer(settings) as answerer:
        answer, hits = answerer.answer(question)
    click.echo(answer)
    click.echo()
    click.echo(format_sources(hits))
    if show_context:
        for number, hit in enumerate(hits, start=1):
            click.echo(f"\n--- [{number}] {hit.label()}\n{hit.text}")
