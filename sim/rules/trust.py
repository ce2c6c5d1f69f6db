"""Rules of trust: how perceived violations lower it, how calm restores it, and when
a party withdraws."""

from __future__ import annotations

import math


def trust_after_violation(trust: float, sensitivity: float, severity: float) -> float:
    """Trust after a perceived violation of the given severity; stays within 0..1."""
    return min(max(trust - sensitivity * severity, 0.0), 1.0)


def trust_after_calm(trust: float, baseline: float, rate_per_hour: float, hours: float) -> float:
    """Trust after ``hours`` of calm: recovers exponentially toward ``baseline``.

    Never falls: a party above its baseline (impossible in the model, as trust starts
    there and only loses) would stay where it is. No calm (no hours, or no recovery)
    leaves trust exactly as it was: ``baseline - (baseline - trust)`` can round a bit
    above ``trust``, which raised trust over zero hours, between two acts at one moment.
    """
    decay = math.exp(-rate_per_hour * hours)
    if trust >= baseline or decay == 1.0:
        return trust
    # clamped: with little calm, baseline - (baseline - trust) can round below trust
    return max(trust, baseline - (baseline - trust) * decay)


def withdraws(trust: float, tolerance: float) -> bool:
    """A party leaves the ceasefire exactly when its trust is below its tolerance."""
    return trust < tolerance
