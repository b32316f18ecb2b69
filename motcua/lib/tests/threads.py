"""Works run at the same moment, each in a thread of its own and so on a database connection
of its own: the concurrency tests' one runner."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def together(*works: Callable[[], object]) -> list[object]:
    """Run each work in its own thread, released at once; what each returned or raised."""
    barrier = threading.Barrier(len(works))
    outcomes: list[object] = [None] * len(works)

    def run(index: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = work()
        except Exception as error:  # noqa: BLE001 - the test inspects what each got
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
