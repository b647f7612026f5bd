# One image for the API, the Dagster code location and the Dagster run pods:
#   API:           bgc api                      (default command)
#   code location: dagster api grpc -m bgc_pipeline.definitions -a defs -h 0.0.0.0 -p 3030
#   migrations:    bgc db migrate
# Build: docker build -t bgc-analytics:0.1.0 .

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
# Dependencies first, from the lock, in their own layer: source edits do not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN /opt/venv/bin/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > requirements.txt \
 && /opt/venv/bin/pip install --constraint constraints.txt --requirement requirements.txt
COPY README.md workspace.yaml ./
COPY sql ./sql
COPY bgc_pipeline ./bgc_pipeline
COPY bgc_api ./bgc_api
# Editable: the code reads sql/ next to the packages.
RUN /opt/venv/bin/pip install --no-deps --editable . \
 && find /opt/venv /app -name '__pycache__' -prune -exec rm -rf {} +

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BGC_API_HOST=0.0.0.0 \
    BGC_HOME=/tmp/bgc \
    DAGSTER_HOME=/tmp/dagster
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
WORKDIR /app
USER 65534:65534
EXPOSE 3000 3030
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('BGC_API_PORT', '3000') + '/health', timeout=2)"]
CMD ["bgc", "api"]
