// NICE's CXone agent SDK (npm @nice-devone/*, versions pinned in package.json) in headless Chromium
// against `journey serve` (make test-cxone-sdk): the page, served from its own origin, logs the agent
// in with the SDK, which preflights every call (--cors-origin), reads the agent's settings and polls
// get-next-event; an action map fires a custom event to the agent when a delivery is delayed, and a
// host sends another; the SDK's loop receives both; a second tab's join (naming no agent) finds the
// same session and the loop goes on; and after the logout its open poll gets 409 (AgentSessionEnd).
//
// JOURNEY names the binary (default target/debug/journey); CHROMIUM the browser (default chromium).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import * as esbuild from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')
const JOURNEY = process.env.JOURNEY ?? join(root, 'target', 'debug', 'journey')
const CHROMIUM = process.env.CHROMIUM ?? 'chromium'
const AGENT = 'agent-7'
const RXJS_CDN = 'https://cdnjs.cloudflare.com/ajax/libs/rxjs/6.6.7/rxjs.umd.min.js'

/** The page's bundle: the SDK's get-next-event worker loads rxjs from cdnjs, which the test machine
 * cannot reach; the same file (rxjs 6.6.7's UMD, from npm) is served from the page's own origin. */
async function bundle () {
  const built = await esbuild.build({ entryPoints: [join(here, 'page.js')], bundle: true, format: 'iife', write: false, logLevel: 'silent' })
  const text = built.outputFiles[0].text
  assert.ok(text.includes(RXJS_CDN), 'the SDK still loads rxjs from cdnjs in its worker')
  return text.replaceAll(RXJS_CDN, '${location.origin}/rxjs.umd.min.js')
}

/** Listens on 127.0.0.1 at a port whose number has no "60": NICE's SDK retries a failed poll at
 * url.replace('60', '1'), which would rewrite the port (docs/http.md). */
async function listenWithout60 (server) {
  for (;;) {
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address()
    if (!String(port).includes('60')) return port
    await new Promise((resolve) => server.close(resolve))
  }
}

/** The page's origin: the page, its bundle and rxjs, and the page's reports. */
function pageServer (script) {
  const reports = []
  const waiting = []
  let ending = null
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://page')
    if (url.pathname === '/report') {
      let body = ''
      request.on('data', (chunk) => { body += chunk })
      request.on('end', () => {
        reports.push(JSON.parse(body))
        waiting.splice(0).forEach((wake) => wake())
        response.end()
      })
    } else if (url.pathname === '/next') {
      // Held until the test asks for the logout.
      ending = response
    } else {
      const files = {
        '/index.html': ['text/html', readFileSync(join(here, 'index.html'))],
        '/bundle.js': ['text/javascript', script],
        '/rxjs.umd.min.js': ['text/javascript', readFileSync(join(here, 'node_modules', 'rxjs-umd', 'bundles', 'rxjs.umd.min.js'))],
      }
      const file = files[url.pathname]
      response.writeHead(file ? 200 : 404, { 'Content-Type': file ? file[0] : 'text/plain' })
      response.end(file ? file[1] : 'not found')
    }
  })
  const until = async (found, what, seconds = 30) => {
    const deadline = Date.now() + seconds * 1000
    for (;;) {
      const hit = reports.find(found)
      if (hit) return hit
      if (reports.some((r) => r.step === 'failed')) assert.fail(`the page failed: ${JSON.stringify(reports)}`)
      const left = deadline - Date.now()
      if (left <= 0) assert.fail(`no ${what} within ${seconds} s; the page reported ${JSON.stringify(reports)}`)
      await new Promise((resolve) => { waiting.push(resolve); setTimeout(resolve, Math.min(left, 500)) })
    }
  }
  /** Answers the page's pending `/next` with `command`, once the page asks. */
  const tell = async (command) => {
    while (!ending) await new Promise((resolve) => setTimeout(resolve, 50))
    const response = ending
    ending = null
    response.end(command)
  }
  return { server, reports, until, tell }
}

/** `journey serve` on the demo's catalog, with an agent token and a host token, answering the page's origin. */
async function journeyServe (dir, origin) {
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify({
    tokens: {
      'agent-token': { agentId: AGENT },
      'host-token': { ingest: true, sendCustomEvents: true, orchestration: 'write' },
    },
  }))
  for (;;) {
    const server = spawn(JOURNEY, ['serve', '--catalog', join(root, 'examples', 'data', 'catalog.json'), '--tokens', 'tokens.json',
      '--listen', '127.0.0.1:0', '--cors-origin', origin], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] })
    const [line] = await createInterface({ input: server.stdout })[Symbol.asyncIterator]().next().then(({ value }) => [value])
    const base = line.replace('listening on ', '').trim()
    if (!new URL(base).port.includes('60')) return { server, base }
    server.kill()
  }
}

async function call (base, method, path, body) {
  const answer = await fetch(`${base}${path}`, {
    method, headers: { Authorization: 'Bearer host-token', 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
  })
  assert.ok(answer.ok, `${method} ${path}: ${answer.status} ${await answer.clone().text()}`)
  return answer.json()
}

test('the CXone agent SDK in a browser receives the custom event an action map sends', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'journey-cxone-sdk-'))
  const page = pageServer(await bundle())
  const pagePort = await listenWithout60(page.server)
  const origin = `http://127.0.0.1:${pagePort}`
  const { server, base } = await journeyServe(dir, origin)
  let browser
  try {
    // The map: tell the courier's agent when a delivery is delayed.
    await call(base, 'POST', '/api/v2/journey/actionmaps', {
      displayName: 'Tell the agent about delays',
      triggerWithEventConditions: [{ key: 'eventName', values: ['dispatch_delayed'], streamType: 'Custom', eventName: 'dispatch_delayed' }],
      action: { mediaType: 'customEvent', agentId: AGENT, eventName: 'deliveryDelayed', data: 'order-1 is late' },
    })
    const query = new URLSearchParams({ base, token: 'agent-token', agent: AGENT })
    browser = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${join(dir, 'profile')}`,
      `${origin}/index.html?${query}`], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
    let browserLog = ''
    browser.stderr.on('data', (chunk) => { browserLog = (browserLog + chunk).slice(-4000) })

    const started = await page.until((r) => r.step === 'started', 'login').catch((e) => { throw new Error(`${e.message}\n${browserLog}`) })
    assert.equal(started.status, 202)
    assert.match(started.sessionId, /^[a-p]{32}\.a$/, 'the cursor the SDK holds is letters only')
    await page.until((r) => r.event?.Type === 'AgentSessionStart', 'AgentSessionStart')

    // The event that fires the map, and a custom event a host sends through CXone's own route.
    await call(base, 'POST', '/events', {
      eventName: 'dispatch_delayed', createdDate: new Date().toISOString(),
      customer: { id: 'dana@example.com', idType: 'email' }, session: { type: 'delivery', externalId: 'order-1' },
      attributes: { reason: 'weather' },
    })
    await call(base, 'PUT', `/incontactapi/services/v30.0/agents/${AGENT}/custom-event?eventName=hello&data=from%20the%20host&persistInMemory=false`)
    const fromMap = await page.until((r) => r.event?.eventName === 'deliveryDelayed', "the map's custom event")
    assert.equal(fromMap.event.Type, 'CustomEvent')
    assert.equal(fromMap.event.data, 'order-1 is late')
    const fromHost = await page.until((r) => r.event?.eventName === 'hello', "the host's custom event")
    assert.equal(fromHost.event.data, 'from the host')
    assert.ok(fromHost.event.Sequence > fromMap.event.Sequence, 'in the order they were sent')

    // A second tab joins the session, naming no agent: the token's own; the loop goes on.
    await page.tell('join')
    const joined = await page.until((r) => r.step === 'joined', 'the join')
    assert.equal(joined.status, 202)
    assert.equal(joined.sessionId.split('.')[0], started.sessionId.split('.')[0], 'the same session')
    await call(base, 'PUT', `/incontactapi/services/v30.0/agents/${AGENT}/custom-event?eventName=afterJoin&data=again&persistInMemory=false`)
    await page.until((r) => r.event?.eventName === 'afterJoin', 'the custom event after the join')

    // The logout: the SDK's DELETE, then its open poll gets 409, which it reports as AgentSessionEnd.
    await page.tell('end')
    const ended = await page.until((r) => r.step === 'ended', 'the logout')
    assert.equal(ended.status, 202)
    await page.until((r) => (r.event?.type ?? r.event?.Type) === 'AgentSessionEnd', 'AgentSessionEnd')
    const custom = page.reports.filter((r) => r.event?.Type === 'CustomEvent').map((r) => r.event.eventName)
    assert.deepEqual(custom, ['deliveryDelayed', 'hello', 'afterJoin'], 'each custom event once')
  } finally {
    // Chromium runs as a group of processes (its own group: `detached`); all of them go.
    if (browser && browser.exitCode === null && browser.signalCode === null) {
      const exited = new Promise((resolve) => browser.once('exit', resolve))
      try { process.kill(-browser.pid, 'SIGKILL') } catch {}
      await exited
    }
    server.kill('SIGINT')
    page.server.close()
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
  }
})
