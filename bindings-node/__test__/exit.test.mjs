// A script that used the long poll exits: an engine's finalizer (on the JS thread) never waits for
// a thread that needs the JS thread, and polls still waiting at exit end at their deadlines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ADDON = fileURLToPath(new URL('../index.js', import.meta.url))

const SCRIPT = `
const { Catalog, Engine } = require(${JSON.stringify(ADDON)})
const catalog = Catalog.fromObject({ sessionTypes: [{ name: 'delivery', kind: 'custom', eventTypes: [{ name: 'in_transit' }] }] })
let engine = new Engine(catalog)
console.log(engine.ingest({ eventName: 'in_transit', createdDate: new Date().toISOString(),
  customer: { id: 'a@example.com', idType: 'email' }, session: { type: 'delivery', externalId: 'o1' } }).status)
const sessions = Array.from({ length: 200 }, (_, i) => engine.startAgentSession('agent-' + i).sessionId)
;(async () => {
  for (const session of sessions) await engine.nextEvents(session, { timeoutMs: 0 }) // AgentSessionStart
  const answered = engine.nextEvents(sessions[0], { timeoutMs: 1000 })
  engine.sendCustomEvent('agent-0', 'hello', '{}')
  console.log((await answered).status)
  // Polls still waiting, with deadlines that pass while the engine is collected and the
  // process exits, so that the timer thread is waking some of them as the engine goes.
  sessions.slice(1).forEach((session, i) => engine.nextEvents(session, { timeoutMs: 1 + Math.floor(i / 20) }))
  engine = null
  global.gc()
  console.log('done')
})()
`

test('a script with pending and finished polls always exits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journey-exit-'))
  try {
    const script = join(dir, 'exit_with_polls.cjs')
    writeFileSync(script, SCRIPT)
    const failures = []
    for (let run = 0; run < 50; run++) {
      const done = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 5000 })
      if (done.error) failures.push(`run ${run}: ${done.error.code === 'ETIMEDOUT' ? 'still running after 5 s' : done.error}`)
      else if (done.status !== 0 || done.stdout.split(/\s+/).filter(Boolean).join(' ') !== 'accepted events done') {
        failures.push(`run ${run}: exit ${done.status} ${done.signal ?? ''}, stdout ${JSON.stringify(done.stdout)}, stderr ${done.stderr.slice(-300)}`)
      }
    }
    assert.deepEqual(failures, [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
