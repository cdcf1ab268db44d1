"""A watch from a compacted resourceVersion through the Python client: the server sends an
ERROR event with a 410 Expired Status, which kubernetes.watch raises as ApiException(410).

Needs a server that compacts quickly (--etcd-compaction-interval of a fraction of a second):
the script writes twice after an old resourceVersion, polls an Exact list at the next one
until that is 410, then watches from the old one (whose first event is gone)."""

from kubernetes import client, watch

import kstream_e2e as e2e


def run():
    args = e2e.parse_args()
    core = client.CoreV1Api()
    ns = args.namespace
    e2e.create_namespace(core, ns)
    core.create_namespaced_config_map(ns, e2e.configmap("first"))
    old_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, e2e.configmap("second"))
    core.create_namespaced_config_map(ns, e2e.configmap("third"))
    # A watch from old_rv needs the events from old_rv + 1 on: wait until that is compacted.
    next_rv = str(int(old_rv) + 1)

    for _ in e2e.deadline_loop(30, "compaction of resourceVersion " + next_rv):
        try:
            core.list_namespaced_config_map(ns, resource_version=next_rv, resource_version_match="Exact")
        except client.rest.ApiException as err:
            e2e.check_eq(err.status, 410, "Exact list at a compacted resourceVersion (body %s)" % err.body)
            e2e.check('"reason":"Expired"' in err.body, "list 410 reason", err.body)
            e2e.check("The resourceVersion for the provided list is too old." in err.body, "list 410 message",
                      err.body)
            break
    e2e.passed("Exact list at a compacted resourceVersion is 410 Expired")

    # With timeout_seconds the client does not retry: the ERROR event becomes ApiException(410).
    try:
        events = list(watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=old_rv,
                                           timeout_seconds=5))
        raise AssertionError("FAILED watch from a compacted resourceVersion: no error, events %r" % events)
    except client.rest.ApiException as err:
        e2e.check_eq(err.status, 410, "watch error status")
        e2e.check(err.reason.startswith("Expired: "), "watch error reason", err.reason)
    e2e.passed("watch from a compacted resourceVersion raises 410 Expired")

    # A fresh watch from the current resourceVersion works.
    rv = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, e2e.configmap("fourth"))
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=20):
        e2e.check_eq((ev["type"], ev["object"].metadata.name), ("ADDED", "fourth"), "event after re-list")
        w.stop()
    e2e.passed("re-list and watch after 410")


if __name__ == "__main__":
    e2e.main(run)
