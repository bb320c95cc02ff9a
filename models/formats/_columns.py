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

import itertools
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

from ..errors import ImportFileError, TagdeskError
from ..store import NewDocument
from ..tokens import pack
from . import ReadOptions, _align
from ._export import ExportItem, WriteContext
from ._read import check_spans, short, text_problem
from ._stream import file_has_line_starting, iter_lines

DOCSTART = "-DOCSTART-"
TAG = re.compile(r"^(O|[BIESLU]-\S.*)$")
HEADER_WORDS = {"word", "token", "text", "form", "words", "tokens"}


# ---------------------------------------------------------------------------------------------- writing


class ColumnWriter:
    """`columns`: 4 writes `token _ _ TAG` (CoNLL-2003), 2 writes `token<TAB>TAG`. `scheme`: "iob" or "biluo"."""

    def __init__(self, path: Path, ctx: WriteContext, *, scheme: str, columns: int) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="\n")
        self.scheme = scheme
        self.columns = columns
        self.first = True

    def add(self, item: ExportItem) -> None:
        text = item.doc.text
        flat = item.token_bounds()
        tags = _align.tags(text, flat, _trim(text, flat, item), self.scheme)
        words = [text[s:e] for s, e in zip(flat[0::2], flat[1::2], strict=True)]  # quicker than map(slice, ...)
        sep = " _ _ " if self.columns == 4 else "\t"
        joined = "".join(words) if self.columns == 4 else ""
        if " " in joined or "\t" in joined:  # the rare case (spaces are whitespace tokens): look closer
            for word in words:
                if (" " in word or "\t" in word) and not word.isspace():
                    raise TagdeskError(
                        f"the token {short(word)} holds a space, which CoNLL-2003's space-separated columns "
                        "cannot carry; nothing was written. Export as iob or biluo (tab-separated) instead"
                    )
        out = [] if self.first else [""]
        out += [f"{DOCSTART} -X- O O", ""]  # spaCy's converters split documents on exactly this line
        self.first = False
        # whitespace tokens are not written; a line break outside an entity becomes a blank line. The runs of
        # tokens between them are written with `map` (per-token work in C)
        blank = list(compress(range(len(words)), map(str.isspace, words)))
        pos, pending_break = 0, False
        for k in [*blank, len(words)]:
            if k > pos:
                if pending_break and out[-1] != "":
                    out.append("")
                pending_break = False
                out += map(sep.join, zip(words[pos:k], tags[pos:k], strict=True))
            if k < len(words):
                pending_break = pending_break or ("\n" in words[k] and tags[k] == "O")
            pos = k + 1
        self.fh.write("\n".join(out) + "\n")

    def finish(self) -> None:
        self.fh.close()

    def close(self) -> None:
        self.fh.close()


def _trim(text: str, flat: Sequence[int], item: ExportItem) -> list[tuple[int, int, str]]:
    """Spans without leading/trailing whitespace tokens (those are not written in a column file)."""
    starts = flat[0::2]
    out = []
    for s, e, label in item.spans:
        k = bisect_left(starts, s)
        toks = []
        while k < len(starts) and starts[k] < e:
            if not text[flat[2 * k] : flat[2 * k + 1]].isspace():
                toks.append(k)
            k += 1
        if not toks:
            raise TagdeskError(
                f"document {item.doc.id}: span {s}-{e} {label} is only whitespace and cannot be "
                "written as tokens; remove it"
            )
        out.append((flat[2 * toks[0]], flat[2 * toks[-1] + 1], label))
    return out


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class _Doc:
    line: int
    sentences: list[list[tuple[str, str, bool]]] = field(default_factory=lambda: [[]])  # word, tag, ws


SAMPLE = 2000  # lines read ahead to tell the layout (separator, columns) before the file is streamed


def _split(line: str, tab: bool) -> list[str]:
    return line.split("\t") if tab else line.split()


def _layout(rows: list[list[str]]) -> tuple[int, int, int | None, int]:
    """(token column, tag column, whitespace column or None, typical width) from the typical row."""
    widths = Counter(len(r) for r in rows)
    width = widths.most_common(1)[0][0]
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


_NORMAL: dict[str, str] = {"O": "O"}  # tag -> normalised tag, for the few distinct tags of a file


def _norm_tag(tag: str, path: Path, n: int) -> str:
    known = _NORMAL.get(tag)
    if known is not None:
        return known
    if TAG.match(tag):
        prefix, label = tag[0], tag[2:]
        out = {"S": "U-", "E": "L-"}.get(prefix, prefix + "-") + label
    elif not tag or any(c.isspace() for c in tag) or re.match(r"^[BIESLU]-$", tag):
        raise ImportFileError(path, n, f"tag {short(tag)} is not a tag like O, B-PER, I-PER")
    else:
        out = "I-" + tag
    if len(_NORMAL) < 10000:
        _NORMAL[tag] = out
    return out


def _parse(path: Path, options: ReadOptions) -> Iterator[_Doc]:
    """The documents of a column file, one at a time (the file is streamed)."""
    lines = iter_lines(path, options.on_progress)
    sample: list[tuple[int, str]] = []
    for n, line in lines:
        sample.append((n, line.removesuffix("\r")))
        if len(sample) >= SAMPLE:
            break
    body = [(n, ln) for n, ln in sample if ln.strip() and not ln.startswith(DOCSTART)]
    if not body:
        if any(ln.strip() and not ln.startswith(DOCSTART) for _n, ln in lines):
            raise ImportFileError(path, None, f"has no token lines in its first {SAMPLE} lines")
        raise ImportFileError(path, None, "is empty: no token lines in it")
    rest = ((n, ln.removesuffix("\r")) for n, ln in lines)
    everything = itertools.chain(sample, rest)
    tab = any("\t" in ln for _, ln in body)
    if not tab and all(all("|" in item for item in ln.split()) for _, ln in body[:20]):
        yield from _parse_sentences(path, everything, options)
        return
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
    # Columns Tagdesk does not keep (POS, chunk, a second tag column such as a prediction): counted per column.
    dropped = [c for c in range(width) if c not in (tok_col, tag_col, ws_col) and not (tok_col == 1 and c in (0, 3))]
    dropped_values: Counter[int] = Counter()
    marked = file_has_line_starting(path, DOCSTART.encode())
    labels = options.extra.setdefault("label_lines", {})
    current: _Doc | None = None
    header_checked = False
    for n, line in everything:
        if line.startswith(DOCSTART):
            if current is not None:
                yield current
            current = None
            continue
        if not line.strip():
            if current is not None and current.sentences[-1]:
                if marked:
                    current.sentences.append([])
                else:
                    yield current
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
        raw_tag = cols[tag_col].strip()
        tag = _norm_tag(raw_tag, path, n)
        if tag != "O" and tag[2:] not in labels:
            labels[tag[2:]] = (path, n)
        if tok_col == 1 and len(cols) > 3 and cols[3].strip() not in ("O", ""):
            options.skipped["nested (inner) tags"] += 1
        for c in dropped:
            if c < len(cols) and cols[c] not in ("_", "-X-", "-"):
                dropped_values[c] += 1
        ws = cols[ws_col] == "+" if ws_col is not None else True
        if current is None:
            current = _Doc(line=n)
        current.sentences[-1].append((word, tag, ws))
    if current is not None:
        yield current
    for c, count in sorted(dropped_values.items()):
        options.skipped[
            f"values of column {c + 1} (Tagdesk keeps the tokens and the tags of column {tag_col + 1})"
        ] += count


def _parse_sentences(path: Path, lines: Iterable[tuple[int, str]], options: ReadOptions) -> Iterator[_Doc]:
    """spaCy's sentence-per-line IOB: `word|POS|TAG word|POS|TAG ...`, one sentence (document) per line."""
    labels = options.extra.setdefault("label_lines", {})
    for n, line in lines:
        if not line.strip() or line.startswith(DOCSTART):
            continue
        sent = []
        for item in line.split():
            parts = item.split("|")
            if len(parts) < 2 or not parts[0]:
                raise ImportFileError(path, n, f"{short(item)} is not word|TAG or word|POS|TAG")
            tag = _norm_tag(parts[-1], path, n)
            if tag != "O":
                labels.setdefault(tag[2:], (path, n))
            sent.append((parts[0], tag, True))
        yield _Doc(line=n, sentences=[sent])


def entities(tags: list[str]) -> list[tuple[str, int, int]]:
    """(label, first token, last token) of the entities in IOB2, IOB1, BILUO or BIOES tags (normalised by
    `_norm_tag`), in one pass (spaCy's iob_to_biluo pops from the list's head: quadratic in a long document).
    An entity starts at B-/U-, or at an I-/L- that does not continue one of its label, and ends before O,
    another label, a B-/U-, or after an L-/U-; as spaCy's iob_to_biluo + tags_to_entities read them."""
    out: list[tuple[str, int, int]] = []
    label, start = "", -1
    for i, tag in enumerate(tags):
        if tag == "O":
            if start >= 0:
                out.append((label, start, i - 1))
                start = -1
            continue
        prefix, lab = tag[0], tag[2:]
        if start >= 0 and (prefix in "BU" or lab != label):
            out.append((label, start, i - 1))
            start = -1
        if start < 0:
            label, start = lab, i
        if prefix in "LU":
            out.append((label, start, i))
            start = -1
    if start >= 0:
        out.append((label, start, len(tags) - 1))
    return out


def _to_document(path: Path, d: _Doc, options: ReadOptions) -> NewDocument:
    """Tokens joined by one space (or as the whitespace column says), sentences by a line break; the tokens
    (the line breaks among them, as the whitespace tokens spaCy makes of them) are kept."""
    parts: list[str] = []
    flat: list[int] = []
    tags: list[str] = []
    pos = 0
    for sent in d.sentences:
        if not sent:
            continue
        if parts:
            if parts[-1] == " ":
                parts.pop()
                pos -= 1
            parts.append("\n")
            flat += (pos, pos + 1)
            tags.append("O")
            pos += 1
        for word, tag, ws in sent:
            parts.append(word)
            flat += (pos, pos + len(word))
            tags.append(tag)
            pos += len(word)
            if ws:
                parts.append(" ")
                pos += 1
    if parts and parts[-1] == " ":
        parts.pop()
    text = "".join(parts)
    problem = text_problem(text)
    if problem:
        raise ImportFileError(path, d.line, problem)
    offsets = [(flat[2 * a], flat[2 * b + 1], label) for label, a, b in entities(tags)]
    spans, lost = check_spans(path, d.line, text, offsets, options.skipped)
    return NewDocument(
        text=text,
        meta={},
        line=d.line,
        spans=spans,
        status="pending" if lost else "accepted",
        tokens=pack(flat, len(text)),
    )


def read_columns(path: Path, options: ReadOptions) -> list[NewDocument]:
    """Documents of a CoNLL/IOB/BILUO file; see the module docstring for what is understood."""
    docs = [_to_document(path, d, options) for d in _parse(path, options) if any(d.sentences)]
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
