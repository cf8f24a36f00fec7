# Feed warehouse image: Airflow 3 + dbt-duckdb + DuckDB + Great Expectations, from uv.lock.
# One image serves every Airflow component in docker-compose.yml. (No `# syntax=` line: BuildKit
# would fetch that frontend from a registry, which an air-gapped build cannot reach.)
# PYTHON_IMAGE: the official image by default; the air-gapped build (docker-compose.airgap.yml,
# `make up AIRGAP=1`) passes one built from the Debian mirror with the same paths.
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

# uv, pinned (the same version that wrote uv.lock).
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/feedwarehouse/.venv

WORKDIR /opt/feedwarehouse

# Dependencies first: this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --extra deploy --no-install-project

# Then the project itself. It stays an editable install (no --no-editable): feedwarehouse.config
# finds dbt_project/, expectations/ and feeds.yml relative to include/feedwarehouse.
COPY include/ ./include/
COPY dags/ ./dags/
COPY dbt_project/ ./dbt_project/
COPY expectations/ ./expectations/
COPY feeds.yml ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --extra deploy

# Non-root runtime user (uid 50000, as in the official Airflow image). The code stays root-owned
# and read-only to it; it writes only to AIRFLOW_HOME and the data volume. /data is created here
# so a fresh named volume mounted there inherits the airflow ownership.
RUN useradd --uid 50000 --gid 0 --create-home --home-dir /home/airflow --shell /bin/bash airflow \
    && mkdir -p /opt/airflow/logs /data/landing /lake \
    && chown -R airflow:0 /opt/airflow /data /lake

ENV PATH="/opt/feedwarehouse/.venv/bin:${PATH}" \
    VIRTUAL_ENV=/opt/feedwarehouse/.venv \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/feedwarehouse/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=false \
    FEEDWAREHOUSE_DATA_DIR=/data \
    FEEDWAREHOUSE_FEEDS=/opt/feedwarehouse/feeds.yml \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    GX_ANALYTICS_ENABLED=false

USER airflow
EXPOSE 8080
CMD ["airflow", "version"]
