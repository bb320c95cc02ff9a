"""Measures over a project's annotations, without Qt or SQL: `agreement` between annotators."""

from __future__ import annotations

from .agreement import Agreement, PairAgreement, SpanCounts, cohen_kappa, measure

__all__ = ["Agreement", "PairAgreement", "SpanCounts", "cohen_kappa", "measure"]
