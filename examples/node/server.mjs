// A minimal backend over one libjourney engine, with node:http and no framework: the endpoints a
// web client and a CTI script need, shaped like the vendors' APIs (CXone's custom-event and
// get-next-event for agents). Run: node examples/node/server.mjs  (PORT, default 8080).
import http from 'node:http'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Catalog, Engine } = require('../../bindings-node/index.js')

const MAX_BODY = 10 * 1024 * 1024
// Core error codes as HTTP statuses.
const STATUS = { PERMISSION_DENIED: 403, NOT_FOUND: 404, INVALID_SESSION: 404, QUEUE_FULL: 429, INVALID_TRANSITION: 409, UNKNOWN_ACTION: 409 }

function send(res, status, body) {
  if (body === undefined) { res.writeHead(status).end(); return }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function fail(res, error) {
  if (typeof error?.code !== 'string') throw error
  send(res, STATUS[error.code] ?? 400, { code: error.code, message: error.message, violations: error.violations ?? [] })
}

async function readBody(req) {
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY) throw Object.assign(new Error(`body larger than ${MAX_BODY} bytes`), { code: 'PAYLOAD_TOO_LARGE', http: 413 })
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** The viewer of a request: comma-separated X-Journey-Permissions and X-Journey-Divisions headers. */
function viewer(req) {
  const list = (name) => (req.headers[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  return { permissions: list('x-journey-permissions'), divisions: list('x-journey-divisions') }
}

/** Request handler over `engine`. */
export function handler(engine) {
  return async (req, res) => {
    const url = new URL(req.url, 'http://localhost')
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    try {
      if (req.method === 'POST' && url.pathname === '/events') {
        let body
        try { body = JSON.parse((await readBody(req)).toString('utf8')) } catch (error) {
          if (error.http) return send(res, error.http, { code: error.code, message: error.message })
          return send(res, 400, { code: 'INVALID_JSON', message: error.message })
        }
        return send(res, 200, Array.isArray(body) ? engine.ingestBatch(body) : engine.ingest(body))
      }
      if (req.method === 'GET' && parts[0] === 'customers' && parts[3] === 'journey' && parts.length === 4) {
        const page = {}
        if (url.searchParams.has('pageSize')) page.pageSize = Number(url.searchParams.get('pageSize'))
        if (url.searchParams.has('after')) page.after = url.searchParams.get('after')
        return send(res, 200, engine.journey({ idType: parts[1], id: parts[2] }, viewer(req), page))
      }
      if (req.method === 'POST' && url.pathname === '/agent-sessions') {
        let body
        try { body = JSON.parse((await readBody(req)).toString('utf8')) } catch (error) {
          return send(res, 400, { code: 'INVALID_JSON', message: error.message })
        }
        if (typeof body?.agentId !== 'string') return send(res, 400, { code: 'INVALID_ARGUMENT', message: 'agentId is required' })
        return send(res, 200, engine.startAgentSession(body.agentId))
      }
      if (req.method === 'DELETE' && parts[0] === 'agent-sessions' && parts.length === 2) {
        engine.endAgentSession(parts[1])
        return send(res, 204)
      }
      if (req.method === 'PUT' && parts[0] === 'agents' && parts[2] === 'custom-event' && parts.length === 3) {
        const q = url.searchParams
        if (!q.get('eventName')) return send(res, 400, { code: 'INVALID_ARGUMENT', message: 'eventName is required' })
        return send(res, 200, engine.sendCustomEvent(parts[1], q.get('eventName'), q.get('data') ?? '', q.get('persistInMemory') === 'true'))
      }
      if (req.method === 'GET' && parts[0] === 'agent-sessions' && parts[2] === 'get-next-event' && parts.length === 3) {
        // CXone's timeout is in seconds; the engine clamps it to 60 s. `ack` is the sequence of the
        // last event the client received (CXone's cursor): an answer lost on the way comes again
        // with the next poll. Without it, asking again acknowledges the last answer.
        const timeoutMs = Math.round(Number(url.searchParams.get('timeout') ?? '0') * 1000) || 0
        const ack = url.searchParams.has('ack') ? Number(url.searchParams.get('ack')) : undefined
        // A client that goes away while its poll waits cancels the poll: it has taken nothing.
        const gone = new AbortController()
        req.on('close', () => { if (!res.writableFinished) gone.abort() })
        let result
        try {
          result = await engine.nextEvents(parts[1], { timeoutMs, ack, signal: gone.signal })
        } catch (error) {
          if (error.name === 'AbortError') return undefined
          throw error
        }
        if (result.status === 'timeout') return send(res, 304)
        if (result.status === 'sessionEnded') return send(res, 409, { code: 'SESSION_ENDED', message: 'the agent session has ended' })
        return send(res, 200, result)
      }
      return send(res, 404, { code: 'NOT_FOUND', message: `no route for ${req.method} ${url.pathname}` })
    } catch (error) {
      fail(res, error)
    }
  }
}

/** An HTTP server over `engine`. */
export function createServer(engine) {
  return http.createServer(handler(engine))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const catalog = Catalog.fromJson(readFileSync(new URL('../data/catalog.json', import.meta.url), 'utf8'))
  const port = Number(process.env.PORT ?? 8080)
  createServer(new Engine(catalog)).listen(port, '127.0.0.1', () => console.log(`libjourney HTTP example on http://127.0.0.1:${port}`))
}
