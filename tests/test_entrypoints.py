"""The entry-point cache: it saves importing importlib.metadata, and is never stale."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest
from plugin_dists import FakeSite

from advisor import entrypoints
from advisor.entrypoints import EntryPoint, entry_points

GROUP = "advisor"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fake = FakeSite(tmp_path / "site")
    fake.path.mkdir()
    monkeypatch.syspath_prepend(str(fake.path))
    return fake


def real_scan() -> list[EntryPoint]:
    return [
        EntryPoint(ep.name, ep.value, ep.dist.name, ep.dist.version)
        for ep in metadata.entry_points(group=GROUP)
    ]


def names(found: list[EntryPoint]) -> set[tuple[str, str, str]]:
    return {(ep.name, ep.dist, ep.version) for ep in found}


def test_the_first_call_scans_and_the_second_reads_the_cache(site, monkeypatch):
    site.add("acme-one", "1.0", {"one": "acme_one"}, {"acme_one": ""})
    first = entry_points(GROUP)
    assert names(first) == names(real_scan())
    assert ("one", "acme-one", "1.0") in names(first)
    monkeypatch.setattr(entrypoints, "_scan", lambda group: pytest.fail("cache not used"))
    assert entry_points(GROUP) == first


def test_installing_a_distribution_invalidates_the_cache(site):
    entry_points(GROUP)
    site.add("acme-two", "2.0", {"two": "acme_two"}, {"acme_two": ""})
    assert ("two", "acme-two", "2.0") in names(entry_points(GROUP))


def test_editing_an_entry_points_file_invalidates_the_cache(site):
    site.add("acme-three", "3.0", {"three": "acme_three"}, {"acme_three": ""})
    entry_points(GROUP)
    points = site.path / "acme_three-3.0.dist-info" / "entry_points.txt"
    points.write_text("[advisor]\nrenamed = acme_three\n", encoding="utf-8")
    found = names(entry_points(GROUP))
    assert ("renamed", "acme-three", "3.0") in found
    assert ("three", "acme-three", "3.0") not in found


def test_a_changed_sys_path_invalidates_the_cache(site, tmp_path, monkeypatch):
    entry_points(GROUP)
    other = FakeSite(tmp_path / "other")
    other.path.mkdir()
    other.add("acme-four", "4.0", {"four": "acme_four"}, {"acme_four": ""})
    monkeypatch.syspath_prepend(str(other.path))
    assert ("four", "acme-four", "4.0") in names(entry_points(GROUP))


def test_a_corrupt_or_unwritable_cache_falls_back_to_scanning(site, tmp_path, monkeypatch):
    site.add("acme-five", "5.0", {"five": "acme_five"}, {"acme_five": ""})
    entry_points(GROUP)
    entrypoints._cache_file().write_text("{not json", encoding="utf-8")
    assert ("five", "acme-five", "5.0") in names(entry_points(GROUP))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert ("five", "acme-five", "5.0") in names(entry_points(GROUP))


def test_load_imports_the_named_object(site):
    site.add(
        "acme-six",
        "6.0",
        {"six": "acme_six:Plugin.inner"},
        {"acme_six": "class Plugin:\n    inner = 'found'\n"},
    )
    [ep] = [ep for ep in entry_points(GROUP) if ep.name == "six"]
    assert ep.load() == "found"
    sys.modules.pop("acme_six", None)
