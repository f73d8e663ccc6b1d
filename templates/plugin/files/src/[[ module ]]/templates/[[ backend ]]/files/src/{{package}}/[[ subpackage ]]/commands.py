"""``[[ name ]] search``, wired into the starter's CLI."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    @cli.group(name="[[ name ]]")
    def group() -> None:
        """Keyword RAG over the corpus ([[ backend ]])."""

    @group.command()
    @click.argument("question")
    def search(question: str) -> None:
        """Print the passages that best answer QUESTION, with their files."""
        from . import search as retrieval

        folder = retrieval.corpus_folder()
        if not folder.is_dir():
            raise click.UsageError(f"{folder}: no such folder ([[ env_prefix ]]_CORPUS)")
        hits = retrieval.search(question, retrieval.passages(folder), retrieval.top_k())
        for hit in hits:
            click.echo(f"[{hit.source}] {hit.text}")
        if not hits:
            click.echo("No passage shares a word with the question.")
