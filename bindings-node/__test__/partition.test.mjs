// route / partitionFor / mergeStats / OnlineRouter / Frontier: N engines fed by a router give one
// engine's results (SPEC §13).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Catalog, Engine, Frontier, OnlineRouter, commandKey, commandNeedsWatermark, route, partitionFor, mergeOutbox, mergeStats, watermarkNeeded } = require('../index.js')

const CATALOG = JSON.stringify({
  sessionTypes: [
    { name: 'delivery', kind: 'custom', endsOn: ['item_delivered'], eventTypes: [{ name: 'order_placed' }, { name: 'item_delivered' }] },
    { name: 'web', kind: 'web', eventTypes: [{ name: 'page_viewed' }] },
  ],
})
const CONFIG = { clock: 'manual', start: '2026-11-21T12:00:00Z', allowedLateness: null }
const VIEWER = { permissions: ['journey:session:view', 'journey:sessionType:view', 'journey:event:view', 'journey:eventType:view'], divisions: ['*'] }
const catalog = Catalog.fromJson(CATALOG)
const engine = () => new Engine(catalog, CONFIG)

/** Groups of three customers sharing orders and event ids (with the same and other content),
 * visitors with ids of their own, resends, and now and then an order of another group: many
 * components, each with every kind of conflict. */
function adversarialStream (seed, length) {
  let state = seed
  const below = (n) => { state = (state * 1103515245 + 12345) % 2 ** 31; return Math.floor(state / 2 ** 12) % n }
  const events = []
  for (let n = 0; n < length; n++) {
    if (events.length > 0 && below(10) === 0) { events.push(structuredClone(events[below(events.length)])); continue }
    const minute = 10 + below(90)
    const createdDate = `2026-11-21T${String(10 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00Z`
    const group = below(8)
    const member = below(5) === 0 ? below(3) : 0
    const orderGroup = below(100) === 0 ? below(8) : group
    let event = {
      eventName: ['order_placed', 'order_placed', 'item_delivered'][below(3)], createdDate,
      customer: { id: `c${group * 3 + member}@example.com`, idType: 'email' },
      session: { type: 'delivery', externalId: `order-${orderGroup}-${below(2)}` },
    }
    let pool = group
    if (below(10) < 3) {
      const visitor = below(4)
      pool = 100 + visitor
      event = { eventName: 'page_viewed', createdDate, customer: { id: `w${visitor}`, idType: 'cookie' }, session: { type: 'web' } }
    }
    if (below(10) < 3) event.id = `00000000-0000-4000-8000-${String(pool * 10 + below(3)).padStart(12, '0')}`
    events.push(event)
  }
  return events
}

for (const partitions of [2, 4, 16]) {
  test(`${partitions} partitioned engines equal one engine`, () => {
    const events = adversarialStream(7, 400)
    const one = engine()
    const expected = events.map((e) => one.ingest(e))
    const codes = new Set(expected.flatMap((o) => (o.status === 'rejected' ? o.violations.map((v) => v.code) : [])))
    for (const code of ['CUSTOMER_MISMATCH', 'DUPLICATE_ID_CONFLICT', 'SESSION_ENDED']) assert.ok(codes.has(code), `no ${code}`)
    const routing = route(catalog, events, partitions)
    assert.deepEqual(routing.quarantined, [])
    assert.ok(new Set(route(catalog, events, 16).partitions).size >= 4, 'many components')
    const engines = Array.from({ length: partitions }, engine)
    const outcomes = events.map((e, i) => engines[routing.partitions[i]].ingest(e))
    assert.deepEqual(outcomes, expected)
    assert.deepEqual(mergeStats(engines.map((e) => e.stats())), one.stats())
    const home = new Map(events.map((e, i) => [JSON.stringify(e.customer), routing.partitions[i]]))
    for (const [key, part] of home) {
      const customer = JSON.parse(key)
      assert.deepEqual(engines[part].journey(customer, VIEWER, { pageSize: 200 }), one.journey(customer, VIEWER, { pageSize: 200 }))
    }
  })
}

test('routing by customer alone is not exact', () => {
  const events = adversarialStream(7, 400)
  const one = engine()
  const expected = events.map((e) => one.ingest(e))
  const engines = Array.from({ length: 4 }, engine)
  const byCustomer = events.map((e) => engines[partitionFor(`c:${e.customer.idType}:${e.customer.id}`, 4)].ingest(e))
  assert.notDeepEqual(byCustomer, expected)
})

test('the router reads batches as the engine does and names bad input', () => {
  const events = adversarialStream(3, 50)
  const ndjson = events.map((e) => JSON.stringify(e)).join('\n') + '\n\n'
  const asArray = route(catalog, events, 4)
  assert.deepEqual(route(catalog, ndjson, 4), asArray)
  assert.deepEqual(route(catalog, Buffer.from(ndjson), 4), asArray)
  const capped = route(catalog, events, 4, { cap: 1 })
  assert.ok(capped.quarantined.length > 0 && capped.partitions.includes(null))
  assert.equal(partitionFor('c:email:a@x', 1), 0)
  assert.throws(() => route(catalog, events, 0), (e) => e.code === 'INVALID_ARGUMENT')
  assert.throws(() => partitionFor('c:email:a', 70_000), (e) => e.code === 'INVALID_ARGUMENT')
  assert.throws(() => route(catalog, 42, 4), TypeError)
  assert.throws(() => mergeStats([{ eventsAccepted: 'many' }]), TypeError)
})

// Partitions that move state between them share one digest key.
const SHARED = { ...CONFIG, digestKey: '0123456789abcdef0123456789abcdef' }

function online (events, partitions, moves) {
  const router = new OnlineRouter(catalog, partitions)
  const engines = Array.from({ length: partitions }, () => new Engine(catalog, SHARED))
  let moved = 0
  const outcomes = events.map((event) => {
    const { partition, moves: pending } = router.route(event)
    for (const move of moves ? pending : []) {
      engines[move.target].moveIn(engines[move.source].moveOut(move.customers))
      moved++
    }
    return engines[partition].ingest(event)
  })
  return { outcomes, engines, router, moved }
}

for (const partitions of [2, 4, 16]) {
  test(`the online router moving state over ${partitions} engines equals one engine`, () => {
    const events = adversarialStream(7, 400)
    const one = engine()
    const expected = events.map((e) => one.ingest(e))
    const { outcomes, engines, router, moved } = online(events, partitions, true)
    assert.ok(moved > 0, 'the stream links components late')
    assert.deepEqual(outcomes, expected)
    assert.deepEqual(mergeStats(engines.map((e) => e.stats())), one.stats())
    for (const key of new Set(events.map((e) => JSON.stringify(e.customer)))) {
      const customer = JSON.parse(key)
      const home = engines[router.partitionOf(customer)]
      assert.deepEqual(home.journey(customer, VIEWER, { pageSize: 200 }), one.journey(customer, VIEWER, { pageSize: 200 }))
    }
  })
}

test('the online router without moving state is not exact, and a slice needs the same digest key', () => {
  const events = adversarialStream(7, 400)
  const one = engine()
  const expected = events.map((e) => one.ingest(e))
  assert.notDeepEqual(online(events, 4, false).outcomes, expected)
  const source = new Engine(catalog, SHARED)
  source.ingest(events[0])
  const slice = source.moveOut([events[0].customer])
  assert.throws(() => engine().moveIn(slice), (e) => e.code === 'INVALID_ARGUMENT' && /digestKey/.test(e.message))
  assert.throws(() => source.moveIn(Buffer.from('nope')), (e) => e.code === 'INVALID_ARGUMENT')
  assert.throws(() => source.moveOut([{ who: 'me' }]), TypeError)
})

test('the frontier shares an event-clock watermark across processes', () => {
  const config = { clock: 'event', allowedLateness: '10m' }
  const times = ['10:00', '10:30', '10:25', '10:10'].map((t) => ({ createdDate: `2026-11-21T${t}:00Z` }))
  assert.deepEqual(watermarkNeeded(config, times), [false, false, false, true])
  assert.deepEqual(watermarkNeeded(CONFIG, times), [false, false, false, false])
  const frontier = new Frontier(2)
  frontier.record({ partition: 0, accepted: [[1, '2026-11-21T10:30:00Z']], next: 4 })
  assert.equal(frontier.passed(3), false)
  assert.throws(() => frontier.watermarkBefore(3), (e) => e.code === 'INVALID_ARGUMENT')
  frontier.record({ partition: 1, accepted: [[0, '2026-11-21T10:00:00Z']], next: 3 })
  assert.equal(frontier.passed(3), true)
  assert.equal(frontier.watermarkBefore(3), '2026-11-21T10:30:00.000Z')
  assert.throws(() => frontier.record({ partition: 1, accepted: [] }), TypeError)
  assert.throws(() => frontier.record({ partition: 5, accepted: [], next: null }), (e) => e.code === 'INVALID_ARGUMENT')
})

test('agent and action operations route by their own key', () => {
  assert.equal(commandKey('startAgentSession', { agentId: 'a1' }), 'a:a1')
  assert.equal(commandKey('sendCustomEvent', { agentId: 'a1', eventName: 'x' }), 'a:a1')
  // A web action event goes to its customer's partition: the key is the customer's.
  const action = { actionId: '6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11', customerId: '0f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11' }
  assert.equal(commandKey('recordActionEvent', action), 'c:cookie:0f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11')
  assert.equal(commandKey('stats'), null)
  assert.throws(() => commandKey('explode', {}), (e) => e.code === 'INVALID_ARGUMENT')
})

test('under an event clock operations take the watermark first', () => {
  const eventClock = { clock: 'event', allowedLateness: '30m' }
  const send = { agentId: 'a1', eventName: 'x' }
  assert.equal(commandNeedsWatermark(eventClock, 'sendCustomEvent', send), true)
  assert.equal(commandNeedsWatermark(eventClock, 'stats'), false)
  assert.equal(commandNeedsWatermark(eventClock, 'ingest', {}), false)
  assert.equal(commandNeedsWatermark(CONFIG, 'sendCustomEvent', send), false)
  assert.throws(() => commandNeedsWatermark(eventClock, 'explode', {}), (e) => e.code === 'INVALID_ARGUMENT')
})

test("a map's custom event reaches an agent in another partition through the outbox", async () => {
  const map = {
    id: 'f1000000-0000-4000-8000-0000000000e1',
    displayName: 'Tell the agent',
    triggerWithEventConditions: [{ key: 'eventName', values: ['order_placed'], streamType: 'Custom', eventName: 'order_placed' }],
    action: { mediaType: 'customEvent', agentId: 'a1', eventName: 'orderPlaced', data: 'look' },
  }
  const engines = [0, 1].map(() => new Engine(catalog, { ...CONFIG, orchestration: { customEvents: 'outbox' } }))
  engines.forEach((e) => e.putActionMap(map))
  const home = partitionFor(commandKey('startAgentSession', { agentId: 'a1' }), 2)
  const agent = engines[home].startAgentSession('a1').sessionId
  let n = 0
  while (partitionFor(`c:email:c${n}`, 2) === home) n++
  const event = {
    eventName: 'order_placed', createdDate: '2026-11-21T11:59:00Z',
    customer: { id: `c${n}`, idType: 'email' }, session: { type: 'delivery', externalId: 'o1' },
  }
  assert.equal(engines[1 - home].ingest(event).status, 'accepted')
  assert.deepEqual((await engines[home].nextEvents(agent)).events.map((e) => e.eventName), ['AgentSessionStart'])
  const parts = engines.map((e) => e.outbox())
  assert.deepEqual(parts[home], [])
  const [entry] = parts[1 - home]
  assert.equal(entry.sequence, 1)
  assert.deepEqual(entry.request, { agentId: 'a1', eventName: 'orderPlaced', data: 'look', persistInMemory: false })
  for (const forwarded of mergeOutbox(parts)) {
    const target = partitionFor(commandKey('sendCustomEvent', forwarded.request), 2)
    assert.deepEqual(await engines[target].call('sendCustomEvent', forwarded.request), { delivery: 'queued', overwritten: false })
  }
  assert.equal(engines[1 - home].acknowledgeOutbox(entry.sequence), 1)
  assert.deepEqual(engines[1 - home].outbox({ after: 0 }), [])
  assert.deepEqual((await engines[home].nextEvents(agent)).events.map((e) => [e.eventName, e.data]), [['orderPlaced', 'look']])
  assert.throws(() => engines[0].outbox({ max: 0 }), (e) => e.code === 'INVALID_ARGUMENT')
  assert.throws(() => mergeOutbox([[{ sequence: 'one' }]]), TypeError)
})
