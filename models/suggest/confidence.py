"""How sure the model is of each entity it suggests: spaCy's beam search over the greedy `ner` (the way Prodigy
scores `ner.teach`), sentence by sentence.

The entities shown stay the greedy parse's. The beam (`beam_parse`, width 16, density 0.0001) gives each of them
a probability: the summed probability of the beam's parses that contain it. An entity the greedy parse finds and
the beam does not gets 0.0; an entity the beam finds and the greedy parse does not is not shown, but its
probability says the model may have missed something there.

Why sentences: over a whole news article the beam's parses differ only near the end (earlier differences fall out
of the beam), so every early entity scored 1.0; per sentence the probabilities spread (measured on the demo corpus
with en_core_web_sm: per document 60 % of entities at 1.0, per sentence 30 %). Long sentences are cut at
`MAX_SENTENCE` tokens.

A document's uncertainty is the mean chance of a mistake over its entities: 1 - p for each shown model entity,
p for each beam-only entity (pattern suggestions count as certain). The maximum was tried first: on the demo corpus
nearly every article has one entity at 0.0, so every document tied at 1.0. "Most uncertain first" sorts on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

BEAM_WIDTH = 16
BEAM_DENSITY = 0.0001
MAX_SENTENCE = 200

Probabilities = dict[tuple[int, int, str], float]  # (start char, end char, model label) -> probability


class BeamScorer:
    """Entity probabilities for docs already run through a pipeline whose entity component is `ner_name`."""

    def __init__(self, nlp: Any, ner_name: str) -> None:
        import spacy

        self.nlp = nlp
        self.ner = nlp.get_pipe(ner_name)
        names = nlp.pipe_names
        # the components the ner needs before it (its tok2vec when it listens to one), never the ner itself
        self.before = [(n, nlp.get_pipe(n)) for n in names[: names.index(ner_name)] if n in ("tok2vec", "transformer")]
        self.sentencizer = spacy.blank("xx").add_pipe("sentencizer")

    def _sentences(self, doc: Any) -> list[Any]:
        """Sentence spans of `doc` (rule-based), long ones cut into pieces."""
        sents = self.sentencizer(doc.copy()).sents
        out = []
        for sent in sents:
            for a in range(sent.start, sent.end, MAX_SENTENCE):
                out.append(doc[a : min(sent.end, a + MAX_SENTENCE)])
        return out

    def probabilities(self, docs: Sequence[Any]) -> list[tuple[Probabilities, Probabilities]]:
        """Per doc: (probabilities of its greedy entities, of entities only the beam finds)."""
        from spacy.tokens import Doc

        out = []
        for doc in docs:
            pieces = [s for s in self._sentences(doc) if len(s)]
            fresh = [Doc(doc.vocab, words=[t.text for t in s], spaces=[bool(t.whitespace_) for t in s]) for s in pieces]
            for _name, proc in self.before:
                fresh = list(proc.pipe(fresh))
            beams = self.ner.beam_parse(fresh, beam_width=BEAM_WIDTH, beam_density=BEAM_DENSITY) if fresh else []
            found: Probabilities = {}
            for piece, scored in zip(pieces, self.ner.scored_ents(beams), strict=True):
                for (a, b, label), p in scored.items():
                    span = doc[piece.start + a : piece.start + b]
                    key = (span.start_char, span.end_char, label)
                    found[key] = min(1.0, found.get(key, 0.0) + float(p))
            greedy = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
            shown = {k: found.get(k, 0.0) for k in greedy}
            others = {k: p for k, p in found.items() if k not in greedy}
            out.append((shown, others))
        return out


def uncertainty(spans: Sequence[dict[str, Any]], missed: Sequence[float]) -> float:
    """A document's uncertainty from its scored spans (model spans carry `score`; patterns rank as certain) and
    the probabilities of entities only the beam found."""
    chances = [
        1.0 - float(span["score"])
        if span.get("origin") == "model" and isinstance(span.get("score"), (int, float))
        else 0.0
        for span in spans
    ]
    chances += [float(p) for p in missed]
    return round(sum(chances) / len(chances), 6) if chances else 0.0


def missed_probabilities(
    others: Probabilities, spans: Sequence[dict[str, Any]], map_label: Callable[[str], str | None]
) -> list[float]:
    """Probabilities of beam-only entities with a project label that no shown span covers."""
    out = []
    for (start, end, label), p in others.items():
        if map_label(label) is None:
            continue
        if any(s["start"] < end and start < s["end"] for s in spans):
            continue
        out.append(p)
    return out
