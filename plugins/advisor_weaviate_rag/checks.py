"""``advisor doctor`` checks for the weaviate-rag backend, run with the real ``weaviate`` client.

With ``WEAVIATE_URL`` set, one connection (shared by the checks through ``settings.memo``)
answers four questions: is the server reachable and ready (REST readiness and the gRPC
health check the client itself relies on), does the client support its version, are the
modules the starter needs enabled, and do the credentials work. Without it the starter
runs embedded Weaviate, and the one question is whether its binary is already cached or
will be downloaded on first use.

The client is built with ``skip_init_checks=True``: its start-up checks would also ask
PyPI for the newest client release, a network call the doctor has no business making.
The gRPC health check it would have made is made explicitly (``is_live``). Every request
uses ``settings.timeout_s``; ``weaviate`` is imported inside the functions.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from advisor.api import N_, Check, CheckResult, Message

BACKEND = "weaviate-rag"
SECTION = "weaviate-rag"
DEFAULTS: dict[str, Any] = {
    "grpc_host": None,
    "grpc_port": 50051,
    "required_modules": ["text2vec-openai", "generative-openai"],
    "embedded_version": None,
    "embedded_binary_path": None,
}
CLOUD_DOMAINS = ("weaviate.cloud", "weaviate.io", "weaviate.network")
# A self-hosted or air-gapped starter computes its vectors through its own embedding server
# and generates through its own chat server (docs/deployment.md): Weaviate needs no module.
PRIVATE_DEFAULT_MODULES: list[str] = []


@dataclass(frozen=True)
class Endpoint:
    """Where the client will connect: the REST URL and the gRPC address."""

    url: str
    http_host: str
    http_port: int
    http_secure: bool
    grpc_host: str
    grpc_port: int

    @property
    def grpc(self) -> str:
        return f"{self.grpc_host}:{self.grpc_port}"


@dataclass
class Probe:
    """What one connection attempt learned; ``failure`` set when it got nowhere."""

    endpoint: Endpoint | None = None
    failure: CheckResult | None = None
    version: str = ""
    unsupported: str = ""
    ready: bool = False
    live: bool = False
    modules: dict[str, Any] = field(default_factory=dict)
    auth: CheckResult | None = None


def register_all(register: Callable[[Check], None]) -> None:
    register(Check("weaviate.server", check_server, BACKEND))
    register(Check("weaviate.version", check_version, BACKEND))
    register(Check("weaviate.modules", check_modules, BACKEND))
    register(Check("weaviate.auth", check_auth, BACKEND))
    register(Check("weaviate.embedded", check_embedded, BACKEND))


# --- checks against a server -----------------------------------------------------------------


def check_server(settings: Any) -> CheckResult:
    if not settings.weaviate_url:
        return _embedded_mode()
    probe = _probe(settings)
    if probe.failure is not None:
        return probe.failure
    endpoint = probe.endpoint
    assert endpoint is not None
    if probe.unsupported or not probe.version:
        return CheckResult(
            "ok",
            Message(
                N_("{url} answers (readiness not checked: see weaviate.version and weaviate.auth)"),
                url=endpoint.url,
            ),
        )
    if not probe.ready:
        return CheckResult(
            "fail",
            Message(N_("{url} answers but is not ready (/v1/.well-known/ready)"), url=endpoint.url),
            N_("wait for Weaviate to finish starting (or check its logs), then run doctor again"),
        )
    if not probe.live:
        return CheckResult(
            "fail",
            Message(
                N_("{url} is ready over REST, but the gRPC health check at {grpc} failed"),
                url=endpoint.url,
                grpc=endpoint.grpc,
            ),
            Message(
                N_(
                    "expose Weaviate's gRPC port, or set grpc_host / grpc_port in "
                    "[plugins.{section}]"
                ),
                section=SECTION,
            ),
        )
    return CheckResult(
        "ok",
        Message(N_("{url} is ready; gRPC answers at {grpc}"), url=endpoint.url, grpc=endpoint.grpc),
    )


def check_version(settings: Any) -> CheckResult:
    blocked = _prerequisite(settings)
    if blocked is not None:
        return blocked
    probe = _probe(settings)
    client = _client_version()
    if probe.unsupported:
        return CheckResult(
            "fail",
            Message(
                N_("weaviate-client {client} refuses this server: {reason}"),
                client=client,
                reason=probe.unsupported,
            ),
            N_("upgrade the Weaviate server"),
        )
    if not probe.version:
        return _auth_first()
    return CheckResult(
        "ok",
        Message(
            N_("Weaviate {version} is supported by weaviate-client {client}"),
            version=probe.version,
            client=client,
        ),
    )


def _required_modules(settings: Any) -> list[str]:
    """The modules configured under [plugins.weaviate-rag], else those the deployment needs."""
    defaults = DEFAULTS
    if getattr(settings, "deployment", "api") != "api":
        defaults = {**DEFAULTS, "required_modules": PRIVATE_DEFAULT_MODULES}
    return list(settings.section(SECTION, defaults).required_modules)


def check_modules(settings: Any) -> CheckResult:
    blocked = _prerequisite(settings)
    if blocked is not None:
        return blocked
    probe = _probe(settings)
    if probe.unsupported or not probe.version:
        return _auth_first()
    needed = _required_modules(settings)
    missing = [m for m in needed if m not in probe.modules]
    if missing:
        return CheckResult(
            "fail",
            Message(
                N_("modules the starter needs are not enabled: {modules}"),
                modules=", ".join(missing),
            ),
            Message(
                N_("add them to the server's ENABLE_MODULES (now enabled: {modules})"),
                modules=", ".join(sorted(probe.modules)) or Message(N_("none")),
            ),
        )
    return CheckResult(
        "ok",
        Message(
            N_("modules enabled: {modules}"),
            modules=", ".join(needed) or Message(N_("none required")),
        ),
    )


def check_auth(settings: Any) -> CheckResult:
    blocked = _prerequisite(settings)
    if blocked is not None:
        return blocked
    probe = _probe(settings)
    if probe.unsupported:
        return CheckResult(
            "skipped", N_("the server's version is not supported (see weaviate.version)")
        )
    assert probe.auth is not None
    return probe.auth


def _prerequisite(settings: Any) -> CheckResult | None:
    if not settings.weaviate_url:
        return _embedded_mode()
    probe = _probe(settings)
    if probe.failure is not None:
        return CheckResult("skipped", N_("the server did not answer (see weaviate.server)"))
    return None


def _embedded_mode() -> CheckResult:
    return CheckResult(
        "skipped",
        N_("WEAVIATE_URL is not set: the starter runs embedded Weaviate (see weaviate.embedded)"),
    )


def _auth_first() -> CheckResult:
    return CheckResult("skipped", N_("the server refused the credentials (see weaviate.auth)"))


def _client_version() -> str:
    import weaviate

    return str(weaviate.__version__)


# --- embedded mode -------------------------------------------------------------------------


def check_embedded(settings: Any) -> CheckResult:
    """Is the embedded Weaviate binary cached, or will the first run download it?"""
    from weaviate.embedded import EmbeddedOptions

    if settings.weaviate_url:
        return CheckResult("skipped", N_("WEAVIATE_URL is set: embedded Weaviate is not used"))
    if platform.system() == "Windows":
        return CheckResult(
            "fail",
            N_("embedded Weaviate does not run on Windows"),
            N_("run a Weaviate server (the starter's docker-compose.yml) and set WEAVIATE_URL"),
        )
    section = settings.section(SECTION, DEFAULTS)
    options = EmbeddedOptions()
    version = section.embedded_version or options.version
    directory = Path(section.embedded_binary_path or options.binary_path).expanduser()
    binary = embedded_binary(directory, version)
    if binary.is_file():
        return CheckResult(
            "ok",
            Message(
                N_("embedded Weaviate {version} is cached at {binary}"),
                version=version,
                binary=binary,
            ),
        )
    return CheckResult(
        "warn",
        Message(
            N_(
                "embedded Weaviate {version} is not cached in {folder}; the first run "
                "downloads it from github.com/weaviate/weaviate releases"
            ),
            version=version,
            folder=directory,
        ),
        N_("run the starter once with network access, or set WEAVIATE_URL to use a server"),
    )


def embedded_binary(directory: Path, version: str) -> Path:
    """Where weaviate-client's embedded mode keeps the binary of ``version``.

    The client names it ``weaviate-v<version>-<sha256 of "v<version>">`` in its binary
    directory (``EmbeddedOptions.binary_path``: ``$XDG_CACHE_HOME`` if set, else
    ``~/.cache/weaviate-embedded``) and downloads it when that file is missing.
    """
    tag = version if version.startswith("v") else f"v{version}"
    digest = hashlib.sha256(tag.encode("utf-8")).hexdigest()
    return directory / f"weaviate-{tag}-{digest}"


# --- the shared connection -----------------------------------------------------------------


def endpoint_for(settings: Any) -> Endpoint:
    """Where the client connects, from ``WEAVIATE_URL`` and ``[plugins.weaviate-rag]``.

    Weaviate Cloud serves gRPC at ``grpc-<host>:443``; any other server on the same host
    as REST at ``grpc_port`` (50051 unless set).
    """
    url = str(settings.weaviate_url).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            Message(N_("WEAVIATE_URL {url} is not an http:// or https:// URL"), url=repr(url))
        )
    secure = parts.scheme == "https"
    host = parts.hostname
    section = settings.section(SECTION, DEFAULTS)
    cloud = any(host.endswith(domain) for domain in CLOUD_DOMAINS)
    if section.grpc_host:
        grpc_host, grpc_port = section.grpc_host, section.grpc_port
    elif cloud:
        grpc_host, grpc_port = f"grpc-{host}", 443
    else:
        grpc_host, grpc_port = host, section.grpc_port
    return Endpoint(url, host, parts.port or (443 if secure else 80), secure, grpc_host, grpc_port)


def _probe(settings: Any) -> Probe:
    return settings.memo("weaviate.probe", lambda: _connect_and_ask(settings))


def _connect_and_ask(settings: Any) -> Probe:
    import weaviate
    from weaviate.classes.init import AdditionalConfig, Auth, Timeout
    from weaviate.connect import ConnectionParams

    try:
        endpoint = endpoint_for(settings)
    except ValueError as exc:
        # The message itself (a Message), not str(exc): text output translates it.
        said = exc.args[0] if exc.args else str(exc)
        return Probe(
            failure=CheckResult("fail", said, N_("set WEAVIATE_URL to the server's URL"))
        )
    probe = Probe(endpoint=endpoint)
    secret = settings.weaviate_api_key
    key = secret.get_secret_value() if secret is not None else ""
    timeout = settings.timeout_s
    client = weaviate.WeaviateClient(
        connection_params=ConnectionParams.from_params(
            endpoint.http_host, endpoint.http_port, endpoint.http_secure,
            endpoint.grpc_host, endpoint.grpc_port, endpoint.http_secure,
        ),
        auth_client_secret=Auth.api_key(key) if key else None,
        additional_config=AdditionalConfig(
            timeout=Timeout(init=timeout, query=timeout, insert=timeout)
        ),
        skip_init_checks=True,
    )
    try:
        _ask(client, probe, settings)
    finally:
        client.close()
    return probe


def _ask(client: Any, probe: Probe, settings: Any) -> None:
    from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateBaseError

    endpoint = probe.endpoint
    assert endpoint is not None
    try:
        client.connect()  # GET /v1/meta, then the client's own version check
    except UnexpectedStatusCodeError as exc:
        probe.auth = _refused(exc, settings)
        if probe.auth is None:
            probe.failure = _unexpected(exc, endpoint, "/v1/meta")
        return
    except WeaviateBaseError as exc:
        if "not supported" in exc.message:
            probe.unsupported = exc.message.strip()
        else:
            probe.failure = _unreachable(exc, endpoint, settings)
        return
    probe.ready = bool(client.is_ready())
    probe.live = bool(client.is_live())  # REST liveness plus the gRPC health check
    try:
        meta = client.get_meta()
        probe.version = str(meta.get("version", ""))
        probe.modules = dict(meta.get("modules") or {})
        client.collections.list_all(simple=True)  # GET /v1/schema: needs valid credentials
    except UnexpectedStatusCodeError as exc:
        probe.auth = _refused(exc, settings) or CheckResult(
            "warn",
            Message(
                N_("could not confirm the credentials: {url}/v1/schema answered HTTP {status}"),
                url=endpoint.url,
                status=exc.status_code,
            ),
            N_("check the server's logs"),
        )
        return
    except WeaviateBaseError as exc:
        probe.failure = _unreachable(exc, endpoint, settings)
        return
    if settings.weaviate_api_key:
        accepted = Message(N_("{url} accepts the API key"), url=endpoint.url)
    else:
        accepted = Message(N_("{url} accepts anonymous access"), url=endpoint.url)
    probe.auth = CheckResult("ok", accepted)


def _refused(exc: Any, settings: Any) -> CheckResult | None:
    """A 401 or 403 as an authentication failure; None for any other status."""
    status = getattr(exc, "status_code", None)
    if status == 401:
        if settings.weaviate_api_key:
            said = Message(N_("{url} rejected the API key (HTTP 401)"), url=settings.weaviate_url)
        else:
            said = Message(N_("{url} requires an API key (HTTP 401)"), url=settings.weaviate_url)
        return CheckResult("fail", said, N_("set WEAVIATE_API_KEY to a key this server accepts"))
    if status == 403:
        return CheckResult(
            "fail",
            Message(
                N_("{url} accepted the key but refuses to read the schema (HTTP 403)"),
                url=settings.weaviate_url,
            ),
            N_("grant this key's user read access to collections"),
        )
    return None


def _unreachable(exc: Exception, endpoint: Endpoint, settings: Any) -> CheckResult:
    from weaviate.exceptions import WeaviateTimeoutError

    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(e, (WeaviateTimeoutError, TimeoutError)) or "Timeout" in type(e).__name__
           for e in chain):
        return CheckResult(
            "fail",
            Message(
                N_("no answer from {endpoint} within {seconds}s"),
                endpoint=endpoint.url,
                seconds=f"{settings.timeout_s:g}",
            ),
            Message(
                N_(
                    "check that Weaviate is up at {url}; raise timeout_s in advisor.toml if it "
                    "is only slow"
                ),
                url=endpoint.url,
            ),
        )
    return CheckResult(
        "fail",
        Message(N_("cannot connect to {endpoint}"), endpoint=endpoint.url),
        N_("start Weaviate (the starter's docker-compose.yml) or correct WEAVIATE_URL"),
    )


def _unexpected(exc: Any, endpoint: Endpoint, path: str) -> CheckResult:
    status = getattr(exc, "status_code", "?")
    return CheckResult(
        "fail",
        Message(N_("{endpoint} answered HTTP {status}"), endpoint=f"{endpoint.url}{path}",
                status=status),
        N_("check that WEAVIATE_URL points at a Weaviate server"),
    )
