// A TypeScript user's first steps; `make test` type-checks it with `tsc --noEmit` (strict).
import { Catalog, Engine, type JourneyError, type Outcome, type SessionCard } from '../../bindings-node/index.js'

const catalog = Catalog.fromObject({
  sessionTypes: [{ name: 'delivery', kind: 'custom', eventTypes: [{ name: 'in_transit', attributes: [{ name: 'location', type: 'string' }] }] }],
})
const engine = new Engine(catalog, { clock: 'manual', start: '2026-11-21T10:20:00Z' })

const outcome: Outcome = engine.ingest({
  eventName: 'in_transit',
  createdDate: '2026-11-21T10:15:00Z',
  customer: { id: 'cust-42', idType: 'email' },
  session: { type: 'delivery', externalId: 'order-1234' },
  attributes: { location: 'Depot 7' },
})
if (outcome.status === 'accepted') console.log(`session ${outcome.sessionId} has ${outcome.eventCount} event(s)`)

const cards: SessionCard[] = engine.journey({ id: 'cust-42', idType: 'email' }, { permissions: ['journey:session:view', 'journey:sessionType:view'] }).entities
console.log(cards.map((card) => `${card.type}: ${card.status}`))

async function poll(): Promise<void> {
  const { sessionId } = engine.startAgentSession('agent-7')
  const result = await engine.nextEvents(sessionId, { timeoutMs: 0 })
  if (result.status === 'events') console.log(result.events.map((event) => event.eventName))
  try {
    engine.journey({ id: 'cust-42', idType: 'email' }, {})
  } catch (error) {
    console.log((error as JourneyError).code) // PERMISSION_DENIED
  }
}
void poll()
