"""The deployment boundary ``advisor doctor`` enforces for self-hosted and air-gapped teams.

With ``deployment`` ``self-hosted`` or ``air-gapped`` (docs/doctor.md, "Deployment"), no
data may go to a third party's model API or hosted vector database. The doctor cannot
know every host a team owns, but it knows the public hosts of the providers the starters
can talk to: an endpoint setting that points at one of them (or is left at a default
that does) is a failing check naming the variable and the host. With ``air-gapped``,
nothing may be downloaded at run time either: the Hugging Face libraries must be told to
stay offline, and embedded Weaviate needs a server instead of its first-run download.

These are core checks: the deployment is the team's, not a backend's, so they run
whichever backends are selected.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from .checks import Check, CheckResult
from .i18n import N_
from .messages import Message, concat

# Public API hosts of model providers and hosted vector databases: a suffix match, so
# "weaviate.cloud" covers every cluster's host. Not exhaustive; docs/doctor.md lists them.
PROVIDER_HOSTS: dict[str, str] = {
    "api.openai.com": "OpenAI's API",
    "openai.azure.com": "Azure OpenAI",
    "api.anthropic.com": "Anthropic's API",
    "generativelanguage.googleapis.com": "Google's Gemini API",
    "aiplatform.googleapis.com": "Google Vertex AI",
    "api.cohere.com": "Cohere's API",
    "api.cohere.ai": "Cohere's API",
    "api.mistral.ai": "Mistral's API",
    "api.together.xyz": "Together AI",
    "api.groq.com": "Groq's API",
    "api.fireworks.ai": "Fireworks AI",
    "api.deepseek.com": "DeepSeek's API",
    "openrouter.ai": "OpenRouter",
    "api-inference.huggingface.co": "Hugging Face's Inference API",
    "router.huggingface.co": "Hugging Face's Inference Providers",
    "weaviate.cloud": "Weaviate Cloud",
    "weaviate.network": "Weaviate Cloud",
    "weaviate.io": "Weaviate Cloud",
    "pinecone.io": "Pinecone",
}

# Endpoint settings the built-in starters read, besides the advisor's own fields.
STARTER_ENDPOINTS = ("HF_LORA_SERVER_URL", "HF_ENDPOINT")
ENDPOINT_SUFFIXES = ("_URL", "_BASE_URL", "_ENDPOINT", "_HOST")
PRIVATE_SUFFIXES = (".local", ".internal", ".localdomain", ".lan", ".svc", ".cluster.local")


def core_checks(settings: Any) -> list[Check]:
    """The boundary checks that apply to ``settings.deployment`` (none for ``api``)."""
    if settings.deployment == "api":
        return []
    checks = [Check("deployment.endpoints", check_endpoints)]
    if settings.deployment == "air-gapped":
        checks.append(Check("deployment.offline", check_offline))
    return checks


def provider_of(host: str) -> str | None:
    """The provider whose public host ``host`` is (or is under), else None."""
    host = host.lower().rstrip(".")
    for suffix, provider in PROVIDER_HOSTS.items():
        if host == suffix or host.endswith("." + suffix):
            return provider
    return None


def is_local(host: str) -> bool:
    """Loopback, private-network and cluster-internal names: the team's own machines."""
    host = host.lower().rstrip(".")
    if host in ("localhost", "") or host.endswith(".localhost") or "." not in host:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.endswith(PRIVATE_SUFFIXES)
    return address.is_private or address.is_loopback or address.is_link_local


def endpoints(settings: Any) -> Iterator[tuple[str, str, str]]:
    """Each configured endpoint as ``(variable, url, where it was set)``.

    ``OPENAI_BASE_URL`` counts even when left at its default: the clients then use it.
    Project variables named like endpoints (``*_URL``, ``*_BASE_URL``...) count too.
    """
    yield "OPENAI_BASE_URL", settings.openai_base_url, settings.origin("openai_base_url")
    if settings.weaviate_url:
        yield "WEAVIATE_URL", settings.weaviate_url, settings.origin("weaviate_url")
    names = set(STARTER_ENDPOINTS)
    if settings.project is not None:
        names |= {k for k in settings.project.env if k.endswith(ENDPOINT_SUFFIXES)}
    for name in sorted(names - {"OPENAI_BASE_URL", "WEAVIATE_URL"}):
        value = settings.env_value(name)
        if value:
            yield name, value, settings.env_origin(name)


def host_of(value: str) -> str:
    """The host of a URL, or of a bare ``host[:port]``."""
    parts = urlsplit(value if "//" in value else f"//{value}")
    return parts.hostname or ""


def check_endpoints(settings: Any) -> CheckResult:
    outside: list[str] = []
    inside: list[str] = []
    for name, value, origin in endpoints(settings):
        host = host_of(value)
        provider = provider_of(host)
        if provider is not None:
            given = {"name": name, "host": host, "provider": provider}
            if origin == "default":
                outside.append(
                    Message(N_("{name} -> {host} ({provider}; set by its default)"), **given)
                )
            else:
                outside.append(
                    Message(
                        N_("{name} -> {host} ({provider}; set by {origin})"),
                        **given,
                        origin=origin.replace("file ", ""),
                    )
                )
        elif is_local(host):
            inside.append(Message(N_("{name} -> {host} (local)"), name=name, host=host))
        else:
            inside.append(Message(N_("{name} -> {host} (your host)"), name=name, host=host))
    mode = _mode(settings)
    if outside:
        return CheckResult(
            "fail",
            Message(
                N_(
                    "deployment is {mode}, but these endpoints leave the team's "
                    "infrastructure: {endpoints}"
                ),
                mode=mode,
                endpoints=concat(list(outside), "; "),
            ),
            N_(
                "point each variable named at your own server (e.g. OPENAI_BASE_URL="
                "http://localhost:8000/v1 for vLLM; WEAVIATE_URL=http://localhost:8080)"
            ),
        )
    return CheckResult(
        "ok",
        Message(
            N_("deployment is {mode}: no endpoint points at a provider's API ({endpoints})"),
            mode=mode,
            endpoints=concat(list(inside), ", "),
        ),
    )


def check_offline(settings: Any) -> CheckResult:
    """Air-gapped: nothing may be fetched at run time."""
    problems: list[str] = []
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if (settings.env_value(name) or "").lower() not in ("1", "true", "yes"):
            problems.append(
                Message(
                    N_("{name} is not 1 (models and tokenizers would be downloaded)"), name=name
                )
            )
    if not settings.weaviate_url:
        problems.append(
            Message(N_("WEAVIATE_URL is not set (embedded Weaviate downloads its binary)"))
        )
    if problems:
        return CheckResult(
            "fail",
            Message(
                N_("deployment is {mode}, but at run time: {problems}"),
                mode=_mode(settings),
                problems=concat(list(problems), "; "),
            ),
            N_(
                "prepare the artefacts ahead (docs/deployment.md), set HF_HUB_OFFLINE=1 and "
                "TRANSFORMERS_OFFLINE=1, and run Weaviate as a server (WEAVIATE_URL)"
            ),
        )
    return CheckResult(
        "ok", N_("deployment is air-gapped: nothing is set to download at run time")
    )


def _mode(settings: Any) -> str:
    origin = settings.origin("deployment")
    where = origin.replace("file ", "").replace("env ", "")
    return f"{settings.deployment} ({where})"
