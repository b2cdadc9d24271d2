"""libjourney for Python: an embedded customer-journey engine.

Load a :class:`Catalog`, make an :class:`Engine`, and ingest events; read a customer's journey as
an agent sees it; send custom events to agents and long-poll for them; record web action events and
subscribe to them. Results are plain dicts and lists in the JSON forms of the spec, and every error
is a :class:`JourneyError` whose ``.code`` is the same string as in C, Rust and Node.
"""

from __future__ import annotations

import asyncio
import os
from typing import Optional, Union

from libjourney import _native, partition, types
from libjourney.paths import PathRow, paths_rows, paths_to_pandas
from libjourney.types import Config, NextEventsResult
from libjourney._native import (
    Catalog,
    CatalogError,
    ConfigError,
    CorruptStoreError,
    InvalidArgumentError,
    InvalidSessionError,
    InvalidTransitionError,
    JourneyError,
    NotFoundError,
    PermissionDeniedError,
    QueueFullError,
    StoreIOError,
    StoreLockedError,
    UnknownActionError,
    ValidationError,
    __version__,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "ConfigError",
    "CorruptStoreError",
    "Engine",
    "InvalidArgumentError",
    "InvalidSessionError",
    "InvalidTransitionError",
    "JourneyError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueueFullError",
    "StoreIOError",
    "StoreLockedError",
    "UnknownActionError",
    "ValidationError",
    "__version__",
    "PathRow",
    "partition",
    "paths_rows",
    "paths_to_pandas",
    "types",
]

def _wake(woken: "asyncio.Future[None]") -> None:
    if not woken.done():
        woken.set_result(None)


class Engine(_native.Engine):
    """An engine: ingest, the journey view, agent queues and web actions. Thread-safe.

    ``Engine(catalog, config)`` keeps everything in memory; ``Engine.open(path, catalog, config)``
    keeps it in a durable store that survives restarts. A durable engine is also a context
    manager: ``with Engine.open(...) as engine:`` closes it (writing a snapshot) on the way out.
    """

    @classmethod
    def open(
        cls, path: Union[str, "os.PathLike[str]"], catalog: Catalog, config: Optional[Config] = None
    ) -> "Engine":
        """Opens the durable store in the directory ``path``, creating it or recovering what it
        holds. Raises ``StoreLockedError`` when another engine has it open, ``CorruptStoreError``
        when it is damaged, and ``CatalogError`` when ``catalog`` is not the stored one or an
        addition to it."""
        return cls(catalog, config, store=os.fspath(path))

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def next_events_async(
        self, session_id: str, timeout_ms: Optional[int] = None, max: Optional[int] = None, ack: Optional[int] = None
    ) -> NextEventsResult:
        """The long poll for asyncio: awaits events on the event loop, with no thread waiting.

        Cancelling it (``task.cancel()``, ``asyncio.wait_for``) loses nothing: until it returns it
        has taken nothing from the queue, and the next poll gets the events."""
        loop = asyncio.get_running_loop()
        poll = self._poll(session_id, timeout_ms, max, ack)
        try:
            while True:
                woken: asyncio.Future[None] = loop.create_future()
                result = poll.step(lambda: loop.call_soon_threadsafe(_wake, woken))
                if result is not None:
                    return result
                await woken
        finally:
            poll.cancel()
