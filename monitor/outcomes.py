"""The fixed sets of outcomes: of one check of a source, and of one delivery attempt."""

from __future__ import annotations

from typing import Literal, get_args

CheckOutcome = Literal["baseline", "changed", "unchanged", "partial", "failed"]
""""baseline" (first check), "changed", "unchanged", "partial" (some parts failed, the others
were committed) or "failed" (nothing was committed)."""
CHECK_OUTCOMES: tuple[str, ...] = get_args(CheckOutcome)

DeliveryOutcome = Literal["sent", "retry", "failed"]
"""Delivered; failed but will be tried again; failed for good."""
DELIVERY_OUTCOMES: tuple[str, ...] = get_args(DeliveryOutcome)
