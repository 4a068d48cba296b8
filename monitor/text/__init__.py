"""Text on the ground floor: portal text made safe, secrets masked, lookalike letters, and words as people read them."""

from monitor.text.humanize import human_date, human_time, local, local_iso, plural, relative, shown, span
from monitor.text.lookalikes import FLAG, unmixed
from monitor.text.redact import drop_params, mask_text, mask_url
from monitor.text.sanitize import shown_error, strip_controls, strip_controls_in, web_link

__all__ = ["FLAG", "drop_params", "human_date", "human_time", "local", "local_iso", "mask_text", "mask_url",
           "plural", "relative", "shown", "shown_error", "span", "strip_controls", "strip_controls_in",
           "unmixed", "web_link"]
