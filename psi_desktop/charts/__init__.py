"""Matplotlib Figure builders for PSI Desktop (no pyplot, no Qt): radar, and later overlay and trends."""
