// The shared-vector harness of SPEC §10 over the `libjourney` package's API.
import { readFileSync, readdirSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Catalog, Engine } = require('../index.js')

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** tests/vectors/*.json, then every file in $JOURNEY_EXTRA_VECTORS. */
export function vectorFiles() {
  const list = (dir) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f))
  const files = list(join(REPO, 'tests', 'vectors'))
  if (process.env.JOURNEY_EXTRA_VECTORS) files.push(...list(process.env.JOURNEY_EXTRA_VECTORS))
  return files
}

export function substitute(value, saved) {
  if (typeof value === 'string' && value.startsWith('$') && value.slice(1) in saved) return saved[value.slice(1)]
  if (Array.isArray(value)) return value.map((v) => substitute(v, saved))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, saved)]))
  }
  return value
}

/** Every key given must be present and equal; arrays match element-wise with the same length. */
export function subsetMatch(expected, actual, path = '') {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      throw new Error(`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`)
    }
    expected.forEach((e, i) => subsetMatch(e, actual[i], `${path}/${i}`))
  } else if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') throw new Error(`${path || '/'}: expected an object, got ${JSON.stringify(actual)}`)
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in actual)) throw new Error(`missing ${path}/${key}`)
      subsetMatch(value, actual[key], `${path}/${key}`)
    }
  } else if (expected !== actual) {
    throw new Error(`${path || '/'}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

function pointer(value, path) {
  return path.split('/').slice(1).reduce((v, part) => v[part.replace(/~1/g, '/').replace(/~0/g, '~')], value)
}

/** One vector's engine; with `store`, a durable engine in that directory that `reopen` reopens. */
class NodeApi {
  constructor(catalog, config, store) {
    this.catalog = Catalog.fromObject(catalog, config ?? undefined)
    this.config = config ?? undefined
    this.store = store
    this.engine = this.open()
  }

  open() {
    return this.store ? Engine.open(this.store, this.catalog, this.config) : new Engine(this.catalog, this.config)
  }

  /** Every op goes through the one dispatcher, `Engine.call`. */
  call(op, input) {
    return this.engine.call(op, input)
  }

  /** Closes a durable engine and opens its store again (an in-memory one has none). */
  reopen() {
    if (this.store) {
      this.engine.close()
      this.engine = this.open()
    }
  }
}

/** Runs one vector file; throws naming the file, the step and the mismatching path. */
export async function runVector(path, store) {
  const vector = JSON.parse(readFileSync(path, 'utf8'))
  const api = new NodeApi(vector.catalog, vector.config, store)
  const saved = {}
  for (const [index, step] of vector.steps.entries()) {
    if (step.op === 'reopen') {
      api.reopen()
      continue
    }
    const input = substitute(step.input ?? null, saved)
    const expect = step.expect === undefined ? undefined : substitute(step.expect, saved)
    const context = `${path.split('/').pop()}: step ${index} (${step.op})`
    let result
    try {
      result = await api.call(step.op, input)
    } catch (error) {
      if (typeof error?.code !== 'string' || error.code === 'ERR_INVALID_ARG_TYPE' || !expect?.error) {
        throw new Error(`${context}: unexpected error ${error?.code}: ${error?.message}`)
      }
      subsetMatch(expect, { error: { code: error.code, message: error.message } })
      continue
    }
    if (expect !== undefined) {
      if (expect.error) throw new Error(`${context}: expected an error, got ${JSON.stringify(result)}`)
      try {
        subsetMatch(expect, result)
      } catch (mismatch) {
        throw new Error(`${context}: ${mismatch.message}\n  actual: ${JSON.stringify(result)}`)
      }
    }
    for (const [name, where] of Object.entries(step.save ?? {})) saved[name] = pointer(result, where)
  }
  return vector.steps.length
}
