// Custom resources through the JavaScript client @kubernetes/client-node: a CRD created with
// ApiextensionsV1Api, custom objects created and listed with CustomObjectsApi, and an
// informer (list + watch, the client's ListWatch cache) that sees objects added, updated
// and deleted. Run by tests/e2e/js_client_test.cc:
//   node custom_resources.mjs --kubeconfig <file> --namespace <ns>
// Prints one `PASS <check>` line per check and exits non-zero on the first failure.
import * as k8s from '@kubernetes/client-node';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const kc = new k8s.KubeConfig();
kc.loadFromFile(args.kubeconfig);
const ns = args.namespace;
const group = 'stable.example.com';
const version = 'v1';
const plural = 'gadgets';

const core = kc.makeApiClient(k8s.CoreV1Api);
const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
const co = kc.makeApiClient(k8s.CustomObjectsApi);

function check(cond, what, detail) {
  if (!cond) throw new Error(`FAILED ${what}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
}
function pass(what) {
  console.log(`PASS ${what}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`FAILED ${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

function gadget(name, size) {
  return { apiVersion: `${group}/${version}`, kind: 'Gadget', metadata: { name }, spec: { size } };
}

async function main() {
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await ext.createCustomResourceDefinition({
    body: {
      metadata: { name: `${plural}.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural, singular: 'gadget', kind: 'Gadget' },
        versions: [{
          name: version, served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
        }],
      },
    },
  });
  await until('CRD established', async () => {
    const crd = await ext.readCustomResourceDefinition({ name: `${plural}.${group}` });
    return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  });
  await until('custom resource served', async () => {
    try {
      await co.listNamespacedCustomObject({ group, version, namespace: ns, plural });
      return true;
    } catch (e) {
      if (e.code === 404) return false;
      throw e;
    }
  });
  pass('CRD created and established');

  for (const [name, size] of [['a', 1], ['b', 2]]) {
    await co.createNamespacedCustomObject({ group, version, namespace: ns, plural, body: gadget(name, size) });
  }
  const list = await co.listNamespacedCustomObject({ group, version, namespace: ns, plural });
  check(list.kind === 'GadgetList', 'list kind', list.kind);
  check(JSON.stringify(list.items.map((i) => i.metadata.name).sort()) === '["a","b"]', 'list items', list.items);
  check(typeof list.metadata.resourceVersion === 'string' && list.metadata.resourceVersion !== '', 'list resourceVersion');
  pass('list custom objects');

  // An informer: the initial list, then watch events.
  const seen = { add: [], update: [], delete: [] };
  const informer = k8s.makeInformer(kc, `/apis/${group}/${version}/namespaces/${ns}/${plural}`,
    () => co.listNamespacedCustomObject({ group, version, namespace: ns, plural }));
  informer.on('add', (o) => seen.add.push(o.metadata.name));
  informer.on('update', (o) => seen.update.push(`${o.metadata.name}:${o.spec.size}`));
  informer.on('delete', (o) => seen.delete.push(o.metadata.name));
  informer.on('error', (e) => { seen.error = String(e); });
  await informer.start();
  await until('informer lists the existing objects', async () => seen.add.length === 2);
  check(JSON.stringify(informer.list().map((o) => o.metadata.name).sort()) === '["a","b"]', 'informer cache');
  pass('informer initial list');

  await co.createNamespacedCustomObject({ group, version, namespace: ns, plural, body: gadget('c', 3) });
  await co.patchNamespacedCustomObject({ group, version, namespace: ns, plural, name: 'a', body: { spec: { size: 10 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await co.deleteNamespacedCustomObject({ group, version, namespace: ns, plural, name: 'b' });
  await until('informer sees add, update and delete', async () =>
    seen.add.includes('c') && seen.update.includes('a:10') && seen.delete.includes('b'));
  check(JSON.stringify(informer.list().map((o) => o.metadata.name).sort()) === '["a","c"]', 'informer cache after changes',
    informer.list().map((o) => o.metadata.name));
  check(seen.error === undefined, 'no informer error', seen.error);
  pass('informer watch events');
  await informer.stop();

  await ext.deleteCustomResourceDefinition({ name: `${plural}.${group}` });
  pass('CRD deleted');
}

main().then(() => {
  console.log('OK');
  process.exit(0);
}, (e) => {
  console.error(e?.stack ?? String(e));
  if (e?.body) console.error(typeof e.body === 'string' ? e.body : JSON.stringify(e.body));
  process.exit(1);
});
