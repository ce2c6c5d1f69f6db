"""Rules of the humanitarian pause: how many aid convoys it dispatches."""

from __future__ import annotations

import math

from sim.rules.base import HOUR_TOLERANCE


def convoy_count(pause_hours: float, interval: float, calm: float, aid_access: float,
                 cap: int) -> int:
    """Convoys dispatched during the pause.

    As many departures as fit (each needs ``calm`` hours inside the pause), capped at
    ``cap`` when positive, scaled by the agreed share of besieged areas reached.

    Raises:
        ValueError: no cap, and departures too many to count (an interval of 1e-308 h
            fits infinitely many in a 5-hour pause). A scenario's validation refuses an
            uncapped count above ``MAX_CONVOYS`` long before this.
    """
    # a pause read back from the 0..1 issue scale can fall a rounding error short of a
    # departure time (102 h comes back as 101.99999999999999 h): that must not cost a convoy
    span = pause_hours - calm + HOUR_TOLERANCE
    if span < 0:
        return 0
    room = span // interval  # (a float: infinite for an interval of 1e-310 h)
    if cap <= 0 and math.isinf(room):
        raise ValueError(f"convoys every {interval!r} h over {span!r} h are too many to count; "
                         "set a cap (max_per_pause) or a longer interval")
    fit = cap if cap > 0 and room + 1 >= cap else int(room) + 1
    return math.floor(aid_access * fit + 0.5)
