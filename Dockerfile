FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY worker worker
COPY api_stub api_stub
COPY legacy_sim legacy_sim
COPY sql sql
RUN pip install --no-cache-dir .
# the service runs as a user of its own, not root
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin service
USER service
ENV LOG_FORMAT=json
