// Times @cloud-copilot/iam-simulate's core engine on the AWS workloads that `peers write DIR`
// wrote, and prints one JSON object: {W1: {per_second, p50_us, p99_us, result}, ..., W5: {...}}.
//
// iam-simulate is AGPL: it is driven here as a black box, installed by compare.sh into the
// temporary folder (never into this repository). Policies are loaded once (loadPolicy) and the
// engine's `authorize` is called per request, as its own unsafe simulation does; that is the
// "core engine" figure, without its input validation.
//
// usage: node iam-simulate.mjs DIR   (DIR/node holds the installed package)
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const dir = process.argv[2]
const pkg = join(dir, 'node', 'node_modules', '@cloud-copilot')
const load = (p) => import(pathToFileURL(join(pkg, p)).href)
const { loadPolicy } = await load('iam-policy/dist/esm/index.js')
const { authorize } = await load('iam-simulate/dist/esm/core_engine/CoreSimulatorEngine.js')
const { AwsRequestImpl } = await load('iam-simulate/dist/esm/request/request.js')
const { RequestContextImpl } = await load('iam-simulate/dist/esm/requestContext.js')
const { DiscoveryContextKeyConstraints } = await load(
  'iam-simulate/dist/esm/context_keys/discoveryContextKeyConstraints.js'
)

const quick = process.argv.includes('--quick')
const roundMs = quick ? 150 : 600

function time(f) {
  const warm = performance.now()
  while (performance.now() - warm < 50) f()
  const rates = []
  for (let r = 0; r < 3; r++) {
    const start = performance.now()
    let n = 0
    while (performance.now() - start < roundMs) {
      f()
      n++
    }
    rates.push(n / ((performance.now() - start) / 1000))
  }
  rates.sort((a, b) => a - b)
  const samples = []
  const budget = performance.now()
  while (samples.length < (quick ? 4000 : 20000) && performance.now() - budget < roundMs * 4) {
    const t = process.hrtime.bigint()
    f()
    samples.push(Number(process.hrtime.bigint() - t) / 1000)
  }
  samples.sort((a, b) => a - b)
  const at = (q) => samples[Math.round((samples.length - 1) * q)] ?? 0
  return { per_second: rates[1], p50_us: at(0.5), p99_us: at(0.99) }
}

const out = {}
for (const name of ['W1', 'W2', 'W3']) {
  const w = JSON.parse(readFileSync(join(dir, 'aws', name + '.peer.json'), 'utf8'))
  const policy = (d) => loadPolicy(JSON.parse(d.text), { name: d.name })
  const levels = new Map()
  for (const d of w.scp) {
    if (!levels.has(d.level)) levels.set(d.level, [])
    levels.get(d.level).push(policy(d))
  }
  const input = {
    sessionPolicy: undefined,
    identityPolicies: w.identity.map(policy),
    serviceControlPolicies: [...levels.entries()]
      .sort()
      .map(([orgIdentifier, policies]) => ({ orgIdentifier, policies })),
    resourceControlPolicies: [],
    resourcePolicy: w.resource.length ? policy(w.resource[0]) : undefined,
    permissionBoundaries: w.boundary.length ? w.boundary.map(policy) : undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([])
    }
  }
  const request = new AwsRequestImpl(
    w.principal,
    { resource: w.resource_name, accountId: w.resource_account },
    w.action,
    new RequestContextImpl(w.context)
  )
  const run = () => authorize({ ...input, request })
  const result = run().result
  out[name] = { ...time(run), result }
}

// W5: loadPolicy over the 10,000 AWS policies (JSON.parse included).
const w5 = join(dir, 'aws', 'W5', 'identity')
const texts = readdirSync(w5).map((f) => readFileSync(join(w5, f), 'utf8'))
let best = Infinity
for (let r = 0; r < 3; r++) {
  const start = performance.now()
  for (const t of texts) loadPolicy(JSON.parse(t))
  best = Math.min(best, (performance.now() - start) / 1000)
}
out.W5 = { per_second: texts.length / best }
console.log(JSON.stringify(out))
