# syntax=docker/dockerfile:1
#
# o2krm container images: one build target per KRM function, and one for o2imsctl.
#
#   docker build --target pr-generate -t ghcr.io/o2krm/pr-generate:v0.1.0 .
#   make images            # every target, with docker or podman (see mk/images.mk)
#
# The builder stage turns the source into wheels (the only step that uses the network); the
# runtime stage installs them offline into a virtual environment on python:3.11-slim, without
# pip, and runs as nobody. kpt and Porch run function containers with networking disabled and
# nothing in the images needs it: no package index, no downloads, schemas ship in the wheel.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: wheels for o2krm and its dependencies -------------------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml README.md ./
COPY functions ./functions
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels .

# --- runtime: the common base of every image ------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG O2KRM_VERSION=0.1.0
ARG VCS_REF=unknown
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
# Installed from the builder's wheels only (--no-index): the version must be the one built.
# Byte code is compiled at install time, since nobody cannot write it at run time and every
# function call is a fresh process. pip leaves the image afterwards.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv --without-pip /opt/o2krm \
    && python -m pip --python /opt/o2krm/bin/python install --no-cache-dir --no-index --compile \
        --find-links=/wheels "o2krm==${O2KRM_VERSION}" \
    && python -m pip uninstall --yes pip setuptools wheel
ENV PATH=/opt/o2krm/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
LABEL org.opencontainers.image.version="${O2KRM_VERSION}" \
      org.opencontainers.image.revision="${VCS_REF}" \
      org.opencontainers.image.source="https://github.com/o2krm/o2krm" \
      org.opencontainers.image.url="https://github.com/o2krm/o2krm" \
      org.opencontainers.image.documentation="https://github.com/o2krm/o2krm#readme" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="o2krm" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim"
WORKDIR /tmp
USER 65534:65534

# --- one target per function: the entrypoint is the function's console script ------------------
FROM runtime AS intent-translate
LABEL org.opencontainers.image.title="intent-translate" \
      org.opencontainers.image.description="KRM function: TMF921 intent to 3GPP TS 28.312 Intent"
ENTRYPOINT ["/opt/o2krm/bin/intent-translate"]

FROM runtime AS pr-generate
LABEL org.opencontainers.image.title="pr-generate" \
      org.opencontainers.image.description="KRM function: TS 28.312 Intent to O2 IMS ProvisioningRequests"
ENTRYPOINT ["/opt/o2krm/bin/pr-generate"]

FROM runtime AS network-config
LABEL org.opencontainers.image.title="network-config" \
      org.opencontainers.image.description="KRM function: VLANs, subnets, gateways, IPClaims, VLANClaims and NADs"
ENTRYPOINT ["/opt/o2krm/bin/network-config"]

FROM runtime AS slo-gate-inject
LABEL org.opencontainers.image.title="slo-gate-inject" \
      org.opencontainers.image.description="KRM function: SLOGate and MeasurementJob per ProvisioningRequest"
ENTRYPOINT ["/opt/o2krm/bin/slo-gate-inject"]

FROM runtime AS policy-validate
LABEL org.opencontainers.image.title="policy-validate" \
      org.opencontainers.image.description="KRM validator: schemas, pod security, RBAC, network, images, SLO sanity"
ENTRYPOINT ["/opt/o2krm/bin/policy-validate"]

FROM runtime AS set-labels
LABEL org.opencontainers.image.title="set-labels" \
      org.opencontainers.image.description="KRM function: set labels (the o2krm SDK example)"
ENTRYPOINT ["/opt/o2krm/bin/set-labels"]

# --- o2imsctl: the O2 IMS command line, not a KRM function ------------------------------------
FROM runtime AS o2imsctl
LABEL org.opencontainers.image.title="o2imsctl" \
      org.opencontainers.image.description="o2imsctl: drive O2 IMS ProvisioningRequests (fake and real mode)"
ENTRYPOINT ["/opt/o2krm/bin/o2imsctl"]
