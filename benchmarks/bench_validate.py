"""The fine-tuning starter's `validate` on a generated chat JSONL file.

Target (issue 9): at least 2x the throughput of a straightforward one-line-at-a-time
validator (baseline_validate.py) on this machine, with peak memory flat in file size
(checked by validating a file a quarter the size and comparing peak RSS).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from harness import Target
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
    runs = 1 if quick else 3
    project = scaffold("openai-finetune", "validate")
    big, small = WORK / "train-big.jsonl", WORK / "train-small.jsonl"
    generate(big, examples)
    generate(small, examples // 4)
    size_mb = big.stat().st_size / 1e6
    starter_argv, env = module_command(project, "validate", str(big), "--format", "json")
    baseline_argv = [sys.executable, str(Path(__file__).parent / "baseline_validate.py"), str(big)]

    starter_times, baseline_times = [], []
    for _ in range(runs):
        seconds, starter_rss, output = measure(starter_argv, env)
        starter_times.append(seconds)
        seconds, baseline_rss, baseline_output = measure(baseline_argv)
        baseline_times.append(seconds)
    report, expected = json.loads(output), json.loads(baseline_output)
    if report["examples"] != expected["examples"] or (
        report["tokens"]["total"]["sum"] != expected["total_tokens"]
    ):
        raise RuntimeError(f"validate and the baseline disagree: {report} vs {expected}")
    small_argv, _ = module_command(project, "validate", str(small), "--format", "json")
    _, small_rss, _ = measure(small_argv, env)

    starter_s, baseline_s = sorted(starter_times)[runs // 2], sorted(baseline_times)[runs // 2]
    print(f"\n## validate: {examples:,} examples, {size_mb:.0f} MB ({runs} runs, median)")
    print(f"{'':<34} {'seconds':>8} {'examples/s':>11} {'peak MB':>8}")
    print(
        f"{'starter validate':<34} {starter_s:8.2f} {examples / starter_s:11,.0f} {starter_rss:8}"
    )
    print(
        f"{'straightforward baseline':<34} {baseline_s:8.2f} {examples / baseline_s:11,.0f} "
        f"{baseline_rss:8}"
    )
    print(f"{'starter validate, 1/4 of the file':<34} {'':>8} {'':>11} {small_rss:8}")
    return [
        Target("validate speed-up over the baseline", baseline_s / starter_s, 2, at_least=True),
        Target("validate peak memory, full file / quarter file", starter_rss / small_rss, 1.5),
    ]
