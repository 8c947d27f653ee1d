"""Matplotlib Figure builders (no pyplot, no Qt): radar, overlay, small multiples, trends, gaps, my practice."""
