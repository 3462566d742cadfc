"""Stopping a render: SIGTERM (what ``timeout``, CI and process managers send) is
handled as Ctrl-C is, so the render stops every render process, removes its
temporary folders and leaves the previous video as it was."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: the render stops, cleans up, and the previous
    video stays."""

    signum = signal.SIGTERM  # the exit status of a process it ends is 128 + signum


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (a KeyboardInterrupt) in
    the main thread, once: a second one while cleaning up does not cut it short.
    Outside the main thread (where Python cannot handle signals) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = False

    def handler(signum, frame) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise Terminated(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
