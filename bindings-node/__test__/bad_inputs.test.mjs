// The bad-input catalogue (tests/bad_inputs.json, shared with Rust, C and Python) through
// `engine.call`, then the wrong JS values a caller can pass. Every case gets a typed error (an
// error with its libjourney `.code`, or a `TypeError` for a value with no JSON form), and the
// engine still works after it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Catalog, Engine } from '../index.js'

const catalogue = JSON.parse(readFileSync(new URL('../../tests/bad_inputs.json', import.meta.url), 'utf8'))

function newEngine() {
  return new Engine(Catalog.fromObject(catalogue.catalog, catalogue.config), catalogue.config)
}

/** A good event is accepted (or a duplicate, once accepted), and the journey reads. */
async function stillWorks(engine) {
  const outcome = await engine.call('ingest', catalogue.good)
  assert.ok(['accepted', 'duplicate'].includes(outcome.status), outcome.status)
  const page = await engine.call('journey', { customer: catalogue.customer, viewer: catalogue.viewer })
  assert.equal(page.entities.length, 1)
}

for (const c of catalogue.cases) {
  test(`bad input: ${c.name}`, async () => {
    const engine = newEngine()
    await stillWorks(engine)
    if (c.error) {
      await assert.rejects(engine.call(c.op, c.input), (error) => error.code === c.error)
    } else {
      const outcome = await engine.call(c.op, c.input)
      assert.equal(outcome.status, 'rejected')
      assert.equal(outcome.violations[0].code, c.rejected)
    }
    await stillWorks(engine)
  })
}

function cyclic() {
  const value = { customer: { id: 'c1', idType: 'email' } }
  value.self = value
  return value
}

function nested(depth) {
  let value = 1
  for (let i = 0; i < depth; i++) value = { a: value }
  return value
}

const native = [
  ['a cyclic object through call', (e) => e.call('journey', cyclic()), TypeError],
  ['a cyclic object as the viewer', (e) => e.journey(catalogue.customer, cyclic()), TypeError],
  ['a cyclic action event', (e) => e.recordActionEvent(cyclic()), TypeError],
  ['a cyclic config', () => new Engine(Catalog.fromObject(catalogue.catalog), cyclic()), TypeError],
  ['an object nested 200 deep', (e) => e.call('journey', nested(200)), 'INVALID_JSON'],
  ['a BigInt in an input', (e) => e.call('ingest', { n: 10n }), TypeError],
  ['a function as an input', (e) => e.call('journey', () => 1), TypeError],
  ['a Symbol as an input', (e) => e.call('journey', Symbol('x')), TypeError],
  ['a number as the op', (e) => e.call(5, {}), TypeError],
  ['a number as an event', (e) => e.ingest(5), TypeError],
]

for (const [name, run, expected] of native) {
  test(`wrong JS value: ${name}`, async () => {
    const engine = newEngine()
    await assert.rejects(
      async () => run(engine),
      (error) => (typeof expected === 'string' ? error.code === expected : error instanceof expected),
    )
    await stillWorks(engine)
  })
}

test('invalid UTF-8 in a Buffer is a rejection', async () => {
  const engine = newEngine()
  const outcome = engine.ingest(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]))
  assert.equal(outcome.status, 'rejected')
  assert.equal(outcome.violations[0].code, 'INVALID_JSON')
  await stillWorks(engine)
})

test('the catalogue is large enough', () => {
  assert.ok(catalogue.cases.length + native.length + 1 >= 40)
})
