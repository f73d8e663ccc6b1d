"""``advisor decide --compare``: several answers files decided and priced side by side.

A review asks "what if we had 2,000 examples, or needed citations?": each answers file
is one scenario, decided and priced exactly as ``advisor decide`` would, and the
comparison names the answers that differ so the table reads as cause and effect.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import __version__
from .advice import Advice, build_advice, load_cost_overrides
from .charts import FONT_STACK
from .i18n import _, columns, language
from .questionnaire import Answers
from .reports import MONTHLY, UPFRONT, _pad, money


@dataclass(frozen=True)
class Scenario:
    """One answers file and the advice it gets."""

    name: str
    file: str
    answers: Mapping[str, Any]
    advice: Advice

    def to_dict(self) -> dict[str, Any]:
        decision, costs = self.advice.decision, self.advice.costs
        option = costs.option(decision.recommendation)
        return {
            "name": self.name,
            "file": self.file,
            "recommendation": decision.recommendation,
            "variant": decision.variant,
            "confidence": decision.confidence,
            "reasons": [r.key for r in decision.reasons],
            "warnings": [w.key for w in decision.warnings],
            "answers": dict(self.answers),
            "costs": {
                "option": option.name,
                "fine_tune_path": option.fine_tune_path,
                "upfront_usd": round(option.upfront, 2),
                "monthly_usd": round(option.monthly, 2),
                "horizon_months": round(option.horizon_months, 2),
                "total_horizon_usd": round(option.total, 2),
                "range_horizon_usd": (
                    [round(v, 2) for v in option.range_total] if option.range_total else None
                ),
                "within_budget": option.within_budget,
            },
        }


@dataclass(frozen=True)
class Comparison:
    scenarios: tuple[Scenario, ...]
    differing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenarios": [s.to_dict() for s in self.scenarios],
            "differing_answers": {
                key: {s.name: s.answers.get(key) for s in self.scenarios} for key in self.differing
            },
            "advisor_version": __version__,
        }

    def rows(self) -> list[tuple[str, list[str]]]:
        """(label, one cell per scenario): the differing answers first, then the outcome.

        Labels and words are in the language in use; values (``rag``, ``weekly``) are not.
        """
        from .reports import _show

        rows = [
            (_("{key} (answer)").format(key=key),
             [_show(s.answers.get(key)) for s in self.scenarios])
            for key in self.differing
        ]
        decisions = [s.advice.decision for s in self.scenarios]
        options = [
            s.advice.costs.option(d.recommendation)
            for s, d in zip(self.scenarios, decisions, strict=True)
        ]
        rows += [
            (_("recommendation"), [d.shown_label for d in decisions]),
            (_("confidence"), [f"{d.confidence:.2f}" for d in decisions]),
            (_("key reasons"), [", ".join(r.key for r in d.reasons) for d in decisions]),
            (_("warnings"), [", ".join(w.key for w in d.warnings) or "-" for d in decisions]),
            (
                _("priced as"),
                [
                    o.name if o.fine_tune_path is None else f"{o.name}, {o.fine_tune_path}"
                    for o in options
                ],
            ),
            (UPFRONT.localized(), [money(o.upfront, cents=False) for o in options]),
            (MONTHLY.localized(), [money(o.monthly, cents=False) for o in options]),
            (
                _("total"),
                [_("{total} / {months:g} months").format(total=money(o.total, cents=False),
                                                          months=o.horizon_months)
                 for o in options],
            ),
            (
                _("range"),
                [
                    f"{money(o.range_total[0], cents=False)}-{money(o.range_total[1], cents=False)}"
                    if o.range_total
                    else "-"
                    for o in options
                ],
            ),
            (_("within budget"), [_("yes") if o.within_budget else _("no") for o in options]),
        ]
        return rows


def compare_scenarios(
    scenarios: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    today: dt.date,
    overrides: Mapping[str, Any] | None = None,
) -> Comparison:
    """Decide and price each (file, validated answers); name the answers that differ."""
    if overrides is None:
        overrides = load_cost_overrides()
    names = _names([file for file, _values in scenarios])
    built = tuple(
        Scenario(
            name,
            file,
            values,
            build_advice(Answers.from_mapping(values), today=today, overrides=overrides),
        )
        for name, (file, values) in zip(names, scenarios, strict=True)
    )
    keys = list(dict.fromkeys(key for s in built for key in s.answers))
    differing = tuple(
        key
        for key in keys
        if len({json.dumps(s.answers.get(key), sort_keys=True, default=str) for s in built}) > 1
    )
    return Comparison(built, differing)


def _names(files: Sequence[str]) -> list[str]:
    """Each file's stem, or its path where two stems are the same."""
    from pathlib import PurePath

    stems = [PurePath(f).stem for f in files]
    pairs = zip(stems, files, strict=True)
    return [stem if stems.count(stem) == 1 else file for stem, file in pairs]


def render_comparison(comparison: Comparison, fmt: str) -> str:
    """The comparison as text, JSON, Markdown or a self-contained HTML page."""
    if fmt == "json":
        return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return _text(comparison)
    from .templating import report_environment

    html = fmt == "html"
    template = report_environment(html=html).get_template(
        "compare.html.j2" if html else "compare.md.j2"
    )
    return template.render(
        comparison=comparison, rows=comparison.rows(), advisor_version=__version__,
        lang=language(), font_stack=FONT_STACK,
    )


def _text(comparison: Comparison) -> str:
    rows = [("", [s.name for s in comparison.scenarios]), *comparison.rows()]
    label = max(columns(name) for name, _cells in rows) + 2
    widths = [max(columns(cells[i]) for _name, cells in rows) + 2
              for i in range(len(comparison.scenarios))]
    lines = [
        _pad(name, label) + "".join(_pad(c, w) for c, w in zip(cells, widths, strict=True))
        for name, cells in rows
    ]
    lines.insert(1, "-" * (label + sum(widths)))
    differ = ", ".join(comparison.differing) or _("none")
    lines += ["", _("Answers that differ: {answers}.").format(answers=differ)]
    return "\n".join(line.rstrip() for line in lines) + "\n"
