// Genesys' own JavaScript SDK (npm purecloud-platform-client-v2, pinned in package.json) against
// `journey serve` (make test-genesys-js-sdk).
//
// Its JourneyApi, through its own methods, creates, lists, patches and deletes segments, outcomes
// and action maps, reads a contact's sessions page by page and each session's card and events after
// the demo's events went in through the server's own `POST /events`, sends an app event and a web
// action's events with no token to a deployment named with `--app-deployment`. Every answer the
// SDK returned (the server's JSON as the SDK parsed it: this SDK hands back the body, not a model
// object) is then written into a TypeScript file as `export const aN: Models.Session = <json>;` and
// checked with `tsc --strict --noEmit` against the SDK's own index.d.ts, in two passes:
// - as `Checked<Models.X, true>` (the model, plus any field it does not name, at every depth): a
//   field the model requires that the server leaves out, a `null` where the model says
//   `string | undefined`, a value of the wrong type;
// - as `Checked<Models.X, false>`, the model exactly: a field the model does not name (tsc reports
//   an object literal's unknown field in place of the other errors in that object, hence the first
//   pass).
// `Checked` is the model with the few differences journey serve makes on purpose, each named in
// the prelude of the generated file and in docs/http.md ("What differs from the SDK's models").
// Each error names the route and the model, with the line of the answer tsc points at.
//
// JOURNEY names the binary (default target/debug/journey).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import platformClient from 'purecloud-platform-client-v2'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')
const JOURNEY = process.env.JOURNEY ?? join(root, 'target', 'debug', 'journey')
const TOKEN = 'genesys-js-sdk'
// A deployment whose app and action events the server takes without a token, as Genesys' public routes do.
const DEPLOYMENT = '9b1f6c2e-0000-4000-8000-00000000d002'
// The SDK's token may do everything these tests ask: change definitions, ingest, read journeys.
const GRANT = {
  orchestration: 'write',
  ingest: true,
  viewer: {
    permissions: ['journey:session:view', 'journey:sessionType:view', 'journey:event:view', 'journey:eventType:view'],
    divisions: ['*'],
  },
}
const DANA = 'email:dana@example.com'

/**
 * Every answer the SDK returned, with the SDK model its method is declared to return (index.d.ts),
 * for the type check at the end.
 * @type {{ route: string, model: string, json: unknown }[]}
 */
const answers = []

/** Keeps `body` for the type check as the model `model`, and returns it. */
function keep (route, model, body) {
  answers.push({ route, model, json: body })
  return body
}

/**
 * A fresh `journey serve` on the demo's catalog (with its open `app` type), a manual clock at the demo's end,
 * the test's token and the public deployment; `api` is a JourneyApi on the SDK's own client, with
 * the token, `anonymous` one on a second client of the SDK's without any.
 */
async function journeyServe (t) {
  const dir = mkdtempSync(join(tmpdir(), 'journey-genesys-js-sdk-'))
  const catalog = JSON.parse(readFileSync(join(root, 'examples', 'data', 'catalog.json'), 'utf8'))
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog))
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ clock: 'manual', start: '2026-11-21T10:30:00Z', allowedLateness: null }))
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ tokens: { [TOKEN]: GRANT } }))
  const server = spawn(JOURNEY, ['serve', '--catalog', 'catalog.json', '--config', 'config.json', '--tokens', 'tokens.json',
    '--listen', '127.0.0.1:0', '--app-deployment', DEPLOYMENT], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })))
  const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]()
  const { value: line } = await lines.next()
  assert.match(line ?? '', /^listening on http:\/\//)
  const base = new URL(line.replace('listening on ', '').trim())
  t.after(async () => {
    server.kill('SIGINT')
    assert.deepEqual(await exited, { code: 0, signal: null })
    rmSync(dir, { recursive: true, force: true })
  })

  // The SDK's own client, pointed at the server as at an API gateway (setEnvironment always makes
  // https://api.<environment>), with the token it would hold after its OAuth login.
  const client = platformClient.ApiClient.instance
  client.setGateway({ protocol: 'http', host: base.hostname, port: Number(base.port) })
  client.setAccessToken(TOKEN)
  // Answers as {status, headers, body}, so the test sees the statuses too.
  client.setReturnExtendedResponses(true)
  const anonymousClient = new platformClient.ApiClientClass()
  anonymousClient.setGateway({ protocol: 'http', host: base.hostname, port: Number(base.port) })
  anonymousClient.setReturnExtendedResponses(true)
  return {
    base: base.origin,
    api: new platformClient.JourneyApi(client),
    anonymous: new platformClient.JourneyApi(anonymousClient),
  }
}

/** The SDK call's answer (status 2xx) or a failure naming the status and body it was refused with. */
async function ok (what, call) {
  let answer
  try {
    answer = await call()
  } catch (refused) {
    if (refused instanceof Error) throw refused
    assert.fail(`${what}: the SDK threw ${refused?.status} ${JSON.stringify(refused?.body)}`)
  }
  assert.ok(answer.status >= 200 && answer.status < 300, `${what}: ${answer.status}`)
  return answer
}

/** The status the SDK's call was refused with (the call must fail). */
async function refusedWith (call) {
  try {
    const answer = await call()
    assert.fail(`expected a refusal, got ${answer.status} ${JSON.stringify(answer.body)}`)
  } catch (refused) {
    if (refused instanceof Error) throw refused
    return { status: refused.status, body: refused.body }
  }
}

/** Ingests through the server's own `POST /events` (the SDK has no such route). */
async function ingest (base, events, contentType = 'application/json') {
  const answer = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': contentType },
    body: typeof events === 'string' ? events : JSON.stringify(events),
  })
  const body = await answer.json()
  assert.equal(answer.status, 200, JSON.stringify(body))
  return body
}

/** A request with the test's token for what the SDK has no method for. */
async function serverJson (base, method, path, body) {
  const answer = await fetch(`${base}${path}`, {
    method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
  })
  const json = await answer.json()
  assert.ok(answer.ok, `${method} ${path}: ${answer.status} ${JSON.stringify(json)}`)
  return json
}

function isDate (text) {
  return typeof text === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text))
}

/** @returns {import('purecloud-platform-client-v2').Models.JourneySegmentRequest} */
function delayedSegment (displayName) {
  return {
    displayName,
    description: 'The dispatch was delayed',
    color: '#e5a000',
    isActive: true,
    shouldDisplayToAgent: true,
    journey: {
      patterns: [{
        criteria: [{ key: 'attributes.reason', values: ['weather'], operator: 'equal', shouldIgnoreCase: true }],
        count: 1, streamType: 'Custom', sessionType: 'delivery', eventName: 'dispatch_delayed',
      }],
    },
  }
}

test('segments are created, listed, paged, patched and deleted', async (t) => {
  const { api } = await journeyServe(t)
  const sent = delayedSegment('Dispatch delayed')
  const created = keep('POST /api/v2/journey/segments', 'JourneySegment',
    (await ok('postJourneySegments', () => api.postJourneySegments({ body: sent }))).body)
  assert.equal(created.version, 1)
  assert.equal(created.selfUri, `/api/v2/journey/segments/${created.id}`)
  for (const field of ['displayName', 'description', 'color', 'isActive', 'shouldDisplayToAgent']) {
    assert.equal(created[field], sent[field], field)
  }
  assert.deepEqual(created.journey, sent.journey)
  assert.equal(Date.parse(created.createdDate), Date.parse('2026-11-21T10:30:00Z'))
  assert.ok(isDate(created.modifiedDate), `modifiedDate ${created.modifiedDate}`)
  const read = keep('GET /api/v2/journey/segments/{id}', 'JourneySegment',
    (await ok('getJourneySegment', () => api.getJourneySegment(created.id))).body)
  assert.deepEqual(read, created)

  const listing = keep('GET /api/v2/journey/segments', 'SegmentListing',
    (await ok('getJourneySegments', () => api.getJourneySegments({ pageSize: 10, pageNumber: 1 }))).body)
  assert.deepEqual(listing.entities, [created])
  assert.deepEqual([listing.total, listing.pageCount, listing.pageSize, listing.pageNumber], [1, 1, 10, 1])
  assert.equal(listing.nextUri ?? null, null)
  assert.equal(listing.previousUri ?? null, null)

  const patched = keep('PATCH /api/v2/journey/segments/{id}', 'JourneySegment',
    (await ok('patchJourneySegment', () => api.patchJourneySegment(created.id, { body: { version: 1, displayName: 'Dispatch late' } }))).body)
  assert.deepEqual([patched.version, patched.displayName], [2, 'Dispatch late'])
  assert.deepEqual(patched.journey, created.journey)
  assert.deepEqual((await ok('getJourneySegment', () => api.getJourneySegment(created.id))).body, patched)
  // A stale version is Genesys' optimistic-concurrency conflict.
  const stale = await refusedWith(() => api.patchJourneySegment(created.id, { body: { version: 1, isActive: false } }))
  assert.equal(stale.status, 409, JSON.stringify(stale.body))

  const deleted = await ok('deleteJourneySegment', () => api.deleteJourneySegment(created.id))
  assert.equal(deleted.status, 204)
  assert.equal((await refusedWith(() => api.getJourneySegment(created.id))).status, 404)
  const empty = keep('GET /api/v2/journey/segments (empty)', 'SegmentListing',
    (await ok('getJourneySegments', () => api.getJourneySegments())).body)
  assert.deepEqual(empty.entities, [])

  // Page by page number: the SDK's listing links.
  const ids = []
  for (let i = 0; i < 5; i++) {
    ids.push((await ok('postJourneySegments', () => api.postJourneySegments({ body: delayedSegment(`Segment ${i}`) }))).body.id)
  }
  ids.sort()
  const pages = []
  for (const pageNumber of [1, 2, 3]) {
    pages.push(keep(`GET /api/v2/journey/segments?pageSize=2&pageNumber=${pageNumber}`, 'SegmentListing',
      (await ok('getJourneySegments', () => api.getJourneySegments({ pageSize: 2, pageNumber }))).body))
  }
  assert.deepEqual(pages.flatMap((p) => p.entities.map((s) => s.id)), ids)
  assert.deepEqual(pages.map((p) => [p.total, p.pageCount]), [[5, 3], [5, 3], [5, 3]])
  assert.equal(pages[1].nextUri, '/api/v2/journey/segments?pageSize=2&pageNumber=3')
  assert.equal(pages[1].previousUri, '/api/v2/journey/segments?pageSize=2&pageNumber=1')
  assert.equal(pages[2].nextUri ?? null, null)
})

test('action maps are created, listed, patched and deleted', async (t) => {
  const { api } = await journeyServe(t)
  const segment = (await ok('postJourneySegments', () => api.postJourneySegments({ body: delayedSegment('Dispatch delayed') }))).body
  /** @type {import('purecloud-platform-client-v2').Models.ActionMap} */
  const sent = {
    displayName: 'Offer messaging when the dispatch is late',
    isActive: true,
    triggerWithSegments: [segment.id],
    activation: { type: 'immediate' },
    weight: 2,
    ignoreFrequencyCap: false,
    action: { mediaType: 'webMessagingOffer', webMessagingOfferFields: { offerText: 'Where is my parcel?' } },
    startDate: '2026-11-01T00:00:00Z',
  }
  const created = keep('POST /api/v2/journey/actionmaps', 'ActionMap',
    (await ok('postJourneyActionmaps', () => api.postJourneyActionmaps({ body: sent }))).body)
  assert.equal(created.version, 1)
  assert.equal(created.selfUri, `/api/v2/journey/actionmaps/${created.id}`)
  for (const field of ['displayName', 'isActive', 'weight', 'ignoreFrequencyCap']) assert.equal(created[field], sent[field], field)
  assert.deepEqual(created.triggerWithSegments, sent.triggerWithSegments)
  assert.equal(Date.parse(created.startDate), Date.parse(sent.startDate))
  assert.ok(isDate(created.createdDate) && isDate(created.modifiedDate))
  assert.deepEqual(created.activation, sent.activation)
  assert.deepEqual(created.action, sent.action)
  const read = keep('GET /api/v2/journey/actionmaps/{id}', 'ActionMap',
    (await ok('getJourneyActionmap', () => api.getJourneyActionmap(created.id))).body)
  assert.deepEqual(read, created)
  const listing = keep('GET /api/v2/journey/actionmaps', 'ActionMapListing',
    (await ok('getJourneyActionmaps', () => api.getJourneyActionmaps({ pageSize: 25 }))).body)
  assert.deepEqual(listing.entities, [created])

  const patched = keep('PATCH /api/v2/journey/actionmaps/{id}', 'ActionMap',
    (await ok('patchJourneyActionmap', () => api.patchJourneyActionmap(created.id, { body: { version: 1, weight: 3 } }))).body)
  assert.deepEqual([patched.version, patched.weight], [2, 3])
  assert.deepEqual(patched.action, created.action)

  // The segment stays while the map triggers with it.
  assert.equal((await refusedWith(() => api.deleteJourneySegment(segment.id))).status, 400)
  assert.equal((await ok('deleteJourneyActionmap', () => api.deleteJourneyActionmap(created.id))).status, 204)
  assert.equal((await ok('deleteJourneySegment', () => api.deleteJourneySegment(segment.id))).status, 204)
  assert.equal((await refusedWith(() => api.getJourneyActionmap(created.id))).status, 404)
})

// Genesys deprecated its outcome methods (Journey Outcomes are being removed); they still work.
test('outcomes are created, listed, patched and deleted', async (t) => {
  const { api } = await journeyServe(t)
  /** @type {import('purecloud-platform-client-v2').Models.OutcomeRequest} */
  const sent = {
    displayName: 'Purchased', isActive: true, isPositive: true,
    journey: { patterns: [{ criteria: [], count: 1, streamType: 'Custom', sessionType: 'delivery', eventName: 'product_purchased' }] },
    associatedValueField: { dataType: 'Number', name: 'attributes.price' },
  }
  const created = keep('POST /api/v2/journey/outcomes', 'Outcome',
    (await ok('postJourneyOutcomes', () => api.postJourneyOutcomes({ body: sent }))).body)
  assert.deepEqual([created.version, created.displayName, created.isPositive, created.isActive], [1, 'Purchased', true, true])
  assert.deepEqual(created.associatedValueField, sent.associatedValueField)
  assert.equal(created.selfUri, `/api/v2/journey/outcomes/${created.id}`)
  assert.ok(isDate(created.createdDate) && isDate(created.modifiedDate))
  const read = keep('GET /api/v2/journey/outcomes/{id}', 'Outcome',
    (await ok('getJourneyOutcome', () => api.getJourneyOutcome(created.id))).body)
  assert.deepEqual(read, created)
  const listing = keep('GET /api/v2/journey/outcomes', 'OutcomeListing',
    (await ok('getJourneyOutcomes', () => api.getJourneyOutcomes())).body)
  assert.deepEqual(listing.entities.map((o) => o.id), [created.id])
  const patched = keep('PATCH /api/v2/journey/outcomes/{id}', 'Outcome',
    (await ok('patchJourneyOutcome', () => api.patchJourneyOutcome(created.id, { body: { version: 1, isPositive: false } }))).body)
  assert.deepEqual([patched.version, patched.isPositive], [2, false])
  assert.equal((await ok('deleteJourneyOutcome', () => api.deleteJourneyOutcome(created.id))).status, 204)
  assert.equal((await refusedWith(() => api.getJourneyOutcome(created.id))).status, 404)
})

test("a contact's sessions, page by page, and each session's card and events", async (t) => {
  const { base, api } = await journeyServe(t)
  // Any delayed dispatch (the demo's is not the weather's).
  const anyDelay = delayedSegment('Dispatch delayed')
  anyDelay.journey.patterns[0].criteria = []
  const segment = (await ok('postJourneySegments', () => api.postJourneySegments({ body: anyDelay }))).body
  const ndjson = readFileSync(join(root, 'examples', 'data', 'bike_delivery.ndjson'), 'utf8')
  const events = ndjson.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line))
  const batch = await ingest(base, ndjson, 'application/x-ndjson')
  assert.deepEqual([batch.accepted, batch.duplicates, batch.rejected], [events.length, 0, 0], JSON.stringify(batch))

  // Page by page with the cursor each answer's nextUri carries.
  const sessions = []
  let after
  for (let page = 1; ; page++) {
    assert.ok(page <= 10, 'the sessions listing never ends')
    const listing = keep(`GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions (page ${page})`, 'SessionListing',
      (await ok('getExternalcontactsContactJourneySessions', () => api.getExternalcontactsContactJourneySessions(DANA, { pageSize: '1', after }))).body)
    sessions.push(...listing.entities)
    assert.ok(listing.selfUri?.startsWith('/api/v2/externalcontacts/contacts/'), `selfUri ${listing.selfUri}`)
    if (listing.nextUri == null) break
    const next = new URL(listing.nextUri, base)
    assert.equal(next.searchParams.get('pageSize'), '1')
    after = next.searchParams.get('after')
    assert.ok(after, `nextUri ${listing.nextUri} has no after`)
  }
  // The demo's three sessions: the web visit, the order's delivery, the call.
  assert.deepEqual(sessions.map((s) => s.type).sort(), ['conversation', 'delivery', 'web'])
  assert.equal(new Set(sessions.map((s) => s.id)).size, 3)
  const all = keep('GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions', 'SessionListing',
    (await ok('getExternalcontactsContactJourneySessions', () => api.getExternalcontactsContactJourneySessions(DANA))).body)
  assert.deepEqual(all.entities.map((s) => s.id).sort(), sessions.map((s) => s.id).sort())
  const nobody = keep('GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions (unknown contact)', 'SessionListing',
    (await ok('getExternalcontactsContactJourneySessions', () => api.getExternalcontactsContactJourneySessions('email:nobody@example.com'))).body)
  assert.deepEqual(nobody.entities, [])

  for (const listed of sessions) {
    assert.equal(listed.customerId, 'dana@example.com')
    assert.equal(listed.customerIdType, 'email')
    assert.equal(listed.selfUri, `/api/v2/journey/sessions/${listed.id}`)
    assert.ok(isDate(listed.createdDate), `createdDate ${listed.createdDate}`)
    assert.ok(isDate(listed.lastEvent.createdDate), `lastEvent.createdDate ${listed.lastEvent.createdDate}`)
    const own = events.filter((e) => e.session.type === listed.type)
    assert.equal(listed.eventCount, own.length, listed.type)
    const latest = own.map((e) => Date.parse(e.createdDate)).reduce((a, b) => Math.max(a, b))
    assert.equal(Date.parse(listed.lastEvent.createdDate), latest, listed.type)

    const card = keep(`GET /api/v2/journey/sessions/{sessionId} (${listed.type})`, 'Session',
      (await ok('getJourneySession', () => api.getJourneySession(listed.id))).body)
    assert.deepEqual(card, listed)

    // The session's events, page by page.
    const read = []
    let cursor
    for (let page = 1; ; page++) {
      assert.ok(page <= 20, 'the events listing never ends')
      const listing = keep(`GET /api/v2/journey/sessions/{sessionId}/events (${listed.type}, page ${page})`, 'EventListing',
        (await ok('getJourneySessionEvents', () => api.getJourneySessionEvents(listed.id, { pageSize: '3', after: cursor }))).body)
      read.push(...listing.entities)
      if (listing.nextUri == null) break
      cursor = new URL(listing.nextUri, base).searchParams.get('after')
      assert.ok(cursor, `nextUri ${listing.nextUri} has no after`)
    }
    assert.equal(read.length, own.length, listed.type)
    assert.deepEqual(read.map((e) => (e.webEvent ?? e.appEvent).eventName).sort(), own.map((e) => e.eventName).sort())
    for (const event of read) {
      assert.equal(event.customerId, 'dana@example.com')
      assert.deepEqual([event.session.id, event.session.type], [listed.id, listed.type])
      // Genesys' own event type names; a custom or conversation session's events are app events.
      assert.equal(event.eventType, listed.type === 'web' ? 'com.genesys.journey.WebEvent' : 'com.genesys.journey.AppEvent')
      assert.ok(isDate(event.createdDate), `createdDate ${event.createdDate}`)
    }
  }

  // The delivery holds the segment (its dispatch was delayed by the weather).
  const delivery = sessions.find((s) => s.type === 'delivery')
  const card = (await ok('getJourneySession', () => api.getJourneySession(delivery.id))).body
  assert.deepEqual(card.segmentAssignments.map((a) => a.segment.id), [segment.id])
  // The call in Genesys' vocabulary.
  const call = sessions.find((s) => s.type === 'conversation')
  assert.deepEqual(call.conversationChannels, [{ type: 'Call' }])
  assert.equal(call.originatingDirection, 'Inbound')

  const assignments = keep('GET /api/v2/externalcontacts/contacts/{contactId}/journey/segments', 'SegmentAssignmentListing',
    (await ok('getExternalcontactsContactJourneySegments', () => api.getExternalcontactsContactJourneySegments(DANA, { includeMerged: true, limit: 10 }))).body)
  assert.deepEqual(assignments.entities.map((a) => [a.segment.id, a.session?.id]), [[segment.id, delivery.id]])
})

test('app events go in without a token and read back', async (t) => {
  const { api, anonymous } = await journeyServe(t)
  const cookie = '6a1c3a8e-0000-4000-8000-000000000042'
  // A mobile app's event as Genesys' model has it; every attribute value is a string, read as its dataType.
  /** @type {import('purecloud-platform-client-v2').Models.AppEventRequest} */
  const request = {
    eventName: 'screen_viewed',
    screenName: 'Cart',
    app: { name: 'Bikes', namespace: 'com.example.bikes', version: '4.2.0', buildNumber: '420' },
    device: { category: 'mobile', type: 'phone', osFamily: 'Android', osVersion: '15', isMobile: true },
    customerCookieId: cookie,
    createdDate: '2026-11-21T10:20:00Z',
    attributes: { cartItems: { dataType: 'integer', value: '3' } },
  }
  const answer = await ok('postJourneyDeploymentAppevents', () => anonymous.postJourneyDeploymentAppevents(DEPLOYMENT, { body: request }))
  const event = keep('POST /api/v2/journey/deployments/{deploymentId}/appevents', 'AppEventResponse', answer.body)
  assert.deepEqual([event.customerId, event.customerIdType, event.eventName, event.screenName], [cookie, 'cookie', 'screen_viewed', 'Cart'])
  assert.equal(Date.parse(event.createdDate), Date.parse(request.createdDate))
  assert.ok(event.session?.id, 'no session id')
  assert.deepEqual(event.attributes?.cartItems, { dataType: 'integer', value: '3' })

  const events = keep('GET /api/v2/journey/sessions/{sessionId}/events (app)', 'EventListing',
    (await ok('getJourneySessionEvents', () => api.getJourneySessionEvents(event.session.id))).body)
  assert.equal(events.entities.length, 1)
  const [stored] = events.entities
  assert.deepEqual([stored.id, stored.customerId, stored.session.id], [event.id, cookie, event.session.id])
  const session = keep('GET /api/v2/journey/sessions/{sessionId} (app)', 'Session',
    (await ok('getJourneySession', () => api.getJourneySession(event.session.id))).body)
  assert.deepEqual([session.type, session.eventCount, session.customerIdType], ['app', 1, 'cookie'])

  // Another deployment id is not public.
  assert.equal((await refusedWith(() => anonymous.postJourneyDeploymentAppevents('not-named', { body: request }))).status, 401)
  // A value that does not read as its dataType is refused, naming it.
  const bad = { ...request, createdDate: '2026-11-21T10:21:00Z', attributes: { cartItems: { dataType: 'integer', value: 'three' } } }
  const refused = await refusedWith(() => anonymous.postJourneyDeploymentAppevents(DEPLOYMENT, { body: bad }))
  assert.equal(refused.status, 400)
  assert.match(JSON.stringify(refused.body), /\/attributes\/cartItems\/value/)
})

test("a front end reports a web action with the SDK's action event", async (t) => {
  const { base, api, anonymous } = await journeyServe(t)
  const offer = (await ok('postJourneyActionmaps', () => api.postJourneyActionmaps({
    body: {
      displayName: 'Offer the bike guide',
      isActive: true,
      triggerWithEventConditions: [{ key: 'attributes.page', values: ['/bikes'], streamType: 'Web', sessionType: 'web', eventName: 'page_viewed', operator: 'equal' }],
      action: { mediaType: 'contentOffer', actionTemplate: { id: 'bike-guide' } },
    },
  }))).body
  keep('POST /api/v2/journey/actionmaps (content offer)', 'ActionMap', offer)
  const visitor = '6a1c3a8e-0000-4000-8000-000000000077'
  const session = (await ingest(base, {
    eventName: 'page_viewed', createdDate: '2026-11-21T10:20:00Z',
    customer: { id: visitor, idType: 'cookie' }, session: { type: 'web' }, attributes: { page: '/bikes' },
  })).sessionId
  const explained = await serverJson(base, 'GET', `/api/v2/journey/actionmaps/${offer.id}/explanations/${session}`)
  const action = explained.qualification?.actionId
  assert.ok(action, `the map did not qualify: ${JSON.stringify(explained)}`)

  // The front end's client: no token, to a deployment named with --app-deployment.
  /** @type {(state: string) => import('purecloud-platform-client-v2').Models.ActionEventRequest} */
  const report = (actionState) => ({ actionId: action, actionState, sessionId: session })
  const offered = await ok('postJourneyDeploymentActionevent', () => anonymous.postJourneyDeploymentActionevent(DEPLOYMENT, report('offered')))
  assert.equal(offered.status, 204)
  const accepted = await ok('postJourneyDeploymentActionevent', () => anonymous.postJourneyDeploymentActionevent(DEPLOYMENT, report('accepted')))
  assert.equal(accepted.status, 204)
  // The lifecycle holds: a content offer accepted is done.
  assert.equal((await refusedWith(() => anonymous.postJourneyDeploymentActionevent(DEPLOYMENT, report('qualified')))).status, 409)

  // The session's events show the web action's.
  const events = keep('GET /api/v2/journey/sessions/{sessionId}/events (web action)', 'EventListing',
    (await ok('getJourneySessionEvents', () => api.getJourneySessionEvents(session))).body)
  assert.ok(events.entities.length >= 1)
})

/**
 * The answers as TypeScript, each `export const aN: <model> = <json>;` under a comment naming its
 * route, `model` making the SDK's type name into the type checked; `owner[i]` is the answer at line i + 1.
 */
function answersTs (model) {
  const text = [
    // By its path: the file is written outside the work tree, away from node_modules.
    `import type { Models } from ${JSON.stringify(join(here, 'node_modules', 'purecloud-platform-client-v2'))}`,
    // What journey serve answers on purpose otherwise than the models say (docs/http.md, "What
    // differs from the SDK's models"): the browser, device and app an event came from are empty
    // objects (libjourney does not track them, and makes none up); a session assignment has no
    // date it ends; and libjourney's own fields ride along: a session's status and merged sessions,
    // an outcome achievement's value.
    'type Untracked = Models.JourneyApp | Models.Device | Models.Browser',
    'type Own<T> = T extends Models.Session ? { status?: string; mergedSessionIds?: string[] } : T extends Models.OutcomeAchievement ? { value?: number } : {}',
    'type Fields<T, Open> = T extends Untracked ? { [K in keyof T]?: Checked<T[K], Open> }',
    '  : T extends Models.SegmentAssignment ? { [K in keyof T as Exclude<K, "dateForUnassignment">]: Checked<T[K], Open> } & { dateForUnassignment?: string }',
    '  : { [K in keyof T]: Checked<T[K], Open> }',
    '/** A model as journey serve answers it, at every depth; `Open` also takes fields the model does not name. */',
    'type Checked<T, Open> = T extends readonly (infer U)[] ? Checked<U, Open>[] : T extends object',
    '  ? Fields<T, Open> & Own<T> & (Open extends true ? { [field: string]: unknown } : {}) : T',
    '',
  ]
  const owner = text.map(() => null)
  answers.forEach(({ route, model: name, json }, n) => {
    const lines = [`// ${route}`, `export const a${n}: ${model(`Models.${name}`)} = ${JSON.stringify(json, null, 2)};`, ''].join('\n').split('\n')
    text.push(...lines)
    owner.push(...lines.map(() => n))
  })
  return { text: text.join('\n'), owner }
}

/** tsc --strict --noEmit on the answers typed by `model`: its errors, each naming the answer's route and model. */
function typeCheck (model) {
  assert.ok(answers.length > 0, 'no answers were kept')
  // In a temporary directory (never in the work tree), kept only when tsc finds errors.
  const dir = mkdtempSync(join(tmpdir(), 'journey-genesys-js-sdk-answers-'))
  let failed = false
  try {
    const { text, owner } = answersTs(model)
    const file = join(dir, 'answers.ts')
    writeFileSync(file, text)
    const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc')
    const run = spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--pretty', 'false', '--target', 'es2022',
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', file], { cwd: dir, encoding: 'utf8' })
    const output = `${run.stdout}${run.stderr}`
    assert.ok(run.status === 0 || output.includes('error TS'), `tsc failed to run: ${run.status} ${output}`)
    // One error per line at "answers.ts(L,C): error TSnnnn: ...", its elaboration on the indented lines after it.
    const errors = []
    for (const line of output.split('\n').filter((l) => l.trim() !== '')) {
      const at = line.match(/answers\.ts\((\d+),\d+\): (error TS\d+: .*)$/)
      if (at) {
        const n = owner[Number(at[1]) - 1]
        const source = text.split('\n')[Number(at[1]) - 1].trim()
        errors.push({
          code: at[2].split(':')[0],
          text: `${n == null ? '' : `${answers[n].route} (Models.${answers[n].model}), `}answers.ts line ${at[1]} \`${source}\`: ${at[2]}`,
        })
      } else if (errors.length > 0) {
        errors[errors.length - 1].text += `\n    ${line.trim()}`
      } else {
        errors.push({ code: 'tsc', text: line })
      }
    }
    failed = errors.length > 0
    return { errors, kept: file }
  } finally {
    if (!failed) rmSync(dir, { recursive: true, force: true })
  }
}

// Last: the type checks of every answer the tests above kept (a file's tests run in order).
test("every answer has the fields its SDK model requires, each of the model's type (tsc --strict)", () => {
  // Fields the model does not name are left to the next test, so that they hide nothing here (tsc
  // reports an object literal's unknown field instead of a field it lacks).
  const { errors, kept } = typeCheck((name) => `Checked<${name}, true>`)
  assert.ok(errors.length === 0, `tsc --strict found ${errors.length} type error(s) in the server's answers ` +
    `(checked as Checked<Models.X, true>, in ${kept}):\n${errors.map((e) => e.text).join('\n')}`)
})

test('no answer has a field its SDK model does not name (tsc --strict, the models exactly)', () => {
  const { errors, kept } = typeCheck((name) => `Checked<${name}, false>`)
  const unknown = errors.filter((e) => e.code === 'error TS2353')
  const others = errors.length - unknown.length
  assert.ok(errors.length === 0, `tsc --strict found ${errors.length} type error(s) in the server's answers checked as ` +
    `Models.X exactly (in ${kept}): ${unknown.length} field(s) the models do not name` +
    `${others ? ` and ${others} other error(s), which the test above reports` : ''}:\n${unknown.map((e) => e.text).join('\n')}`)
})
