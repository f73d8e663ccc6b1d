"""Turn a :class:`~advisor.framework.Decision` (and its costs) into text, JSON, Markdown or HTML.

Reports only format: they never decide and never print. The Markdown decision record and
the HTML review page are Jinja templates (``templates/reports/``) so teams can read and
adapt them. Costs are optional: a caller with only a decision gets the report without
the cost sections.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from . import __version__
from .framework import Decision
from .questionnaire import CORE_QUESTIONS

if TYPE_CHECKING:

    from .costs import CostEstimate, OptionCost
    from .evidence import Assessment

FORMATS = ("text", "json", "markdown", "html")

ALTERNATIVES = {
    "rag": "Retrieve documents at query time and put them in the prompt.",
    "fine-tune": "Train the model on curated input->output examples.",
    "hybrid": "Fine-tune for behaviour and retrieve for knowledge, together.",
}


def to_dict(
    decision: Decision, costs: CostEstimate | None = None, evidence: Assessment | None = None
) -> dict[str, Any]:
    data = decision.to_dict()
    if costs is not None:
        data["costs"] = costs.to_dict()
        data["break_even"] = [b.to_dict() for b in costs.break_even]
    if evidence is not None:
        data["evidence"] = evidence.to_dict()
        if evidence.verdict == "changes":
            data["questionnaire_recommendation"] = evidence.questionnaire
    data["advisor_version"] = __version__
    return data


def render(
    decision: Decision,
    fmt: str,
    *,
    costs: CostEstimate | None = None,
    today: dt.date | None = None,
    chart_href: str | None = None,
    evidence: Assessment | None = None,
) -> str:
    """The report in ``fmt``. ``chart_href``: Markdown links the chart there, not inline.

    ``evidence``: what measured results said (:func:`advisor.evidence.assess`); every
    format shows it in a "Measured" section, or, without it, how many items to measure.
    """
    if fmt == "json":
        return json.dumps(to_dict(decision, costs, evidence), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(decision, costs, chart_href=chart_href, evidence=evidence)
    if fmt == "html":
        return render_html(decision, costs, today=today, evidence=evidence)
    return render_text(decision, costs, evidence)


def render_text(
    decision: Decision, costs: CostEstimate | None = None, evidence: Assessment | None = None
) -> str:
    lines = [
        f"Recommendation: {decision.label}  (confidence {decision.confidence:.2f})",
        "",
        "Why:",
    ]
    lines += [f"  - [{r.key}] {r.text}" for r in decision.reasons]
    if decision.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  ! [{w.key}] {w.text}" for w in decision.warnings]
    lines += ["", *_text_measured(measured(evidence))]
    lines += ["", "What would change it:"]
    if decision.flips:
        lines += [
            f"  - {f.key}: {_show(f.from_)} -> {_show(f.to)} makes it {f.recommendation}"
            for f in decision.flips
        ]
    else:
        lines.append("  - no single change of one answer changes this recommendation")
    if costs is not None:
        lines += ["", *_text_costs(decision, costs)]
    lines += ["", "Whatever you build: write the evaluation set first."]
    return "\n".join(lines) + "\n"


def _text_costs(decision: Decision, costs: CostEstimate) -> list[str]:
    """The cost comparison in a dozen lines: one row per option, then the break-evens."""
    from .costs import BUDGET_BASIS

    rows = cost_rows(decision, costs)
    width = max(len(row["name"]) for row in rows) + 2
    total = f"{costs.horizon_months} months"
    lines = [
        f"Costs (USD; {_dates(costs)}; price book {costs.price_book_version}):",
        f"    {'option':<{width}}{'upfront':>12}{'monthly':>12}{'per 1k q':>10}{total:>12}",
    ]
    for row in rows:
        mark = "*" if row["recommended"] else " "
        option = costs.option(row["name"])
        flags = ["over budget"] if not row["within_budget"] else []
        if option.unmet:
            flags.append(f"does not meet: {', '.join(option.unmet)}")
        if option.retires is not None and option.horizon_months < costs.horizon_months:
            flags.append(f"ends {option.retires.isoformat()}")
        note = f"  {'; '.join(flags)}" if flags else ""
        lines.append(
            f"  {mark} {row['name']:<{width}}{row['upfront']:>12}{row['monthly']:>12}"
            f"{row['per_1k']:>10}{row['total']:>12}{note}"
        )
        if row["recommended"] and row["notes"]:
            lines.append(f"      {row['notes']}")
    lines += [f"  - {b.describe()}" for b in costs.break_even]
    lines.append(f"  Budget vs {BUDGET_BASIS}. Assumptions and sources: --format html "
                 "or --format markdown.")
    return lines


# --- the Measured section ----------------------------------------------------------------


def measured(evidence: Assessment | None) -> dict[str, Any]:
    """The "Measured" section's content, formatted once for every report format.

    Without evidence it holds the power estimate: how many evaluation items tell the
    minimum gain apart, so the team knows how big to make the set before measuring.
    """
    from .stats import MIN_GAIN, items_needed

    if evidence is None:
        return {"present": False, "min_gain": MIN_GAIN, "items_needed": items_needed(MIN_GAIN)}
    questionnaire, final = evidence.questionnaire, evidence.recommendation
    summary = {
        "supports": f"The measurements support {final}.",
        "changes": f"The measurements change the questionnaire's {questionnaire} to {final}.",
        "inconclusive": f"The measurements cannot settle it: the questionnaire's "
        f"{questionnaire} stands.",
    }[evidence.verdict]
    rows = []
    for m in evidence.systems:
        r = m.result
        if not m.eligible:
            status = "excluded"
        elif r.system == evidence.chosen:
            status = "chosen"
        elif r.system == "base":
            status = "reference (not an option)"
        else:
            status = "eligible"
        rows.append(
            {
                "system": r.system,
                "chosen": r.system == evidence.chosen,
                "eligible": m.eligible,
                "score": f"{r.score:.3f}",
                "interval": f"{m.low:.3f}-{m.high:.3f}",
                "items": f"{r.items:,}" + (" (per item)" if r.item_scores else ""),
                "errors": r.errors,
                "latency": "-" if r.latency_p95_ms is None else f"{r.latency_p95_ms:,.0f} ms",
                "cost": "-" if r.cost_per_1k_usd is None else money(r.cost_per_1k_usd),
                "format": "-" if r.format_valid_rate is None else f"{r.format_valid_rate:.1%}",
                "status": status,
            }
        )
    return {
        "present": True,
        "verdict": evidence.verdict,
        "summary": summary,
        "eval_set": evidence.eval_set,
        "scorer": evidence.scorer,
        "sources": ", ".join(evidence.sources),
        "rows": rows,
        "reasons": list(evidence.reasons),
        "min_gain": evidence.min_gain,
        "items_needed": evidence.items_needed,
        "power": _power_sentence(evidence),
        "target_score": evidence.target_score,
        "target_met": evidence.target_met,
    }


def _power_sentence(evidence: Assessment) -> str:
    if evidence.items_needed is None or evidence.verdict == "inconclusive":
        return ""  # an inconclusive verdict's reasons already say how many items settle it
    measured = max((m.result.items for m in evidence.systems), default=0)
    return (
        f"Power: about {evidence.items_needed:,} items per system detect a "
        f"{evidence.min_gain:.2f} gain at 95% with 80% power (this run: {measured:,})."
    )


def _text_measured(view: dict[str, Any]) -> list[str]:
    if not view["present"]:
        return [
            "Measured: nothing yet.",
            f"  To tell a {view['min_gain']:.2f} score gain apart at 95% with 80% power, plan "
            f"about {view['items_needed']:,} evaluation items",
            "  per system (the worst case: right/wrong scores near 0.5; per-item scores on the "
            "same items",
            "  usually need fewer). Then run the starter's `evaluate` and decide again with",
            "  `advisor decide --evidence evals/results.json` (docs/evidence.md).",
        ]
    lines = [
        f"Measured (eval set {view['eval_set']}, scorer {view['scorer']}; {view['sources']}):",
        f"  {view['summary']}",
    ]
    header = ("system", "score", "95% interval", "items", "p95", "per 1k q", "format valid")
    table = [header] + [
        (r["system"], r["score"], r["interval"], r["items"], r["latency"], r["cost"], r["format"])
        for r in view["rows"]
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        mark = " " if index == 0 or not view["rows"][index - 1]["chosen"] else "*"
        cells = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        status = "" if index == 0 else f"  {view['rows'][index - 1]['status']}"
        lines.append(f"  {mark} {cells}{status}".rstrip())
    lines += [f"  - {reason}" for reason in view["reasons"]]
    if view["power"]:
        lines.append(f"  {view['power']}")
    return lines


def cost_rows(decision: Decision, costs: CostEstimate) -> list[dict[str, Any]]:
    """One formatted row per option, the recommended one marked, for every report."""
    return [_row(option, decision, costs.horizon_months) for option in costs.options]


def _row(option: OptionCost, decision: Decision, horizon: int) -> dict[str, Any]:
    per_1k = option.per_1k_queries
    return {
        "meets_requirements": option.meets_requirements,
        "notes": option_notes(option),
        "name": option.name,
        "approach": option.approach,
        "primary": option.primary,
        "recommended": option.primary and option.approach == decision.recommendation,
        "upfront": money(option.upfront),
        "monthly": money(option.monthly),
        "per_1k": "-" if per_1k is None else money(per_1k),
        "total": money(option.total, cents=False),
        "within_budget": option.within_budget,
        "items": [("upfront", i) for i in option.upfront_items]
        + [("monthly", i) for i in option.monthly_items],
    }


def option_notes(option: OptionCost) -> str:
    """What a reviewer must know beside an option's numbers, in one line."""
    notes = []
    if option.unmet:
        notes.append(f"does not meet: {', '.join(option.unmet)}")
    if option.retires is not None and option.horizon_months < option_horizon_full():
        notes.append(f"ends {option.retires.isoformat()} (model retires; "
                     f"{option.horizon_months:.1f} months priced)")
    if option.range_total:
        low, high = option.range_total
        moved = f", moved most by {option.swing}" if option.swing else ""
        notes.append(f"range {money(low, cents=False)}-{money(high, cents=False)}{moved}")
    if option.latency:
        notes.append(f"p95 about {option.latency.expected:,.0f} ms "
                     f"({option.latency.low:,.0f}-{option.latency.high:,.0f})")
    return "; ".join(notes)


def option_horizon_full() -> int:
    from .costs import HORIZON_MONTHS

    return HORIZON_MONTHS


def money(value: float, *, cents: bool = True) -> str:
    """``$1,234.56`` (or whole dollars); amounts that round to nothing read ``<$0.01``."""
    if 0 < value < 0.005:
        return "<$0.01"
    return f"${value:,.2f}" if cents else f"${value:,.0f}"


def _dates(costs: CostEstimate) -> str:
    dates = sorted({s.as_of for s in costs.sources if s.as_of is not None})
    if not dates:
        return "prices undated"
    if len(dates) == 1:
        return f"prices as of {dates[0].isoformat()}"
    return f"prices as of {dates[0].isoformat()} to {dates[-1].isoformat()}"


def assumption_rows(costs: CostEstimate) -> list[tuple[str, str, bool, str]]:
    """(name, value as text, overridden?, meaning) per assumption, in price-book order."""
    from .costs import ASSUMPTION_HELP

    rows = []
    for key, value in costs.assumptions.items():
        if isinstance(value, dict):
            text = ", ".join(f"{k} {_show(v)}" for k, v in value.items())
        else:
            text = _show(value)
        rows.append((key, text, key in costs.overridden, ASSUMPTION_HELP.get(key, "")))
    return rows


def _context(
    decision: Decision, costs: CostEstimate | None, evidence: Assessment | None = None
) -> dict[str, Any]:
    return {
        "measured": measured(evidence),
        "decision": decision,
        "questions": CORE_QUESTIONS,
        "answers": decision.answers.to_dict(),
        "alternatives": {k: v for k, v in ALTERNATIVES.items() if k != decision.recommendation},
        "advisor_version": __version__,
        "show": _show,
        "costs": costs,
        "rows": cost_rows(decision, costs) if costs else [],
        "assumptions": assumption_rows(costs) if costs else [],
        "price_dates": _dates(costs) if costs else "",
        "budget_basis": _budget_basis(),
        "money": money,
    }


def _budget_basis() -> str:
    from .costs import BUDGET_BASIS

    return BUDGET_BASIS


def render_markdown(
    decision: Decision,
    costs: CostEstimate | None = None,
    *,
    chart_href: str | None = None,
    evidence: Assessment | None = None,
) -> str:
    from .templating import report_environment

    chart = ""
    if costs is not None and chart_href is None:
        chart = chart_svg(costs)
    template = report_environment().get_template("decision.md.j2")
    return template.render(
        **_context(decision, costs, evidence), chart_href=chart_href, chart_svg=chart
    )


def render_html(
    decision: Decision,
    costs: CostEstimate | None = None,
    *,
    today: dt.date | None = None,
    evidence: Assessment | None = None,
) -> str:
    """One self-contained page for an architecture review: styles and chart inline."""
    from markupsafe import Markup

    from .templating import report_environment

    chart = Markup(chart_svg(costs)) if costs is not None else ""
    return report_environment(html=True).get_template("decision.html.j2").render(
        **_context(decision, costs, evidence), chart_svg=chart, today=today
    )


def chart_svg(costs: CostEstimate) -> str:
    from .charts import cumulative_cost_chart

    return cumulative_cost_chart(costs)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
