"""`advisor scaffold` of the RAG starter against `cookiecutter --no-input` of a template with
the same number of files and variables (built here, in the same run).

Target (issue 9): advisor at most 0.6x cookiecutter's time.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from harness import BIN, Target, table, time_command
from starter import ANSWERS, WORK, scaffold


def cookiecutter_twin(project: Path) -> tuple[Path, int, int]:
    """A cookiecutter template mirroring ``project``: same files, same variable count."""
    record = yaml.safe_load((project / ".advisor.yml").read_text("utf-8"))
    variables = {"project_name": "bench", "project_slug": "bench", "package": "bench"}
    variables.update({k: str(v) for k, v in record["answers"].items()})
    template = WORK / "cookiecutter-twin"
    shutil.rmtree(template, ignore_errors=True)
    root = template / "{{cookiecutter.project_slug}}"
    files = [p for p in project.rglob("*") if p.is_file()]
    uses = " ".join(f"{{{{ cookiecutter.{name} }}}}" for name in variables)
    for path in files:
        twin = root / path.relative_to(project)
        twin.parent.mkdir(parents=True, exist_ok=True)
        # Same size as the real file, and every variable used once, as a starter's files do.
        body = path.read_bytes().decode("utf-8", "replace").replace("{", "(").replace("}", ")")
        twin.write_text(f"{uses}\n{body}", "utf-8")
    (template / "cookiecutter.json").write_text(json.dumps(variables), "utf-8")
    return template, len(files), len(variables)


def run(quick: bool) -> list[Target]:
    runs = 3 if quick else 10
    cookiecutter = shutil.which("cookiecutter", path=str(BIN))
    project = scaffold("weaviate-rag", "rag-starter")
    out = WORK / "out"

    def fresh(name: str) -> list[str]:
        shutil.rmtree(out / name, ignore_errors=True)
        return []

    advisor_argv = [
        "sh",
        "-c",
        f'rm -rf "{out}/a" && "{BIN / "advisor"}" scaffold "{out}/a" --backend weaviate-rag '
        f'--answers "{ANSWERS}" --no-input',
    ]
    timings = [time_command("advisor scaffold (weaviate-rag)", advisor_argv, runs)]
    fresh("a")
    if not cookiecutter:
        print("cookiecutter is not installed (pip install -e '.[bench]'): no baseline")
        print(table("scaffold", timings, None))
        return []
    template, files, variables = cookiecutter_twin(project)
    cc_argv = [
        "sh",
        "-c",
        f'rm -rf "{out}/bench" && "{cookiecutter}" --no-input -o "{out}" "{template}"',
    ]
    cc = time_command(f"cookiecutter --no-input ({files} files, {variables} vars)", cc_argv, runs)
    timings.append(cc)
    print(table(f"scaffold: {files} files, {variables} variables", timings, cc))
    return [Target("advisor scaffold / cookiecutter", timings[0].median / cc.median, 0.6)]
