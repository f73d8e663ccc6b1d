"""Keep secrets out of what advisor prints: masking, URL credentials, message scrubbing.

Light on purpose (``re`` and ``os`` only): plugin load errors are scrubbed at start-up,
before anything would pay for the settings module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

# A setting or variable whose name holds one of these holds a secret.
SECRET_WORDS = (
    "key", "token", "secret", "pass", "pwd", "credential", "auth", "cookie", "private", "dsn",
)  # fmt: skip

# scheme://user:password@host, and ?token=... style query parameters.
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^/?#@\s]+)@")
_QUERY_SECRET = re.compile(r"(?P<name>[?&;][^=&#\s]+)=(?P<value>[^&#\s]+)")


def is_secret_name(key: str) -> bool:
    """Whether a setting's name says it holds a secret (``api_key``, ``credentials``...)."""
    lowered = key.lower()
    return any(word in lowered for word in SECRET_WORDS)


def mask(secret: str) -> str:
    """A secret as ``config show`` prints it: ``sk-...cdef`` at most, ``****`` when short."""
    if len(secret) < 16:
        return "****"
    return f"{secret[:3]}...{secret[-4:]}"


def mask_urls(text: str) -> str:
    """``text`` with the credentials in any URL replaced by ``****``.

    ``https://user:pw@host`` -> ``https://****@host``; ``?api_key=abc`` -> ``?api_key=****``
    (only query parameters whose names look secret).
    """
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}****@", text)

    def query(match: re.Match[str]) -> str:
        if is_secret_name(match["name"].lstrip("?&;")):
            return f"{match['name']}=****"
        return match[0]

    return _QUERY_SECRET.sub(query, text) if "=" in text else text


def url_secrets(value: str) -> list[str]:
    """The credentials inside the URLs in ``value``, to scrub wherever they turn up."""
    found = []
    for match in _URL_USERINFO.finditer(value):
        info = match["info"]
        found.append(info)
        found.extend(part for part in info.split(":", 1)[1:] if part)
    return found


def environment_secrets(environ: dict[str, str] | None = None) -> list[str]:
    """The values of environment variables named like secrets (``OPENAI_API_KEY``...)."""
    environ = dict(os.environ) if environ is None else environ
    values = [v for k, v in environ.items() if is_secret_name(k) and len(v) >= 8]
    for value in environ.values():
        values.extend(url_secrets(value))
    return values


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret (and every URL credential) replaced by ``****``.

    Longest first, so no secret leaks partly through a shorter one that it contains.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "****")
    return mask_urls(text)
