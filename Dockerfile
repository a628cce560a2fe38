FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY worker worker
COPY api_stub api_stub
COPY legacy_sim legacy_sim
COPY sql sql
RUN pip install --no-cache-dir .
ENV LOG_FORMAT=json
