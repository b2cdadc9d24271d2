//! The timeline page: one lane per session card, events as marks on a shared time axis.
//!
//! Self-contained: the CSS and the few lines of script are inline and nothing is fetched, so the
//! file can be mailed or attached to a ticket. Every value from the data is escaped by maud;
//! the script shows an event's details with `textContent`, never as HTML.

use super::{Lane, Timeline};
use journey_core::SessionStatus;
use journey_core::journey::EventView;
use journey_core::time::{format_millis, parse_rfc3339};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The whole page.
pub fn page(timeline: &Timeline) -> String {
    let axis = Axis::of(timeline);
    let customer = &timeline.customer;
    let title = format!("Journey of {} ({})", customer.id, customer.id_type.as_str());
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (title) }
                    p.summary {
                        (timeline.lanes.len()) " sessions"
                        @if let Some(now) = timeline.now { " · now " (format_millis(now)) }
                        " · viewer: " (timeline.viewer.permissions.join(", "))
                        " · divisions: " (timeline.viewer.divisions.join(", "))
                    }
                    (legend())
                }
                main.timeline {
                    (axis.ticks())
                    @for lane in &timeline.lanes { (self::lane(lane, &axis)) }
                    @if timeline.lanes.is_empty() { p.empty { "No session this viewer may see." } }
                }
                aside #details aria-live="polite" { "Point at an event to see its attributes." }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
    .into_string()
}

fn legend() -> Markup {
    html! {
        p.legend {
            @for status in ["live", "idle", "inactive", "ended"] { span class={ "pill " (status) } { (status) } " " }
            span.mark-key.transfer {} " transfer " span.mark-key.wrapup {} " wrap-up"
        }
    }
}

/// One session: its card on the left, its events on the track.
fn lane(lane: &Lane, axis: &Axis) -> Markup {
    let card = &lane.card;
    let status = status_name(card.status);
    let first = parse_rfc3339(&card.created_date).unwrap_or(axis.start);
    let last = parse_rfc3339(&card.last_event.created_date).unwrap_or(first);
    html! {
        section class={ "lane " (status) } data-session=(card.id) data-kind=(card.kind) {
            div.card {
                strong { (card.display_name) }
                " " span class={ "pill " (status) } { (status) }
                div.meta {
                    @if let Some(external_id) = &card.external_id { (external_id) " · " }
                    (card.event_count) " events"
                    @if !card.merged_session_ids.is_empty() { " · " (card.merged_session_ids.len() + 1) " web sessions merged" }
                    @if let Some(division) = &card.division { " · division " (division) }
                }
                @if let Some(conversation) = &card.conversation {
                    div.meta.conversation {
                        (conversation_line(conversation))
                    }
                }
            }
            div.track {
                span.extent style=(format!("left:{:.3}%;width:{:.3}%", axis.at(first), (axis.at(last) - axis.at(first)).max(0.4))) {}
                @match &lane.events {
                    Some(events) => { @for event in events { (mark(event, axis)) } }
                    None => { span.hidden { "events hidden from this viewer" } }
                }
            }
        }
    }
}

/// One event on the track; its details ride along as JSON for the script to show.
fn mark(event: &EventView, axis: &Axis) -> Markup {
    let time = parse_rfc3339(&event.created_date).unwrap_or(axis.start);
    let kind = match event.event_name.as_str() {
        "transferred" => "mark transfer",
        "wrapup" => "mark wrapup",
        _ => "mark",
    };
    let details = serde_json::json!({
        "eventName": event.event_name,
        "createdDate": event.created_date,
        "attributes": event.attributes,
    });
    html! {
        button class=(kind) style=(format!("left:{:.3}%", axis.at(time))) data-event=(details)
            title=(format!("{} at {}", event.event_name, event.created_date)) {}
    }
}

/// `voice · inbound · queue q-1 · agent a-1 · wrap-up done`, leaving out what the viewer may not see.
fn conversation_line(conversation: &journey_core::journey::ConversationCard) -> String {
    let fields = [
        ("", &conversation.channel),
        ("", &conversation.direction),
        ("queue ", &conversation.last_connected_queue),
        ("agent ", &conversation.last_connected_user),
        ("wrap-up ", &conversation.wrapup_code),
    ];
    let shown = fields.iter().filter_map(|(label, value)| value.as_ref().map(|v| format!("{label}{}", plain(v))));
    shown.collect::<Vec<_>>().join(" · ")
}

/// `2026-11-21T08:58:00.000Z` as `11-21 08:58`: the axis has room for minutes, not milliseconds.
fn tick_label(time: i64) -> String {
    let text = format_millis(time);
    text.get(5..16).map_or(text.clone(), |minute| minute.replace('T', " "))
}

/// A JSON value as text: strings without their quotes.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn status_name(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Live => "live",
        SessionStatus::Idle => "idle",
        SessionStatus::Inactive => "inactive",
        SessionStatus::Ended => "ended",
    }
}

/// The shared time axis: from the earliest event shown to the latest, or to `now` when it is near.
struct Axis {
    start: i64,
    end: i64,
}

impl Axis {
    fn of(timeline: &Timeline) -> Axis {
        let times = timeline.lanes.iter().flat_map(|lane| {
            [&lane.card.created_date, &lane.card.last_event.created_date].into_iter().filter_map(|t| parse_rfc3339(t))
        });
        let (start, last) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
        if start > last {
            return Axis { start: 0, end: 1 };
        }
        // `now` extends the axis when it is within a quarter of the span, so that idle sessions show
        // their silence; a `now` days later would squeeze every event to the left edge.
        let span = (last - start).max(60_000);
        let end = match timeline.now {
            Some(now) if now > last && now - last <= span / 4 => now,
            _ => last,
        };
        Axis { start, end: end.max(start + 60_000) }
    }

    /// Where `time` falls, in percent of the track.
    fn at(&self, time: i64) -> f64 {
        100.0 * (time - self.start) as f64 / (self.end - self.start) as f64
    }

    fn ticks(&self) -> Markup {
        html! {
            div.axis {
                @for i in 0..=4 {
                    @let time = self.start + (self.end - self.start) * i / 4;
                    span.tick style=(format!("left:{}%", i * 25)) { (tick_label(time)) }
                }
            }
        }
    }
}

const STYLE: &str = r#"
:root { --live: #2f9e44; --idle: #f2b705; --inactive: #9aa0a6; --ended: #495057; --ink: #1f2328; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, sans-serif; color: var(--ink); margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
.summary, .legend { color: #57606a; margin: 4px 0; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 12px; }
.pill.live { background: var(--live); } .pill.idle { background: var(--idle); color: #222; }
.pill.inactive { background: var(--inactive); } .pill.ended { background: var(--ended); }
.timeline { position: relative; margin-top: 16px; }
.axis { position: relative; height: 22px; margin-left: 280px; border-bottom: 1px solid #d0d7de; }
.tick { position: absolute; transform: translateX(-50%); font-size: 11px; color: #57606a; white-space: nowrap; }
.tick:first-child { transform: none; } .tick:last-child { transform: translateX(-100%); }
.lane { display: flex; align-items: stretch; border-bottom: 1px solid #eaeef2; min-height: 56px; }
.lane > .card { width: 280px; padding: 8px 12px 8px 8px; border-left: 6px solid var(--inactive); }
.lane.live > .card { border-color: var(--live); } .lane.idle > .card { border-color: var(--idle); }
.lane.ended > .card { border-color: var(--ended); }
.meta { color: #57606a; font-size: 12px; }
.track { position: relative; flex: 1; }
.extent { position: absolute; top: 26px; height: 4px; background: #d0d7de; border-radius: 2px; }
.live .extent { background: #b2f2bb; } .idle .extent { background: #ffec99; }
.mark { position: absolute; top: 20px; width: 16px; height: 16px; margin-left: -8px; border-radius: 50%;
  border: 2px solid #fff; background: #1c7ed6; cursor: pointer; padding: 0; box-shadow: 0 0 0 1px #1c7ed6; }
.mark.transfer { background: #ae3ec9; box-shadow: 0 0 0 1px #ae3ec9; transform: rotate(45deg); border-radius: 2px; }
.mark.wrapup { background: #e8590c; box-shadow: 0 0 0 1px #e8590c; border-radius: 2px; }
.mark:hover, .mark:focus, .mark.selected { outline: 3px solid #ffd43b; z-index: 2; }
.mark-key { display: inline-block; width: 10px; height: 10px; margin-left: 8px; }
.mark-key.transfer { background: #ae3ec9; transform: rotate(45deg); } .mark-key.wrapup { background: #e8590c; }
.hidden { position: absolute; top: 18px; left: 8px; color: #57606a; font-style: italic; }
.empty { color: #57606a; }
#details { position: sticky; bottom: 0; margin-top: 16px; padding: 10px 12px; background: #f6f8fa;
  border: 1px solid #d0d7de; border-radius: 6px; white-space: pre-wrap; font-family: ui-monospace, monospace; }
"#;

/// Shows the details of the event pointed at or focused (at first, the latest one). `textContent` only: the data is the
/// customer's, and must never become markup.
const SCRIPT: &str = r#"
(function () {
  var details = document.getElementById('details');
  function show(mark) {
    var event = JSON.parse(mark.getAttribute('data-event'));
    var lines = [event.eventName + '  ' + event.createdDate];
    if (event.attributes === null) { lines.push('(attributes hidden from this viewer)'); }
    else { Object.keys(event.attributes).forEach(function (k) { lines.push(k + ': ' + JSON.stringify(event.attributes[k])); }); }
    details.textContent = lines.join('\n');
    document.querySelectorAll('.mark.selected').forEach(function (m) { m.classList.remove('selected'); });
    mark.classList.add('selected');
  }
  var latest = null;
  document.querySelectorAll('.mark').forEach(function (mark) {
    mark.addEventListener('mouseenter', function () { show(mark); });
    mark.addEventListener('focus', function () { show(mark); });
    var time = JSON.parse(mark.getAttribute('data-event')).createdDate;
    if (latest === null || time > latest.time) { latest = { mark: mark, time: time }; }
  });
  // The latest event is shown to begin with: what happened last is what an agent asks first.
  if (latest !== null) { show(latest.mark); }
})();
"#;
