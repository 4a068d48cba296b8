"""The pipeline: a check of a source (collect, diff, events, commit), the treaty links and stories
after it, one round from the command line, and the delivery of what the outbox holds."""

from monitor.pipeline.check import CheckReport, check_all, check_source
from monitor.pipeline.deliver import Delivered, Deliverer
from monitor.pipeline.once import check_once, deliver_round, known_sources, listed_sources, release_once

__all__ = ["CheckReport", "Delivered", "Deliverer", "check_all", "check_once", "check_source", "deliver_round",
           "known_sources", "listed_sources", "release_once"]
