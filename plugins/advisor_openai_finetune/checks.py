"""``advisor doctor`` checks for the openai-finetune backend, run with the real ``openai`` client.

Five checks, each one request at most: the key is set; the API answers an authenticated
model listing at the base URL; the chosen base model exists, and when it shuts down (the
date and source of the starter's ``models.json``); this organization can use
fine-tuning (read in the terms of OpenAI's fine-tuning wind-down, dated in the provider
data); the embedding model answers. The listing is made once per doctor run and shared
(``settings.memo``): when it fails, the checks after it say ``skipped`` instead of each
waiting out the same timeout.

``openai`` is imported inside the functions: the plugin is loaded on every ``advisor``
command, and only ``doctor`` needs the client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advisor.api import N_, Check, CheckResult, Message, provider_status
from advisor.api import today as current_date

from .context import default_model, retirement, retirement_line

BACKEND = "openai-finetune"
PROVIDER = "openai-fine-tuning"
SECTION = "openai-finetune"
EMBEDDING_MODEL = "text-embedding-3-small"
KEY_FIX = N_("set OPENAI_API_KEY (or openai_api_key in advisor.toml) to an OpenAI API key")


@dataclass(frozen=True)
class Listing:
    """The shared first contact: the model ids, or why there are none."""

    model_ids: tuple[str, ...] = ()
    failure: CheckResult | None = None


def register_all(register: Callable[[Check], None]) -> None:
    """Register the checks in the order they are worth reading."""
    register(Check("openai.key", check_key, BACKEND))
    register(Check("openai.api", check_api, BACKEND))
    register(Check("openai.base-model", check_base_model, BACKEND))
    register(Check("openai.fine-tuning", check_fine_tuning, BACKEND))
    register(Check("openai.embeddings", check_embeddings, BACKEND))


def check_key(settings: Any) -> CheckResult:
    if _key(settings) is None:
        return CheckResult("fail", N_("no OpenAI API key is set"), KEY_FIX)
    origin = settings.origin("openai_api_key")
    return CheckResult("ok", Message(N_("OpenAI API key is set ({origin})"), origin=origin))


def check_api(settings: Any) -> CheckResult:
    if _key(settings) is None:
        return _needs_key()
    listing = _listing(settings)
    if listing.failure is not None:
        return listing.failure
    return CheckResult(
        "ok",
        Message(
            N_("{url} answered an authenticated model listing ({count} models)"),
            url=_base(settings),
            count=len(listing.model_ids),
        ),
    )


def check_base_model(settings: Any, today: dt.date | None = None) -> CheckResult:
    """The base model exists; a retiring one is a warning, a retired one a failure."""
    blocked = _prerequisite(settings)
    if blocked is not None:
        return blocked
    model = _section(settings).base_model
    client = _client(settings)
    try:
        client.models.retrieve(model)
    except Exception as exc:
        return _failure(exc, settings, f"/models/{model}", _model_fix("base_model", model))
    today = today or current_date()
    exists = Message(N_("base model {model} exists at {url}"), model=model, url=_base(settings))
    shutdown = retirement(model)
    line = retirement_line(model, today)
    summary = Message(N_("{exists}; {retirement}"), exists=exists, retirement=line)
    if shutdown is None:
        return CheckResult("ok", summary)
    if dt.date.fromisoformat(shutdown["date"]) <= today:
        return CheckResult(
            "fail",
            Message(N_("{exists}, but {retirement}"), exists=exists, retirement=line),
            Message(
                N_("{fix}; {alternative}"),
                fix=_model_fix("base_model", model),
                alternative=_ALTERNATIVE,
            ),
        )
    return CheckResult(
        "warn",
        summary,
        Message(
            N_("plan the migration before {date}; {alternative}"),
            date=shutdown["date"],
            alternative=_ALTERNATIVE,
        ),
    )


def check_fine_tuning(settings: Any, today: dt.date | None = None) -> CheckResult:
    """List fine-tuning jobs; read the answer against the dated wind-down data."""
    import openai

    blocked = _prerequisite(settings)
    if blocked is not None:
        return blocked
    today = today or current_date()
    status = provider_status(PROVIDER)
    assert status is not None, f"advisor's provider data has no {PROVIDER!r} entry"
    notice = status.notice(today)
    alternative = (
        Message(
            N_("use the `{backend}` backend (open weights, no hosted fine-tuning)"),
            backend=status.alternative,
        )
        if status.alternative
        else Message(N_("choose a backend that does not depend on hosted fine-tuning"))
    )
    try:
        page = _client(settings).fine_tuning.jobs.list(limit=1)
    except openai.PermissionDeniedError:
        return CheckResult(
            "fail",
            Message(
                N_("this key's organization may not use fine-tuning (HTTP 403). {notice}"),
                notice=notice,
            ),
            alternative,
        )
    except Exception as exc:
        return _failure(exc, settings, "/fine_tuning/jobs", "")
    if status.closed(today):
        return CheckResult("fail", notice, alternative)
    if not page.data:
        return CheckResult(
            "warn",
            Message(
                N_(
                    "no fine-tuning job on record for this organization, and organizations "
                    "that never fine-tuned may be refused new jobs. {notice}"
                ),
                notice=notice,
            ),
            Message(
                N_("create a first job soon to confirm access, or {alternative}"),
                alternative=alternative,
            ),
        )
    return CheckResult(
        "warn",
        Message(N_("fine-tuning jobs can be listed for this key. {notice}"), notice=notice),
        Message(
            N_("plan training before the last date above, or {alternative}"),
            alternative=alternative,
        ),
    )


def check_embeddings(settings: Any) -> CheckResult:
    blocked = _prerequisite(settings)
    if blocked is not None:
        return blocked
    model = _section(settings).embedding_model
    try:
        response = _client(settings).embeddings.create(model=model, input="advisor doctor")
    except Exception as exc:
        return _failure(exc, settings, "/embeddings", _model_fix("embedding_model", model))
    dimensions = len(response.data[0].embedding) if response.data else 0
    return CheckResult(
        "ok",
        Message(
            N_("embedding model {model} answered ({dimensions} dimensions)"),
            model=model,
            dimensions=dimensions,
        ),
    )


# --- shared pieces --------------------------------------------------------------------------


def _key(settings: Any) -> str | None:
    secret = settings.openai_api_key
    value = secret.get_secret_value() if secret is not None else ""
    return value or None


def _base(settings: Any) -> str:
    return str(settings.openai_base_url).rstrip("/")


_ALTERNATIVE = Message(
    N_("the open-weights `hf-lora` backend keeps its weights (no shutdown date)")
)


def defaults() -> dict[str, str]:
    """``[plugins.openai-finetune]`` keys and defaults; the base model from the data."""
    return {"base_model": default_model(), "embedding_model": EMBEDDING_MODEL}


def _section(settings: Any) -> Any:
    return settings.section(SECTION, defaults())


def _needs_key() -> CheckResult:
    return CheckResult("skipped", N_("needs an OpenAI API key (see openai.key)"), KEY_FIX)


def _prerequisite(settings: Any) -> CheckResult | None:
    """``skipped`` when there is no key or the API did not answer; None to go ahead."""
    if _key(settings) is None:
        return _needs_key()
    failure = _listing(settings).failure
    if failure is not None:
        return CheckResult(
            "skipped",
            Message(N_("the API did not answer at {url} (see openai.api)"), url=_base(settings)),
            failure.fix,
        )
    return None


def _client(settings: Any) -> Any:
    def build() -> Any:
        import openai

        return openai.OpenAI(
            api_key=_key(settings),
            base_url=_base(settings),
            timeout=settings.timeout_s,
            max_retries=0,
        )

    return settings.memo("openai.client", build)


def _listing(settings: Any) -> Listing:
    def fetch() -> Listing:
        try:
            page = _client(settings).models.list()
        except Exception as exc:
            return Listing(failure=_failure(exc, settings, "/models", ""))
        return Listing(model_ids=tuple(model.id for model in page.data))

    return settings.memo("openai.listing", fetch)


def _model_fix(key: str, model: str) -> Message:
    return Message(
        N_(
            "set {key} in [plugins.{section}] of advisor.toml to a model your key can use "
            "(now {model}); `GET /models` lists them"
        ),
        key=key,
        section=SECTION,
        model=repr(model),
    )


def _failure(exc: Exception, settings: Any, path: str, not_found_fix: str) -> CheckResult:
    """An ``openai`` exception as one line naming the endpoint, and what to do about it."""
    import openai

    base = _base(settings)
    endpoint = f"{base}{path}"
    if isinstance(exc, openai.APITimeoutError):
        return CheckResult(
            "fail",
            Message(
                N_("no answer from {endpoint} within {seconds}s"),
                endpoint=endpoint,
                seconds=f"{settings.timeout_s:g}",
            ),
            Message(
                N_("check that {url} is up; raise timeout_s in advisor.toml if it is only slow"),
                url=base,
            ),
        )
    if isinstance(exc, openai.APIConnectionError):
        return CheckResult(
            "fail",
            Message(N_("cannot connect to {endpoint}"), endpoint=endpoint),
            Message(N_("check OPENAI_BASE_URL (now {url}) and your network or proxy"), url=base),
        )
    if isinstance(exc, openai.AuthenticationError):
        return CheckResult(
            "fail",
            Message(N_("{endpoint} rejected the API key (HTTP 401)"), endpoint=endpoint),
            KEY_FIX,
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return CheckResult(
            "fail",
            Message(N_("{endpoint} refused this key (HTTP 403)"), endpoint=endpoint),
            N_("give the key's project access to this endpoint in the OpenAI dashboard"),
        )
    if isinstance(exc, openai.NotFoundError):
        return CheckResult(
            "fail",
            Message(N_("{endpoint} does not exist (HTTP 404)"), endpoint=endpoint),
            not_found_fix,
        )
    if isinstance(exc, openai.APIStatusError):
        return CheckResult(
            "fail",
            Message(N_("{endpoint} answered HTTP {status}"), endpoint=endpoint,
                    status=exc.status_code),
            N_("retry later; if it persists, check the provider's status page"),
        )
    if isinstance(exc, openai.OpenAIError):
        return CheckResult(
            "fail",
            Message(
                N_("unexpected answer from {endpoint} ({error})"),
                endpoint=endpoint,
                error=type(exc).__name__,
            ),
            Message(
                N_("check that OPENAI_BASE_URL (now {url}) points at an OpenAI-compatible API"),
                url=base,
            ),
        )
    raise exc
