"""Review: settling several annotators' annotations of a document into its gold annotation (no SQL, no Qt).

`propose` lays the annotators' spans side by side: a span every annotator chose is *agreed* (the review starts
from it, accepted unless the reviewer removes it); a span only some chose is *disputed*, with who chose it, and
disputed spans that share characters form a *group* the reviewer picks at most one of. The gold annotation is
written through the ordinary decision functions as the annotation of `models.team.GOLD`
(`models/store/decisions.py`), so it has its own version and its history in the event log.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import store
from .team import GOLD

if TYPE_CHECKING:
    from sqlmodel import Session

SpanTuple = tuple[int, int, str]


@dataclass(frozen=True)
class Choice:
    """A span and the annotators who chose exactly it."""

    start: int
    end: int
    label: str
    annotators: tuple[str, ...]

    @property
    def span(self) -> SpanTuple:
        return (self.start, self.end, self.label)


@dataclass
class Proposal:
    """What a reviewer sees of one document: who annotated it, what they all chose, where they differ."""

    document_id: int
    text: str
    annotators: list[str]
    agreed: list[Choice] = field(default_factory=list)
    disputed: list[Choice] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.disputed)

    def groups(self) -> list[list[Choice]]:
        """Disputed choices in reading order, grouped where they share characters (alternatives)."""
        out: list[list[Choice]] = []
        end = -1
        for choice in self.disputed:
            if out and choice.start < end:
                out[-1].append(choice)
                end = max(end, choice.end)
            else:
                out.append([choice])
                end = choice.end
        return out

    def chosen_by(self, span: SpanTuple) -> tuple[str, ...]:
        """Who chose exactly this span (empty: nobody, e.g. one the reviewer drew)."""
        for choice in (*self.agreed, *self.disputed):
            if choice.span == span:
                return choice.annotators
        return ()


def propose(document_id: int, text: str, spans: Mapping[str, Sequence[SpanTuple]]) -> Proposal:
    """The proposal for a document from each annotator's spans (`spans`: annotator -> spans)."""
    annotators = sorted(spans)
    who: dict[SpanTuple, list[str]] = {}
    for name in annotators:
        for start, end, label in spans[name]:  # a list [start, end, label] counts as the same span as a tuple
            who.setdefault((start, end, label), []).append(name)
    proposal = Proposal(document_id, text, annotators)
    for span in sorted(who):
        choice = Choice(*span, annotators=tuple(who[span]))
        (proposal.agreed if len(choice.annotators) == len(annotators) else proposal.disputed).append(choice)
    return proposal


def proposal_for(document_id: int, *, session: Session) -> Proposal | None:
    """The proposal for one document from the annotators who accepted it; None when fewer than two did."""
    for doc in store.side_by_side(session=session, document_ids=[document_id]):
        return propose(doc.document_id, doc.text, doc.spans)
    return None


def to_review(*, session: Session) -> Iterator[Proposal]:
    """Documents whose annotators differ and that no reviewer has decided yet, in project order."""
    for doc in store.side_by_side(session=session, unreviewed=True):
        proposal = propose(doc.document_id, doc.text, doc.spans)
        if proposal.differs:
            yield proposal


__all__ = ["GOLD", "Choice", "Proposal", "propose", "proposal_for", "to_review"]
