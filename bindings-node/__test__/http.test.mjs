// The HTTP example (examples/node/server.mjs), tested with real requests on 127.0.0.1.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { REPO } from './vectors.mjs'
import { createServer } from '../../examples/node/server.mjs'

const require = createRequire(import.meta.url)
const { Catalog, Engine } = require('../index.js')
const catalog = Catalog.fromJson(readFileSync(join(REPO, 'examples', 'data', 'catalog.json'), 'utf8'))
const engine = new Engine(catalog, { clock: 'manual', start: '2026-11-21T10:00:00Z', maxPendingPerAgent: 2 })
const tokens = {
  'agent-token': { viewer: { permissions: ['journey:session:view', 'journey:sessionType:view'], divisions: ['*'] } },
  'events-only': { viewer: { permissions: ['journey:event:view'], divisions: ['*'] } },
}
const server = createServer(engine, { tokens, bodyLimit: 100_000 })
let base
const AGENT_VIEW = { authorization: 'Bearer agent-token' }

before(async () => {
  base = await server.listen({ port: 0, host: '127.0.0.1' })
})
after(() => server.close())

const event = (externalId, minute) => ({
  eventName: 'product_purchased', createdDate: `2026-11-21T09:${minute}:00Z`, customer: { id: 'dana@example.com', idType: 'email' },
  session: { type: 'delivery', externalId }, attributes: { orderId: externalId },
})

test('POST /events: one event, an array, and a malformed body', async () => {
  const json = { 'content-type': 'application/json' }
  let res = await fetch(`${base}/events`, { method: 'POST', headers: json, body: JSON.stringify(event('order-1', '10')) })
  assert.equal(res.status, 200)
  assert.equal((await res.json()).status, 'accepted')
  res = await fetch(`${base}/events`, { method: 'POST', headers: json, body: JSON.stringify([event('order-2', '11'), { eventName: 'x' }]) })
  assert.equal(res.status, 200)
  const batch = await res.json()
  assert.deepEqual([batch.accepted, batch.rejected], [1, 1])
  res = await fetch(`${base}/events`, { method: 'POST', headers: json, body: '{"eventName":' })
  assert.equal(res.status, 400)
  assert.equal((await res.json()).code, 'INVALID_JSON')
})

test('GET /customers/:idType/:id/journey with the viewer of the bearer token', async () => {
  let res = await fetch(`${base}/customers/email/dana%40example.com/journey?pageSize=1`, { headers: AGENT_VIEW })
  assert.equal(res.status, 200)
  const page = await res.json()
  assert.equal(page.entities.length, 1)
  assert.equal(typeof page.nextCursor, 'string')
  res = await fetch(`${base}/customers/email/dana%40example.com/journey`, { headers: { authorization: 'Bearer events-only' } })
  assert.equal(res.status, 403)
  assert.equal((await res.json()).code, 'PERMISSION_DENIED')
  res = await fetch(`${base}/customers/email/dana%40example.com/journey?pageSize=500`, { headers: AGENT_VIEW })
  assert.equal(res.status, 400)
  // No token, an unknown one, or permissions in a header: 401, whatever the headers claim.
  for (const headers of [{}, { authorization: 'Bearer guess' }, { 'x-journey-permissions': 'journey:session:view', 'x-journey-divisions': '*' }]) {
    res = await fetch(`${base}/customers/email/dana%40example.com/journey`, { headers })
    assert.equal(res.status, 401)
    assert.equal((await res.json()).code, 'UNAUTHORIZED')
  }
})

test('bad input is a JSON error and the server lives on', async () => {
  // The old example crashed here: decodeURIComponent threw outside its try.
  let res = await fetch(`${base}/agents/%E0%A4%A/custom-event?eventName=x`, { method: 'PUT' })
  assert.equal(res.status, 400)
  assert.equal((await res.json()).code, 'INVALID_ARGUMENT')
  res = await fetch(`${base}/customers/email/x/journey?pageSize=abc`, { headers: AGENT_VIEW })
  assert.equal(res.status, 400)
  assert.equal((await res.json()).code, 'INVALID_ARGUMENT')
  res = await fetch(`${base}/agent-sessions/x/get-next-event?timeout=abc`)
  assert.equal(res.status, 400)
  res = await fetch(`${base}/agent-sessions/x/get-next-event?timeout=61`)
  assert.equal(res.status, 400)
  res = await fetch(`${base}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `[${'1,'.repeat(60_000)}1]` })
  assert.equal(res.status, 413)
  assert.equal((await res.json()).code, 'LIMIT_EXCEEDED')
  res = await fetch(`${base}/nowhere`)
  assert.equal((await res.json()).code, 'NOT_FOUND')
})

test('agent sessions, custom events and the get-next-event long poll (200, 304, 409)', async () => {
  let res = await fetch(`${base}/agent-sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agentId: 'agent-7' }) })
  assert.equal(res.status, 200)
  const { sessionId } = await res.json()
  res = await fetch(`${base}/agent-sessions/${sessionId}/get-next-event?timeout=0`)
  assert.equal(res.status, 200)
  assert.equal((await res.json()).events[0].type, 'AgentSessionStart')
  res = await fetch(`${base}/agent-sessions/${sessionId}/get-next-event?timeout=0`)
  assert.equal(res.status, 304)
  // A long poll that a custom event, sent CXone-style with query parameters, wakes.
  const poll = fetch(`${base}/agent-sessions/${sessionId}/get-next-event?timeout=20`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  res = await fetch(`${base}/agents/agent-7/custom-event?eventName=From_Postman&persistInMemory=false&data=Sent_from_Postman`, { method: 'PUT' })
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { delivery: 'queued', overwritten: false })
  res = await poll
  assert.equal(res.status, 200)
  assert.equal((await res.json()).events[0].data, 'Sent_from_Postman')
  // Asking again acknowledges it (SPEC §5.1): until then it still holds its place in the queue.
  res = await fetch(`${base}/agent-sessions/${sessionId}/get-next-event?timeout=0`)
  assert.equal(res.status, 304)
  // QUEUE_FULL at maxPendingPerAgent (2 here) is 429.
  for (const name of ['a', 'b']) await fetch(`${base}/agents/agent-7/custom-event?eventName=${name}`, { method: 'PUT' })
  res = await fetch(`${base}/agents/agent-7/custom-event?eventName=c`, { method: 'PUT' })
  assert.equal(res.status, 429)
  res = await fetch(`${base}/agents/agent-7/custom-event`, { method: 'PUT' })
  assert.equal(res.status, 400)
  res = await fetch(`${base}/agents/nobody/custom-event?eventName=x`, { method: 'PUT' })
  assert.equal((await res.json()).delivery, 'agentNotConnected')
  // Logout wakes a waiting poll with 409, and later polls say so too.
  res = await fetch(`${base}/agent-sessions/${sessionId}/get-next-event?timeout=0`)
  assert.deepEqual((await res.json()).events.map((e) => e.eventName), ['a', 'b'])
  const waiting = fetch(`${base}/agent-sessions/${sessionId}/get-next-event?timeout=20`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  res = await fetch(`${base}/agent-sessions/${sessionId}`, { method: 'DELETE' })
  assert.equal(res.status, 204)
  assert.equal((await waiting).status, 409)
  res = await fetch(`${base}/agent-sessions/${sessionId}/get-next-event?timeout=0`)
  assert.equal(res.status, 409)
  res = await fetch(`${base}/agent-sessions/00000000-0000-4000-8000-000000000000/get-next-event`)
  assert.equal(res.status, 404)
  res = await fetch(`${base}/agent-sessions/not-a-session`, { method: 'DELETE' })
  assert.equal(res.status, 404)
  res = await fetch(`${base}/agent-sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  assert.equal(res.status, 400)
  res = await fetch(`${base}/nowhere`)
  assert.equal(res.status, 404)
})

/** A second server, over an engine whose queues hold 100,000 events. */
async function roomyServer() {
  const roomy = new Engine(catalog, { clock: 'manual', start: '2026-11-21T10:00:00Z', maxPendingPerAgent: 100_000 })
  const server = createServer(roomy)
  const url = await server.listen({ port: 0, host: '127.0.0.1' })
  return { engine: roomy, server, url }
}

test('a client that gives up on a long poll loses nothing (curl -m 1, then a custom event)', async () => {
  const { engine: roomy, server, url } = await roomyServer()
  try {
    const { sessionId } = roomy.startAgentSession('agent-9')
    await (await fetch(`${url}/agent-sessions/${sessionId}/get-next-event?timeout=0`)).json()
    await assert.rejects(fetch(`${url}/agent-sessions/${sessionId}/get-next-event?timeout=10`, { signal: AbortSignal.timeout(100) }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    let res = await fetch(`${url}/agents/agent-9/custom-event?eventName=late&data=1`, { method: 'PUT' })
    assert.equal(res.status, 200)
    res = await fetch(`${url}/agent-sessions/${sessionId}/get-next-event?timeout=1`)
    assert.equal(res.status, 200)
    assert.deepEqual((await res.json()).events.map((e) => e.eventName), ['late'])
  } finally {
    await server.close()
  }
})

test('10,000 events over HTTP while clients disconnect at random moments', async () => {
  const { engine: roomy, server, url } = await roomyServer()
  try {
    const { sessionId } = roomy.startAgentSession('agent-9')
    await (await fetch(`${url}/agent-sessions/${sessionId}/get-next-event?timeout=0`)).json()
    let seed = 11
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const received = []
    const producer = (async () => {
      for (let n = 0; n < 10_000; n++) {
        roomy.sendCustomEvent('agent-9', `event-${n}`, String(n))
        if (n % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
      }
    })()
    let disconnects = 0
    let ack = 1 // AgentSessionStart, received above
    while (received.length < 10_000) {
      const signal = random() < 0.4 ? AbortSignal.timeout(Math.floor(random() * 5)) : undefined
      try {
        // CXone's cursor: `ack` is the last sequence received, so a lost answer comes again.
        const res = await fetch(`${url}/agent-sessions/${sessionId}/get-next-event?timeout=1&ack=${ack}`, { signal })
        if (res.status === 200) {
          for (const e of (await res.json()).events) {
            received.push(e.eventName)
            ack = e.sequence
          }
        } else await res.arrayBuffer()
      } catch {
        disconnects++ // the client went away: its poll was aborted, or its answer comes again
      }
    }
    await producer
    assert.equal((await fetch(`${url}/agent-sessions/${sessionId}/get-next-event?timeout=0&ack=${ack}`)).status, 304)
    assert.ok(disconnects > 0)
    assert.deepEqual([...received].sort(), Array.from({ length: 10_000 }, (_, n) => `event-${n}`).sort(), 'each event exactly once')
    const stats = roomy.stats()
    // queued + persisted = acknowledged + overwritten + dropped + still pending (none)
    assert.equal(stats.customEventsQueued, received.length + stats.customEventsOverwritten + stats.customEventsDropped)
  } finally {
    await server.close()
  }
})
