"""Train a project's NER from its accepted documents: read, split, train (with a learning curve), score, save.

`train_project` is what `tagdesk train` and the window's Train action call. It reads the project in short read
sessions and writes only `pipelines/NNN/` (never the annotation tables); a cancel or an error leaves the project
and its current model as they were.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import TagdeskError, TrainingError
from ..formats._tokens import pipeline_language
from ..project import Project
from ..split import DEFAULT_SEED, DEFAULT_SHARE
from ..store.training import TrainingDocument, accepted_count, training_documents, undecided_texts
from . import data, loop
from .evaluate import Scores, curve_sentence, score, zero
from .versions import ModelVersion, current_version, use_version, write_version

MIN_TRAIN = 4  # accepted documents to train on, at the least
MIN_EVAL = 1
CURVE = (0.25, 0.5, 0.75)
REHEARSE_MAX = 500  # undecided documents the starting pipeline's predictions are rehearsed on, at most


@dataclass(frozen=True)
class TrainOptions:
    """`start`: "blank" (new labels; the project's language) or "pipeline" (update the project's pipeline).
    `eval_share`/`seed`: the held-out share of accepted documents (the project's one split function).
    `eval_file`: a file of annotated documents to evaluate on instead (not stored in the project)."""

    start: str = "blank"
    eval_share: float = DEFAULT_SHARE
    seed: int = DEFAULT_SEED
    eval_file: Path | None = None
    max_steps: int = 2000
    eval_frequency: int = 200
    patience: int = 1600
    max_minutes: float | None = None
    curve: bool = True
    rehearse: bool = True
    labels: tuple[str, ...] = ()  # only these (default: every project label with examples)


@dataclass
class TrainResult:
    version: ModelVersion
    scores: Scores
    baseline: Scores | None  # the project's current pipeline on the same evaluation set
    curve: list[dict[str, Any]] = field(default_factory=list)
    advice: str = ""
    notes: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def better(self) -> bool:
        """Not worse than the current pipeline on the same evaluation set (automatic retraining's rule)."""
        return self.baseline is None or self.scores["f"] >= self.baseline["f"]


Progress = Callable[[loop.Step], None]


def _eval_documents(project: Project, path: Path) -> list[TrainingDocument]:
    from ..formats import ReadOptions, guess_format
    from ..store import text_hash

    path = Path(path)
    fmt = guess_format(path)
    if fmt.read is None:
        raise TrainingError(f"{path}: format {fmt.name} cannot be read")
    docs = fmt.read(path, ReadOptions())
    labels = set(project.config.label_names)
    out = []
    for k, d in enumerate(docs):
        if d.status not in (None, "accepted") or d.spans is None and d.status is None:
            continue
        spans = [(s, e, lab) for s, e, lab in (d.spans or []) if lab in labels]
        tokens = getattr(d, "tokens", None)
        out.append(TrainingDocument(-(k + 1), d.text, text_hash(d.text), tokens, spans, [], True))
    if not out:
        raise TrainingError(f"{path}: no accepted annotated documents in it to evaluate on")
    return out


def _eval_hash(prep: data.Prepared) -> str:
    h = hashlib.sha256()
    for eg in prep.eval:
        ref = eg.reference
        ents = [(e.start_char, e.end_char, e.label_) for e in ref.ents]
        h.update(json.dumps([ref.text, ents], ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:16]


def _check_data(
    prep: data.Prepared, labels: list[str], opts: TrainOptions, conflicts: int, reviewed: int = 0
) -> list[str]:
    notes = []
    complete = len(prep.train_ids) - prep.negative_only
    if prep.complete_examples < MIN_TRAIN:  # a long document counts once per piece it is cut into
        raise TrainingError(
            f"training needs at least {MIN_TRAIN} accepted documents outside the evaluation set, found {complete} "
            f"({len(prep.eval_ids)} held out for evaluation); accept more documents in the window (a) and train again"
        )
    if len(prep.eval) < MIN_EVAL:
        raise TrainingError("no documents to evaluate on; accept more documents or give --eval-file")
    missing = [lab for lab in labels if not prep.labels.get(lab)]
    if opts.labels:
        asked_missing = [lab for lab in opts.labels if lab in missing]
        if asked_missing:
            raise TrainingError(
                f"label {asked_missing[0]} has no examples in the {complete} training documents; annotate some "
                f"{asked_missing[0]} entities and accept those documents, or train without --label {asked_missing[0]}"
            )
    elif missing and len(missing) == len(labels):
        raise TrainingError(
            f"none of the project's labels ({', '.join(labels)}) has an example in the {complete} accepted training "
            "documents; annotate entities before training"
        )
    elif missing:
        notes.append(
            f"no examples of {', '.join(missing)} in the training documents: the model cannot learn "
            f"{'them' if len(missing) > 1 else 'it'} yet"
        )
    if reviewed:
        many = reviewed != 1
        notes.append(
            f"{reviewed} reviewed document{'s' if many else ''} used with {'their' if many else 'its'} gold annotation"
        )
    if conflicts:
        notes.append(
            f"{conflicts} document{'s' if conflicts != 1 else ''} accepted by several annotators with different "
            "entities left out (no reviewed annotation settles them)"
        )
    if prep.negative_only:
        notes.append(f"{prep.negative_only} undecided documents used only for the suggestions rejected in them")
    if prep.moved:
        notes.append(f"{prep.moved} entities grown to whole tokens")
    if prep.dropped:
        notes.append(f"{prep.dropped} entities left out (they overlap another once on whole tokens)")
    return notes


def _baseline(project: Project, examples: Sequence[Any]) -> Scores | None:
    """The project's current pipeline on the evaluation set (labels mapped), or None when it has none."""
    from ..suggest.locate import locate_pipeline
    from ..suggest.spacy_suggester import load_pipeline

    try:
        ref = locate_pipeline(project)
        if ref is None:
            return None
        known = (ref.meta.get("labels") or {}).get("ner")
        gold = {ent.label_ for eg in examples for ent in eg.reference.ents}
        if isinstance(known, list) and not {project.config.map_label(lab) for lab in known} & gold:
            return {**zero(examples), "pipeline": ref.asked}  # it has none of these labels: it finds nothing
        nlp = load_pipeline(ref, str(project.config_path))
    except TagdeskError:
        return None
    with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n not in ("tok2vec", "ner", "transformer")]):
        result = score(nlp, examples, map_label=project.config.map_label)
    result["pipeline"] = ref.asked
    return result


def _start(
    project: Project, opts: TrainOptions, lang: str, settings: loop.Settings, train: Sequence[Any], labels: list[str]
) -> tuple[Any, Any]:
    if opts.start == "blank":
        return loop.blank_pipeline(lang, settings, train)
    from ..suggest.locate import locate_pipeline
    from ..suggest.spacy_suggester import ner_components

    ref = locate_pipeline(project)
    if ref is None:
        raise TrainingError(
            f"{project.config_path}: model.pipeline is empty, so there is no pipeline to update; "
            "train with --from blank"
        )
    keep, _exclude = ner_components(ref, str(project.config_path))
    keep = [n for n in keep if n in ("ner", "tok2vec", "beam_ner") or n.startswith("ner")]
    return loop.sourced_pipeline(ref.load_from, keep, lang, settings, labels)


def _teacher(project: Project) -> Any:
    from ..suggest.locate import locate_pipeline
    from ..suggest.spacy_suggester import load_pipeline

    ref = locate_pipeline(project)
    assert ref is not None
    return load_pipeline(ref, str(project.config_path))


def train_project(
    project: Project,
    options: TrainOptions = TrainOptions(),
    *,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    use: bool = False,
) -> TrainResult:
    """Train a NER pipeline from the project's accepted documents and save it as the next `pipelines/NNN/`.

    `on_progress(Step)` is called after every training step (and while preparing); `should_stop()` is checked at
    every step: when true, TrainingError("cancelled") is raised and nothing is written. `options.max_minutes`
    bounds the whole run: the best model so far is kept. With `use`, the new pipeline becomes the project's
    suggester. Raises TrainingError (nothing written, nothing changed) for too few documents, a label without
    examples, or a cancel.
    """
    import spacy

    if opts_bad := _bad_options(options):
        raise TrainingError(opts_bad)
    started = time.monotonic()
    deadline = started + options.max_minutes * 60 if options.max_minutes else None
    stop = should_stop or (lambda: False)

    def report(phase: str) -> None:
        if on_progress:
            on_progress(loop.Step(phase, 0, 0, 0.0, None))

    report("reading")
    with project.session() as session:  # one read: the count automatic retraining goes by matches the documents
        read = training_documents(session=session)
        accepted = accepted_count(session=session)
    lang = pipeline_language(project.config.model.pipeline, project.folder) if project.config.model.pipeline else "en"
    tokenizer = spacy.blank(lang)
    extra = _eval_documents(project, options.eval_file) if options.eval_file else []
    held = set() if extra else data.eval_split(read.documents, options.eval_share, options.seed)
    extra_hashes = {d.text_hash for d in extra}
    documents = [d for d in read.documents if d.text_hash not in extra_hashes]
    labels = [lab for lab in project.config.label_names if not options.labels or lab in options.labels]
    unknown = [lab for lab in options.labels if lab not in project.config.label_names]
    if unknown:
        raise TrainingError(
            f"--label {unknown[0]}: not a label of this project ({', '.join(project.config.label_names)})"
        )
    prep = data.prepare(tokenizer, documents, held_out=held, extra_eval=extra, should_stop=stop, labels=set(labels))
    if stop():
        raise TrainingError("training cancelled; nothing was saved and the current model is unchanged")
    notes = _check_data(prep, labels, options, read.conflicts, read.reviewed)
    train_examples = prep.train
    rehearsed = 0
    if options.start == "pipeline" and options.rehearse:
        report("rehearsal")
        with project.session() as session:
            texts = undecided_texts(session=session, limit=min(REHEARSE_MAX, len(prep.train_ids)))
        if texts:
            teacher = _teacher(project)
            extra_examples = data.rehearsal_examples(teacher, texts, project.config.map_label, tokenizer)
            rehearsed = len(texts)
            train_examples = train_examples + extra_examples
    settings = loop.Settings(options.max_steps, options.eval_frequency, options.patience, seed=options.seed)
    curve: list[dict[str, Any]] = []
    timed_out = False

    def stopper() -> bool:
        return stop()

    try:
        if options.curve:
            order = list(range(len(prep.train)))
            random.Random(options.seed).shuffle(order)
            for share in CURVE:
                subset = [prep.train[i] for i in order[: max(1, round(len(order) * share))]]
                nlp, opt = _start(project, options, lang, settings, subset, labels)
                out = loop.run(
                    nlp,
                    opt,
                    subset,
                    prep.eval,
                    phase=f"{share * 100:.0f} %",
                    report=on_progress,
                    should_stop=stopper,
                    deadline=deadline,
                )
                curve.append({"share": share, "documents": len(subset), "f": score(nlp, prep.eval)["f"]})
                if out["timed_out"]:
                    timed_out = True
                    break
        nlp, opt = _start(project, options, lang, settings, train_examples, labels)
        left = deadline if not timed_out else time.monotonic()
        out = loop.run(
            nlp, opt, train_examples, prep.eval, phase="100 %", report=on_progress, should_stop=stopper, deadline=left
        )
        timed_out = timed_out or out["timed_out"]
    except loop.StoppedError:
        raise TrainingError("training cancelled; nothing was saved and the current model is unchanged") from None
    report("scoring")
    scores = score(nlp, prep.eval)
    curve.append({"share": 1.0, "documents": len(prep.train), "f": scores["f"]})
    baseline = _baseline(project, prep.eval)
    if timed_out:
        notes.append(
            f"stopped at the time limit ({options.max_minutes:g} minutes) after {out['steps']} steps; "
            "the best model so far was kept"
        )
    before = current_version(project)
    meta = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "from": options.start,
        "base": project.config.model.pipeline if options.start == "pipeline" else f"blank:{lang}",
        "previous": before.name if before else project.config.model.pipeline or None,
        "documents": {
            "train": len(prep.train_ids) - prep.negative_only,
            "eval": len(prep.eval_ids),
            "negative_only": prep.negative_only,
            "rehearsal": rehearsed,
            "conflicts": read.conflicts,
            "reviewed": read.reviewed,
            "accepted": accepted,  # documents anyone had accepted when this read them (automatic retraining)
            "rejected_spans": prep.rejected,
        },
        "labels": {lab: prep.labels.get(lab, 0) for lab in labels},
        "scores": scores,
        "baseline": baseline,
        "curve": curve,
        "advice": curve_sentence(curve),
        "eval": {
            "hash": _eval_hash(prep),
            "share": None if extra else options.eval_share,
            "seed": options.seed,
            "file": str(options.eval_file) if options.eval_file else None,
        },
        "steps": out["steps"],
        "best_step": out["best_step"],
        "seconds": round(time.monotonic() - started, 1),
        "notes": notes,
    }
    if stop():
        raise TrainingError("training cancelled; nothing was saved and the current model is unchanged")
    version = write_version(project, nlp, meta)
    if use:
        use_version(project, version)
    return TrainResult(version, scores, baseline, curve, meta["advice"], notes, timed_out)


def _bad_options(o: TrainOptions) -> str | None:
    if o.start not in ("blank", "pipeline"):
        return f"--from {o.start}: choose blank or pipeline"
    if not 0 < o.eval_share < 1:
        return f"--eval-share {o.eval_share}: give the held-out share between 0 and 1, e.g. 0.2"
    if o.max_steps < 1 or o.eval_frequency < 1:
        return "--steps and the evaluation frequency must be 1 or more"
    if o.max_minutes is not None and o.max_minutes <= 0:
        return f"--max-minutes {o.max_minutes}: give a positive number of minutes"
    if o.eval_file is not None and not Path(o.eval_file).exists():
        return f"--eval-file {o.eval_file}: not found"
    return None
