"""Tagdesk's core: the project, its store, formats and NLP, with no Qt.

Everything here can run from a script or the command line with no display.
"""

from __future__ import annotations

__version__ = "0.1.0"
