"""Turn a :class:`~advisor.framework.Decision` into text, JSON or a Markdown record.

Reports only format: they never decide and never print. The Markdown decision record is
a Jinja template (``templates/reports/decision.md.j2``) so teams can read and adapt it.
"""

from __future__ import annotations

import json
from typing import Any

from . import __version__
from .framework import Decision
from .questionnaire import CORE_QUESTIONS

FORMATS = ("text", "json", "markdown")

ALTERNATIVES = {
    "rag": "Retrieve documents at query time and put them in the prompt.",
    "fine-tune": "Train the model on curated input->output examples.",
    "hybrid": "Fine-tune for behaviour and retrieve for knowledge, together.",
}


def to_dict(decision: Decision) -> dict[str, Any]:
    data = decision.to_dict()
    data["advisor_version"] = __version__
    return data


def render(decision: Decision, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_dict(decision), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(decision)
    return render_text(decision)


def render_text(decision: Decision) -> str:
    lines = [
        f"Recommendation: {decision.label}  (confidence {decision.confidence:.2f})",
        "",
        "Why:",
    ]
    lines += [f"  - [{r.key}] {r.text}" for r in decision.reasons]
    if decision.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  ! [{w.key}] {w.text}" for w in decision.warnings]
    lines += ["", "What would change it:"]
    if decision.flips:
        lines += [
            f"  - {f.key}: {_show(f.from_)} -> {_show(f.to)} makes it {f.recommendation}"
            for f in decision.flips
        ]
    else:
        lines.append("  - no single change of one answer changes this recommendation")
    lines += ["", "Whatever you build: write the evaluation set first."]
    return "\n".join(lines) + "\n"


def render_markdown(decision: Decision) -> str:
    from .templating import report_environment

    template = report_environment().get_template("decision.md.j2")
    return template.render(
        decision=decision,
        questions=CORE_QUESTIONS,
        answers=decision.answers.to_dict(),
        alternatives={k: v for k, v in ALTERNATIVES.items() if k != decision.recommendation},
        advisor_version=__version__,
        show=_show,
    )


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
