// A small backend over one libjourney engine, on Fastify: the endpoints a web client and a CTI
// script need, shaped like the vendors' APIs (CXone's custom-event and get-next-event for agents).
// Run: node examples/node/server.mjs  (PORT, default 8080; TOKENS, a JSON file as for `journey serve`).
//
// It is the example of embedding libjourney in a Node backend; `journey serve` (docs/http.md) is
// the ready-made server. Like it, this one answers every bad input with a JSON error and a SPEC
// code (bad percent-encoding, bad query values, malformed or oversized bodies) and takes the
// viewer from the caller's bearer token, never from a header the client could set.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

// Packages resolve from bindings-node, the repository's one node_modules (Fastify is one of its
// dev dependencies); an application would `npm install libjourney fastify` and import them.
const require = createRequire(new URL('../../bindings-node/package.json', import.meta.url))
const { Catalog, Engine } = require('./index.js')
const Fastify = require('fastify')

// Core error codes as HTTP statuses; any other code of the core (validation, INVALID_ARGUMENT) is 400.
const STATUS = { PERMISSION_DENIED: 403, NOT_FOUND: 404, INVALID_SESSION: 404, QUEUE_FULL: 429, INVALID_TRANSITION: 409, UNKNOWN_ACTION: 409 }

/** A JSON error: `{code, message}` and the violations of a rejected event. */
function problem(reply, status, code, message, violations) {
  return reply.code(status).send({ code, message, ...(violations ? { violations } : {}) })
}

/** The error handler: the core's errors by their code, Fastify's (bad JSON, too large, failed
 * validation of a query) by their status. */
function onError(error, request, reply) {
  if (typeof error.code === 'string' && !error.code.startsWith('FST_') && error.statusCode === undefined) {
    return problem(reply, STATUS[error.code] ?? 400, error.code, error.message, error.violations)
  }
  if (error.statusCode === 413) return problem(reply, 413, 'LIMIT_EXCEEDED', error.message)
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return problem(reply, 400, 'INVALID_JSON', error.message)
  if (error.statusCode >= 400 && error.statusCode < 500) return problem(reply, error.statusCode, 'INVALID_ARGUMENT', error.message)
  request.log.error(error)
  return problem(reply, 500, 'PANIC', 'internal error')
}

const timeoutQuery = { type: 'object', properties: { timeout: { type: 'number', minimum: 0, maximum: 60 }, ack: { type: 'integer', minimum: 0 } } }
const pageQuery = { type: 'object', properties: { pageSize: { type: 'integer' }, after: { type: 'string' } } }

/** A Fastify app over `engine`; `tokens` maps a bearer token to `{viewer}` (the journey reads). */
export function createServer(engine, { tokens = {}, bodyLimit = 10 * 1024 * 1024 } = {}) {
  const app = Fastify({
    bodyLimit,
    // A path that does not decode (`/agents/%E0%A4%A/custom-event`) is a 400, not a crash.
    frameworkErrors: (error, request, reply) => problem(reply, 400, 'INVALID_ARGUMENT', error.message),
  })
  app.setErrorHandler(onError)
  app.setNotFoundHandler((request, reply) => problem(reply, 404, 'NOT_FOUND', `no route for ${request.method} ${request.url}`))

  /** The viewer of the request's bearer token; 401 without a known one. */
  const viewerOf = (request, reply) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    const viewer = token !== undefined && Object.hasOwn(tokens, token) ? tokens[token].viewer : undefined
    if (viewer === undefined) problem(reply.header('www-authenticate', 'Bearer'), 401, 'UNAUTHORIZED', 'a known bearer token is required')
    return viewer
  }

  app.post('/events', async (request) => (Array.isArray(request.body) ? engine.ingestBatch(request.body) : engine.ingest(request.body)))

  app.get('/customers/:idType/:id/journey', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const viewer = viewerOf(request, reply)
    if (viewer === undefined) return reply
    const { idType, id } = request.params
    return engine.journey({ idType, id }, viewer, request.query)
  })

  app.post('/agent-sessions', async (request, reply) => {
    if (typeof request.body?.agentId !== 'string') return problem(reply, 400, 'INVALID_ARGUMENT', 'agentId is required')
    return engine.startAgentSession(request.body.agentId)
  })

  app.delete('/agent-sessions/:sessionId', async (request, reply) => {
    engine.endAgentSession(request.params.sessionId)
    return reply.code(204).send()
  })

  app.put('/agents/:agentId/custom-event', async (request, reply) => {
    const { eventName, data = '', persistInMemory } = request.query
    if (!eventName) return problem(reply, 400, 'INVALID_ARGUMENT', 'eventName is required')
    return engine.sendCustomEvent(request.params.agentId, eventName, data, persistInMemory === 'true')
  })

  app.get('/agent-sessions/:sessionId/get-next-event', { schema: { querystring: timeoutQuery } }, async (request, reply) => {
    // CXone's timeout is in seconds. `ack` is the sequence of the last event the client received
    // (CXone's cursor): an answer lost on the way comes again with the next poll. Without it,
    // asking again acknowledges the last answer.
    const { timeout = 0, ack } = request.query
    // A client that goes away while its poll waits cancels the poll: it has taken nothing.
    const gone = new AbortController()
    reply.raw.on('close', () => { if (!reply.raw.writableFinished) gone.abort() })
    let result
    try {
      result = await engine.nextEvents(request.params.sessionId, { timeoutMs: Math.round(timeout * 1000), ack, signal: gone.signal })
    } catch (error) {
      if (error.name !== 'AbortError') throw error
      return reply.hijack() // nobody is left to answer
    }
    if (result.status === 'timeout') return reply.code(304).send()
    if (result.status === 'sessionEnded') return problem(reply, 409, 'SESSION_ENDED', 'the agent session has ended')
    return result
  })
  return app
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const catalog = Catalog.fromJson(readFileSync(new URL('../data/catalog.json', import.meta.url), 'utf8'))
  const tokens = process.env.TOKENS ? JSON.parse(readFileSync(process.env.TOKENS, 'utf8')).tokens : {}
  const port = Number(process.env.PORT ?? 8080)
  const app = createServer(new Engine(catalog), { tokens })
  app.listen({ port, host: '127.0.0.1' }).then((address) => console.log(`libjourney HTTP example on ${address}`))
}
