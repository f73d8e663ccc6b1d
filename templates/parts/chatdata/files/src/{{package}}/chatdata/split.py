"""A reproducible train/validation split of a JSONL file, streamed in two passes.

The first pass counts the examples, the second writes each line to one side; only the
validation line numbers are held in memory. Which examples are held out is decided by
ranking ``blake2b(seed:index)``: unlike :mod:`random`, whose ``sample`` algorithm may
change between Python versions, the same file, fraction and seed give the same split on
every machine and version. Outputs are written to temporary files and moved into place,
so an interrupted split leaves nothing half-written, and existing files are never
overwritten unless asked.
"""

from __future__ import annotations

import hashlib
import heapq
import os
from pathlib import Path


class SplitError(ValueError):
    """The split cannot be made as asked; the message says why."""


def count_examples(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if not line.isspace())


def held_out_indices(total: int, count: int, seed: int) -> set[int]:
    """The ``count`` indices of ``range(total)`` whose seeded hashes rank lowest."""

    def rank(index: int) -> bytes:
        return hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=8).digest()

    return set(heapq.nsmallest(count, range(total), key=rank))


def split_file(
    source: Path,
    train_out: Path,
    validation_out: Path,
    fraction: float,
    seed: int,
    overwrite: bool = False,
) -> tuple[int, int]:
    """Write the split; return (training examples, validation examples)."""
    if not 0 < fraction < 1:
        raise SplitError(f"--validation-fraction: {fraction} is not between 0 and 1 (exclusive)")
    resolved = {p.resolve() for p in (source, train_out, validation_out)}
    if len(resolved) != 3:
        raise SplitError("the source and the two outputs must be three different files")
    if not overwrite:
        for out in (train_out, validation_out):
            if out.exists():
                raise SplitError(f"{out} exists; pass --force to overwrite it")
    total = count_examples(source)
    if total < 2:
        raise SplitError(f"{source} has {total} examples; a split needs at least 2")
    held_out = min(max(round(total * fraction), 1), total - 1)
    chosen = held_out_indices(total, held_out, seed)
    train_tmp = train_out.with_name(train_out.name + ".tmp")
    validation_tmp = validation_out.with_name(validation_out.name + ".tmp")
    for out in (train_out, validation_out):
        out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            source.open("rb") as handle,
            train_tmp.open("wb") as train,
            validation_tmp.open("wb") as validation,
        ):
            index = 0
            for line in handle:
                if line.isspace():
                    continue
                if not line.endswith(b"\n"):
                    line += b"\n"
                (validation if index in chosen else train).write(line)
                index += 1
        os.replace(train_tmp, train_out)
        os.replace(validation_tmp, validation_out)
    finally:
        train_tmp.unlink(missing_ok=True)
        validation_tmp.unlink(missing_ok=True)
    return total - held_out, held_out
