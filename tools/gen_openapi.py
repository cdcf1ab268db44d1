#!/usr/bin/env python3
"""Generates the OpenAPI v3 schema of every built-in Kubernetes type.

Input: ../shared/schema/k8s-types.json. Output (at build time, never committed):
<out>/api/openapi/definitions_gen.cc, defining kstream::api::OpenApiDefinitionsJson(): one
JSON object mapping each type's OpenAPI name (io.k8s.api.core.v1.Pod, ...) to its schema,
written the way kube-openapi's openapi-gen writes version 3 schemas:

  - a struct is {"type":"object","properties":{...},"required":[...]}; embedded structs
    without a JSON name have their fields promoted; `json:"-"` fields are left out;
  - a field is required when it has neither omitempty nor +optional;
  - a reference to another struct is {"allOf":[{"$ref":"#/components/schemas/<name>"}]},
    with "default":{} when the field is not a pointer; non-pointer scalars without
    omitempty get their zero value as "default";
  - named scalar types, slices and maps are inlined (type, format, items,
    additionalProperties); []byte is {"type":"string","format":"byte"};
  - the types with their own OpenAPI form (Time, MicroTime, Duration, Quantity,
    IntOrString, RawExtension, FieldsV1, apiextensions' JSON*) are written as kube-openapi
    declares them;
  - list semantics and patch strategies become x-kubernetes-list-type,
    x-kubernetes-list-map-keys, x-kubernetes-map-type, x-kubernetes-patch-strategy and
    x-kubernetes-patch-merge-key (what kubectl's strategic merge and server-side apply read);
  - kinds carry x-kubernetes-group-version-kind.

Descriptions are not in the schema facts, so the definitions have none.

Usage: gen_openapi.py SCHEMA_JSON OUT_DIR
"""

import json
import os
import sys

from gen_types import write_if_changed

REF = "#/components/schemas/"

SCALARS = {
    "string": {"type": "string"},
    "bool": {"type": "boolean"},
    "int": {"type": "integer", "format": "int32"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "uint8": {"type": "integer", "format": "byte"},
    "uint16": {"type": "integer", "format": "int32"},
    "uint32": {"type": "integer", "format": "int64"},
    "uint64": {"type": "integer", "format": "int64"},
    "float32": {"type": "number", "format": "float"},
    "float64": {"type": "number", "format": "double"},
}
ZERO = {"string": "", "bool": False, "float32": 0, "float64": 0}

META = "k8s.io/apimachinery/pkg/apis/meta/v1"
APIEXT = "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/"

# Types whose OpenAPI form is declared by hand in kube (OpenAPIDefinition /
# OpenAPISchemaType methods), by (package, name).
SPECIAL = {
    (META, "Time"): {"type": "string", "format": "date-time"},
    (META, "MicroTime"): {"type": "string", "format": "date-time"},
    (META, "Duration"): {"type": "string"},
    (META, "FieldsV1"): {"type": "object"},
    ("k8s.io/apimachinery/pkg/runtime", "RawExtension"): {"type": "object"},
    ("k8s.io/apimachinery/pkg/api/resource", "Quantity"):
        {"oneOf": [{"type": "string"}, {"type": "number"}]},
    ("k8s.io/apimachinery/pkg/util/intstr", "IntOrString"):
        {"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]},
}
for _v in ("v1", "v1beta1"):
    for _n in ("JSON", "JSONSchemaPropsOrBool", "JSONSchemaPropsOrArray",
               "JSONSchemaPropsOrStringArray"):
        SPECIAL[(APIEXT + _v, _n)] = {}

SKIP = {("k8s.io/apimachinery/pkg/runtime", "Unknown"), (META, "InternalEvent")}


def openapi_name(pkg, name):
    """k8s.io/api/core/v1.Pod -> io.k8s.api.core.v1.Pod (kube-openapi's friendly names)."""
    host, _, path = pkg.partition("/")
    rev = ".".join(reversed(host.split(".")))
    return rev + "." + path.replace("/", ".") + "." + name


class Gen:
    def __init__(self, schema):
        self.types = {}
        self.pkg_gv = {}
        for p in schema["packages"]:
            self.pkg_gv[p["importPath"]] = (p.get("group"), p.get("version"))
            for t in p["types"]:
                self.types[(p["importPath"], t["name"])] = t
        self.gvks = {}
        for k in schema["kinds"]:
            self.gvks.setdefault((k["package"], k["kind"]), []).append(
                {"group": k["group"] if k["group"] != "core" else "", "kind": k["kind"],
                 "version": k["version"]})
        self.defs = {}

    def ref(self, pkg, name):
        return {"allOf": [{"$ref": REF + self.define(pkg, name)}]}

    def type_schema(self, ty, field_ctx):
        """Schema of a type expression. field_ctx: (omitempty, is the direct field) for
        defaults; None inside slices/maps."""
        k = ty["kind"]
        if k == "pointer":
            return self.type_schema(ty["elem"], None)
        if k == "basic":
            s = dict(SCALARS[ty["name"]])
            if field_ctx is not None and not field_ctx:
                s["default"] = ZERO.get(ty["name"], 0)
            return s
        if k == "slice":
            if ty["elem"]["kind"] == "basic" and ty["elem"]["name"] == "byte":
                return {"type": "string", "format": "byte"}
            return {"type": "array", "items": self.type_schema(ty["elem"], False if self.is_struct(ty["elem"]) else None)}
        if k == "array":
            return {"type": "array", "items": self.type_schema(ty["elem"], None)}
        if k == "map":
            return {"type": "object", "additionalProperties": self.type_schema(ty["elem"], False if self.is_struct(ty["elem"]) else None)}
        if k == "interface":
            return {}
        if k == "named":
            key = (ty["pkg"], ty["name"])
            if key in SPECIAL:
                return self.ref(*key)
            t = self.types.get(key)
            if t is None:
                if ty["pkg"] == "time" and ty["name"] == "Duration":
                    return {"type": "integer", "format": "int64"}
                return {}
            if t["kind"] == "struct":
                s = self.ref(*key)
                if field_ctx is not None:
                    s["default"] = {}
                return s
            if t["kind"] in ("named", "alias"):
                under = t.get("underlying") or t.get("target")
                return self.type_schema(under, field_ctx)
            return {}
        return {}

    def is_struct(self, ty):
        if ty["kind"] != "named":
            return False
        key = (ty["pkg"], ty["name"])
        t = self.types.get(key)
        return key not in SPECIAL and t is not None and t["kind"] == "struct"

    def collect_fields(self, t, props, required):
        for f in t.get("fields") or []:
            if f.get("jsonSkip"):
                continue
            if f.get("jsonInline"):
                ty = f["type"]
                if ty["kind"] == "pointer":
                    ty = ty["elem"]
                if ty["kind"] == "named":
                    inner = self.types.get((ty["pkg"], ty["name"]))
                    if inner is not None and inner["kind"] == "struct":
                        self.collect_fields(inner, props, required)
                continue
            key = f["jsonKey"]
            if not key:
                continue
            omitempty = bool(f.get("json", {}).get("omitempty")) or "omitzero" in (f.get("json", {}).get("options") or [])
            direct_ptr = f["type"]["kind"] == "pointer"
            if direct_ptr:
                s = self.type_schema(f["type"]["elem"], None)
            else:
                s = self.type_schema(f["type"], omitempty)
                if f["type"]["kind"] == "named" and self.is_struct(f["type"]):
                    s["default"] = {}
            if f.get("listType"):
                s["x-kubernetes-list-type"] = f["listType"]
            if f.get("listMapKeys"):
                s["x-kubernetes-list-map-keys"] = list(f["listMapKeys"])
            if f.get("mapType"):
                s["x-kubernetes-map-type"] = f["mapType"]
            if f.get("patchMergeKey"):
                s["x-kubernetes-patch-merge-key"] = f["patchMergeKey"]
            if f.get("patchStrategy"):
                s["x-kubernetes-patch-strategy"] = f["patchStrategy"]
            props[key] = s
            optional = f.get("optional") or "+optional" in (f.get("markers") or [])
            if not omitempty and not optional:
                required.append(key)

    def define(self, pkg, name):
        n = openapi_name(pkg, name)
        if n in self.defs:
            return n
        if (pkg, name) in SPECIAL:
            self.defs[n] = dict(SPECIAL[(pkg, name)])
            return n
        self.defs[n] = None  # placeholder: breaks cycles (JSONSchemaProps)
        t = self.types[(pkg, name)]
        if t["kind"] == "struct":
            props, required = {}, []
            self.collect_fields(t, props, required)
            s = {"type": "object"}
            if props:
                s["properties"] = props
            if required:
                s["required"] = required
            if t.get("structType"):
                s["x-kubernetes-map-type"] = t["structType"]
            for m in t.get("markers") or []:
                if m.startswith("+structType="):
                    s["x-kubernetes-map-type"] = m.split("=", 1)[1]
        else:
            under = t.get("underlying") or t.get("target") or {}
            s = self.type_schema(under, None)
        if (pkg, name) in self.gvks:
            s["x-kubernetes-group-version-kind"] = self.gvks[(pkg, name)]
        self.defs[n] = s
        return n

    def run(self):
        for (pkg, name), t in sorted(self.types.items()):
            if (pkg, name) in SKIP or not t.get("exported", True):
                continue
            if pkg == "k8s.io/apimachinery/pkg/api/resource" and (pkg, name) not in SPECIAL:
                continue
            if t["kind"] == "struct" or (pkg, name) in SPECIAL:
                self.define(pkg, name)
        return self.defs


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    defs = Gen(schema).run()
    body = json.dumps(defs, sort_keys=True, separators=(",", ":"))
    # Adjacent raw string literals of at most 16 KiB each (one literal for the compiler).
    chunks = [body[i:i + 16000] for i in range(0, len(body), 16000)]
    out = ["// Generated by tools/gen_openapi.py from k8s-types.json. Do not edit.",
           '#include "api/openapi/definitions.h"', "",
           "namespace kstream::api {", "",
           "std::string_view OpenApiDefinitionsJson() {",
           "  static constexpr char kJson[] ="]
    for c in chunks:
        assert ")~~\"" not in c
        out.append('      R"~~(' + c + ')~~"')
    out[-1] += ";"
    out += ["  return std::string_view(kJson, sizeof(kJson) - 1);", "}", "",
            "}  // namespace kstream::api", ""]
    d = os.path.join(sys.argv[2], "api/openapi")
    os.makedirs(d, exist_ok=True)
    write_if_changed(os.path.join(d, "definitions_gen.cc"), "\n".join(out))


if __name__ == "__main__":
    main()
