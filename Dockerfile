# legal-monitor in a container: config and state are volumes, the process runs as a non-root user.
#   docker build -t legal-monitor .
#   docker run -d -v ./config:/config:ro -v lm-state:/state -e SMTP_PASSWORD=… -p 127.0.0.1:8080:8080 legal-monitor
# The config's [state] path must point into /state, e.g. path = "/state/monitor.db", and,
# as the pages listen on 0.0.0.0, [http] allowed_hosts must name the hosts they are reached
# by besides localhost and 127.0.0.1 (e.g. allowed_hosts = ["monitor.example.org"]).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --system --uid 10001 --home-dir /state --shell /usr/sbin/nologin monitor \
    && install -d -o monitor -g monitor /state /config

WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
RUN pip install .

USER monitor
VOLUME ["/config", "/state"]
EXPOSE 8080
ENV LEGAL_MONITOR_CONFIG=/config/monitor.toml

HEALTHCHECK --interval=60s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"

STOPSIGNAL SIGTERM
CMD ["legal-monitor", "--log-format", "json", "run", "--http", "0.0.0.0:8080"]
