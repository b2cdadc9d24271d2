//! `journey erase`: a person's right to be forgotten, on a store no server holds (docs/cli.md,
//! docs/identity.md "Erasure"). It opens the store under the catalog and config it holds, erases
//! the customer's whole profile, and closes it: when it returns, no file of the store holds the
//! person's identifiers or the attribute values of their events.

use crate::Exit;
use anyhow::{Context, Result, bail};
use journey_core::erase::ErasureInput;
use journey_core::{Engine, JourneyError};
use std::path::PathBuf;

/// What `journey erase` is told.
#[derive(clap::Args)]
pub struct EraseArgs {
    /// The durable store (SPEC §11) to erase the customer from; it must exist.
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Any identifier of the person, `idType:id` (`email:dana@example.com`): their whole profile
    /// is erased.
    #[arg(long, value_name = "IDTYPE:ID")]
    pub customer: String,
    /// Also forget the erased events' ids, so that a resend is accepted as new (without it, a
    /// resend is a duplicate until retention would have evicted the events).
    #[arg(long)]
    pub forget: bool,
}

/// Shown after `journey erase --help`.
pub const AFTER_HELP: &str = "\
Prints {\"customersErased\", \"eventsErased\"} (zeros when the store holds nothing about the
customer). A store that a running `journey serve` (or any engine) holds is refused: erase through
that server (DELETE /api/v2/externalcontacts/contacts/{contactId}, with the `erase` grant), or stop
it first. Backups and copies of the store, exports and input logs are not reached: see
docs/identity.md, \"What erasure does not reach\".";

/// Runs `journey erase`.
pub fn run(args: EraseArgs) -> Result<Exit> {
    let customer = crate::open::parse_customer(&args.customer)?;
    let engine = match Engine::open_stored(&args.store) {
        Ok(engine) => engine,
        Err(JourneyError::StoreLocked(_)) => bail!(
            "{}: the store is open in another process (a running `journey serve`?); erase through it \
             (DELETE /api/v2/externalcontacts/contacts/{{contactId}} with the erase grant) or stop it first",
            args.store.display()
        ),
        Err(error) => return Err(error).with_context(|| format!("{}: cannot open the store", args.store.display())),
    };
    let erased = engine
        .erase(&ErasureInput { customer, erase_forget: args.forget })
        .with_context(|| format!("{}: the erasure failed", args.store.display()))?;
    engine.close().with_context(|| format!("{}: cannot close the store", args.store.display()))?;
    println!("{}", serde_json::to_string(&erased)?);
    Ok(Exit::Done)
}
