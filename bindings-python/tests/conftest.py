"""Makes the tests' helper modules importable and gives tests a ready engine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def tansu(tmp_path: Path) -> Iterator[str]:
    """A Kafka broker, tansu (`JOURNEY_TANSU`: its binary, which `make tansu` builds), on a free
    port with a fresh sqlite store; its bootstrap servers. Skipped when `JOURNEY_TANSU` is unset:
    the build takes about 16 minutes (docs/scale-out.md, "Brokers")."""
    binary = os.environ.get("JOURNEY_TANSU")
    if not binary:
        pytest.skip("JOURNEY_TANSU is not set: `make test-kafka-broker` builds tansu and runs these")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = tmp_path / "tansu"
    home.mkdir()  # tansu reads ./.env: it runs in a directory of its own
    address = f"tcp://127.0.0.1:{port}"
    broker = subprocess.Popen([binary, "broker", "--storage-engine", "sqlite://tansu.db", "--listener-url", address,
                               "--advertised-listener-url", address], cwd=home,
                              stdout=(home / "broker.log").open("w"), stderr=subprocess.STDOUT,
                              env={**os.environ, "RUST_LOG": "warn"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert broker.poll() is None and time.monotonic() < deadline, (home / "broker.log").read_text()
                time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        broker.terminate()
        try:
            broker.wait(15)
        except subprocess.TimeoutExpired:
            broker.kill()
