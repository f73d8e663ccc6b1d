"""Chat-format training data: validation, token statistics, epoch heuristic and splitting.

Shared by the fine-tuning backends (hosted and open-weights), so nothing here talks to a
provider. ``validate`` and ``split`` are registered by :mod:`.commands`.

Modules, from the bottom up:

- :mod:`.rules`: the checks on one example, after OpenAI's fine-tuning data-prep guidance;
- :mod:`.tokens`: token counting with tiktoken, or a stated approximation offline;
- :mod:`.models`: per-model tokenizer encodings and training prices (``models.json``);
- :mod:`.epochs`: OpenAI's default epoch heuristic and the billed-token arithmetic;
- :mod:`.scan`: streams a file (in parallel over byte ranges when large) into a summary;
- :mod:`.report`: turns a summary into the JSON document and the text report;
- :mod:`.split`: a seeded train/validation split;
- :mod:`.defaults`: the default base model and epochs, and whether settings may change
  them;
- :mod:`.settings`: the ``FINETUNE_*`` settings these commands read.
"""
