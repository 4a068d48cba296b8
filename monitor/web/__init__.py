"""The web side: the dashboard, the feeds, /metrics and /healthz, served by uvicorn (`serve`, or
beside the daemon). Each name loads its module when first read: a run without pages loads no web
framework."""

from monitor.registry import lazy_names

__getattr__ = lazy_names(__name__, {"Endpoint": ".app:Endpoint", "Metrics": ".metrics:Metrics",
                                    "serve": ".standalone:serve"})

__all__ = ["Endpoint", "Metrics", "serve"]
