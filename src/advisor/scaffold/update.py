"""``advisor update``: re-render a generated project with new inputs and merge the team's edits.

Three versions of every file meet (docs/scaffold.md, "Updating a project"):

- **base**, the file as the advisor generated it before. It is made again by rendering
  the recorded inputs (``.advisor.yml``) on a date that reads the providers as the
  original render did, and checked against the blob id recorded for it. When the check
  fails (the templates or the framework changed since), the base is found another way:
  the team's copy, if it still has the recorded id (they never touched it), or the blob
  of that id in the project's git history. Failing both, the file has no base and a
  difference is a conflict for the team to settle.
- **ours**, the file in the project now.
- **theirs**, the file rendered from the new inputs: other backends, answers, a saved
  decision, or this advisor's templates.

Untouched files take the new render, files only the team changed stay theirs, files both
changed are merged line by line (:mod:`advisor.scaffold.merge`), conflicts get git's markers.

Both renders are in the project's language, the one its record names (``en`` for a record
without one), whoever runs the update: a teammate's English locale does not turn a Korean
README into an English one. Only ``--lang`` changes it; then the prose files are rendered
anew in that language and merged like any other change, so an untouched README simply
takes the new language and one the team edited keeps their edits where they do not touch
the translated lines (code blocks, tables) and gets conflict markers where they do. New
files are added; a file the new render no longer makes is reported and left in place.
Everything is rendered and merged in memory and staging first; the writes go through the
scaffold's journaled placement (:mod:`advisor.scaffold.placement`), all or nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from .. import __version__
from ..backends import Backend
from ..errors import InputError, ScaffoldError
from ..i18n import N_, _, ngettext
from ..questionnaire import CORE_QUESTIONS, Question
from .engine import backend_versions, render_project, secret_values
from .merge import is_binary, merge_file
from .placement import commit, plan_writes, stop_signals_interrupt, target_lock
from .planning import Blueprint, ScaffoldRequest, plan_scaffold
from .record import (
    RECORD_FILE,
    Record,
    blob_id,
    load_record,
    provider_event_dates,
    rendering_date,
    version_notes,
)
from .render import RenderedFile, check_no_secrets
from .selection import approaches_of, default_backend, load_decision

Action = Literal["add", "update", "keep", "merge", "conflict", "identical", "dropped", "deleted"]

# Listed in this order; ``identical`` files are only counted.
ACTIONS: tuple[Action, ...] = (
    "conflict",
    "merge",
    "update",
    "add",
    "keep",
    "dropped",
    "deleted",
    "identical",
)


@dataclass(frozen=True)
class FileUpdate:
    """What the update does to one file; ``after`` is None when the file is not written."""

    path: PurePosixPath
    action: Action
    before: bytes | None
    after: bytes | None
    why: str = ""
    executable: bool = False

    @property
    def writes(self) -> bool:
        return self.after is not None and self.after != self.before


@dataclass(frozen=True)
class UpdatePlan:
    """Every file's update, sorted by path, and notes for the user."""

    files: tuple[FileUpdate, ...]
    notes: tuple[str, ...] = ()

    @property
    def conflicts(self) -> tuple[FileUpdate, ...]:
        return tuple(f for f in self.files if f.action == "conflict")


@dataclass(frozen=True)
class UpdateRequest:
    """What ``advisor update`` was asked, as the CLI parsed it."""

    target: Path
    provided: Mapping[str, Any] = field(default_factory=dict)
    source: str = "--set"
    questions: tuple[Question, ...] = CORE_QUESTIONS
    decision_file: Path | None = None
    backend_names: tuple[str, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    trust_templates: bool = False
    language: str | None = None  # --lang on the command line; None keeps the record's


def plan_update(
    request: UpdateRequest, available: Mapping[str, Backend], echo: Callable[[str], None]
) -> UpdatePlan:
    """Render base and new project into staging, read the team's tree, decide per file."""
    target = request.target
    record_file = target / RECORD_FILE
    if not target.is_dir():
        raise InputError(
            _("{target}: not a folder (advisor update DIR takes a generated project)").format(
                target=target
            )
        )
    if not record_file.is_file():
        raise InputError(
            _(
                "{target}: has no {record}; advisor update works on projects made by "
                "advisor scaffold"
            ).format(target=target, record=RECORD_FILE)
        )
    record = load_record(record_file, str(record_file))
    notes: list[str] = []
    events = provider_event_dates()
    base_request = ScaffoldRequest(
        target=target,
        questions=request.questions,
        record_file=record_file,
        today=rendering_date(record.providers, events, request.today),
        trust_templates=request.trust_templates,
        language=record.language,
    )
    # Quiet: the base's decision and notices were shown when the project was made.
    base_blueprint = plan_scaffold(base_request, available, lambda _line: None)[0]
    new_blueprint = _plan_new_render(request, record_file, available, echo)
    notes += version_notes(record, __version__, backend_versions(new_blueprint.backends))
    if new_blueprint.language != record.language:
        notes.append(
            _(
                "the language changes from {old} to {new}: the README and docs/decision.md "
                "are rendered anew in {new}; where you edited them, your changes are merged "
                "or marked as conflicts"
            ).format(old=record.language, new=new_blueprint.language)
        )

    with tempfile.TemporaryDirectory(prefix="advisor-update-") as staging:
        base = _render(base_blueprint, Path(staging) / "base")
        theirs = _render(new_blueprint, Path(staging) / "new")
        check_no_secrets(theirs.values(), secret_values(new_blueprint.backends))
        base_contents = {path: rendered.staged.read_bytes() for path, rendered in base.items()}
        new_contents = {path: rendered.staged.read_bytes() for path, rendered in theirs.items()}
        executable = {path: os.access(r.staged, os.X_OK) for path, r in theirs.items()}

    labels = (
        "yours",
        f"as generated (advisor {record.advisor_version})",
        f"new render (advisor {__version__})",
    )
    bases = _Bases(target, record, base_contents)
    if not record.files:
        notes.append(
            _(
                "{record} has no file ids (made by an earlier advisor): the earlier render "
                "is made again from the recorded inputs, unverified"
            ).format(record=RECORD_FILE)
        )
    root = target.resolve()
    paths = set(new_contents) | {PurePosixPath(p) for p in record.files}
    if not record.files:
        paths |= set(base_contents)
    updates = [
        _update_one(
            path,
            _read_ours(target, root, path),
            bases,
            new_contents.get(path),
            labels,
            executable.get(path, False),
        )
        for path in sorted(paths)
    ]
    notes += bases.notes
    notes += [
        _("{path} still holds conflict markers from an earlier update; settle them").format(
            path=u.path
        )
        for u in updates
        if u is not None and u.before is not None and _has_markers(u.before)
    ]
    return UpdatePlan(tuple(u for u in updates if u is not None), tuple(notes))


def _has_markers(content: bytes) -> bool:
    """Whether ``content`` holds a conflict block this command wrote (``<<<<<<< yours``)."""
    return content.startswith(b"<<<<<<< yours\n") or b"\n<<<<<<< yours\n" in content


def _plan_new_render(
    request: UpdateRequest,
    record_file: Path,
    available: Mapping[str, Backend],
    echo: Callable[[str], None],
) -> Blueprint:
    """The new render's blueprint; without ``--backend``, backends follow a new decision.

    The recorded backends stay; an approach the decision now needs and none of them
    serves gets its default backend (a rag project whose answers now say hybrid gains
    the fine-tuning half). Backends are never dropped without ``--backend``.
    """
    lines: list[str] = []
    blueprint = plan_scaffold(
        _new_request(request, record_file, request.backend_names), available, lines.append
    )[0]
    if not request.backend_names and blueprint.decision is not None:
        covered = set(approaches_of(blueprint.backends))
        missing = [a for a in blueprint.decision.approaches if a not in covered]
        if missing:
            added = tuple(default_backend(available, approach).name for approach in missing)
            names = tuple(b.name for b in blueprint.backends) + added
            lines = [
                _(
                    "Note: the decision is now {decision}: adding {backends} (name every "
                    "backend with --backend to choose others)"
                ).format(decision=blueprint.decision.recommendation, backends=", ".join(added))
            ]
            blueprint = plan_scaffold(
                _new_request(request, record_file, names), available, lines.append
            )[0]
    for line in lines:
        echo(line)
    return blueprint


def _new_request(
    request: UpdateRequest, record_file: Path, backend_names: tuple[str, ...]
) -> ScaffoldRequest:
    """The scaffold request of the new render: the record, then what the update changes.

    A ``--decision`` brings its own answers: they replace the recorded core answers (the
    record's backend answers stay), and a ``--set`` that contradicts it is still refused.
    """
    provided = dict(request.provided)
    if request.decision_file is not None:
        saved = load_decision(request.decision_file).answers.to_dict()
        provided = {**saved, **provided}
    return ScaffoldRequest(
        target=request.target,
        provided=provided,
        source=request.source,
        questions=request.questions,
        decision_file=request.decision_file,
        backend_names=backend_names,
        record_file=record_file,
        today=request.today,
        trust_templates=request.trust_templates,
        language=request.language,
    )


def _render(blueprint: Blueprint, staging: Path) -> dict[PurePosixPath, RenderedFile]:
    staging.mkdir()
    files, _ = render_project(blueprint, staging)
    return files


class _Bases:
    """The base (as generated before) of each file, found as the module docstring says."""

    def __init__(
        self, target: Path, record: Record, rendered: Mapping[PurePosixPath, bytes]
    ) -> None:
        self.target = target
        self.recorded = record.files
        self.rendered = rendered
        self.notes: list[str] = []
        self._git: bool | None = None

    def find(self, path: PurePosixPath, ours: bytes | None) -> tuple[bool, bytes | None]:
        """``(known, content)``: content None with known True means "not generated before"."""
        if not self.recorded:
            return True, self.rendered.get(path)
        wanted = self.recorded.get(path.as_posix())
        if wanted is None:
            return True, None
        for candidate in (self.rendered.get(path), ours):
            if candidate is not None and blob_id(candidate) == wanted:
                return True, candidate
        found = self._from_history(wanted)
        if found is not None:
            self.notes.append(
                _("{path}: the earlier render came from git history ({blob})").format(
                    path=path, blob=wanted[:12]
                )
            )
            return True, found
        return False, None

    def _from_history(self, wanted: str) -> bytes | None:
        """The blob ``wanted`` from the git repository holding the project, if any."""
        git = shutil.which("git")
        if git is None:
            return None
        if self._git is None:
            self._git = _run_git(git, self.target, "rev-parse", "--git-dir") is not None
        if not self._git:
            return None
        return _run_git(git, self.target, "cat-file", "blob", wanted)


def _run_git(git: str, where: Path, *args: str) -> bytes | None:
    try:
        result = subprocess.run(
            [git, "-C", str(where), *args], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def _read_ours(target: Path, root: Path, path: PurePosixPath) -> bytes | None:
    """The team's copy of ``path``; links that lead out of the project are refused."""
    file = target.joinpath(*path.parts)
    if not os.path.lexists(file):
        return None
    if not file.resolve().is_relative_to(root):
        raise InputError(
            f"{file}: leads to {file.resolve()}, outside {target}; advisor update never "
            "reads or writes through it"
        )
    if not file.is_file():
        raise ScaffoldError(f"{file}: is not a regular file; the project needs a file there")
    try:
        return file.read_bytes()
    except OSError as exc:
        raise ScaffoldError(f"{file}: cannot read it: {exc.strerror or exc}") from None


def _update_one(
    path: PurePosixPath,
    ours: bytes | None,
    bases: _Bases,
    theirs: bytes | None,
    labels: tuple[str, str, str],
    executable: bool,
) -> FileUpdate | None:
    """Apply the merge rules (docs/scaffold.md, "Merge rules") to one file."""

    def result(action: Action, after: bytes | None, why: str = "") -> FileUpdate:
        return FileUpdate(path, action, ours, after, why, executable)

    if path.as_posix() == RECORD_FILE:
        # The record describes the new render; it is the advisor's, never merged.
        return result("identical" if ours == theirs else "update", theirs, N_("the new record"))
    known, base = bases.find(path, ours)
    if theirs is None:
        if ours is None:
            return None
        if known and ours == base:
            return result(
                "dropped", None, N_("no longer generated; unchanged, delete it if unused")
            )
        return result("dropped", None, N_("no longer generated; you changed it, so it stays"))
    if ours is None:
        if known and base is not None:
            return result("deleted", None, N_("you deleted it; it stays deleted"))
        return result("add", theirs)
    if ours == theirs:
        return result("identical", None)
    if known and base is not None:
        if ours == base:
            return result("update", theirs)
        if theirs == base:
            return result("keep", None, N_("only you changed it"))
    if is_binary(ours) or is_binary(theirs) or (base is not None and is_binary(base)):
        return result("conflict", None, N_("binary, changed on both sides: yours is kept as is"))
    merged = merge_file(ours, base or b"", theirs, labels)
    if merged.conflicts == 0:
        return result("merge", merged.content, N_("both changed it; merged"))
    if not known:
        why = _("no copy of the earlier render to merge against (templates changed, not in git)")
    elif base is None:
        why = _("you made a file the new render makes too")
    else:
        why = ngettext(
            "{count} conflicting change", "{count} conflicting changes", merged.conflicts
        ).format(count=merged.conflicts)
    return result("conflict", merged.content, why)


def apply_update(target: Path, plan: UpdatePlan) -> None:
    """Write every changed file through the scaffold's journaled placement, all or nothing.

    As in scaffold, the target is locked while it is written, and SIGTERM or SIGHUP undo a
    half-done write as Ctrl-C does.
    """
    writes = [f for f in plan.files if f.writes]
    if not writes:
        return
    with (
        stop_signals_interrupt(),
        tempfile.TemporaryDirectory(prefix="advisor-update-") as staging,
    ):
        files: dict[PurePosixPath, RenderedFile] = {}
        for update in writes:
            staged = Path(staging).joinpath(*update.path.parts)
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_bytes(update.after or b"")
            mode = 0o755 if update.executable else 0o644
            if update.before is not None:
                mode = target.joinpath(*update.path.parts).stat().st_mode & 0o777
            staged.chmod(mode)
            files[update.path] = RenderedFile(update.path, staged, "advisor update")
        with target_lock(target):
            commit(target, plan_writes(target, files, "force"))


def summary_lines(plan: UpdatePlan, target: Path, dry_run: bool) -> list[str]:
    """One line per file that changes or needs a look, then the counts."""
    lines = []
    for action in ACTIONS[:-1]:
        for update in plan.files:
            if update.action == action:
                why = f"  ({_(update.why)})" if update.why and action != "update" else ""
                lines.append(f"  {action:<9} {update.path}{why}")
    counts = {a: sum(f.action == a for f in plan.files) for a in ACTIONS}
    summary = ", ".join(f"{n} {a}" for a, n in counts.items() if n) or _("nothing")
    if dry_run:
        done = _("Dry run, nothing written: would update {target}: {summary}.")
    else:
        done = _("Updated {target}: {summary}.")
    lines.append(done.format(target=target, summary=summary))
    if plan.conflicts:
        names = ", ".join(str(f.path) for f in plan.conflicts)
        if dry_run:
            conflicts = ngettext(
                "{count} file would have conflicts, marked <<<<<<< yours / ======= / >>>>>>> "
                "new render: {paths}. Settle them, then run the project's tests.",
                "{count} files would have conflicts, marked <<<<<<< yours / ======= / >>>>>>> "
                "new render: {paths}. Settle them, then run the project's tests.",
                len(plan.conflicts),
            )
        else:
            conflicts = ngettext(
                "{count} file has conflicts, marked <<<<<<< yours / ======= / >>>>>>> "
                "new render: {paths}. Settle them, then run the project's tests.",
                "{count} files have conflicts, marked <<<<<<< yours / ======= / >>>>>>> "
                "new render: {paths}. Settle them, then run the project's tests.",
                len(plan.conflicts),
            )
        lines.append(conflicts.format(count=len(plan.conflicts), paths=names))
    return lines


def diff_text(plan: UpdatePlan) -> str:
    """A unified diff (``a/`` the tree now, ``b/`` after the update) of every written file."""
    chunks = []
    for update in plan.files:
        if not update.writes:
            continue
        before, after = update.before, update.after or b""
        old = f"a/{update.path}" if before is not None else "/dev/null"
        if is_binary(before or b"") or is_binary(after):
            chunks.append(f"Binary files {old} and b/{update.path} differ\n")
            continue
        lines = difflib.unified_diff(
            (before or b"").decode("utf-8", "replace").splitlines(keepends=True),
            after.decode("utf-8", "replace").splitlines(keepends=True),
            old,
            f"b/{update.path}",
        )
        chunks.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return "".join(chunks)
