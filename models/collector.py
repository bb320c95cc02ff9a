"""Keeping Python's cyclic garbage collector out of the way of an import or an export.

Reading 10,000 Label Studio tasks makes millions of dicts, lists and strings that all stay alive until they are
stored; an export makes tens of thousands of rows a batch. Each of those allocations counts towards the next
collection, and every full collection walks all of the process's objects again: a fifth or more of the run's
time, for nothing, since this data holds no reference cycles (reference counting frees it). While
`collector_paused()` is active the collector does not run; it runs again as before when the last active block
(of any thread: the window imports and exports in the background) ends, and collects any cycle made meanwhile.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
