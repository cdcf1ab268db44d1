#!/usr/bin/env python3
"""Generates the typed Kubernetes API: C++ structs and their JSON and protobuf codecs.

Input: ../shared/schema/k8s-types.json (every type of k8s.io/api, apimachinery meta/v1,
runtime, intstr, resource, version, types, apiextensions; fields in source order with
their JSON and protobuf tags) and the rules of ../shared/schema/JSON-RULES.md and
PROTOBUF-RULES.md. Output (at build time, never committed), for each Go package P:

  <out>/api/k8s/<ns path>/types.h   structs, named types, codec declarations
  <out>/api/k8s/<ns path>/types.cc  AppendJson / DecodeJson / ProtoSize / ProtoWrite /
                                    DecodeProto of every struct of P
and <out>/api/k8s/kinds_gen.cc: the table of every kind (group, version, kind, list
pairing) with its type-erased codec, for the Scheme, and <out>/api/k8s/resources_gen.cc:
the REST facts of every built-in resource, from resources.json next to SCHEMA_JSON.

Types with custom encodings (Quantity, Time, IntOrString, RawExtension, ...) are written
by hand under src/api/k8s/ and only included here (SPECIAL below).

Usage: gen_types.py SCHEMA_JSON OUT_DIR
"""

import json
import os
import sys
from collections import OrderedDict

# ----------------------------------------------------------------------------------------
# Packages and namespaces

NS_ROOT = "::kstream::k8s"


def ns_parts(import_path):
    if import_path.startswith("k8s.io/api/"):
        return import_path[len("k8s.io/api/"):].split("/")
    fixed = {
        "k8s.io/apimachinery/pkg/apis/meta/v1": ["meta", "v1"],
        "k8s.io/apimachinery/pkg/runtime": ["runtime"],
        "k8s.io/apimachinery/pkg/util/intstr": ["intstr"],
        "k8s.io/apimachinery/pkg/api/resource": ["apimachinery", "resource"],
        "k8s.io/apimachinery/pkg/version": ["version"],
        "k8s.io/apimachinery/pkg/types": ["types"],
    }
    if import_path in fixed:
        return fixed[import_path]
    prefix = "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/"
    if import_path.startswith(prefix):
        return ["apiextensions", import_path[len(prefix):]]
    raise SystemExit("no namespace for package " + import_path)


def ns_of(import_path):
    return NS_ROOT + "::" + "::".join(ns_parts(import_path))


def go_pkg_name(import_path):
    return import_path.rsplit("/", 1)[-1]


# Hand-written types: (package, name) -> header (relative to src/).
SPECIAL = {
    ("k8s.io/apimachinery/pkg/api/resource", "Quantity"): "api/k8s/apimachinery/resource/quantity.h",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Time"): "api/k8s/meta/v1/time.h",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "MicroTime"): "api/k8s/meta/v1/time.h",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Duration"): "api/k8s/meta/v1/time.h",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "FieldsV1"): "api/k8s/meta/v1/time.h",
    ("k8s.io/apimachinery/pkg/util/intstr", "IntOrString"): "api/k8s/intstr/int_or_string.h",
    ("k8s.io/apimachinery/pkg/runtime", "RawExtension"): "api/k8s/runtime/raw_extension.h",
}
for v in ("v1", "v1beta1"):
    pkg = "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/" + v
    for name in ("JSON", "JSONSchemaPropsOrBool", "JSONSchemaPropsOrArray",
                 "JSONSchemaPropsOrStringArray"):
        SPECIAL[(pkg, name)] = "api/k8s/apiextensions/%s/json_schema.h" % v

# Types that are not generated at all (not part of any API object's encoding).
SKIP_TYPES = {
    ("k8s.io/apimachinery/pkg/runtime", "Unknown"),
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "GroupVersion"),
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "InternalEvent"),
}
# Packages whose non-special types are internals (resource's amounts and suffixes).
SKIP_PACKAGES = {"k8s.io/apimachinery/pkg/api/resource"}

# The kinds table is compiled in this many translation units (see gen_kinds).
KIND_CHUNKS = 4

CPP_SCALAR = {"string": "std::string", "int32": "int32_t", "int64": "int64_t", "int": "int64_t",
              "bool": "bool", "float64": "double", "uint8": "uint8_t"}


class Gen:
    def __init__(self, schema):
        self.schema = schema
        self.pkgs = OrderedDict((p["importPath"], p) for p in schema["packages"])
        self.types = {}
        for p in schema["packages"]:
            for t in p["types"]:
                self.types[(p["importPath"], t["name"])] = t

    # ------------------------------------------------------------------------------------
    # Type resolution

    def is_generated(self, pkg, name):
        t = self.types.get((pkg, name))
        if t is None or not t.get("exported", True):
            return False
        if (pkg, name) in SKIP_TYPES or (pkg, name) in SPECIAL:
            return False
        if pkg in SKIP_PACKAGES:
            return False
        return t["kind"] in ("struct", "named", "alias")

    def resolve(self, ty):
        """Normalises a type expression into a descriptor dict with 'k' =
        scalar | struct | ptr | slice | bytes | map | iface | nullable."""
        k = ty["kind"]
        if k == "basic":
            name = ty["name"]
            if name not in CPP_SCALAR:
                raise SystemExit("unsupported basic type " + name)
            return {"k": "scalar", "t": "int64" if name == "int" else name}
        if k == "named":
            key = (ty["pkg"], ty["name"])
            if key in SPECIAL:
                return {"k": "struct", "pkg": key[0], "name": key[1], "special": True}
            t = self.types.get(key)
            if t is None:
                raise SystemExit("unknown type %s.%s" % key)
            if t["kind"] == "struct":
                return {"k": "struct", "pkg": key[0], "name": key[1], "special": False}
            if t["kind"] == "alias":
                return self.resolve(t["underlying"] if "underlying" in t else t["target"])
            if t["kind"] == "named":
                under = t["underlying"]
                markers = t.get("markers", [])
                if under["kind"] == "slice" and "+protobuf.nullable=true" in markers:
                    return {"k": "nullable", "pkg": key[0], "name": key[1],
                            "elem": self.resolve(under["elem"])}
                return self.resolve(under)
            if t["kind"] == "interface":
                return {"k": "iface"}
            raise SystemExit("unsupported named kind %s for %s.%s" % (t["kind"], key[0], key[1]))
        if k == "pointer":
            return {"k": "ptr", "elem": self.resolve(ty["elem"])}
        if k == "slice":
            if ty["elem"]["kind"] == "basic" and ty["elem"]["name"] in ("byte", "uint8"):
                return {"k": "bytes"}
            return {"k": "slice", "elem": self.resolve(ty["elem"])}
        if k == "map":
            key = self.resolve(ty["key"])
            if key != {"k": "scalar", "t": "string"}:
                raise SystemExit("unsupported map key %r" % ty["key"])
            return {"k": "map", "elem": self.resolve(ty["elem"])}
        if k == "interface":
            return {"k": "iface"}
        raise SystemExit("unsupported type %r" % ty)

    def cpp_type(self, d):
        k = d["k"]
        if k == "scalar":
            return CPP_SCALAR[d["t"]]
        if k in ("struct", "nullable"):
            return ns_of(d["pkg"]) + "::" + d["name"]
        if k == "ptr":
            e = d["elem"]
            if e["k"] == "scalar":
                return "std::optional<%s>" % self.cpp_type(e)
            return "::kstream::typed::Ptr<%s>" % self.cpp_type(e)
        if k == "slice":
            e = d["elem"]
            if e == {"k": "scalar", "t": "bool"}:  # not std::vector<bool>
                return "::kstream::typed::Slice<::kstream::typed::GoBool>"
            return "::kstream::typed::Slice<%s>" % self.cpp_type(e)
        if k == "bytes":
            return "::kstream::typed::Bytes"
        if k == "map":
            return "::kstream::typed::Map<%s>" % self.cpp_type(d["elem"])
        if k == "iface":
            return "::kstream::api::Value"
        raise SystemExit("no C++ type for %r" % d)

    # ------------------------------------------------------------------------------------
    # Struct layouts

    def struct_fields(self, pkg, name):
        return [f for f in self.types[(pkg, name)]["fields"] if f.get("exported", True)]

    def json_fields(self, pkg, name, prefix=""):
        """Flattened (jsonKey, accessor, field, descriptor) in JSON order."""
        out = []
        for f in self.struct_fields(pkg, name):
            if f.get("jsonSkip"):
                continue
            d = self.resolve(f["type"])
            acc = prefix + self.member_name(name, f)
            if f.get("jsonInline"):
                if d["k"] != "struct" or d.get("special"):
                    raise SystemExit("inline non-struct %s.%s.%s" % (pkg, name, f["name"]))
                out.extend(self.json_fields(d["pkg"], d["name"], acc + "."))
                continue
            out.append((f["jsonKey"], acc, f, d))
        keys = [o[0] for o in out]
        if len(set(keys)) != len(keys):
            raise SystemExit("duplicate JSON keys in %s.%s: %r" % (pkg, name, keys))
        return out

    def proto_fields(self, pkg, name):
        out = []
        for f in self.struct_fields(pkg, name):
            pbt = f.get("protobuf")
            if not pbt or not pbt.get("number"):
                continue
            out.append((pbt["number"], self.member_name(name, f), f, self.resolve(f["type"])))
        out.sort(key=lambda x: x[0])
        return out

    @staticmethod
    def member_name(struct_name, f):
        return f["name"] + "_" if f["name"] == struct_name else f["name"]

    # ------------------------------------------------------------------------------------
    # JSON

    def json_empty_cond(self, d, a):
        """C++ condition under which Go's omitempty drops the value (None: never)."""
        k = d["k"]
        if k == "scalar":
            t = d["t"]
            if t == "string":
                return "%s.empty()" % a
            if t == "bool":
                return "!%s" % a
            return "%s == 0" % a
        if k == "ptr":
            return "!%s" % a
        if k in ("slice", "bytes", "map", "nullable"):
            return "%s.empty()" % a
        if k == "iface":
            return "%s.is_null()" % a
        return None  # structs are never empty

    def gen_append_json(self, pkg, name):
        lines = []
        for key, acc, f, d in self.json_fields(pkg, name):
            a = "v." + acc
            quoted = json.dumps(json.dumps(key))  # C++ literal of the JSON-quoted key
            body = "w.Key(%s); AppendJson(w, %s);" % (quoted, a)
            js = f.get("json") or {}
            conds = []
            if js.get("omitempty"):
                c = self.json_empty_cond(d, a)
                if c:
                    conds.append(c)
            if "omitzero" in (js.get("options") or []):
                conds.append("%s.IsZero()" % a)
            if conds:
                lines.append("  if (!(%s)) { %s }" % (" || ".join(conds), body))
            else:
                lines.append("  " + body)
        return lines

    def gen_decode_json(self, pkg, name):
        fields = self.json_fields(pkg, name)
        by_key = sorted(fields, key=lambda x: x[0].encode("utf-8"))
        lines = []
        keys = ", ".join(json.dumps(k) for k, _, _, _ in by_key)
        lines.append("  static constexpr std::string_view kKeys[] = {%s};" % (keys or '""'))
        lines.append("  if (in.is_null()) return ::kstream::Status::Ok();")
        lines.append("  if (!in.is_object()) return ctx.TypeError(in, %s);"
                     % json.dumps(go_pkg_name(pkg) + "." + name))
        lines.append("  const std::string_view prev = ctx.EnterStruct(%s);" % json.dumps(name))
        lines.append("  ::kstream::Status s;")
        lines.append("  for (const ::kstream::api::Member& m : in.as_object()) {")
        lines.append("    const int idx = ::kstream::typed::FindKey(kKeys, %d, m.key);" % len(by_key))
        lines.append("    if (idx < 0) { ctx.Unknown(m.key); continue; }")
        lines.append("    ctx.PushKey(m.key);")
        lines.append("    switch (idx) {")
        for i, (key, acc, f, d) in enumerate(by_key):
            lines.append("      case %d: s = DecodeJson(m.value, &out->%s, ctx); break;" % (i, acc))
        lines.append("      default: break;")
        lines.append("    }")
        lines.append("    ctx.Pop();")
        lines.append("    if (!s.ok()) break;")
        lines.append("  }")
        lines.append("  ctx.LeaveStruct(prev);")
        lines.append("  return s;")
        return lines

    # ------------------------------------------------------------------------------------
    # Protobuf

    def pb_value_size(self, d, a, n, always=True):
        """Statements adding the size of field n holding value `a` (written per Go rules)."""
        k = d["k"]
        if k == "scalar":
            t = d["t"]
            if t == "string":
                return ["n += ::kstream::typed::StringFieldSize(%d, %s);" % (n, a)]
            if t in ("int32", "int64"):
                return ["n += ::kstream::typed::IntFieldSize(%d, %s);" % (n, a)]
            if t == "bool":
                return ["n += ::kstream::typed::BoolFieldSize(%d);" % n]
            if t == "float64":
                return ["n += ::kstream::typed::DoubleFieldSize(%d);" % n]
            raise SystemExit("no protobuf for scalar " + t)
        if k == "struct":
            return ["n += ::kstream::typed::MessageFieldSize(%d, %s);" % (n, a)]
        if k == "ptr":
            inner = self.pb_value_size(d["elem"], "(*%s)" % a, n)
            return ["if (%s) {" % a] + ["  " + x for x in inner] + ["}"]
        if k == "bytes":
            if always:
                return ["n += ::kstream::encoding::protobuf::BytesFieldSize(%d, %s.size());" % (n, a)]
            return ["if (!%s.is_nil()) n += ::kstream::encoding::protobuf::BytesFieldSize(%d, %s.size());"
                    % (a, n, a)]
        if k == "nullable":
            size = "::kstream::typed::RepeatedStringSize(%s)" % a
            if always:
                return ["n += ::kstream::encoding::protobuf::BytesFieldSize(%d, %s);" % (n, size)]
            return ["if (!%s.is_nil()) n += ::kstream::encoding::protobuf::BytesFieldSize(%d, %s);"
                    % (a, n, size)]
        if k == "slice":
            inner = self.pb_value_size(d["elem"], "e", n)
            return ["for ([[maybe_unused]] const auto& e : %s) {" % a] + ["  " + x for x in inner] + ["}"]
        if k == "map":
            value = self.pb_map_value_size(d["elem"], "kv.second")
            out = ["for (const auto& kv : %s) {" % a,
                   "  size_t entry = ::kstream::typed::StringFieldSize(1, kv.first);"]
            out += ["  " + x for x in value]
            out += ["  n += ::kstream::encoding::protobuf::BytesFieldSize(%d, entry);" % n, "}"]
            return out
        raise SystemExit("no protobuf size for %r" % d)

    def pb_map_value_size(self, d, a):
        k = d["k"]
        if k == "bytes":  # written only when non-nil
            return ["if (!%s.is_nil()) entry += ::kstream::encoding::protobuf::BytesFieldSize(2, %s.size());"
                    % (a, a)]
        return [x.replace("n += ", "entry += ", 1) for x in self.pb_value_size(d, a, 2)]

    def pb_value_write(self, d, a, n, always=True):
        """Statements writing field n (value `a`) backwards into `end`."""
        k = d["k"]
        if k == "scalar":
            t = d["t"]
            if t == "string":
                return ["end = ::kstream::typed::WriteStringField(%d, %s, end);" % (n, a)]
            if t in ("int32", "int64"):
                return ["end = ::kstream::typed::WriteIntField(%d, %s, end);" % (n, a)]
            if t == "bool":
                return ["end = ::kstream::typed::WriteBoolField(%d, %s, end);" % (n, a)]
            if t == "float64":
                return ["end = ::kstream::typed::WriteDoubleField(%d, %s, end);" % (n, a)]
        if k == "struct":
            return ["end = ::kstream::typed::WriteMessageField(%d, %s, end);" % (n, a)]
        if k == "ptr":
            inner = self.pb_value_write(d["elem"], "(*%s)" % a, n)
            return ["if (%s) {" % a] + ["  " + x for x in inner] + ["}"]
        if k == "bytes":
            w = "end = ::kstream::encoding::protobuf::WriteBytesFieldBackward(%d, %s, end);" % (n, a)
            return [w] if always else ["if (!%s.is_nil()) %s" % (a, w)]
        if k == "nullable":
            w = "end = ::kstream::typed::WriteRepeatedStringMessage(%d, %s, end);" % (n, a)
            return [w] if always else ["if (!%s.is_nil()) %s" % (a, w)]
        if k == "slice":
            inner = self.pb_value_write(d["elem"], "(*it)", n)
            return ["for (auto it = %s.rbegin(); it != %s.rend(); ++it) {" % (a, a)] + \
                   ["  " + x for x in inner] + ["}"]
        if k == "map":
            value = self.pb_map_value_write(d["elem"], "it->second")
            out = ["for (auto it = %s.rbegin(); it != %s.rend(); ++it) {" % (a, a),
                   "  uint8_t* const entry_end = end;"]
            out += ["  " + x for x in value]
            out += ["  end = ::kstream::typed::WriteStringField(1, it->first, end);",
                    "  end = ::kstream::encoding::protobuf::WrapBytesFieldBackward(%d, end, entry_end);" % n,
                    "}"]
            return out
        raise SystemExit("no protobuf write for %r" % d)

    def pb_map_value_write(self, d, a):
        if d["k"] == "bytes":
            return ["if (!%s.is_nil()) end = ::kstream::encoding::protobuf::WriteBytesFieldBackward(2, %s, end);"
                    % (a, a)]
        return self.pb_value_write(d, a, 2)

    def pb_read(self, d, target, fname):
        """Statements decoding the current field (reader r, wire type wt) into `target`
        (an lvalue expression)."""
        k = d["k"]
        q = json.dumps(fname)
        if k == "scalar":
            fn = {"string": "ReadString", "int32": "ReadInt32", "int64": "ReadInt64",
                  "bool": "ReadBool", "float64": "ReadDouble"}[d["t"]]
            return ["KS_RETURN_IF_ERROR(::kstream::typed::%s(r, wt, %s, &%s));" % (fn, q, target)]
        if k == "struct":
            return ["KS_RETURN_IF_ERROR(::kstream::typed::ReadMessage(r, wt, %s, &%s));" % (q, target)]
        if k == "ptr":
            e = d["elem"]
            if e["k"] == "scalar":
                return ["if (!%s) %s.emplace();" % (target, target)] + self.pb_read(e, "(*%s)" % target, fname)
            return self.pb_read(e, "%s.ensure()" % target, fname)
        if k == "bytes":
            return ["KS_RETURN_IF_ERROR(::kstream::typed::ReadBytesValue(r, wt, %s, &%s));" % (q, target)]
        if k == "nullable":
            return ["KS_RETURN_IF_ERROR(::kstream::typed::ReadRepeatedStringMessage(r, wt, %s, &%s));"
                    % (q, target)]
        if k == "slice":
            return ["%s.emplace_back();" % target] + self.pb_read(d["elem"], "%s.back()" % target, fname)
        if k == "map":
            return ["KS_RETURN_IF_ERROR(::kstream::typed::ReadMapEntry(r, wt, %s, &%s));" % (q, target)]
        raise SystemExit("no protobuf read for %r" % d)

    # ------------------------------------------------------------------------------------
    # Files

    def package_types(self, pkg):
        p = self.pkgs[pkg]
        return [t for t in p["types"] if self.is_generated(pkg, t["name"])]

    def deps_of_package(self, pkg):
        deps = set()

        def walk(ty):
            k = ty["kind"]
            if k == "named":
                if ty["pkg"] != pkg:
                    deps.add(ty["pkg"])
            for sub in ("elem", "key", "underlying", "target"):
                if sub in ty:
                    walk(ty[sub])

        for t in self.package_types(pkg):
            if t["kind"] == "struct":
                for f in self.struct_fields(pkg, t["name"]):
                    walk(f["type"])
            elif "underlying" in t:
                walk(t["underlying"])
        return deps

    def struct_order(self, pkg):
        """Structs of pkg, each after the structs it contains by value."""
        structs = [t["name"] for t in self.package_types(pkg) if t["kind"] == "struct"]
        index = {n: i for i, n in enumerate(structs)}
        order, state = [], {}

        def by_value_deps(name):
            # Only structs held by value must be complete first: Slice (std::vector), Map
            # (std::map) and Ptr accept incomplete element types.
            out = []
            for f in self.struct_fields(pkg, name):
                d = self.resolve(f["type"])
                if d["k"] == "struct" and d["pkg"] == pkg and not d.get("special") and d["name"] in index:
                    out.append(d["name"])
            return out

        def visit(name):
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                raise SystemExit("struct %s.%s contains itself by value" % (pkg, name))
            state[name] = 1
            for dep in by_value_deps(name):
                visit(dep)
            state[name] = 2
            order.append(name)

        for n in structs:
            visit(n)
        return order

    def gen_header(self, pkg):
        parts = ns_parts(pkg)
        ns = "::".join(["kstream", "k8s"] + parts)
        out = ["// Generated by tools/gen_types.py from k8s-types.json (%s). Do not edit." % pkg,
               "#pragma once", "",
               "#include <cstdint>", "#include <optional>", "#include <string>",
               "#include <string_view>", "",
               '#include "api/typed/codec.h"']
        for dep in sorted(self.deps_of_package(pkg)):
            if dep in SKIP_PACKAGES:
                # Only hand-written types are used from these packages.
                for h in sorted({h for (p, _), h in SPECIAL.items() if p == dep}):
                    out.append('#include "%s"' % h)
                continue
            out.append('#include "api/k8s/%s/types.h"' % "/".join(ns_parts(dep)))
        # This package's hand-written types come first, before its generated names exist
        # (so that `Status` in them still means ::kstream::Status, not metav1.Status).
        for h in sorted({h for (p, _), h in SPECIAL.items() if p == pkg}):
            out.append('#include "%s"' % h)
        types = self.package_types(pkg)
        out += ["", "namespace %s {" % ns, ""]
        structs = [t["name"] for t in types if t["kind"] == "struct"]
        for n in structs:
            out.append("struct %s;" % n)
        out.append("")
        # Named non-struct types and aliases.
        for t in types:
            if t["kind"] in ("named", "alias"):
                d = self.resolve({"kind": "named", "pkg": pkg, "name": t["name"]})
                if d["k"] == "nullable" and d["pkg"] == pkg and d["name"] == t["name"]:
                    out.append("// %s: a []string written as a message {repeated string items = 1} when non-nil." % t["name"])
                    out.append("struct %s : ::kstream::typed::Slice<%s> {" % (t["name"], self.cpp_type(d["elem"])))
                    out.append("  using ::kstream::typed::Slice<%s>::Slice;" % self.cpp_type(d["elem"]))
                    out.append("};")
                    out.append("inline std::string GoTypeName(const %s*) { return %s; }"
                               % (t["name"], json.dumps(go_pkg_name(pkg) + "." + t["name"])))
                    # As a message of its own (a map value, e.g. map[string]ExtraValue).
                    out.append("inline size_t ProtoSize(const %s& v) { return ::kstream::typed::RepeatedStringSize(v); }" % t["name"])
                    out.append("inline uint8_t* ProtoWrite(const %s& v, uint8_t* end) { return ::kstream::typed::WriteRepeatedStringBody(v, end); }" % t["name"])
                    out.append("inline ::kstream::Status DecodeProto(std::string_view body, %s* out) { return ::kstream::typed::DecodeRepeatedStringBody(body, out); }" % t["name"])
                    continue
                if d["k"] == "struct" and d["pkg"] == pkg and d["name"] == t["name"]:
                    continue
                out.append("using %s = %s;" % (t["name"], self.cpp_type(d)))
        out.append("")
        for n in self.struct_order(pkg):
            out.append("struct %s {" % n)
            for f in self.struct_fields(pkg, n):
                d = self.resolve(f["type"])
                init = ""
                if d["k"] == "scalar" and d["t"] != "string":
                    init = "{}"
                out.append("  %s %s%s;" % (self.cpp_type(d), self.member_name(n, f), init))
            out.append("};")
            out.append("")
        for n in structs:
            out += [
                "void AppendJson(::kstream::typed::JsonWriter& w, const %s& v);" % n,
                "::kstream::Status DecodeJson(const ::kstream::api::Value& in, %s* out, ::kstream::typed::DecodeContext& ctx);" % n,
                "size_t ProtoSize(const %s& v);" % n,
                "uint8_t* ProtoWrite(const %s& v, uint8_t* end);" % n,
                "::kstream::Status DecodeProto(std::string_view body, %s* out);" % n,
                "inline std::string GoTypeName(const %s*) { return %s; }"
                % (n, json.dumps(go_pkg_name(pkg) + "." + n)),
            ]
        out += ["", "}  // namespace %s" % ns, ""]
        return "\n".join(out)

    def gen_source(self, pkg):
        parts = ns_parts(pkg)
        ns = "::".join(["kstream", "k8s"] + parts)
        out = ["// Generated by tools/gen_types.py from k8s-types.json (%s). Do not edit." % pkg,
               '#include "api/k8s/%s/types.h"' % "/".join(parts), "",
               "namespace %s {" % ns, "",
               "using ::kstream::typed::AppendJson;",
               "using ::kstream::typed::DecodeJson;", ""]
        for t in self.package_types(pkg):
            if t["kind"] != "struct":
                continue
            n = t["name"]
            out.append("void AppendJson(::kstream::typed::JsonWriter& w, const %s& v) {" % n)
            out.append("  w.BeginObject();")
            out += self.gen_append_json(pkg, n)
            out.append("  w.EndObject();")
            out.append("}")
            out.append("")
            out.append("::kstream::Status DecodeJson(const ::kstream::api::Value& in, %s* out, ::kstream::typed::DecodeContext& ctx) {" % n)
            out += self.gen_decode_json(pkg, n)
            out.append("}")
            out.append("")
            pfs = self.proto_fields(pkg, n)
            out.append("size_t ProtoSize(const %s& v) {" % n)
            out.append("  size_t n = 0;")
            for num, acc, f, d in pfs:
                out += ["  " + x for x in self.pb_value_size(d, "v." + acc, num, always=False)]
            out.append("  (void)v;")
            out.append("  return n;")
            out.append("}")
            out.append("")
            out.append("uint8_t* ProtoWrite(const %s& v, uint8_t* end) {" % n)
            for num, acc, f, d in reversed(pfs):
                out += ["  " + x for x in self.pb_value_write(d, "v." + acc, num, always=False)]
            out.append("  (void)v;")
            out.append("  return end;")
            out.append("}")
            out.append("")
            out.append("::kstream::Status DecodeProto(std::string_view body, %s* out) {" % n)
            out.append("  ::kstream::encoding::protobuf::Reader r(body);")
            out.append("  while (!r.done()) {")
            out.append("    uint32_t field;")
            out.append("    ::kstream::encoding::protobuf::WireType wt;")
            out.append("    KS_RETURN_IF_ERROR(r.Next(&field, &wt));")
            out.append("    switch (field) {")
            for num, acc, f, d in pfs:
                out.append("      case %d: {" % num)
                out += ["        " + x for x in self.pb_read(d, "out->" + acc, f["name"])]
                out.append("        break;")
                out.append("      }")
            out.append("      default:")
            out.append("        KS_RETURN_IF_ERROR(r.Skip(wt));")
            out.append("    }")
            out.append("  }")
            out.append("  (void)out;")
            out.append("  return ::kstream::Status::Ok();")
            out.append("}")
            out.append("")
        out += ["}  // namespace %s" % ns, ""]
        return "\n".join(out)

    # ------------------------------------------------------------------------------------
    # Kinds

    def gen_kinds(self):
        """The kinds table, split into KIND_CHUNKS translation units (each instantiates the
        type-erased codecs of its kinds: the heaviest code to compile, so the chunks build in
        parallel) and kinds_gen.cc, which concatenates them in schema order. Returns
        {file name: text}."""
        entries = []
        for k in self.schema["kinds"]:
            pkg = k["package"]
            if not self.is_generated(pkg, k["kind"]):
                continue
            if self.types[(pkg, k["kind"])]["kind"] != "struct":
                continue
            cpp = ns_of(pkg) + "::" + k["kind"]
            proto = any(f.get("protobuf") for f in self.struct_fields(pkg, k["kind"]))
            proto = proto and self.types[(pkg, k["kind"])].get("proto", {}).get("enabled", True) is not False
            list_of = k.get("itemKind", "") if k.get("isList") else ""
            entries.append((pkg, k["group"], k["version"], k["kind"], cpp,
                            k.get("hasObjectMeta", False), k.get("isList", False), list_of, proto))
        files = {}
        per = (len(entries) + KIND_CHUNKS - 1) // KIND_CHUNKS
        for c in range(KIND_CHUNKS):
            chunk = entries[c * per:(c + 1) * per]
            out = ["// Generated by tools/gen_types.py from k8s-types.json. Do not edit.",
                   '#include "api/typed/object.h"', ""]
            for pkg in sorted({e[0] for e in chunk}):
                out.append('#include "api/k8s/%s/types.h"' % "/".join(ns_parts(pkg)))
            out += ["", "namespace kstream::typed {", "",
                    "void AppendGeneratedKinds%d(std::vector<KindEntry>* kinds) {" % c]
            for pkg, g, v, kind, cpp, has_om, is_list, item, proto in chunk:
                out.append("  kinds->push_back(MakeKindEntry<%s>(%s, %s, %s, %s, %s, %s, %s));"
                           % (cpp, json.dumps(g), json.dumps(v), json.dumps(kind),
                              "true" if has_om else "false", "true" if is_list else "false",
                              json.dumps(item), "true" if proto else "false"))
            out += ["}", "", "}  // namespace kstream::typed", ""]
            files["kinds_gen_%d.cc" % c] = "\n".join(out)
        out = ["// Generated by tools/gen_types.py from k8s-types.json. Do not edit.",
               '#include "api/typed/object.h"', "", "namespace kstream::typed {", ""]
        for c in range(KIND_CHUNKS):
            out.append("void AppendGeneratedKinds%d(std::vector<KindEntry>* kinds);" % c)
        out += ["", "const std::vector<KindEntry>& GeneratedKinds() {",
                "  static const std::vector<KindEntry> kinds = [] {",
                "    std::vector<KindEntry> all;",
                "    all.reserve(%d);" % len(entries)]
        for c in range(KIND_CHUNKS):
            out.append("    AppendGeneratedKinds%d(&all);" % c)
        out += ["    return all;", "  }();", "  return kinds;", "}", "", "}  // namespace kstream::typed", ""]
        files["kinds_gen.cc"] = "\n".join(out)
        return files

    # ------------------------------------------------------------------------------------
    # Resources (REST facts, from resources.json)

    @staticmethod
    def gen_resources(resources):
        def sv(x):
            return json.dumps(x)

        def svs(xs):
            return "{" + ", ".join(sv(x) for x in xs) + "}"

        out = ["// Generated by tools/gen_types.py from resources.json. Do not edit.",
               '#include "api/typed/resource.h"', "",
               "namespace kstream::typed {", "",
               "const std::vector<ResourceInfo>& GeneratedResources() {",
               "  static const std::vector<ResourceInfo> resources = {"]
        for r in resources["resources"]:
            if r.get("staleSnapshotEntry"):
                continue  # only in an old discovery snapshot, gone from the v1.33 source
            subs = []
            for sr in r.get("subresources", []):
                subs.append("{%s, %s, %s, %s, %s}" % (sv(sr["name"]), sv(sr["group"]), sv(sr["version"]),
                                                      sv(sr["kind"]), svs(sr["verbs"])))
            out.append("      {%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, {%s}, %s, %s}," % (
                sv(r["group"]), sv(r["version"]), sv(r["kind"]), sv(r.get("listKind", "")),
                sv(r["resource"]), sv(r["singularResource"]),
                "true" if r["namespaced"] else "false",
                svs(r["verbs"]), svs(r.get("shortNames", [])), svs(r.get("categories", [])),
                ", ".join(subs), sv(r["stability"]),
                "true" if r["defaultServed"] else "false"))
        out += ["  };", "  return resources;", "}", "", "}  // namespace kstream::typed", ""]
        return "\n".join(out)

    def run(self, out_dir, resources):
        written = []
        for pkg in self.pkgs:
            if pkg in SKIP_PACKAGES:
                continue
            rel = "api/k8s/%s" % "/".join(ns_parts(pkg))
            d = os.path.join(out_dir, rel)
            os.makedirs(d, exist_ok=True)
            write_if_changed(os.path.join(d, "types.h"), self.gen_header(pkg))
            write_if_changed(os.path.join(d, "types.cc"), self.gen_source(pkg))
            written.append(rel + "/types.cc")
        for name, text in self.gen_kinds().items():
            write_if_changed(os.path.join(out_dir, "api/k8s", name), text)
        write_if_changed(os.path.join(out_dir, "api/k8s/resources_gen.cc"), self.gen_resources(resources))
        return written


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w") as f:
        f.write(text)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--list-outputs":
        # The generated sources, for the build system (one per line, relative to OUT_DIR).
        with open(sys.argv[2]) as f:
            schema = json.load(f)
        for p in schema["packages"]:
            if p["importPath"] not in SKIP_PACKAGES:
                print("api/k8s/%s/types.cc" % "/".join(ns_parts(p["importPath"])))
        print("api/k8s/kinds_gen.cc")
        for c in range(KIND_CHUNKS):
            print("api/k8s/kinds_gen_%d.cc" % c)
        print("api/k8s/resources_gen.cc")
        return
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    with open(os.path.join(os.path.dirname(sys.argv[1]), "resources.json")) as f:
        resources = json.load(f)
    Gen(schema).run(sys.argv[2], resources)


if __name__ == "__main__":
    main()
