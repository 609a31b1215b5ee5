"""blocnotes: Le Bloc-Notes de l'Agence, from Markdown to an A4 PDF and an EPUB 3."""

from __future__ import annotations

__version__ = "0.1.0"
