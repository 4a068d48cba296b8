# legal-monitor in a container: the config is read from /config, the state lives in the /state
# volume, the process runs as uid:gid 10001:10001. docs/docker.md tells how to run and upgrade it.
#   docker build -t legal-monitor .        (or `make image`; `make test-image` also smoke-tests it)

# python:3.12.14-slim-bookworm, pinned by the digest of its multi-platform index (2026-08-25).
# Every stage uses the same base: the venv built in the first runs on the Python of the last.
ARG BASE=python:3.12.14-slim-bookworm@sha256:0f5b26b9518d002b6173fd61daad821fa340635ebfec5bba471013f9ca114579

# --- deps: the dependencies from the lock file, in the venv /opt/legal-monitor ---
FROM ${BASE} AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python3 -m venv /opt/legal-monitor
# The dependencies change rarely: these layers are kept while only the code changes.
COPY requirements.lock /tmp/requirements.lock
RUN /opt/legal-monitor/bin/pip install --no-deps --requirement /tmp/requirements.lock

# --- build: the project's wheel installed into that venv; its own files set apart in /app ---
FROM deps AS build
COPY pyproject.toml README.md LICENSE /src/
COPY monitor /src/monitor
WORKDIR /opt/legal-monitor
RUN bin/pip wheel --no-deps --wheel-dir /tmp/wheels /src \
    && bin/pip install --no-deps /tmp/wheels/legal_monitor-*.whl \
    && bin/pip check \
    && mkdir /app \
    && cp -a --parents bin/legal-monitor lib/python3*/site-packages/monitor \
       lib/python3*/site-packages/legal_monitor-*.dist-info /app/

# --- lean: the dependencies' venv without pip and setuptools ---
FROM deps AS lean
RUN /opt/legal-monitor/bin/pip uninstall --yes pip setuptools

# --- run: the base, a fixed user and group, the venv and the shipped config; no sources, no pip ---
FROM ${BASE}
ARG BASE
ARG VERSION=unknown
LABEL org.opencontainers.image.title="legal-monitor" \
      org.opencontainers.image.description="Watch official legal portals and treaty depositaries; alert on ratifications, accessions and denunciations." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/legal-monitor/legal-monitor" \
      org.opencontainers.image.documentation="https://github.com/legal-monitor/legal-monitor/blob/main/docs/docker.md" \
      org.opencontainers.image.base.name="${BASE}"

RUN groupadd --gid 10001 monitor \
    && useradd --no-log-init --uid 10001 --gid 10001 --no-create-home --home-dir /state \
       --shell /usr/sbin/nologin monitor \
    && install -d -o 10001 -g 10001 -m 0750 /state
# Two layers: the dependencies (kept across code changes), then legal-monitor's own files.
COPY --from=lean /opt/legal-monitor /opt/legal-monitor
COPY --from=build /app /opt/legal-monitor
# The shipped config (its portal sources, no channel) until one is mounted over /config.
COPY config/monitor.toml /config/monitor.toml

# LEGAL_MONITOR_PORT is the port CMD listens on and HEALTHCHECK asks: change both together.
ENV PATH=/opt/legal-monitor/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    LEGAL_MONITOR_CONFIG=/config/monitor.toml \
    LEGAL_MONITOR_PORT=8080
USER 10001:10001
WORKDIR /state
VOLUME ["/state"]
EXPOSE 8080

HEALTHCHECK --interval=60s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/legal-monitor/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['LEGAL_MONITOR_PORT'], timeout=4)"]

# The daemon gives running checks [daemon] shutdown_timeout (10s) on SIGTERM: stop it with a
# longer grace than Docker's 10 s default (`docker run --stop-timeout 30`, compose's stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["legal-monitor"]
# Listening on 0.0.0.0 needs the Host names the pages answer: localhost and 127.0.0.1 (a port
# published on the host's loopback); add --allowed-host NAME for a name a proxy forwards.
CMD ["--log-format", "json", "run", "--http", "0.0.0.0:8080", "--allowed-host", "localhost"]
