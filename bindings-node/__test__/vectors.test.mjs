// Every shared vector (SPEC §10) through the Node API.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runVector, subsetMatch, vectorFiles } from './vectors.mjs'

for (const file of vectorFiles()) {
  test(`vector ${file.split('/').pop()}`, async () => {
    assert.ok((await runVector(file)) > 0)
  })
  // The same vectors on Engine.open: each `reopen` step closes the engine and opens its store.
  test(`vector ${file.split('/').pop()} on a durable engine`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journey-node-vector-'))
    try {
      assert.ok((await runVector(file, join(dir, 'store'))) > 0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

test('subset match names the path', () => {
  assert.throws(() => subsetMatch({ a: [{ b: 1 }] }, { a: [{ b: 2 }] }), /\/a\/0\/b/)
  assert.throws(() => subsetMatch({ a: null }, {}))
  subsetMatch({ a: 1 }, { a: 1, b: 2 })
})
