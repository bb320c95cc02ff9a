"""`python -m benchmarks [NAME...] [--flags]`: run every benchmarks/bench_*.py `main()` (or the named ones).

Flags after the names go to the benchmark(s) named, e.g. `python -m benchmarks formats --large`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import time

import benchmarks


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    given = [a for a in argv if not a.startswith("-")]
    first_flag = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in given[:first_flag]] or names
    flags = argv[first_flag:]
    for name in wanted:
        if name not in names:
            print(f"no benchmark {name}; have: {', '.join(n.removeprefix('bench_') for n in names)}")
            return 1
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        run = importlib.import_module(f"benchmarks.{name}").main
        run(flags) if inspect.signature(run).parameters else run()
        print(f"({time.perf_counter() - t0:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
