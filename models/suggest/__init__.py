"""Model suggestions: spaCy pipelines and EntityRuler patterns pre-annotate documents (no Qt here).

Public API (the GUI and `tagdesk suggest` use exactly these):
- `model_key(project)`: the cache key of the project's suggestions, without loading spaCy.
- `load_suggester(project, name=None)`: the configured `Suggester` (SuggesterError with a clear message if not usable).
- `suggest_documents(project, suggester, ...)`: fill the cache in committed batches; progress and cancel callbacks.
Cached suggestions are read with `models.store.suggestions_for(document_id, model_key, session=...)`.
"""

from __future__ import annotations

from ..errors import SuggesterError
from ..project import Project
from . import spacy_suggester as _builtin  # noqa: F401  (registers "model", "patterns", "model+patterns")
from .base import SpanDict, Suggester, get_factory, register, suggester_names
from .locate import model_key, suggester_key
from .run import suggest_documents

__all__ = [
    "SpanDict",
    "Suggester",
    "SuggesterError",
    "default_suggester_name",
    "load_suggester",
    "model_key",
    "register",
    "suggest_documents",
    "suggester_key",
    "suggester_names",
]


def default_suggester_name(project: Project) -> str:
    """ "model+patterns" when both are configured, else "model" or "patterns"."""
    model = bool(project.config.model.pipeline.strip())
    patterns = bool(project.config.model.patterns)
    if model and patterns:
        return "model+patterns"
    return "patterns" if patterns and not model else "model"


def load_suggester(project: Project, name: str | None = None) -> Suggester:
    """Build the project's suggester (by registry `name`, default from the config) and load its model.

    Takes ~1-2 s for a spaCy pipeline (import + load): call it off the GUI thread. Raises SuggesterError (a
    TagdeskError) naming what was asked, what was found and how to fix it.
    """
    if name is None:
        model_key(project)  # the plain "nothing set" / "not installed" messages, before choosing an implementation
    return get_factory(name or default_suggester_name(project))(project)
