"""The two things the starter does: ingest documents, and answer a question from them.

Ingest is incremental. Every chunk's id is derived from (collection, source, chunk
number), and every chunk stores a fingerprint of its file's text and the chunking and
embedding settings. A file whose stored chunks all carry the current fingerprint is skipped;
a changed file's chunks are overwritten in place and the ones past its new chunk count are
deleted. Updating one file therefore touches only that file's chunks.
"""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..evaluation import response_format
from .chunking import split_text
from .documents import Document, DocumentError, find_documents, load_document
from .llm import ChatTarget, chat, chat_client, configured_chat, embed, make_client
from .prompting import Hit, build_messages
from .store import (
    ChunkObject,
    connect,
    delete_chunks_from,
    open_collection,
    search,
    stored_fingerprints,
)

if TYPE_CHECKING:
    from openai import OpenAI
    from weaviate import WeaviateClient
    from weaviate.collections import Collection

    from .settings import RagSettings

MAX_REPORTED_FAILURES = 10
# Part of every chunk's fingerprint: a change in how documents are cut re-imports them once.
# 2: a PDF's chunks end at page breaks, so each cites the page its text is on.
CHUNKING_VERSION = "2"


def chunk_uuid(collection: str, source: str, index: int) -> str:
    """The id of chunk ``index`` of ``source``: the same on every ingest."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"weaviate-rag:{collection}/{source}#{index}"))


def fingerprint(document: Document, settings: RagSettings) -> str:
    """Changes when the file's text or anything that shapes its chunks or vectors changes."""
    digest = hashlib.sha256()
    for part in (
        CHUNKING_VERSION,
        document.text,
        str(settings.chunk_size),
        str(settings.chunk_overlap),
        settings.vectorizer,
        settings.embedding_model,
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def chunk_objects(document: Document, settings: RagSettings) -> list[ChunkObject]:
    """The objects one document becomes (without vectors)."""
    stamp = fingerprint(document, settings)
    chunks = split_text(
        document.text,
        settings.chunk_size,
        settings.chunk_overlap,
        markdown=document.markdown,
        breaks=document.page_breaks,
    )
    objects = []
    for index, chunk in enumerate(chunks):
        properties: dict[str, Any] = {
            "text": chunk.text,
            "heading": chunk.heading,
            "source": document.source,
            "chunk_index": index,
            "fingerprint": stamp,
        }
        page = document.page_at(chunk.start)
        if page is not None:
            properties["page"] = page
        objects.append(
            ChunkObject(chunk_uuid(settings.collection, document.source, index), properties)
        )
    return objects


def embedding_input(properties: dict[str, Any]) -> str:
    """What a self-provided vector embeds: the section heading, then the chunk."""
    heading = properties.get("heading") or ""
    return f"{heading}\n{properties['text']}" if heading else str(properties["text"])


@dataclass
class IngestReport:
    """What an ingest did, printed at its end."""

    files: int = 0
    unchanged: int = 0
    chunks: int = 0
    deleted: int = 0
    failures: list[str] = field(default_factory=list)
    failed_count: int = 0
    without_text: list[str] = field(default_factory=list)  # sources
    unreadable: list[str] = field(default_factory=list)  # one-line reasons

    @property
    def indexed(self) -> int:
        """Files whose chunks were written in this run."""
        return self.files - self.unchanged - len(self.without_text) - len(self.unreadable)

    def summary(self) -> str:
        skipped = "".join(
            f", {len(names)} {what}"
            for names, what in ((self.without_text, "without text"),
                                (self.unreadable, "unreadable"))
            if names
        )
        text = (
            f"{self.files} file(s): {self.indexed} indexed, {self.unchanged} unchanged"
            f"{skipped}; {self.chunks} chunk(s) written, {self.deleted} stale chunk(s) deleted"
        )
        if self.failed_count:
            text += f"; {self.failed_count} chunk(s) FAILED"
        return text


def ingest(
    paths: Sequence[Path],
    settings: RagSettings,
    *,
    force: bool = False,
    client: WeaviateClient | None = None,
) -> IngestReport:
    """Load, chunk and import ``paths`` (files or folders) into the collection."""
    files = find_documents(paths)
    if not files:
        raise click.UsageError("no Markdown, text or PDF files found in the given paths")
    if client is not None:
        return _ingest_files(files, settings, client, force=force)
    with connect(settings) as connected:
        return _ingest_files(files, settings, connected, force=force)


def _ingest_files(
    files: list[Path], settings: RagSettings, client: WeaviateClient, *, force: bool
) -> IngestReport:
    collection = open_collection(client, settings, create=True)
    openai_client = make_client(settings) if settings.vectorizer == "self-provided" else None
    report = IngestReport(files=len(files))
    written: dict[str, tuple[str, int]] = {}  # uuid -> (source, chunk number)
    new_counts: dict[str, int] = {}
    stderr = sys.stderr
    started = time.monotonic()

    def show(path: Path | None) -> str:
        return _progress_note(path, report.chunks, time.monotonic() - started)

    with (
        click.progressbar(
            files,
            # on a terminal only: a pipe or a CI log gets the summary, not a bar
            label="Ingesting" if stderr.isatty() else None,
            file=stderr,
            show_pos=True,
            item_show_func=show,
        ) as progress,
        collection.batch.dynamic() as batch,
    ):
        for path in progress:
            try:
                document = load_document(path)
            except DocumentError as exc:  # reported at the end; the other files go on
                report.unreadable.append(exc.message)
                continue
            objects = chunk_objects(document, settings)
            if not objects:  # an empty file, a scanned PDF: nothing to search
                report.without_text.append(document.source)
                new_counts[document.source] = 0  # chunks from an earlier text are stale
                continue
            if not force and _unchanged(collection, document.source, objects):
                report.unchanged += 1
                continue
            vectors = _vectors_for(objects, settings, openai_client)
            for index, obj in enumerate(objects):
                written[obj.uuid] = (document.source, index)
                batch.add_object(
                    properties=obj.properties,
                    uuid=obj.uuid,
                    vector=vectors[index] if vectors is not None else None,
                )
            new_counts[document.source] = len(objects)
            report.chunks += len(objects)
    failed = collection.batch.failed_objects
    report.failed_count = len(failed)
    for error in failed[:MAX_REPORTED_FAILURES]:
        source, index = written.get(str(error.object_.uuid), ("?", -1))
        report.failures.append(f"{source} chunk {index}: {error.message}")
    for source, count in new_counts.items():
        report.deleted += delete_chunks_from(collection, source, count)
    return report


def _progress_note(path: Path | None, chunks: int, seconds: float) -> str:
    """The text beside the progress bar: the file being read, chunks so far and their rate."""
    if path is None:
        return ""
    rate = f", {chunks / seconds:,.0f} chunks/s" if seconds > 0 and chunks else ""
    return f"{path.name} ({chunks:,} chunks{rate})"


def _unchanged(collection: Collection, source: str, objects: list[ChunkObject]) -> bool:
    """All of the file's chunks are stored with the current fingerprint, and no more."""
    current = objects[0].properties["fingerprint"]
    found = stored_fingerprints(collection, source, len(objects) + 1)
    return len(found) == len(objects) and all(stamp == current for stamp in found)


def _vectors_for(
    objects: list[ChunkObject],
    settings: RagSettings,
    openai_client: OpenAI | None,
) -> list[list[float]] | None:
    if openai_client is None or not objects:
        return None
    texts = [embedding_input(obj.properties) for obj in objects]
    return embed(openai_client, settings.embedding_model, texts)


class Answerer:
    """Retrieval plus generation, holding one Weaviate connection for many questions.

    ``chat`` overrides ``RAG_CHAT_MODEL`` at ``OPENAI_BASE_URL`` (a hybrid project answers
    with the fine-tuned model, wherever it is served). Close it when done, or use it as a
    context manager.
    """

    def __init__(self, settings: RagSettings, *, chat: ChatTarget | None = None) -> None:
        self.settings = settings
        self.chat = chat or configured_chat(settings)
        self._resources = ExitStack()
        try:
            self.openai = make_client(settings)
            self._resources.callback(self.openai.close)
            self.chat_openai = chat_client(self.chat, settings.openai_timeout_s)
            self._resources.callback(self.chat_openai.close)
            client = self._resources.enter_context(connect(settings))
            self.collection = open_collection(client, settings, create=False)
        except BaseException:
            self._resources.close()
            raise

    def retrieve(self, question: str, top_k: int | None = None) -> list[Hit]:
        """The top-k chunks for ``question`` (``RAG_TOP_K`` unless ``top_k`` is given)."""
        settings = self.settings
        if top_k is not None:
            settings = settings.model_copy(update={"top_k": top_k})
        vector = None
        if settings.vectorizer == "self-provided":
            vector = embed(self.openai, settings.embedding_model, [question])[0]
        return search(self.collection, settings, question, vector)

    def answer(self, question: str) -> tuple[str, list[Hit]]:
        """The answer to ``question`` and the chunks it was drawn from."""
        hits = self.retrieve(question)
        return self.generate(question, hits), hits

    def generate(self, question: str, hits: list[Hit]) -> str:
        """The chat model's answer from ``hits``; JSON in the answer schema, held to it by
        structured outputs, when the project has one (``answer_schema.py``)."""
        messages = build_messages(question, hits)
        return chat(
            self.chat_openai,
            self.chat.model,
            messages,
            response_format(),
            self.chat.temperature,
        )

    def close(self) -> None:
        self._resources.close()

    def __enter__(self) -> Answerer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
