// The bike delivery of seed 000 through the `libjourney` npm package: replays examples/data and prints what the agent
// sees, with the firings of the script's action maps and the segments, exactly as the Rust and Python demos do
// (`make test` compares them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
const { Catalog, Engine } = createRequire(import.meta.url)('../../bindings-node/index.js')

const data = (name) => JSON.parse(readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8'))
const scenario = data('bike_delivery.json')
const catalogJson = data('catalog.json')
const catalog = Catalog.fromObject(catalogJson)

// What the statuses mean, with each session type's thresholds from the catalog (SPEC §3.4).
function printLegend() {
  console.log('Status: live, then idle (yellow) and inactive as time passes without an event; ended once closed.')
  for (const type of catalogJson.sessionTypes) {
    const status = type.status ?? {}
    const name = (type.displayName ?? type.name).padEnd(14)
    console.log(`   ${name} idle after ${status.idleAfter ?? '45s'}, inactive after ${status.inactiveAfter ?? '60s'}`)
  }
  console.log(`   ${'Conversation'.padEnd(14)} voice calls stay live until they end`)
}

const shown = (value) => (typeof value === 'string' ? value : JSON.stringify(value))

// The card's attributes, or for a conversation its channel, queue, agent and wrap-up code.
function details(card) {
  const c = card.conversation
  if (c) return `channel=${c.channel ?? '-'} queue=${c.lastConnectedQueue ?? '-'} agent=${c.lastConnectedUser ?? '-'} wrapup=${c.wrapupCode ?? '-'}`
  return Object.keys(card.attributes).sort().map((name) => `${name}=${shown(card.attributes[name])}`).join(' ')
}

// The session cards as the agent's table: newest activity first, each with the segments assigned to its session.
function printCards(cards) {
  console.log(`   ${'SESSION'.padEnd(14)} ${'ID'.padEnd(12)} ${'STATUS'.padEnd(9)} ${'EVENTS'.padStart(6)}  ${'LAST EVENT'.padEnd(18)} DETAILS`)
  for (const card of cards) {
    console.log(`   ${card.displayName.padEnd(14)} ${(card.externalId ?? '-').padEnd(12)} ${card.status.padEnd(9)} ` +
      `${String(card.eventCount).padStart(6)}  ${card.lastEvent.eventName.padEnd(18)} ${details(card)}`)
    for (const a of card.segmentAssignments) {
      console.log(`      segment '${names.get(a.segmentId) ?? '?'}', assigned ${a.assignedDate}`)
    }
  }
}

// The segments the customer holds itself (customer scope), which last across its sessions.
function printCustomerSegments(customer) {
  for (const s of engine.segments(customer).filter((s) => s.scope === 'Customer')) {
    console.log(`   customer segment '${names.get(s.segmentId) ?? '?'}', assigned ${s.assignedDate}, until ${s.dateForUnassignment ?? '-'}`)
  }
}

// Puts the script's segments, then its action maps (which name the segments), printing each as stored; returns their
// names by id.
function putDefinitions() {
  console.log("\n== Segments and action maps (Genesys' JSON forms, from the script)")
  const found = new Map()
  for (const segment of scenario.definitions.segments) {
    const stored = engine.putSegment(segment)
    console.log(`   segment    '${stored.displayName}' v${stored.version}, ${stored.scope} scope`)
    found.set(stored.id, stored.displayName)
  }
  for (const map of scenario.definitions.actionMaps) {
    const stored = engine.putActionMap(map)
    console.log(`   action map '${stored.displayName}' v${stored.version}: ${stored.action.mediaType}`)
    found.set(stored.id, stored.displayName)
  }
  return found
}

// A JSON value with its objects' keys sorted, as Rust and Python print them.
const sortedKeys = (value) => Array.isArray(value) ? value.map(sortedKeys)
  : value !== null && typeof value === 'object'
    ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys(value[key])]))
    : value

// Why an action map fired in a session: the engine's explanation of each of its conditions.
async function printExplanation(mapId, sessionId) {
  const explanation = await engine.call('explainActionMap', { actionMapId: mapId, sessionId })
  console.log(`-- '${names.get(mapId)}' in session ${sessionId.slice(0, 8)}\n${JSON.stringify(sortedKeys(explanation), null, 2)}`)
}

function report(outcome) {
  if (outcome.status === 'accepted') console.log(`   + accepted (event ${outcome.eventIndex + 1} of ${outcome.eventCount})`)
  if (outcome.status === 'duplicate') console.log('   = duplicate, ignored')
  for (const v of outcome.violations ?? []) console.log(`   ! rejected: ${v.code} at '${v.path}': ${v.message}`)
}

// What the desktops show, with each custom event's name, in order; a waiter is woken at each.
const desktopLines = []
let wake = () => {}

// The agent's desktop: a long-poll loop; each poll is a Promise, so the event loop never blocks.
async function agentDesktop(sessionId) {
  for (let r; (r = await engine.nextEvents(sessionId, { timeoutMs: 30000 })).status !== 'sessionEnded';) {
    for (const e of r.events ?? []) {
      if (e.type !== 'CustomEvent') continue
      desktopLines.push([e.eventName, `   [${e.agentId}'s desktop] ${e.eventName} #${e.sequence}: ${e.data}`])
      wake()
    }
  }
}

// What the desktops showed of the custom events queued since the last call: the stats say how many to wait for, so
// that the output reads in the same order every time.
let queued = 0
async function desktopCatchUp() {
  const nowQueued = engine.stats().customEventsQueued
  while (desktopLines.length < nowQueued - queued) await new Promise((resolve) => { wake = resolve })
  queued = nowQueued
  return desktopLines.splice(0)
}

printLegend()
const store = mkdtempSync(join(tmpdir(), 'journey-demo-')) // a durable store: new Engine(catalog, config) keeps it in memory
const engine = Engine.open(store, catalog, scenario.config)
const names = putDefinitions()
engine.on('webchat:all', (event) => console.log(`   [webchat] offer ${event.actionId.slice(0, 8)} is now ${event.actionState}`))
// A content offer that an action map fires: its web action, printed as the map records it, inside the ingest that
// qualified it (before that ingest returns). Each firing is kept, to explain at the end.
const firings = [] // [action map, session]
engine.on('contentoffer:all', (event) => {
  console.log(`   [contentOffer] offer ${event.actionId.slice(0, 8)} is now ${event.actionState} ` +
    `(action map '${names.get(event.actionMapId) ?? '?'}', session ${event.sessionId.slice(0, 8)})`)
  if (event.actionState === 'qualified') firings.push([event.actionMapId, event.sessionId])
})
const sessions = scenario.agents.map((agent) => engine.startAgentSession(agent).sessionId)
const desktops = sessions.map(agentDesktop)
// The custom event maps, by the name of the event they send.
const customEventMaps = new Map(scenario.definitions.actionMaps.filter((m) => m.action.mediaType === 'customEvent')
  .map((m) => [m.action.eventName, m.id]))
queued = engine.stats().customEventsQueued

for (const step of scenario.steps) {
  engine.setNow(step.at)
  console.log(`\n== ${step.at.slice(11, 19)}  ${step.title}`)
  for (const event of step.events ?? []) {
    const outcome = engine.ingest(event)
    report(outcome)
    for (const [eventName, line] of await desktopCatchUp()) { // a custom event an action map sent at this event
      console.log(line)
      if (customEventMaps.has(eventName) && outcome.status === 'accepted') {
        firings.push([customEventMaps.get(eventName), outcome.sessionId])
      }
    }
  }
  for (const action of step.actions ?? []) engine.recordActionEvent(action)
  for (const r of step.customEvents ?? []) {
    const sent = engine.sendCustomEvent(r.agentId, r.eventName, r.data, r.persistInMemory)
    console.log(`   -> custom event '${r.eventName}' to ${r.agentId}: ${sent.delivery}`)
    for (const [, line] of await desktopCatchUp()) console.log(line)
  }
  const customer = step.customer ?? scenario.customer
  printCards(engine.journey(customer, scenario.viewer).entities)
  printCustomerSegments(customer)
}
sessions.forEach((s) => engine.endAgentSession(s))
await Promise.all(desktops)
if (firings.length > 0) console.log('\n== Why the action maps fired (explainActionMap)')
for (const [mapId, sessionId] of firings) await printExplanation(mapId, sessionId)
const stats = engine.stats()
const sorted = Object.fromEntries(Object.keys(stats).sort().map((key) => [key, stats[key]]))
console.log(`\n== Engine stats\n${JSON.stringify(sorted, null, 2)}`)
engine.close() // writes a snapshot; after a restart, every journey is still there
const restarted = Engine.open(store, catalog, scenario.config)
const cards = restarted.journey(scenario.customer, scenario.viewer).entities
const segments = restarted.segments(scenario.customer)
console.log(`\nafter a restart: ${cards.length} sessions, ${cards.reduce((n, card) => n + card.eventCount, 0)} events, ${segments.length} segments`)
restarted.close()
rmSync(store, { recursive: true })
