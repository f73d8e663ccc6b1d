"""Turn a :class:`~advisor.framework.Decision` (and its costs) into text, JSON, Markdown or HTML.

Reports only format: they never decide and never print. The Markdown decision record and
the HTML review page are Jinja templates (``templates/reports/``) so teams can read and
adapt them. Costs are optional: a caller with only a decision gets the report without
the cost sections.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import __version__
from .framework import Decision
from .i18n import N_, _, columns, language, ngettext
from .messages import Message, concat, localize, pgettext, translate
from .questionnaire import CORE_QUESTIONS

if TYPE_CHECKING:

    from .costs import CostEstimate, OptionCost
    from .evidence import Assessment

FORMATS = ("text", "json", "markdown", "html")

ALTERNATIVES = {
    "rag": N_("Retrieve documents at query time and put them in the prompt."),
    "fine-tune": N_("Train the model on curated input->output examples."),
    "hybrid": N_("Fine-tune for behaviour and retrieve for knowledge, together."),
}


# The two kinds of cost line, as column names; in context, as "monthly" is also an answer.
UPFRONT = pgettext("cost column", "upfront")
MONTHLY = pgettext("cost column", "monthly")

# Prices older than this should be checked again before the record is relied on: cloud
# model prices have changed within months (an advisor heuristic, docs/costs.md).
PRICE_RECHECK_DAYS = 180
STATUS = "proposed"


@dataclass(frozen=True)
class DatedEvent:
    """A dated fact that may change the decision: a provider event or a retirement."""

    date: dt.date
    text: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "text": self.text, "source": self.source}


@dataclass(frozen=True)
class RecordInfo:
    """What makes a report a decision record: who, when, what was not chosen, when to revisit.

    Every format renders the same instance, so the text, JSON, Markdown and HTML records
    carry the same id, date, deciders, reasons and revisit dates.
    """

    id: str
    date: dt.date | None
    status: str
    deciders: tuple[str, ...]
    not_chosen: tuple[tuple[str, str], ...]
    consequences: tuple[str, ...]
    events: tuple[DatedEvent, ...]
    prices_as_of: dt.date | None
    price_age_days: int | None
    recheck_prices_by: dt.date | None
    revisit_by: dt.date | None
    # Price-book entries past their re-check date on the record's date, as "key (as_of)".
    stale_prices: tuple[str, ...] = ()

    @property
    def prices_overdue(self) -> bool:
        """The oldest price is past its re-check date already on the record's date."""
        return bool(self.date and self.recheck_prices_by and self.recheck_prices_by <= self.date)

    def past(self, event: DatedEvent) -> bool:
        return self.date is not None and event.date <= self.date

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": _iso(self.date),
            "status": self.status,
            "deciders": list(self.deciders),
            "not_chosen": [{"option": name, "reason": why} for name, why in self.not_chosen],
            "consequences": list(self.consequences),
            "revisit": {
                "by": _iso(self.revisit_by),
                "events": [e.to_dict() for e in self.events],
                "prices_as_of": _iso(self.prices_as_of),
                "price_age_days": self.price_age_days,
                "recheck_prices_by": _iso(self.recheck_prices_by),
                "prices_overdue": self.prices_overdue,
                "stale_prices": list(self.stale_prices),
            },
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def record_info(decision: Decision, costs: CostEstimate | None = None, *,
                today: dt.date | None = None, deciders: tuple[str, ...] = ()) -> RecordInfo:
    """The record's metadata, computed once for every format.

    The id is the date and a digest of the answers and the recommendation: the same
    decision made on the same day gets the same id (a scaffold renders reproducibly).
    """
    digest = hashlib.sha256(json.dumps(
        {"answers": decision.answers.to_dict(), "recommendation": decision.recommendation,
         "variant": decision.variant, "framework": decision.framework_version},
        sort_keys=True, default=str).encode()).hexdigest()[:6]
    record_id = f"adr-{today:%Y%m%d}-{digest}" if today else f"adr-{digest}"
    events = _dated_events(costs) if costs is not None else ()
    as_of = costs.as_of if costs is not None else None
    age = (today - as_of).days if today and as_of else None
    recheck = as_of + dt.timedelta(days=PRICE_RECHECK_DAYS) if as_of else None
    stale = tuple(
        f"{s.key} ({s.as_of.isoformat()})" for s in (costs.sources if costs is not None else ())
        if today is not None and s.as_of is not None
        and s.as_of + dt.timedelta(days=PRICE_RECHECK_DAYS) <= today
    )
    ahead = [e.date for e in events if today is None or e.date > today]
    if recheck is not None and (today is None or recheck > today):
        ahead.append(recheck)
    return RecordInfo(
        id=record_id,
        date=today,
        status=STATUS,
        deciders=tuple(deciders),
        not_chosen=tuple(not_chosen(decision, costs)),
        consequences=tuple(consequences(decision, costs)),
        events=events,
        prices_as_of=as_of,
        price_age_days=age,
        recheck_prices_by=recheck,
        revisit_by=min(ahead) if ahead else None,
        stale_prices=stale,
    )


def _dated_events(costs: CostEstimate) -> tuple[DatedEvent, ...]:
    """Provider events of the providers the priced options use, and model retirements."""
    from .advice import load_price_data
    from .providers import load_providers

    data = load_price_data()
    used = {data.get(s.section, {}).get(s.key, {}).get("provider") for s in costs.sources}
    events = [
        DatedEvent(event.date, f"{status.name}: {event.text}", status.source)
        for key, status in load_providers().items() if key in used
        for event in status.events
    ]
    retiring = {entry.get("retires"): s.source for s in costs.sources
                if (entry := data.get(s.section, {}).get(s.key, {})).get("retires")}
    for option in costs.options:
        if option.retires is not None:
            text = Message(N_("the {option} option's model retires: its costs stop there"),
                           option=option.name)
            events.append(DatedEvent(option.retires, text,
                                     retiring.get(option.retires, "data/prices.yaml")))
    return tuple(sorted(set(events), key=lambda e: (e.date, e.text)))


def not_chosen(decision: Decision, costs: CostEstimate | None) -> list[tuple[str, Message]]:
    """Each option not recommended, with why: the framework's reason, then its costs.

    The reasons are :class:`~advisor.messages.Message`: English in JSON, translated in
    the reports people read.
    """
    out = []
    for name in ALTERNATIVES:
        if name == decision.recommendation:
            continue
        why = _framework_reason(name, decision)
        if costs is not None:
            why = concat([why, *_cost_reason(costs.option(name), decision, costs)], "; ")
        out.append((name, why))
    for option in costs.options if costs is not None else ():
        if not option.primary:
            why = Message(N_("the {path} fine-tuning path, priced for comparison; this team's "
                             "path is {chosen}"),
                          path=option.fine_tune_path, chosen=costs.fine_tune_path)
            out.append((option.name,
                        concat([why, *_cost_reason(option, decision, costs)], "; ")))
    return out


def _framework_reason(name: str, decision: Decision) -> Message:
    if name == "fine-tune" and decision.retrieval_needed:
        return Message(N_("the answers need retrieval (see the reasons above)"))
    if name == "fine-tune":
        return Message(N_("no reason to fine-tune is both present and feasible"))
    if name == "rag":
        return Message(N_("retrieval alone leaves the behaviour gap above unaddressed"))
    if name == "hybrid" and not decision.fine_tune_feasible:
        return Message(N_("fine-tuning is not feasible yet"))
    if name == "hybrid" and decision.recommendation == "fine-tune":
        return Message(N_("nothing here needs retrieval"))
    return Message(N_("no reason to fine-tune is present, and RAG comes first"))


def _cost_reason(option: OptionCost, decision: Decision, costs: CostEstimate
                 ) -> list[Message]:
    parts = []
    if option.unmet:
        parts.append(Message(N_("it does not meet: {unmet}"), unmet=", ".join(option.unmet)))
    chosen = costs.option(decision.recommendation)
    months = option.horizon_months
    span = f"{months:g}" if months == int(months) else f"{months:.1f}"
    if option.retires is not None and months < costs.horizon_months:
        parts.append(Message(N_("its model retires on {date}"),
                             date=option.retires.isoformat()))
    if option.cumulative(months) > chosen.cumulative(months):
        compare = N_("{total} over {months} months, more than {chosen}'s {chosen_total}")
    else:
        compare = N_("{total} over {months} months, less than {chosen}'s {chosen_total}")
    parts.append(Message(compare, total=money(option.cumulative(months), cents=False),
                         months=span, chosen=chosen.name,
                         chosen_total=money(chosen.cumulative(months), cents=False)))
    return parts


def consequences(decision: Decision, costs: CostEstimate | None) -> list[Message]:
    """What the team commits to by following the recommendation."""
    out = [Message(N_("Build the evaluation set first, before any prompt, index or training "
                      "run: it is how the team will know the choice worked."))]
    if "rag" in decision.approaches:
        out.append(Message(N_("Retrieval adds per-query cost (embeddings, search, longer "
                              "prompts) and latency; keeping the index current takes minutes "
                              "per change.")))
    if "fine-tune" in decision.approaches:
        out.append(Message(N_("Fine-tuning costs more upfront and must be redone when the "
                              "training data changes; curated examples become a maintained "
                              "asset.")))
    if costs is not None:
        option = costs.option(decision.recommendation)
        amounts = {"upfront": money(option.upfront, cents=False),
                   "monthly": money(option.monthly, cents=False),
                   "total": money(option.total, cents=False),
                   "months": f"{option.horizon_months:g}"}
        if option.range_total and option.swing:
            low, high = option.range_total
            budget = N_("Budget for {upfront} upfront and {monthly} a month: {total} over "
                        "{months} months (range {low}-{high}, moved most by {swing}).")
            amounts.update(low=money(low, cents=False), high=money(high, cents=False),
                           swing=option.swing)
        elif option.range_total:
            low, high = option.range_total
            budget = N_("Budget for {upfront} upfront and {monthly} a month: {total} over "
                        "{months} months (range {low}-{high}).")
            amounts.update(low=money(low, cents=False), high=money(high, cents=False))
        else:
            budget = N_("Budget for {upfront} upfront and {monthly} a month: {total} over "
                        "{months} months.")
        out.append(Message(budget, **amounts))
        if option.retires is not None:
            out.append(Message(N_("The {option} option depends on a model that retires on "
                                  "{date}: plan the migration before then."),
                               option=option.name, date=option.retires.isoformat()))
    return out


def to_dict(decision: Decision, costs: CostEstimate | None = None,
            evidence: Assessment | None = None, *,
            record: RecordInfo | None = None) -> dict[str, Any]:
    data = decision.to_dict()
    if costs is not None:
        data["costs"] = costs.to_dict()
        data["break_even"] = [b.to_dict() for b in costs.break_even]
    if evidence is not None:
        data["evidence"] = evidence.to_dict()
        if evidence.verdict == "changes":
            data["questionnaire_recommendation"] = evidence.questionnaire
    if record is not None:
        data["record"] = record.to_dict()
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
    deciders: tuple[str, ...] = (),
) -> str:
    """The report in ``fmt``. ``chart_href``: Markdown links the chart there, not inline.

    ``evidence``: what measured results said (:func:`advisor.evidence.assess`); every
    format shows it in a "Measured" section, or, without it, how many items to measure.
    """
    record = record_info(decision, costs, today=today, deciders=deciders)
    if fmt == "json":
        data = to_dict(decision, costs, evidence, record=record)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(decision, costs, chart_href=chart_href, evidence=evidence,
                               record=record)
    if fmt == "html":
        return render_html(decision, costs, evidence=evidence, record=record)
    return render_text(decision, costs, evidence, record=record)


def render_text(decision: Decision, costs: CostEstimate | None = None,
                evidence: Assessment | None = None, *,
                record: RecordInfo | None = None) -> str:
    record = record or record_info(decision, costs)
    lines = [
        _("Recommendation: {label}  (confidence {confidence:.2f})").format(
            label=decision.shown_label, confidence=decision.confidence),
        _("Record {id}: {line}").format(id=record.id, line=_record_line(record)),
        "",
        _("Why:"),
    ]
    lines += [f"  - [{r.key}] {localize(r.text)}" for r in decision.reasons]
    if decision.warnings:
        lines += ["", _("Warnings:")]
        lines += [f"  ! [{w.key}] {localize(w.text)}" for w in decision.warnings]
    lines += ["", *_text_measured(measured(evidence))]
    lines += ["", _("What would change it:")]
    if decision.flips:
        lines += [
            "  - " + _("{key}: {before} -> {after} makes it {recommendation}").format(
                key=f.key, before=_show(f.from_), after=_show(f.to),
                recommendation=f.recommendation)
            for f in decision.flips
        ]
    else:
        lines.append("  - " + _("no single change of one answer changes this recommendation"))
    lines += ["", _("Not chosen:")]
    lines += [f"  - {name}: {localize(why)}" for name, why in record.not_chosen]
    if costs is not None:
        lines += ["", *_text_costs(decision, costs)]
    if record.revisit_by is not None:
        lines += ["", _("Revisit by {date}: {line}").format(
            date=record.revisit_by.isoformat(), line=_revisit_line(record))]
    elif record.prices_overdue:
        lines += ["", _("Revisit: {line}").format(line=_revisit_line(record))]
    lines += ["", _("Whatever you build: write the evaluation set first.")]
    return "\n".join(lines) + "\n"


def _record_line(record: RecordInfo) -> str:
    date = record.date.isoformat() if record.date else _("undated")
    deciders = ", ".join(record.deciders) or _("not recorded (--decider NAME)")
    return _("{status}, {date}, deciders: {deciders}").format(
        status=_status(record.status), date=date, deciders=deciders)


def _status(status: str) -> str:
    """A record's status as people read it (JSON keeps the value, ``proposed``)."""
    return {"proposed": _("proposed")}.get(status, status)


def _revisit_line(record: RecordInfo) -> str:
    """The dated reasons to decide again in one line: the soonest, how many more, prices."""
    ahead = [e for e in record.events if not record.past(e)]
    parts = [f"{e.date.isoformat()} {localize(e.text)}" for e in ahead[:1]]
    if len(ahead) > 1:
        more = len(ahead) - 1
        parts.append(ngettext("{count} more dated event in the Markdown or HTML record",
                              "{count} more dated events in the Markdown or HTML record",
                              more).format(count=more))
    if record.stale_prices:
        parts.append(_("re-check prices now: {entries}").format(
            entries=", ".join(record.stale_prices)))
    elif record.recheck_prices_by is not None:
        oldest = _iso(record.prices_as_of)
        if record.prices_overdue:
            parts.append(_("re-check prices now (oldest as of {date})").format(date=oldest))
        else:
            parts.append(_("re-check prices {when} (oldest as of {date})").format(
                when=record.recheck_prices_by.isoformat(), date=oldest))
    return "; ".join(parts)


def _text_costs(decision: Decision, costs: CostEstimate) -> list[str]:
    """The cost comparison in a dozen lines: one row per option, then the break-evens."""
    from .costs import BUDGET_BASIS

    rows = cost_rows(decision, costs)
    option_label = _("option")
    width = max(columns(text) for text in [option_label, *(r["name"] for r in rows)]) + 2
    total = _("{months} months").format(months=costs.horizon_months)
    header = (_pad(option_label, width) + _pad(UPFRONT.localized(), 12, right=True)
              + _pad(MONTHLY.localized(), 12, right=True) + _pad(_("per 1k q"), 10, right=True)
              + _pad(total, 12, right=True))
    lines = [
        _("Costs (USD; {dates}; price book {version}):").format(
            dates=_dates(costs), version=costs.price_book_version),
        f"    {header}",
    ]
    for row in rows:
        mark = "*" if row["recommended"] else " "
        option = costs.option(row["name"])
        flags = [_("over budget")] if not row["within_budget"] else []
        if option.unmet:
            flags.append(_("does not meet: {unmet}").format(unmet=", ".join(option.unmet)))
        if option.retires is not None and option.horizon_months < costs.horizon_months:
            flags.append(_("ends {date}").format(date=option.retires.isoformat()))
        note = f"  {'; '.join(flags)}" if flags else ""
        lines.append(
            f"  {mark} {row['name']:<{width}}{row['upfront']:>12}{row['monthly']:>12}"
            f"{row['per_1k']:>10}{row['total']:>12}{note}"
        )
        if row["recommended"] and row["notes"]:
            lines.append(f"      {row['notes']}")
    lines += [f"  - {localize(b.describe())}" for b in costs.break_even]
    lines.append("  " + _("Budget vs {basis}. Assumptions and sources: --format html or "
                          "--format markdown.").format(basis=_(BUDGET_BASIS)))
    return lines


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (left-aligned, or right)."""
    space = " " * max(0, width - columns(text))
    return space + text if right else text + space


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
        "supports": _("The measurements support {final}."),
        "changes": _("The measurements change the questionnaire's {questionnaire} to {final}."),
        "inconclusive": _("The measurements cannot settle it: the questionnaire's "
                          "{questionnaire} stands."),
    }[evidence.verdict].format(final=final, questionnaire=questionnaire)
    rows = []
    for m in evidence.systems:
        r = m.result
        if not m.eligible:
            status = _("excluded")
        elif r.system == evidence.chosen:
            status = _("chosen")
        elif r.system == "base":
            status = _("reference (not an option)")
        else:
            status = _("eligible")
        rows.append(
            {
                "system": r.system,
                "chosen": r.system == evidence.chosen,
                "eligible": m.eligible,
                "score": f"{r.score:.3f}",
                "interval": f"{m.low:.3f}-{m.high:.3f}",
                "items": (_("{items:,} (per item)") if r.item_scores else "{items:,}").format(
                    items=r.items),
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
        "reasons": [localize(reason) for reason in evidence.reasons],
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
    return _(
        "Power: about {items:,} items per system detect a {gain:.2f} gain at 95% with 80% "
        "power (this run: {measured:,})."
    ).format(items=evidence.items_needed, gain=evidence.min_gain, measured=measured)


def _text_measured(view: dict[str, Any]) -> list[str]:
    if not view["present"]:
        plan = _(
            "To tell a {gain:.2f} score gain apart at 95% with 80% power, plan about {items:,} "
            "evaluation items\nper system (the worst case: right/wrong scores near 0.5; "
            "per-item scores on the same items\nusually need fewer). Then run the starter's "
            "`evaluate` and decide again with\n`advisor decide --evidence evals/results.json` "
            "(docs/evidence.md)."
        ).format(gain=view["min_gain"], items=view["items_needed"])
        return [_("Measured: nothing yet."), *(f"  {line}" for line in plan.splitlines())]
    lines = [
        _("Measured (eval set {eval_set}, scorer {scorer}; {sources}):").format(
            eval_set=view["eval_set"], scorer=view["scorer"], sources=view["sources"]),
        f"  {view['summary']}",
    ]
    header = (_("system"), _("score"), _("{level} interval").format(level="95%"), _("items"),
              "p95", _("per 1k q"), _("format valid"))
    table = [header] + [
        (r["system"], r["score"], r["interval"], r["items"], r["latency"], r["cost"], r["format"])
        for r in view["rows"]
    ]
    widths = [max(columns(row[i]) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        mark = " " if index == 0 or not view["rows"][index - 1]["chosen"] else "*"
        cells = "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True))
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
        "items": [(UPFRONT, i) for i in option.upfront_items]
        + [(MONTHLY, i) for i in option.monthly_items],
    }


def option_notes(option: OptionCost) -> str:
    """What a reviewer must know beside an option's numbers, in one line."""
    notes = []
    if option.unmet:
        notes.append(_("does not meet: {unmet}").format(unmet=", ".join(option.unmet)))
    if option.retires is not None and option.horizon_months < option_horizon_full():
        notes.append(_("ends {date} (model retires; {months:.1f} months priced)").format(
            date=option.retires.isoformat(), months=option.horizon_months))
    if option.range_total:
        low, high = option.range_total
        if option.swing:
            notes.append(_("range {low}-{high}, moved most by {swing}").format(
                low=money(low, cents=False), high=money(high, cents=False), swing=option.swing))
        else:
            notes.append(_("range {low}-{high}").format(
                low=money(low, cents=False), high=money(high, cents=False)))
    if option.latency:
        notes.append(_("p95 about {expected:,.0f} ms ({low:,.0f}-{high:,.0f})").format(
            expected=option.latency.expected, low=option.latency.low,
            high=option.latency.high))
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
        return _("prices undated")
    if len(dates) == 1:
        return _("prices as of {date}").format(date=dates[0].isoformat())
    return _("prices as of {first} to {last}").format(
        first=dates[0].isoformat(), last=dates[-1].isoformat())


def assumption_rows(costs: CostEstimate) -> list[tuple[str, str, bool, str]]:
    """(name, value as text, overridden?, meaning) per assumption, in price-book order."""
    from .costs import ASSUMPTION_HELP

    rows = []
    for key, value in costs.assumptions.items():
        if isinstance(value, dict):
            text = ", ".join(f"{k} {_show(v)}" for k, v in value.items())
        else:
            text = _show(value)
        meaning = ASSUMPTION_HELP.get(key, "")
        rows.append((key, text, key in costs.overridden, _(meaning) if meaning else ""))
    return rows


def _context(decision: Decision, costs: CostEstimate | None, record: RecordInfo,
             evidence: Assessment | None = None) -> dict[str, Any]:
    return {
        "measured": measured(evidence),
        "decision": decision,
        "record": record,
        "questions": CORE_QUESTIONS,
        "answers": decision.answers.to_dict(),
        "alternatives": ALTERNATIVES,
        "advisor_version": __version__,
        "show": _show,
        "costs": costs,
        "rows": cost_rows(decision, costs) if costs else [],
        "assumptions": assumption_rows(costs) if costs else [],
        "price_dates": _dates(costs) if costs else "",
        "budget_basis": _budget_basis(),
        "money": money,
        "crossing": _crossing,
        "recheck_days": PRICE_RECHECK_DAYS,
        "tr": translate,
        "key": key_span,
        "strong": strong,
        "font_stack": _font_stack(),
        "status": _status,
        "lang": language(),
    }


def _font_stack() -> str:
    from .charts import FONT_STACK

    return FONT_STACK


def strong(text: str) -> Any:
    """For the HTML record: a value in bold, escaped, to put in a translated sentence."""
    from markupsafe import Markup, escape

    return Markup("<strong>{}</strong>").format(escape(text))


def key_span(text: str) -> Any:
    """For the HTML record: a key or command in monospace, escaped, to put in a sentence."""
    from markupsafe import Markup, escape

    return Markup('<span class="key">{}</span>').format(escape(text))


def _crossing(crossing: Any) -> str:
    """`` (cumulative costs cross at month 7.2)`` for a break-even worth marking, else ''."""
    from .charts import meaningful

    if not meaningful(crossing):
        return ""
    return _(" (cumulative costs cross at month {month:.1f})").format(month=crossing.at)


def _budget_basis() -> str:
    from .costs import BUDGET_BASIS

    return _(BUDGET_BASIS)


URL = re.compile(r"https?://[^\s<>()\[\]\"']+[^\s<>()\[\]\"'.,;:]")


def markdown_links(text: str) -> str:
    """Addresses in ``text`` as Markdown autolinks (``<https://...>``)."""
    return URL.sub(lambda m: f"<{m.group(0)}>", text)


def html_links(text: str) -> Any:
    """``text`` escaped, its addresses as links (``<a href>``); safe to put in a page."""
    from markupsafe import Markup, escape

    out, last = [], 0
    for match in URL.finditer(text):
        out.append(escape(text[last:match.start()]))
        url = escape(match.group(0))
        out.append(Markup(f'<a href="{url}">{url}</a>'))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def render_markdown(
    decision: Decision, costs: CostEstimate | None = None, *, chart_href: str | None = None,
    today: dt.date | None = None, record: RecordInfo | None = None,
    evidence: Assessment | None = None,
) -> str:
    from .templating import report_environment

    record = record or record_info(decision, costs, today=today)
    chart = ""
    if costs is not None and chart_href is None:
        chart = chart_svg(costs, decision)
    template = report_environment().get_template("decision.md.j2")
    return template.render(**_context(decision, costs, record, evidence),
                           chart_href=chart_href, chart_svg=chart, link=markdown_links)


def render_html(
    decision: Decision, costs: CostEstimate | None = None, *, today: dt.date | None = None,
    record: RecordInfo | None = None, evidence: Assessment | None = None,
) -> str:
    """One self-contained page for an architecture review: styles and chart inline."""
    from markupsafe import Markup

    from .templating import report_environment

    record = record or record_info(decision, costs, today=today)
    chart = Markup(chart_svg(costs, decision)) if costs is not None else ""
    return report_environment(html=True).get_template("decision.html.j2").render(
        **_context(decision, costs, record, evidence), chart_svg=chart, link=html_links
    )


def chart_svg(costs: CostEstimate, decision: Decision | None = None) -> str:
    """The cumulative-cost chart, the recommended option emphasised when ``decision`` is given."""
    from .charts import cumulative_cost_chart

    return cumulative_cost_chart(costs, decision.recommendation if decision else None)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
