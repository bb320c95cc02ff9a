"""The cyclic collector pauses while imports and exports run, and comes back as it was, in every thread."""

from __future__ import annotations

import gc
import threading

import pytest

from models.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_enabled():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_enabled_again_after_nested_blocks() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the outer block is still running"
    assert gc.isenabled()


def test_enabled_again_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("bad line")
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_stays_paused_until_the_last_thread_ends() -> None:
    inside, leave = threading.Event(), threading.Event()

    def export() -> None:
        with collector_paused():
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=export)
    worker.start()
    inside.wait(10)
    with collector_paused():
        pass
    assert not gc.isenabled(), "the export in the other thread still runs"
    leave.set()
    worker.join(10)
    assert gc.isenabled()
