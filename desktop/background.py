"""Background work when a project opens: the spaCy tokenizer for snapping, then the model's suggestions,
the document on screen first. Everything slow runs through `desktop.tasks.run_task`; this object turns the results into
signals for the window. `models.suggest` is imported lazily inside the tasks: without it (or with a model that
fails to load) annotation keeps working and the status bar says why there are no suggestions."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from models.errors import TagdeskError
from models.formats._tokens import project_tokenizer
from models.project import Project

from .tasks import Task, run_task

CHUNK = 256  # documents per call of the engine: between calls, the document on screen can jump the queue


class Background(QObject):
    tokenizer_ready = Signal(object)
    model_key_ready = Signal(object)  # str, or None when suggestions are unavailable
    model_status = Signal(str, str)  # short text, tooltip
    progress = Signal(object)  # (text, done, total) while suggesting; None when over
    suggestions_arrived = Signal()  # new suggestions were stored (the screen may need them)
    settled = Signal()  # no more suggestions are coming for now (done, stopped, failed, or unavailable)
    notice = Signal(str)

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.tasks: list[Task] = []
        self.suggest_task: Task | None = None
        self.wanted: int | None = None  # the document on screen, done before the others
        self.working = False  # suggestions may still arrive: the model key or the suggester is on its way

    def expecting(self, document_id: int) -> bool:
        """Whether suggestions for this document may still arrive (the window waits for them before an accept).
        The document on screen is computed first, so the wait is short once the model is loaded."""
        return self.working

    def _settle(self) -> None:
        if self.working:
            self.working = False
            self.settled.emit()

    @property
    def pipeline(self) -> str:
        return self.project.config.model.pipeline  # read each time: the shared settings may change

    def _wanted(self) -> int | None:
        """Read by the worker between chunks (an int read: no lock needed)."""
        return self.wanted

    def want(self, document_id: int | None) -> None:
        """The annotator opened this document: if it still lacks suggestions, it goes next."""
        self.wanted = document_id

    def start(self, *, suggest: bool = True) -> None:
        self.working = suggest
        lang_folder = self.project.folder
        pipeline = self.pipeline
        tok = run_task(lambda _r, _s: project_tokenizer(pipeline, lang_folder), name="tokenizer")
        tok.finished.connect(self.tokenizer_ready)
        tok.failed.connect(lambda exc: self.notice.emit(f"Token snapping uses a simple word pattern: {exc}"))
        self.tasks.append(tok)
        key = run_task(lambda _r, _s: _model_key(self.project), name="model key")
        key.finished.connect(lambda k: self._key_ready(k, suggest))
        key.failed.connect(self._unavailable)
        self.tasks.append(key)

    def _unavailable(self, exc: BaseException) -> None:
        if isinstance(exc, ImportError):
            self.model_status.emit("Suggestions unavailable", "This build has no suggestion engine (models.suggest)")
        else:
            self.model_status.emit("No suggestions", str(exc))
            self.notice.emit(f"Suggestions are off: {exc}")
        self.model_key_ready.emit(None)
        self._settle()

    def _key_ready(self, key: str, suggest: bool) -> None:
        """The key of the suggestions cached so far, computed without loading spaCy: shows them at once. The
        suggester, once loaded, reports the key it writes under (the one the window then shows)."""
        self.model_key_ready.emit(key)
        self.model_status.emit(f"Model {self.pipeline}", f"Suggestions cached under {key}")
        if suggest:
            self.start_suggesting()

    def start_suggesting(self) -> None:
        if self.suggest_task is not None and not self.suggest_task.done:
            return
        self.working = True
        project = self.project
        self.progress.emit(("Loading the model…", 0, 0))
        task = run_task(lambda report, stop: _suggest(project, self._wanted, report, stop), name="suggest")
        # a run cancelled because the suggester changed says nothing more (not the old key it loaded with)
        task.progress.connect(lambda args, t=task: None if t.is_cancelled() else self._on_progress(args))
        task.finished.connect(self._done)
        task.cancelled.connect(lambda: self._over("Suggestions stopped; what was computed is kept"))
        task.failed.connect(self._failed)
        self.suggest_task = task

    def restart(self) -> None:
        """The project's suggester changed (a trained model, a new mapping): stop suggesting with the old one, then
        compute the new key and suggest with the new one (documents already decided keep what was decided)."""
        task = self.suggest_task
        if task is not None and not task.done:
            task.cancel()
            for signal in (task.finished, task.cancelled, task.failed):
                signal.connect(lambda *_a: self.start())
            return
        self.start()

    def cancel(self) -> None:
        if self.suggest_task is not None:
            self.suggest_task.cancel()
            self.progress.emit(("Stopping…", 0, 0))

    def _on_progress(self, args: tuple[object, ...]) -> None:
        kind, *rest = args
        if kind == "loaded":
            name, key = rest
            self.model_key_ready.emit(key)  # the one key: the suggester's own, under which it writes the rows
            self.model_status.emit(f"Model {name}", f"Suggestions from {name}, cached under {key}")
            self.progress.emit(("Suggesting…", 0, 0))
        elif kind == "wanted":
            self.suggestions_arrived.emit()
        elif kind in ("progress", "scoring"):
            nums = [a for a in rest if isinstance(a, int)]
            done, total = (nums + [0, 0])[:2]
            what = "Suggesting" if kind == "progress" else "Scoring confidence"
            self.progress.emit((f"{what} {done:,}/{total:,}" if total else f"{what}…", done, total))
            self.suggestions_arrived.emit()

    def _done(self, count: object) -> None:
        self.suggestions_arrived.emit()
        done = count if isinstance(count, int) else 0
        self._over(f"Suggestions ready ({done:,} document{'s' if done != 1 else ''} pre-annotated)" if done else "")

    def _failed(self, exc: BaseException) -> None:
        msg = str(exc) if isinstance(exc, TagdeskError) else f"{exc.__class__.__name__}: {exc}"
        self.model_status.emit("No suggestions", msg)
        self._over(f"Suggestions are off: {msg}")

    def _over(self, text: str) -> None:
        self.progress.emit(None)
        if text:
            self.notice.emit(text)
        self._settle()


def _model_key(project: Project) -> str:
    from models.suggest import model_key

    return model_key(project)


def _suggest(
    project: Project, wanted: Callable[[], int | None], report: Callable[..., None], stop: Callable[[], bool]
) -> int:
    """Worker: load the suggester, pre-annotate every document in chunks, then give their entities probabilities
    in a second pass (the beam search costs about 3.3x the greedy pass on news articles: measured by
    `python -m benchmarks confidence`), so every document gets suggestions early and the uncertain-first order
    fills in after. The document on screen is done first, with its probabilities at once: when the annotator
    opens a document that still lacks them, the running chunk is interrupted (the engine keeps what it finished),
    that document is done next, and the chunk resumes (the engine skips documents already done)."""
    from models import store
    from models.suggest import load_suggester, suggest_documents

    suggester = load_suggester(project)
    report("loaded", project.config.model.pipeline, suggester.key)
    with project.session() as s:
        ids = store.document_ids(session=s)
    served: set[int] = set()

    def jump() -> int | None:
        """The document on screen if it still wants its suggestions first (asked once: it can change any time)."""
        doc = wanted()
        return doc if doc is not None and doc not in served else None

    done = 0
    for scores, kind in ((False, "progress"), (True, "scoring")):
        i = 0
        while i < len(ids) and not stop():
            doc = jump()
            if doc is not None:
                served.add(doc)
                done += suggest_documents(project, suggester, document_ids=[doc], should_stop=stop, scores=True) or 0
                report("wanted", doc)
                continue
            base = i

            def inner(*args: object, base: int = base, kind: str = kind) -> None:
                if args and isinstance(args[0], int):  # the engine's (done, total) within this chunk
                    report(kind, min(base + args[0], len(ids)), len(ids))

            stored = suggest_documents(
                project,
                suggester,
                document_ids=ids[i : i + CHUNK],
                on_progress=inner,
                should_stop=lambda: stop() or jump() is not None,
                scores=scores,
            )
            if not scores:  # the second pass adds scores to documents already counted
                done += stored or 0
            if jump() is None:
                i += CHUNK
                report(kind, min(i, len(ids)), len(ids))
    return done
