"""The legacy migration (seed 000, jobs-api.md): a Space Invoices organisation read over the
legacy v1 API, staged step by step, validated and committed to the target in one
transaction. The kind itself is `kind.LEGACY_MIGRATION`."""
