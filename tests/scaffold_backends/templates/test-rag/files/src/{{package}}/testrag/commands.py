"""Commands of the test RAG backend."""

from __future__ import annotations

import click

COLLECTION = {{ answers.test_collection | py }}


def register(cli: click.Group) -> None:
    @cli.command()
    def collection() -> None:
        """Print the collection this project searches."""
        click.echo(COLLECTION)
