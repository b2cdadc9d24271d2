// The Node-specific behaviour of `libjourney`: promises that never block the event loop, errors
// with .code, TypeErrors, and callbacks.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createRequire } from 'node:module'
import { REPO } from './vectors.mjs'

const require = createRequire(import.meta.url)
const { Catalog, Engine } = require('../index.js')
const catalog = Catalog.fromJson(readFileSync(join(REPO, 'examples', 'data', 'catalog.json'), 'utf8'))
const engine = () => new Engine(catalog, { clock: 'manual', start: '2026-11-21T10:00:00Z' })
const action = (state, n = 1) => ({
  actionId: `3f0c2a9e-1b44-4d8e-9a6b-${String(n).padStart(12, '0')}`, actionState: state, actionMediaType: 'webchat',
  actionMapId: '11111111-2222-4333-8444-555555555555', actionMapVersion: 1,
  customerId: '0f8fad5b-d9cb-469f-a165-70867728950e', customerIdType: 'cookie', sessionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
})

test('a setInterval keeps ticking while nextEvents waits', async () => {
  const e = engine()
  const { sessionId } = e.startAgentSession('agent-1')
  await e.nextEvents(sessionId)
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 5)
  setTimeout(() => e.sendCustomEvent('agent-1', 'wake', 'up'), 150)
  const result = await e.nextEvents(sessionId, { timeoutMs: 30000 })
  clearInterval(timer)
  assert.equal(result.status, 'events')
  assert.equal(result.events[0].data, 'up')
  assert.ok(ticks >= 10, `the event loop ticked only ${ticks} times while the poll waited`)
})

test('several concurrent nextEvents promises, more than libuv has worker threads', async () => {
  const e = engine()
  const sessions = Array.from({ length: 12 }, (_, n) => e.startAgentSession(`agent-${n}`).sessionId)
  await Promise.all(sessions.map((s) => e.nextEvents(s)))
  const polls = sessions.map((s) => e.nextEvents(s, { timeoutMs: 30000 }))
  setTimeout(() => sessions.forEach((_, n) => e.sendCustomEvent(`agent-${n}`, 'hello', String(n))), 100)
  const results = await Promise.all(polls)
  assert.deepEqual(results.map((r) => r.events[0].data), sessions.map((_, n) => String(n)))
  // Timeout and sessionEnded, CXone's 304 and 409.
  assert.deepEqual(await e.nextEvents(sessions[0], { timeoutMs: 0 }), { status: 'timeout' })
  // `null` is the default, as in the JSON form (`max?: number | null`).
  assert.deepEqual(await e.nextEvents(sessions[0], { timeoutMs: 0, max: null, ack: null }), { status: 'timeout' })
  const ended = e.nextEvents(sessions[1], { timeoutMs: 30000 })
  e.endAgentSession(sessions[1])
  assert.deepEqual(await ended, { status: 'sessionEnded' })
})

test('thrown errors are Errors with .code, and .violations where there are some', async () => {
  const e = engine()
  assert.throws(() => e.journey({ id: 'c', idType: 'email' }, { permissions: [] }),
    (err) => err instanceof Error && err.code === 'PERMISSION_DENIED' && Array.isArray(err.violations))
  assert.throws(() => Catalog.fromJson('{"sessionTypes": [{"name": "9x", "kind": "custom"}]}'),
    (err) => err.code === 'INVALID_CATALOG' && err.violations[0].path === '/sessionTypes/0/name')
  assert.throws(() => new Engine(catalog, { clok: 'wall' }), (err) => err.code === 'INVALID_CONFIG' && err.key === 'clok')
  await assert.rejects(e.nextEvents('00000000-0000-4000-8000-000000000000'), (err) => err.code === 'INVALID_SESSION')
  e.recordActionEvent(action('offered'))
  assert.throws(() => e.recordActionEvent(action('qualified')), (err) => err.code === 'INVALID_TRANSITION')
  assert.throws(() => e.recordActionEvent(action('accepted', 2)), (err) => err.code === 'UNKNOWN_ACTION')
  const small = new Engine(catalog, { maxPendingPerAgent: 1 })
  small.startAgentSession('a1')
  small.sendCustomEvent('a1', 'x')
  assert.throws(() => small.sendCustomEvent('a1', 'y'), (err) => err.code === 'QUEUE_FULL')
  // A rejected event is an outcome, not a throw.
  assert.equal(e.ingest({ eventName: 'in_transit' }).status, 'rejected')
  assert.equal(e.ingestBatch([{}, {}]).rejected, 2)
})

test('a wrong argument type gives a clear TypeError', () => {
  const e = engine()
  assert.throws(() => e.ingest(42), { name: 'TypeError', message: /ingest\(\) takes an object, a string or a Buffer, not a number/ })
  assert.throws(() => e.ingestBatch(42), TypeError)
  assert.throws(() => e.startAgentSession(42), { name: 'TypeError', message: /agentId must be a string/ })
  assert.throws(() => e.on('all:all', 'not a function'), { name: 'TypeError', message: /callback must be a function/ })
  assert.throws(() => e.nextEvents(null), TypeError)
  assert.throws(() => Catalog.fromJson({}), TypeError)
})

test('callbacks that throw are counted and break nothing', () => {
  const e = engine()
  const seen = []
  e.on('all:all', () => { throw new Error('subscriber bug') })
  e.on('webchat:all', (event) => seen.push(event.actionState))
  e.recordActionEvent(action('offered'))
  e.recordActionEvent(action('accepted'))
  assert.deepEqual(seen, ['offered', 'accepted'])
  assert.equal(e.stats().callbackFailures, 2)
})

test('callbacks may call back into the engine, synchronously and in order', () => {
  const e = engine()
  const seen = []
  e.on('webchat:all', (event) => {
    if (event.actionState === 'offered') {
      e.recordActionEvent({ ...action('accepted') })
      const id = e.once('webchat:started', (inner) => seen.push(`inner:${inner.actionState}`))
      assert.ok(id > 0)
    }
    seen.push(event.actionState)
  })
  e.recordActionEvent(action('offered'))
  assert.deepEqual(seen, ['accepted', 'offered'], 'callbacks ran before recordActionEvent returned')
  e.recordActionEvent(action('started'))
  assert.deepEqual(seen, ['accepted', 'offered', 'started', 'inner:started'])
  const id = e.on('all:all', () => seen.push('removed'))
  e.off(id)
  e.recordActionEvent(action('completed'))
  assert.equal(seen.includes('removed'), false)
  assert.equal(e.stats().callbackFailures, 0)
})

test('Buffers and NDJSON strings', () => {
  const e = engine()
  const event = { eventName: 'page_viewed', createdDate: '2026-11-21T10:00:00Z', customer: { id: 'c', idType: 'cookie' }, session: { type: 'web' }, attributes: { page: '/' } }
  assert.equal(e.ingest(Buffer.from(JSON.stringify(event))).status, 'accepted')
  assert.equal(e.ingest(JSON.stringify(event)).status, 'duplicate')
  const batch = e.ingestBatch(Buffer.from(`${JSON.stringify({ ...event, attributes: { page: '/a' } })}\nnot json\n`))
  assert.deepEqual([batch.accepted, batch.rejected], [1, 1])
})

test('a durable engine keeps journeys across a restart', async () => {
  const { mkdtempSync, rmSync, readdirSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'journey-node-store-'))
  const config = { clock: 'manual', start: '2026-11-21T10:00:00Z' }
  const event = {
    eventName: 'in_transit', createdDate: '2026-11-21T09:50:00Z', customer: { id: 'dana', idType: 'email' },
    session: { type: 'delivery', externalId: 'order-1' }, attributes: { location: 'Depot 7' },
  }
  const viewer = { permissions: ['journey:session:view', 'journey:sessionType:view'], divisions: ['*'] }
  try {
    const store = join(dir, 'store')
    const first = Engine.open(store, catalog, config)
    assert.equal(first.recovery().created, true)
    assert.equal(first.ingest(event).status, 'accepted')
    assert.throws(() => Engine.open(store, catalog, config), (error) => error.code === 'STORE_LOCKED')
    first.close()
    assert.throws(() => first.ingest(event), (error) => error.code === 'IO_ERROR')
    assert.equal(first.stats().eventsAccepted, 1)

    const second = Engine.open(store, catalog, config)
    assert.equal(second.recovery().created, false)
    const page = second.journey({ id: 'dana', idType: 'email' }, viewer)
    assert.deepEqual(page.entities.map((card) => card.externalId), ['order-1'])
    assert.equal(second.ingest(event).status, 'duplicate')
    second.close()

    const journal = readdirSync(store).find((name) => name.startsWith('journal-'))
    assert.ok(journal, 'a journal file')
    assert.equal(new Engine(catalog, config).recovery(), null)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a store that recovers to checkpoints drops what followed the last one', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'journey-node-checkpoint-'))
  const config = { clock: 'manual', start: '2026-11-21T10:00:00Z', store: { recoverTo: 'checkpoint' } }
  const event = (order) => ({
    eventName: 'in_transit', createdDate: '2026-11-21T09:50:00Z', customer: { id: 'dana', idType: 'email' },
    session: { type: 'delivery', externalId: order }, attributes: { location: 'Depot 7' },
  })
  try {
    const store = join(dir, 'store')
    const first = Engine.open(store, catalog, config)
    assert.equal(first.lastCheckpoint(), null)
    assert.equal(first.ingest(event('order-1')).status, 'accepted')
    first.checkpoint({ topic: 'journey', offset: 1 })
    assert.equal(first.ingest(event('order-2')).status, 'accepted')
    assert.throws(() => first.snapshot(), (error) => error.code === 'INVALID_ARGUMENT')
    first.close() // not at a checkpoint: the next open drops order-2

    const second = Engine.open(store, catalog, config)
    assert.deepEqual(second.lastCheckpoint(), { topic: 'journey', offset: 1 })
    assert.equal(second.recovery().recordsAfterCheckpointDropped, 1)
    assert.equal(second.stats().eventsAccepted, 1)
    assert.equal(second.ingest(event('order-2')).status, 'accepted', 'the message after the offset is new again')
    assert.throws(() => second.checkpoint('x'.repeat(70_000)), (error) => error.code === 'INVALID_ARGUMENT')
    second.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a damaged store throws CORRUPT_STORE with the file and the offset', async () => {
  const { mkdtempSync, rmSync, readdirSync, readFileSync: read, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'journey-node-corrupt-'))
  try {
    const store = join(dir, 'store')
    const config = { clock: 'manual', start: '2026-11-21T10:00:00Z' }
    let first = Engine.open(store, catalog, config)
    for (let minute = 0; minute < 3; minute++) {
      first.ingest({
        eventName: 'in_transit', createdDate: `2026-11-21T09:5${minute}:00Z`, customer: { id: 'dana', idType: 'email' },
        session: { type: 'delivery', externalId: `order-${minute}` }, attributes: { location: 'Depot 7' },
      })
    }
    first.snapshot()
    first.ingest({
      eventName: 'in_transit', createdDate: '2026-11-21T09:59:00Z', customer: { id: 'dana', idType: 'email' },
      session: { type: 'delivery', externalId: 'order-9' }, attributes: { location: 'Depot 9' },
    })
    first.close()
    first = null
    const snapshot = join(store, readdirSync(store).find((name) => name.startsWith('snapshot-')))
    const bytes = read(snapshot)
    bytes[Math.floor(bytes.length / 2)] ^= 0xff
    writeFileSync(snapshot, bytes)
    assert.throws(() => Engine.open(store, catalog, config), (error) => {
      assert.equal(error.code, 'CORRUPT_STORE')
      assert.ok(error.file.endsWith(snapshot.split('/').pop()), error.file)
      assert.equal(typeof error.offset, 'number')
      return true
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('fired once subscriptions release their callbacks', () => {
  const { subscriptionCallbackCount } = require('../index.js')
  const e = engine()
  const before = subscriptionCallbackCount()
  let fired = 0
  for (let n = 1; n <= 100_000; n++) {
    e.once('webchat:offered', () => { fired++ })
    e.recordActionEvent(action('offered', n))
  }
  assert.equal(fired, 100_000)
  assert.equal(subscriptionCallbackCount(), before)
  const kept = e.on('webchat:all', () => {})
  assert.equal(subscriptionCallbackCount(), before + 1)
  e.off(kept)
  assert.equal(subscriptionCallbackCount(), before)
})

test('a collected engine releases its subscriptions\' callbacks', async () => {
  const { subscriptionCallbackCount } = require('../index.js')
  const before = subscriptionCallbackCount()
  ;(() => {
    const e = engine()
    for (let n = 0; n < 10; n++) e.on('webchat:all', () => {})
  })()
  assert.equal(subscriptionCallbackCount(), before + 10)
  const v8 = await import('node:v8')
  const vm = await import('node:vm')
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') // the collector, without starting node with --expose-gc
  for (let round = 0; round < 50 && subscriptionCallbackCount() > before; round++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  // Engines of earlier tests may be collected too, so the count can end below where it started.
  assert.ok(subscriptionCallbackCount() <= before, `${subscriptionCallbackCount()} callbacks left, ${before} before`)
})

/** This process's thread count. */
function threads() {
  return Number(readFileSync('/proc/self/status', 'utf8').match(/^Threads:\s+(\d+)/m)[1])
}

test('10,000 pending nextEvents promises wait on a few threads', async () => {
  const e = engine()
  const agents = Array.from({ length: 10_000 }, (_, n) => `agent-${n}`)
  const sessions = agents.map((agent) => e.startAgentSession(agent).sessionId)
  for (const s of sessions) await e.nextEvents(s) // AgentSessionStart
  const polls = sessions.map((s) => e.nextEvents(s, { timeoutMs: 60_000 }))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const most = threads()
  agents.forEach((agent) => e.sendCustomEvent(agent, 'go', agent))
  const results = await Promise.all(polls)
  assert.deepEqual(results.map((r) => r.events[0].data), agents)
  assert.ok(Math.max(most, threads()) < 32, `${most} threads`)
})

test('an AbortSignal rejects a waiting poll with AbortError and loses nothing', async () => {
  const e = engine()
  const { sessionId } = e.startAgentSession('agent-1')
  await e.nextEvents(sessionId)
  const controller = new AbortController()
  const poll = e.nextEvents(sessionId, { timeoutMs: 30_000, signal: controller.signal })
  controller.abort()
  await assert.rejects(poll, (error) => error.name === 'AbortError' && error.code === 'ABORT_ERR')
  await assert.rejects(e.nextEvents(sessionId, { signal: AbortSignal.abort() }), { name: 'AbortError' })
  e.sendCustomEvent('agent-1', 'kept', '1')
  const next = await e.nextEvents(sessionId)
  assert.deepEqual(next.events.map((ev) => ev.eventName), ['kept'])
})

test('aborted and timed-out polls lose nothing over 10,000 events', async () => {
  const e = new Engine(catalog, { clock: 'manual', start: '2026-11-21T10:00:00Z', maxPendingPerAgent: 100_000 })
  const { sessionId } = e.startAgentSession('agent-1')
  await e.nextEvents(sessionId)
  let seed = 7
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const received = []
  const producer = (async () => {
    for (let n = 0; n < 10_000; n++) {
      e.sendCustomEvent('agent-1', `event-${n}`, String(n))
      if (n % 97 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  while (received.length < 10_000) {
    const controller = new AbortController()
    const poll = e.nextEvents(sessionId, { timeoutMs: 1000, max: 1 + Math.floor(random() * 50), signal: controller.signal })
    const choice = random()
    if (choice < 0.3) controller.abort()
    else if (choice < 0.6) setImmediate(() => controller.abort())
    try {
      const result = await poll
      for (const event of result.events ?? []) received.push(event.eventName)
    } catch (error) {
      assert.equal(error.name, 'AbortError')
    }
  }
  await producer
  assert.equal((await e.nextEvents(sessionId)).status, 'timeout') // acknowledges the last answer
  assert.deepEqual([...received].sort(), Array.from({ length: 10_000 }, (_, n) => `event-${n}`).sort(), 'each event exactly once')
  const stats = e.stats()
  // queued + persisted = acknowledged + overwritten + dropped + still pending (none)
  assert.equal(stats.customEventsQueued, received.length + stats.customEventsOverwritten + stats.customEventsDropped)
})

// `lines` NDJSON lines of in_transit events, the last one not JSON.
function ndjsonFile(lines, { gzip = false } = {}) {
  const rows = Array.from({ length: lines - 1 }, (_, n) => JSON.stringify({
    eventName: 'in_transit', createdDate: '2026-11-21T09:59:00Z', customer: { id: `c${n}`, idType: 'email' },
    session: { type: 'delivery', externalId: `o${n}` }, attributes: { location: 'Depot 7' },
  }))
  const text = [...rows, 'not json', ''].join('\n')
  const dir = mkdtempSync(join(tmpdir(), 'journey-node-file-'))
  const path = join(dir, gzip ? 'events.ndjson.gz' : 'events.ndjson')
  writeFileSync(path, gzip ? gzipSync(text) : text)
  return { path, dir }
}

test('ingestFile streams a gzip file off the event loop, with progress and keptRejections', async () => {
  const { path, dir } = ndjsonFile(50_000, { gzip: true })
  const e = engine()
  const reports = []
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 1)
  const summary = await e.ingestFile(path, { keptRejections: 0, onProgress: (p) => reports.push(p) })
  clearInterval(timer)
  assert.deepEqual([summary.lines, summary.accepted, summary.rejected], [50_000, 49_999, 1])
  assert.deepEqual(summary.rejections, [])
  assert.equal(summary.rejectionsTruncated, true)
  // The final report is delivered on the event loop before the Promise settles.
  const last = reports.at(-1)
  assert.deepEqual([last.lines, last.accepted, last.rejected], [50_000, 49_999, 1])
  assert.equal(last.bytesRead, last.totalBytes)
  assert.ok(ticks > 0, 'the event loop ran while the file was read')
  rmSync(dir, { recursive: true })
})

test('an AbortSignal stops ingestFile with an AbortError, keeping the lines before', async () => {
  const { path, dir } = ndjsonFile(200_000)
  const e = engine()
  const controller = new AbortController()
  const stopped = e.ingestFile(path, { signal: controller.signal, onProgress: () => controller.abort() })
  await assert.rejects(stopped, (error) => error.name === 'AbortError' && error.code === 'ABORT_ERR')
  const kept = e.stats().eventsAccepted
  assert.ok(kept < 199_999, `${kept} events before the abort`)
  await assert.rejects(e.ingestFile(path, { signal: AbortSignal.abort() }), { name: 'AbortError' })
  rmSync(dir, { recursive: true })
})

test('ingestFile errors: a missing file is IO_ERROR naming it; bad options are typed', async () => {
  const e = engine()
  await assert.rejects(e.ingestFile('/nonexistent/events.ndjson'), (error) =>
    error.code === 'IO_ERROR' && error.message.includes('/nonexistent/events.ndjson'))
  assert.throws(() => e.ingestFile('/tmp/x', { keptRejections: -1 }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => e.ingestFile(42), TypeError)
})

test('ingest with strict: true throws the rejection instead of returning it', () => {
  const e = engine()
  const bad = { eventName: 'in_transit', customer: { id: 'c', idType: 'email' } }
  assert.equal(e.ingest(bad).status, 'rejected')
  assert.throws(() => e.ingest(bad, { strict: true }), (error) =>
    error.code === 'MISSING_DATE' && error.violations.length === 2)
  const good = { ...bad, createdDate: '2026-11-21T09:59:00Z', session: { type: 'delivery', externalId: 'o1' }, attributes: { location: 'x' } }
  assert.equal(e.ingest(good, { strict: true }).status, 'accepted')
})

const delivery = (customer, order) => ({
  eventName: 'in_transit', createdDate: '2026-11-21T09:50:00Z', customer: { id: customer, idType: 'email' },
  session: { type: 'delivery', externalId: order }, attributes: { location: 'Depot 7' },
})

test('ingestBatch can return only the rejections, with their lines, or only the totals', () => {
  const lines = [JSON.stringify(delivery('c1', 'o1')), '', 'not json', JSON.stringify(delivery('c2', 'o2'))]
  const summary = engine().ingestBatch(lines.join('\n'), { outcomes: 'rejected' })
  assert.deepEqual([summary.lines, summary.accepted, summary.rejected], [3, 2, 1])
  assert.deepEqual(summary.rejections.map((r) => r.line), [3])
  const totals = engine().ingestBatch([delivery('c1', 'o1'), delivery('c1', 'o1')], { outcomes: 'none' })
  assert.deepEqual([totals.accepted, totals.duplicates, totals.rejections], [1, 1, []])
  assert.throws(() => engine().ingestBatch('', { outcomes: 'some' }), { code: 'INVALID_ARGUMENT' })
})

test('paths count sessions step by step, under the journey view permissions', () => {
  const engine = new Engine(catalog, { clock: 'manual', start: '2026-11-21T10:00:00Z' })
  const orders = [['ann', 'order-1', 3], ['bob', 'order-2', 1]]
  for (const [id, order, count] of orders) {
    for (let n = 0; n < count; n++) {
      engine.ingest({
        eventName: 'in_transit', createdDate: `2026-11-21T09:${String(10 * n).padStart(2, '0')}:00Z`,
        customer: { id, idType: 'email' }, session: { type: 'delivery', externalId: order }, attributes: { location: `Stop ${n}` },
      }, { strict: true })
    }
  }
  const viewer = { permissions: ['journey:session:view', 'journey:sessionType:view', 'journey:event:view'], divisions: ['*'] }
  const [group] = engine.paths({ depth: 3 }, viewer).groups
  assert.equal(group.sessions, 2)
  assert.equal(group.steps[0].step, 'in_transit')
  assert.equal(group.steps[0].dropOff, 1)
  assert.equal(group.steps[0].steps[0].steps[0].sessions, 1)
  assert.equal(group.steps[0].steps[0].medianMs, 600_000)
  assert.throws(() => engine.paths({}, { permissions: ['journey:session:view'], divisions: ['*'] }), (e) => e.code === 'PERMISSION_DENIED')
  assert.throws(() => engine.paths({ depth: 0 }, viewer), (e) => e.code === 'INVALID_ARGUMENT')
})

test('definitions: typed put, delete and list with the core\'s errors, kept across a restart', async () => {
  const id = '4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e'
  const atDepot = (depot) => ({
    id, displayName: 'At the depot',
    journey: { patterns: [{ count: 1, streamType: 'Custom', eventName: 'in_transit',
      criteria: [{ key: 'attributes.location.value', values: [depot] }] }] },
  })
  const dir = mkdtempSync(join(tmpdir(), 'journey-node-definitions-'))
  const config = { clock: 'manual', start: '2026-11-21T10:00:00Z' }
  try {
    const e = Engine.open(join(dir, 'store'), catalog, config)
    const stored = e.putSegment(atDepot('Depot 7'))
    assert.deepEqual([stored.id, stored.version, stored.createdDate], [id, 1, '2026-11-21T10:00:00.000Z'])
    e.advance('1m')
    assert.equal(e.putSegment({ ...atDepot('Depot 8'), version: 1 }).modifiedDate, '2026-11-21T10:01:00.000Z')
    assert.throws(() => e.putSegment({ ...atDepot('Depot 9'), version: 1 }),
      (err) => err.code === 'INVALID_ARGUMENT' && err.message.includes('/version: 1, but the stored segment'))
    const map = e.putActionMap({ displayName: 'Chat', triggerWithSegments: [id], action: { mediaType: 'webchat' } })
    assert.throws(() => e.deleteSegment(id), (err) => err.code === 'INVALID_ARGUMENT' && err.message.includes(map.id))
    assert.throws(() => e.putOutcome({ displayName: 'x', journey: { patterns: [{ count: 1, streamType: 'Custom', eventName: 'teleported' }] } }),
      (err) => err.code === 'INVALID_ARGUMENT' && err.message.includes('/journey/patterns/0/eventName'))
    assert.throws(() => e.deleteOutcome(id), (err) => err.code === 'NOT_FOUND')
    assert.throws(() => e.deleteSegment(7), (err) => err instanceof TypeError)
    assert.deepEqual(await e.call('listActionMaps'), { entities: e.listActionMaps() })
    assert.deepEqual(e.listOutcomes(), [])
    e.deleteActionMap(map.id)
    const segments = e.listSegments()
    assert.deepEqual(segments.map((s) => s.version), [2])
    e.close()
    const reopened = Engine.open(join(dir, 'store'), catalog, config)
    assert.deepEqual(reopened.listSegments(), segments)
    assert.deepEqual(reopened.listActionMaps(), [])
    reopened.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a callback map tells trigger subscribers; segments, explain and estimate are typed', () => {
  const segmentId = '4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e'
  const mapId = 'f1000000-0000-4000-8000-000000000005'
  const e = new Engine(catalog, { clock: 'manual', start: '2026-11-21T10:00:00Z' })
  e.putSegment({ id: segmentId, displayName: 'At the depot',
    journey: { patterns: [{ count: 1, streamType: 'Custom', eventName: 'in_transit',
      criteria: [{ key: 'attributes.location.value', values: ['Depot 7'] }] }] } })
  const tell = { id: mapId, displayName: 'Tell the host', triggerWithSegments: [segmentId], action: { mediaType: 'callback' } }
  e.putActionMap(tell)
  const fired = []
  e.on('trigger:all', (trigger) => fired.push(trigger))
  e.on(`trigger:${mapId}`, () => { throw new Error('subscriber bug') })
  const outcome = e.ingest({ eventName: 'in_transit', createdDate: '2026-11-21T09:00:00Z',
    customer: { id: 'dana@example.com', idType: 'email' }, session: { type: 'delivery', externalId: 'order-1' },
    attributes: { location: 'Depot 7' } })
  assert.equal(outcome.status, 'accepted')
  assert.deepEqual(fired, [{ actionMapId: mapId, version: 1, sessionId: outcome.sessionId,
    customer: { id: 'dana@example.com', idType: 'email' }, eventId: outcome.eventId, firedDate: '2026-11-21T10:00:00.000Z' }])
  const stats = e.stats()
  assert.deepEqual([stats.segmentsAssigned, stats.actionMapsFired, stats.callbackFailures], [1, 1, 1])
  const held = e.segments({ id: 'dana@example.com', idType: 'email' })
  assert.deepEqual(held.map((s) => [s.segmentId, s.scope, s.sessionId]), [[segmentId, 'Session', outcome.sessionId]])
  const explanation = e.explainActionMap({ actionMapId: mapId, sessionId: outcome.sessionId })
  assert.equal(explanation.stoppedBy, null)
  assert.equal(explanation.qualification.verdict, 'fired')
  assert.equal(e.estimateActionMap({ actionMap: { ...tell, id: undefined } }).qualifiedSessionCount, 1)
  assert.throws(() => e.estimateActionMap({ actionMap: tell, from: 'yesterday' }),
    (err) => err.code === 'INVALID_ARGUMENT' && err.message.includes('/from'))
})

test('link, profile, unlinkEvent and unlink are typed methods (docs/identity.md)', () => {
  const e = engine()
  const cookie = { id: '0f8fad5b-d9cb-469f-a165-70867728950e', idType: 'cookie' }
  const email = { id: 'dana@example.com', idType: 'email' }
  const phone = { id: '+15550100', idType: 'phone' }
  assert.deepEqual(e.link({ from: cookie, to: email }), { linked: true, profileId: cookie, identityWarnings: [] })
  assert.deepEqual(e.profile(email), { profileId: cookie, members: [cookie, email] })
  const refused = e.link({ from: phone, to: { id: 'anonymous', idType: 'email' } })
  assert.equal(refused.linked, false)
  assert.equal(refused.identityWarnings[0].code, 'IDENTITY_BLOCKED')
  assert.equal(e.unlinkEvent('6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11'), 0)
  e.unlink({ from: email, to: cookie })
  assert.deepEqual(e.profile(email), { profileId: email, members: [email] })
  assert.throws(() => e.unlink({ from: email, to: cookie }), (error) => error.code === 'NOT_FOUND')
  // A link in a division: a viewer of another division does not follow it, the host does.
  e.link({ from: email, to: phone, division: 'west' })
  const east = { permissions: ['journey:session:view'], divisions: ['east'] }
  assert.deepEqual(e.profile(email, east), { profileId: email, members: [email] })
  assert.equal(e.profile(email).members.length, 2)
})

test('erase is a typed method and leaves no byte of the person in the store (docs/identity.md)', () => {
  const store = mkdtempSync(join(tmpdir(), 'journey-erase-'))
  try {
    const e = Engine.open(store, catalog, { clock: 'manual', start: '2026-11-21T10:00:00Z' })
    const email = { id: 'ada.lovelace@example.com', idType: 'email' }
    const phone = { id: '+44 7700 900123', idType: 'phone' }
    const delivery = (id, order, location) => ({ eventName: 'in_transit', createdDate: '2026-11-21T09:00:00Z',
      customer: { id, idType: 'email' }, session: { type: 'delivery', externalId: order }, attributes: { location } })
    e.ingest(delivery(email.id, 'o-ada', "Ada's secret depot"))
    e.ingest(delivery('bob@example.com', 'o-bob', 'Depot 7'))
    e.link({ from: email, to: phone })
    assert.equal(e.sendCustomEvent('agent-1', 'note', 'about ada', true, phone).delivery, 'persisted')
    assert.throws(() => e.sendCustomEvent('agent-1', 'note', '', false, { id: 'x' }),
      (error) => error.code === 'INVALID_ARGUMENT')
    assert.deepEqual(e.erase({ customer: phone }), { customersErased: 2, eventsErased: 1 })
    assert.deepEqual(e.erase({ customer: phone, eraseForget: true }), { customersErased: 0, eventsErased: 0 })
    assert.throws(() => e.erase({ customer: { id: '', idType: 'email' } }), (error) => error.code === 'INVALID_ARGUMENT')
    assert.throws(() => e.erase({}), (error) => error.code === 'INVALID_ARGUMENT')
    const viewer = { permissions: ['journey:session:view', 'journey:sessionType:view'], divisions: ['*'] }
    assert.deepEqual(e.journey(email, viewer).entities, [])
    assert.equal(e.journey({ id: 'bob@example.com', idType: 'email' }, viewer).entities.length, 1)
    assert.equal(e.stats().customersErased, 2)
    for (const name of readdirSync(store)) {
      const bytes = readFileSync(join(store, name))
      for (const personal of [email.id, phone.id, "Ada's secret depot", 'about ada']) {
        assert.equal(bytes.includes(personal), false, `${name} holds ${personal}`)
      }
    }
    e.close()
  } finally {
    rmSync(store, { recursive: true, force: true })
  }
})
