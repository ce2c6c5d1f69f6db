"""Random streams: one root seed, one stream per replication and source of chance.

Replication ``i`` of a run with root seed ``root`` owns ``SeedSequence(root,
spawn_key=(i,))``. Inside it each party and each source of chance (shocks, perception,
convoys) has its own stream, keyed by a stable number derived from its name, so adding
a party or a source never shifts anybody else's draws, and a worker given
``(root, first, last)`` rebuilds exactly the streams a serial run would use.

Streams are ``random.Random`` instances: drawing single numbers from them is several
times faster than from numpy generators, and the model draws one number at a time.
"""

from __future__ import annotations

import random
import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (CRC-32, the same on every platform)."""
    return zlib.crc32(name.encode("utf-8"))


def make_stream(root: int, replication: int, name: str) -> random.Random:
    """The stream called ``name`` in replication ``replication`` of root seed ``root``."""
    seq = np.random.SeedSequence(root, spawn_key=(replication, stream_key(name)))
    words = seq.generate_state(4, dtype=np.uint32)
    return random.Random(int.from_bytes(words.tobytes(), "little"))


class Streams:
    """Lazily created named streams of one replication."""

    __slots__ = ("_cache", "replication", "root")

    def __init__(self, root: int, replication: int) -> None:
        self.root = root
        self.replication = replication
        self._cache: dict[str, random.Random] = {}

    def get(self, name: str) -> random.Random:
        """The stream called ``name`` (created on first use)."""
        rng = self._cache.get(name)
        if rng is None:
            rng = self._cache[name] = make_stream(self.root, self.replication, name)
        return rng

    def party(self, name: str) -> random.Random:
        """The stream of a party's own choices (timing of its acts, ratification)."""
        return self.get("party:" + name)
