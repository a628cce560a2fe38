"""The HTTP API (an ASGI app, FastAPI): the job API of spec/jobs-api.md, health and metrics."""
