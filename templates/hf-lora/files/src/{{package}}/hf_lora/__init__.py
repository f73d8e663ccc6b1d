"""LoRA fine-tuning of an open-weights model: train, evaluate, export, serve.

``training`` fits a LoRA (or QLoRA) adapter with trl's SFT trainer, ``export`` merges it
into the base model, ``generation`` answers questions in-process or through an
OpenAI-compatible server (vLLM), ``systems`` plugs base and tuned models into the
starter's ``evaluate`` command, and ``commands`` adds the CLI. Heavy libraries (torch,
transformers, peft, trl, openai) are imported inside functions so ``--help`` stays fast.
"""
