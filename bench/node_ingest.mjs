// `make bench`, Node part: the `libjourney` npm package against what a Node backend would otherwise
// write (JSON.parse, an ajv-compiled JSON Schema, and a Map-based sessionizer doing the same
// grouping), on the same NDJSON of 1,000,000 custom events across 100,000 customers. Prints
// events/s and ratios; asserts nothing about speed.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Catalog, Engine } = require('../bindings-node/index.js')
const Ajv = require('../bindings-node/node_modules/ajv')

// `--smoke` (make bench-smoke): 2,000 events across 200 customers, so that the code runs in a
// debug build without timing anything that matters.
const SMOKE = process.argv.includes('--smoke')
const EVENTS = SMOKE ? 2_000 : 1_000_000
const CUSTOMERS = SMOKE ? 200 : 100_000
const CATALOG = { sessionTypes: [{ name: 'delivery', kind: 'custom',
  attributes: [{ name: 'location', type: 'string' }, { name: 'orderId', type: 'string' }],
  eventTypes: [{ name: 'in_transit', attributes: [{ name: 'location', type: 'string', required: true },
    { name: 'orderId', type: 'string' }, { name: 'price', type: 'decimal', min: 0 }] }] }] }
const CONFIG = { clock: 'manual', start: '2026-12-01T00:00:00Z', allowedLateness: null }

// The JSON Schema equivalent of the catalog's `in_transit` event (as in bench/baseline.py).
const SCHEMA = {
  type: 'object', required: ['eventName', 'createdDate', 'customer', 'session'],
  properties: {
    id: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' },
    eventName: { type: 'string', enum: ['in_transit'] },
    createdDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$' },
    customer: { type: 'object', required: ['id', 'idType'], properties: {
      id: { type: 'string', minLength: 1, maxLength: 1024 },
      idType: { enum: ['cookie', 'email', 'phone', 'externalContact', 'externalId'] } } },
    session: { type: 'object', required: ['type', 'externalId'], properties: {
      type: { const: 'delivery' }, externalId: { type: 'string', minLength: 1, maxLength: 1024 } } },
    division: { type: 'string', maxLength: 1024 },
    attributes: { type: 'object', additionalProperties: false, required: ['location'], maxProperties: 50, properties: {
      location: { type: 'string', maxLength: 1024 }, orderId: { type: 'string', maxLength: 1024 }, price: { type: 'number', minimum: 0 } } },
  },
}

function baseline(lines) {
  const validate = new Ajv().compile(SCHEMA)
  const sessions = new Map()
  const seen = new Map()
  let accepted = 0
  for (const line of lines) {
    let event
    try { event = JSON.parse(line) } catch { continue }
    if (!validate(event)) continue
    const id = event.id ?? line
    const previous = seen.get(id)
    if (previous !== undefined) continue // duplicate or conflict
    const time = Date.parse(event.createdDate)
    const customer = `${event.customer.idType}:${event.customer.id}`
    let session = sessions.get(event.session.externalId)
    if (session === undefined) {
      session = { type: event.session.type, customer, events: [], attributes: new Map() }
      sessions.set(event.session.externalId, session)
    } else if (session.type !== event.session.type || session.customer !== customer) continue
    session.events.push({ time, id, event })
    for (const name of ['location', 'orderId']) {
      if (name in event.attributes) {
        const current = session.attributes.get(name)
        if (current === undefined || time > current.time || (time === current.time && id > current.id)) {
          session.attributes.set(name, { time, id, value: event.attributes[name] })
        }
      }
    }
    seen.set(id, line)
    accepted++
  }
  return accepted
}

function lines() {
  const out = new Array(EVENTS)
  for (let i = 0; i < EVENTS; i++) {
    const customer = i % CUSTOMERS
    const order = customer * 2 + (Math.floor(i / CUSTOMERS) % 2)
    const created = new Date(1_763_700_000_000 + Math.floor(i / CUSTOMERS) * 600_000 + customer).toISOString()
    out[i] = JSON.stringify({ id: `abcd0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, eventName: 'in_transit', createdDate: created,
      customer: { id: `customer-${String(customer).padStart(7, '0')}@example.com`, idType: 'email' },
      session: { type: 'delivery', externalId: `order-${String(order).padStart(8, '0')}` },
      attributes: { location: `Depot ${i % 97}, aisle ${i % 13}`, orderId: `order-${String(order).padStart(8, '0')}`, price: 100.5 + (i % 2000) } })
  }
  return out
}

function rate(label, work) {
  const start = process.hrtime.bigint()
  const accepted = work()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (accepted !== EVENTS) throw new Error(`${label}: ${accepted} of ${EVENTS} accepted`)
  return EVENTS / seconds
}

const data = lines()
const ndjson = Buffer.from(data.join('\n') + '\n')
const base = rate('baseline', () => baseline(data))
const batch = rate('ingestBatch', () => new Engine(Catalog.fromObject(CATALOG), CONFIG).ingestBatch(ndjson).accepted)
const batchRejected = rate('ingestBatch rejected', () =>
  new Engine(Catalog.fromObject(CATALOG), CONFIG).ingestBatch(ndjson, { outcomes: 'rejected' }).accepted)
const each = rate('ingest', () => {
  const engine = new Engine(Catalog.fromObject(CATALOG), CONFIG)
  let accepted = 0
  for (const line of data) accepted += engine.ingest(JSON.parse(line)).status === 'accepted' ? 1 : 0
  return accepted
})
const eachText = rate('ingest(line)', () => {
  const engine = new Engine(Catalog.fromObject(CATALOG), CONFIG)
  let accepted = 0
  for (const line of data) accepted += engine.ingest(line).status === 'accepted' ? 1 : 0
  return accepted
})
const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(9)
console.log(`libjourney Node binding: ${EVENTS.toLocaleString('en-US')} events across ${CUSTOMERS.toLocaleString('en-US')} customers, NDJSON\n`)
console.log('| pipeline                                                 |      ev/s | vs baseline |')
console.log('|----------------------------------------------------------|----------:|------------:|')
console.log(`| baseline: JSON.parse + ajv + Map sessionizer             | ${fmt(base)} |       1.00x |`)
console.log(`| libjourney: engine.ingestBatch(buffer)                   | ${fmt(batch)} | ${(batch / base).toFixed(2).padStart(10)}x |`)
console.log(`| libjourney: engine.ingestBatch(buffer, { outcomes: 'rejected' }) | ${fmt(batchRejected)} | ${(batchRejected / base).toFixed(2).padStart(10)}x |`)
console.log(`| libjourney: JSON.parse + engine.ingest(object), per event | ${fmt(each)} | ${(each / base).toFixed(2).padStart(10)}x |`)
console.log(`| libjourney: engine.ingest(line), per event (raw JSON)     | ${fmt(eachText)} | ${(eachText / base).toFixed(2).padStart(10)}x |`)
console.log('\nGoals (issue 13): ingestBatch >= 4x the baseline, per-event ingest(object) >= 1.5x.')
