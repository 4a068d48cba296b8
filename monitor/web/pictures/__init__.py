"""Pictures for the dashboard: SVG maps, curves and timelines drawn with pygal from the same rows as the tables."""

from monitor.web.pictures.cache import Pictures
from monitor.web.pictures.charts import MONTH_TYPES, Mark, months_chart, parties_curve, state_timeline, treaty_map
from monitor.web.pictures.standing import (
    STANDING_LABELS,
    STANDINGS,
    Standing,
    Standings,
    Step,
    alpha_2,
    on_the_map,
    standings,
    unplaced,
)

__all__ = ["MONTH_TYPES", "Mark", "Pictures", "STANDINGS", "STANDING_LABELS", "Standing", "Standings", "Step", "alpha_2", "months_chart",
           "parties_curve", "on_the_map", "standings", "state_timeline", "treaty_map", "unplaced"]
