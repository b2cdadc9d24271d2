//! Snapshots: the whole engine state in one checksummed file.
//!
//! ```text
//! "JRNYSNAP" | version u32 LE | body | body length u64 LE | CRC-32C of body u32 LE | "JRNYSEND"
//! ```
//! The body is a sequence of postcard values: a [`Header`] with the counts of what follows, then
//! every customer's sessions, every event id with its digest, every agent, every action state,
//! (from version 2) the host's last checkpoint value as JSON text, and (from version 3) the
//! orchestration definitions as JSON text, orchestration's counters, and what orchestration
//! remembers per customer, and (from version 4) a partition's outbox as JSON text, and (from version
//! 5) the names of the open event types, by session type, and (from version 6) identity's counters
//! and asks for links (docs/identity.md), and (from version 7) erasure's counters and the ids of
//! erased events, with agents' waiting custom events keeping the customer the host marked them
//! with; from version 4 an action also keeps
//! whose it is (its map, customer and session).
//! Each part is written as it is read from its shard, so a snapshot never holds a second copy of
//! the state in memory. Indexes that can be derived are rebuilt on load instead of stored.

use crate::base::error::{JourneyError, Result};
use crate::engine::Engine;
use crate::engine::image::{Image, ImageHeader, ImagePart};
use crate::state::{action, agent};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"JRNYSNAP";
const END_MAGIC: &[u8; 8] = b"JRNYSEND";
/// The body format written; a reader refuses any but this, [`VERSION_WITHOUT_ERASURE`],
/// [`VERSION_WITHOUT_IDENTITY`],
/// [`VERSION_WITHOUT_OPEN_TYPES`], [`VERSION_WITHOUT_OUTBOX`], [`VERSION_WITHOUT_DEFINITIONS`] and
/// [`VERSION_WITHOUT_CHECKPOINT`].
const VERSION: u32 = 7;
/// Version 6 ends after the asks: no erasure counters nor erased events' ids (none could exist),
/// and its custom events waiting for agents carry no customer mark.
const VERSION_WITHOUT_ERASURE: u32 = 6;
/// Version 5 ends after the open event types: no links (none could exist). Its engine ignored
/// events' `identifiers`, so the journal after it is replayed ignoring them too.
const VERSION_WITHOUT_IDENTITY: u32 = 5;
/// Version 4 ends after the outbox: no open event types (none could exist).
const VERSION_WITHOUT_OPEN_TYPES: u32 = 4;
/// Version 3 ends after what orchestration remembers per customer: no outbox.
const VERSION_WITHOUT_OUTBOX: u32 = 3;
/// Version 2 ends after the checkpoint: no definitions.
const VERSION_WITHOUT_DEFINITIONS: u32 = 2;
/// Version 1 ends after the actions: no checkpoint, no definitions.
const VERSION_WITHOUT_CHECKPOINT: u32 = 1;
const HEADER_BYTES: usize = 12;
const TRAILER_BYTES: usize = 20;

/// The first part of a snapshot body: the record number, then the engine's [`ImageHeader`]
/// (postcard writes a nested struct as its fields in order, so this reads the flat header that
/// earlier versions wrote).
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    /// The last journal record the state includes.
    seq: u64,
    image: ImageHeader,
}

/// The snapshot file of record `seq` in `dir`.
pub(crate) fn path(dir: &Path, at: super::files::At) -> PathBuf {
    super::files::numbered(dir, "snapshot", at, "snap")
}

/// A writer that checksums and counts what passes through it.
struct Checksummed<W> {
    inner: W,
    crc: u32,
    bytes: u64,
    /// The first write error: postcard reports any as "the serialize buffer is full", so the OS
    /// error (ENOSPC, EIO) is kept here to be reported instead.
    error: Option<std::io::Error>,
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = match self.inner.write(buf) {
            Ok(n) => n,
            Err(e) => {
                let copy = std::io::Error::new(e.kind(), e.to_string());
                self.error.get_or_insert(e);
                return Err(copy);
            }
        };
        self.crc = crc32c::crc32c_append(self.crc, &buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    /// Does nothing: postcard flushes after every value it writes, which would turn the buffer
    /// below into one write system call per customer. The file is flushed once, at the end.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes the engine's state after record `seq` to `path`, by way of a temporary file that is
/// fsynced and renamed, so a crash leaves either the whole new snapshot or none. The caller holds
/// the gate exclusively: nothing changes while this runs.
/// A failed write removes its temporary file, so that failing on a full disk does not keep it full.
pub(crate) fn write(engine: &Engine, seq: u64, path: &Path) -> Result<()> {
    let temporary = path.with_extension("tmp");
    let written = write_through(engine, seq, path, &temporary);
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn write_through(engine: &Engine, seq: u64, path: &Path, temporary: &Path) -> Result<()> {
    let io = |doing: &str, e: std::io::Error| JourneyError::io(doing, temporary, e);
    let file = File::create(temporary).map_err(|e| io("creating", e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(MAGIC).and_then(|()| out.write_all(&VERSION.to_le_bytes())).map_err(|e| io("writing", e))?;
    let mut body = Checksummed { inner: out, crc: 0, bytes: 0, error: None };
    if let Err(e) = write_body(engine, seq, &mut body) {
        return Err(io("writing", body.error.take().unwrap_or(e)));
    }
    let Checksummed { inner: mut out, crc, bytes, .. } = body;
    out.write_all(&bytes.to_le_bytes())
        .and_then(|()| out.write_all(&crc.to_le_bytes()))
        .and_then(|()| out.write_all(END_MAGIC))
        .and_then(|()| out.flush())
        .map_err(|e| io("writing", e))?;
    let file = out.into_inner().map_err(|e| io("writing", e.into_error()))?;
    file.sync_all().map_err(|e| io("syncing", e))?;
    std::fs::rename(temporary, path).map_err(|e| io("renaming", e))?;
    super::files::sync_dir(path.parent().unwrap_or(Path::new(".")))
}

fn write_body(engine: &Engine, seq: u64, out: &mut impl Write) -> std::io::Result<()> {
    let header = Header { seq, image: engine.image_header() };
    put(out, &header)?;
    let mut result = Ok(());
    engine.each_image_part(|part| {
        if result.is_ok() {
            result = match part {
                ImagePart::Customer(customer) => put(out, customer),
                ImagePart::EventId(id, digest) => put(out, &(id, digest)),
                ImagePart::Agent(id, state) => put(out, &(id, state)),
                ImagePart::Action(action) => put(out, &action),
                ImagePart::Checkpoint(text) => put(out, &text),
                ImagePart::Definitions(text) => put(out, &text),
                ImagePart::Orchestration(head) => put(out, &head),
                ImagePart::CustomerOrchestration(customer, state) => put(out, &(customer, state)),
                ImagePart::Outbox(text) => put(out, &text),
                ImagePart::OpenEventTypes(names) => put(out, &names),
                ImagePart::Identity(head) => put(out, &head),
                ImagePart::Ask(ask) => put(out, ask),
                ImagePart::Erasure(head) => put(out, &head),
                ImagePart::ErasedId(id) => put(out, &id),
            };
        }
    });
    result
}

fn put(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    postcard::to_io(value, out).map(drop).map_err(std::io::Error::other)
}

/// Reads and checks a snapshot file. Any damage is `CORRUPT_STORE` naming the file and where.
pub(crate) fn read(path: &Path) -> Result<(u64, Image)> {
    let bytes = std::fs::read(path).map_err(|e| JourneyError::io("reading", path, e))?;
    let corrupt = |offset: usize, message: &str| JourneyError::corrupt(path, offset as u64, message);
    if bytes.len() < HEADER_BYTES + TRAILER_BYTES || &bytes[..8] != MAGIC {
        return Err(corrupt(0, "not a snapshot (bad magic or too short)"));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    let known = [
        VERSION,
        VERSION_WITHOUT_ERASURE,
        VERSION_WITHOUT_IDENTITY,
        VERSION_WITHOUT_OPEN_TYPES,
        VERSION_WITHOUT_OUTBOX,
        VERSION_WITHOUT_DEFINITIONS,
        VERSION_WITHOUT_CHECKPOINT,
    ];
    if !known.contains(&version) {
        return Err(corrupt(8, &format!("snapshot format version {version}; this build reads 1 to {VERSION}")));
    }
    let trailer = bytes.len() - TRAILER_BYTES;
    let body_len = u64::from_le_bytes(bytes[trailer..trailer + 8].try_into().expect("8 bytes"));
    let crc = u32::from_le_bytes(bytes[trailer + 8..trailer + 12].try_into().expect("4 bytes"));
    if &bytes[trailer + 12..] != END_MAGIC || body_len != (trailer - HEADER_BYTES) as u64 {
        return Err(corrupt(trailer, "incomplete snapshot (bad trailer)"));
    }
    let body = &bytes[HEADER_BYTES..trailer];
    if crc32c::crc32c(body) != crc {
        return Err(corrupt(HEADER_BYTES, "snapshot checksum mismatch"));
    }
    decode(body, version).map_err(|(offset, message)| corrupt(HEADER_BYTES + offset, &message))
}

/// The catalog and config (as JSON text) a snapshot's state was built under, read from its header
/// alone: for a tool that works on a store with the settings it holds (`journey erase`). The rest
/// of the file is checked by the open that follows.
pub(crate) fn read_settings(path: &Path) -> Result<(String, String)> {
    let bytes = std::fs::read(path).map_err(|e| JourneyError::io("reading", path, e))?;
    if bytes.len() < HEADER_BYTES + TRAILER_BYTES || &bytes[..8] != MAGIC {
        return Err(JourneyError::corrupt(path, 0, "not a snapshot (bad magic or too short)"));
    }
    let body = &bytes[HEADER_BYTES..bytes.len() - TRAILER_BYTES];
    let (header, _) = postcard::take_from_bytes::<Header>(body)
        .map_err(|e| JourneyError::corrupt(path, HEADER_BYTES as u64, format!("cannot decode the header: {e}")))?;
    Ok((header.image.catalog, header.image.config))
}

/// Decodes a checked body; `Err` gives the offset in the body and what failed.
fn decode(body: &[u8], version: u32) -> std::result::Result<(u64, Image), (usize, String)> {
    let mut rest = body;
    let header: Header = next(body, &mut rest, "the header")?;
    let mut image = Image {
        customers: Vec::new(),
        event_ids: Vec::new(),
        agents: Vec::new(),
        actions: Vec::new(),
        checkpoint: None,
        definitions: None,
        orchestration: Default::default(),
        customer_orchestration: Vec::new(),
        outbox: None,
        open_event_types: Vec::new(),
        identity: Default::default(),
        asks: Vec::new(),
        erasure: Default::default(),
        erased_ids: Vec::new(),
        reads_identifiers: version >= VERSION_WITHOUT_ERASURE,
        header: header.image,
    };
    for _ in 0..image.header.customers {
        image.customers.push(next(body, &mut rest, "a customer")?);
    }
    for _ in 0..image.header.event_ids {
        image.event_ids.push(next(body, &mut rest, "an event id")?);
    }
    for _ in 0..image.header.agents {
        let agent = match version {
            VERSION => next::<agent::Saved>(body, &mut rest, "an agent")?,
            _ => next::<agent::SavedWithoutMarks>(body, &mut rest, "an agent")?.into(),
        };
        image.agents.push(agent);
    }
    for _ in 0..image.header.actions {
        let action = match version {
            VERSION | VERSION_WITHOUT_ERASURE | VERSION_WITHOUT_IDENTITY | VERSION_WITHOUT_OPEN_TYPES => {
                next(body, &mut rest, "an action")?
            }
            _ => next::<action::SavedWithoutOwner>(body, &mut rest, "an action")?.into(),
        };
        image.actions.push(action);
    }
    if version != VERSION_WITHOUT_CHECKPOINT {
        image.checkpoint = next(body, &mut rest, "the checkpoint")?;
    }
    if version >= VERSION_WITHOUT_OUTBOX {
        image.definitions = next(body, &mut rest, "the definitions")?;
        image.orchestration = next(body, &mut rest, "orchestration's counters")?;
        for _ in 0..image.orchestration.customers {
            image.customer_orchestration.push(next(body, &mut rest, "a customer's orchestration state")?);
        }
    }
    if version >= VERSION_WITHOUT_OPEN_TYPES {
        image.outbox = next(body, &mut rest, "the outbox")?;
    }
    if version >= VERSION_WITHOUT_IDENTITY {
        image.open_event_types = next(body, &mut rest, "the open event types")?;
    }
    if version >= VERSION_WITHOUT_ERASURE {
        image.identity = next(body, &mut rest, "identity's counters")?;
        for _ in 0..image.identity.asks {
            let offset = body.len() - rest.len();
            let ask: crate::state::identity::Ask = next(body, &mut rest, "an ask for links")?;
            if !ask.is_well_formed() {
                return Err((offset, "an ask for links with a decision missing or linking its own customer".into()));
            }
            image.asks.push(ask);
        }
    }
    if version == VERSION {
        image.erasure = next(body, &mut rest, "erasure's counters")?;
        for _ in 0..image.erasure.ids {
            image.erased_ids.push(next(body, &mut rest, "an erased event's id")?);
        }
    }
    if !rest.is_empty() {
        return Err((body.len() - rest.len(), "bytes after the last part".into()));
    }
    Ok((header.seq, image))
}

/// Decodes the next part of `body` from `rest`, moving `rest` past it.
fn next<'b, T: Deserialize<'b>>(
    body: &[u8],
    rest: &mut &'b [u8],
    what: &str,
) -> std::result::Result<T, (usize, String)> {
    let offset = body.len() - rest.len();
    let (value, tail) = postcard::take_from_bytes(rest).map_err(|e| (offset, format!("cannot decode {what}: {e}")))?;
    *rest = tail;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        let catalog = crate::Catalog::from_json(
            r#"{"sessionTypes": [{"name": "delivery", "kind": "custom", "eventTypes": [{"name": "late"}]}]}"#,
        )
        .unwrap();
        Engine::new(catalog, crate::Config::default()).unwrap()
    }

    #[test]
    fn version_1_and_2_bodies_read_without_what_they_did_not_hold() {
        let engine = engine();
        let mut body = Vec::new();
        write_body(&engine, 7, &mut body).unwrap();
        let image = decode(&body, VERSION).unwrap().1;
        assert_eq!((image.checkpoint, image.definitions), (None, None));
        // Version 6 ended after the asks: without erasure's head (two zero counters, no ids).
        let tail = body.split_off(body.len() - 3);
        assert_eq!(tail, [0; 3]);
        let (seq, old) = decode(&body, VERSION_WITHOUT_ERASURE).unwrap();
        assert_eq!((seq, old.erased_ids.len(), old.reads_identifiers), (7, 0, true));
        // Version 5 ended after the open event types: without identity's head (three zero
        // counters, no asks, the next ask's order 0).
        let tail = body.split_off(body.len() - 5);
        assert_eq!(tail, [0; 5]);
        let (seq, old) = decode(&body, VERSION_WITHOUT_IDENTITY).unwrap();
        assert_eq!((seq, old.asks.len()), (7, 0));
        // Version 4 ended after the outbox: the same body without the open event types' empty list.
        assert_eq!(body.pop(), Some(0));
        let (seq, old) = decode(&body, VERSION_WITHOUT_OPEN_TYPES).unwrap();
        assert_eq!((seq, old.outbox, old.open_event_types.len()), (7, None, 0));
        // Version 3 ended after orchestration's parts: without the outbox's `None` too.
        assert_eq!(body.pop(), Some(0));
        let (seq, old) = decode(&body, VERSION_WITHOUT_OUTBOX).unwrap();
        assert_eq!((seq, old.outbox), (7, None));
        // Version 2 ended after the checkpoint: without the definitions' `None` and orchestration's
        // head (five zero counters, no customers) too.
        let tail = body.split_off(body.len() - 7);
        assert_eq!(tail, [0; 7]);
        let (seq, old) = decode(&body, VERSION_WITHOUT_DEFINITIONS).unwrap();
        assert_eq!((seq, old.checkpoint, old.definitions), (7, None, None));
        // Version 1 ended after the actions: without the checkpoint's `None` too.
        assert_eq!(body.pop(), Some(0));
        let (seq, old) = decode(&body, VERSION_WITHOUT_CHECKPOINT).unwrap();
        assert_eq!((seq, old.checkpoint), (7, None));
        engine.checkpoint(&serde_json::json!({"offset": 3})).unwrap();
        let mut body = Vec::new();
        write_body(&engine, 8, &mut body).unwrap();
        assert_eq!(decode(&body, VERSION).unwrap().1.checkpoint.as_deref(), Some(r#"{"offset":3}"#));
        assert!(decode(&body, VERSION_WITHOUT_CHECKPOINT).is_err(), "a version 1 reader stops at the actions");
        assert!(decode(&body, VERSION_WITHOUT_DEFINITIONS).is_err(), "a version 2 reader stops at the checkpoint");
    }

    #[test]
    fn a_version_3_action_reads_without_its_owner() {
        let engine = engine();
        let saved = action::Saved {
            id: uuid::Uuid::from_u128(7),
            media: action::MediaType::Contentoffer,
            state: action::ActionState::Offered,
            changed: 5,
            owner: None,
        };
        engine.restore_action_for_test(saved);
        let mut body = Vec::new();
        write_body(&engine, 3, &mut body).unwrap();
        // Version 3 wrote the action without its owner (here `None`, one byte) and had no outbox
        // (nor the open event types of version 5, nor the identity part of version 6).
        let part = postcard::to_stdvec(&saved).unwrap();
        let at = body.windows(part.len()).position(|w| w == part.as_slice()).unwrap();
        body.remove(at + part.len() - 1);
        assert_eq!(body.split_off(body.len() - 3), [0; 3], "no erasure counters or erased ids");
        assert_eq!(body.split_off(body.len() - 5), [0; 5], "no identity counters, asks or ask order");
        assert_eq!(body.pop(), Some(0), "no open event types");
        assert_eq!(body.pop(), Some(0), "the outbox's None");
        let (_, image) = decode(&body, VERSION_WITHOUT_OUTBOX).unwrap();
        let [read] = image.actions.as_slice() else { panic!("one action") };
        assert_eq!((read.id, read.changed, read.owner), (saved.id, 5, None));
    }

    #[test]
    fn definitions_are_the_last_part_and_come_back_as_stored() {
        let engine = engine();
        let segment = serde_json::json!({"id": "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e", "displayName": "Late",
            "journey": {"patterns": [{"count": 1, "streamType": "Custom", "eventName": "late"}]}});
        engine.put_segment(&segment).unwrap();
        let mut body = Vec::new();
        write_body(&engine, 9, &mut body).unwrap();
        let (_, image) = decode(&body, VERSION).unwrap();
        let text = image.definitions.clone().expect("the definitions part");
        assert!(
            text.starts_with(r#"{"segments":[{"id":"4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e","version":1,"#),
            "{text}"
        );
        let restored = Engine::from_image(image, |_, e| e).unwrap();
        assert_eq!(restored.list_segments(), engine.list_segments());
        assert_eq!(restored.list_segments()[0]["version"], 1);
    }

    /// Version 5 keeps the open event types' names in their order, so that a restored engine
    /// numbers them as the events it holds do.
    #[test]
    fn open_event_types_come_back_at_their_indexes() {
        let catalog = crate::Catalog::from_json(
            r#"{"sessionTypes": [{"name": "app", "kind": "web", "open": true, "eventTypes": [{"name": "opened"}]}]}"#,
        )
        .unwrap();
        let config = crate::Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:30:00Z"}"#).unwrap();
        let engine = Engine::new(catalog, config).unwrap();
        for (i, name) in ["cart_viewed", "opened", "paid"].iter().enumerate() {
            let event = serde_json::json!({"eventName": name, "createdDate": format!("2026-11-21T10:0{i}:00Z"),
                "customer": {"id": "c-1", "idType": "email"}, "session": {"type": "app"}});
            let outcome = engine.ingest_value(&event).unwrap();
            assert_eq!(outcome.status(), "accepted", "{outcome:?}");
        }
        let mut body = Vec::new();
        write_body(&engine, 4, &mut body).unwrap();
        let (_, image) = decode(&body, VERSION).unwrap();
        assert_eq!(image.open_event_types, [("app".to_owned(), vec!["cart_viewed".to_owned(), "paid".to_owned()])]);
        let restored = Engine::from_image(image, |_, e| e).unwrap();
        let app = restored.catalog().session_type_index("app").unwrap();
        assert_eq!(restored.catalog().event_type_index(app, "paid"), Some(2));
        assert_eq!(restored.catalog().event_name(app, 1), "cart_viewed");
        // An image naming an open event type its catalog cannot hold does not restore.
        let (_, mut image) = decode(&body, VERSION).unwrap();
        image.open_event_types[0].1.insert(0, "opened".into());
        assert!(Engine::from_image(image, |_, e| e).is_err(), "a declared name is no open event type");
    }

    #[test]
    fn the_header_is_the_flat_header_earlier_versions_wrote() {
        let engine = engine();
        let image = engine.image_header();
        // The header as versions before the engine image wrote it: one struct of eleven fields.
        let flat = (
            9u64,
            image.catalog.clone(),
            image.config.clone(),
            image.digest_key,
            image.clock,
            image.sweeps,
            // The fifteen counters and the codes of format 1, in their order: newer counters are
            // saved in later parts.
            (0u64, 0u64, 0u64, std::collections::BTreeMap::<String, u64>::new(), [0u64; 12]),
            (0u64, 0u64, 0u64, 0u64),
        );
        let mut body = postcard::to_stdvec(&flat).unwrap();
        body.push(0); // no checkpoint
        body.push(0); // no definitions
        body.extend([0; 6]); // orchestration's five counters, and no customer states
        body.push(0); // no outbox
        body.push(0); // no open event types
        body.extend([0; 5]); // identity's three counters, no asks, and the next ask's order
        body.extend([0; 3]); // erasure's two counters, and no erased ids
        let (seq, read) = decode(&body, VERSION).unwrap();
        assert_eq!((seq, read.header.catalog, read.header.clock), (9, image.catalog, image.clock));
        let mut written = Vec::new();
        write_body(&engine, 9, &mut written).unwrap();
        assert_eq!(written, body, "the header is written as it always was");
    }
}
