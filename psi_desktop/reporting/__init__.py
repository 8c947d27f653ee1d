"""PDF documents built with reportlab from domain objects and chart Figures (imported only to export)."""
