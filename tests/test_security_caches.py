"""Caches are code: a planted Jinja bucket or entry-point list must not run as the user.

Each test plants what an attacker sharing ``XDG_CACHE_HOME`` could, and fails when the
check that stops it is removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat

import pytest
from plugin_dists import FakeSite

from advisor import entrypoints, templating
from advisor.entrypoints import entry_points
from advisor.locations import cache_dir, private_cache_dir


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "xdg" / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    for cached in (templating.report_environment, templating._bytecode_cache):
        cached.cache_clear()
    yield home
    for cached in (templating.report_environment, templating._bytecode_cache):
        cached.cache_clear()


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_cache_folders_are_private_even_under_umask_000(cache_home):
    old = os.umask(0)
    try:
        folder = private_cache_dir("jinja", "reports")
    finally:
        os.umask(old)
    assert folder == cache_home / "advisor" / "jinja" / "reports"
    for path in (cache_home, cache_home / "advisor", cache_home / "advisor" / "jinja", folder):
        assert mode(path) == 0o700, path


@pytest.mark.parametrize("level", ["advisor", "advisor/jinja", "advisor/jinja/reports"])
def test_a_cache_folder_others_can_write_is_not_used(cache_home, level):
    (cache_home / "advisor" / "jinja" / "reports").mkdir(parents=True)
    (cache_home / level).chmod(0o777)
    assert templating._bytecode_cache("reports") is None
    # The user's own folder is made private, so the next run can use it again.
    assert mode(cache_home / level) == 0o700
    assert private_cache_dir("jinja", "reports") == cache_home / "advisor" / "jinja" / "reports"


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="needs root to chown")
def test_a_cache_folder_another_user_owns_is_not_used(cache_home):
    folder = cache_home / "advisor"
    folder.mkdir(parents=True, mode=0o700)
    os.chown(folder, 65534, 65534)
    assert private_cache_dir() is None


def plant_bucket(marker, *, file_mode: int) -> None:
    """Write a bytecode bucket for decision.md.j2 whose code creates ``marker``."""
    env = templating.report_environment()
    cache = env.bytecode_cache
    assert cache is not None
    name = "decision.md.j2"
    source, filename, _ = env.loader.get_source(env, name)
    bucket = cache.get_bucket(env, name, filename, source)
    bucket.code = compile(f"open({str(marker)!r}, 'w').close()", filename, "exec")
    cache.dump_bytecode(bucket)
    path = cache._get_cache_filename(bucket)
    os.chmod(path, file_mode)


def load_the_template() -> None:
    templating.report_environment.cache_clear()
    env = templating.report_environment()
    # The planted code runs as the module is loaded; it defines no template, so Jinja fails after.
    with contextlib.suppress(Exception):
        env.get_template("decision.md.j2").render()


def test_a_planted_bucket_that_others_could_write_is_not_run(cache_home, tmp_path):
    marker = tmp_path / "ran"
    plant_bucket(marker, file_mode=0o666)
    env = templating.report_environment(html=False)
    env.get_template("decision.md.j2")  # compiles from source instead
    assert not marker.exists()


def test_the_users_own_bucket_is_used(cache_home, tmp_path):
    """The counterpart: the cache is loaded when it is private (so the test above means it)."""
    marker = tmp_path / "ran"
    plant_bucket(marker, file_mode=0o600)
    load_the_template()
    assert marker.exists()


# --- the entry-points cache -------------------------------------------------------------------


@pytest.fixture
def site(tmp_path, monkeypatch, cache_home):
    fake = FakeSite(tmp_path / "site")
    fake.path.mkdir()
    monkeypatch.syspath_prepend(str(fake.path))
    return fake


def test_an_entry_added_to_the_cache_is_not_imported(site):
    site.add("acme-one", "1.0", {"one": "acme_one"}, {"acme_one": ""})
    entry_points("advisor")
    cache = entrypoints._cache_file()
    data = json.loads(cache.read_text())
    data["entry_points"].append(["evil", "antigravity", "acme-one", "1.0"])
    cache.write_text(json.dumps(data))
    found = {ep.name for ep in entry_points("advisor")}
    assert "one" in found
    assert "evil" not in found


def test_a_cache_file_others_can_write_is_not_read(site, monkeypatch):
    site.add("acme-two", "2.0", {"two": "acme_two"}, {"acme_two": ""})
    entry_points("advisor")
    entrypoints._cache_file().chmod(0o666)
    scans = []
    real = entrypoints._scan
    monkeypatch.setattr(entrypoints, "_scan", lambda group: scans.append(group) or real(group))
    entry_points("advisor")
    assert scans == ["advisor"]


def test_the_entry_points_cache_is_private(site):
    entry_points("advisor")
    assert mode(entrypoints._cache_file()) == 0o600
    assert mode(cache_dir()) == 0o700
