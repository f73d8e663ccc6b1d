"""Mutation checks for the security tests: remove each protection, see a test fail.

A security test that still passes with its protection gone protects nothing (issue 15
found four). Each mutation below edits the source to take one protection out, runs the
tests that should notice, and puts the source back. "killed" means a test failed (or
hung past the timeout), as it should; "SURVIVED" means no test noticed: write one.

    .venv/bin/python tests/security_mutations.py            # all of them, ~3 minutes
    .venv/bin/python tests/security_mutations.py cache link # those whose name matches

Not collected by pytest (the name does not start with ``test_``). The exit status is the
number of mutations that survived. It edits files under src/ in place and restores them
in a ``finally``; run it on a clean tree.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "advisor"


class Mutation(NamedTuple):
    name: str
    edits: tuple[tuple[str, str, str], ...]  # (file under src/advisor, old, new)
    tests: tuple[str, ...]


T = "tests/test_security_templates.py"
C = "tests/test_security_caches.py"
W = "tests/test_security_writes.py"
I = "tests/test_security_inputs.py"  # noqa: E741

MUTATIONS = [
    Mutation(
        "template links: walk checks files only, not folders",
        (("scaffold/render.py",
           "for entry in sorted([*dirs, *files]):", "for entry in sorted(files):"),),
        (f"{T}::test_a_linked_files_folder_is_refused",
         f"{T}::test_a_link_inside_a_folder_of_files_is_refused"),
    ),
    Mutation(
        "template links: the loader follows links",
        (("templating.py", "return os.open(name, flags | _NOFOLLOW, dir_fd=folder)",
          "return os.open(name, flags, dir_fd=folder)"),),
        (f"{T}::test_the_loader_refuses_a_link_made_after_the_folder_was_checked",),
    ),
    Mutation(
        "template loader also searches /",
        (("templating.py", "loader = ConfinedLoader(template_dir, max_template_bytes)",
          'loader = jinja2.FileSystemLoader([template_dir, "/"])'),),
        (f"{T}::test_the_loader_searches_only_the_template_dir",),
    ),
    Mutation(
        "record templates: no trust needed",
        (("scaffold/planning.py", "if not request.trust_templates:", "if False:"),),
        (f"{T}::test_a_recorded_template_dir_needs_trust_and_is_read_beside_the_record",),
    ),
    Mutation(
        "jinja floor: an old Jinja sandboxes anyway",
        (("templating.py", "        require_patched_jinja()\n", "        pass\n"),),
        (f"{T}::test_an_old_jinja_is_refused_for_templates_and_doctor_warns",),
    ),
    Mutation(
        "limits: * and ** not intercepted",
        (("scaffold/render.py", 'intercepted_binops = frozenset({"*", "**"})',
          "intercepted_binops = frozenset()"),),
        (f"{T}::test_output_is_bounded_per_file",),
    ),
    Mutation(
        "limits: no render deadline",
        (("scaffold/render.py", "with _deadline(left):", "with contextlib.nullcontext():"),),
        (f"{T}::test_nested_loops_stop_at_the_time_limit",),
    ),
    Mutation(
        "limits: no per-file size check while streaming",
        (("scaffold/render.py", "if size > self.budget.limits.file_bytes:", "if False:"),),
        (f"{T}::test_output_is_bounded_per_file",),
    ),
    Mutation(
        "limits: no total size check",
        (("scaffold/render.py",
           "if self.budget.bytes > self.budget.limits.total_bytes:", "if False:"),),
        (f"{T}::test_output_is_bounded_in_total_and_binary_files_count",),
    ),
    Mutation(
        "FIFOs: trusted templates read non-regular files",
        (("scaffold/render.py",
           "if not stat.S_ISREG((here / name).stat().st_mode):", "if False:"),),
        (f"{T}::test_a_fifo_among_the_files_is_refused",),
    ),
    Mutation(
        ".git: exact, case-sensitive match only",
        (("scaffold/render.py", 'return folded in (".git", "git~1")', 'return name == ".git"'),),
        (f"{T}::test_names_that_are_git_to_some_file_system_are_refused",),
    ),
    Mutation(
        "caches: folders made under the umask",
        (("locations.py", "os.mkdir(folder, 0o700)", "os.mkdir(folder)"),),
        (f"{C}::test_cache_folders_are_private_even_under_umask_000",),
    ),
    Mutation(
        "caches: world-writable folders and files trusted",
        (("locations.py",
          "return _owned(info) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)",
          "return True"),),
        (C,),
    ),
    Mutation(
        "caches: entry points not checked against entry_points.txt",
        (("entrypoints.py", "if cached is not None and _all_declared(cached, group, sources):",
          "if cached is not None:"),),
        (f"{C}::test_an_entry_added_to_the_cache_is_not_imported",),
    ),
    Mutation(
        "writes: folders opened following links",
        (("scaffold/placement.py", "flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW",
          "flags = os.O_RDONLY | _DIRECTORY"),),
        (f"{W}::test_a_link_swapped_in_after_planning_is_not_written_through",),
    ),
    Mutation(
        "writes: a new file replaces one that appeared",
        (("scaffold/placement.py",
           'if step.action == "create" and current is not None:', "if False:"),
         ("scaffold/placement.py",
          "os.link(source, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)",
          "os.replace(source, name, src_dir_fd=folder, dst_dir_fd=folder)")),
        (f"{W}::test_a_file_created_after_planning_is_not_replaced",),
    ),
    Mutation(
        "writes: no lock on the target",
        (("scaffold/placement.py", "fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)", "pass"),),
        (f"{W}::test_a_second_scaffold_into_the_same_folder_is_refused",),
    ),
    Mutation(
        "signals: SIGTERM/SIGHUP keep their default action",
        (("scaffold/placement.py",
           "        if signum != signal.SIGINT:\n", "        if False:\n"),),
        (f"{W}::test_a_stop_signal_mid_commit_undoes_everything",),
    ),
    Mutation(
        "signals: the undo can be interrupted",
        (("scaffold/placement.py",
          "previous = {signum: signal.signal(signum, note) for signum in _STOP_SIGNALS}",
          "previous = {}"),),
        (f"{W}::test_a_second_ctrl_c_during_the_undo_does_not_stop_it",),
    ),
    Mutation(
        "answers: YAML read with the unsafe loader",
        (("questionnaire.py", "class BoundedLoader(yaml.SafeLoader):",
          "class BoundedLoader(yaml.UnsafeLoader):"),),
        (f"{I}::test_an_answers_file_cannot_run_code", f"{I}::test_set_cannot_run_code"),
    ),
    Mutation(
        "cost overrides: zero divisors allowed",
        (("costs.py", "and (value > 0 or not positive)", "and True"),),
        (f"{I}::test_cost_overrides_out_of_range_are_one_line",),
    ),
    Mutation(
        "cost overrides: no upper bound",
        (("costs.py", "and value <= maximum\n", "and True\n"),),
        (f"{I}::test_cost_overrides_out_of_range_are_one_line",),
    ),
    Mutation(
        "secrets: URLs shown as they are",
        (("settings.py", "value = mask_urls(value)  # https://user:password@host", "pass"),),
        (f"{I}::test_url_credentials_are_masked_by_config_show",),
    ),
    Mutation(
        "secrets: plugin load errors not scrubbed",
        (("plugins.py", "return scrub(line, environment_secrets())", "return line"),),
        (f"{I}::test_plugin_load_errors_are_scrubbed",),
    ),
    Mutation(
        "secrets: a reversed key is not looked for",
        (("scaffold/render.py", "for needle in {value.encode(), value[::-1].encode()}",
          "for needle in {value.encode()}"),),
        (f"{T}::test_a_generated_file_with_a_key_plain_or_reversed_is_refused",),
    ),
    Mutation(
        "secrets: keys in config files are not looked for",
        (("scaffold/engine.py", "if PROJECT_CONFIG.is_file() or user_config_path().is_file():",
          "if False:"),),
        (f"{T}::test_keys_in_the_config_files_are_kept_out_of_generated_files",),
    ),
    Mutation(
        "-o: written in place, not replaced",
        (("scaffold/placement.py", "        os.replace(temporary, path)\n",
          "        path.write_bytes(data)\n        os.unlink(temporary)\n"),),
        (f"{I}::test_a_failed_write_keeps_the_previous_report",),
    ),
    Mutation(
        "-o: links written through without --force",
        (("scaffold/placement.py", "    if not through_links:\n", "    if False:\n"),),
        (f"{I}::test_output_through_a_link_needs_force",),
    ),
]


def run(mutation: Mutation, timeout: float) -> str:
    originals: dict[Path, str] = {}
    try:
        for filename, old, new in mutation.edits:
            path = SRC / filename
            originals.setdefault(path, path.read_text(encoding="utf-8"))
            current = path.read_text(encoding="utf-8")
            if current.count(old) != 1:
                return f"STALE (the text to mutate is not in {filename} exactly once)"
            path.write_text(current.replace(old, new), encoding="utf-8")
        # One process (-n0): a mutation that hangs is stopped with everything it started,
        # where xdist's workers would outlive their killed parent and spin on.
        command = [sys.executable, "-m", "pytest", "-q", "-x", "-n0", "-p", "no:cacheprovider",
                   *mutation.tests]
        with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True) as process:
            try:
                returncode = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                return "killed (hung)"
        return "killed" if returncode != 0 else "SURVIVED"
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not argv or any(w in m.name for w in argv)]
    # The tests must pass on the real code first, or every "killed" below means nothing.
    baseline = sorted({test for m in chosen for test in m.tests})
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *baseline]
    if subprocess.run(command, cwd=ROOT, capture_output=True, check=False).returncode != 0:
        print("the security tests fail without any mutation; fix them first")
        return len(chosen)
    survived = 0
    for mutation in chosen:
        started = time.monotonic()
        outcome = run(mutation, timeout=120)
        survived += not outcome.startswith("killed")
        print(f"{outcome:<10} {time.monotonic() - started:5.1f}s  {mutation.name}", flush=True)
    print(f"{len(chosen) - survived} of {len(chosen)} mutations killed")
    return survived


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
