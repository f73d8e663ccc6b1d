"""The scaffold engine: from answers and backends to a starter project, and back again.

One package, read in the order a scaffold runs:

- :mod:`.planning` settles what to make (names, answers, decision, backends) as a
  :class:`~advisor.scaffold.planning.Blueprint`; :mod:`.selection` picks the backends a
  decision needs.
- :mod:`.engine` renders the skeleton and each backend (:mod:`.render`, into a staging
  folder), merges what backends contribute to shared files (:mod:`.compose`) and puts the
  result into the target (:mod:`.placement`), keeping copies of what it replaces
  (:mod:`.backup`).
- :mod:`.record` writes ``.advisor.yml``, how the project was made; :mod:`.update` renders
  it again with new inputs and merges the team's edits (:mod:`.merge`).

Nothing here is imported at start-up: ``advisor decide`` never pays for the engine.
"""
