"""Texts for the view benchmark, all from the repository: the demo corpus (projects/demo/corpus.jsonl) repeated
to a size, with its paragraphs or joined into one paragraph, and Chinese text without spaces generated from a
fixed list of common words (deterministic, no file needed). Spans: one entity about every 60 characters,
alternately a stored span and a pending suggestion."""

from __future__ import annotations

import json
import random
from pathlib import Path

from models import store
from models.project import Project, new_project

DEMO = Path(__file__).resolve().parents[1] / "projects" / "demo" / "corpus.jsonl"
SPAN_EVERY = 60
KEY = "bench@1"
LABELS = ["PERSON", "ORG", "GPE"]

_WORDS_ZH = (  # noqa: SIM905 - a line of words reads better than 75 quoted strings
    "中国 俄罗斯 莫斯科 北京 总理 总统 会见 合作 发展 经济 贸易 能源 科技 文化 交流 双方 表示 进一步 加强 推动 "
    "关系 友好 伙伴 全面 战略 协调 支持 共同 地区 和平 稳定 繁荣 国际 组织 会议 举行 成果 重要 意义 今年 周年 "
    "李强 普京 米舒斯京 习近平 克里姆林宫 上海合作组织 金砖国家 政府 首脑 定期 会晤 联合 公报 签署 协议 项目 "
    "投资 基础设施 铁路 港口 农业 教育 旅游 青年 人民 世界 多极化 全球化 未来 新时代 机遇 挑战 创新 领域"
).split()
_NAMES_ZH = ["李强", "普京", "米舒斯京", "习近平", "莫斯科", "北京", "克里姆林宫", "上海合作组织"]


def demo_texts() -> list[str]:
    return [json.loads(line)["text"] for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]


def article(size: int, *, paragraphs: bool) -> str:
    """The demo corpus repeated to `size` characters: its paragraphs kept ("\\n\\n"), or all in one line."""
    texts = demo_texts()
    if paragraphs:
        base = "\n\n".join(texts) + "\n\n"
    else:
        base = " ".join(" ".join(t.split()) for t in texts) + " "
    return (base * (size // len(base) + 1))[:size]


def chinese(size: int, seed: int = 14) -> str:
    """Chinese-like text without spaces in one paragraph: common words, a name now and then, commas, stops."""
    rng = random.Random(seed)
    out: list[str] = []
    n = 0
    while n < size:
        for _ in range(rng.randint(3, 7)):
            word = rng.choice(_NAMES_ZH) if rng.random() < 0.15 else rng.choice(_WORDS_ZH)
            out.append(word)
            n += len(word)
        out.append("。" if rng.random() < 0.4 else "，")
        n += 1
    return "".join(out)[:size]


def spans(text: str, *, longest: int = 24) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """One word (at most `longest` characters) every SPAN_EVERY characters; alternately stored and suggested."""
    stored: list[tuple[int, int]] = []
    suggested: list[tuple[int, int]] = []
    for k, at in enumerate(range(0, len(text) - 20, SPAN_EVERY)):
        start = at
        while start < len(text) and not text[start].isalnum():
            start += 1
        end = start
        while end < len(text) and text[end].isalnum() and end - start < longest:
            end += 1
        if end > start:
            (stored if k % 2 == 0 else suggested).append((start, end))
    return stored, suggested


def make_project(folder: Path, text: str, *, longest: int = 24) -> tuple[Project, int, int]:
    """A project holding `text` (document 1, with its spans and suggestions) and a short document 2."""
    project = new_project(folder, LABELS, annotator="bench")
    stored, suggested = spans(text, longest=longest)
    with project.writing() as s:
        store.add_documents(
            [
                store.NewDocument(text=text, spans=[(a, b, "ORG") for a, b in stored], annotator="bench"),
                store.NewDocument(text="A short second document."),
            ],
            session=s,
        )
    with project.writing() as s:
        store.store_suggestions(
            1,
            KEY,
            [{"start": a, "end": b, "label": "GPE", "origin": "model", "score": 0.9} for a, b in suggested],
            session=s,
        )
        s.commit()
    return project, len(stored), len(suggested)
