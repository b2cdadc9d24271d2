"""A Kafka consumer group with one durable libjourney engine per assigned partition, exact across
kills, restarts and rebalances (SPEC §13, docs/scale-out.md).

    # a broker: librdkafka's mock cluster (in the confluent-kafka wheel) until you have a real one
    python examples/python/kafka_consumer.py mock-cluster > bootstrap.txt &
    B=$(head -1 bootstrap.txt)   # or your cluster's bootstrap servers
    python examples/python/kafka_consumer.py produce --bootstrap $B --topic journey \\
        --catalog examples/data/catalog.json --config examples/data/replay_config.json \\
        examples/data/bike_delivery.ndjson
    python examples/python/kafka_consumer.py consume --bootstrap $B --topic journey --group journey \\
        --catalog examples/data/catalog.json --config examples/data/replay_config.json \\
        --stores stores --out outcomes --idle-exit 5
    python examples/python/kafka_consumer.py results --stores stores --out outcomes \\
        --catalog examples/data/catalog.json --config examples/data/replay_config.json \\
        --write results.json examples/data/bike_delivery.ndjson

**produce** routes the input with `libjourney.partition.route` (every event of a connected
component of customers, event ids and external ids to one partition) and sends each event to its
partition, with its position in the input as the header `journey-seq`. Clock moves in the input
(`{"op": "advance", "input": "46s"}`) go to every partition; other operations (an agent's login
or custom event, a web action's event) to the partition of their key. `--partitions N` creates
the topic and its side topics first.

**consume** joins the group. For each partition it is assigned, it claims the next owner epoch
(committed in the metadata of the group's offset, which only a current member can commit), opens
the engine stored in `STORES/partition-<n>` with `store.recoverTo: "checkpoint"` and that
`store.epoch` (a replaced member's checkpoints are then refused), and seeks to the offset recorded in the
engine's last checkpoint, not to the group's committed offset: the engine's state and that offset
are one journal record apart, so a consumer killed anywhere resumes with exactly the state that
offset describes. Every `--checkpoint-every` messages of a partition, on a revoke and on shutdown,
it writes the outcomes so far to `OUT/outcomes-<n>.ndjson` and then records the next offset with
`engine.checkpoint`. Outcomes after the last checkpoint are written again after a crash, identical
(the engine is deterministic): downstream keeps one per `seq`.

**results** reads every partition's store and outcome file back and merges them: outcomes by
`seq`, stats summed, each customer's journey from the partition holding it.

With `--online` the producer routes one event at a time and sends the state moves its router asks
for; the partition a component leaves publishes its slice to `<topic>-slices` in pieces of at most
`--slice-piece-bytes`, and a message that cannot be sent stops the consumer with an error, the
partition closed without a checkpoint so that its successor makes the move again.

Under an event clock (`"clock": "event"` in `--config`, given to both produce and consume), the
partitions share the watermark: the producer marks the events that need it and sends barriers, and
consumers exchange progress reports through the topic `<topic>-progress` (docs/scale-out.md).

`--protocol cooperative` (cooperative-sticky) or `consumer` (KIP-848) moves only the partitions
that change owner at a rebalance. `--outcomes-topic TOPIC --transactional-id ID` sends the
outcomes to a topic in Kafka transactions, exactly once, instead of files. Every client takes the
cluster's settings (TLS, SASL, sizes) from `--kafka-config FILE` and `-X key=value`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any, Callable, Optional, Union

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

import libjourney
from libjourney import partition
from scale_out import (
    agent_deliveries,
    call,
    command_of,
    command_partition,
    customer_partitions,
    customers_of,
    is_event_clock,
    journeys_across,
    read_lines,
    session_events_across,
    split_input,
)

#: The message header with an event's position in the producer's input.
SEQUENCE = "journey-seq"
#: The message header of a clock move (`advance` or `setNow`); its value is the move's input.
CLOCK = "journey-clock"
#: The header of another operation (an agent's, a web action's event, an identity op): its value is
#: the op, the message's value its input. It goes to the partition of its key (`command_key`).
COMMAND = "journey-command"
#: The header of an event a partition must take the watermark before (event clock only).
NEEDS_WATERMARK = "journey-watermark"
#: The header of a barrier: "this partition has no event before position <value>". Sent to the
#: other partitions with an event that needs the watermark, so that they pass its position, and to
#: every partition at the end of what a producer sent.
BARRIER = "journey-barrier"
#: The header of a state move's first half, on the partition the component leaves: its value names
#: the move, the message's value is the customers (JSON). The consumer takes their state out of
#: its engine and publishes the slice to `<topic>-slices` under the move's name.
MOVE_OUT = "journey-move-out"
#: The header of a state move's second half, on the partition the component joins: the consumer
#: waits for the move's slice and puts it into its engine, before the event that follows.
MOVE_IN = "journey-move-in"
#: The header of one piece of a slice on `<topic>-slices`, `i/n/<digest>`: a slice can be larger
#: than a message may be (librdkafka's `message.max.bytes`, 1,000,000 bytes by default), so it goes
#: in pieces, put together again by the partition that waits for it. The digest (of the whole
#: slice) keeps apart the pieces of two publications of one move: a move made again after a
#: restart holds the same state, but not always the same bytes.
PIECE = "journey-piece"
#: The largest piece of a slice, in bytes (`--slice-piece-bytes`): half the default message limit.
SLICE_PIECE_BYTES = 500_000
#: On a barrier: wait there for the watermark and take it (the end of what was sent, so that reads
#: see the clock one engine would have there).
FINAL = "journey-final"

#: The header of an outcome sent to `--outcomes-topic`: the transaction it was sent in.
TRANSACTION = "journey-transaction"

#: Message headers as confluent-kafka takes them.
Headers = list[tuple[str, Union[str, bytes, None]]]


def log(what: str, **fields: Any) -> None:
    """One JSON line on stdout, for people and for tests."""
    print(json.dumps({"event": what, **fields}), flush=True)


# --- the cluster -------------------------------------------------------------------------------

class Cluster:
    """How to reach the Kafka cluster: the librdkafka settings every client this program makes
    starts from (`bootstrap.servers`, `security.protocol`, `sasl.*`, `ssl.*`,
    `message.max.bytes`, ...), from `--kafka-config FILE` and `-X key=value`."""

    def __init__(self, settings: dict[str, str]) -> None:
        if not settings.get("bootstrap.servers"):
            raise ValueError("no bootstrap servers: give --bootstrap, or bootstrap.servers in --kafka-config")
        self.settings = dict(settings)

    @staticmethod
    def of(where: Union[str, "Cluster"]) -> "Cluster":
        """`where` as a cluster: bootstrap servers, or a cluster already."""
        return where if isinstance(where, Cluster) else Cluster({"bootstrap.servers": where})

    @staticmethod
    def from_arguments(bootstrap: Optional[str], config_file: Optional[Path], overrides: list[str]) -> "Cluster":
        """The settings of a properties file (`key=value` lines, `#` comments: the format of
        Kafka's `--command-config` files), then `--bootstrap`, then each `key=value` override."""
        settings: dict[str, str] = {}
        lines = config_file.read_text().splitlines() if config_file else []
        for line in [*lines, *([f"bootstrap.servers={bootstrap}"] if bootstrap else []), *overrides]:
            line = line.strip()
            if not line or line.startswith(("#", "!")):
                continue
            key, separator, value = line.partition("=")
            if not separator:
                raise ValueError(f"a Kafka setting is key=value: {line!r}")
            settings[key.strip()] = value.strip()
        return Cluster(settings)

    def client(self, defaults: Optional[dict[str, Any]] = None, required: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """A client's configuration: its `defaults`, the cluster's settings over them, and what
        the client's correctness rests on (idempotence, its group, manual commits) over both."""
        return {**(defaults or {}), **self.settings, **(required or {})}

    def slice_piece_bytes(self) -> int:
        """The default size of a slice's pieces: half the producer's message limit."""
        return min(SLICE_PIECE_BYTES, int(self.settings.get("message.max.bytes", 1_000_000)) // 2)

    def create_topics(self, topic: str, partitions: int, replication: int) -> None:
        """Creates the topic with `partitions` and its side topics (`-slices`, `-progress`) with
        one partition each, when they do not exist; fails when the topic exists with another
        partition count (the router's partition count is the topic's)."""
        admin = AdminClient(self.client())
        wanted = {topic: partitions, f"{topic}-slices": 1, f"{topic}-progress": 1}
        futures = admin.create_topics([NewTopic(name, count, replication) for name, count in wanted.items()],
                                      operation_timeout=30)
        for name, future in futures.items():
            try:
                future.result()
                log("topic created", topic=name, partitions=wanted[name])
            except KafkaException as error:
                if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise
        existing = topic_partitions(Producer(self.client()), topic)  # once the metadata has it
        if existing != partitions:
            raise ValueError(f"topic {topic} has {existing} partitions, not {partitions}")


# --- produce -----------------------------------------------------------------------------------

def produce(cluster: Union[str, Cluster], topic: str, catalog: libjourney.Catalog, lines: list[str], config: Any = None,
            cap: Optional[int] = None, start: int = 0, stop: Optional[int] = None,
            online: bool = False) -> dict[str, Any]:
    """Routes `lines` over the topic's partitions and produces them in order, those from position
    `start` to `stop` only when given (a producer resuming where it stopped routes the whole input
    again: a component's partition depends on all of it). `online` routes one event at a time, as
    a producer that does not have its input in hand must, and sends the state moves the router
    asks for before the event that needs them. With an event clock in `config`, marks the events
    that need the watermark and sends barriers. Returns what it sent: messages per partition,
    events per partition, clock moves, state moves, quarantined components."""
    producer = Producer(Cluster.of(cluster).client({"linger.ms": 20}, {"enable.idempotence": True}))
    partitions = topic_partitions(producer, topic)
    moves, inputs = split_input(lines)
    commands = {position: command for position, line in inputs if (command := command_of(line)) is not None}
    events = [(position, line) for position, line in inputs if position not in commands]
    batch = "\n".join(line for _, line in events)
    routes, quarantined = route_events(catalog, events, commands, partitions, cap, online)
    needed = partition.watermark_needed(config, batch) if is_event_clock(config) else [False] * len(events)
    needs_watermark = {position: needs for (position, _), needs in zip(events, needed)}
    for position, (op, input) in commands.items():
        needs_watermark[position] = is_event_clock(config) and partition.command_needs_watermark(config, op, input)
    sent: dict[str, Any] = {"messages": [0] * partitions, "events": [0] * partitions,
                            "commands": [0] * partitions, "clockMoves": 0, "stateMoves": 0}

    def send(target: int, value: str, headers: Headers) -> None:
        producer.produce(topic, value=value.encode(), partition=target, headers=headers)
        sent["messages"][target] += 1
        producer.poll(0)

    end = len(lines) if stop is None else min(stop, len(lines))
    for position in range(start, end):
        headers: Headers = [(SEQUENCE, str(position).encode())]
        if position in moves:
            sent["clockMoves"] += 1
            for target in range(partitions):
                send(target, moves[position][1], [*headers, (CLOCK, moves[position][0].encode())])
            continue
        routed, state_moves = routes[position]
        if routed is None:
            continue  # quarantined: reported, for the host to look at
        # Under an event clock both halves of a move take the watermark at its position: a
        # source behind one engine's clock would hand over sessions one engine has evicted.
        moved = bool(state_moves) and is_event_clock(config)
        move_headers = [*headers, (NEEDS_WATERMARK, b"1")] if moved else headers
        for n, move in enumerate(state_moves):
            name = f"{position}.{n}".encode()
            send(move["source"], json.dumps(move["customers"]), [*move_headers, (MOVE_OUT, name)])
            send(move["target"], "", [*move_headers, (MOVE_IN, name)])
            sent["stateMoves"] += 1
        target = routed
        needs = needs_watermark[position]
        if needs:
            headers.append((NEEDS_WATERMARK, b"1"))
        if position in commands:
            op, input = commands[position]
            send(target, json.dumps(input), [*headers, (COMMAND, op.encode())])
            sent["commands"][target] += 1
        else:
            send(target, lines[position], headers)
            sent["events"][target] += 1
        if needs or moved:
            for other in set(range(partitions)) - {target}:
                send(other, "", [(BARRIER, str(position + 1).encode())])
    if is_event_clock(config):
        for target in range(partitions):
            send(target, "", [(BARRIER, str(end).encode()), (FINAL, b"1")])
    if producer.flush(30) != 0:
        raise KafkaException("messages were left unsent after 30 s")
    return {**sent, "quarantined": quarantined}


def route_events(catalog: libjourney.Catalog, events: list[tuple[int, str]], commands: dict[int, tuple[str, Any]],
                 partitions: int, cap: Optional[int],
                 online: bool) -> tuple[dict[int, tuple[Optional[int], list[Any]]], list[Any]]:
    """Each event's and operation's partition and the state moves to make before it, by
    position; and the quarantined components (the batch router's cap; the online router has
    none)."""
    routes: dict[int, tuple[Optional[int], list[Any]]] = {}
    if online:
        router = partition.OnlineRouter(catalog, partitions)
        lines = dict(events)
        for position in sorted([*lines, *commands]):
            if position in commands:  # where the router has the customer now
                routes[position] = (command_partition(commands[position], partitions, router.partition_of), [])
            else:
                route = router.route(lines[position])
                routes[position] = (route["partition"], route["moves"])
        return routes, []
    routing = partition.route(catalog, "\n".join(line for _, line in events), partitions, cap)
    for (position, _), target in zip(events, routing["partitions"]):
        routes[position] = (target, [])
    where = customer_partitions(events, routing["partitions"])
    for position, command in commands.items():
        routes[position] = (command_partition(command, partitions, where), [])
    return routes, routing["quarantined"]


def topic_partitions(client: Union[Producer, Consumer], topic: str) -> int:
    """How many partitions the topic has (creating it when the cluster creates topics on use)."""
    for _ in range(50):
        metadata = client.list_topics(topic, timeout=10).topics.get(topic)
        if metadata is not None and metadata.error is None and metadata.partitions:
            return len(metadata.partitions)
        time.sleep(0.1)
    raise KafkaException(f"topic {topic} has no partitions")


# --- consume -----------------------------------------------------------------------------------

def header_values(message: Message) -> dict[str, bytes]:
    """A message's headers by name."""
    raw = message.headers() or []
    pairs = list(raw.items()) if isinstance(raw, dict) else raw
    return {name: value.encode() if isinstance(value, str) else (value or b"") for name, value in pairs}


class Partition:
    """One assigned partition: its engine, the messages fetched and not yet applied, the next
    offset to record, the outcomes not yet written, and its progress report (event clock)."""

    def __init__(self, topic: str, number: int, engine: libjourney.Engine, next_offset: int,
                 checkpointed: Optional[int], epoch: int) -> None:
        self.topic = topic
        self.number = number
        self.engine = engine
        # This owner's epoch: its store's `store.epoch`, and the metadata of every offset it
        # commits, so that the next owner numbers its own from it.
        self.epoch = epoch
        self.next_offset = next_offset
        # The offset of the engine's last checkpoint, and the last one the group accepted as this
        # partition's committed offset: they differ until a commit succeeds.
        self.checkpointed = checkpointed
        self.committed: Optional[int] = None
        self.queue: deque[Message] = deque()
        self.unwritten: list[str] = []
        self.since_checkpoint = 0
        # Messages applied since the last progress line, for its rate.
        self.applied_since_report = 0
        # With an outcome topic: the first offset whose outcome is not in a committed transaction.
        self.send_from = 0
        self.report: Any = {"partition": number, "accepted": [], "next": 0}
        self.report_changed = False
        # Set when applying a message failed: the engine may hold a change whose effects did not
        # all happen (a move out whose slice was not sent), so it is closed without a checkpoint
        # and its successor starts from the last one.
        self.failed = False

    def waiting(self) -> dict[str, str]:
        """`{"waitingForSlice": move}` when the next message is the second half of a state move
        (it may be waiting for the slice), else nothing."""
        move = header_values(self.queue[0]).get(MOVE_IN) if self.queue else None
        return {"waitingForSlice": move.decode()} if move is not None else {}

    def passed(self, position: int) -> None:
        """Notes that this partition has no unapplied event before `position`."""
        if position > self.report["next"]:
            self.report["next"] = position
            self.report_changed = True


class SideTopic:
    """A topic every consumer writes to and reads whole, beside the group's: the partitions'
    progress reports, the slices of state moves. Reads start at the beginning, so a restarted
    consumer knows everything that was sent."""

    def __init__(self, cluster: Cluster, topic: str) -> None:
        self.topic = topic
        # Its messages are waited for: no lingering, short fetches.
        self.producer = Producer(cluster.client({"linger.ms": 0}, {"enable.idempotence": True}))
        # Messages the broker refused, from the delivery reports: `flush` fails on any.
        self.failed: list[str] = []
        self.reader = Consumer(cluster.client({"fetch.wait.max.ms": 5},
                                              {"group.id": f"{topic}-{uuid.uuid4()}", "enable.auto.commit": False}))
        count = topic_partitions(self.producer, topic)
        self.reader.assign([TopicPartition(topic, n, OFFSET_BEGINNING) for n in range(count)])

    def publish(self, key: bytes, value: bytes, headers: Optional[Headers] = None) -> None:
        """Sends a message; one the client refuses at once (too large) raises here."""
        self.producer.produce(self.topic, key=key, value=value, headers=headers or [], on_delivery=self.delivered)
        self.producer.poll(0)

    def delivered(self, error: Any, message: Message) -> None:
        if error is not None:
            self.failed.append(f"{self.topic} [{message.key()!r}]: {error}")

    def receive(self, timeout: float) -> list[tuple[bytes, bytes, dict[str, bytes]]]:
        """What was sent since the last call, as `(key, value, headers)`."""
        self.producer.poll(0)
        received = []
        for message in self.reader.consume(num_messages=10_000, timeout=timeout):
            if message.error() is None:
                received.append((message.key() or b"", message.value() or b"", header_values(message)))
        return received

    def flush(self) -> None:
        """Waits until every message sent is acknowledged; fails when one was refused or is still
        unsent after 30 s, so that no checkpoint covers what a successor could not read."""
        if self.producer.flush(30) != 0:
            raise KafkaException(f"messages to {self.topic} were left unsent after 30 s")
        if self.failed:
            raise KafkaException(f"messages to {self.topic} were refused: {'; '.join(self.failed)}")

    def close(self) -> None:
        self.producer.flush(5)
        self.reader.close()


class WatermarkChannel:
    """The event-clock frontier of every partition, shared through `<topic>-progress`: each
    consumer publishes its partitions' progress reports there and reads everyone's."""

    def __init__(self, cluster: Cluster, topic: str, partitions: int) -> None:
        self.frontier = partition.Frontier(partitions)
        self.side = SideTopic(cluster, f"{topic}-progress")

    def publish(self, owned: Partition) -> None:
        """Sends a partition's report (and takes it at once: its own partitions need not wait)."""
        if not owned.report_changed:
            return
        self.frontier.record(owned.report)
        self.side.publish(str(owned.number).encode(), json.dumps(owned.report).encode())
        owned.report = {**owned.report, "accepted": []}
        owned.report_changed = False

    def receive(self, timeout: float) -> None:
        """Takes the reports other consumers sent."""
        for _, report, _ in self.side.receive(timeout):
            self.frontier.record(json.loads(report))


class SliceChannel:
    """The slices of state moves, through `<topic>-slices`, by move name: the partition a
    component leaves publishes it, in pieces of at most `piece_bytes` (one message each, keyed by
    the move, so they stay in order on one partition of the side topic), and the one it joins
    waits until it has every piece. A move made again after a restart publishes the same state
    again; the first copy of each piece is kept."""

    def __init__(self, cluster: Cluster, topic: str, piece_bytes: int = SLICE_PIECE_BYTES) -> None:
        if piece_bytes < 1:
            raise ValueError("a slice's pieces hold at least one byte")
        self.side = SideTopic(cluster, f"{topic}-slices")
        self.piece_bytes = piece_bytes
        self.received: dict[bytes, bytes] = {}
        # The pieces of each move's publications so far, by move and digest, by index.
        self.pieces: dict[bytes, dict[bytes, dict[int, bytes]]] = {}

    def publish(self, name: bytes, slice: bytes) -> None:
        self.received.setdefault(name, slice)
        digest = hashlib.sha256(slice).hexdigest()[:32]
        count = max(1, -(-len(slice) // self.piece_bytes))
        for i in range(count):
            piece = slice[i * self.piece_bytes:(i + 1) * self.piece_bytes]
            self.side.publish(name, piece, [(PIECE, f"{i}/{count}/{digest}".encode())])

    def receive(self, timeout: float) -> None:
        for name, piece, headers in self.side.receive(timeout):
            if name in self.received:
                continue
            index, count, digest = headers.get(PIECE, b"0/1/").split(b"/")
            pieces = self.pieces.setdefault(name, {}).setdefault(digest, {})
            pieces.setdefault(int(index), piece)
            if len(pieces) == int(count):
                self.received[name] = b"".join(pieces[i] for i in range(int(count)))
                del self.pieces[name]  # every publication's pieces: the move has its slice


def retried(step: Callable[[], Any], attempts: int = 3) -> None:
    """Runs a step of a transaction, again while the client says it may be retried."""
    for attempt in range(attempts):
        try:
            step()
            return
        except KafkaException as error:
            if attempt == attempts - 1 or not error.args[0].retriable():
                raise
            log("transaction step retried", error=str(error.args[0]))


def epoch_metadata(epoch: int) -> str:
    """The metadata of a committed offset: the owner epoch of the member that committed it."""
    return json.dumps({"journeyEpoch": epoch})


def store_epoch(store: Path) -> int:
    """The highest owner epoch that opened the store in `store` (its `EPOCH-<n>` markers,
    docs/durability.md); 0 for a new store or one without epochs."""
    epochs = [int(path.name[len("EPOCH-"):]) for path in store.glob("EPOCH-*") if path.name[len("EPOCH-"):].isdigit()]
    return max(epochs, default=0)


def owner_epoch(metadata: Optional[str]) -> int:
    """The owner epoch in a committed offset's metadata; 0 when it has none (never claimed)."""
    try:
        value = json.loads(metadata or "{}")
    except ValueError:
        return 0
    epoch = value.get("journeyEpoch") if isinstance(value, dict) else None
    return epoch if isinstance(epoch, int) and epoch >= 0 else 0


class Fenced(Exception):
    """The group gave this consumer's partitions to another member while its transaction was
    open: it stops, every partition closed at its last checkpoint."""


class OutcomeTopic:
    """Outcomes to a topic, exactly once: one Kafka transaction holds the outcomes of every
    owned partition since the last commit and, as the group's committed offsets, the offsets
    they end at (`send_offsets_to_transaction` with the group's metadata, so the broker refuses
    the commit of a member the group has replaced: its generation is stale). Readers with
    `isolation.level: read_committed` see each outcome once."""

    def __init__(self, cluster: Cluster, topic: str, transactional_id: str, commit_seconds: float = 2.0) -> None:
        self.topic = topic
        # How often the open transaction is committed, and when it last was (well under the
        # transaction timeout, 10 s here, after which a broker aborts it).
        self.commit_seconds = commit_seconds
        self.committed_at = time.monotonic()
        # Whether the open transaction holds outcomes: an empty one is not committed on the clock
        # (the broker does not know of it until its first record).
        self.unsent_commit = False
        # A killed consumer's open transaction holds read_committed readers back until it times
        # out (10 s here) or a producer with the same id starts (its `init_transactions` aborts
        # it): give each consumer instance a stable id.
        self.producer = Producer(cluster.client({"linger.ms": 5, "transaction.timeout.ms": 10_000},
                                                {"transactional.id": transactional_id}))
        self.producer.init_transactions(30)
        # The open transaction's name, in each of its messages' `journey-transaction` header and
        # in the log line of its commit: what a reader that cannot tell committed records from
        # aborted ones (librdkafka's mock cluster) keeps.
        self.name = f"{transactional_id}/{uuid.uuid4()}"
        self.producer.begin_transaction()

    def send(self, seq: int, outcome: Any) -> None:
        """Adds an outcome to the open transaction, keyed by its position."""
        self.unsent_commit = True
        self.producer.produce(self.topic, key=str(seq).encode(),
                              value=json.dumps({"seq": seq, "outcome": outcome}, sort_keys=True).encode(),
                              headers=[(TRANSACTION, self.name.encode())])
        self.producer.poll(0)

    def commit(self, offsets: list[TopicPartition], group_metadata: Any) -> None:
        """Commits the open transaction with `offsets` as the group's, then opens the next. A
        step the client says may be retried (a timeout, a coordinator busy with a rebalance) is
        tried again, three times at most; any other failure is raised, for the caller to abort."""
        retried(lambda: self.producer.send_offsets_to_transaction(offsets, group_metadata, 30))
        retried(lambda: self.producer.commit_transaction(30))
        self.unsent_commit = False
        log("transaction committed", transaction=self.name, offsets={str(tp.partition): tp.offset for tp in offsets})
        self.name = f"{self.name.rpartition('/')[0]}/{uuid.uuid4()}"
        self.producer.begin_transaction()

    def abort(self) -> None:
        """Aborts the open transaction, when the client still can."""
        try:
            self.producer.abort_transaction(30)
        except KafkaException:
            pass  # fenced: the broker aborted it already


class JourneyConsumer:
    """The engines of the partitions this consumer owns, and what it does with each message."""

    def __init__(self, catalog: libjourney.Catalog, config: Any, stores: Path, out: Path,
                 checkpoint_every: int, slices: SliceChannel, channel: Optional[WatermarkChannel] = None,
                 outcome_topic: Optional[OutcomeTopic] = None) -> None:
        self.catalog = catalog
        self.config: Any = {**(config or {}), "store": {**(config or {}).get("store", {}), "recoverTo": "checkpoint"}}
        self.stores = stores
        self.out = out
        self.checkpoint_every = checkpoint_every
        self.channel = channel
        self.slices = slices
        # Outcomes go to this topic in transactions instead of files, when given.
        self.outcome_topic = outcome_topic
        self.owned: dict[int, Partition] = {}
        # Partitions the group assigned that are not claimed yet (paused), by number: their topic.
        self.unclaimed: dict[int, str] = {}
        # When a claim was last refused: the next try waits half a second.
        self.claim_failed_at = -1.0
        # The group member, once `consume` has joined: checkpoints are committed to it too.
        self.kafka: Optional[Consumer] = None
        # Whether the group's protocol assigns and revokes partitions a few at a time
        # (cooperative-sticky, KIP-848) rather than all of them at every rebalance.
        self.incremental = False
        # When a commit last failed: the next try waits a second (a rebalance is under way).
        self.commit_failed_at = -1.0
        # When the group first gave this consumer its share: an idle clock runs from there, since
        # joining a group can take seconds on a busy machine (a rebalance waits for every member).
        self.joined: Optional[float] = None
        stores.mkdir(parents=True, exist_ok=True)
        out.mkdir(parents=True, exist_ok=True)

    def on_assign(self, consumer: Consumer, assigned: list[TopicPartition]) -> None:
        """Takes the assigned partitions paused: each is claimed and opened by `take_claimed`,
        outside the rebalance (a broker may refuse the claim's commit until the rebalance is
        over, and a member that holds its rebalance callback up is dropped from the group)."""
        if self.joined is None:
            self.joined = time.monotonic()
        for tp in assigned:
            self.unclaimed[tp.partition] = tp.topic
        if self.incremental:
            consumer.incremental_assign(assigned)  # added to the partitions it keeps
        else:
            consumer.assign(assigned)  # the whole assignment: eager revoked everything first
        consumer.pause(assigned)

    def take_claimed(self, consumer: Consumer) -> None:
        """Claims each unclaimed partition (the next owner epoch), opens its engine under that
        epoch and resumes it at its checkpoint's offset. A refused claim is tried again half a
        second later."""
        if time.monotonic() - self.claim_failed_at < 0.5:
            return
        for number, topic in list(self.unclaimed.items()):
            started = time.monotonic()
            claimed = self.claim(consumer, TopicPartition(topic, number))
            if claimed is None:
                self.claim_failed_at = time.monotonic()
                return
            epoch, group_offset = claimed
            del self.unclaimed[number]
            # The idle clock runs from the last partition taken: it has a backlog to fetch.
            self.joined = time.monotonic()
            engine = self.open(number, epoch)
            checkpoint = engine.last_checkpoint()
            offset = checkpoint["offset"] if checkpoint else 0
            self.owned[number] = owned = Partition(topic, number, engine, offset,
                                                   checkpoint["offset"] if checkpoint else None, epoch)
            if self.outcome_topic is not None:
                # A transaction committed after the engine's last checkpoint already holds the
                # outcomes up to the group's offset: applied again, they are not sent again.
                owned.committed = group_offset
                owned.send_from = max(0, group_offset or 0)
            consumer.seek(TopicPartition(topic, number, offset if checkpoint else OFFSET_BEGINNING))
            consumer.resume([TopicPartition(topic, number)])
            log("assigned", partition=number, offset=offset, epoch=epoch, recovery=engine.recovery(),
                openSeconds=round(time.monotonic() - started, 4))

    def on_revoke(self, consumer: Consumer, revoked: list[TopicPartition]) -> None:
        """Checkpoints and closes each revoked partition's engine, for its next owner."""
        for tp in revoked:
            self.unclaimed.pop(tp.partition, None)
            self.release(tp.partition)

    def on_lost(self, consumer: Consumer, lost: list[TopicPartition]) -> None:
        """Closes each lost partition's engine without a checkpoint: the group gave the partition
        to another member (this one missed its session timeout), which may have started from the
        last checkpoint already; what this one did since is done again there."""
        if self.outcome_topic is not None and any(tp.partition in self.owned for tp in lost):
            # The open transaction holds the lost partitions' outcomes too, which their new
            # owner sends again: it is aborted, and with it the other partitions' outcomes since
            # their checkpoints. This consumer stops, every partition closed at its last
            # checkpoint, for its supervisor to start it again (as Kafka Streams closes its tasks).
            self.abandon_transaction()
            raise Fenced(f"partitions {sorted(tp.partition for tp in lost)} were lost; the open transaction is "
                         "aborted and this consumer stops: start it again")
        for tp in lost:
            self.unclaimed.pop(tp.partition, None)
            self.release(tp.partition, checkpoint=False)

    def claim(self, consumer: Consumer, tp: TopicPartition) -> Optional[tuple[int, Optional[int]]]:
        """The partition's next owner epoch and the group's committed offset (`None`: none), or
        `None` when the broker refused the claim or did not answer (a rebalance under way; a
        member the group has replaced), for the caller to try again. The epoch is one more than
        the highest of the one in the metadata of the group's committed offset and the store's
        own (its `EPOCH-<n>` markers: the metadata is gone when the offsets expire or are reset),
        and is committed there (at the same offset) before the store is opened: a broker takes
        an offset commit only from a member of the group's current generation, so a member the
        group has replaced never claims an epoch, and its store refuses its checkpoints once its
        successor has opened it (docs/durability.md, "Fencing a stale owner")."""
        try:
            answer = consumer.committed([TopicPartition(tp.topic, tp.partition)], 30)[0]
        except KafkaException as error:
            log("claim refused", partition=tp.partition, error=[str(error.args[0])])
            return None
        if answer.error is not None:
            log("claim refused", partition=tp.partition, error=[str(answer.error)])
            return None
        group_offset = answer.offset if answer.offset >= 0 else None
        epoch = max(owner_epoch(answer.metadata), store_epoch(self.stores / f"partition-{tp.partition}")) + 1
        claim = TopicPartition(tp.topic, tp.partition, group_offset or 0, metadata=epoch_metadata(epoch))
        try:
            refused = [str(tp.error) for tp in consumer.commit(offsets=[claim], asynchronous=False) or []
                       if tp.error is not None]
        except KafkaException as error:
            refused = [str(error.args[0])]
        if refused:
            log("claim refused", partition=tp.partition, error=refused)
            return None
        kept = consumer.committed([TopicPartition(tp.topic, tp.partition)], 30)[0]
        if kept.error is None and owner_epoch(kept.metadata) != epoch:
            # tansu 0.6.0 answers every committed offset with empty metadata.
            log("offset metadata not kept", partition=tp.partition,
                why="the broker dropped the owner epoch: it comes from the store alone, which fences a replaced "
                    "member only when its broker refuses that member's commits")
        return epoch, group_offset

    def open(self, number: int, epoch: int) -> libjourney.Engine:
        """The partition's engine, under the owner epoch `epoch`; waits while its previous owner
        still holds the store (on this host). A store a newer owner opened is not waited for."""
        deadline = time.monotonic() + 30
        waited = False
        config: Any = {**self.config, "store": {**self.config["store"], "epoch": epoch}}
        while True:
            try:
                return libjourney.Engine(self.catalog, config, store=str(self.stores / f"partition-{number}"))
            except libjourney.JourneyError as error:
                if error.code != "STORE_LOCKED" or "fenced" in str(error) or time.monotonic() > deadline:
                    raise
                if not waited:
                    log("waiting for the store", partition=number)
                    waited = True
                time.sleep(0.1)

    def receive(self, messages: list[Message]) -> None:
        """Queues a poll's messages on their partitions."""
        for message in messages:
            if message.error():
                raise KafkaException(message.error())
            number, offset = message.partition(), message.offset()
            owned = self.owned.get(number) if number is not None else None
            if owned is None or offset is None or offset < owned.next_offset:
                continue  # a partition revoked meanwhile, or a message before the checkpoint
            owned.queue.append(message)

    def drain(self) -> int:
        """Applies every queued message that can be, each partition's in offset order; a message
        that waits for the watermark holds its partition's queue, not the others'. Returns how
        many it applied."""
        applied = 0
        progressed = True
        while progressed:
            progressed = False
            for owned in list(self.owned.values()):
                while owned.queue and self.ready(owned, header_values(owned.queue[0])):
                    message = owned.queue.popleft()
                    try:
                        self.apply(owned, message)
                    except BaseException:
                        owned.failed = True
                        self.abandon_transaction()
                        raise
                    owned.next_offset = (message.offset() or 0) + 1
                    owned.since_checkpoint += 1
                    owned.applied_since_report += 1
                    applied += 1
                    progressed = True
                    if owned.since_checkpoint >= self.checkpoint_every:
                        self.checkpoint(owned)
                if self.channel is not None:
                    self.channel.publish(owned)
        return applied

    def ready(self, owned: Partition, headers: dict[str, bytes]) -> bool:
        """Whether the partition's next message can be applied now. A state move's second half
        waits for its slice; a message that needs the watermark (an event, an operation, either
        half of a move under an event clock), or a final barrier, waits until every partition has
        passed its position. Reaching it, this partition has passed it too."""
        if MOVE_IN in headers:
            owned.passed(int(headers[SEQUENCE]))
            if headers[MOVE_IN] not in self.slices.received:
                return False
        if self.channel is None:
            return True
        if BARRIER in headers:
            owned.passed(int(headers[BARRIER]))
            return FINAL not in headers or self.channel.frontier.passed(int(headers[BARRIER]))
        if NEEDS_WATERMARK in headers:
            owned.passed(int(headers[SEQUENCE]))
            return self.channel.frontier.passed(int(headers[SEQUENCE]))
        return True

    def apply(self, owned: Partition, message: Message) -> None:
        headers = header_values(message)
        if NEEDS_WATERMARK in headers and (MOVE_OUT in headers or MOVE_IN in headers):
            self.observe_watermark(owned, int(headers[SEQUENCE]))
        if MOVE_OUT in headers:
            customers = json.loads(message.value() or b"[]")
            self.slices.publish(headers[MOVE_OUT], owned.engine.move_out(customers))
            return
        if MOVE_IN in headers:
            owned.engine.move_in(self.slices.received[headers[MOVE_IN]])
            return
        if BARRIER in headers:
            if FINAL in headers:
                self.observe_watermark(owned, int(headers[BARRIER]))
            return
        value = message.value() or b""
        text = value.decode() if isinstance(value, bytes) else value
        clock = headers.get(CLOCK)
        if clock is not None:
            owned.engine.call(clock.decode(), text)
            return
        seq = int(headers[SEQUENCE])
        if NEEDS_WATERMARK in headers:
            self.observe_watermark(owned, seq)
        command = headers.get(COMMAND)
        outcome = call(owned.engine, command.decode(), json.loads(text)) if command is not None \
            else owned.engine.ingest(text)
        if self.outcome_topic is None:
            owned.unwritten.append(json.dumps({"seq": seq, "outcome": outcome}, sort_keys=True) + "\n")
        elif (message.offset() or 0) >= owned.send_from:
            self.outcome_topic.send(seq, outcome)
        if self.channel is not None:
            if command is None and outcome["status"] == "accepted":
                owned.report["accepted"].append([seq, json.loads(text)["createdDate"]])
            owned.passed(seq + 1)
            owned.report_changed = True

    def observe_watermark(self, owned: Partition, position: int) -> None:
        assert self.channel is not None
        watermark = self.channel.frontier.watermark_before(position)
        if watermark is not None:
            owned.engine.observe_watermark(watermark)

    def checkpoint(self, owned: Partition) -> None:
        """Writes the partition's outcomes and sends the slices of its moves, then records its
        next offset in its engine: a checkpoint never covers a move whose slice could be lost.
        With an outcome topic, commits the transaction and checkpoints every owned partition."""
        self.slices.side.flush()
        if self.outcome_topic is not None:
            self.commit_transaction()
            return
        if owned.unwritten:
            # One write: a kill cannot leave half a line for the next owner to append to.
            fd = os.open(self.out / f"outcomes-{owned.number}.ndjson", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, "".join(owned.unwritten).encode())
            finally:
                os.close(fd)
            owned.unwritten.clear()
        owned.engine.checkpoint({"topic": owned.topic, "partition": owned.number, "offset": owned.next_offset})
        owned.since_checkpoint = 0
        owned.checkpointed = owned.next_offset
        self.commit([owned])

    def commit_transaction(self) -> None:
        """Commits the open transaction (every owned partition's outcomes since the last, and
        their next offsets as the group's), then records each engine's checkpoint. The engine's
        checkpoint follows the transaction: a kill between the two leaves the group's offset
        ahead, and the next owner applies those messages again without sending their outcomes
        (`send_from`). A refused commit (this member was replaced: fenced) aborts the
        transaction, and no partition is checkpointed: each closes at its last checkpoint."""
        assert self.outcome_topic is not None and self.kafka is not None
        if any(owned.failed for owned in self.owned.values()):
            raise Fenced("a partition failed: its transaction was aborted and nothing is checkpointed")
        # The group's offset never goes back: while a partition applies again what a transaction
        # already covers (`send_from`), it stays where that transaction left it.
        group_offsets = {owned: max(owned.next_offset, owned.send_from) for owned in self.owned.values()}
        offsets = [TopicPartition(owned.topic, owned.number, offset, metadata=epoch_metadata(owned.epoch))
                   for owned, offset in group_offsets.items()]
        try:
            self.outcome_topic.commit(offsets, self.kafka.consumer_group_metadata())
        except BaseException:
            self.abandon_transaction()
            raise
        self.outcome_topic.committed_at = time.monotonic()
        for owned, offset in group_offsets.items():
            owned.engine.checkpoint({"topic": owned.topic, "partition": owned.number, "offset": owned.next_offset})
            owned.since_checkpoint = 0
            owned.checkpointed = owned.next_offset
            owned.committed = offset

    def abandon_transaction(self) -> None:
        """With an outcome topic: every owned partition has outcomes in the open transaction, so
        a failure in one fails them all (none is checkpointed again) and aborts it."""
        if self.outcome_topic is None:
            return
        for owned in self.owned.values():
            owned.failed = True
        self.outcome_topic.abort()

    def commit_transaction_when_due(self) -> None:
        """Commits the open transaction `commit_seconds` after the last commit when it holds
        outcomes, busy or idle: a broker aborts a transaction older than
        `transaction.timeout.ms`, and an open one holds read_committed readers back."""
        topic = self.outcome_topic
        if topic is not None and topic.unsent_commit and self.owned \
                and time.monotonic() - topic.committed_at >= topic.commit_seconds:
            self.slices.side.flush()
            self.commit_transaction()

    def commit(self, partitions: Optional[list[Partition]] = None) -> None:
        """Commits the checkpointed offsets the group does not have yet (of `partitions`, or of
        every owned partition at most once a second after a failure), for lag tools and
        operators. After the engine's checkpoint, so the group's offset never runs ahead of a
        state a kill could lose. A failed commit (during a rebalance, librdkafka's mock cluster
        refuses them) is logged and tried again later; it costs nothing else, since a partition's
        next owner starts from the engine's checkpoint, never from the group's offset, and
        commits that on taking the partition."""
        if partitions is None:
            if time.monotonic() - self.commit_failed_at < 1.0:
                return
            partitions = list(self.owned.values())
        behind = {owned: owned.checkpointed for owned in partitions
                  if owned.checkpointed is not None and owned.checkpointed != owned.committed}
        if self.kafka is None or self.outcome_topic is not None or not behind:
            return
        try:
            answers = self.kafka.commit(offsets=[TopicPartition(owned.topic, owned.number, offset,
                                                                metadata=epoch_metadata(owned.epoch))
                                                 for owned, offset in behind.items()], asynchronous=False)
        except KafkaException as error:
            self.commit_failed_at = time.monotonic()
            log("commit failed", partitions={str(owned.number): offset for owned, offset in behind.items()},
                error=str(error.args[0]))
            return
        refused = {answer.partition: str(answer.error) for answer in answers or [] if answer.error is not None}
        if refused:
            self.commit_failed_at = time.monotonic()
            log("commit failed", partitions=refused)
        for owned, offset in behind.items():
            if owned.number not in refused:
                owned.committed = offset

    def report_progress(self, seconds: float) -> None:
        """Logs each owned partition's next offset, its lag behind the partition's end (as of the
        last fetch: no request to the broker) and the messages applied per second over the last
        `seconds`."""
        partitions: dict[str, Any] = {}
        for number, owned in sorted(self.owned.items()):
            lag = None
            if self.kafka is not None:
                _, high = self.kafka.get_watermark_offsets(TopicPartition(owned.topic, number), cached=True)
                lag = max(0, high - owned.next_offset) if high >= 0 else None
            partitions[str(number)] = {"offset": owned.next_offset, "committed": owned.committed, "lag": lag,
                                       "perSecond": round(owned.applied_since_report / max(seconds, 1e-9), 1),
                                       **owned.waiting()}
            owned.applied_since_report = 0
        log("progress", partitions=partitions)

    def release(self, number: int, checkpoint: bool = True) -> None:
        """Closes a partition's engine, after a checkpoint unless `checkpoint` is false or
        applying a message failed. The log line says whether the partition was in the middle of
        a state move (waiting for a slice)."""
        owned = self.owned.get(number)
        if owned is None:
            return
        state = {"partition": number, "offset": owned.next_offset, **owned.waiting()}
        try:
            if owned.failed or not checkpoint:
                # Never a checkpoint after a failed message, nor on a partition another member
                # may own already: the store opens at the last one.
                owned.engine.close()
                log("released without a checkpoint", **state, lost=not checkpoint)
                return
            try:
                self.checkpoint(owned)  # (with an outcome topic, still among the owned ones)
            except BaseException:
                owned.engine.close()
                log("released without a checkpoint", **state)
                raise
            owned.engine.close()
            log("released", **state)
        finally:
            del self.owned[number]

    def release_all(self) -> None:
        """Releases every partition, each even when another's checkpoint fails (the first failure
        is raised after)."""
        failure: Optional[BaseException] = None
        for number in list(self.owned):
            try:
                self.release(number)
            except BaseException as error:
                failure = failure or error
        if failure is not None:
            raise failure


#: The group protocols `consume --protocol` offers, as consumer settings: the classic protocol
#: with its eager default assignor (every partition revoked at every rebalance), the classic
#: protocol with the cooperative-sticky assignor (only the partitions that move are revoked), and
#: KIP-848's consumer protocol (the broker assigns, incrementally; Kafka 4.0 and later).
PROTOCOLS: dict[str, dict[str, Any]] = {
    "eager": {"group.protocol": "classic", "partition.assignment.strategy": "range"},
    "cooperative": {"group.protocol": "classic", "partition.assignment.strategy": "cooperative-sticky"},
    "consumer": {"group.protocol": "consumer"},
}


def consume(cluster: Cluster, topic: str, group: str, consumer: JourneyConsumer, idle_exit: Optional[float],
            session_timeout_ms: int = 10_000, report_every: float = 10.0, protocol: str = "eager") -> None:
    """Runs the consumer until SIGTERM or SIGINT, or `idle_exit` seconds without a message once
    the group has given it its share (never before its first assignment). Logs progress every
    `report_every` seconds. `protocol` is one of `PROTOCOLS`; under KIP-848's the broker holds
    the session timeout, so `session_timeout_ms` is not sent."""
    stop = {"now": False}

    def request_stop(*_: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    timeouts = {"session.timeout.ms": session_timeout_ms, "heartbeat.interval.ms": max(100, session_timeout_ms // 10)}
    settings = cluster.client(
        {"auto.offset.reset": "earliest", **(timeouts if protocol != "consumer" else {})},
        {"group.id": group, "enable.auto.commit": False, **PROTOCOLS[protocol]})
    if protocol == "consumer":  # the broker holds these under KIP-848, and the client refuses them
        for classic_only in ("partition.assignment.strategy", "session.timeout.ms", "heartbeat.interval.ms"):
            settings.pop(classic_only, None)
    kafka = Consumer(settings)
    consumer.kafka = kafka
    consumer.incremental = protocol != "eager"
    kafka.subscribe([topic], on_assign=consumer.on_assign, on_revoke=consumer.on_revoke, on_lost=consumer.on_lost)
    last_message = last_report = time.monotonic()
    busy = False
    try:
        while not stop["now"]:
            if time.monotonic() - last_report >= report_every:
                consumer.report_progress(time.monotonic() - last_report)
                last_report = time.monotonic()
            # A partition waiting for the watermark waits for reports, not for messages.
            waiting = any(owned.queue for owned in consumer.owned.values())
            messages = kafka.consume(num_messages=1000, timeout=0 if waiting else 0.1)
            consumer.receive(messages)
            consumer.take_claimed(kafka)
            consumer.commit()
            consumer.commit_transaction_when_due()
            consumer.slices.receive(0.002 if waiting else 0)
            if consumer.channel is not None:
                consumer.channel.receive(0.002 if waiting else 0)
            if consumer.drain():
                last_message = time.monotonic()
                busy = True
                continue
            if messages:
                last_message = time.monotonic()
                continue
            waiting = any(owned.queue for owned in consumer.owned.values())
            if busy and not waiting:  # caught up: say where each partition stands
                log("idle", offsets={str(n): owned.next_offset for n, owned in sorted(consumer.owned.items())})
                busy = False
            if idle_exit is not None and not waiting and not consumer.unclaimed and consumer.joined is not None \
                    and time.monotonic() - max(last_message, consumer.joined) > idle_exit:
                break
    finally:
        try:
            consumer.release_all()
        finally:
            # Leaving the group at once even when a release failed: the others take over now,
            # not after the session timeout.
            kafka.close()
            consumer.slices.side.close()
            if consumer.channel is not None:
                consumer.channel.side.close()
            log("stopped")


# --- results -----------------------------------------------------------------------------------

def read_outcome_topic(cluster: Union[str, Cluster], topic: str, seconds: float = 30,
                       committed: Optional[set[str]] = None) -> dict[int, Any]:
    """The outcomes the transactions committed to `topic`, by position, read to the end as a
    `read_committed` reader sees it. Sent exactly once: a position seen twice is an error.
    `committed`, when given, names the transactions to keep (from the consumers' logs), for a
    cluster whose readers see aborted records (librdkafka's mock cluster)."""
    reader = Consumer(Cluster.of(cluster).client({}, {"group.id": f"results-{uuid.uuid4()}", "enable.auto.commit": False,
                                                      "isolation.level": "read_committed"}))
    try:
        count = topic_partitions(reader, topic)
        reader.assign([TopicPartition(topic, n, OFFSET_BEGINNING) for n in range(count)])
        # The end a read_committed reader can reach: the last stable offset of each partition.
        ends = {n: reader.get_watermark_offsets(TopicPartition(topic, n), timeout=10)[1] for n in range(count)}
        outcomes: dict[int, Any] = {}
        deadline = time.monotonic() + seconds
        while any(reader.position([TopicPartition(topic, n)])[0].offset < end for n, end in ends.items() if end > 0):
            if time.monotonic() > deadline:
                raise KafkaException(f"{topic} was not read to its end in {seconds} s")
            for message in reader.consume(num_messages=10_000, timeout=0.5):
                if message.error() is not None:
                    continue
                if committed is not None and header_values(message).get(TRANSACTION, b"").decode() not in committed:
                    continue
                written = json.loads(message.value() or b"{}")
                if written["seq"] in outcomes:
                    raise AssertionError(f"position {written['seq']} was sent twice: {outcomes[written['seq']]} and {written}")
                outcomes[written["seq"]] = written["outcome"]
        return outcomes
    finally:
        reader.close()


def results(stores: Path, out: Path, catalog: libjourney.Catalog, config: Any, lines: list[str],
            outcome_topic: Optional[dict[int, Any]] = None) -> dict[str, Any]:
    """The merged result of every partition: outcomes by position (one per event; a position
    written twice must have the same outcome both times), stats summed, every customer's journey
    and every accepted session's events. The outcomes are `outcome_topic`'s when given (what
    `read_outcome_topic` read), else the files'."""
    config = {**(config or {}), "store": {"recoverTo": "checkpoint"}}
    engines = [libjourney.Engine(catalog, config, store=str(path)) for path in sorted(stores.glob("partition-*"))]
    try:
        by_position: dict[int, Any] = dict(outcome_topic or {})
        for path in sorted(out.glob("outcomes-*.ndjson")) if outcome_topic is None else []:
            for line in path.read_text().splitlines():
                written = json.loads(line)
                earlier = by_position.setdefault(written["seq"], written["outcome"])
                if earlier != written["outcome"]:
                    raise AssertionError(f"position {written['seq']} has two outcomes: {earlier} and {written}")
        outcomes = [by_position.get(position) for position, _ in split_input(lines)[1]]
        return {
            "outcomes": outcomes,
            "stats": partition.merge_stats([engine.stats() for engine in engines]),
            "journeys": journeys_across(engines, customers_of(lines)),
            "sessionEvents": session_events_across(engines, outcomes),
            "agentDeliveries": agent_deliveries(engines, lines, outcomes),
        }
    finally:
        for engine in engines:
            engine.close()


# --- a broker for trying it out ------------------------------------------------------------------

def mock_cluster(brokers: int = 1) -> tuple[Producer, str]:
    """librdkafka's mock cluster, alive as long as the returned client is, and its bootstrap
    servers. Topics are created on first use with 4 partitions."""
    holder = Producer({"test.mock.num.brokers": brokers, "log_level": 3})
    metadata = holder.list_topics(timeout=10)
    bootstrap = ",".join(f"{broker.host}:{broker.port}" for broker in metadata.brokers.values())
    return holder, bootstrap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("mock-cluster", help="run a mock Kafka cluster and print its bootstrap servers")
    for name in ("produce", "consume", "results"):
        sub = commands.add_parser(name)
        sub.add_argument("--catalog", required=True, type=Path)
        sub.add_argument("--config", type=Path)
        if name in ("produce", "consume", "results"):
            sub.add_argument("--bootstrap", help="the cluster's bootstrap servers (or bootstrap.servers in --kafka-config)")
            sub.add_argument("--kafka-config", type=Path, metavar="FILE",
                             help="librdkafka settings for every client, key=value lines with librdkafka's property "
                                  "names (security.protocol, sasl.*, ssl.*, message.max.bytes)")
            sub.add_argument("-X", dest="kafka_settings", action="append", default=[], metavar="KEY=VALUE",
                             help="one librdkafka setting for every client, over --kafka-config's")
            sub.add_argument("--topic", default="journey")
        if name in ("consume", "results"):
            sub.add_argument("--stores", type=Path, default=Path("stores"))
            sub.add_argument("--out", type=Path, default=Path("outcomes"),
                             help="the directory of the outcome files (unused with --outcomes-topic)")
        if name == "produce":
            sub.add_argument("--cap", type=int, help="quarantine components of more events")
            sub.add_argument("--start", type=int, default=0, help="the first position to send")
            sub.add_argument("--online", action="store_true",
                             help="route one event at a time, moving state when components join")
            sub.add_argument("--partitions", type=int,
                             help="create the topic with this many partitions, and its side topics, when missing")
            sub.add_argument("--replication-factor", type=int,
                             help="of the topics --partitions creates (default 1; 3 on a real cluster)")
        if name == "consume":
            sub.add_argument("--group", default="journey", help="the consumer group")
            sub.add_argument("--checkpoint-every", type=int, default=10_000,
                             help="checkpoint a partition after this many messages (and on every revoke)")
            sub.add_argument("--idle-exit", type=float, help="stop after this many seconds without a message, counted from the first assignment")
            sub.add_argument("--session-timeout-ms", type=int, default=10_000,
                             help="the group's session timeout (classic protocols; KIP-848's is the broker's)")
            sub.add_argument("--outcomes-topic", metavar="TOPIC",
                             help="send outcomes to this topic in Kafka transactions (exactly once) instead of files; "
                                  "create it first (produce --partitions creates only the input's topics)")
        if name == "results":
            sub.add_argument("--outcomes-topic", metavar="TOPIC", help="read the outcomes from this topic (needs the cluster)")
        if name == "consume":
            sub.add_argument("--transactional-id", help="this instance's transactional.id, needed with --outcomes-topic: "
                             "the same across its restarts, different from every other instance's")
            sub.add_argument("--protocol", choices=sorted(PROTOCOLS), default="eager",
                             help="the group's rebalance protocol: eager (classic, range), cooperative "
                                  "(classic, cooperative-sticky) or consumer (KIP-848)")
            sub.add_argument("--report-every", type=float, default=10.0,
                             help="log each partition's offset, lag and rate every this many seconds")
            sub.add_argument("--slice-piece-bytes", type=int,
                             help="send a state move's slice in pieces of at most this many bytes "
                                  "(default: half of message.max.bytes, at most 500,000)")
        if name == "results":
            sub.add_argument("--write", type=Path, default=Path("results.json"), help="where the merged result goes")
        if name in ("produce", "results"):
            sub.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    if getattr(args, "replication_factor", None) is not None and args.partitions is None:
        parser.error("--replication-factor goes with --partitions: it is used when creating the topics")
    if args.command == "mock-cluster":
        holder, bootstrap = mock_cluster()
        print(bootstrap, flush=True)
        while holder is not None:  # until SIGTERM or Ctrl-C ends the process, and the cluster with it
            time.sleep(3600)
        return
    catalog = libjourney.Catalog.from_file(args.catalog)
    config = json.loads(args.config.read_text()) if args.config else None
    if args.command in ("produce", "consume") or getattr(args, "outcomes_topic", None):
        cluster = Cluster.from_arguments(args.bootstrap, args.kafka_config, args.kafka_settings)
    if args.command == "produce":
        if args.partitions is not None:
            cluster.create_topics(args.topic, args.partitions, args.replication_factor or 1)
        log("produced", **produce(cluster, args.topic, catalog, read_lines(args.files), config, args.cap,
                                  args.start, online=args.online))
    elif args.command == "consume":
        channel = None
        if is_event_clock(config):
            partitions = topic_partitions(Producer(cluster.client()), args.topic)
            channel = WatermarkChannel(cluster, args.topic, partitions)
        slices = SliceChannel(cluster, args.topic, args.slice_piece_bytes or cluster.slice_piece_bytes())
        outcome_topic = None
        if args.outcomes_topic:
            if not args.transactional_id:
                parser.error("--outcomes-topic needs --transactional-id: one per instance, the same after a restart, "
                             "so that a restart aborts what the instance left open")
            outcome_topic = OutcomeTopic(cluster, args.outcomes_topic, args.transactional_id)
        elif args.transactional_id:
            parser.error("--transactional-id goes with --outcomes-topic")
        journey_consumer = JourneyConsumer(catalog, config, args.stores, args.out, args.checkpoint_every, slices,
                                           channel, outcome_topic)
        consume(cluster, args.topic, args.group, journey_consumer, args.idle_exit, args.session_timeout_ms,
                args.report_every, args.protocol)
    else:
        topic = read_outcome_topic(cluster, args.outcomes_topic) if args.outcomes_topic else None
        merged = results(args.stores, args.out, catalog, config, read_lines(args.files), topic)
        args.write.write_text(json.dumps(merged, indent=1))
        stats = merged["stats"]
        print(f"{len(merged['outcomes']):,} events: {stats['eventsAccepted']:,} accepted, "
              f"{stats['eventsDuplicate']:,} duplicates, {stats['eventsRejected']:,} rejected; "
              f"{len(merged['journeys']):,} journeys and {len(merged['sessionEvents']):,} sessions in {args.write}")


if __name__ == "__main__":
    main()
