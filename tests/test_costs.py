"""The cost model's arithmetic, checked against numbers worked out by hand.

The price book here is the test's own, with round prices, so a price update in
``data/prices.yaml`` never changes what these tests expect.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from advisor.costs import PriceBook, break_even, estimate, openai_epochs
from advisor.errors import InputError
from advisor.questionnaire import Answers

DAY = dt.date(2026, 1, 1)
PRICES = {
    "version": "test",
    "chat_models": {
        "chat": {
            "provider": "hosted-ft", "input_per_1m": 1.0, "output_per_1m": 2.0,
            "fine_tuned_input_per_1m": 2.0, "fine_tuned_output_per_1m": 4.0,
            "training_per_1m": 10.0, "as_of": DAY, "source": "https://example.test/chat",
        },
        "other-chat": {
            "input_per_1m": 3.0, "output_per_1m": 3.0, "fine_tuned_input_per_1m": 3.0,
            "fine_tuned_output_per_1m": 3.0, "training_per_1m": 3.0, "as_of": DAY,
            "source": "https://example.test/other",
        },
    },
    "embedding_models": {
        "embed": {"per_1m": 0.1, "dimensions": 1000, "as_of": DAY,
                  "source": "https://example.test/embed"},
    },
    "open_weights_models": {
        "small": {
            "gpu": "a GPU", "gpu_hour_usd": 2.0, "training_tokens_per_second": 1000,
            "run_overhead_hours": 0.5, "serving_output_tokens_per_second": 100,
            "serving_min_gpus": 1, "assumption": True, "as_of": DAY,
            "source": "https://example.test/gpu",
        },
    },
    "vector_databases": {
        "vdb": {"monthly_minimum_usd": 10.0, "per_1m_dimensions_month": 1.0,
                "assumption": True, "as_of": DAY, "source": "https://example.test/vdb"},
    },
    "assumptions": {
        "chat_model": "chat", "embedding_model": "embed", "vector_database": "vdb",
        "open_weights_model": "small", "fine_tune_path": "auto",
        "tokens_per_example": 1000, "min_training_examples": 50, "epochs": "auto",
        "tokens_per_document": 1000, "chunk_tokens": 500, "retrieval_k": 2,
        "query_tokens": 100, "instruction_tokens": 400, "output_tokens": 100,
        "share_changed_per_period": 0.5,
        "changes_per_month": {"static": 0, "yearly": 0.0833, "monthly": 1, "weekly": 4.33,
                              "daily": 30.4, "realtime": 720},
        "max_retrains_per_month": 30, "hybrid_retrains_per_year": 12, "hours_per_month": 700,
        "setup_usd": {"rag": 5, "fine-tune": 50, "hybrid": 0},
    },
}
ANSWERS = Answers(volatility="monthly", format="strict", latency_ms=2000, budget_usd=100,
                  examples=200, citations=True, queries_per_month=10_000, documents=100)


def book(overrides=None) -> PriceBook:
    return PriceBook.from_data(copy.deepcopy(PRICES), overrides)


# --- OpenAI's default epochs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [
        (1, 25),      # 100 // 1 = 100, capped at 25
        (3, 25),      # 100 // 3 = 33, capped
        (4, 25),      # 100 // 4 = 25 exactly
        (5, 20),      # 5 x 3 = 15 < 100: 100 // 5
        (33, 3),      # 99 < 100, but OpenAI floors: 100 // 33 = 3
        (34, 3),      # 102: the default
        (8333, 3),    # 24,999 <= 25,000: the default
        (8334, 2),    # 25,002 > 25,000: 25,000 // 8,334
        (12500, 2),
        (12501, 1),   # 25,000 // 12,501 = 1
        (25001, 1),   # 25,000 // 25,001 = 0, raised to the minimum 1
    ],
)
def test_openai_epoch_heuristic_at_its_edges(examples, epochs):
    assert openai_epochs(examples) == epochs


# --- the options, by hand ----------------------------------------------------------------


def test_rag_costs_by_hand():
    rag = estimate(ANSWERS, book()).option("rag")
    # corpus: 100 docs x 1,000 tokens = 100k tokens x $0.1/1M = $0.01, plus $5 setup
    assert rag.upfront == pytest.approx(5.01)
    # input: 10k queries x (100 + 400 instructions + 2 x 500 context) = 15M x $1 = $15
    # output: 10k x 100 = 1M x $2 = $2; query embeddings: 1M x $0.1 = $0.10
    # vector DB: 100 docs x 2 chunks x 1,000 dims = 0.2M dims x $1 = $0.20 -> minimum $10
    # re-embedding: 100k tokens x 0.5 changed x 1 period = 50k x $0.1/1M = $0.005
    assert rag.monthly == pytest.approx(15 + 2 + 0.1 + 10 + 0.005)
    assert rag.per_1k_queries == pytest.approx(27.105 / 10)
    assert rag.cumulative(36) == pytest.approx(5.01 + 36 * 27.105)


def test_hosted_fine_tune_costs_by_hand():
    ft = estimate(ANSWERS, book()).option("fine-tune")
    assert ft.fine_tune_path == "hosted"
    # training: 200 examples x 1,000 tokens x 3 epochs = 600k x $10/1M = $6, plus $50 setup
    assert ft.upfront == pytest.approx(56)
    # monthly facts: one retrain ($6); no retrieved context: 10k x 100 in x $2/1M = $2,
    # 10k x 100 out x $4/1M = $4
    assert ft.monthly == pytest.approx(6 + 2 + 4)


def test_hybrid_costs_by_hand():
    hybrid = estimate(ANSWERS, book()).option("hybrid")
    assert hybrid.upfront == pytest.approx(0.01 + 6)
    # 12 retrains a year = 1 a month ($6); input 10k x (100 + 1,000 context) = 11M x $2
    # = $22; output $4; query embeddings $0.10; vector DB $10; re-embedding $0.005
    assert hybrid.monthly == pytest.approx(6 + 22 + 4 + 0.1 + 10 + 0.005)


def test_open_weights_path_is_priced_by_gpu_hour():
    ft = estimate(ANSWERS, book()).option("fine-tune (open-weights)")
    assert not ft.primary
    # 600k tokens / (1,000 tokens/s x 3,600) = 1/6 h, + 0.5 h overhead = 2/3 h x $2/h
    assert ft.upfront == pytest.approx(2 / 3 * 2 + 50)
    # one retrain ($4/3) + one GPU always on: 700 h x $2 = $1,400
    assert ft.monthly == pytest.approx(4 / 3 + 1400)


def test_serving_scales_to_zero_without_always_on_gpus():
    costs = estimate(ANSWERS, book({"prices": {"small": {"serving_min_gpus": 0}}}))
    serving = next(i for i in costs.option("fine-tune (open-weights)").monthly_items
                   if i.label == "model serving")
    # 10k queries x 100 tokens = 1M tokens / (100 tokens/s x 3,600) = 2.78 h x $2
    assert serving.usd == pytest.approx(1_000_000 / 360_000 * 2)


def test_few_examples_are_priced_at_the_minimum_and_train_more_epochs():
    ft = estimate(Answers(**{**ANSWERS.to_dict(), "examples": 0}), book()).option("fine-tune")
    run = ft.upfront_items[0]
    # 0 examples -> priced as 50; 50 x 3 = 150 >= 100: 3 epochs; 150k tokens x $10/1M
    assert run.usd == pytest.approx(1.5)
    ten = Answers(**{**ANSWERS.to_dict(), "examples": 10})
    ft = estimate(ten, book({"min_training_examples": 10})).option("fine-tune")
    # 10 examples: 10 x 3 < 100, so 100 // 10 = 10 epochs -> 100k tokens x $10/1M = $1
    assert ft.upfront_items[0].usd == pytest.approx(1.0)
    assert ft.assumptions["epochs"] == 10


def test_static_facts_need_no_retraining_nor_re_embedding():
    static = Answers(**{**ANSWERS.to_dict(), "volatility": "static"})
    costs = estimate(static, book())
    assert [i.label for i in costs.option("fine-tune").monthly_items] == [
        "model input", "model output"]
    assert "re-embedding changes" not in [i.label for i in costs.option("rag").monthly_items]


def test_retraining_is_capped_for_realtime_facts():
    realtime = Answers(**{**ANSWERS.to_dict(), "volatility": "realtime"})
    retrain = next(i for i in estimate(realtime, book()).option("fine-tune").monthly_items
                   if i.label == "retraining")
    assert retrain.usd == pytest.approx(30 * 6)  # 720 changes a month, capped at 30 runs


# --- break-even and budget ----------------------------------------------------------------


def test_break_even_month_by_hand():
    costs = estimate(ANSWERS, book())
    found = break_even(costs.option("rag"), costs.option("fine-tune"))
    # rag: 5.01 + 27.105 m; fine-tune: 56 + 12 m -> m = 50.99 / 15.105 = 3.376
    assert found.at == pytest.approx(50.99 / 15.105)
    assert found.month == 4
    assert (found.cheaper_before, found.cheaper_after) == ("rag", "fine-tune")
    assert costs.option("fine-tune").cumulative(3) > costs.option("rag").cumulative(3)
    assert costs.option("fine-tune").cumulative(4) < costs.option("rag").cumulative(4)


def test_no_break_even_when_one_option_is_cheaper_throughout():
    costs = estimate(ANSWERS, book())
    found = next(b for b in costs.break_even if b.first == "rag" and b.second == "hybrid")
    # rag costs less upfront (5.01 < 6.01) and per month (27.105 < 42.105)
    assert found.month is None and found.at is None
    assert found.cheaper == "rag"
    assert "stays cheaper" in found.describe()


def test_a_crossing_after_the_horizon_is_no_break_even():
    costs = estimate(ANSWERS, book({"setup_usd": {"fine-tune": 1000}}))
    rag, ft = costs.option("rag"), costs.option("fine-tune")
    # 1,006 - 5.01 over 15.105/month = month 66: beyond 36
    result = break_even(rag, ft)
    assert result.month is None and result.cheaper == "rag"


def test_within_budget_compares_upfront_cost_with_the_budget():
    costs = estimate(ANSWERS, book())
    assert costs.option("rag").within_budget          # $5.01 <= $100
    assert costs.option("fine-tune").within_budget    # $56 <= $100
    tight = estimate(Answers(**{**ANSWERS.to_dict(), "budget_usd": 50}), book())
    assert not tight.option("fine-tune").within_budget


# --- overrides ---------------------------------------------------------------------------


def test_a_price_override_changes_the_result():
    base = estimate(ANSWERS, book()).option("fine-tune").upfront_items[0].usd
    dearer = estimate(ANSWERS, book({"prices": {"chat": {"training_per_1m": 20}}}))
    assert dearer.option("fine-tune").upfront_items[0].usd == pytest.approx(2 * base)
    assert dearer.sources[0].overridden == ("training_per_1m",)


def test_assumption_overrides_merge_into_tables():
    costs = estimate(ANSWERS, book({"changes_per_month": {"monthly": 2}, "epochs": 1}))
    assert costs.assumptions["changes_per_month"]["weekly"] == 4.33  # untouched
    ft = costs.option("fine-tune")
    # 1 epoch: 200k tokens x $10/1M = $2 per run, 2 runs a month
    assert ft.upfront_items[0].usd == pytest.approx(2)
    assert ft.monthly_items[0].usd == pytest.approx(4)
    assert costs.overridden == ("changes_per_month", "epochs")


def test_choosing_another_model_reprices():
    costs = estimate(ANSWERS, book({"chat_model": "other-chat"}))
    assert costs.option("fine-tune").upfront_items[0].usd == pytest.approx(0.6 * 3)


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"tokens_per_exampel": 5}, ["costs: unknown key 'tokens_per_exampel'",
                                      "did you mean 'tokens_per_example'"]),
        ({"tokens_per_example": "many"}, ["costs.tokens_per_example: 'many'",
                                            "a number >= 0"]),
        ({"tokens_per_example": True}, ["costs.tokens_per_example: True"]),
        ({"retrieval_k": 2.5}, ["costs.retrieval_k: 2.5", "an integer"]),
        ({"share_changed_per_period": 2}, ["from 0 to 1"]),
        ({"epochs": 0}, ["costs.epochs: 0", "auto or an integer from 1 to 50"]),
        ({"chat_model": "gpt-9"}, ["costs.chat_model: 'gpt-9'", "chat, other-chat"]),
        ({"fine_tune_path": "cloud"}, ["auto, hosted, open-weights"]),
        ({"changes_per_month": {"hourly": 3}}, ["costs.changes_per_month: unknown key "
                                                  "'hourly'", "static, yearly"]),
        ({"prices": {"nope": {}}}, ["costs.prices: unknown key 'nope'", "chat, other-chat"]),
        ({"prices": {"chat": {"training": 1}}}, ["costs.prices.chat: unknown key 'training'",
                                                   "training_per_1m"]),
        ({"prices": {"chat": {"training_per_1m": -1}}}, ["training_per_1m: -1"]),
        ({"prices": {"chat": {"source": "x"}}}, ["unknown key 'source'"]),
    ],
)
def test_bad_overrides_are_one_line_errors_naming_the_key(overrides, fragments):
    with pytest.raises(InputError) as info:
        book(overrides)
    message = info.value.message
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


# --- the fine-tuning path ----------------------------------------------------------------


def test_auto_path_leaves_a_provider_that_takes_no_new_jobs():
    assert estimate(ANSWERS, book()).fine_tune_path == "hosted"
    moved = estimate(ANSWERS, book(), unavailable=frozenset({"hosted-ft"}))
    assert moved.fine_tune_path == "open-weights"
    assert moved.option("fine-tune").fine_tune_path == "open-weights"
    assert moved.option("fine-tune (hosted)").primary is False


def test_an_explicit_path_is_kept():
    costs = estimate(ANSWERS, book({"fine_tune_path": "hosted"}),
                     unavailable=frozenset({"hosted-ft"}))
    assert costs.fine_tune_path == "hosted"


def test_to_dict_carries_every_option_and_the_sources():
    data = estimate(ANSWERS, book()).to_dict()
    assert list(data["options"]) == ["rag", "fine-tune", "hybrid",
                                     "fine-tune (open-weights)", "hybrid (open-weights)"]
    rag = data["options"]["rag"]
    assert rag["upfront_usd"] == 5.01 and rag["monthly_usd"] == pytest.approx(27.11, abs=0.01)
    assert rag["assumptions"]["retrieval_k"] == 2
    assert {s["key"] for s in data["sources"]} == {"chat", "embed", "vdb", "small"}
    assert all(s["as_of"] == "2026-01-01" for s in data["sources"])


# --- like for like -------------------------------------------------------------------------


def test_an_option_that_cannot_meet_the_requirements_is_marked_and_left_out_of_break_even():
    costs = estimate(ANSWERS, book())  # citations, a corpus and monthly changes
    ft = costs.option("fine-tune")
    assert not ft.meets_requirements
    assert ft.unmet == ("documents", "citations", "volatility")
    assert ft.to_dict()["meets_requirements"] is False
    assert ft.to_dict()["unmet"] == ["documents", "citations", "volatility"]
    assert costs.option("hybrid").meets_requirements and costs.option("rag").meets_requirements
    pairs = [{b.first, b.second} for b in costs.break_even]
    assert pairs == [{"rag", "hybrid"}]


def test_without_retrieval_needs_every_option_meets_the_requirements():
    plain = Answers(volatility="static", format="strict", latency_ms=2000, budget_usd=100,
                    examples=200)
    costs = estimate(plain, book())
    assert all(o.meets_requirements for o in costs.options)
    assert len(costs.break_even) == 3


# --- ranges, the whole cost, latency ---------------------------------------------------------

RANGED = {"range_low": {"queries_per_month": 0.5, "output_tokens": 0.5},
          "range_high": {"queries_per_month": 2.0, "output_tokens": 20.0}}


def test_ranges_contain_the_expected_total_and_name_the_input_that_moves_most():
    costs = estimate(ANSWERS, book(RANGED))
    for option in costs.options:
        low, high = option.range_total
        assert low <= option.total <= high
        assert option.to_dict()["range_36_months_usd"] == [round(low, 2), round(high, 2)]
    low, high = costs.option("rag").range_total
    assert low < high
    # output tokens x20 at the top moves rag more than queries x2
    assert costs.option("rag").swing == "output_tokens"


def test_engineering_setup_and_operations_are_their_own_overridable_lines():
    costs = estimate(ANSWERS, book({"ops_usd_per_month": {"rag": 300}}))
    rag = costs.option("rag")
    [setup] = [i for i in rag.upfront_items if i.label == "engineering setup"]
    [ops] = [i for i in rag.monthly_items if i.label == "engineering operations"]
    assert setup.usd == 5 and ops.usd == 300 and ops.priced_with == "engineering"
    assert rag.within_budget == (rag.upfront <= 100)
    assert costs.to_dict()["budget_basis"].startswith("upfront: engineering setup")


def test_latency_estimates_come_from_output_tokens_decode_speed_and_retrieval():
    lat = estimate(ANSWERS, book()).option("rag").latency
    # defaults: hosted first token 300-1000 ms, 100-200 tokens/s, retrieval 50-300 ms
    assert lat.low == pytest.approx(300 + 100 / 200 * 1000 + 50)
    assert lat.high == pytest.approx(1000 + 100 / 100 * 1000 + 300)
    assert lat.low <= lat.expected <= lat.high


def test_with_only_a_large_model_good_enough_rag_is_priced_with_the_large_model():
    prices = copy.deepcopy(PRICES)
    prices["chat_models"]["large"] = {**prices["chat_models"]["other-chat"], "input_per_1m": 30.0}
    prices["assumptions"]["large_chat_model"] = "large"
    from dataclasses import replace

    small = estimate(ANSWERS, PriceBook.from_data(prices)).option("rag")
    large = estimate(replace(ANSWERS, quality_model="large"),
                     PriceBook.from_data(prices)).option("rag")
    assert large.monthly > small.monthly
    assert any("large" in i.basis for i in large.monthly_items if i.label == "model input")


# --- vector storage per GiB, GPU price ranges, stale prices (issue 24, item 8) -------------


def test_storage_billed_per_gib_adds_to_the_dimensions_above_the_minimum():
    data = copy.deepcopy(PRICES)
    data["vector_databases"]["vdb"].update(monthly_minimum_usd=0.0, per_gib_storage_month=2**30)
    # (dims as above: 0.2M x $1 = $0.20) + per chunk 1,000 dims x 4 bytes + 500 tokens x 4
    # bytes = 6,000 bytes x 200 chunks = 1.2M bytes; at $2^30/GiB that is $1.2M
    rag = estimate(ANSWERS, PriceBook.from_data(data)).option("rag")
    (vdb,) = [i for i in rag.monthly_items if i.label == "vector database"]
    assert vdb.usd == pytest.approx(0.2 + 1_200_000)
    assert "GiB stored" in vdb.basis


def test_a_gpu_price_range_from_listings_replaces_the_multipliers():
    data = copy.deepcopy(PRICES)
    data["assumptions"].update(range_low={"gpu_hour_usd": 0.5}, range_high={"gpu_hour_usd": 2.0})
    data["assumptions"]["fine_tune_path"] = "open-weights"
    cheap = PriceBook.from_data(copy.deepcopy(data))
    data["open_weights_models"]["small"].update(gpu_hour_usd_low=1.5, gpu_hour_usd_high=2.5)
    listed = PriceBook.from_data(data)

    def gpu_range(book: PriceBook) -> tuple[float, float]:
        option = estimate(ANSWERS, book).option("fine-tune")
        gpu = sum(i.usd for i in (*option.upfront_items, *option.monthly_items)
                  if i.priced_with == "gpu")
        low, high = option.range_total
        return option.total - low, high - option.total, gpu

    below, above, gpu = gpu_range(cheap)
    narrow_below, narrow_above, _ = gpu_range(listed)
    assert narrow_below < below, "$1.50 of $2 is a narrower low than the 0.5 multiplier"
    assert narrow_above < above, "$2.50 of $2 is a narrower high than the 2.0 multiplier"
    assert gpu > 0


def _record(data, answers, today):
    from advisor.advice import build_advice
    from advisor.reports import record_info

    advice = build_advice(answers, today=today, price_data=data)
    return record_info(advice.decision, advice.costs, today=today)


def _shipped_with(**as_of: dt.date):
    from advisor.advice import load_price_data

    data = copy.deepcopy(load_price_data())
    for section in ("chat_models", "embedding_models", "open_weights_models",
                    "vector_databases"):
        for key, entry in data[section].items():
            entry["as_of"] = as_of.get(key.replace("-", "_").replace(".", "_"), TODAY_FRESH)
    return data


TODAY = dt.date(2026, 12, 2)
TODAY_FRESH = TODAY - dt.timedelta(days=10)


def test_fresh_prices_ask_for_no_recheck_now():
    record = _record(_shipped_with(), ANSWERS, TODAY)
    assert record.stale_prices == () and not record.prices_overdue
    assert record.to_dict()["revisit"]["stale_prices"] == []


def test_a_stale_entry_is_named_and_makes_the_recheck_due_now():
    from advisor.advice import build_advice
    from advisor.reports import render_text

    data = _shipped_with(weaviate_cloud=dt.date(2025, 9, 1))
    record = _record(data, ANSWERS, TODAY)
    assert record.stale_prices == ("weaviate-cloud (2025-09-01)",)
    assert record.prices_overdue
    advice = build_advice(ANSWERS, today=TODAY, price_data=data)
    text = render_text(advice.decision, advice.costs, record=record)
    assert "re-check prices now: weaviate-cloud (2025-09-01)" in text
    # 179 days is not stale yet
    fresh = _record(_shipped_with(weaviate_cloud=TODAY - dt.timedelta(days=179)), ANSWERS, TODAY)
    assert fresh.stale_prices == ()


def test_an_entry_these_answers_do_not_use_does_not_age_the_record():
    from dataclasses import replace

    data = _shipped_with(weaviate_cloud=dt.date(2025, 9, 1))
    self_hosted = replace(ANSWERS, deployment="self-hosted")
    assert _record(data, self_hosted, TODAY).stale_prices == (), "no cloud database there"
    data = _shipped_with(weaviate_self_hosted=dt.date(2025, 9, 1))
    assert _record(data, ANSWERS, TODAY).stale_prices == (), "no self-hosted server there"


def test_the_shipped_weaviate_cloud_price_is_within_its_recheck_window():
    from advisor.advice import load_price_data
    from advisor.reports import PRICE_RECHECK_DAYS

    data = load_price_data()
    issued = dt.date.fromisoformat(data["version"].replace(".", "-"))
    entry = data["vector_databases"]["weaviate-cloud"]
    assert (issued - entry["as_of"]).days < PRICE_RECHECK_DAYS
    assert entry["monthly_minimum_usd"] == 45.0 and entry["per_gib_storage_month"] == 0.12


# --- hosted LoRA fine-tuning of an open model (issue 24, item 6) ----------------------------


def _with_hosted_lora() -> PriceBook:
    data = copy.deepcopy(PRICES)
    data["open_weights_models"]["lora-host"] = {
        "provider": "lora-provider", "gpu": "a hosted GPU", "training_per_1m": 0.5,
        "gpu_hour_usd": 4.0, "serving_output_tokens_per_second": 100, "serving_min_gpus": 1,
        "assumption": True, "as_of": DAY, "source": "https://example.test/lora",
    }
    data["assumptions"]["hosted_lora_model"] = "lora-host"
    return PriceBook.from_data(data)


def test_hosted_lora_is_priced_by_training_token_and_serving_gpu_hour_by_hand():
    from dataclasses import replace

    no_retrieval = replace(ANSWERS, citations=False, documents=0, volatility="static")
    costs = estimate(no_retrieval, _with_hosted_lora())
    option = costs.option("fine-tune (hosted-lora)")
    assert not option.primary and option.fine_tune_path == "hosted-lora"
    (run,) = [i for i in option.upfront_items if i.label == "training run"]
    # 200 examples x 1,000 tokens x 3 epochs = 600k tokens x $0.5/1M = $0.30
    assert run.usd == pytest.approx(0.30)
    assert "(lora-host)" in run.basis
    (serving,) = [i for i in option.monthly_items if i.label == "model serving"]
    # 1 GPU always on x 700 h x $4 (10k x 100 tokens at 100 tokens/s = 2.8 h is less)
    assert serving.usd == pytest.approx(2800)
    assert "hybrid (hosted-lora)" not in {o.name for o in costs.options}, "one line only"
    assert "open_weights_models/lora-host" in {f"{s.section}/{s.key}" for s in costs.sources}
    # answers that need retrieval get the hybrid line instead
    names = {o.name for o in estimate(ANSWERS, _with_hosted_lora()).options}
    assert "hybrid (hosted-lora)" in names and "fine-tune (hosted-lora)" not in names


def test_hosted_lora_is_not_priced_without_an_entry_or_for_a_self_hosted_team():
    from dataclasses import replace

    assert "fine-tune (hosted-lora)" not in {o.name for o in estimate(ANSWERS, book()).options}
    self_hosted = replace(ANSWERS, deployment="self-hosted")
    names = {o.name for o in estimate(self_hosted, _with_hosted_lora()).options}
    assert not any("hosted" in name for name in names)


def test_the_shipped_book_prices_a_hosted_lora_alternative_with_a_dated_source():
    from advisor.advice import build_advice

    costs = build_advice(ANSWERS, today=TODAY).costs
    option = costs.option("hybrid (hosted-lora)")  # the answers need retrieval
    assert option.upfront > 0 and option.monthly > 0
    (source,) = [s for s in costs.sources if s.key == "fireworks-lora-8b"]
    assert source.source == "https://fireworks.ai/pricing" and source.as_of is not None
    assert source.assumption, "the serving GPU rate is unconfirmed: marked an assumption"


def test_a_reasoning_model_bills_its_hidden_reasoning_tokens_as_output():
    data = copy.deepcopy(PRICES)
    data["chat_models"]["chat"]["reasoning"] = True
    data["assumptions"]["reasoning_tokens"] = 300
    rag = estimate(ANSWERS, PriceBook.from_data(data)).option("rag")
    (output,) = [i for i in rag.monthly_items if i.label == "model output"]
    # 10k queries x (100 output + 300 reasoning) tokens x $2/1M = $8 (without: $2)
    assert output.usd == pytest.approx(8.0)
    assert "incl. 300 reasoning" in output.basis
    hosted = estimate(ANSWERS, PriceBook.from_data(data)).option("fine-tune")  # hosted path
    (tuned,) = [i for i in hosted.monthly_items if i.label == "model output"]
    # a fine-tuned model answers directly: 10k x 100 tokens x $4/1M = $4
    assert tuned.usd == pytest.approx(4.0)
