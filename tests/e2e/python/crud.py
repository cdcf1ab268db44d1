"""Create, read, replace (with a stale resourceVersion: 409), delete through the Python client:
namespaces, configmaps, secrets (CoreV1Api) and deployments (AppsV1Api)."""

import base64

from kubernetes import client

import kstream_e2e as e2e


def run():
    args = e2e.parse_args()
    core = client.CoreV1Api()
    apps = client.AppsV1Api()
    ns = args.namespace

    e2e.create_namespace(core, ns)
    got = core.read_namespace(ns)
    e2e.check_eq(got.metadata.labels.get("kubernetes.io/metadata.name"), ns, "namespace name label")
    e2e.check_eq(got.spec.finalizers, ["kubernetes"], "namespace finalizers")
    e2e.passed("namespace create/read")

    # ConfigMap: create, read, replace, stale replace, delete.
    created = core.create_namespaced_config_map(ns, e2e.configmap("app", {"mode": "fast"}, {"app": "demo"}))
    e2e.check_eq(created.kind, "ConfigMap", "created kind")
    e2e.check_eq(created.metadata.namespace, ns, "created namespace")
    e2e.check(created.metadata.uid, "uid set")
    e2e.check(created.metadata.creation_timestamp is not None, "creationTimestamp set")
    rv1 = created.metadata.resource_version
    e2e.check(rv1 and rv1.isdigit(), "resourceVersion set", rv1)

    read = core.read_namespaced_config_map("app", ns)
    e2e.check_eq(read.data, {"mode": "fast"}, "read data")
    e2e.check_eq(read.metadata.labels, {"app": "demo"}, "read labels")
    e2e.check_eq(read.metadata.resource_version, rv1, "read resourceVersion")
    e2e.check_eq(read.metadata.uid, created.metadata.uid, "read uid")

    read.data["mode"] = "slow"
    replaced = core.replace_namespaced_config_map("app", ns, read)
    rv2 = replaced.metadata.resource_version
    e2e.check(int(rv2) > int(rv1), "replace bumps resourceVersion", (rv1, rv2))
    e2e.check_eq(replaced.data, {"mode": "slow"}, "replaced data")
    e2e.check_eq(replaced.metadata.uid, created.metadata.uid, "uid kept")
    e2e.passed("configmap create/read/replace")

    stale = read  # still carries rv1
    stale.data["mode"] = "stale"
    err = e2e.expect_api_error(lambda: core.replace_namespaced_config_map("app", ns, stale), 409, "stale replace")
    e2e.check('"reason":"Conflict"' in err.body, "stale replace reason", err.body)
    e2e.check('Operation cannot be fulfilled on configmaps \\"app\\": the object has been modified; please apply '
              'your changes to the latest version and try again' in err.body, "stale replace message", err.body)
    e2e.check_eq(core.read_namespaced_config_map("app", ns).data, {"mode": "slow"}, "stale replace changed nothing")
    e2e.passed("stale replace is 409 Conflict")

    err = e2e.expect_api_error(lambda: core.create_namespaced_config_map(ns, e2e.configmap("app")), 409,
                               "duplicate create")
    e2e.check('"reason":"AlreadyExists"' in err.body, "duplicate create reason", err.body)
    err = e2e.expect_api_error(lambda: core.create_namespaced_config_map(ns + "-missing", e2e.configmap("x")), 404,
                               "create in a missing namespace")
    e2e.check('namespaces \\"%s-missing\\" not found' % ns in err.body, "missing namespace message", err.body)
    e2e.expect_api_error(lambda: core.read_namespaced_config_map("nope", ns), 404, "read missing")
    e2e.passed("AlreadyExists / NotFound")

    # generateName.
    gen = core.create_namespaced_config_map(
        ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(generate_name="gen-"), data={"a": "b"}))
    e2e.check(gen.metadata.name.startswith("gen-") and len(gen.metadata.name) == 9, "generateName",
              gen.metadata.name)
    e2e.passed("generateName")

    # Secret: data is base64 on the wire; stringData is merged into data.
    secret = core.create_namespaced_secret(ns, client.V1Secret(
        metadata=client.V1ObjectMeta(name="creds"),
        data={"user": base64.b64encode(b"admin").decode()},
        string_data={"pass": "s3cr3t"}))
    e2e.check_eq(secret.type, "Opaque", "secret type defaulted")
    e2e.check_eq(secret.string_data, None, "stringData not returned")
    e2e.check_eq(base64.b64decode(secret.data["user"]), b"admin", "secret data")
    e2e.check_eq(base64.b64decode(secret.data["pass"]), b"s3cr3t", "stringData merged into data")
    e2e.passed("secret create")

    # Deployment through AppsV1Api.
    labels = {"app": "web"}
    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web", labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.25")]))))
    made = apps.create_namespaced_deployment(ns, dep)
    e2e.check_eq(made.kind, "Deployment", "deployment kind")
    e2e.check_eq(made.api_version, "apps/v1", "deployment apiVersion")
    e2e.check_eq(made.metadata.generation, 1, "deployment generation")
    e2e.check_eq(made.spec.replicas, 2, "deployment replicas")
    e2e.check_eq(made.spec.template.spec.containers[0].image, "nginx:1.25", "deployment image")
    made.spec.replicas = 3
    scaled = apps.replace_namespaced_deployment("web", ns, made)
    e2e.check_eq(scaled.spec.replicas, 3, "deployment replaced")
    e2e.check_eq(scaled.metadata.generation, 2, "spec change bumps generation")
    listed = apps.list_namespaced_deployment(ns)
    e2e.check_eq([d.metadata.name for d in listed.items], ["web"], "deployment list")
    e2e.check_eq(listed.kind, "DeploymentList", "deployment list kind")
    e2e.passed("deployment create/replace/list")

    # Deletes.
    apps.delete_namespaced_deployment("web", ns)
    e2e.expect_api_error(lambda: apps.read_namespaced_deployment("web", ns), 404, "deployment deleted")
    core.delete_namespaced_config_map("app", ns)
    e2e.expect_api_error(lambda: core.read_namespaced_config_map("app", ns), 404, "configmap deleted")
    e2e.expect_api_error(lambda: core.delete_namespaced_config_map("app", ns), 404, "delete twice")
    # A delete with a stale resourceVersion precondition is a conflict.
    cur = core.read_namespaced_config_map(gen.metadata.name, ns)
    e2e.expect_api_error(lambda: core.delete_namespaced_config_map(
        gen.metadata.name, ns,
        body=client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version="1"))), 409,
        "delete with a stale precondition")
    core.delete_namespaced_config_map(
        gen.metadata.name, ns,
        body=client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version=cur.metadata.resource_version)))
    e2e.passed("delete (with preconditions)")

    # As in kube, deleting a namespace marks it Terminating; its contents and then the
    # namespace itself are removed in the background.
    # (The client models the answer as a V1Status, so the returned Namespace is not checked.)
    core.delete_namespace(ns)
    for _ in e2e.deadline_loop(10, "namespace removal"):
        try:
            core.read_namespace(ns)
        except client.exceptions.ApiException as e:
            if e.status == 404:
                break
            raise
    e2e.expect_api_error(lambda: core.read_namespaced_secret("creds", ns), 404, "namespace contents deleted")
    e2e.passed("namespace delete")


if __name__ == "__main__":
    e2e.main(run)
