// `make bench`: how fast a waiting agent poll wakes up in Node, and what a pending poll costs.
//
// One custom event at a time is sent 1 ms after the poll started waiting; the latency is from the
// send to the awaiting code running with the event. Against the hand-off a Node user would
// otherwise write: a Promise resolved by the sender. Then the resident memory of 10,000 pending
// nextEvents polls. Prints tables; asserts nothing about speed.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
const { Catalog, Engine } = createRequire(import.meta.url)('../bindings-node/index.js')

// `--smoke` (make bench-smoke): tiny sizes, so that the code runs without timing anything that matters.
const SMOKE = process.argv.includes('--smoke')
const SAMPLES = SMOKE ? 20 : 2000
const PENDING = SMOKE ? 100 : 10_000
const engine = () => new Engine(Catalog.fromJson('{"sessionTypes": []}'), { clock: 'manual', start: '2026-11-21T10:00:00Z' })
const later = (ms, f) => new Promise((resolve) => setTimeout(() => resolve(f()), ms))
const percentiles = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b)
  return [sorted[Math.floor(sorted.length / 2)], sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]]
}
const rssKib = () => Number(readFileSync('/proc/self/status', 'utf8').match(/^VmRSS:\s+(\d+)/m)[1])

async function pollLatencies() {
  const e = engine()
  const { sessionId } = e.startAgentSession('a1')
  await e.nextEvents(sessionId)
  const samples = []
  for (let i = 0; i < SAMPLES; i++) {
    let sent
    const poll = e.nextEvents(sessionId, { timeoutMs: 10_000 })
    later(1, () => { sent = performance.now(); e.sendCustomEvent('a1', 'wake', '') })
    await poll
    samples.push(performance.now() - sent)
  }
  return samples
}

async function promiseLatencies() {
  const samples = []
  for (let i = 0; i < SAMPLES; i++) {
    let sent
    let resolve
    const handoff = new Promise((r) => { resolve = r })
    later(1, () => { sent = performance.now(); resolve() })
    await handoff
    samples.push(performance.now() - sent)
  }
  return samples
}

async function pendingPollBytes() {
  const e = engine()
  const sessions = Array.from({ length: PENDING }, (_, n) => e.startAgentSession(`agent-${n}`).sessionId)
  for (const s of sessions) await e.nextEvents(s)
  globalThis.gc?.()
  const before = rssKib()
  const polls = sessions.map((s) => e.nextEvents(s, { timeoutMs: 60_000 }))
  await later(200, () => {})
  const after = rssKib()
  for (let n = 0; n < PENDING; n++) e.sendCustomEvent(`agent-${n}`, 'go', '')
  await Promise.all(polls)
  return ((after - before) * 1024) / PENDING
}

const rows = [
  ['`nextEvents` Promise (no thread waiting)', await pollLatencies()],
  ['a Promise resolved by the sender (the usual hand-off)', await promiseLatencies()],
]
console.log(`\nNode agent-poll wake-up latency, ${SAMPLES} wake-ups, send -> awaiting code running`)
console.log('| path | p50 µs | p99 µs |')
console.log('|---|---:|---:|')
for (const [name, samples] of rows) {
  const [p50, p99] = percentiles(samples)
  console.log(`| ${name} | ${(p50 * 1000).toFixed(0)} | ${(p99 * 1000).toFixed(0)} |`)
}
console.log(`\nnextEvents p99 / usual hand-off p99: ${(percentiles(rows[0][1])[1] / percentiles(rows[1][1])[1]).toFixed(2)}x`)
console.log(`resident memory per pending nextEvents poll (${PENDING} pending): ${(await pendingPollBytes()).toFixed(0)} bytes`)
