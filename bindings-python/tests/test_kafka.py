# mypy: disallow-untyped-calls=False
# (confluent-kafka has no type annotations.)
"""The Kafka example (examples/python/kafka_consumer.py) on librdkafka's mock cluster: two
consumer processes, one killed with SIGKILL mid-stream and restarted, give exactly one engine's
outcomes, stats, journeys and session events (SPEC §13)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

import libjourney
from libjourney import partition
from clocked_streams import CATALOG, CONFIG, agent_sessions_unnamed, one_engine, stream, with_operations

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))
import kafka_consumer  # noqa: E402
import scale_out  # noqa: E402

class ConsumerProcess:
    """One `kafka_consumer.py consume` process, with its log lines."""

    def __init__(self, work: Path, name: str, bootstrap: str, config: Any, extra: tuple[str, ...] = ()) -> None:
        self.log_path = work / f"{name}.log"
        (work / "catalog.json").write_text(json.dumps(CATALOG))
        (work / "config.json").write_text(json.dumps(config))
        self.process = subprocess.Popen(
            [sys.executable, str(EXAMPLES / "kafka_consumer.py"), "consume", "--bootstrap", bootstrap,
             "--topic", "journey", "--group", "journey", "--catalog", str(work / "catalog.json"),
             "--config", str(work / "config.json"), "--stores", str(work / "stores"), "--out", str(work / "out"),
             "--checkpoint-every", "19", "--session-timeout-ms", "3000", "--report-every", "0.5", *extra],
            stdout=self.log_path.open("w"), stderr=subprocess.STDOUT)

    def finish(self, seconds: float, status: int = 0) -> None:
        """Waits for the process to exit with `status` (its log in the failure), killing it when
        it has not exited after `seconds`."""
        try:
            assert self.process.wait(seconds) == status, self.log_path.read_text()
        finally:
            if self.process.poll() is None:
                self.process.kill()

    def log(self) -> list[Any]:
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.startswith("{")]

    def owned(self) -> set[int]:
        """The partitions it holds now, by its log."""
        held: set[int] = set()
        for entry in self.log():
            if entry["event"] == "assigned":
                held.add(entry["partition"])
            elif entry["event"] == "released":
                held.discard(entry["partition"])
        return held

    def caught_up(self) -> dict[int, int]:
        """The next offset of each partition it holds, when it last ran out of messages."""
        idle = [entry for entry in self.log() if entry["event"] == "idle"]
        held = self.owned()
        return {int(n): offset for n, offset in (idle[-1]["offsets"] if idle else {}).items() if int(n) in held}


def settle(*consumers: ConsumerProcess) -> None:
    """Waits until the group's last rebalance is 2 s old: one after the data arrives would
    checkpoint every partition and leave nothing for a kill to lose."""
    def logged() -> int:  # progress lines come every half second, rebalance or not
        return sum(1 for c in consumers for entry in c.log() if entry["event"] != "progress")
    while True:
        before = logged()
        time.sleep(2)
        if logged() == before:
            return


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)


#: An event clock whose lateness the stream's far-ahead events make matter: partitions share the
#: watermark through a topic.
EVENT_CLOCK: Any = {"clock": "event", "allowedLateness": "30m"}


@pytest.mark.parametrize(("clock", "online", "transactions"),
                         [("manual", False, False), ("event", False, False), ("manual", True, False), ("event", True, False),
                          ("manual", True, True)])
def test_two_consumers_one_killed_and_restarted_equal_one_engine(tmp_path: Path, clock: str, online: bool,
                                                                  transactions: bool) -> None:
    """`online`: the producer routes one event at a time and sends the state moves it asks for.
    `transactions`: outcomes go to a topic in Kafka transactions, and are read back exactly once
    (the killed consumer's open transaction is aborted when it restarts)."""
    holder, bootstrap = kafka_consumer.mock_cluster()
    kill_and_restart(tmp_path, bootstrap, clock, online, transactions)
    del holder


def test_on_a_real_broker_topics_are_created_and_the_group_sees_the_checkpoints(tmp_path: Path, tansu: str) -> None:
    """On tansu, a Kafka broker (sqlite storage), which librdkafka's mock cluster is not:
    `produce --partitions` creates the topic and its side topics through the broker's
    controller, one consumer applies the online router's stream (state moves, agents' operations,
    web actions), its checkpoints are the offsets the broker's group coordinator gives back, and
    the result equals one engine's. (A kill is not tried here: after a member is killed, tansu
    0.6.0's coordinator goes on assigning it its partitions, docs/scale-out.md, "Brokers".)"""
    config = {**CONFIG, "digestKey": "00112233445566778899aabbccddeeff"}
    lines = with_operations(stream())
    expected = one_engine(lines, config)
    (tmp_path / "catalog.json").write_text(json.dumps(CATALOG))
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "input.ndjson").write_text("\n".join(lines) + "\n")
    produce = subprocess.run(
        [sys.executable, str(EXAMPLES / "kafka_consumer.py"), "produce", "--bootstrap", tansu, "--topic", "journey",
         "--partitions", "4", "--online", "--catalog", str(tmp_path / "catalog.json"), "--config",
         str(tmp_path / "config.json"), str(tmp_path / "input.ndjson")], capture_output=True, text=True, timeout=120)
    assert produce.returncode == 0, produce.stderr
    log = [json.loads(line) for line in produce.stdout.splitlines()]
    assert {e["topic"]: e["partitions"] for e in log if e["event"] == "topic created"} == {
        "journey": 4, "journey-slices": 1, "journey-progress": 1}
    ends = log[-1]["messages"]
    again = subprocess.run([*produce.args[:8], "5", *produce.args[9:]], capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "topic journey has 4 partitions, not 5" in again.stderr, again.stderr
    consumer = ConsumerProcess(tmp_path, "only", tansu, config, ("--idle-exit", "10", "--session-timeout-ms", "10000"))
    consumer.finish(300)
    # tansu keeps no offset metadata, so no owner epoch: the consumer says so.
    assert any(entry["event"] == "offset metadata not kept" for entry in consumer.log()), consumer.log()
    assert_the_group_sees_the_checkpoints(tansu, tmp_path / "stores", ends, owners=0)
    merged = kafka_consumer.results(tmp_path / "stores", tmp_path / "out", libjourney.Catalog.from_dict(CATALOG),
                                    config, lines)
    assert agent_sessions_unnamed(merged["outcomes"]) == agent_sessions_unnamed(expected["outcomes"])
    assert merged["agentDeliveries"] == expected["agentDeliveries"]
    assert merged["stats"] == expected["stats"]
    assert merged["journeys"] == expected["journeys"]
    assert merged["sessionEvents"] == expected["sessionEvents"]


def kill_and_restart(tmp_path: Path, bootstrap: str, clock: str, online: bool, transactions: bool,
                     patience: float = 60) -> None:
    """Two consumers; the first half; one killed with SIGKILL and restarted; the second half:
    equal to one engine (the tests above). `patience`: how long each step may take, in seconds."""
    config = CONFIG if clock == "manual" else EVENT_CLOCK
    if online:
        config = {**config, "digestKey": "00112233445566778899aabbccddeeff"}
    lines = with_operations(
        stream() if clock == "manual" else [line for line in stream() if scale_out.clock_move(line) is None])
    expected = one_engine(lines, config)
    catalog = libjourney.Catalog.from_dict(CATALOG)
    half = len(lines) // 2
    events = "\n".join(line for line in lines if scale_out.clock_move(line) is None and scale_out.command_of(line) is None)
    assert set(libjourney.partition.route(catalog, events, 4)["partitions"]) == {0, 1, 2, 3}
    # The topic exists (4 partitions) before the consumers subscribe to it.
    assert kafka_consumer.topic_partitions(Producer({"bootstrap.servers": bootstrap}), "journey") == 4
    ends = [0, 0, 0, 0]  # messages produced to each partition so far
    state_moves = [0]
    report_commands: list[int] = []  # operations sent, per produce

    def produce(start: int, stop: int | None) -> None:
        report = kafka_consumer.produce(bootstrap, "journey", catalog, lines, config, start=start, stop=stop,
                                        online=online)
        assert report["quarantined"] == [] and min(report["events"]) > 20, report
        state_moves[0] += report["stateMoves"]
        report_commands.append(sum(report["commands"]))
        for n, messages in enumerate(report["messages"]):
            ends[n] += messages

    def drained(*consumers: ConsumerProcess) -> Callable[[], bool]:
        return lambda: {n: o for c in consumers for n, o in c.caught_up().items()} == dict(enumerate(ends))

    def to_topic(instance: str) -> tuple[str, ...]:
        return ("--outcomes-topic", "outcomes", "--transactional-id", instance) if transactions else ()

    first = ConsumerProcess(tmp_path, "first", bootstrap, config, to_topic("first"))
    second = ConsumerProcess(tmp_path, "second", bootstrap, config, to_topic("second"))
    restarted = None
    try:
        wait_for(lambda: len(first.owned()) == 2 and len(second.owned()) == 2, "the group to share 4 partitions",
                 patience)
        settle(first, second)
        # Each partition goes past a checkpoint (every 19 messages) and stops between two.
        produce(0, half)
        wait_for(drained(first, second), "the first half to be applied", patience)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        wait_for(lambda: len(second.owned()) == 4, "the survivor to take the killed one's partitions", patience)
        restarted = ConsumerProcess(tmp_path, "restarted", bootstrap, config, to_topic("first"))
        wait_for(lambda: len(restarted.owned()) == 2 and len(second.owned()) == 2, "the restarted one to rejoin",
                 patience)
        settle(restarted, second)
        produce(half, None)
        wait_for(drained(restarted, second), "the second half to be applied", patience)
        # One stops; the other takes its partitions over and commits their checkpoints (a commit
        # made during the rebalance may have been refused), then stops.
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(30) == 0, second.log_path.read_text()
        if transactions:
            # (librdkafka's mock cluster does not record a transaction's offsets as the group's.)
            wait_for(lambda: len(restarted.owned()) == 4 and all(
                part["lag"] == 0 for part in last_progress(restarted).values()), "the last one to take over")
        else:
            wait_for(lambda: committed(restarted) == dict(enumerate(ends)), "the last one to commit every checkpoint",
                     patience)
        restarted.process.send_signal(signal.SIGTERM)
        assert restarted.process.wait(30) == 0, restarted.log_path.read_text()
    finally:
        for consumer in (first, second, restarted):
            if consumer is not None and consumer.process.poll() is None:
                consumer.process.kill()
    # Sent exactly once to the topic (reading it fails on a position seen twice), or written at
    # least once to the files.
    # (librdkafka's mock cluster shows aborted records to read_committed readers: the test keeps
    # the records of the transactions the consumers logged as committed.)
    transactions_committed = {entry["transaction"] for consumer in (first, second, restarted) if consumer
                              for entry in consumer.log() if entry["event"] == "transaction committed"}
    topic = kafka_consumer.read_outcome_topic(bootstrap, "outcomes", committed=transactions_committed) \
        if transactions else None
    assert bool(list((tmp_path / "out").glob("*.ndjson"))) == (not transactions)
    merged = kafka_consumer.results(tmp_path / "stores", tmp_path / "out", catalog, config, lines, topic)
    assert None not in merged["outcomes"], "every event and operation has its outcome"
    assert agent_sessions_unnamed(merged["outcomes"]) == agent_sessions_unnamed(expected["outcomes"])
    # Agents' queues, custom events and all, and web actions (their outcomes) as in one engine.
    assert merged["agentDeliveries"] == expected["agentDeliveries"] and len(expected["agentDeliveries"]) == 3
    assert sum(report_commands) > 0
    assert merged["stats"] == expected["stats"]
    assert merged["journeys"] == expected["journeys"]
    assert merged["sessionEvents"] == expected["sessionEvents"]
    assert (state_moves[0] > 0) == online, "the online router moved state, the batch router never does"
    # The killed consumer's state after its last checkpoint was dropped and redone by its successor,
    # and the restarted consumer applied part of the second half.
    reopened = [entry for consumer in (second, restarted) for entry in consumer.log() if entry["event"] == "assigned"]
    assert any(entry["recovery"]["recordsAfterCheckpointDropped"] > 0 for entry in reopened), reopened
    # (Its first share, up to its first release; it took the other's partitions at the end.)
    first_share = [e for e in restarted.log() if e["event"] in ("assigned", "released")]
    first_share = first_share[:next(i for i, e in enumerate(first_share) if e["event"] == "released")]
    started_at = {e["partition"]: e["offset"] for e in first_share}
    ended_at = {e["partition"]: e["offset"] for e in restarted.log() if e["event"] == "released"}
    assert started_at and all(ended_at[n] > started_at[n] for n in started_at), restarted.log()

    if not transactions:
        assert_the_group_sees_the_checkpoints(bootstrap, tmp_path / "stores", ends)
    assert_progress_was_reported(second, restarted)

    # The stream is adversarial and the clock matters: late and future events, resends, conflicts.
    codes = expected["stats"]["rejectedByCode"]
    assert codes.get("LATE_EVENT", 0) > 0 and (clock == "event" or codes.get("FUTURE_EVENT", 0) > 0), codes
    assert expected["stats"]["eventsDuplicate"] > 0 and codes.get("CUSTOMER_MISMATCH", 0) > 0, codes
    assert len(expected["journeys"]) >= 8 and len(expected["sessionEvents"]) >= 20


def committed(consumer: ConsumerProcess) -> dict[int, int]:
    """The committed offset of each partition, by the consumer's last progress line."""
    return {int(n): part["committed"] for n, part in last_progress(consumer).items()}


def assert_the_group_sees_the_checkpoints(bootstrap: str, stores: Path, ends: list[int],
                                          owners: int = 2) -> None:
    """The group's committed offsets, as a lag tool reads them, are the engines' checkpoints:
    every message produced, applied and checkpointed. Their metadata holds each partition's
    owner epoch, which its store has seen, so an owner below it is fenced; some partition had
    `owners` owners at least (0: the broker keeps no metadata, and the stores no epoch)."""
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": "journey"})
    try:
        committed = reader.committed([TopicPartition("journey", n) for n in range(4)], timeout=10)
    finally:
        reader.close()
    assert [tp.offset for tp in committed] == ends, committed
    epochs = [kafka_consumer.owner_epoch(tp.metadata) for tp in committed]
    assert min(epochs) >= min(owners, 1) and max(epochs) >= owners, epochs
    checkpoints = []
    catalog = libjourney.Catalog.from_dict(CATALOG)
    for n, epoch in enumerate(epochs):
        store = str(stores / f"partition-{n}")
        if epoch > 1:
            with pytest.raises(libjourney.JourneyError, match="fenced") as stale:
                libjourney.Engine(catalog, {"store": {"recoverTo": "checkpoint", "epoch": epoch - 1}}, store=store)
            assert stale.value.code == "STORE_LOCKED"
        engine = libjourney.Engine(catalog, {"store": {"recoverTo": "checkpoint", "epoch": max(epoch, 1)}}, store=store)
        checkpoints.append(engine.last_checkpoint()["offset"])
        engine.close()
    assert checkpoints == ends


def assert_progress_was_reported(*consumers: ConsumerProcess) -> None:
    """The consumers logged their partitions' offsets, lag and rates: messages applied, and
    partitions caught up (a lag is `None` before the partition's first fetch)."""
    reports = [entry["partitions"] for consumer in consumers for entry in consumer.log()
               if entry["event"] == "progress"]
    assert reports and all(set(p) <= {"0", "1", "2", "3"} for p in reports), reports
    assert any(part["perSecond"] > 0 for parts in reports for part in parts.values()), reports
    lags = {part["lag"] for parts in reports for part in parts.values()}
    assert 0 in lags and lags <= {None} | set(range(1_000)), lags


def order(customer: str, k: int, extra: Any = None, note: str = "") -> str:
    """An `order_placed` event of `customer`, the `k`th second after 10:00, in the customer's own
    delivery session."""
    return json.dumps({"eventName": "order_placed", "createdDate": f"2026-11-21T10:{k // 60 % 60:02}:{k % 60:02}Z",
                       "customer": {"id": customer, "idType": "email"}, **(extra or {}),
                       "session": {"type": "delivery", "externalId": f"order-{customer}"},
                       "attributes": {"note": f"{k}-{note}"}})


def linked_pairs(pairs: int = 12) -> list[str]:
    """Pairs of customers on different partitions (of 4), each with a few events, then an event
    of each pair's second naming the first as its identifier: the online router moves the first
    (the smaller component) to the second's partition, so state moves between most pairs of
    partitions. Then one more event of each."""
    firsts = [f"pair-{n}-a@example.com" for n in range(pairs)]
    seconds = [f"pair-{n}-b@example.com" for n in range(pairs)]
    for n in range(pairs):  # the same partition by chance: another second, a few tries on
        k = 0
        while partition.partition_for(f"c:email:{seconds[n]}", 4) == partition.partition_for(f"c:email:{firsts[n]}", 4):
            k += 1
            seconds[n] = f"pair-{n}-b{k}@example.com"
    lines = [order(who, 3 * n + i) for n in range(pairs) for i, who in enumerate((firsts[n], firsts[n], seconds[n]))]
    lines += [order(seconds[n], 100 + n) for n in range(pairs)]
    lines += [order(seconds[n], 200 + n, {"identifiers": [{"id": firsts[n], "idType": "email"}]}) for n in range(pairs)]
    lines += [order(who, 300 + n) for n in range(pairs) for who in (firsts[n], seconds[n])]
    return lines


def move_sources(catalog: libjourney.Catalog, lines: list[str]) -> set[tuple[int, int]]:
    """The (source, target) partitions of the online router's state moves over `lines`."""
    router = partition.OnlineRouter(catalog, 4)
    return {(move["source"], move["target"]) for line in lines for move in router.route(line)["moves"]}


@pytest.mark.parametrize("protocol", ["cooperative", "consumer"])
def test_a_rebalance_in_the_middle_of_state_moves_equals_one_engine(tmp_path: Path, protocol: str) -> None:
    """Two consumers share the partitions; the one holding the sources of some state moves stops
    (SIGSTOP) before they are sent, so the other waits at their second halves for slices. It is
    stopped (SIGTERM) there, mid-move; a third joins, and takes every partition once the stopped
    one misses its session timeout, which then resumes (SIGCONT), finds its partitions lost and
    rejoins.
    `cooperative` is the classic protocol's cooperative-sticky assignor, `consumer` KIP-848's."""
    config = {**CONFIG, "digestKey": "00112233445566778899aabbccddeeff", "unknownAttributes": "keep"}
    catalog = libjourney.Catalog.from_dict(CATALOG)
    lines = linked_pairs()
    expected = one_engine(lines, config)
    holder, bootstrap = kafka_consumer.mock_cluster()
    assert kafka_consumer.topic_partitions(Producer({"bootstrap.servers": bootstrap}), "journey") == 4
    extra = ("--protocol", protocol)
    first = ConsumerProcess(tmp_path, "first", bootstrap, config, extra)
    second = ConsumerProcess(tmp_path, "second", bootstrap, config, extra)
    third = None
    try:
        wait_for(lambda: len(first.owned()) == 2 and len(second.owned()) == 2, "the group to share 4 partitions")
        settle(first, second)
        # The one that stops holds the sources of moves into the other's partitions.
        moves = move_sources(catalog, lines)
        stopped, waiting = (first, second) if any(
            source in first.owned() and target in second.owned() for source, target in moves) else (second, first)
        assert any(source in stopped.owned() and target in waiting.owned() for source, target in moves), moves
        stopped.process.send_signal(signal.SIGSTOP)
        report = kafka_consumer.produce(bootstrap, "journey", catalog, lines, config, online=True)
        assert report["stateMoves"] >= 6, report
        wait_for(lambda: any("waitingForSlice" in part for part in last_progress(waiting).values()),
                 "a partition to wait for a slice the stopped consumer owes it")
        waiting.process.send_signal(signal.SIGTERM)
        assert waiting.process.wait(30) == 0, waiting.log_path.read_text()
        released = [entry for entry in waiting.log() if entry["event"] == "released"]
        assert any("waitingForSlice" in entry for entry in released), released
        third = ConsumerProcess(tmp_path, "third", bootstrap, config, (*extra, "--idle-exit", "5"))
        # It takes the waiting one's partitions, then the stopped one's once its session ends, and
        # waits for their stores, which the stopped one holds until it runs again.
        wait_for(lambda: any(entry["event"] == "waiting for the store" for entry in third.log()),
                 "the third to wait for the stopped one's stores", 90)
        held = len(stopped.owned())
        stopped.process.send_signal(signal.SIGCONT)

        def lost() -> list[Any]:
            return [entry for entry in stopped.log() if entry["event"] == "released without a checkpoint"]
        wait_for(lambda: len(lost()) == held, "the stopped one to find its partitions lost", 60)
        assert all(entry["lost"] for entry in lost()), stopped.log()
        # It rejoins the group; the third leaves when idle, and it takes every partition.
        assert third.process.wait(120) == 0, third.log_path.read_text()
        wait_for(lambda: set(last_progress(stopped)) == {"0", "1", "2", "3"} and all(
            part["lag"] == 0 and "waitingForSlice" not in part for part in last_progress(stopped).values()),
            "the stopped one to hold every partition, caught up")
        stopped.process.send_signal(signal.SIGTERM)
        assert stopped.process.wait(30) == 0, stopped.log_path.read_text()
    finally:
        for consumer in (first, second, third):
            if consumer is not None and consumer.process.poll() is None:
                consumer.process.send_signal(signal.SIGCONT)
                consumer.process.kill()
    merged = kafka_consumer.results(tmp_path / "stores", tmp_path / "out", catalog, config, lines)
    assert merged["outcomes"] == expected["outcomes"]
    assert merged["stats"] == expected["stats"]
    assert merged["journeys"] == expected["journeys"]
    assert merged["sessionEvents"] == expected["sessionEvents"]
    assert expected["stats"]["eventsAccepted"] == len(lines)
    del holder


def last_progress(consumer: ConsumerProcess) -> Any:
    """The partitions of the consumer's last progress line."""
    reports = [entry["partitions"] for entry in consumer.log() if entry["event"] == "progress"]
    return reports[-1] if reports else {}


def big_customers_joined(catalog: libjourney.Catalog) -> list[str]:
    """Two customers of about a megabyte of events each on different partitions, then an event
    linking them: the online router moves the smaller one's state, a slice over a message's
    limit. Then a few more events of each."""
    names = [f"big-{n}@example.com" for n in range(50)]
    first = names[0]
    second = next(n for n in names if partition.partition_for(f"c:email:{n}", 4) != partition.partition_for(
        f"c:email:{first}", 4))
    note = "x" * 900

    def event(customer: str, k: int, extra: Any = None) -> str:
        return order(customer, k, extra, note)

    lines = [event(first, k) for k in range(1_200)] + [event(second, k) for k in range(1_300)]
    lines.append(event(second, 1_300, {"identifiers": [{"id": first, "idType": "email"}]}))
    lines += [event(first, 1_201), event(second, 1_301)]
    assert len(lines[0]) > 900 and catalog is not None
    return lines


def test_a_slice_larger_than_a_message_moves_in_pieces_and_a_refused_one_fails_loudly(tmp_path: Path) -> None:
    config = {**CONFIG, "digestKey": "00112233445566778899aabbccddeeff", "unknownAttributes": "keep"}
    catalog = libjourney.Catalog.from_dict(CATALOG)
    lines = big_customers_joined(catalog)
    expected = one_engine(lines, config)
    holder, bootstrap = kafka_consumer.mock_cluster()
    assert kafka_consumer.topic_partitions(Producer({"bootstrap.servers": bootstrap}), "journey") == 4
    report = kafka_consumer.produce(bootstrap, "journey", catalog, lines, config, online=True)
    assert report["stateMoves"] == 1, report
    # The negative control: a slice sent whole is over the message limit. The consumer fails
    # loudly (exit status 1, the refusal in its log) and records no checkpoint past the move.
    whole = ConsumerProcess(tmp_path, "whole", bootstrap, config, ("--slice-piece-bytes", "4000000", "--idle-exit", "5"))
    whole.finish(120, status=1)
    text = whole.log_path.read_text()
    assert "too large" in text.lower() and "released without a checkpoint" in text, text
    # In pieces, a consumer taking over from the failed one's checkpoints moves the state.
    pieces = ConsumerProcess(tmp_path, "pieces", bootstrap, config, ("--idle-exit", "5"))
    pieces.finish(180)
    del holder
    merged = kafka_consumer.results(tmp_path / "stores", tmp_path / "out", catalog, config, lines)
    assert merged["outcomes"] == expected["outcomes"]
    assert merged["stats"] == expected["stats"]
    assert merged["journeys"] == expected["journeys"]
    assert merged["sessionEvents"] == expected["sessionEvents"]
    # The moved journey is whole: 1,200 events and the one after the move, in one session.
    sizes = [sum(len(page.get("entities", [])) for page in pages) for pages in merged["sessionEvents"].values()]
    assert 1_201 in sizes, sizes


def test_cluster_settings_come_from_a_file_and_the_command_line(tmp_path: Path) -> None:
    """(Topic creation, `produce --partitions`, needs a broker with a controller: librdkafka's
    mock cluster has none, and creates topics on use.)"""
    holder, bootstrap = kafka_consumer.mock_cluster()
    settings = tmp_path / "client.properties"
    settings.write_text(f"# the cluster\nbootstrap.servers = {bootstrap}\nmessage.max.bytes=400000\n\nclient.id=file\n")
    cluster = kafka_consumer.Cluster.from_arguments(None, settings, ["client.id=command-line"])
    assert cluster.settings == {"bootstrap.servers": bootstrap, "message.max.bytes": "400000",
                                "client.id": "command-line"}
    assert cluster.slice_piece_bytes() == 200_000, "half the message limit"
    with pytest.raises(ValueError, match="key=value"):
        kafka_consumer.Cluster.from_arguments(bootstrap, None, ["acks"])
    with pytest.raises(ValueError, match="no bootstrap servers"):
        kafka_consumer.Cluster.from_arguments(None, None, [])

    (tmp_path / "catalog.json").write_text(json.dumps(CATALOG))
    (tmp_path / "events.ndjson").write_text("\n".join(linked_pairs(2)) + "\n")
    produce = [sys.executable, str(EXAMPLES / "kafka_consumer.py"), "produce", "--kafka-config", str(settings),
               "-X", "linger.ms=0", "--topic", "settings", "--catalog", str(tmp_path / "catalog.json"),
               str(tmp_path / "events.ndjson")]
    run = subprocess.run(produce, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    produced = json.loads(run.stdout.splitlines()[-1])
    assert len(produced["messages"]) == 4 and sum(produced["events"]) == len(linked_pairs(2))
    # A setting librdkafka refuses stops the command with librdkafka's words.
    refused = subprocess.run([*produce[:5], "-X", "linger.ms=forever", *produce[7:]], capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode != 0 and "linger.ms" in refused.stderr, refused.stderr
    del holder
