"""Fine-tuning an OpenAI model: ``train``, ``chat`` and the evaluation systems.

- :mod:`.settings`: API key, base URL and training settings (``.env``), and the client;
- :mod:`.jobs`: the upload, the job request and following a job to its end;
- :mod:`.progress`: what ``train`` shows while a job runs;
- :mod:`.record`: the model in use (the last job that succeeded) and the log of jobs;
- :mod:`.wind_down`: OpenAI's fine-tuning wind-down, from ``provider_status.json``;
- :mod:`.answer`: one question to one model;
- :mod:`.commands`, :mod:`.systems`: the CLI commands and the ``evaluate`` systems.
"""
