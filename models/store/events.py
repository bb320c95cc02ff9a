"""The event log: what each action writes in its event's payload, and the replay that rebuilds annotations from it.

Every change to an annotation appends one `event` row in the same transaction (the decision functions, imports,
and the migration that introduced this log). Replaying a document's events in id order, from empty, rebuilds
each annotator's annotation: spans (start, end, label, origin, score), status, version, dismissals, seconds spent.
Payloads carry `"version"`, the annotation's version after the event. Spans are lists
`[start, end, label, origin, score]`; dismissals `[start, end, label]`.

| action | payload besides "version" |
|---|---|
| add_span | span, undismissed (dismissals forgotten in the same transaction) |
| remove_span | span, dismissed (suggestions dismissed in the same transaction) |
| update_span | before, after |
| set_status | status, before, added, removed (spans), seconds (added by this decision) |
| dismiss_suggestion, restore_suggestion | span ([start, end, label]) |
| set_note | comment, flag, before ({"comment", "flag"}): the annotator's note on the document |
| rename_label | before, after, by: the annotation's spans and dismissals labelled `before` take `after` |
| remove_label | label, removed (spans), by: those spans went with the label |
| import | status, spans, source, import_id: the annotation as the import stored it (at version 1 when new) |
| baseline | status, spans, dismissed, seconds: an annotation as it was when this log began |

An annotation's events before its `baseline` are older history in older payload shapes; the baseline sums them
up and the replay starts there. Events of other actions (project settings, comments) are counted, not replayed:
they must not change an annotation's version.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SpanTuple = tuple[int, int, str, str, "float | None"]  # start, end, label, origin, score
Dismissed = tuple[int, int, str]  # start, end, label
Payload = dict[str, Any]

REPLAYED = frozenset(
    {
        "add_span",
        "remove_span",
        "update_span",
        "set_status",
        "dismiss_suggestion",
        "restore_suggestion",
        "import",
        "baseline",
        "set_note",
        "rename_label",
        "remove_label",
    }
)


# ---------------------------------------------------------------------------------------------- payload builders
def span_item(span: Sequence[Any]) -> list[Any]:
    """A span as a payload holds it: [start, end, label, origin, score]."""
    start, end, label, origin, score = span
    return [int(start), int(end), str(label), str(origin), None if score is None else float(score)]


def dismissal_item(item: Sequence[Any]) -> list[Any]:
    start, end, label = item
    return [int(start), int(end), str(label)]


# The payloads of actions on an annotation; the decision functions add "version" when they write the event.
def add_span(span: Sequence[Any], *, undismissed: Iterable[Sequence[Any]] = ()) -> Payload:
    return {"span": span_item(span), "undismissed": [dismissal_item(d) for d in undismissed]}


def remove_span(span: Sequence[Any], *, dismissed: Iterable[Sequence[Any]] = ()) -> Payload:
    return {"span": span_item(span), "dismissed": [dismissal_item(d) for d in dismissed]}


def update_span(before: Sequence[Any], after: Sequence[Any]) -> Payload:
    return {"before": span_item(before), "after": span_item(after)}


def set_status(
    status: str,
    *,
    before: str,
    added: Iterable[Sequence[Any]] = (),
    removed: Iterable[Sequence[Any]] = (),
    seconds: float = 0.0,
) -> Payload:
    return {
        "status": status,
        "before": before,
        "added": [span_item(s) for s in added],
        "removed": [span_item(s) for s in removed],
        "seconds": float(seconds),
    }


def dismissal(item: Sequence[Any]) -> Payload:
    """The payload of `dismiss_suggestion` and `restore_suggestion`."""
    return {"span": dismissal_item(item)}


def set_note(comment: str, flag: str | None, *, before: tuple[str, str | None]) -> Payload:
    return {"comment": comment, "flag": flag, "before": {"comment": before[0], "flag": before[1]}}


def rename_label(before: str, after: str, *, by: str) -> Payload:
    """Spans and dismissals of an annotation labelled `before` take `after` (a label renamed by `by`)."""
    return {"before": before, "after": after, "by": by}


def remove_label(label: str, removed: Iterable[Sequence[Any]], *, by: str) -> Payload:
    """The annotation's spans labelled `label` went with the label (removed by `by`)."""
    return {"label": label, "removed": [span_item(s) for s in removed], "by": by}


def imported(status: str, spans: Iterable[Sequence[Any]], *, source: str, import_id: int, version: int = 1) -> Payload:
    return {
        "status": status,
        "spans": [span_item(s) for s in spans],
        "source": source,
        "import_id": import_id,
        "version": version,
    }


def baseline(
    status: str, spans: Iterable[Sequence[Any]], *, dismissed: Iterable[Sequence[Any]], seconds: float, version: int
) -> Payload:
    return {
        "status": status,
        "spans": [span_item(s) for s in spans],
        "dismissed": [dismissal_item(d) for d in dismissed],
        "seconds": float(seconds),
        "version": version,
    }


# ---------------------------------------------------------------------------------------------- replay
@dataclass
class AnnotationState:
    """One annotator's annotation of one document, as the tables hold it or as the replay rebuilt it."""

    status: str = "pending"
    spans: dict[tuple[int, int], SpanTuple] = field(default_factory=dict)
    dismissed: set[Dismissed] = field(default_factory=set)
    seconds: float = 0.0
    version: int = 0
    note: tuple[str, str | None] = ("", None)  # comment, flag

    def differences(self, other: AnnotationState) -> list[str]:
        """What differs from `other`, in words (empty when they agree); `self` is the table, `other` the log."""
        out = []
        if self.status != other.status:
            out.append(f"status is {self.status!r} but the event log says {other.status!r}")
        if self.version != other.version:
            out.append(f"version is {self.version} but the event log says {other.version}")
        if not math.isclose(self.seconds, other.seconds, rel_tol=1e-9, abs_tol=1e-6):
            out.append(f"seconds spent is {self.seconds:g} but the event log says {other.seconds:g}")
        mine, theirs = set(self.spans.values()), set(other.spans.values())
        if mine != theirs:
            extra = sorted(mine - theirs, key=_order)
            missing = sorted(theirs - mine, key=_order)
            out.append(
                f"spans stored but not in the event log: {_spans(extra)}; in the log, not stored: {_spans(missing)}"
            )
        if self.note != other.note:
            out.append(f"the note is {self.note} but the event log says {other.note}")
        if self.dismissed != other.dismissed:
            out.append(
                f"dismissals stored but not in the event log: {sorted(self.dismissed - other.dismissed)}; "
                f"in the log, not stored: {sorted(other.dismissed - self.dismissed)}"
            )
        return out


def _order(span: SpanTuple) -> tuple[int, int, str]:
    return span[0], span[1], span[2]


def _spans(spans: list[SpanTuple]) -> str:
    return (
        "["
        + ", ".join(f"{s}-{e} {lab} ({origin}{'' if sc is None else f' {sc:g}'})" for s, e, lab, origin, sc in spans)
        + "]"
        if spans
        else "none"
    )


def _span(item: Sequence[Any]) -> SpanTuple:
    start, end, label, origin, score = item
    return int(start), int(end), str(label), str(origin), None if score is None else float(score)


def _dismissed(item: Sequence[Any]) -> Dismissed:
    start, end, label = item
    return int(start), int(end), str(label)


class ReplayError(Exception):
    """An event that cannot follow the ones before it (a version skipped, a span removed that is not there)."""


def apply(state: AnnotationState, action: str, payload: Payload) -> None:
    """Apply one event to the annotation it belongs to. Raises ReplayError when it does not fit the state."""
    version = int(payload["version"])
    if action == "baseline":
        state.status = str(payload["status"])
        state.spans = {(s[0], s[1]): s for s in map(_span, payload["spans"])}
        state.dismissed = {_dismissed(d) for d in payload["dismissed"]}
        state.seconds = float(payload["seconds"])
        state.version = version
        return
    if action == "import":
        # an import states the whole annotation it stored (new documents start from empty at version 1)
        if version != state.version + 1:
            raise ReplayError(f"the import claims version {version} after version {state.version}")
        state.status = str(payload["status"])
        state.spans = {(s[0], s[1]): s for s in map(_span, payload["spans"])}
        state.version = version
        return
    if version != state.version + 1:
        raise ReplayError(f"{action} claims version {version} after version {state.version}")
    if action == "add_span":
        _add(state, _span(payload["span"]))
        state.dismissed -= {_dismissed(d) for d in payload["undismissed"]}
    elif action == "remove_span":
        _remove(state, _span(payload["span"]))
        state.dismissed |= {_dismissed(d) for d in payload["dismissed"]}
    elif action == "update_span":
        _remove(state, _span(payload["before"]))
        _add(state, _span(payload["after"]))
    elif action == "set_status":
        if payload["before"] != state.status:
            raise ReplayError(f"set_status says the status was {payload['before']!r}, the log says {state.status!r}")
        for span in payload["removed"]:
            _remove(state, _span(span))
        for span in payload["added"]:
            _add(state, _span(span))
        state.status = str(payload["status"])
        state.seconds += float(payload["seconds"])
    elif action == "dismiss_suggestion":
        state.dismissed.add(_dismissed(payload["span"]))
    elif action == "restore_suggestion":
        state.dismissed.discard(_dismissed(payload["span"]))
    elif action == "set_note":
        before = payload["before"]
        if (before["comment"], before["flag"]) != state.note:
            raise ReplayError(f"set_note says the note was {before}, the log says {state.note}")
        state.note = (str(payload["comment"]), payload["flag"])
    elif action == "rename_label":
        old, new = str(payload["before"]), str(payload["after"])
        state.spans = {k: (s, e, new if lab == old else lab, o, sc) for k, (s, e, lab, o, sc) in state.spans.items()}
        state.dismissed = {(s, e, new if lab == old else lab) for s, e, lab in state.dismissed}
    elif action == "remove_label":
        for span in payload["removed"]:
            _remove(state, _span(span))
    else:
        raise ReplayError(f"{action!r} is not an action that changes an annotation")
    state.version = version


def _add(state: AnnotationState, span: SpanTuple) -> None:
    key = (span[0], span[1])
    for (start, end), other in state.spans.items():
        if start < span[1] and end > span[0]:
            raise ReplayError(f"adds {_spans([span])}, which overlaps {_spans([other])}")
    state.spans[key] = span


def _remove(state: AnnotationState, span: SpanTuple) -> None:
    found = state.spans.get((span[0], span[1]))
    if found != span:
        raise ReplayError(
            f"removes {_spans([span])}, but the annotation has {_spans([found]) if found else 'no span there'}"
        )
    del state.spans[(span[0], span[1])]


@dataclass
class EventRow:
    id: int
    document_id: int | None
    annotator: str
    action: str
    payload: Payload


@dataclass
class Replay:
    """Annotations rebuilt from a set of events, and what could not be replayed."""

    states: dict[tuple[int, str], AnnotationState] = field(default_factory=dict)
    replayed: int = 0
    superseded: int = 0  # older events summed up by a later baseline
    other: Counter[str] = field(default_factory=Counter)  # events of actions that do not change annotations
    problems: dict[tuple[int, str], str] = field(default_factory=dict)  # first event that did not fit, per annotation


def replay(rows: Iterable[EventRow], into: Replay | None = None) -> Replay:
    """Replay events (all of a set of documents, in id order) from empty. An annotation whose events stop making
    sense keeps its first problem in `problems` and is not replayed further."""
    out = into if into is not None else Replay()
    rows = list(rows)
    last_baseline: dict[tuple[int, str], int] = {}
    for row in rows:
        if row.action == "baseline" and row.document_id is not None:
            last_baseline[(row.document_id, row.annotator)] = row.id
    for row in rows:
        if row.document_id is None or row.action not in REPLAYED:
            out.other[row.action] += 1
            continue
        key = (row.document_id, row.annotator)
        if row.id < last_baseline.get(key, 0):
            out.superseded += 1
            continue
        if key in out.problems:
            continue
        state = out.states.setdefault(key, AnnotationState())
        try:
            apply(state, row.action, row.payload)
        except (ReplayError, KeyError, TypeError, ValueError) as exc:
            reason = exc if isinstance(exc, ReplayError) else f"payload {row.payload} cannot be read ({exc!r})"
            out.problems[key] = f"event {row.id} ({row.action}): {reason}"
            continue
        out.replayed += 1
    return out
