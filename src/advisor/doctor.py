"""``advisor doctor``: run the preflight checks plugins contribute, and report them.

Backend plugins register checks through the ``register_doctor_checks`` hook. Each check
reads the effective settings and returns a status (ok / warn / fail / skipped), one line
saying why and a fix hint. The doctor runs them in registration order and never lets one
take the run down: a check that raises is reported as a ``fail`` of that check, not as a
traceback, and so is one still running after ``ADVISOR_CHECK_TIMEOUT`` seconds (30 by
default, for each check on its own). Whatever a check says passes through :func:`redact`
before it is shown, so a key a server echoes back (or a plugin mistakenly formats into a
message) is never printed.

Run inside a generated project (or with ``--project DIR``), the doctor also reads that
project's ``.env`` and recorded ``deployment``, and says which settings files it used.
The deployment boundary checks (:mod:`advisor.boundary`) are the core's own.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checks import Check, CheckResult
from .errors import InputError
from .i18n import N_, columns
from .i18n import gettext as _
from .messages import Message, translate
from .plugins import get_plugins
from .timeouts import (
    CHECK_TIMEOUT_ENV,
    DEFAULT_CHECK_TIMEOUT_S,
    call_with_timeout,
    timeout_from_env,
)

STATUSES = ("ok", "warn", "fail", "skipped")
# Four columns wide in English; a language's label may be wider (the column follows it).
LABELS = {"ok": N_("ok"), "warn": N_("WARN"), "fail": N_("FAIL"), "skipped": N_("skip")}
# The first source of settings, named in JSON in English, translated in text.
ENVIRONMENT = N_("environment variables")
# "3 ok, 1 fail": how the summary line names each status.
COUNTED = {"ok": N_("{count} ok"), "warn": N_("{count} warn"), "fail": N_("{count} fail"),
           "skipped": N_("{count} skipped")}


@dataclass(frozen=True)
class Finding:
    """One check's result, with the check's name and backend, ready to print."""

    name: str
    backend: str | None
    status: str
    summary: str
    fix: str
    # The summary and fix in the language in use (secrets scrubbed too), for people;
    # JSON keeps the English ones.
    summary_shown: str = ""
    fix_shown: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "backend": self.backend,
            "status": self.status,
            "summary": self.summary,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    settings_files: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 when nothing failed; 1 on any ``fail``, or when there was nothing to check."""
        if not self.findings:
            return 1
        return 1 if any(f.status == "fail" for f in self.findings) else 0

    def counts(self) -> dict[str, int]:
        return {s: sum(f.status == s for f in self.findings) for s in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.exit_code == 0,
            "counts": self.counts(),
            "settings_files": list(self.settings_files),
            "checks": [f.to_dict() for f in self.findings],
        }


def select(checks: Sequence[Check], backends: Iterable[str]) -> list[Check]:
    """The checks of the named backends (all checks when none is named).

    Core checks (no backend) always run: they are about the team, not a backend.
    """
    wanted = list(backends)
    if not wanted:
        return list(checks)
    known = sorted({c.backend for c in checks if c.backend})
    for name in wanted:
        if name not in known:
            allowed = ", ".join(known) or _("none: no plugin contributes checks")
            raise InputError(
                _("--backend {name}: no checks for that backend (allowed: {allowed})").format(
                    name=repr(name), allowed=allowed
                )
            )
    return [c for c in checks if c.backend is None or c.backend in wanted]


def run_checks(checks: Sequence[Check], settings: Any) -> Report:
    """Run each check; scrub secrets from what it says; keep going whatever it does."""
    secrets = settings.secret_values()
    findings = []
    for check in checks:
        result = _run_one(check, settings)
        findings.append(
            Finding(
                name=check.name,
                backend=check.backend,
                status=result.status,
                summary=redact(result.summary, secrets),
                fix=redact(result.fix, secrets),
                summary_shown=redact(translate(result.summary), secrets),
                fix_shown=redact(translate(result.fix), secrets),
            )
        )
    return Report(tuple(findings))


def _run_one(check: Check, settings: Any) -> CheckResult:
    """One check, with its own deadline (``ADVISOR_CHECK_TIMEOUT``): a hung check fails
    alone, and the next one still gets its full time."""
    seconds = timeout_from_env(CHECK_TIMEOUT_ENV, DEFAULT_CHECK_TIMEOUT_S)
    # Provider clients print and warn on their own (weaviate prints failed pings); that
    # text would break --format json and is repeated, better worded, in the result.
    stray = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(stray):
        warnings.simplefilter("ignore")
        outcome = call_with_timeout(lambda: check.run(settings), seconds, f"doctor {check.name}")
    if outcome.timed_out:
        return CheckResult(
            "fail",
            Message(N_("the check did not finish within {seconds} s"), seconds=f"{seconds:g}"),
            Message(
                N_("check the service it reaches, or raise {variable} (seconds)"),
                variable=CHECK_TIMEOUT_ENV,
            ),
        )
    if isinstance(outcome.error, InputError):
        raise outcome.error
    if isinstance(outcome.error, ModuleNotFoundError):
        missing = outcome.error.name or ""
        return CheckResult(
            "fail",
            Message(
                N_("the check needs the Python package {package}, which is not installed"),
                package=repr(missing),
            ),
            Message(
                N_("pip install {distribution} (in the environment advisor runs in)"),
                distribution=_distribution(missing),
            ),
        )
    if outcome.error is not None:
        exc = outcome.error
        first = (str(exc).strip().splitlines() or [""])[0]
        error = f"{type(exc).__name__}: {first}".rstrip(": ")
        return CheckResult(
            "fail",
            Message(N_("the check itself failed: {error}"), error=error),
            N_("report this to the plugin's authors (`advisor plugins` names it)"),
        )
    result = outcome.value
    if not isinstance(result, CheckResult) or result.status not in STATUSES:
        return CheckResult(
            "fail",
            Message(N_("the check returned {result}, not a CheckResult"), result=repr(result)),
            N_("report this to the plugin's authors (`advisor plugins` names it)"),
        )
    return result


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret and URL credential replaced by ``****`` (longest first,
    so none leaks partly)."""
    from .redaction import scrub

    return scrub(text, secrets)


# Import names whose distribution is spelled differently.
_DISTRIBUTIONS = {"weaviate": "weaviate-client", "yaml": "pyyaml", "grpc": "grpcio"}


def _distribution(module: str) -> str:
    top = module.split(".")[0]
    return _DISTRIBUTIONS.get(top, top)


def run_doctor(backends: Iterable[str] = (), project: Path | None = None) -> Report:
    """Load settings (with the generated project's, if any), select checks, run them."""
    from .boundary import core_checks
    from .projectenv import find_project, load_project
    from .settings import config_files, load_settings

    if project is not None:
        found = load_project(project)
    else:
        root = find_project(Path.cwd())
        found = load_project(root, "generated project") if root is not None else None
    settings = load_settings(project=found)
    checks = select([*core_checks(settings), *get_plugins().checks()], backends)
    report = run_checks(checks, settings)
    files = [ENVIRONMENT]
    if found is not None:
        files += [str(p) for p in (found.env_path, found.record_path) if p.is_file()]
    files += [info["path"] for info in config_files().values() if info["exists"]]
    return Report((*outdated_jinja(), *report.findings), tuple(files))


def outdated_jinja(version: str | None = None) -> tuple[Finding, ...]:
    """A ``warn`` when the installed Jinja's sandbox has known escapes (none when patched).

    pip honours the ``jinja2>=3.1.6`` requirement, but an older Jinja can still be there
    (``--no-deps``, a distribution's package, a pinned lock file); ``--templates`` then
    refuses to render, and this says why before anyone tries.
    """
    import jinja2

    from .templating import JINJA_FLOOR, jinja_version

    found = version or jinja2.__version__
    if jinja_version(found) >= JINJA_FLOOR:
        return ()
    floor = ".".join(map(str, JINJA_FLOOR))
    summary = Message(
        N_(
            "jinja2 {version} is installed; its sandbox has known escapes "
            "(CVE-2024-56201, CVE-2024-56326, CVE-2025-27516), so --templates is refused"
        ),
        version=found,
    )
    fix = f"pip install 'jinja2>={floor}'"
    return (
        Finding(
            name="jinja2",
            backend=None,
            status="warn",
            summary=summary,
            fix=fix,
            summary_shown=translate(summary),
            fix_shown=fix,
        ),
    )



def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2) + "\n"
    return render_text(report)


def render_text(report: Report) -> str:
    if not report.findings:
        return (
            _("No checks to run: no loaded plugin contributes doctor checks.")
            + "\n"
            + _("Install or enable a backend plugin (`advisor plugins` lists what is loaded).")
            + "\n"
        )
    width = max(len(f.name) for f in report.findings)
    labels = {status: _(label) for status, label in LABELS.items()}
    label_width = max(4, *(columns(label) for label in labels.values()))

    def cell(label: str) -> str:
        return label + " " * (label_width - columns(label))

    lines = []
    if report.settings_files:
        files = ", ".join(_(f) if f == ENVIRONMENT else f for f in report.settings_files)
        lines += [_("Settings from: {files}").format(files=files), ""]
    for f in report.findings:
        summary, fix = f.summary_shown or f.summary, f.fix_shown or f.fix
        lines.append(f"{cell(labels[f.status])}  {f.name:<{width}}  {summary}")
        if fix and f.status in ("warn", "fail"):
            fix_line = _("fix: {fix}").format(fix=fix)
            lines.append(f"{cell('')}  {'':<{width}}  {fix_line}")
    counts = report.counts()
    lines.append("")
    lines.append(", ".join(_(COUNTED[s]).format(count=counts[s]) for s in STATUSES))
    to_fix: dict[str, list[str]] = {}
    for f in report.findings:
        if f.status == "fail" and f.fix:
            to_fix.setdefault(f.fix_shown or f.fix, []).append(f.name)
    if to_fix:
        lines.append("")
        lines.append(_("To fix:"))
        lines.extend(f"  - {fix}  ({', '.join(names)})" for fix, names in to_fix.items())
    return "\n".join(lines) + "\n"

