"""tagdesk queue DIR [--order project|uncertain] [--limit N] [--json]"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import positive


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "queue",
        help="print the pending documents in the order the window gives them (--order uncertain)",
        description="Print the next pending documents of the project's annotator: in project order, or most "
        "uncertain first (the model's least sure suggestions first; compute them with tagdesk suggest). "
        "The window's a / x / Space move in the same order.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "--order", choices=("project", "uncertain"), default="project", help="project order (default) or uncertain"
    )
    p.add_argument("--limit", type=positive, default=20, metavar="N", help="how many (default: 20)")
    p.add_argument("--annotator", help="whose queue (default: the project's annotator)")
    p.add_argument("--json", action="store_true", help="print JSON lines")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import store
    from ..project import open_project
    from ..queue import upcoming
    from ..suggest import model_key

    with open_project(args.dir) as project:
        key = model_key(project) if args.order == "uncertain" else None
        order = "uncertain" if args.order == "uncertain" else "position"
        with project.session() as s:
            ids = upcoming(
                session=s,
                annotator=args.annotator or project.annotator,
                order=order,
                limit=max(0, args.limit),
                model_key=key,
            )
            texts = store.document_texts(ids, session=s)
            unc = store.uncertainty_of(ids, key, session=s) if key else {}
    if not ids:
        print(f"{args.dir}: no pending documents")
        return 0
    for doc_id in ids:
        u = unc.get(doc_id)
        preview = " ".join(texts[doc_id].split())[:70]
        if args.json:
            print(json.dumps({"id": doc_id, "uncertainty": u, "text": preview}, ensure_ascii=False))
        else:
            shown = f"{u:.2f}" if isinstance(u, float) else ("  - " if key else "")
            print(f"{doc_id:>7}  {shown:>5}  {preview}")
    if key and all(unc.get(d) is None for d in ids):
        print(f"(no document has scored suggestions yet: run tagdesk suggest {args.dir} to compute them)")
    return 0
