"""Fault tests (RELIABILITY.md rows 1-6, 10 and 11) at the storage, service and command-line level."""
