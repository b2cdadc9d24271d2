// The generated declarations catch mistakes: `make test` type-checks this file (strict), and each
// `@ts-expect-error` fails the check if the line below it is *not* an error.
import { Engine, type Outcome, type SessionCardPage } from '../../bindings-node/index.js'

declare const engine: Engine
const outcome: Outcome = engine.ingest('{}')
// @ts-expect-error: a misspelt field
console.log(outcome.stauts)
// @ts-expect-error: `eventIndex` exists only once `status` says the event was accepted
console.log(outcome.eventIndex)
if (outcome.status === 'accepted') console.log(outcome.eventIndex + 1)
// @ts-expect-error: not a status an outcome can have
if (outcome.status === 'acepted') console.log('never')
const page: SessionCardPage = engine.journey({ id: 'c', idType: 'email' }, {})
// @ts-expect-error: a card's status is one of four strings
const status: 'open' = page.entities[0].status
console.log(status)
// Inputs are checked too.
// @ts-expect-error: a misspelt config key
Engine.open('store', engine as never, { clok: 'manual' })
// @ts-expect-error: a clock mode that does not exist
Engine.open('store', engine as never, { clock: 'manaul' })
// @ts-expect-error: an event without its session
engine.ingest({ eventName: 'x', createdDate: '2026-01-01T00:00:00Z', customer: { id: 'c', idType: 'email' } })
