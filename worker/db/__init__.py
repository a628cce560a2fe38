"""Postgres access: the pool, the named queries from `sql/queries`, the schema runner."""
