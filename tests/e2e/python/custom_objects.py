"""Custom resources through the Python client: a CRD created with ApiextensionsV1Api, then
CustomObjectsApi create / get / list (with a label selector) / patch (merge) / the status
subresource / delete, and a watch of the custom objects (kubernetes.watch over
list_namespaced_custom_object)."""

import threading

from kubernetes import client, watch
from kubernetes.client.rest import ApiException

import kstream_e2e as e2e

GROUP, VERSION, PLURAL = "stable.example.com", "v1", "widgets"


def crd():
    # A plain dict body: the client sends it as it is.
    schema = {
        "type": "object",
        "properties": {
            "spec": {"type": "object", "required": ["size"],
                     "properties": {"size": {"type": "integer", "minimum": 1},
                                    "color": {"type": "string", "default": "grey"}}},
            "status": {"type": "object", "properties": {"phase": {"type": "string"}}},
        },
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": PLURAL + "." + GROUP},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"plural": PLURAL, "singular": "widget", "kind": "Widget"},
            "versions": [{"name": VERSION, "served": True, "storage": True,
                          "schema": {"openAPIV3Schema": schema}, "subresources": {"status": {}}}],
        },
    }


def widget(name, size, labels=None):
    return {"apiVersion": GROUP + "/" + VERSION, "kind": "Widget",
            "metadata": {"name": name, "labels": labels or {}}, "spec": {"size": size}}


def run():
    args = e2e.parse_args()
    core = client.CoreV1Api()
    ext = client.ApiextensionsV1Api()
    co = client.CustomObjectsApi()
    ns = args.namespace
    e2e.create_namespace(core, ns)

    ext.create_custom_resource_definition(crd())
    for _ in e2e.deadline_loop(10, "CRD established"):
        got = ext.read_custom_resource_definition(PLURAL + "." + GROUP)
        conds = {c.type: c.status for c in (got.status.conditions or [])}
        if conds.get("Established") == "True":
            break
    # The resource is served as soon as the CRD is established.
    for _ in e2e.deadline_loop(10, "custom resource served"):
        try:
            co.list_namespaced_custom_object(GROUP, VERSION, ns, PLURAL)
            break
        except ApiException as e:
            if e.status != 404:
                raise
    e2e.passed("CRD created and established")

    created = co.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, widget("a", 3, {"app": "x"}))
    e2e.check_eq(created["spec"], {"size": 3, "color": "grey"}, "defaulted on create")
    e2e.check_eq(created["metadata"]["generation"], 1, "generation")
    co.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, widget("b", 5))
    got = co.get_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, "a")
    e2e.check_eq(got["metadata"]["uid"], created["metadata"]["uid"], "get")
    e = e2e.expect_api_error(
        lambda: co.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, widget("c", 0)), 422,
        "schema validation")
    e2e.check("should be greater than or equal to 1" in e.body, "validation message", e.body)
    e2e.passed("create/get with defaults and validation")

    lst = co.list_namespaced_custom_object(GROUP, VERSION, ns, PLURAL)
    e2e.check_eq(lst["kind"], "WidgetList", "list kind")
    e2e.check_eq(sorted(i["metadata"]["name"] for i in lst["items"]), ["a", "b"], "list items")
    e2e.check_eq(lst["items"][0]["kind"], "Widget", "items carry their kind")
    sel = co.list_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, label_selector="app=x")
    e2e.check_eq([i["metadata"]["name"] for i in sel["items"]], ["a"], "label selector")
    e2e.passed("list with a label selector")

    patched = co.patch_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, "a", {"spec": {"size": 4}})
    e2e.check_eq(patched["spec"]["size"], 4, "merge patch")
    e2e.check_eq(patched["metadata"]["generation"], 2, "generation after a spec change")
    st = co.patch_namespaced_custom_object_status(GROUP, VERSION, ns, PLURAL, "a", {"status": {"phase": "Ready"}})
    e2e.check_eq(st["status"], {"phase": "Ready"}, "status subresource")
    e2e.check_eq(st["metadata"]["generation"], 2, "status does not bump generation")
    e2e.passed("patch and status subresource")

    start_rv = co.list_namespaced_custom_object(GROUP, VERSION, ns, PLURAL)["metadata"]["resourceVersion"]

    def writer():
        co.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, widget("w", 1))
        co.patch_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, "w", {"spec": {"size": 2}})
        co.delete_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, "w")

    t = threading.Thread(target=writer)
    t.start()
    w = watch.Watch()
    events = []
    for ev in w.stream(co.list_namespaced_custom_object, GROUP, VERSION, ns, PLURAL, resource_version=start_rv,
                       timeout_seconds=20):
        events.append((ev["type"], ev["object"]["metadata"]["name"], ev["object"]["spec"]["size"]))
        if len(events) == 3:
            w.stop()
    t.join()
    e2e.check_eq(events, [("ADDED", "w", 1), ("MODIFIED", "w", 2), ("DELETED", "w", 2)], "watch events")
    e2e.passed("watch custom objects")

    co.delete_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, "a")
    e2e.expect_api_error(lambda: co.get_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, "a"), 404, "deleted")
    ext.delete_custom_resource_definition(PLURAL + "." + GROUP)
    for _ in e2e.deadline_loop(10, "custom resource gone with its CRD"):
        try:
            co.list_namespaced_custom_object(GROUP, VERSION, ns, PLURAL)
        except ApiException as e:
            if e.status == 404:
                break
    e2e.passed("delete object and CRD")


if __name__ == "__main__":
    e2e.main(run)
