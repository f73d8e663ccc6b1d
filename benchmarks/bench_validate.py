"""The fine-tuning starter's `validate` on a generated chat JSONL file.

Target (issue 9): at least 2x the throughput of a straightforward one-line-at-a-time
validator (baseline_validate.py) on this machine, with peak memory flat in file size
(checked by validating a file a quarter the size and comparing peak RSS). The speed-up is
also shown with a FINETUNE_ setting given, which makes validate load pydantic-settings.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness import Target, Timing
from starter import WORDS, WORK, module_command, scaffold


def generate(path: Path, examples: int, seed: int = 7) -> None:
    """Realistic examples of about 300 tokens each (system + user + assistant)."""
    rng = random.Random(seed)

    def text(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words))

    with path.open("w", encoding="utf-8") as out:
        for _ in range(examples):
            example = {
                "messages": [
                    {"role": "system", "content": "You answer from the clinic's guidelines."},
                    {"role": "user", "content": text(40)},
                    {"role": "assistant", "content": text(90)},
                ]
            }
            out.write(json.dumps(example, ensure_ascii=False) + "\n")


def measure(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(seconds, peak RSS in MB, stdout) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert child.stdout is not None
    output = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise RuntimeError(f"{argv} exited {child.returncode}")
    return elapsed, usage.ru_maxrss // 1024, output


def run(quick: bool) -> list[Target]:
    examples = 5_000 if quick else 100_000
    runs = 1 if quick else 5
    project = scaffold("openai-finetune", "validate")
    # Start as a new user would: the first run (the warm-up) tries to download tiktoken's
    # encoding and, offline, fails and remembers it for an hour; the timed runs do not try.
    shutil.rmtree(WORK / "cache", ignore_errors=True)
    big, small = WORK / "train-big.jsonl", WORK / "train-small.jsonl"
    generate(big, examples)
    generate(small, examples // 4)
    size_mb = big.stat().st_size / 1e6
    starter_argv, env = module_command(project, "validate", str(big), "--format", "json")
    baseline_argv = [sys.executable, str(Path(__file__).parent / "baseline_validate.py"), str(big)]

    # A FINETUNE_ variable makes validate read its settings with pydantic-settings (same
    # values here, so the same report); without one it skips that library.
    commands = {
        "starter validate": (starter_argv, env),
        "starter validate, FINETUNE_EPOCHS set": (starter_argv, {**env, "FINETUNE_EPOCHS": "auto"}),
        "straightforward baseline": (baseline_argv, None),
    }
    warm_up, _, _ = measure(starter_argv, env)
    timings = {name: Timing(name, []) for name in commands}
    rss: dict[str, int] = {}
    outputs: dict[str, dict] = {}
    for _ in range(runs):
        for name, (argv, command_env) in commands.items():
            seconds, rss[name], output = measure(argv, command_env)
            timings[name].samples.append(seconds)
            outputs[name] = json.loads(output)
    starter, baseline = timings["starter validate"], timings["straightforward baseline"]
    expected = outputs.pop("straightforward baseline")
    for checked in outputs.values():
        if checked["examples"] != expected["examples"] or (
            checked["tokens"]["total"]["sum"] != expected["total_tokens"]
        ):
            raise RuntimeError(f"validate and the baseline disagree: {checked} vs {expected}")
    small_argv, _ = module_command(project, "validate", str(small), "--format", "json")
    _, small_rss, _ = measure(small_argv, env)

    print(f"\n## validate: {examples:,} examples, {size_mb:.0f} MB ({runs} runs)")
    print(
        f"{'':<38} {'median s':>8} {'min s':>6} {'max s':>6} {'examples/s':>11} "
        f"{'peak MB':>8} {'speed-up':>8}"
    )
    for timing in timings.values():
        print(
            f"{timing.name:<38} {timing.median:8.2f} {min(timing.samples):6.2f} "
            f"{max(timing.samples):6.2f} {examples / timing.median:11,.0f} "
            f"{rss[timing.name]:>8} {baseline.median / timing.median:7.2f}x"
        )
    print(f"{'starter validate, 1/4 of the file':<38} {'':>35} {small_rss:8}")
    print(f"(the untimed first run, which tried to download tiktoken's encoding: {warm_up:.2f} s)")
    starter_rss = rss["starter validate"]
    return [
        Target(
            "validate speed-up over the baseline", baseline.median / starter.median, 2,
            at_least=True,
        ),
        Target("validate peak memory, full file / quarter file", starter_rss / small_rss, 1.5),
    ]
