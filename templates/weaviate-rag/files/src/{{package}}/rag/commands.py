{% if "fine-tune" in approaches %}
"""The `ingest`, `ask` and `raft-data` commands, added to the project's CLI by `cli.py`."""
{% else %}
"""The `ingest` and `ask` commands, added to the project's CLI by `cli.py`."""
{% endif %}

from __future__ import annotations

{% if "fine-tune" in approaches %}
import sys
{% endif %}
from pathlib import Path

import click


def register(cli: click.Group) -> None:
    """Add this backend's commands to the project's click group."""
    cli.add_command(ingest_command)
    cli.add_command(ask_command)
{% if "fine-tune" in approaches %}
    cli.add_command(raft_data_command)
{% endif %}


@click.command("ingest")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option(
    "--force", is_flag=True, help="Re-import every file, even those whose chunks are current."
)
def ingest_command(paths: tuple[Path, ...], force: bool) -> None:
    """Load Markdown, text and PDF files (or folders of them) into Weaviate.

    Unchanged files are skipped; a changed file's chunks are replaced. Files without text
    and files that cannot be read are named and skipped, the others still imported; the
    exit code is 2 when a file could not be read, 1 when no file had any text.
    """
    from .documents import DocumentError
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
    for source in report.without_text:
        scan = source.lower().endswith(".pdf")
        hint = " (a scanned PDF? run OCR first, e.g. `ocrmypdf IN.pdf OUT.pdf`)" if scan else ""
        click.echo(f"  warning: {source}: no text to index{hint}", err=True)
    for reason in report.unreadable:
        click.echo(f"  unreadable: {reason}", err=True)
    if report.failed_count:
        for line in report.failures:
            click.echo(f"  failed: {line}", err=True)
        hidden = report.failed_count - len(report.failures)
        if hidden > 0:
            click.echo(f"  ... and {hidden} more", err=True)
        raise click.ClickException(f"{report.failed_count} chunk(s) were not imported")
    if report.unreadable:
        raise DocumentError(f"{len(report.unreadable)} file(s) could not be read")
    if report.indexed == 0 and report.unchanged == 0:
        raise click.ClickException("no text found in the given files; nothing was indexed")


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
{% if "fine-tune" in approaches %}
    """Answer QUESTION from the ingested documents, then list the sources.

    The fine-tuned model answers once `train` has made one (the base model until then);
    RAG_CHAT_MODEL, when set, overrides both.
    """
    from .hybrid import answering_chat
{% else %}
    """Answer QUESTION from the ingested documents, then list the sources."""
{% endif %}
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
{% if "fine-tune" in approaches %}
    chat, note = answering_chat(settings)
    if note:
        click.echo(f"note: {note}", err=True)
    with Answerer(settings, chat=chat) as answerer:
{% else %}
    with Answerer(settings) as answerer:
{% endif %}
        answer, hits = answerer.answer(question)
    click.echo(answer)
    click.echo()
    click.echo(format_sources(hits))
    if show_context:
        for number, hit in enumerate(hits, start=1):
            click.echo(f"\n--- [{number}] {hit.label()}\n{hit.text}")
{% if "fine-tune" in approaches %}


@click.command("raft-data")
@click.argument(
    "questions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("data/raft/questions.jsonl"),
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/raft/raft.jsonl"),
    show_default=True,
    help="The chat-format JSONL to write.",
)
@click.option(
    "--top-k", type=click.IntRange(1, 50), help="Sources per example [RAG_TOP_K, as `ask`]."
)
@click.option(
    "--golden-fraction",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="Share of examples whose sources include the golden chunk; the rest teach refusal.",
)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option(
    "--eval-set",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("evals/eval.jsonl"),
    show_default=True,
    help="Questions never to train on (skipped when the file does not exist).",
)
@click.option("--force", is_flag=True, help="Overwrite the output file.")
def raft_data_command(
    questions: Path,
    output: Path,
    top_k: int | None,
    golden_fraction: float,
    seed: int,
    eval_set: Path,
    force: bool,
) -> None:
    """Build fine-tuning data with retrieved sources in every example (RAFT).

    QUESTIONS has the evaluation set's shape (id, question, answer, sources); default
    data/raft/questions.jsonl. Run `ingest` first: each example holds the chunks `ask`
    would retrieve, so the model trains on what it will see.
    """
    from ..evaluation import EvaluationError, load_eval_set
    from .pipeline import Answerer
    from .raft import RaftOptions, build_examples, write_jsonl
    from .settings import load_settings
    from .store import chunks_of_file

    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; pass --force to overwrite it")
    try:
        items = load_eval_set(questions)
        held_out = [item.question for item in load_eval_set(eval_set)] if eval_set.exists() else []
    except EvaluationError as exc:
        raise click.UsageError(str(exc)) from None
    settings = load_settings()
    options = RaftOptions(top_k or settings.top_k, golden_fraction, seed)
    with (
        Answerer(settings) as answerer,
        click.progressbar(length=len(items), label="Building", file=sys.stderr) as bar,
    ):
        examples, report = build_examples(
            items,
            answerer.retrieve,
            lambda name: chunks_of_file(answerer.collection, name),
            options,
            held_out=held_out,
            progress=lambda item: bar.update(1),
        )
    for reason in report.skipped:
        click.echo(f"  skipped {reason}", err=True)
    if not examples:
        raise click.ClickException(f"no examples: every question in {questions} was skipped")
    write_jsonl(output, examples)
    click.echo(f"{output}: {report.summary()}")
{% endif %}
