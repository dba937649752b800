"""Fusion of first-stage runs (beyond the paper): reciprocal rank fusion and min-max CombSUM, one method per module."""
