"""Migration worker service: the enqueue layer, the step engine, sources and target writer.

Importable without the web layer: other Python services use `worker.enqueue`.
"""
