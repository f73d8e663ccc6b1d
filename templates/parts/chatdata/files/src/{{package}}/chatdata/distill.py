"""``distill``: training data from a teacher model answering your real prompts.

When only a large model meets the quality bar, a small model fine-tuned on the large
model's answers to the prompts your users really send can come close at a fraction of the
cost per query. ``distill`` asks the teacher every prompt of a file (one per line, or
JSON Lines with ``prompt`` or ``messages``) and appends one chat example per answer to the
output, in the format ``validate`` and ``train`` read.

It is safe to stop and run again: each example is written as one whole line as soon as
it is answered, prompts already in the output are skipped, and an unfinished last line
(a run killed mid-write) is cut off before appending. Failed prompts are counted and
named, never written; the command fails only when every prompt asked failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from concurrent.futures import Future

SHOWN_FAILURES = 5


@dataclass(frozen=True)
class Prompt:
    """One prompt: where it is in the file and the messages the teacher is sent."""

    line: int
    messages: tuple[dict[str, str], ...]

    @property
    def key(self) -> str:
        """What identifies the prompt in the output: its messages, as canonical JSON."""
        return json.dumps(list(self.messages), ensure_ascii=False, sort_keys=True)


def register(cli: click.Group) -> None:
    cli.add_command(distill)


@click.command()
@click.argument("prompts", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("data/distilled.jsonl"), show_default=True,
              help="The JSONL file examples are appended to.")
@click.option("--teacher", help="Teacher model [default: DISTILL_TEACHER_MODEL].")
@click.option("--system", "system_prompt",
              help="A system message put before prompts that have none (and in the examples).")
@click.option("--concurrency", type=click.IntRange(1, 32),
              help="Prompts asked at once [default: DISTILL_CONCURRENCY, else 4].")
def distill(prompts: Path, output: Path, teacher: str | None, system_prompt: str | None,
            concurrency: int | None) -> None:
    """Build chat training data from a teacher model's answers to PROMPTS.

    PROMPTS holds one prompt per line, or (.jsonl) one JSON object per line with a
    "prompt" string or a "messages" list ending with the user's message. The endpoint is
    DISTILL_BASE_URL (else OPENAI_BASE_URL), the key DISTILL_API_KEY (else OPENAI_API_KEY).
    """
    from .settings import load_settings
    from .teacher import TeacherSettings, make_client

    settings = load_settings(TeacherSettings)
    model = teacher or settings.teacher_model
    if not model:
        raise click.UsageError(
            "no teacher model: give --teacher MODEL or set DISTILL_TEACHER_MODEL "
            "(the model that meets your quality bar today)"
        )
    todo = read_prompts(prompts, system_prompt)
    done = existing_keys(output)
    pending = [p for p in todo if p.key not in done]
    skipped = len(todo) - len(pending)
    if not pending:
        click.echo(f"distill: nothing to do ({skipped} prompts already in {output})")
        return
    try:
        client = make_client(settings)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    written, failures = 0, []
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("a", encoding="utf-8") as sink:
        asked = ask_all(
            client, model, pending, concurrency or settings.concurrency, settings.temperature
        )
        for prompt, result in asked:
            if isinstance(result, str):
                example = {"messages": [*prompt.messages, {"role": "assistant", "content": result}]}
                sink.write(json.dumps(example, ensure_ascii=False) + "\n")
                sink.flush()
                written += 1
            else:
                failures.append(f"line {prompt.line}: {result}")
    click.echo(f"distill: {written} written to {output}, {skipped} already there, "
               f"{len(failures)} failed (teacher {model})")
    for failure in failures[:SHOWN_FAILURES]:
        click.echo(f"  failed {failure}", err=True)
    if failures and not written:
        raise click.ClickException(f"every prompt failed ({len(failures)}); nothing was written")


def read_prompts(path: Path, system_prompt: str | None) -> list[Prompt]:
    """The prompts of ``path``, in order, duplicates once; a malformed line is an input error."""
    as_json = path.suffix.lower() in (".jsonl", ".json")
    prompts: dict[str, Prompt] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                messages = _messages(json.loads(line)) if as_json else [_user(line.strip())]
            except (json.JSONDecodeError, ValueError) as exc:
                raise click.UsageError(f"{path}:{number}: {exc}") from None
            if system_prompt and messages[0]["role"] != "system":
                messages.insert(0, {"role": "system", "content": system_prompt})
            prompt = Prompt(number, tuple(messages))
            prompts.setdefault(prompt.key, prompt)
    if not prompts:
        raise click.UsageError(f"{path}: no prompts (one per line, or JSON Lines)")
    return list(prompts.values())


def _user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def _messages(record: Any) -> list[dict[str, str]]:
    if isinstance(record, dict) and isinstance(record.get("prompt"), str) and record["prompt"]:
        return [_user(record["prompt"])]
    messages = record.get("messages") if isinstance(record, dict) else None
    if not isinstance(messages, list) or not messages:
        raise ValueError('expected an object with a "prompt" string or a "messages" list')
    ok = all(
        isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
        and isinstance(m.get("content"), str)
        for m in messages
    )
    if ok and messages[-1]["role"] == "assistant":
        messages = messages[:-1]  # an existing answer is replaced by the teacher's
    if not ok or not messages or messages[-1]["role"] != "user":
        raise ValueError("messages must be role/content objects ending with a user message")
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def existing_keys(output: Path) -> set[str]:
    """The prompts already answered in ``output``; an unfinished last line is cut off."""
    if not output.is_file():
        return set()
    data = output.read_bytes()
    if data and not data.endswith(b"\n"):
        complete = data[: data.rfind(b"\n") + 1]
        with output.open("r+b") as handle:
            handle.truncate(len(complete))
        data = complete
    keys = set()
    for line in data.decode("utf-8").splitlines():
        try:
            messages = json.loads(line)["messages"][:-1]
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # not ours to judge: `validate` reports it
        keys.add(json.dumps(messages, ensure_ascii=False, sort_keys=True))
    return keys


def ask_all(client: Any, model: str, prompts: list[Prompt], concurrency: int,
            temperature: float | None = None) -> Iterator[tuple[Prompt, str | Exception]]:
    """Each prompt with the teacher's answer or the error; at most ``concurrency`` in flight."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from .teacher import answer

    def one(prompt: Prompt) -> str:
        text = answer(client, model, list(prompt.messages), temperature)
        if not text:
            raise ValueError("the teacher returned an empty answer")
        return text

    queue = iter(prompts)
    running: dict[Future[str], Prompt] = {}
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for prompt in queue:
            running[pool.submit(one, prompt)] = prompt
            if len(running) >= concurrency:
                break
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                prompt = running.pop(future)
                error = future.exception()
                yield prompt, (_describe(error) if error else future.result())
                following = next(queue, None)
                if following is not None:
                    running[pool.submit(one, following)] = following


def _describe(error: BaseException) -> Exception:
    """The error as one short line: its kind and HTTP status, never a key or a request."""
    status = getattr(error, "status_code", None)
    kind = type(error).__name__ + (f" (HTTP {status})" if status else "")
    if isinstance(error, ValueError):
        return ValueError(f"{kind}: {error}")
    return RuntimeError(kind)
