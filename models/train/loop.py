"""One training run with spaCy's own machinery: `spacy init config -p ner` defaults (CPU, efficiency), the
pipeline built from that config, and spaCy's training loop (`train_while_improving`: its batcher, optimizer,
dropout, evaluation every `eval_frequency` steps and patience), driven step by step here so that a run reports
progress, can be cancelled, and stops at a time limit.

Two starting points:
- "blank": a new `tok2vec` + `ner` for the project's language, initialised on the training examples.
- "pipeline": the project's pipeline's `ner` (and the `tok2vec` it listens to, if any) sourced and updated
  (`resume_training`); new labels are added to it.
The best checkpoint (by F on the evaluation set) is kept in memory and restored at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import TrainingError
from .data import INCORRECT_KEY

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.training import Example

Report = Callable[["Step"], None]


@dataclass(frozen=True)
class Step:
    """Progress of a run: `phase` names it ("25 %", ..., "final"), `step` of `total` steps, the loss since the
    last evaluation and the last evaluation's F."""

    phase: str
    step: int
    total: int
    loss: float
    score: float | None


@dataclass(frozen=True)
class Settings:
    max_steps: int = 2000
    eval_frequency: int = 200
    patience: int = 1600
    dropout: float = 0.1
    seed: int = 0


class StoppedError(Exception):
    """Raised inside a run when `should_stop` said so (cancel)."""


def base_config(lang: str, settings: Settings) -> Any:
    """`spacy init config --lang LANG --pipeline ner --optimize efficiency` (CPU), with this run's steps."""
    from spacy.cli.init_config import init_config

    config = init_config(lang=lang, pipeline=["ner"], optimize="efficiency", gpu=False)
    config["components"]["ner"]["incorrect_spans_key"] = INCORRECT_KEY
    training = config["training"]
    training["max_steps"] = settings.max_steps
    training["eval_frequency"] = settings.eval_frequency
    training["patience"] = settings.patience
    training["dropout"] = settings.dropout
    config["system"]["seed"] = settings.seed
    return config


def blank_pipeline(lang: str, settings: Settings, examples: Sequence[Example]) -> tuple[Language, Any]:
    """A new tok2vec + ner from the default config, initialised on `examples`; (nlp, optimizer)."""
    from spacy import util
    from thinc.api import fix_random_seed

    config = base_config(lang, settings)
    fix_random_seed(settings.seed)
    nlp = util.load_model_from_config(config, auto_fill=True)
    optimizer = _training_section(nlp)["optimizer"]
    nlp.initialize(lambda: examples, sgd=optimizer)
    return nlp, optimizer


def sourced_pipeline(
    source: str, components: Sequence[str], lang: str, settings: Settings, labels: Sequence[str]
) -> tuple[Language, Any]:
    """The `components` of the pipeline at `source` (package or folder) in a config of spaCy's defaults, ready to
    be updated; new `labels` are added to its ner; (nlp, optimizer)."""
    from spacy import util
    from thinc.api import Config, fix_random_seed

    config = base_config(lang, settings)
    config["nlp"]["pipeline"] = list(components)
    config["components"] = {name: {"source": source} for name in components}
    config["initialize"]["components"] = {}
    fix_random_seed(settings.seed)
    nlp = util.load_model_from_config(Config(config), auto_fill=True)
    optimizer = _training_section(nlp)["optimizer"]
    with nlp.select_pipes(enable=list(components)):
        nlp.resume_training(sgd=optimizer)
    for name in components:
        pipe: Any = nlp.get_pipe(name)
        if getattr(pipe, "moves", None) is not None and hasattr(pipe, "add_label"):
            pipe.cfg["incorrect_spans_key"] = INCORRECT_KEY
            pipe.moves.cfg["neg_key"] = INCORRECT_KEY
            for label in labels:
                pipe.add_label(label)
    return nlp, optimizer


def _training_section(nlp: Language) -> dict[str, Any]:
    from spacy.schemas import ConfigSchemaTraining
    from spacy.util import registry

    config = nlp.config.interpolate()
    return dict(registry.resolve(config["training"], schema=ConfigSchemaTraining))


def run(
    nlp: Language,
    optimizer: Any,
    train: Sequence[Example],
    dev: Sequence[Example],
    *,
    phase: str,
    report: Report | None = None,
    should_stop: Callable[[], bool] | None = None,
    deadline: float | None = None,
) -> dict[str, Any]:
    """Train `nlp` with spaCy's loop until max steps, patience, `deadline` (time.monotonic()) or `should_stop`
    (raises StoppedError). The best checkpoint is restored. Returns {"steps", "best_step", "timed_out", "seconds"}."""
    from spacy.training.loop import create_train_batches, train_while_improving

    if not train:
        raise TrainingError("nothing to train on")
    t = _training_section(nlp)
    started = time.monotonic()
    examples = list(train)

    def evaluate() -> tuple[float, dict[str, Any]]:
        if not dev:
            return 0.0, {}
        scores = nlp.evaluate(dev)
        return float(scores.get("ents_f") or 0.0), scores

    steps = train_while_improving(
        nlp,
        optimizer,
        create_train_batches(nlp, lambda _nlp: examples, t["batcher"], t["max_epochs"]),
        evaluate,
        dropout=t["dropout"],
        accumulate_gradient=t["accumulate_gradient"],
        patience=t["patience"],
        max_steps=t["max_steps"],
        eval_frequency=t["eval_frequency"],
        exclude=t["frozen_components"],
        annotating_components=t["annotating_components"],
        before_update=t["before_update"],
    )
    best: bytes | None = None
    best_step = 0
    last_score: float | None = None
    step = 0
    timed_out = False
    total = int(t["max_steps"])
    for _batch, info, is_best in steps:
        step = int(info["step"])
        if info["score"] is not None:
            last_score = float(info["score"])
        if is_best:
            with nlp.use_params(optimizer.averages):
                best = nlp.to_bytes(exclude=["vocab", "tokenizer"])
            best_step = step
        if report:
            report(Step(phase, step, total, float(sum(info["losses"].values())), last_score))
        if should_stop and should_stop():
            raise StoppedError
        if deadline is not None and time.monotonic() >= deadline:
            timed_out = True
            break
    if best is not None:
        nlp.from_bytes(best, exclude=["vocab", "tokenizer"])
    return {"steps": step, "best_step": best_step, "timed_out": timed_out, "seconds": time.monotonic() - started}
