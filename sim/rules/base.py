"""Shared units of the decision rules: vectors of issue values, and constants."""

from __future__ import annotations

import math
from collections.abc import Sequence

Vector = Sequence[float]
"""Issue values (normalised to 0..1) or salience weights, in the scenario's issue order."""

LN2 = math.log(2.0)

HOUR_TOLERANCE = 1e-9
"""Hours below which two times count as the same (rounding of the issue scales)."""
