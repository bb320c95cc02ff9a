"""Tagdesk's Qt application (PySide6): the only package that imports Qt.

Modules import Qt themselves; importing `desktop` alone does not, so `desktop.cli` can run headless commands.
"""
