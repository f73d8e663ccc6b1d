"""Running a scaffolded starter's own test suite and ruff from the advisor's tests.

The starter's tests run in this interpreter with the starter's ``src/`` on the path: the
``[test]`` extra installs the built-in backends' dependencies, so no fresh virtual
environment (a minute or more) is needed. Settings the starters read are left out of the
environment, so a developer's own keys never reach a run, nor change its outcome.

Nested runs are timed by progress, not by the wall clock: on a busy machine a starter's
suite can take many minutes and still be healthy. :func:`run_watched` stops a run only
when it has printed nothing for ``idle_s`` seconds (pytest prints a dot per test, pip a
line per step), scaled by how loaded the machine is, and after a generous overall limit.

Nested runs trust a single certificate authority (:func:`one_ca_file`): the starters'
code builds an HTTP client per command, and each client loads the whole CA bundle into a
new TLS context, about 0.1 s of CPU with OpenSSL 3.0, though every server a nested run
reaches is a local fake over plain HTTP. That was a third of a starter suite's CPU time
(docs/performance.md).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import venv
from collections.abc import Sequence
from pathlib import Path
from typing import IO

STARTER_SETTINGS = ("OPENAI_", "FINETUNE_", "RAG_", "WEAVIATE_", "HF_LORA_", "ADVISOR_")
# A nested run that prints nothing for this long (times the load factor) is stuck.
IDLE_S = 300
# Whatever its progress, no nested run may take longer than this (times the load factor).
LIMIT_S = 1800


def load_factor() -> float:
    """How many runnable processes share each CPU now (1 on an idle machine, never less)."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:
        return 1.0


def run_watched(
    args: Sequence[str | Path],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    idle_s: float = IDLE_S,
    limit_s: float = LIMIT_S,
) -> subprocess.CompletedProcess[str]:
    """Run ``args``, capturing its output; stop it only when it makes no progress.

    Raises :class:`subprocess.TimeoutExpired` (with what it printed) when nothing came
    out for ``idle_s`` x :func:`load_factor` seconds, or after ``limit_s`` x that factor.
    """
    command = [str(a) for a in args]
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out: list[bytes] = []
    err: list[bytes] = []
    last = [time.monotonic()]

    def pump(stream: IO[bytes], into: list[bytes]) -> None:
        # os.read returns what is there: pytest's dots count before their line ends.
        for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
            into.append(chunk)
            last[0] = time.monotonic()

    readers = [
        threading.Thread(target=pump, args=(process.stdout, out), daemon=True),
        threading.Thread(target=pump, args=(process.stderr, err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    try:
        while process.poll() is None:
            time.sleep(0.2)
            factor = load_factor()
            now = time.monotonic()
            stalled = now - last[0] > idle_s * factor
            if stalled or now - started > limit_s * factor:
                process.kill()
                process.wait()
                for reader in readers:
                    reader.join(timeout=5)
                why = f"no output for {idle_s * factor:.0f} s" if stalled else "overall limit"
                raise subprocess.TimeoutExpired(
                    command, now - started, output=f"[{why}]\n" + _text(out), stderr=_text(err)
                )
        for reader in readers:
            reader.join(timeout=30)
    finally:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    return subprocess.CompletedProcess(command, process.returncode, _text(out), _text(err))


def _text(chunks: list[bytes]) -> str:
    return b"".join(chunks).decode("utf-8", "replace")


_ONE_CA_DIR = tempfile.TemporaryDirectory(prefix="starter-ca-")  # removed at exit


@functools.cache
def one_ca_file() -> str:
    """A CA file holding only the first certificate of certifi's bundle, for nested runs.

    ``SSL_CERT_FILE`` pointing here makes httpx (openai's client) and httpcore2 (weaviate's)
    load one certificate instead of about 150. TLS still verifies: a nested run that
    reached a real HTTPS server would fail its handshake, never pass without checking.
    """
    import certifi

    bundle = Path(certifi.where()).read_text("ascii")
    end = "-----END CERTIFICATE-----"
    first = bundle[bundle.index("-----BEGIN CERTIFICATE-----") : bundle.index(end) + len(end)]
    path = Path(_ONE_CA_DIR.name, "one-ca.pem")
    path.write_text(first + "\n", encoding="ascii")
    return str(path)


def _nested(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a nested run: one trusted CA (see :func:`one_ca_file`), and no
    langsmith pytest plugin (langchain's, from the ``[bench]`` extra: importing it costs
    every pytest run about a second of CPU, and no starter test uses it)."""
    env.pop("SSL_CERT_DIR", None)
    env["SSL_CERT_FILE"] = one_ca_file()
    env["PYTEST_ADDOPTS"] = f"{env.get('PYTEST_ADDOPTS', '')} -p no:langsmith_plugin".strip()
    return env


def starter_env(project: Path) -> dict[str, str]:
    """This environment without the starters' settings, with ``project/src`` importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(STARTER_SETTINGS)}
    env["PYTHONPATH"] = str(project / "src")
    return _nested(env)


def run_in_starter(
    project: Path, *args: str, idle_s: float = IDLE_S
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in ``project`` with :func:`starter_env`, timed by progress."""
    return run_watched([sys.executable, *args], cwd=project, env=starter_env(project),
                       idle_s=idle_s)


def run_starter_tests(project: Path) -> subprocess.CompletedProcess[str]:
    """The starter's pytest suite, quiet, with skip reasons and no cache written."""
    return run_in_starter(project, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider")


def ruff_failures(project: Path) -> list[str]:
    """The output of each failing ``ruff check .`` and ``ruff check --select S .``."""
    failures = []
    for args in (["check", "."], ["check", "--select", "S", "."]):
        lint = run_watched([sys.executable, "-m", "ruff", *args, "--no-cache"], cwd=project)
        if lint.returncode != 0:
            failures.append(f"ruff {' '.join(args)}:\n{lint.stdout}{lint.stderr}")
    return failures


def offline_env() -> dict[str, str]:
    """An environment for a fresh venv's pip and tools: no index, none of our settings."""
    skip = ("PYTHON", "VIRTUAL_ENV", *STARTER_SETTINGS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env["PIP_NO_INDEX"] = "1"
    return _nested(env)


def run_offline(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ARGS with :func:`offline_env`, timed by progress."""
    return run_watched(args, cwd=cwd, env=offline_env())


def lent_venv(where: Path, paths: Sequence[str]) -> Path:
    """A new venv at ``where`` whose ``.pth`` file puts ``paths`` on its path; its python.

    No system site-packages, and no pip of its own: :func:`pip_install` installs into it
    with this environment's pip, which saves ensurepip (about 8 s of CPU per venv).
    """
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(where)
    python = where / "bin" / "python"
    site = run_offline(
        python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=where
    )
    assert site.returncode == 0, site.stderr
    Path(site.stdout.strip(), "outer-test-env.pth").write_text(
        "\n".join(dict.fromkeys(paths)) + "\n", encoding="utf-8"
    )
    return python


def pip_install(python: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``pip install --no-index ARGS`` into ``python``'s environment, run by this
    environment's pip (``pip --python``), with :func:`offline_env`."""
    return run_offline(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-index", *args, cwd=cwd
    )


def install_in_fresh_venv(project: Path, where: Path) -> Path:
    """``pip install -e ".[dev]"`` ``project`` into a new venv at ``where``; its python.

    The venv has no system site-packages; a ``.pth`` file lends it this test
    environment's packages, so the install needs no index (the offline check of issue 4:
    the starter's own metadata, build backend and entry points must work from scratch).
    """
    python = lent_venv(where, [sysconfig.get_path("purelib")])
    install = pip_install(python, "--no-build-isolation", "-e", ".[dev]", cwd=project)
    assert install.returncode == 0, install.stdout + install.stderr
    return python
