"""PSI Desktop: reflective clinical supervision with the Power Safety Identity model."""

__version__ = "0.1.0"
