"""The `Suggester` interface and the registry of suggesters by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import SuggesterError
from ..project import Project

# One suggested span: {"start": int, "end": int, "label": str, "origin": "model" | "pattern", "score": float | None}
# Offsets are Python str indices, end-exclusive; labels are project labels (already mapped).
SpanDict = dict[str, Any]


class Suggester(ABC):
    """Pre-annotates texts. `key` names what made the suggestions (the cache key in the `suggestion` table)."""

    name: str = ""
    key: str = ""

    @abstractmethod
    def suggest(self, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1) -> Iterator[list[SpanDict]]:
        """Yield each text's spans, in order, sorted by start; texts are consumed lazily."""

    def suggest_scored(self, texts: Iterable[str], *, batch_size: int = 64) -> Iterator[tuple[list[SpanDict], float]]:
        """Like `suggest`, with each model span's probability in "score" and the document's uncertainty (0.0 to
        1.0, see `models.suggest.confidence`). A suggester without probabilities ranks every document certain."""
        for spans in self.suggest(texts, batch_size=batch_size):
            yield spans, 0.0


SuggesterFactory = Callable[[Project], Suggester]
_REGISTRY: dict[str, SuggesterFactory] = {}


def register(name: str) -> Callable[[SuggesterFactory], SuggesterFactory]:
    """Decorator: make `factory(project) -> Suggester` available as `name`."""

    def add(factory: SuggesterFactory) -> SuggesterFactory:
        _REGISTRY[name] = factory
        return factory

    return add


def suggester_names() -> list[str]:
    return sorted(_REGISTRY)


def get_factory(name: str) -> SuggesterFactory:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise SuggesterError(f"no suggester named {name!r}; choose one of {', '.join(suggester_names())}") from None
