"""WATCH through the Python client: kubernetes.watch.Watch().stream receiving ADDED, MODIFIED
and DELETED for changes made from another thread; resuming from the last resource_version;
label-selected watches; timeout_seconds ending the stream."""

import threading
import time

from kubernetes import client, watch

import kstream_e2e as e2e

TIMEOUT = 20  # timeout_seconds of the watches that must see events (they stop earlier)


def collect(core, ns, want, **kwargs):
    """Streams events until `want` of them arrived; returns (events, watcher)."""
    w = watch.Watch()
    events = []
    for ev in w.stream(core.list_namespaced_config_map, ns, timeout_seconds=TIMEOUT, **kwargs):
        events.append(ev)
        if len(events) == want:
            w.stop()
    return events, w


def summary(events):
    return [(ev["type"], ev["object"].metadata.name) for ev in events]


def run():
    args = e2e.parse_args()
    core = client.CoreV1Api()
    ns = args.namespace
    e2e.create_namespace(core, ns)
    start_rv = core.list_namespaced_config_map(ns).metadata.resource_version

    # Changes from another thread; the watch starts at start_rv so none can be missed.
    def writer():
        core.create_namespaced_config_map(ns, e2e.configmap("x", {"v": "1"}, {"app": "a"}))
        cm = core.read_namespaced_config_map("x", ns)
        cm.data["v"] = "2"
        core.replace_namespaced_config_map("x", ns, cm)
        core.delete_namespaced_config_map("x", ns)

    t = threading.Thread(target=writer)
    t.start()
    events, w = collect(core, ns, 3, resource_version=start_rv)
    t.join()
    e2e.check_eq(summary(events), [("ADDED", "x"), ("MODIFIED", "x"), ("DELETED", "x")], "event sequence")
    for ev in events:
        e2e.check(isinstance(ev["object"], client.V1ConfigMap), "typed event object", type(ev["object"]))
        e2e.check_eq(ev["object"].kind, "ConfigMap", "event object kind")
        e2e.check_eq(ev["raw_object"]["apiVersion"], "v1", "event object apiVersion")
    e2e.check_eq(events[0]["object"].data, {"v": "1"}, "ADDED state")
    e2e.check_eq(events[1]["object"].data, {"v": "2"}, "MODIFIED state")
    e2e.check_eq(events[2]["object"].data, {"v": "2"}, "DELETED carries the last state")
    rvs = [int(ev["object"].metadata.resource_version) for ev in events]
    e2e.check(rvs == sorted(rvs) and len(set(rvs)) == 3 and rvs[0] > int(start_rv), "increasing resourceVersions",
              rvs)
    e2e.check_eq(w.resource_version, str(rvs[2]), "watcher tracks the last resourceVersion")
    e2e.passed("watch ADDED/MODIFIED/DELETED from another thread")

    # Resume from the MODIFIED event's resourceVersion: only what came after it.
    core.create_namespaced_config_map(ns, e2e.configmap("y", {"v": "1"}, {"app": "b"}))
    resumed, _ = collect(core, ns, 2, resource_version=str(rvs[1]))
    e2e.check_eq(summary(resumed), [("DELETED", "x"), ("ADDED", "y")], "resumed watch")
    e2e.check_eq(int(resumed[0]["object"].metadata.resource_version), rvs[2], "resumed DELETED resourceVersion")
    e2e.passed("watch resumes from a resource_version")

    # Without a resourceVersion: the current state first (ADDED), then changes.
    # (Whether z is created before or after the watch starts, the events are the same.)
    def writer2():
        core.create_namespaced_config_map(ns, e2e.configmap("z", {"v": "1"}, {"app": "a"}))

    t = threading.Thread(target=writer2)
    t.start()
    fresh, _ = collect(core, ns, 2)
    t.join()
    e2e.check_eq(summary(fresh), [("ADDED", "y"), ("ADDED", "z")], "watch without resourceVersion")
    e2e.passed("watch without resource_version starts with the current state")

    # A label selector: only matching objects, and a label change out of the selection is a
    # DELETED for that watch.
    rv = core.list_namespaced_config_map(ns).metadata.resource_version

    def writer3():
        core.create_namespaced_config_map(ns, e2e.configmap("sel-no", {"v": "1"}, {"app": "b"}))
        core.create_namespaced_config_map(ns, e2e.configmap("sel-yes", {"v": "1"}, {"app": "a"}))
        cm = core.read_namespaced_config_map("sel-yes", ns)
        cm.metadata.labels = {"app": "c"}
        core.replace_namespaced_config_map("sel-yes", ns, cm)

    t = threading.Thread(target=writer3)
    t.start()
    selected, _ = collect(core, ns, 2, resource_version=rv, label_selector="app=a")
    t.join()
    e2e.check_eq(summary(selected), [("ADDED", "sel-yes"), ("DELETED", "sel-yes")], "label-selected watch")
    # As kube's cacher: the previous content (the one that matched), at the change's resourceVersion.
    e2e.check_eq(selected[1]["object"].metadata.labels, {"app": "a"}, "DELETED on leaving the selection: old state")
    now = core.read_namespaced_config_map("sel-yes", ns).metadata.resource_version
    e2e.check_eq(selected[1]["object"].metadata.resource_version, now, "DELETED on leaving: the change's RV")
    e2e.passed("label-selected watch with selector transitions")

    # timeout_seconds ends the stream on the server side.
    started = time.monotonic()
    quiet = list(watch.Watch().stream(core.list_namespaced_config_map, ns, timeout_seconds=1,
                                      resource_version=core.list_namespaced_config_map(ns).metadata.resource_version))
    took = time.monotonic() - started
    e2e.check_eq(quiet, [], "no events on a quiet watch")
    e2e.check(0.9 <= took < 10, "stream ends after timeout_seconds", took)
    e2e.passed("timeout_seconds ends the watch (%.1fs)" % took)


if __name__ == "__main__":
    e2e.main(run)
