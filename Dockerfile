# One image for the API, the Dagster code location and the Dagster run pods:
#   API:           bgc api                      (default command)
#   code location: dagster api grpc -m bgc_pipeline.definitions -a defs -h 0.0.0.0 -p 3030
#   migrations:    bgc db migrate
# Build: make image (docker build -t bgc-analytics:0.1.0 .)

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
# Dependencies first, from the lock, in their own layer: source edits do not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN /opt/venv/bin/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > requirements.txt \
 && /opt/venv/bin/pip install --constraint constraints.txt --requirement requirements.txt
COPY README.md ./
COPY sql ./sql
COPY bgc_core ./bgc_core
COPY bgc_pipeline ./bgc_pipeline
COPY bgc_api ./bgc_api
COPY bgc_cli ./bgc_cli
# A wheel, installed like any user would: the SQL travels inside it (package bgc_sql).
# Then pip and setuptools leave the environment: the runtime layer holds no build tools.
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install --no-deps /wheels/*.whl \
 && /opt/venv/bin/python -m pip uninstall --yes pip setuptools wheel \
 && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BGC_API_HOST=0.0.0.0 \
    BGC_HOME=/tmp/bgc \
    DAGSTER_HOME=/tmp/dagster
COPY --from=builder /opt/venv /opt/venv
WORKDIR /tmp
USER 65534:65534
EXPOSE 3000 3030
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('BGC_API_PORT', '3000') + '/health', timeout=2)"]
CMD ["bgc", "api"]
