# syntax=docker/dockerfile:1
# seawall's own image: the CLI on a slim Python, running as an unprivileged user.
#
# Base images are pinned by digest so a rebuild gets exactly the same base. The digests
# below are placeholders (this repository is never built where the registry is
# reachable): replace each with the digest `docker buildx imagetools inspect
# python:3.11-slim-bookworm` prints, and let Renovate/Dependabot keep it current.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:0000000000000000000000000000000000000000000000000000000000000000

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
# Only what the build needs; COPY (never ADD) so nothing is fetched or unpacked implicitly.
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN python -m venv /opt/seawall \
    && /opt/seawall/bin/pip install --no-cache-dir --no-compile . \
    && /opt/seawall/bin/python -m compileall -q /opt/seawall/lib

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="seawall" \
      org.opencontainers.image.description="Container image security without a Docker daemon" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/seawall/seawall"
RUN groupadd --system --gid 10001 seawall \
    && useradd --system --uid 10001 --gid seawall --create-home --home-dir /home/seawall seawall
COPY --from=build /opt/seawall /opt/seawall
ENV PATH=/opt/seawall/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SEAWALL_CACHE_DIR=/home/seawall/.cache/seawall
USER 10001:10001
WORKDIR /work
# A one-shot CLI, not a service: there is nothing to health-check, and an orchestrator
# never keeps it running. The server (`seawall server`, later) gets its own image with a
# HEALTHCHECK on its health endpoint.
HEALTHCHECK NONE
ENTRYPOINT ["seawall"]
CMD ["--help"]
