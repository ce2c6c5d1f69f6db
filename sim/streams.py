"""Random streams: one root seed, one stream per replication and source of chance.

Replication ``i`` of a run with root seed ``root`` owns ``SeedSequence(root,
spawn_key=(i,))``. Inside it each party and each source of chance has its own stream,
seeded from the replication's entropy and the stream's name (``random.Random`` hashes
bytes seeds with SHA-512), so adding a party or a source never shifts anybody else's
draws, and a worker given ``(root, first, last)`` rebuilds exactly the streams a serial
run would use. The sources are the shocks of the talks and, per party in the ceasefire,
the perception of its acts, their hits on convoys, its retaliation and, for a spoiler,
the strikes on it (``perception:regime``, ``convoys:jfs``, ``strikes:jfs``, ...): an act
more or fewer by one party changes another's draws only through what that act causes
(its victim's retaliation, say), never by shifting them, which keeps paired
replications paired.

Streams are ``random.Random`` instances: drawing single numbers from them is several
times faster than from numpy generators, and the model draws one number at a time.
One SeedSequence per replication (not one per stream) keeps set-up cheap.
"""

from __future__ import annotations

import random

import numpy as np


def replication_entropy(root: int, replication: int) -> bytes:
    """128 bits from ``SeedSequence(root, spawn_key=(replication,))``."""
    seq = np.random.SeedSequence(root, spawn_key=(replication,))
    return seq.generate_state(4, dtype=np.uint32).tobytes()


def make_stream(entropy: bytes, name: str) -> random.Random:
    """The stream called ``name`` of the replication with this entropy."""
    return random.Random(entropy + b"/" + name.encode("utf-8"))


class Streams:
    """Lazily created named streams of one replication."""

    __slots__ = ("_cache", "_entropy", "_parties", "replication", "root")

    def __init__(self, root: int, replication: int) -> None:
        self.root = root
        self.replication = replication
        self._entropy = replication_entropy(root, replication)
        self._cache: dict[str, random.Random] = {}
        self._parties: dict[str, random.Random] = {}

    def get(self, name: str) -> random.Random:
        """The stream called ``name`` (created on first use)."""
        rng = self._cache.get(name)
        if rng is None:
            rng = self._cache[name] = make_stream(self._entropy, name)
        return rng

    def party(self, name: str) -> random.Random:
        """The stream of a party's own choices (timing of its acts, ratification)."""
        rng = self._parties.get(name)
        if rng is None:
            rng = self._parties[name] = self.get("party:" + name)
        return rng


def first_use(made: dict[str, random.Random], streams: Streams, purpose: str,
              name: str) -> random.Random:
    """The stream ``purpose:name``, made on its first use and kept in ``made``, a table
    of one purpose keyed by party that its caller reads directly on every act (no name
    is built there): a replication that never needs a stream does not pay to seed it."""
    rng = made[name] = streams.get(f"{purpose}:{name}")
    return rng
