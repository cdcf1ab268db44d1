"""LIST with pagination through the Python client: limit + _continue, remaining_item_count,
selectors (which drop remaining_item_count), all-namespaces lists and a bad continue token."""

from kubernetes import client

import kstream_e2e as e2e

COUNT = 23
PAGE = 5


def run():
    args = e2e.parse_args()
    core = client.CoreV1Api()
    ns = args.namespace
    e2e.create_namespace(core, ns)
    for i in range(COUNT):
        labels = {"parity": "even" if i % 2 == 0 else "odd"}
        core.create_namespaced_config_map(ns, e2e.configmap("cm-%02d" % i, {"i": str(i)}, labels))
    e2e.passed("created %d configmaps" % COUNT)

    # Page through with limit/_continue.
    names, pages, token, list_rv = [], 0, None, None
    while True:
        kwargs = {"limit": PAGE}
        if token:
            kwargs["_continue"] = token
        page = core.list_namespaced_config_map(ns, **kwargs)
        pages += 1
        e2e.check_eq(page.kind, "ConfigMapList", "list kind")
        e2e.check_eq(page.api_version, "v1", "list apiVersion")
        e2e.check(page.metadata.resource_version, "list resourceVersion set")
        if list_rv is None:
            list_rv = page.metadata.resource_version
        else:
            # Every page is served from the snapshot of the first one.
            e2e.check_eq(page.metadata.resource_version, list_rv, "page %d resourceVersion" % pages)
        names += [item.metadata.name for item in page.items]
        for item in page.items:
            e2e.check_eq(item.data["i"], str(int(item.metadata.name[3:])), "item data")
            # Items of a built-in list carry no kind/apiVersion (only the list is versioned).
            e2e.check(item.kind is None and item.api_version is None, "list item without kind/apiVersion",
                      (item.kind, item.api_version))
        left = COUNT - len(names)
        token = page.metadata._continue
        if left > 0:
            e2e.check_eq(len(page.items), PAGE, "page %d size" % pages)
            e2e.check(token, "page %d has a continue token" % pages)
            e2e.check_eq(page.metadata.remaining_item_count, left, "page %d remaining_item_count" % pages)
        else:
            e2e.check(not token, "last page has no continue token", token)
            e2e.check_eq(page.metadata.remaining_item_count, None, "last page remaining_item_count")
            break
        # Writes after the first page do not show up in the later pages.
        if pages == 1:
            core.create_namespaced_config_map(ns, e2e.configmap("cm-99-late"))
    e2e.check_eq(pages, 5, "page count")
    e2e.check_eq(names, ["cm-%02d" % i for i in range(COUNT)], "every item once, in order")
    e2e.passed("paginated list: %d pages, all %d items once, remaining_item_count" % (pages, COUNT))

    # Without a limit: everything, including the late one.
    full = core.list_namespaced_config_map(ns)
    e2e.check_eq(len(full.items), COUNT + 1, "unpaginated list")
    e2e.check(not full.metadata._continue, "unpaginated list has no continue token")
    e2e.check_eq(full.metadata.remaining_item_count, None, "unpaginated remaining_item_count")
    e2e.passed("unpaginated list")

    # A label selector: paginated, without remaining_item_count.
    got, token = [], None
    while True:
        kwargs = {"limit": 4, "label_selector": "parity=even"}
        if token:
            kwargs["_continue"] = token
        page = core.list_namespaced_config_map(ns, **kwargs)
        e2e.check_eq(page.metadata.remaining_item_count, None, "no remaining_item_count with a selector")
        got += [item.metadata.name for item in page.items]
        token = page.metadata._continue
        if not token:
            break
    e2e.check_eq(got, ["cm-%02d" % i for i in range(0, COUNT, 2)], "label-selected pages")
    page = core.list_namespaced_config_map(ns, field_selector="metadata.name=cm-07")
    e2e.check_eq([i.metadata.name for i in page.items], ["cm-07"], "field selector")
    e2e.passed("selectors with pagination")

    # All namespaces, paginated: ours are all there, once.
    seen, token = [], None
    while True:
        kwargs = {"limit": 7}
        if token:
            kwargs["_continue"] = token
        page = core.list_config_map_for_all_namespaces(**kwargs)
        seen += [(i.metadata.namespace, i.metadata.name) for i in page.items]
        token = page.metadata._continue
        if not token:
            break
    e2e.check_eq(len(seen), len(set(seen)), "all-namespaces items unique")
    e2e.check_eq(sorted(n for (s, n) in seen if s == ns), sorted(names + ["cm-99-late"]), "all-namespaces items")
    e2e.check_eq(seen, sorted(seen), "all-namespaces order (namespace, name)")
    e2e.passed("all-namespaces pagination")

    # Namespaces (cluster-scoped) paginate too.
    page = core.list_namespace(limit=1)
    e2e.check_eq(len(page.items), 1, "namespace page")
    e2e.check(page.metadata._continue, "namespace page continue token")
    e2e.passed("cluster-scoped pagination")

    e2e.expect_api_error(lambda: core.list_namespaced_config_map(ns, limit=5, _continue="garbage"), 400,
                         "malformed continue token")
    e2e.passed("malformed continue token is 400")


if __name__ == "__main__":
    e2e.main(run)
