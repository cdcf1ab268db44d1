"""Shared helpers of the Python-client end-to-end scripts (run by tests/e2e/python_client_test.cc).

Every script takes `--kubeconfig <file>` (the server's generated kubeconfig) and
`--namespace <name>` (a namespace the script creates and owns), prints one `PASS <check>` line
per check it made and exits non-zero, with a traceback, on the first failed check. Only the
Debian package python3-kubernetes is used (run with /usr/bin/python3).
"""

import argparse
import sys
import time

import kubernetes
from kubernetes import client, config
from kubernetes.client.rest import ApiException


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--namespace", required=True)
    for name, kwargs in (extra or []):
        p.add_argument(name, **kwargs)
    args = p.parse_args()
    config.load_kube_config(config_file=args.kubeconfig)
    return args


def passed(what):
    print("PASS " + what, flush=True)


def check(cond, what, detail=""):
    if not cond:
        raise AssertionError("FAILED " + what + (": " + str(detail) if detail else ""))


def check_eq(got, want, what):
    if got != want:
        raise AssertionError("FAILED %s: got %r, want %r" % (what, got, want))


def expect_api_error(fn, status, what):
    """Calls fn(); it must raise ApiException with `status`. Returns the exception."""
    try:
        fn()
    except ApiException as e:
        check_eq(e.status, status, what + " (status; body %s)" % e.body)
        return e
    raise AssertionError("FAILED %s: no ApiException (want %d)" % (what, status))


def create_namespace(core, name):
    ns = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    check_eq(ns.metadata.name, name, "namespace created")
    check_eq(ns.status.phase, "Active", "namespace phase")
    return ns


def configmap(name, data=None, labels=None):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data=data or {"k": "v"})


def deadline_loop(seconds, what):
    """Yields until `seconds` have passed, then fails `what`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        yield
        time.sleep(0.05)
    raise AssertionError("FAILED %s: not within %ss" % (what, seconds))


def main(fn):
    try:
        fn()
    except Exception:  # noqa: BLE001 - any failure is reported with its traceback
        import traceback
        traceback.print_exc()
        sys.exit(1)
    print("OK (kubernetes client %s)" % kubernetes.__version__, flush=True)
