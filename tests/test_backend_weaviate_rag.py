"""The built-in ``weaviate-rag`` backend: registration, answers, templates and corpus."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jinja2
import pytest

from advisor import plugins
from advisor.api import InputError, ScaffoldContext, templates_path
from advisor.questionnaire import coerce
from advisor.templating import install_translations

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = templates_path("weaviate-rag")
FILES = TEMPLATES / "files"
EVAL_SET = templates_path("starter", "files", "evals", "eval.jsonl")


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ADVISOR_LOAD_PLUGINS", raising=False)
    plugins.reset()
    yield plugins.get_plugins().backends()["weaviate-rag"]
    plugins.reset()


def answers_for(backend, **changes):
    values = {q.key: q.default for q in backend.questions}
    values.update(changes)
    return values


def context(backend, **changes) -> ScaffoldContext:
    return ScaffoldContext(
        project_name="demo",
        package="demo",
        answers=answers_for(backend, **changes),
        backends=("weaviate-rag",),
        approaches=("rag",),
    )


def test_registered_through_its_entry_point_for_the_rag_approach(backend):
    assert backend.approaches == ("rag",)
    assert backend.template_dir == TEMPLATES
    assert backend.commands == ("rag.commands",)
    assert backend.eval_systems == ("rag.systems",)
    owner = plugins.get_plugins().backend_owner("weaviate-rag")
    assert owner.module == "advisor_weaviate_rag"


def test_the_command_and_eval_modules_it_names_are_in_its_templates(backend):
    for module in backend.commands + backend.eval_systems:
        path = FILES / "src" / "{{package}}" / (module.replace(".", "/") + ".py")
        text = path.read_text(encoding="utf-8")
        assert ("def register(" in text) or ("def systems(" in text), path


def test_weaviate_client_pin_avoids_the_known_bad_and_too_new_releases(backend):
    assert "weaviate-client>=4.17,<4.24" in backend.dependencies


def test_secrets_in_env_have_placeholders_only(backend):
    secrets = {v.name: v.example for v in backend.env if v.secret}
    assert set(secrets) == {"OPENAI_API_KEY", "WEAVIATE_API_KEY"}
    assert all(example in ("", "sk-...") for example in secrets.values())


def test_every_setting_the_starter_reads_is_documented_in_env(backend):
    settings = (FILES / "src" / "{{package}}" / "rag" / "settings.py").read_text()
    read = set(re.findall(r'AliasChoices\("([A-Z_]+)"\)', settings))
    assert read == {v.name for v in backend.env}


def test_question_defaults_pass_the_questionnaire_and_the_backend(backend):
    for question in backend.questions:
        assert coerce(question, question.default, "test") == question.default
    extra = backend.extra_context(context(backend))
    assert extra["rag_models"] == {
        "embedding": "text-embedding-3-small",
        "chat": backend.questions[3].default,
        "vectorizer": "text2vec-openai",
        "temperature": None,
    }, "with deployment api the answers are the models"


def test_the_default_chat_model_is_the_price_books_current_one_not_a_snapshot(backend):
    from advisor.advice import load_price_data

    data = load_price_data()
    default = data["assumptions"]["chat_model"]
    chat = next(q for q in backend.questions if q.key == "rag_chat_model")
    assert chat.default == default
    assert "retires" not in data["chat_models"][default], "the default must not be retiring"


@pytest.mark.parametrize(
    ("model", "temperature"),
    [
        ("gpt-6-luna", None),  # a reasoning model: refuses any temperature but its default
        ("gpt-4o-mini", 0.0),  # priced, not reasoning: accepts temperature 0
        ("gpt-4o-mini-2024-07-18", 0.0),  # a dated snapshot of it
        ("someone-elses-model", None),  # unknown: may be a reasoner, send none
    ],
)
def test_temperature_is_sent_only_to_models_the_price_book_knows_accept_it(
    backend, model, temperature
):
    extra = backend.extra_context(context(backend, rag_chat_model=model))
    assert extra["rag_models"]["temperature"] == temperature


@pytest.mark.parametrize("deployment", ["self-hosted", "air-gapped"])
def test_self_hosted_defaults_become_open_weights_models_a_named_one_is_kept(backend, deployment):
    from advisor_weaviate_rag import LOCAL_CHAT_MODEL, LOCAL_EMBEDDING_MODEL

    def models(**changes):
        ctx = context(backend, **changes)
        ctx = ScaffoldContext(**{**ctx.__dict__, "deployment": deployment})
        return backend.extra_context(ctx)["rag_models"]

    assert models() == {
        "embedding": LOCAL_EMBEDDING_MODEL,
        "chat": LOCAL_CHAT_MODEL,
        "vectorizer": "self-provided",
        "temperature": 0.0,
    }
    named = models(rag_chat_model="meta-llama/Llama-3.1-8B-Instruct")
    assert named["chat"] == "meta-llama/Llama-3.1-8B-Instruct"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rag_collection": "documents"}, "rag_collection: 'documents'"),
        ({"rag_collection": "Doc-s"}, "rag_collection: 'Doc-s'"),
        ({"rag_chunk_size": 200, "rag_chunk_overlap": 200}, "rag_chunk_overlap: 200"),
        ({"rag_chat_model": "gpt 4"}, "rag_chat_model: 'gpt 4'"),
    ],
)
def test_answers_the_starter_cannot_run_with_are_refused_in_one_line(backend, changes, field):
    with pytest.raises(InputError) as raised:
        backend.extra_context(context(backend, **changes))
    assert raised.value.message.startswith(field)
    assert "\n" not in raised.value.message


def test_templates_use_the_current_vector_config_api_only():
    sources = [p.read_text(encoding="utf-8") for p in FILES.rglob("*.py")]
    assert any("Configure.Vectors.text2vec_openai" in s for s in sources)
    assert any("Configure.Vectors.self_provided" in s for s in sources)
    assert not any("vectorizer_config" in s for s in sources)


@pytest.mark.parametrize(
    ("vectorizer", "deployment"),
    [("text2vec-openai", "api"), ("self-provided", "api"), ("text2vec-openai", "air-gapped")],
)
def test_every_template_renders_strictly_and_python_files_compile(backend, vectorizer, deployment):
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_translations(env)  # as the starter environment: prose in {% trans %} blocks
    variables = {
        "project_name": "demo",
        "project_slug": "demo",
        "package": "demo",
        "answers": answers_for(backend, rag_vectorizer=vectorizer),
        "backends": ["weaviate-rag"],
        "approaches": ["rag"],
        "deployment": deployment,
    }
    ctx = ScaffoldContext(
        "demo", "demo", variables["answers"], ("weaviate-rag",), ("rag",), deployment=deployment
    )
    variables.update(backend.extra_context(ctx))
    rendered = 0
    for path in [*FILES.rglob("*"), TEMPLATES / "readme.md"]:
        if not path.is_file():
            continue
        env.from_string(str(path.relative_to(TEMPLATES))).render(**variables)
        text = env.from_string(path.read_text(encoding="utf-8")).render(**variables)
        if path.suffix == ".py":
            tree = ast.parse(text, str(path))
            json_literals = [
                node.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Name) and node.id in ("null", "true", "false")
            ]
            assert not json_literals, f"{path}: a JSON literal rendered into Python"
        rendered += 1
    assert rendered > 15


def test_the_sample_corpus_holds_every_eval_answer_literally():
    corpus = FILES / "data" / "corpus"
    items = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]
    named = {source for item in items for source in item["sources"]}
    assert named == {p.name for p in corpus.iterdir()}
    for item in items:
        for source in item["sources"]:
            assert item["answer"] in (corpus / source).read_text(encoding="utf-8"), item["id"]
