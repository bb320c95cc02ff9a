"""Benchmarks: ratios and timings against the physical limits (PERF-LIMITS.md); not run as tests."""
