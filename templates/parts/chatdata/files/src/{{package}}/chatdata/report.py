"""A scan's :class:`~.scan.Summary` as the ``validate`` report: a JSON document or text.

The JSON keys ``examples``, ``errors``, ``warnings``, ``tokens``, ``epochs``,
``billed_tokens`` and ``estimated_cost_usd`` are a contract for scripts; the rest is
detail (line numbers, problem descriptions, how tokens were counted).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .epochs import billed_tokens, default_epochs
from .models import GpuPrice, ModelInfo, price_source
from .rules import (
    DEFAULT_LIMIT,
    MAX_TOKENS_PER_EXAMPLE,
    MIN_EXAMPLES,
    RECOMMENDED_EXAMPLES,
    min_examples,
)
from .scan import Summary, scan_file
from .tokens import TokenCounter, load_counter


@dataclass(frozen=True)
class Plan:
    """What the report prices: the model and the epochs (``"auto"`` or a number).

    ``gpu`` (an open-weights project) prices a model with no per-token price in GPU-hours.
    """

    model: ModelInfo
    epochs: int | str = "auto"
    gpu: GpuPrice | None = None


def build_report(
    path: str,
    summary: Summary,
    counter: TokenCounter,
    plan: Plan,
    limit: int,
    role: str = "training",
) -> dict[str, Any]:
    """The report as plain data, ready for ``json.dumps``.

    File-level checks (too few examples for the file's ``role``) are added to ``summary``
    here, once the whole file has been seen.
    """
    required = min_examples(role)
    if summary.examples < required:
        summary.error(
            None,
            "too_few_examples",
            f"{summary.examples} examples; a {role} file needs at least {required}",
            limit,
        )
    if plan.epochs == "auto":
        epochs, epochs_source = default_epochs(summary.valid), "heuristic"
    else:
        epochs, epochs_source = int(plan.epochs), "configured"
    billed = billed_tokens(summary.total_tokens.items(), epochs)
    price = plan.model.training_usd_per_1m_tokens
    cost = None if price is None else round(billed * price / 1_000_000, 4)
    gpu = plan.gpu if price is None else None
    gpu_hours = None if gpu is None else round(gpu.hours(billed), 2)
    if gpu is not None and gpu_hours is not None:
        cost = round(gpu_hours * gpu.usd_per_hour, 2)
    return {
        "file": path,
        "role": role,
        "ok": not summary.errors,
        "lines": summary.lines,
        "examples": summary.examples,
        "valid_examples": summary.valid,
        "errors": summary.error_counts(),
        "error_lines": {k: summary.errors[k].lines for k in summary.error_counts()},
        "problems": [{"line": n, "type": k, "detail": d} for n, k, d in summary.problems],
        "problems_shown": len(summary.problems),
        "problems_total": summary.problems_total,
        "warnings": _warnings(summary, role),
        "tokens": {
            "counting": counter.description,
            "exact": counter.exact,
            "total": _distribution(summary.total_tokens),
            "assistant": _distribution(summary.assistant_tokens),
            "max_per_example": MAX_TOKENS_PER_EXAMPLE,
        },
        "epochs": epochs,
        "epochs_source": epochs_source,
        "billed_tokens": billed,
        "model": plan.model.name,
        "price_usd_per_1m_tokens": price,
        "price_source": price_source() if price is not None else None,
        "estimated_cost_usd": cost,
        "cost_basis": "gpu-hours" if gpu else ("tokens" if price is not None else None),
        "gpu_hours": gpu_hours,
        "gpu": None if gpu is None else {
            "key": gpu.key, "name": gpu.gpu, "usd_per_hour": gpu.usd_per_hour,
            "tokens_per_second": gpu.tokens_per_second,
            "overhead_hours": gpu.overhead_hours, "source": gpu.source,
        },
    }


def _warnings(summary: Summary, role: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def add(kind: str, message: str, count: int, lines: list[int]) -> None:
        found.append({"type": kind, "message": message, "count": count, "lines": lines})

    if summary.no_system_or_user.count:
        add(
            "missing_system_or_user_message",
            "examples without a system or user message",
            summary.no_system_or_user.count,
            summary.no_system_or_user.lines,
        )
    if summary.over_limit.count:
        add(
            "over_token_limit",
            f"examples over {MAX_TOKENS_PER_EXAMPLE:,} tokens will be truncated",
            summary.over_limit.count,
            summary.over_limit.lines,
        )
    if summary.blank.count:
        add("blank_lines", "blank lines are skipped", summary.blank.count, summary.blank.lines)
    if role == "training" and MIN_EXAMPLES <= summary.examples < RECOMMENDED_EXAMPLES:
        add(
            "few_examples",
            f"{summary.examples} examples; OpenAI sees clear improvements from "
            f"{RECOMMENDED_EXAMPLES} to 100",
            summary.examples,
            [],
        )
    return found


def _distribution(histogram: Counter[int]) -> dict[str, float | int | None]:
    """sum, min, max, mean and percentiles, read off a histogram (no list of values)."""
    n = histogram.total()
    if n == 0:
        return {"sum": 0, "min": None, "max": None, "mean": None, "p50": None, "p90": None}
    values = sorted(histogram)
    total = sum(v * c for v, c in histogram.items())
    return {
        "sum": total,
        "min": values[0],
        "max": values[-1],
        "mean": round(total / n, 1),
        "p50": _percentile(histogram, values, n, 0.5),
        "p90": _percentile(histogram, values, n, 0.9),
    }


def _percentile(histogram: Counter[int], values: list[int], n: int, q: float) -> int:
    """The nearest-rank percentile: the smallest value with at least q*n values at or below."""
    rank = max(1, math.ceil(round(q * n, 6)))
    seen = 0
    for value in values:
        seen += histogram[value]
        if seen >= rank:
            return value
    return values[-1]


def render_text(report: dict[str, Any]) -> str:
    """The report for a terminal: verdict first, then problems, warnings and numbers."""
    errors = report["errors"]
    out = [
        f"{report['file']} ({report['role']} file): {report['examples']} examples, "
        f"{sum(errors.values())} errors, {len(report['warnings'])} warnings"
    ]
    if errors:
        out.append("errors:")
        for kind, count in errors.items():
            lines = report["error_lines"][kind]
            out.append(f"  {kind}: {count}{_lines_text(lines, count)}")
        shown, total = report["problems_shown"], report["problems_total"]
        out.append(f"problems ({shown} of {total} shown):" if shown < total else "problems:")
        for problem in report["problems"]:
            where = "file" if problem["line"] is None else f"line {problem['line']}"
            out.append(f"  {where}: {problem['type']}: {problem['detail']}")
    if report["warnings"]:
        out.append("warnings:")
        for warning in report["warnings"]:
            lines = _lines_text(warning["lines"], warning["count"])
            out.append(f"  {warning['type']}: {warning['message']}: {warning['count']}{lines}")
    tokens = report["tokens"]
    out.append(f"tokens counted with {tokens['counting']}")
    for name in ("total", "assistant"):
        d = tokens[name]
        if d["min"] is not None:
            out.append(
                f"  {name} tokens per example: min {d['min']}, mean {d['mean']}, "
                f"p50 {d['p50']}, p90 {d['p90']}, max {d['max']}; sum {d['sum']:,}"
            )
    gpu = report["gpu"]
    default = "the default heuristic for" if gpu else "OpenAI's default for"
    how = default if report["epochs_source"] == "heuristic" else "configured, for"
    out.append(f"epochs: {report['epochs']} ({how} {report['valid_examples']} valid examples)")
    out.append(f"billed tokens: {report['billed_tokens']:,}")
    if gpu:
        out.append(
            f"estimated cost: ${report['estimated_cost_usd']:,.2f} for ~{report['gpu_hours']:g} "
            f"GPU-hours ({report['billed_tokens']:,} tokens at {gpu['tokens_per_second']:,g} "
            f"tokens/s + {gpu['overhead_hours']:g} h overhead) on {gpu['name']} at "
            f"${gpu['usd_per_hour']:,.2f}/h: an estimate from the advisor's {gpu['key']} "
            f"figures ({gpu['source']})"
        )
    elif report["estimated_cost_usd"] is None:
        out.append(f"estimated cost: unknown (no price for {report['model']} in models.json)")
    else:
        out.append(
            f"estimated cost: ${report['estimated_cost_usd']:,.2f} for {report['model']} at "
            f"${report['price_usd_per_1m_tokens']:g} per 1M training tokens "
            f"({report['price_source']})"
        )
    return "\n".join(out) + "\n"


def _lines_text(lines: list[int], count: int) -> str:
    if not lines:
        return ""
    more = f" and {count - len(lines)} more" if count > len(lines) else ""
    label = "line" if len(lines) == 1 and not more else "lines"
    return f" ({label} {', '.join(map(str, lines))}{more})"


def validate_file(
    path: Path,
    plan: Plan,
    tokenizer: str = "auto",
    limit: int = DEFAULT_LIMIT,
    workers: int | None = None,
    role: str = "training",
) -> dict[str, Any]:
    """Scan ``path`` and build its report; ``tokenizer`` is auto, tiktoken or approx.

    ``role`` (training or validation) sets the minimum of examples, as ``train`` applies it.
    """
    counter = load_counter(plan.model.encoding, tokenizer)
    summary = scan_file(path, counter, limit=limit, workers=workers)
    return build_report(str(path), summary, counter, plan, limit, role)
