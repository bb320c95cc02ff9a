"""Training examples from a project's documents: spaCy `Example`s with the documents' own tokens where they have
them, entities on token boundaries, and what annotators rejected as known-wrong spans.

- Tokens: a document that came with tokens (a token-carrying import) is trained with them; others with the
  tokenizer of the pipeline being trained.
- A span that does not fall on token boundaries is grown to whole tokens (counted in `Prepared.moved`); one that
  then overlaps another is left out (counted in `Prepared.dropped`).
- Rejections: suggestions an annotator removed go to `doc.spans[INCORRECT_KEY]`, the key the `ner` component is
  configured with (`incorrect_spans_key`): the model is taught that those exact spans are not entities.
- Accepted documents are complete: every token outside an entity is O. A document with rejections only is not:
  its other tokens are missing (unknown), so it teaches only what is wrong.
- Long documents are cut into pieces of at most about `PIECE_CHARACTERS` characters by the splitter suggestions
  use (`models/suggest/pieces.py`: at a paragraph, line or sentence end), never inside an entity or a known-wrong
  span, and always between tokens: a 3 MB document trains in bounded memory.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..split import dev_hashes
from ..store.training import SpanTuple, TrainingDocument
from ..suggest.pieces import cut_pieces
from ..tokens import of_doc, spacy_doc

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.training import Example

INCORRECT_KEY = "incorrect_spans"
PIECE_CHARACTERS = 5000  # characters per piece of a long document at most (about 1,000 tokens: a few paragraphs)


@dataclass
class Prepared:
    """Examples ready for spaCy, and what had to be changed or left out to make them."""

    train: list[Example] = field(default_factory=list)
    eval: list[Example] = field(default_factory=list)
    train_ids: list[int] = field(default_factory=list)  # documents trained on (pieces count once)
    eval_ids: list[int] = field(default_factory=list)
    eval_hashes: list[str] = field(default_factory=list)
    negative_only: int = 0  # documents teaching only what is not an entity
    complete_examples: int = 0  # training examples from accepted documents (a long document gives several)
    moved: int = 0  # spans grown to token boundaries
    dropped: int = 0  # spans left out (overlapping another once on tokens)
    rejected: int = 0  # rejected suggestions used as known-wrong spans
    labels: dict[str, int] = field(default_factory=dict)  # entities per label in the training documents


def _on_tokens(doc: Doc, spans: Iterable[SpanTuple]) -> tuple[list[Any], int, int]:
    """Spans of `doc` for these offsets, grown to whole tokens; (spans, moved, dropped), overlaps left out."""
    out: list[Any] = []
    moved = dropped = 0
    last_end = -1
    for start, end, label in sorted(spans):
        span = doc.char_span(start, end, label=label)
        if span is None:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            moved += 1
        if span is None or len(span) == 0 or span.start < last_end:
            dropped += 1
            continue
        out.append(span)
        last_end = span.end
    return out, moved, dropped


def _reference(doc: Doc, ents: list[Any], wrong: list[Any], complete: bool, unknown: Sequence[Any] = ()) -> Doc:
    """Entities set (the rest O when `complete`, else missing); `unknown`: spans of labels not trained now,
    whose tokens are missing rather than O (the model is not taught they are nothing)."""
    doc.set_ents(ents, missing=list(unknown), default="outside" if complete else "missing")
    doc.spans[INCORRECT_KEY] = wrong
    return doc


def _token_cuts(doc: Doc, kept: Sequence[Any]) -> list[int]:
    """Token indices where a long doc is cut: the text's pieces (`cut_pieces`, never inside a span of `kept`),
    each cut moved to the token that starts there (or the next one: imported tokens may hold a space)."""
    starts = of_doc(doc)[0::2]
    keep = [(span.start_char, span.end_char) for span in kept]
    cuts = [0]
    for start, _end in cut_pieces(doc.text, PIECE_CHARACTERS, keep)[1:]:
        i = bisect_left(starts, start)
        if cuts[-1] < i < len(doc):
            cuts.append(i)
    return [*cuts, len(doc)]


def _pieces(nlp: Language, item: TrainingDocument, prep: Prepared, labels: set[str] | None = None) -> list[Doc]:
    doc = spacy_doc(nlp, item.text, item.tokens)
    ents, moved, dropped = _on_tokens(doc, item.spans)
    unknown = [e for e in ents if labels is not None and e.label_ not in labels]
    ents = [e for e in ents if labels is None or e.label_ in labels]
    ent_keys = {(e.start_char, e.end_char, e.label_) for e in ents}
    wrong, _m, _d = _on_tokens(doc, [r for r in item.rejected if r not in ent_keys])
    wrong = [w for w in wrong if (w.start_char, w.end_char, w.label_) not in ent_keys]
    prep.moved += moved
    prep.dropped += dropped
    prep.rejected += len(wrong)
    if len(item.text) <= PIECE_CHARACTERS:
        return [_reference(doc, ents, wrong, item.complete, unknown)]
    cuts = _token_cuts(doc, [*ents, *wrong, *unknown])
    from spacy.tokens import Span

    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = doc[a:b].as_doc()
        p_ents = [Span(piece, e.start - a, e.end - a, label=e.label_) for e in ents if a <= e.start and e.end <= b]
        p_wrong = [Span(piece, w.start - a, w.end - a, label=w.label_) for w in wrong if a <= w.start and w.end <= b]
        p_unknown = [Span(piece, u.start - a, u.end - a) for u in unknown if a <= u.start and u.end <= b]
        out.append(_reference(piece, p_ents, p_wrong, item.complete, p_unknown))
    return out


def bare_copy(doc: Doc) -> Doc:
    """The same tokens without annotation (what a pipeline is given to predict): a C-level copy, ~50x faster
    than rebuilding a Doc from its words in Python."""
    out = doc.copy()
    out.set_ents([], default="missing")
    out.spans.clear()
    return out


def _example(nlp: Language, reference: Doc) -> Example:
    from spacy.training import Example

    return Example(bare_copy(reference), reference)


def eval_split(documents: Sequence[TrainingDocument], share: float, seed: int) -> set[str]:
    """The text hashes of the accepted documents held out for evaluation (the project's one split function:
    the same share and seed hold out the same documents as `tagdesk export --dev`)."""
    return dev_hashes([d.text_hash for d in documents if d.complete], share, seed)


def prepare(
    nlp: Language,
    documents: Sequence[TrainingDocument],
    *,
    held_out: set[str],
    extra_eval: Sequence[TrainingDocument] = (),
    should_stop: Callable[[], bool] | None = None,
    labels: set[str] | None = None,
) -> Prepared:
    """Examples for training (documents whose hash is not `held_out`) and for evaluation (accepted documents in
    `held_out`, plus `extra_eval`, e.g. a named evaluation file). Negative-only documents are never evaluated.
    With `labels`, only those are trained and scored; entities of other labels are missing, not O."""
    prep = Prepared()
    for item in documents:
        if should_stop and should_stop():
            break
        to_eval = item.complete and item.text_hash in held_out
        if not to_eval and not item.complete and not item.rejected:
            continue
        moved, dropped = prep.moved, prep.dropped
        refs = _pieces(nlp, item, prep, labels)
        if to_eval:
            prep.moved, prep.dropped = moved, dropped  # the evaluation set is scored as annotated
            prep.eval.extend(_example(nlp, r) for r in refs)
            prep.eval_ids.append(item.id)
            prep.eval_hashes.append(item.text_hash)
            continue
        prep.train.extend(_example(nlp, r) for r in refs)
        prep.train_ids.append(item.id)
        if item.complete:
            prep.complete_examples += len(refs)
        if not item.complete:
            prep.negative_only += 1
        for r in refs:
            for ent in r.ents:
                prep.labels[ent.label_] = prep.labels.get(ent.label_, 0) + 1
    for item in extra_eval:
        for r in _pieces(nlp, item, Prepared(), labels):
            prep.eval.append(_example(nlp, r))
        prep.eval_ids.append(item.id)
        prep.eval_hashes.append(item.text_hash)
    return prep


def rehearsal_examples(
    teacher: Language, texts: Sequence[str], map_label: Callable[[str], str | None], student: Language
) -> list[Example]:
    """What the starting pipeline predicts on undecided project texts, labels mapped to the project's, as complete
    examples: training on them alongside the new annotations keeps what the pipeline knew (pseudo-rehearsal)."""
    out = []
    for doc in teacher.pipe(texts, batch_size=32):
        ents = [(e.start_char, e.end_char, map_label(e.label_)) for e in doc.ents]
        item = TrainingDocument(0, doc.text, "", None, [(s, e, lab) for s, e, lab in ents if lab], [], True)
        for ref in _pieces(student, item, Prepared()):
            out.append(_example(student, ref))
    return out
