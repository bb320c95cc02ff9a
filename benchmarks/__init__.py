"""Ratio benchmarks: Tagdesk against the raw engine, run side by side in one process (`make bench`)."""
