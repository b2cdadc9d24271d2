//! `journey`: libjourney from the command line (docs/cli.md).
//!
//! - `journey replay` streams NDJSON exports through an engine, with a progress bar, and prints
//!   what happened to every line.
//! - `journey serve` puts an engine behind the vendors' HTTP APIs (docs/http.md).
//! - `journey timeline` renders one customer's journey, as a viewer sees it, as an HTML page.
//! - `journey erase` erases a person's whole profile from a durable store.
//!
//! Every subcommand opens its engine the same way ([`open::EngineArgs`]): a catalog, an optional
//! config, and an optional durable store (SPEC §11). The behaviour is the core's; this crate reads
//! arguments, shows progress and prints results.

mod erase;
mod flow;
mod open;
mod replay;
mod serve;
mod stop;
mod timeline;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// libjourney's command-line tool: replay event exports and look at customers' journeys.
#[derive(Parser)]
#[command(name = "journey", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Stream NDJSON files (plain or gzip, `-` for standard input) through an engine, with a
    /// progress bar, then print a summary and the first rejections.
    #[command(after_help = replay::AFTER_HELP)]
    Replay(replay::ReplayArgs),
    /// Render one customer's journey, as a viewer sees it, as a self-contained HTML page.
    Timeline(timeline::TimelineArgs),
    /// Render the paths sessions take (docs/paths.md), as a viewer sees them, as a self-contained
    /// HTML Sankey chart.
    Flow(flow::FlowArgs),
    /// Serve one engine over HTTP with the NICE CXone Agent API and Genesys Cloud journey API
    /// paths and shapes, plus `POST /events`.
    Serve(serve::ServeArgs),
    /// Erase a person's whole profile from a durable store (docs/identity.md, "Erasure"): their
    /// sessions, events, links and everything else the store holds about them.
    #[command(after_help = erase::AFTER_HELP)]
    Erase(erase::EraseArgs),
}

/// What a run ended with; the exit status a shell sees.
pub enum Exit {
    /// Everything asked was done (rejected events included: they are results, not failures).
    Done,
    /// Stopped by Ctrl-C; what was done before stays done.
    Interrupted,
    /// `journey replay` read lines and rejected every one of them: nearly always a setting (a
    /// clock, a catalog) rather than the data, so a script must not take it for success.
    NothingAccepted,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Replay(args) => replay::run(args),
        Command::Timeline(args) => timeline::run(args),
        Command::Flow(args) => flow::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Erase(args) => erase::run(args),
    };
    match result {
        Ok(Exit::Done) => ExitCode::SUCCESS,
        // 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
        Ok(Exit::Interrupted) => ExitCode::from(130),
        Ok(Exit::NothingAccepted) => ExitCode::from(3),
        Err(error) => {
            eprintln!("journey: {error:#}");
            ExitCode::FAILURE
        }
    }
}
