"""Scores on the evaluation set: precision, recall and F per label and overall, with spaCy's own NER scorer.

The same function scores a freshly trained pipeline and the project's current one (whose labels go through the
project's label mapping first), so "F 0.61 -> 0.74" compares like with like: same documents, same tokens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.training import Example

Scores = dict[str, Any]  # {"p", "r", "f", "per_label": {label: {"p", "r", "f", "n"}}, "documents"}


def score(
    nlp: Language, examples: Sequence[Example], *, map_label: Callable[[str], str | None] | None = None
) -> Scores:
    """Run `nlp` on the examples' tokens and score its entities against their references. With `map_label`, the
    pipeline's labels are mapped (None drops an entity) before scoring."""
    from spacy.scorer import get_ner_prf
    from spacy.training import Example

    from .data import bare_copy

    if not examples:
        return zero()
    fresh = [bare_copy(e.reference) for e in examples]
    scored = []
    for doc, eg in zip(nlp.pipe(fresh, batch_size=64), examples, strict=True):
        if map_label is not None:
            ents = []
            for ent in doc.ents:
                label = map_label(ent.label_)
                if label is not None:
                    ent.label_ = label
                    ents.append(ent)
            doc.ents = ents
        scored.append(Example(doc, eg.reference))
    prf = get_ner_prf(scored)
    gold = Counter(ent.label_ for eg in examples for ent in eg.reference.ents)
    per_label = {
        label: {
            "p": float(v["p"]),
            "r": float(v["r"]),
            "f": float(v["f"]),
            "n": int(gold.get(label, 0)),
        }
        for label, v in sorted((prf.get("ents_per_type") or {}).items())
    }
    for label, n in gold.items():
        per_label.setdefault(label, {"p": 0.0, "r": 0.0, "f": 0.0, "n": n})
    return {
        "p": float(prf.get("ents_p") or 0.0),
        "r": float(prf.get("ents_r") or 0.0),
        "f": float(prf.get("ents_f") or 0.0),
        "per_label": dict(sorted(per_label.items())),
        "documents": len({id(e.reference) for e in examples}),
    }


def zero(examples: Sequence[Example] = ()) -> Scores:
    """The scores of a model that finds nothing (every gold entity missed)."""
    gold = Counter(ent.label_ for eg in examples for ent in eg.reference.ents)
    per = {label: {"p": 0.0, "r": 0.0, "f": 0.0, "n": n} for label, n in sorted(gold.items())}
    return {"p": 0.0, "r": 0.0, "f": 0.0, "per_label": per, "documents": len(examples)}


def curve_sentence(curve: Sequence[dict[str, Any]]) -> str:
    """A plain sentence on the learning curve's last step (Prodigy's train-curve advice)."""
    if len(curve) < 2:
        return ""
    before, last = curve[-2], curve[-1]
    gain = last["f"] - before["f"]
    share = f"{before['share'] * 100:.0f} % → 100 %"
    if gain > 0.005:
        return (
            f"F still rose in the last step ({before['f']:.2f} → {last['f']:.2f}, {share} of the training "
            "documents): more data will likely help."
        )
    if gain < -0.005:
        return (
            f"F fell in the last step ({before['f']:.2f} → {last['f']:.2f}, {share}): the evaluation set may be "
            "small or the newest annotations inconsistent; check them before annotating more of the same."
        )
    return (
        f"F barely changed in the last step ({before['f']:.2f} → {last['f']:.2f}, {share}): more of the same data "
        "may not help much."
    )
