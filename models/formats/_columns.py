"""Token-per-line column files (CoNLL-2003, IOB, BILUO): one writer with a tag scheme, one tolerant reader.

Columns carry tokens and tags, not whitespace, status or meta. Export writes `-DOCSTART- -X- O O` before each
document, a blank line where the text has a line break, and skips whitespace tokens. Import rebuilds each
document's text by joining its tokens with one space (or as the `+`/`-` whitespace column says) and its
sentences with a line break; entities come from the tags through spaCy (`iob_to_biluo`,
`biluo_tags_to_offsets`). Without `-DOCSTART-` lines each sentence is a document.

Tags read: IOB2, IOB1 (an `I-` that starts an entity), BILUO, BIOES (`S-`, `E-`), and bare labels (IO). The
tag is the last column, except GermEval's `index token outer inner` (outer kept, inner nested tags skipped)
and flair's `token TAG +/-`. A header row `WORD TAG` and `#` comment lines are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ImportFileError, TagdeskError
from ..store import NewDocument
from ..tokens import from_doc
from . import ReadOptions
from ._export import ExportItem, WriteContext
from ._read import check_spans, read_utf8, short, text_problem

DOCSTART = "-DOCSTART-"
TAG = re.compile(r"^(O|[BIESLU]-\S.*)$")
HEADER_WORDS = {"word", "token", "text", "form", "words", "tokens"}
_VOCAB = None


# ---------------------------------------------------------------------------------------------- writing


class ColumnWriter:
    """`columns`: 4 writes `token _ _ TAG` (CoNLL-2003), 2 writes `token<TAB>TAG`. `scheme`: "iob" or "biluo"."""

    def __init__(self, path: Path, ctx: WriteContext, *, scheme: str, columns: int) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="\n")
        self.scheme = scheme
        self.columns = columns
        self.first = True

    def _line(self, word: str, tag: str) -> str:
        return f"{word} _ _ {tag}" if self.columns == 4 else f"{word}\t{tag}"

    def add(self, item: ExportItem) -> None:
        from spacy.training import biluo_to_iob, offsets_to_biluo_tags

        doc = item.tokens
        tags = offsets_to_biluo_tags(doc, _trim(doc, item))
        if self.scheme == "iob":
            tags = biluo_to_iob(tags)
        out = [] if self.first else [""]
        out += [f"{DOCSTART} -X- O O", ""]  # spaCy's converters split documents on exactly this line
        self.first = False
        pending_break = False
        for tok, tag in zip(doc, tags, strict=True):
            if tok.is_space:
                pending_break = pending_break or ("\n" in tok.text and tag == "O")
                continue
            if pending_break and out[-1] != "":
                out.append("")
            pending_break = False
            out.append(self._line(tok.text, tag))
        self.fh.write("\n".join(out) + "\n")

    def finish(self) -> None:
        self.fh.close()

    def close(self) -> None:
        self.fh.close()


def _trim(doc, item: ExportItem) -> list[tuple[int, int, str]]:
    """Spans without leading/trailing whitespace tokens (those are not written in a column file)."""
    out = []
    for s, e, label in item.spans:
        span = doc.char_span(s, e)
        toks = [t for t in span if not t.is_space]
        if not toks:
            raise TagdeskError(
                f"document {item.doc.id}: span {s}-{e} {label} is only whitespace and cannot be "
                "written as tokens; remove it"
            )
        out.append((toks[0].idx, toks[-1].idx + len(toks[-1]), label))
    return out


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class _Doc:
    line: int
    sentences: list[list[tuple[str, str, bool, int]]] = field(default_factory=lambda: [[]])  # word, tag, ws, line


def _split(line: str, tab: bool) -> list[str]:
    return line.split("\t") if tab else line.split()


def _layout(rows: list[list[str]]) -> tuple[int, int, int | None, int]:
    """(token column, tag column, whitespace column or None, typical width) from the typical row."""
    widths = [len(r) for r in rows]
    width = max(set(widths), key=widths.count)
    typical = [r for r in rows if len(r) == width][:50]
    if (
        width == 4
        and typical[0][0] == "1"
        and all(r[0].isdigit() and TAG.match(r[2]) and TAG.match(r[3]) for r in typical)
    ):
        return 1, 2, None, width  # GermEval: index token outer inner
    if width == 3 and all(r[2] in ("+", "-") for r in typical):
        return 0, 1, 2, width  # flair: token TAG +/-
    return 0, width - 1, None, width


def _norm_tag(tag: str, path: Path, n: int, options: ReadOptions) -> str:
    if tag == "O":
        return tag
    if TAG.match(tag):
        prefix, label = tag[0], tag[2:]
        if prefix == "S":
            return "U-" + label
        if prefix == "E":
            return "L-" + label
        return tag
    if not tag or any(c.isspace() for c in tag) or re.match(r"^[BIESLU]-$", tag):
        raise ImportFileError(path, n, f"tag {short(tag)} is not a tag like O, B-PER, I-PER")
    return "I-" + tag


def _parse(path: Path, content: str, options: ReadOptions) -> list[_Doc]:
    lines = [ln.removesuffix("\r") for ln in content.split("\n")]
    body = [(n, ln) for n, ln in enumerate(lines, start=1) if ln.strip() and not ln.startswith(DOCSTART)]
    if not body:
        raise ImportFileError(path, None, "is empty: no token lines in it")
    tab = any("\t" in ln for _, ln in body)
    if not tab and all(all("|" in item for item in ln.split()) for _, ln in body[:20]):
        return _parse_sentences(path, lines, options)
    rows = [_split(ln, tab) for _, ln in body]
    tok_col, tag_col, ws_col, width = _layout(rows)
    if width < 2:
        n, line = next((n, ln) for n, ln in body if len(_split(ln, tab)) < 2)
        raise ImportFileError(
            path,
            n,
            f"1 column where a token and its tag are expected (separated by "
            f"{'a tab' if tab else 'spaces'}): {short(line[:60])}",
        )
    docs: list[_Doc] = []
    marked = any(ln.startswith(DOCSTART) for ln in lines)
    current: _Doc | None = None
    header_checked = False
    for n, line in enumerate(lines, start=1):
        if line.startswith(DOCSTART):
            current = None
            continue
        if not line.strip():
            if current is not None and current.sentences[-1]:
                if marked:
                    current.sentences.append([])
                else:
                    current = None
            continue
        cols = _split(line, tab)
        if not header_checked:
            header_checked = True
            # `WORD TAG` is a header; `Text O` is a token named "Text" with its tag
            if cols[0].lower() in HEADER_WORDS and len(cols) > tag_col and not TAG.match(cols[tag_col]):
                options.skipped["header row"] += 1
                continue
        if line.startswith("#") and (len(cols) != width or not TAG.match(cols[-1]) and len(cols) > 2):
            options.skipped["comment lines"] += 1
            continue
        if len(cols) <= max(tok_col, tag_col):
            raise ImportFileError(
                path,
                n,
                f"{len(cols)} column{'s' if len(cols) != 1 else ''} where a token and its "
                f"tag are expected (separated by {'a tab' if tab else 'spaces'}): "
                f"{line[:60]!r}",
            )
        word = cols[tok_col]
        if not word.strip():
            raise ImportFileError(path, n, "empty token")
        tag = _norm_tag(cols[tag_col].strip(), path, n, options)
        if tok_col == 1 and len(cols) > 3 and cols[3].strip() not in ("O", ""):
            options.skipped["nested (inner) tags"] += 1
        ws = cols[ws_col] == "+" if ws_col is not None else True
        if current is None:
            current = _Doc(line=n)
            docs.append(current)
        current.sentences[-1].append((word, tag, ws, n))
    return docs


def _parse_sentences(path: Path, lines: list[str], options: ReadOptions) -> list[_Doc]:
    """spaCy's sentence-per-line IOB: `word|POS|TAG word|POS|TAG ...`, one sentence (document) per line."""
    docs = []
    for n, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith(DOCSTART):
            continue
        sent = []
        for item in line.split():
            parts = item.split("|")
            if len(parts) < 2 or not parts[0]:
                raise ImportFileError(path, n, f"{short(item)} is not word|TAG or word|POS|TAG")
            sent.append((parts[0], _norm_tag(parts[-1], path, n, options), True, n))
        docs.append(_Doc(line=n, sentences=[sent]))
    return docs


def _vocab():
    global _VOCAB
    if _VOCAB is None:
        from spacy.vocab import Vocab

        _VOCAB = Vocab()
    return _VOCAB


def _to_document(path: Path, d: _Doc, options: ReadOptions) -> NewDocument:
    from spacy.tokens import Doc
    from spacy.training import biluo_tags_to_offsets, iob_to_biluo

    words, spaces, tags = [], [], []
    sentences = [s for s in d.sentences if s]
    for k, sent in enumerate(sentences):
        if k:
            spaces[-1] = False
            words.append("\n")
            spaces.append(False)
            tags.append("O")
        for word, tag, ws, _n in sent:
            words.append(word)
            spaces.append(ws)
            tags.append(tag)
    spaces[-1] = False
    doc = Doc(_vocab(), words=words, spaces=spaces)
    try:
        biluo = iob_to_biluo(tags)
        offsets = biluo_tags_to_offsets(doc, biluo)
    except ValueError as exc:
        raise ImportFileError(
            path, d.line, f"the tags of the document starting here do not form entities ({exc})"
        ) from None
    text = doc.text
    problem = text_problem(text)
    if problem:
        raise ImportFileError(path, d.line, problem)
    spans, lost = check_spans(path, d.line, text, [tuple(o) for o in offsets], options.skipped)
    labels = options.extra.setdefault("label_lines", {})
    for sent in sentences:
        for _w, tag, _ws, n in sent:
            if tag != "O":
                labels.setdefault(tag[2:], (path, n))
    return NewDocument(
        text=text, meta={}, line=d.line, spans=spans, status="pending" if lost else "accepted", tokens=from_doc(doc)
    )


def read_columns(path: Path, options: ReadOptions) -> list[NewDocument]:
    """Documents of a CoNLL/IOB/BILUO file; see the module docstring for what is understood."""
    content = read_utf8(path)
    if options.on_progress:
        options.on_progress(len(content), len(content))
    docs = [_to_document(path, d, options) for d in _parse(path, content, options) if any(d.sentences)]
    if not docs:
        raise ImportFileError(path, None, "is empty: no token lines in it")
    return docs


def looks_like_columns(path: Path, head: str) -> bool:
    """A token-per-line file: most of its first lines are `token ... TAG` or -DOCSTART-."""
    if path.is_dir():
        return False
    lines = [ln.removesuffix("\r") for ln in head.split("\n")[:40] if ln.strip()]
    if len(lines) > 1 and not head.endswith("\n"):
        lines = lines[:-1]
    if not lines:
        return False
    if any(ln.startswith(DOCSTART) for ln in lines):
        return True
    tagged = sum(1 for ln in lines if len(ln.split()) >= 2 and any(TAG.match(c) for c in ln.split()[1:]))
    piped = sum(1 for ln in lines if all(item.count("|") >= 1 for item in ln.split()) and "|" in ln)
    return tagged >= 0.8 * len(lines) or piped == len(lines)
