"""Use-cases the UI and the command line share; no Qt."""
