"""What an answer set requires of any option, shared by the framework and the cost model.

The framework reads these to decide that retrieval is needed; the cost model reads the
same ones to mark an option that cannot meet them (``meets_requirements: false``), so the
two never disagree about which option does the job.
"""

from __future__ import annotations

from .questionnaire import Answers

FAST_CHANGING = frozenset({"monthly", "weekly", "daily", "realtime"})


def retrieval_keys(answers: Answers) -> tuple[str, ...]:
    """The answers that make retrieval necessary, in the order reports name them."""
    keys = []
    if answers.documents > 0:
        keys.append("documents")
    if answers.citations:
        keys.append("citations")
    if answers.volatility in FAST_CHANGING:
        keys.append("volatility")
    return tuple(keys)


def unmet(answers: Answers, approach: str, fine_tune_path: str | None) -> tuple[str, ...]:
    """The hard requirements of ``answers`` that option (approach, path) cannot meet.

    Fine-tuning alone cannot cite, search a corpus or follow changing facts; a hosted
    fine-tune sends the data to a provider's API, which a self-hosted team may not do.
    """
    missing: list[str] = []
    if approach == "fine-tune":
        missing.extend(retrieval_keys(answers))
    if answers.self_hosted and fine_tune_path in ("hosted", "hosted-lora"):
        missing.append("deployment")
    return tuple(missing)
