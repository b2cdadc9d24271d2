// Every shared vector (SPEC §10) through the Node API.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runVector, subsetMatch, vectorFiles } from './vectors.mjs'

for (const file of vectorFiles()) {
  test(`vector ${file.split('/').pop()}`, async () => {
    assert.ok((await runVector(file)) > 0)
  })
}

test('subset match names the path', () => {
  assert.throws(() => subsetMatch({ a: [{ b: 1 }] }, { a: [{ b: 2 }] }), /\/a\/0\/b/)
  assert.throws(() => subsetMatch({ a: null }, {}))
  subsetMatch({ a: 1 }, { a: 1, b: 2 })
})
