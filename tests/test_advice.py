"""The layer between framework and reports: dated provider notices, budget, config overrides."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.advice import build_advice, load_price_data
from advisor.cli import cli
from advisor.locations import user_config_path
from advisor.questionnaire import Answers

HYBRID = Answers(volatility="weekly", format="strict", latency_ms=2500, budget_usd=40_000,
                 examples=1500, citations=True, queries_per_month=1_000_000, documents=2000)
FINE_TUNE = Answers(volatility="static", format="strict", latency_ms=2000, budget_usd=500,
                    examples=300)
RAG = Answers(volatility="monthly", format="none", latency_ms=2000, budget_usd=500,
              documents=800, citations=True)
BEFORE_CLOSING = dt.date(2026, 11, 24)
AFTER_CLOSING = dt.date(2027, 1, 6)


def provider_warnings(advice):
    return [w.text for w in advice.decision.warnings if w.key == "provider"]


@pytest.mark.parametrize("answers", [HYBRID, FINE_TUNE], ids=["hybrid", "fine-tune"])
def test_fine_tuning_through_a_winding_down_provider_is_warned_about(answers):
    # A team with hosted access says so; the notice still carries the dates.
    advice = build_advice(answers, today=BEFORE_CLOSING, overrides={"fine_tune_path": "hosted"})
    assert advice.costs.fine_tune_path == "hosted"
    [text] = provider_warnings(advice)
    assert "since 2026-05-07" in text          # already in force
    assert "from 2027-01-06" in text           # still ahead, computed from today
    assert "hf-lora" in text


def test_no_provider_warning_without_fine_tuning():
    advice = build_advice(RAG, today=BEFORE_CLOSING, overrides={})
    assert advice.decision.recommendation == "rag"
    assert provider_warnings(advice) == []


@pytest.mark.parametrize("today", [BEFORE_CLOSING, AFTER_CLOSING])
def test_closed_to_new_organisations_the_costs_take_the_open_weights_path_and_say_why(today):
    advice = build_advice(HYBRID, today=today, overrides={})
    assert advice.costs.fine_tune_path == "open-weights"
    assert advice.costs.option("hybrid").fine_tune_path == "open-weights"
    [text] = provider_warnings(advice)
    assert "since 2026-05-07" in text
    assert "price the open-weights path" in text and 'fine_tune_path = "hosted"' in text


def test_before_any_restriction_the_hosted_path_is_primary():
    advice = build_advice(HYBRID, today=dt.date(2026, 5, 6), overrides={})
    assert advice.costs.fine_tune_path == "hosted"


def test_choosing_the_open_weights_path_drops_the_warning():
    advice = build_advice(HYBRID, today=BEFORE_CLOSING,
                          overrides={"fine_tune_path": "open-weights"})
    assert provider_warnings(advice) == []


def test_framework_warnings_are_kept():
    plain = build_advice(HYBRID, today=BEFORE_CLOSING, overrides={})
    assert "volatility" in [w.key for w in plain.decision.warnings]


def test_an_upfront_cost_over_the_budget_is_warned_about():
    within = build_advice(FINE_TUNE, today=BEFORE_CLOSING,
                          overrides={"setup_usd": {"fine-tune": 100}})
    assert "budget_usd" not in [w.key for w in within.decision.warnings]
    over = build_advice(FINE_TUNE, today=BEFORE_CLOSING,
                        overrides={"setup_usd": {"fine-tune": 800}})
    [text] = [w.text for w in over.decision.warnings if w.key == "budget_usd"]
    assert "$500.00 budget" in text and "largest item: engineering setup, $800.00" in text
    assert "engineering setup + one-off compute" in text
    assert not over.costs.option("fine-tune").within_budget


def test_the_shipped_price_book_dates_and_sources_every_entry():
    data = load_price_data()
    sections = ("chat_models", "embedding_models", "open_weights_models", "vector_databases")
    for section in sections:
        for key, entry in data[section].items():
            assert isinstance(entry["as_of"], dt.date), key
            assert entry["source"].startswith("https://"), key
    for kind in ("gpt-4.1-mini", "gpt-4o-mini"):
        assert data["chat_models"][kind]["provider"] == "openai-fine-tuning"
    assert {"text-embedding-3-small", "text-embedding-3-large"} <= set(data["embedding_models"])


# --- overrides from configuration, through the CLI --------------------------------------

ANSWERS_YAML = """\
volatility: static
format: strict
latency_ms: 2000
budget_usd: 500
examples: 300
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working directory with an answers file and no user config or ADVISOR_ variables."""
    for name in list(os.environ):
        if name.upper().startswith("ADVISOR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "no-user-config.toml"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.yaml").write_text(ANSWERS_YAML, encoding="utf-8")
    return tmp_path


def decide_json(*extra):
    result = CliRunner().invoke(cli, ["decide", "--answers", "answers.yaml", "--format", "json",
                                      *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def training_run(data):
    """The hosted fine-tune's training run (the path a team with access takes)."""
    return data["costs"]["options"]["fine-tune (hosted)"]["upfront"][0]["usd"]


def test_a_project_config_override_changes_the_result(project):
    base = decide_json()
    (project / "advisor.toml").write_text(
        '[costs]\ntokens_per_example = 1000\n[costs.prices."gpt-4.1-mini"]\n'
        "training_per_1m = 10.0\n", encoding="utf-8")
    changed = decide_json()
    # twice the tokens at twice the price
    assert training_run(changed) == pytest.approx(4 * training_run(base))
    assert changed["costs"]["overridden"] == ["prices.gpt-4.1-mini.training_per_1m",
                                              "tokens_per_example"]


def test_the_environment_overrides_too(project, monkeypatch):
    base = decide_json()
    monkeypatch.setenv("ADVISOR_COSTS", json.dumps({"epochs": 1}))
    changed = decide_json()
    assert training_run(changed) == pytest.approx(training_run(base) / 3)  # 3 epochs -> 1


def test_nested_environment_variables_are_read_as_scalars(project, monkeypatch):
    base = decide_json()
    monkeypatch.setenv("ADVISOR_COSTS__TOKENS_PER_EXAMPLE", "1000")
    assert training_run(decide_json()) == pytest.approx(2 * training_run(base))


def test_the_user_config_file_is_read(project, monkeypatch):
    user = project / "user.toml"
    user.write_text("[costs]\nfine_tune_path = \"open-weights\"\n", encoding="utf-8")
    monkeypatch.setenv("ADVISOR_CONFIG", str(user))
    assert decide_json()["costs"]["fine_tune_path"] == "open-weights"


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        ("[costs]\ntokens_per_exampel = 5\n", ["unknown key 'tokens_per_exampel'",
                                               "tokens_per_example"]),
        ("[costs]\nretrieval_k = \"many\"\n", ["costs.retrieval_k: 'many'", "an integer"]),
        ("[costs\n", ["advisor.toml: not valid TOML"]),
    ],
)
def test_a_bad_override_is_a_one_line_error(project, toml, fragments):
    (project / "advisor.toml").write_text(toml, encoding="utf-8")
    result = CliRunner().invoke(cli, ["decide", "--answers", "answers.yaml"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_without_config_decide_does_not_import_pydantic_settings(project):
    code = (
        "import sys\nfrom advisor.cli import main\n"
        "sys.argv = ['advisor', 'decide', '--answers', 'answers.yaml', '--format', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'pydantic_settings' in sys.modules, file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, env=os.environ.copy())
    assert "LOADED False" in run.stderr, run.stderr
    (project / "advisor.toml").write_text("[costs]\nepochs = 2\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, env=os.environ.copy())
    assert "LOADED True" in run.stderr, run.stderr
    assert json.loads(run.stdout)["costs"]["assumptions"]["epochs"] == 2


def test_the_user_config_file_is_in_the_config_dir_unless_overridden(monkeypatch, tmp_path):
    monkeypatch.delenv("ADVISOR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert user_config_path() == tmp_path / "xdg" / "advisor" / "config.toml"
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "x.toml"))
    assert user_config_path() == Path(tmp_path / "x.toml")


# --- round 2: deployment, language, retirement, long context (shipped price book) --------

MEDICAL = Answers(volatility="monthly", format="light", latency_ms=4000, budget_usd=10_000,
                  examples=300, citations=True, queries_per_month=30_000, documents=1200)


def test_a_self_hosted_deployment_prices_no_line_with_a_provider_api():
    from dataclasses import replace

    api = build_advice(MEDICAL, today=BEFORE_CLOSING, overrides={})
    private = build_advice(replace(MEDICAL, deployment="self-hosted"), today=BEFORE_CLOSING,
                           overrides={})
    assert private.decision.recommendation == api.decision.recommendation == "rag"
    assert private.costs.fine_tune_path == "open-weights"
    lines = [i for o in private.costs.options for i in (*o.upfront_items, *o.monthly_items)]
    assert lines and all(i.priced_with != "provider-api" for i in lines)
    assert {i.label for o in private.costs.options for i in o.monthly_items} >= {
        "model serving", "vector database", "query embeddings"}
    assert "deployment" in [w.key for w in private.decision.warnings]
    assert any(i.priced_with == "provider-api" for o in api.costs.options
               for i in o.monthly_items)


def test_korean_raises_token_driven_costs_by_the_measured_ratio():
    from dataclasses import replace

    ratio = load_price_data()["assumptions"]["language_token_ratio"]["ko"]
    en = build_advice(MEDICAL, today=BEFORE_CLOSING, overrides={}).costs.option("rag")
    ko = build_advice(replace(MEDICAL, language="ko"), today=BEFORE_CLOSING,
                      overrides={}).costs.option("rag")

    def line(option, label):
        return next(i.usd for i in (*option.upfront_items, *option.monthly_items)
                    if i.label == label)

    assert line(ko, "embed the corpus") == pytest.approx(ratio * line(en, "embed the corpus"))
    assert line(ko, "query embeddings") == pytest.approx(ratio * line(en, "query embeddings"))
    assert line(ko, "model output") > line(en, "model output")


def test_a_hosted_horizon_ends_at_the_models_retirement():
    advice = build_advice(HYBRID, today=BEFORE_CLOSING, overrides={"fine_tune_path": "hosted"})
    hosted = advice.costs.option("hybrid")
    assert hosted.retires == dt.date(2027, 1, 14)
    assert hosted.horizon_months == pytest.approx(51 / 30.44)
    assert hosted.to_dict()["total_36_months_usd"] is None
    assert hosted.total == pytest.approx(hosted.cumulative(51 / 30.44))
    [text] = [w.text for w in advice.decision.warnings if w.key == "lifecycle"]
    assert "2027-01-14" in text
    own = build_advice(HYBRID, today=BEFORE_CLOSING, overrides={}).costs.option("hybrid")
    assert own.retires is None and own.horizon_months == 36


def test_the_long_context_variant_is_priced_with_prompt_caching():
    small = Answers(volatility="static", format="none", latency_ms=5000, budget_usd=2000,
                    citations=True, queries_per_month=8000, documents=20)
    advice = build_advice(small, today=BEFORE_CLOSING, overrides={})
    assert "long-context" in advice.decision.variant
    rag = advice.costs.option("rag")
    labels = [i.label for i in (*rag.upfront_items, *rag.monthly_items)]
    assert "corpus in the prompt (cached)" in labels and "vector database" not in labels
    cached = next(i for i in rag.monthly_items if i.label.startswith("corpus"))
    luna = load_price_data()["chat_models"]["gpt-6-luna"]
    per_1m = 0.8 * luna["cached_input_per_1m"] + 0.2 * luna["input_per_1m"]
    assert cached.usd == pytest.approx(8000 * 40_000 / 1e6 * per_1m)


def test_an_expected_p95_above_the_budget_is_warned_about_with_what_would_fit():
    from dataclasses import replace

    tight = build_advice(replace(MEDICAL, latency_ms=2000), today=BEFORE_CLOSING, overrides={})
    [text] = [w.text for w in tight.decision.warnings if w.key == "latency_ms"]
    assert "estimated at" in text and "shorter answers" in text and "hybrid" in text
    roomy = build_advice(replace(MEDICAL, latency_ms=9000), today=BEFORE_CLOSING, overrides={})
    assert "latency_ms" not in [w.key for w in roomy.decision.warnings]


# --- a scaffolded project prices the path it is built with ----------------------------------

ROUTER = Path(__file__).parents[1] / "examples" / "answers" / "support-ticket-router.yaml"


@pytest.mark.parametrize(("backend", "path"), [((), "open-weights"),
                                               (("hf-lora",), "open-weights"),
                                               (("openai-finetune",), "hosted")])
def test_the_router_example_scaffold_prices_the_path_it_builds(tmp_path, backend, path):
    from advisor.plugins import get_plugins
    from advisor.questionnaire import load_answers_file
    from advisor.scaffold.planning import ScaffoldRequest, plan_scaffold

    request = ScaffoldRequest(target=tmp_path / "router", provided=load_answers_file(ROUTER),
                              backend_names=backend, today=BEFORE_CLOSING)
    blueprint, _ = plan_scaffold(request, get_plugins().backends(), lambda line: None)
    assert blueprint.decision.recommendation == "fine-tune"
    assert blueprint.costs.fine_tune_path == path
    assert blueprint.costs.option("fine-tune").fine_tune_path == path
    assert dict(blueprint.cost_overrides).get("fine_tune_path", path) == path


def test_other_hosted_fine_tuning_providers_are_named_where_hosted_fine_tuning_is_wanted():
    advice = build_advice(FINE_TUNE, today=BEFORE_CLOSING, overrides={"fine_tune_path": "hosted"})
    [text] = provider_warnings(advice)
    for name in ("Azure OpenAI", "Vertex AI", "Bedrock", "Together", "Fireworks"):
        assert name in text
    data = __import__("yaml").safe_load(
        (Path(__file__).parents[1] / "src/advisor/data/providers.yaml").read_text("utf-8"))
    for key, entry in data.items():
        assert entry["source"].startswith("https://"), key


ROUND2 = Path(__file__).parents[2] / "shared" / "decision-cases-round2.yaml"


@pytest.mark.skipif(not ROUND2.exists(), reason="../shared round-2 cases not beside it")
def test_the_round_two_cases_must_also_show_what_they_say():
    import yaml

    cases = {c["id"]: c for c in yaml.safe_load(ROUND2.read_text("utf-8"))}
    for case in cases.values():
        advice = build_advice(Answers(**case["answers"]), today=BEFORE_CLOSING, overrides={})
        assert advice.decision.recommendation == case["expected"], case["id"]
    hospital = build_advice(Answers(**cases["rag-11-hospital-self-hosted"]["answers"]),
                            today=BEFORE_CLOSING, overrides={})
    assert hospital.costs.fine_tune_path == "open-weights"
    assert all(o.fine_tune_path in (None, "open-weights") for o in hospital.costs.options)
    assert all(i.priced_with != "provider-api" for o in hospital.costs.options
               for i in (*o.upfront_items, *o.monthly_items))
    assert any("self-hosted" in w.text for w in hospital.decision.warnings
               if w.key == "deployment")
    policy = build_advice(Answers(**cases["rag-12-small-corpus-cited"]["answers"]),
                          today=BEFORE_CLOSING, overrides={})
    assert policy.decision.variant.startswith("long-context")
    assert any(i.label == "corpus in the prompt (cached)"
               for i in policy.costs.option("rag").monthly_items)


@pytest.mark.parametrize("latency", [250, 300])
def test_a_latency_warning_fires_for_300_token_answers_at_a_quarter_second(latency):
    from dataclasses import replace

    advice = build_advice(replace(FINE_TUNE, latency_ms=latency), today=BEFORE_CLOSING,
                          overrides={})
    assert "latency_ms" in [w.key for w in advice.decision.warnings]
