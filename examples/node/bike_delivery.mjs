// The bike delivery of seed 000 through the `libjourney` npm package: replays examples/data and prints what the agent sees.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
const { Catalog, Engine } = createRequire(import.meta.url)('../../bindings-node/index.js')

const data = (name) => readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8')
const scenario = JSON.parse(data('bike_delivery.json'))
const catalog = Catalog.fromJson(data('catalog.json'))
const store = mkdtempSync(join(tmpdir(), 'journey-demo-')) // a durable store: new Engine(catalog, config) keeps it in memory
const engine = Engine.open(store, catalog, scenario.config)
engine.on('webchat:all', (event) => console.log(`   [webchat] offer is now ${event.actionState}`))

// The agent's desktop: a long-poll loop; each poll is a Promise, so the event loop never blocks.
async function agentDesktop(sessionId) {
  for (let r; (r = await engine.nextEvents(sessionId, { timeoutMs: 30000 })).status !== 'sessionEnded';) {
    for (const e of r.events ?? []) if (e.type === 'CustomEvent') console.log(`   [${e.agentId}'s desktop] ${e.eventName} #${e.sequence}: ${e.data}`)
  }
}
const sessions = scenario.agents.map((agent) => engine.startAgentSession(agent).sessionId)
const desktops = sessions.map(agentDesktop)

for (const step of scenario.steps) {
  engine.setNow(step.at)
  console.log(`\n== ${step.at.slice(11, 19)}  ${step.title}`)
  for (const event of step.events ?? []) {
    const outcome = engine.ingest(event)
    console.log(`   + ${outcome.status} (${outcome.eventCount ?? '-'} events in the session)`)
  }
  for (const action of step.actions ?? []) engine.recordActionEvent(action)
  for (const r of step.customEvents ?? []) {
    const sent = engine.sendCustomEvent(r.agentId, r.eventName, r.data, r.persistInMemory)
    console.log(`   -> custom event ${r.eventName} to ${r.agentId}: ${sent.delivery}`)
    await new Promise((resolve) => setTimeout(resolve, 50)) // let the desktop's poll print it
  }
  console.log(`   ${'SESSION'.padEnd(14)} ${'ID'.padEnd(12)} ${'STATUS'.padEnd(9)} ${'EVENTS'.padStart(6)}  ${'LAST EVENT'.padEnd(18)} DETAILS`)
  for (const card of engine.journey(scenario.customer, scenario.viewer).entities) {
    const c = card.conversation
    const details = c ? `queue=${c.lastConnectedQueue} agent=${c.lastConnectedUser} wrapup=${c.wrapupCode}` : JSON.stringify(card.attributes)
    console.log(`   ${card.displayName.padEnd(14)} ${(card.externalId ?? '-').padEnd(12)} ${card.status.padEnd(9)} ${String(card.eventCount).padStart(6)}  ${card.lastEvent.eventName.padEnd(18)} ${details}`)
  }
}
sessions.forEach((s) => engine.endAgentSession(s))
await Promise.all(desktops)
console.log(`\n${JSON.stringify(engine.stats(), null, 2)}`)
engine.close() // writes a snapshot; after a restart, every journey is still there
const restarted = Engine.open(store, catalog, scenario.config)
const cards = restarted.journey(scenario.customer, scenario.viewer).entities
console.log(`\nafter a restart: ${cards.length} sessions, ${cards.reduce((n, card) => n + card.eventCount, 0)} events`)
restarted.close()
rmSync(store, { recursive: true })
