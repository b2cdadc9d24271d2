# mypy: disallow-untyped-calls=False
# (confluent-kafka has no type annotations.)
"""The Kafka example's transactional outcomes (`consume --outcomes-topic`) and its fencing of a
stale owner's store, in one process with stand-ins for the Kafka clients: what librdkafka's mock
cluster cannot show (it records no transactional offsets and shows aborted records to readers)
or a test cannot make happen on cue (a member cut off from the broker but not from the disk),
checked on the calls themselves."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import pytest
from confluent_kafka import OFFSET_BEGINNING, KafkaError, KafkaException, TopicPartition

from clocked_streams import CATALOG, CONFIG, stream

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "python"))
import kafka_consumer  # noqa: E402
import libjourney  # noqa: E402


class Metadata:
    """What `list_topics` answers: one partition per topic."""

    def __init__(self, topic: str) -> None:
        self.topics = {topic: self}
        self.error = None
        self.partitions = {0: None}


class FakeProducer:
    """Records the transaction calls; `refuse` makes the next `commit_transaction` fail."""

    made: list["FakeProducer"] = []

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.calls: list[Any] = []
        self.refuse = False
        FakeProducer.made.append(self)

    def list_topics(self, topic: str, timeout: float = 0) -> Metadata:
        return Metadata(topic)

    def init_transactions(self, timeout: float = 0) -> None:
        self.calls.append("init")

    def begin_transaction(self) -> None:
        self.calls.append("begin")

    def produce(self, topic: str, key: bytes = b"", value: bytes = b"", headers: Any = None, on_delivery: Any = None) -> None:
        self.calls.append(("produce", topic, json.loads(value)["seq"] if topic == "outcomes" else None))

    def poll(self, timeout: float = 0) -> int:
        return 0

    def flush(self, timeout: float = 0) -> int:
        return 0

    def send_offsets_to_transaction(self, offsets: list[TopicPartition], metadata: Any, timeout: float = 0) -> None:
        self.calls.append(("offsets", {tp.partition: tp.offset for tp in offsets}))

    def commit_transaction(self, timeout: float = 0) -> None:
        if self.refuse:
            raise KafkaException(KafkaError(KafkaError._FENCED))
        self.calls.append("commit")

    def abort_transaction(self, timeout: float = 0) -> None:
        self.calls.append("abort")


class FakeReader:
    """A side topic's reader, and the group member: `group_offsets` are the group's, and
    `group_metadata` their metadata."""

    def __init__(self, config: Optional[dict[str, Any]] = None, group_offsets: Optional[dict[int, int]] = None,
                 group_metadata: Optional[dict[int, str]] = None) -> None:
        self.group_offsets = {} if group_offsets is None else group_offsets
        self.group_metadata = {} if group_metadata is None else group_metadata
        self.seeks: list[tuple[int, int]] = []
        # Set when the group has replaced this member: the broker refuses its commits.
        self.replaced = False

    def assign(self, partitions: list[TopicPartition]) -> None:
        pass

    def pause(self, partitions: list[TopicPartition]) -> None:
        pass

    def resume(self, partitions: list[TopicPartition]) -> None:
        pass

    def seek(self, tp: TopicPartition) -> None:
        self.seeks.append((tp.partition, tp.offset))

    def commit(self, offsets: list[TopicPartition], asynchronous: bool = True) -> list[TopicPartition]:
        if self.replaced:
            raise KafkaException(KafkaError(KafkaError.ILLEGAL_GENERATION))
        for tp in offsets:
            self.group_offsets[tp.partition] = tp.offset
            self.group_metadata[tp.partition] = tp.metadata or ""
        return offsets

    def consume(self, num_messages: int = 1, timeout: float = 0) -> list[Any]:
        return []

    def close(self) -> None:
        pass

    def committed(self, partitions: list[TopicPartition], timeout: float = 0) -> list[TopicPartition]:
        return [TopicPartition(tp.topic, tp.partition, self.group_offsets.get(tp.partition, -1001),
                               self.group_metadata.get(tp.partition, "")) for tp in partitions]

    def consumer_group_metadata(self) -> bytes:
        return b"group"


class Message:
    """A consumed message."""

    def __init__(self, offset: int, value: str, headers: list[tuple[str, bytes]]) -> None:
        self._offset, self._value, self._headers = offset, value.encode(), headers

    def error(self) -> None:
        return None

    def partition(self) -> int:
        return 0

    def offset(self) -> int:
        return self._offset

    def headers(self) -> list[tuple[str, bytes]]:
        return self._headers

    def value(self) -> bytes:
        return self._value


def events(first: int, last: int) -> list[Message]:
    """The stream's events at offsets `first` to `last`, each its own position."""
    lines = [line for line in stream() if '"op"' not in line]
    return [Message(n, lines[n], [(kafka_consumer.SEQUENCE, str(n).encode())]) for n in range(first, last)]


def consumer_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, group_offset: int) -> tuple[Any, FakeProducer]:
    """A consumer with an outcome topic that owns partition 0, whose group offset is
    `group_offset` (a transaction committed that far), and its transactional producer."""
    FakeProducer.made.clear()
    monkeypatch.setattr(kafka_consumer, "Producer", FakeProducer)
    monkeypatch.setattr(kafka_consumer, "Consumer", FakeReader)
    cluster = kafka_consumer.Cluster({"bootstrap.servers": "nowhere:9092"})
    topic = kafka_consumer.OutcomeTopic(cluster, "outcomes", "instance-1")
    consumer = kafka_consumer.JourneyConsumer(
        libjourney.Catalog.from_dict(CATALOG), CONFIG, tmp_path / "stores", tmp_path / "out", 1_000,
        kafka_consumer.SliceChannel(cluster, "journey"), None, topic)
    member: Any = FakeReader(group_offsets={0: group_offset})  # the group member's stand-in
    consumer.kafka = member
    consumer.on_assign(member, [TopicPartition("journey", 0)])
    consumer.take_claimed(member)
    assert member.seeks == [(0, OFFSET_BEGINNING)] and kafka_consumer.owner_epoch(member.group_metadata[0]) == 1
    producer = topic.producer
    assert isinstance(producer, FakeProducer)
    return consumer, producer


def test_a_replay_below_the_group_offset_sends_nothing_and_commits_no_lower_offset(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A transaction committed outcomes up to offset 5; the engine's checkpoint is older (none).
    consumer, producer = consumer_at(tmp_path, monkeypatch, 5)
    consumer.receive(events(0, 3))
    consumer.drain()
    consumer.commit_transaction()
    sent = [call[2] for call in producer.calls if isinstance(call, tuple) and call[0] == "produce"]
    assert sent == [], "offsets 0-2 are in the committed transaction already"
    assert ("offsets", {0: 5}) in producer.calls, producer.calls  # not 3: never back
    consumer.receive(events(3, 8))
    consumer.drain()
    consumer.commit_transaction()
    sent = [call[2] for call in producer.calls if isinstance(call, tuple) and call[0] == "produce"]
    assert sent == [5, 6, 7] and producer.calls[-3:] == [("offsets", {0: 8}), "commit", "begin"], producer.calls
    assert consumer.owned[0].engine.last_checkpoint()["offset"] == 8
    consumer.release_all()


def test_a_refused_commit_aborts_checkpoints_nothing_and_fails_every_partition(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    consumer, producer = consumer_at(tmp_path, monkeypatch, -1001)
    consumer.receive(events(0, 4))
    consumer.drain()
    producer.refuse = True  # the group replaced this member
    with pytest.raises(KafkaException):
        consumer.commit_transaction()
    assert producer.calls[-1] == "abort" and consumer.owned[0].failed
    with pytest.raises(kafka_consumer.Fenced):
        consumer.commit_transaction()  # nothing more while a partition has failed
    engine = consumer.owned[0].engine
    assert engine.last_checkpoint() is None
    consumer.release_all()  # closed at its last checkpoint: none


def test_a_member_cut_off_from_the_broker_is_fenced_out_of_the_store_its_successor_opened(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On storage whose locks do not span hosts, the store's lock does not keep a replaced member
    out (here its lock file is deleted, as it would be out of the successor's sight): the owner
    epoch its successor claimed through the group does."""
    monkeypatch.setattr(kafka_consumer, "Producer", FakeProducer)
    monkeypatch.setattr(kafka_consumer, "Consumer", FakeReader)
    cluster = kafka_consumer.Cluster({"bootstrap.servers": "nowhere:9092"})
    offsets: dict[int, int] = {}
    metadata: dict[int, str] = {}

    def member_and_consumer() -> tuple[Any, Any]:
        consumer = kafka_consumer.JourneyConsumer(
            libjourney.Catalog.from_dict(CATALOG), CONFIG, tmp_path / "stores", tmp_path / "out", 1_000,
            kafka_consumer.SliceChannel(cluster, "journey"))
        member: Any = FakeReader(group_offsets=offsets, group_metadata=metadata)
        consumer.kafka = member
        consumer.on_assign(member, [TopicPartition("journey", 0)])
        consumer.take_claimed(member)
        return member, consumer

    old_member, old = member_and_consumer()
    assert old.owned[0].epoch == 1
    old.receive(events(0, 10))
    old.drain()
    old.checkpoint(old.owned[0])
    assert offsets == {0: 10} and kafka_consumer.owner_epoch(metadata[0]) == 1

    # The split: the group replaces the old member, and its successor does not see its lock.
    old_member.replaced = True
    (tmp_path / "stores" / "partition-0" / "LOCK").unlink()
    new_member, new = member_and_consumer()
    assert new.owned[0].epoch == 2 and new.owned[0].next_offset == 10 and new_member.seeks == [(0, 10)]
    assert kafka_consumer.owner_epoch(metadata[0]) == 2
    assert old.claim(old_member, TopicPartition("journey", 0)) is None, "a replaced member claims nothing"

    # Both apply what follows; the old one's checkpoint is refused before it commits anything.
    old.receive(events(10, 15))
    old.drain()
    with pytest.raises(libjourney.JourneyError, match="fenced") as fenced:
        old.checkpoint(old.owned[0])
    assert fenced.value.code == "STORE_LOCKED"
    new.receive(events(10, 20))
    new.drain()
    new.checkpoint(new.owned[0])
    with pytest.raises(libjourney.JourneyError, match="fenced"):
        old.release_all()
    new.release_all()
    assert offsets == {0: 20} and kafka_consumer.owner_epoch(metadata[0]) == 2

    # The store holds what one engine holds after the 20 events, and its outcomes are theirs.
    lines = [line for line in stream() if '"op"' not in line][:20]
    one = libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), CONFIG)
    expected = [one.ingest(line) for line in lines]
    durable: Any = {**CONFIG, "store": {"recoverTo": "checkpoint"}}
    store = libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), durable, store=str(tmp_path / "stores" / "partition-0"))
    assert store.stats() == one.stats()
    assert store.last_checkpoint()["offset"] == 20
    store.close()
    # (The old one wrote the outcomes of 10-14 before its checkpoint was refused: identical, as
    # after a crash.)
    written = [json.loads(line) for line in (tmp_path / "out" / "outcomes-0.ndjson").read_text().splitlines()]
    assert all(entry["outcome"] == expected[entry["seq"]] for entry in written)
    assert sorted({entry["seq"] for entry in written}) == list(range(20))
