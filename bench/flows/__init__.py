"""Benchmark flows, one module per feature (see bench/harness.py for the interface)."""
