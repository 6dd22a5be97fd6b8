"""Benchmarks of glance-sharing: seed, serve, load, report (see README)."""
