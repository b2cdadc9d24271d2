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
const server = createServer(engine)
let base
const AGENT_VIEW = { 'x-journey-permissions': 'journey:session:view,journey:sessionType:view', 'x-journey-divisions': '*' }

before(async () => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
})
after(() => new Promise((resolve) => server.close(resolve)))

const event = (externalId, minute) => ({
  eventName: 'product_purchased', createdDate: `2026-11-21T09:${minute}:00Z`, customer: { id: 'dana@example.com', idType: 'email' },
  session: { type: 'delivery', externalId }, attributes: { orderId: externalId },
})

test('POST /events: one event, an array, and a malformed body', async () => {
  let res = await fetch(`${base}/events`, { method: 'POST', body: JSON.stringify(event('order-1', '10')) })
  assert.equal(res.status, 200)
  assert.equal((await res.json()).status, 'accepted')
  res = await fetch(`${base}/events`, { method: 'POST', body: JSON.stringify([event('order-2', '11'), { eventName: 'x' }]) })
  assert.equal(res.status, 200)
  const batch = await res.json()
  assert.deepEqual([batch.accepted, batch.rejected], [1, 1])
  res = await fetch(`${base}/events`, { method: 'POST', body: '{"eventName":' })
  assert.equal(res.status, 400)
  assert.equal((await res.json()).code, 'INVALID_JSON')
})

test('GET /customers/:idType/:id/journey with the viewer in headers', async () => {
  let res = await fetch(`${base}/customers/email/dana%40example.com/journey?pageSize=1`, { headers: AGENT_VIEW })
  assert.equal(res.status, 200)
  const page = await res.json()
  assert.equal(page.entities.length, 1)
  assert.equal(typeof page.nextCursor, 'string')
  res = await fetch(`${base}/customers/email/dana%40example.com/journey`, { headers: { 'x-journey-permissions': 'journey:event:view' } })
  assert.equal(res.status, 403)
  assert.equal((await res.json()).code, 'PERMISSION_DENIED')
  res = await fetch(`${base}/customers/email/dana%40example.com/journey?pageSize=500`, { headers: AGENT_VIEW })
  assert.equal(res.status, 400)
})

test('agent sessions, custom events and the get-next-event long poll (200, 304, 409)', async () => {
  let res = await fetch(`${base}/agent-sessions`, { method: 'POST', body: JSON.stringify({ agentId: 'agent-7' }) })
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
  res = await fetch(`${base}/agent-sessions`, { method: 'POST', body: '{}' })
  assert.equal(res.status, 400)
  res = await fetch(`${base}/nowhere`)
  assert.equal(res.status, 404)
})
