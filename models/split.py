"""The train/dev split: which documents are held out for evaluation.

A document's side depends only on its own text (its `text_hash`), the dev share and the seed, so it stays on the
side it was on as the project grows: adding documents never moves others between train and dev, and the same
document is held out by every export and every training run with the same share and seed. This is the one split
function; exports (`--dev`) and training use it with the same defaults.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

DEFAULT_SHARE = 0.2
DEFAULT_SEED = 0


def dev_score(text_hash: str, seed: int = DEFAULT_SEED) -> float:
    """A number in [0, 1) fixed by the document's text hash and the seed, uniform over documents."""
    digest = hashlib.sha256(f"{seed}:{text_hash}".encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_dev(text_hash: str, share: float = DEFAULT_SHARE, seed: int = DEFAULT_SEED) -> bool:
    """Whether the document with this text hash is in the dev (held-out) share."""
    return dev_score(text_hash, seed) < share


def dev_hashes(text_hashes: Iterable[str], share: float = DEFAULT_SHARE, seed: int = DEFAULT_SEED) -> set[str]:
    """The text hashes of `text_hashes` in the dev share: those `is_dev` picks, and never none or all of them
    when there are two or more (a tiny project's lowest-scoring document goes to dev, its highest to train).
    Those two exceptions end as soon as the hash alone puts a document on each side."""
    scored = sorted((dev_score(h, seed), h) for h in set(text_hashes))
    dev = {h for score, h in scored if score < share}
    if len(scored) >= 2:
        if not dev:
            dev = {scored[0][1]}
        elif len(dev) == len(scored):
            dev.discard(scored[-1][1])
    return dev
