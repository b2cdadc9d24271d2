// The bike delivery of seed 000 through the `libjourney` npm package: replays examples/data and prints what the agent
// sees, exactly as the Rust and Python demos do (`make test` compares them).
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

// The session cards as the agent's table: newest activity first.
function printCards(cards) {
  console.log(`   ${'SESSION'.padEnd(14)} ${'ID'.padEnd(12)} ${'STATUS'.padEnd(9)} ${'EVENTS'.padStart(6)}  ${'LAST EVENT'.padEnd(18)} DETAILS`)
  for (const card of cards) {
    console.log(`   ${card.displayName.padEnd(14)} ${(card.externalId ?? '-').padEnd(12)} ${card.status.padEnd(9)} ` +
      `${String(card.eventCount).padStart(6)}  ${card.lastEvent.eventName.padEnd(18)} ${details(card)}`)
  }
}

function report(outcome) {
  if (outcome.status === 'accepted') console.log(`   + accepted (event ${outcome.eventIndex + 1} of ${outcome.eventCount})`)
  if (outcome.status === 'duplicate') console.log('   = duplicate, ignored')
  for (const v of outcome.violations ?? []) console.log(`   ! rejected: ${v.code} at '${v.path}': ${v.message}`)
}

// What a desktop shows resolves the promise the sender waits on, which prints it, so that the output
// reads in order.
let shows = () => {}

// The agent's desktop: a long-poll loop; each poll is a Promise, so the event loop never blocks.
async function agentDesktop(sessionId) {
  for (let r; (r = await engine.nextEvents(sessionId, { timeoutMs: 30000 })).status !== 'sessionEnded';) {
    for (const e of r.events ?? []) {
      if (e.type !== 'CustomEvent') continue
      shows(`   [${e.agentId}'s desktop] ${e.eventName} #${e.sequence}: ${e.data}`)
    }
  }
}

printLegend()
const store = mkdtempSync(join(tmpdir(), 'journey-demo-')) // a durable store: new Engine(catalog, config) keeps it in memory
const engine = Engine.open(store, catalog, scenario.config)
engine.on('webchat:all', (event) => console.log(`   [webchat] offer ${event.actionId.slice(0, 8)} is now ${event.actionState}`))
const sessions = scenario.agents.map((agent) => engine.startAgentSession(agent).sessionId)
const desktops = sessions.map(agentDesktop)

for (const step of scenario.steps) {
  engine.setNow(step.at)
  console.log(`\n== ${step.at.slice(11, 19)}  ${step.title}`)
  for (const event of step.events ?? []) report(engine.ingest(event))
  for (const action of step.actions ?? []) engine.recordActionEvent(action)
  for (const r of step.customEvents ?? []) {
    const shownByDesktop = new Promise((resolve) => { shows = resolve })
    const sent = engine.sendCustomEvent(r.agentId, r.eventName, r.data, r.persistInMemory)
    console.log(`   -> custom event '${r.eventName}' to ${r.agentId}: ${sent.delivery}`)
    console.log(await shownByDesktop)
  }
  printCards(engine.journey(scenario.customer, scenario.viewer).entities)
}
sessions.forEach((s) => engine.endAgentSession(s))
await Promise.all(desktops)
const stats = engine.stats()
const sorted = Object.fromEntries(Object.keys(stats).sort().map((key) => [key, stats[key]]))
console.log(`\n== Engine stats\n${JSON.stringify(sorted, null, 2)}`)
engine.close() // writes a snapshot; after a restart, every journey is still there
const restarted = Engine.open(store, catalog, scenario.config)
const cards = restarted.journey(scenario.customer, scenario.viewer).entities
console.log(`\nafter a restart: ${cards.length} sessions, ${cards.reduce((n, card) => n + card.eventCount, 0)} events`)
restarted.close()
rmSync(store, { recursive: true })
