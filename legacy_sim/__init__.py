"""A simulator of the legacy Space Invoices v1 API (spec/legacy-v1.md), for demos and tests.

Deterministic: the same organisation always serves the same records. Faults can be
injected (latency, 5xx, 429 with Retry-After, hangs, token expiry).
"""
