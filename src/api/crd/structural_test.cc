// Tests of the CRD structural-schema library. Expectations are upstream facts: the test
// vectors of k8s.io/apiextensions-apiserver (apiserver/validation/validation_test.go,
// schema/pruning/algorithm_test.go, schema/defaulting/algorithm_test.go,
// schema/listtype/validation_test.go, schema/objectmeta/*_test.go, the CRD integration
// tests), the message templates of kube-openapi's pkg/validation/errors and
// apimachinery's field.Error, and errors observed from kube-apiservers (kubectl output
// quoted in public reports). Names contain Crd/Structural/Prun/Default for the filter.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/crd/internal.h"
#include "api/crd/structural.h"
#include "api/json.h"

namespace kstream::api::crd {
namespace {

Value J(std::string_view json) {
  auto r = ParseJson(json);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " in " << json;
  return r.ok() ? std::move(r).value() : Value();
}

std::string ToJ(const Value& v) {
  auto r = ToJson(v);
  return r.ok() ? r.value() : std::string("<error>");
}

std::shared_ptr<const Schema> Compile(std::string_view json) {
  auto r = Schema::Compile(J(json));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : nullptr;
}

// kube's field.Error.Error(): "<field>: <ErrorBody>", as the upstream tests compare them.
std::vector<std::string> ErrorStrings(const std::vector<FieldError>& errs) {
  std::vector<std::string> out;
  for (const FieldError& e : errs) out.push_back(e.field + ": " + e.message);
  return out;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> ValidateSorted(const Schema& s, std::string_view obj) {
  return Sorted(ErrorStrings(s.Validate(J(obj))));
}

// ---------------------------------------------------------------------------------------
// Custom resource validation: apiserver/validation TestValidateCustomResource.

TEST(CrdStructuralValidate, NotNullableObject) {
  auto s = Compile(R"({"type":"object","properties":{"field":{"type":"object"}}})");
  EXPECT_TRUE(s->Validate(J("{}")).empty());
  EXPECT_TRUE(s->Validate(J(R"({"field":{}})")).empty());
  struct Case {
    const char* obj;
    const char* err;
  } cases[] = {
      {R"({"field":"foo"})", R"(field: Invalid value: "string": field in body must be of type object: "string")"},
      {R"({"field":42})", R"(field: Invalid value: "integer": field in body must be of type object: "integer")"},
      {R"({"field":true})", R"(field: Invalid value: "boolean": field in body must be of type object: "boolean")"},
      {R"({"field":1.2})", R"(field: Invalid value: "number": field in body must be of type object: "number")"},
      {R"({"field":[]})", R"(field: Invalid value: "array": field in body must be of type object: "array")"},
      {R"({"field":null})", R"(field: Invalid value: "null": field in body must be of type object: "null")"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ValidateSorted(*s, c.obj), std::vector<std::string>{c.err}) << c.obj;
  }
  auto errs = s->Validate(J(R"({"field":"foo"})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].type, "FieldValueTypeInvalid");
  EXPECT_EQ(errs[0].field, "field");
}

TEST(CrdStructuralValidate, NullableObject) {
  auto s = Compile(R"({"type":"object","properties":{"field":{"type":"object","nullable":true}}})");
  EXPECT_TRUE(s->Validate(J(R"({"field":null})")).empty());
  EXPECT_EQ(ValidateSorted(*s, R"({"field":"foo"})"),
            std::vector<std::string>{R"(field: Invalid value: "string": field in body must be of type object: "string")"});
  auto untyped = Compile(R"({"type":"object","properties":{"field":{"nullable":true}}})");
  for (const char* obj : {R"({})", R"({"field":{}})", R"({"field":null})", R"({"field":"foo"})", R"({"field":42})",
                          R"({"field":true})", R"({"field":1.2})", R"({"field":[]})"}) {
    EXPECT_TRUE(untyped->Validate(J(obj)).empty()) << obj;
  }
}

TEST(CrdStructuralValidate, IntOrString) {
  auto s = Compile(R"({"type":"object","properties":{"field":{"x-kubernetes-int-or-string":true}}})");
  for (const char* obj : {R"({})", R"({"field":42})", R"({"field":"foo"})"}) {
    EXPECT_TRUE(s->Validate(J(obj)).empty()) << obj;
  }
  struct Case {
    const char* obj;
    const char* err;
  } cases[] = {
      {R"({"field":null})", R"(field: Invalid value: "null": field in body must be of type integer,string: "null")"},
      {R"({"field":true})",
       R"(field: Invalid value: "boolean": field in body must be of type integer,string: "boolean")"},
      {R"({"field":1.2})", R"(field: Invalid value: "number": field in body must be of type integer,string: "number")"},
      {R"({"field":{}})", R"(field: Invalid value: "object": field in body must be of type integer,string: "object")"},
      {R"({"field":[]})", R"(field: Invalid value: "array": field in body must be of type integer,string: "array")"},
  };
  for (const Case& c : cases) EXPECT_EQ(ValidateSorted(*s, c.obj), std::vector<std::string>{c.err}) << c.obj;

  auto nullable =
      Compile(R"({"type":"object","properties":{"field":{"nullable":true,"x-kubernetes-int-or-string":true}}})");
  EXPECT_TRUE(nullable->Validate(J(R"({"field":null})")).empty());
}

TEST(CrdStructuralValidate, IntOrStringWithAnyOf) {
  auto s = Compile(R"({"type":"object","properties":{"field":{"nullable":true,"x-kubernetes-int-or-string":true,
      "anyOf":[{"type":"integer"},{"type":"string"}]}}})");
  for (const char* obj : {R"({})", R"({"field":null})", R"({"field":42})", R"({"field":"foo"})"}) {
    EXPECT_TRUE(s->Validate(J(obj)).empty()) << obj;
  }
  for (const char* kind : {"boolean", "number", "object", "array"}) {
    std::string value = std::string(kind) == "boolean" ? "true"
                        : std::string(kind) == "number"  ? "1.2"
                        : std::string(kind) == "object"  ? "{}"
                                                         : "[]";
    EXPECT_EQ(ValidateSorted(*s, "{\"field\":" + value + "}"),
              (std::vector<std::string>{
                  R"(<nil>: Invalid value: "": "field" must validate at least one schema (anyOf))",
                  std::string("field: Invalid value: \"") + kind + "\": field in body must be of type integer,string: \"" +
                      kind + "\"",
                  std::string("field: Invalid value: \"") + kind + "\": field in body must be of type integer: \"" + kind +
                      "\"",
              }))
        << kind;
  }
}

TEST(CrdStructuralValidate, IntOrStringWithAllOf) {
  auto s = Compile(R"({"type":"object","properties":{"field":{"nullable":true,"x-kubernetes-int-or-string":true,
      "allOf":[{"anyOf":[{"type":"integer"},{"type":"string"}]}]}}})");
  for (const char* obj : {R"({})", R"({"field":null})", R"({"field":42})", R"({"field":"foo"})"}) {
    EXPECT_TRUE(s->Validate(J(obj)).empty()) << obj;
  }
  EXPECT_EQ(ValidateSorted(*s, R"({"field":true})"),
            (std::vector<std::string>{
                R"(<nil>: Invalid value: "": "field" must validate all the schemas (allOf). None validated)",
                R"(<nil>: Invalid value: "": "field" must validate at least one schema (anyOf))",
                R"(field: Invalid value: "boolean": field in body must be of type integer,string: "boolean")",
                R"(field: Invalid value: "boolean": field in body must be of type integer: "boolean")",
            }));
}

TEST(CrdStructuralValidate, InvalidRegex) {
  auto s = Compile(R"({"type":"object","properties":{"field":{"type":"string","pattern":"+"}}})");
  EXPECT_EQ(ValidateSorted(*s, R"({"field":"foo"})"),
            std::vector<std::string>{"field: Invalid value: \"foo\": field in body should match '+, but pattern is "
                                     "invalid: error parsing regexp: missing argument to repetition operator: `+`'"});
}

TEST(CrdStructuralValidate, RequiredField) {
  auto s = Compile(R"({"type":"object","required":["field"],"properties":{"field":{"type":"object",
      "required":["nested"],"properties":{"nested":{}}}}})");
  EXPECT_EQ(ValidateSorted(*s, R"({"test":"a"})"), std::vector<std::string>{"field: Required value"});
  EXPECT_EQ(ValidateSorted(*s, R"({"field":{}})"), std::vector<std::string>{"field.nested: Required value"});
  auto errs = s->Validate(J(R"({"field":{}})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].type, "FieldValueRequired");
}

TEST(CrdStructuralValidate, Enum) {
  auto s = Compile(R"({"type":"object","properties":{"field":{"type":"object",
      "required":["nestedint","nestedstring"],"properties":{
        "nestedint":{"type":"integer","enum":[1,2]},
        "nestedstring":{"type":"string","enum":["a","b"]}}}}})");
  EXPECT_EQ(ValidateSorted(*s, R"({"field":{}})"),
            (std::vector<std::string>{"field.nestedint: Required value", "field.nestedstring: Required value"}));
  EXPECT_EQ(ValidateSorted(*s, R"({"field":{"nestedint":"x","nestedstring":true}})"),
            (std::vector<std::string>{
                R"(field.nestedint: Invalid value: "string": field.nestedint in body must be of type integer: "string")",
                R"(field.nestedint: Unsupported value: "x": supported values: "1", "2")",
                R"(field.nestedstring: Invalid value: "boolean": field.nestedstring in body must be of type string: "boolean")",
                R"(field.nestedstring: Unsupported value: true: supported values: "a", "b")",
            }));
  EXPECT_TRUE(s->Validate(J(R"({"field":{"nestedint":2,"nestedstring":"a"}})")).empty());
  auto errs = s->Validate(J(R"({"field":{"nestedint":3,"nestedstring":"a"}})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].type, "FieldValueNotSupported");
  EXPECT_EQ(errs[0].message, R"(Unsupported value: 3: supported values: "1", "2")");
}

TEST(CrdStructuralValidate, MaxPropertiesItemsLength) {
  auto s = Compile(R"({"type":"object","properties":{
      "props":{"type":"object","maxProperties":2},
      "items":{"type":"array","maxItems":2},
      "str":{"type":"string","maxLength":2}}})");
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"props":{"a":true,"b":true,"c":true}})"))),
            std::vector<std::string>{"props: Too many: 3: must have at most 2 items"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"items":["a","b","c"]})"))),
            std::vector<std::string>{"items: Too many: 3: must have at most 2 items"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"str":"abc"})"))),
            std::vector<std::string>{"str: Too long: may not be more than 2 bytes"});
  auto errs = s->Validate(J(R"({"str":"abc","items":[1,2,3]})"));
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].type, "FieldValueTooMany");
  EXPECT_EQ(errs[1].type, "FieldValueTooLong");
  // maxLength counts runes (utf8.RuneCount), not bytes.
  EXPECT_TRUE(s->Validate(J(R"({"str":"\u00e9\u00e9"})")).empty());
}

// kube-openapi's message templates (pkg/validation/errors/schema.go), rendered through
// kubeOpenAPIResultToFieldErrors' default case: field.Invalid(path, value, message).
TEST(CrdStructuralValidate, MessageTemplates) {
  auto s = Compile(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "replicas":{"type":"integer","minimum":1,"maximum":10},
      "excl":{"type":"number","exclusiveMinimum":true,"minimum":0,"exclusiveMaximum":true,"maximum":1.5},
      "even":{"type":"integer","multipleOf":2},
      "step":{"type":"number","multipleOf":0.5},
      "name":{"type":"string","minLength":3,"pattern":"^[a-z]+$"},
      "list":{"type":"array","minItems":1,"items":{"type":"string"}},
      "map":{"type":"object","minProperties":1,"additionalProperties":{"type":"string"}}}}}})");
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"replicas":15}})"))),
            std::vector<std::string>{"spec.replicas: Invalid value: 15: spec.replicas in body should be less than or "
                                     "equal to 10"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"replicas":0}})"))),
            std::vector<std::string>{"spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or "
                                     "equal to 1"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"excl":0}})"))),
            std::vector<std::string>{"spec.excl: Invalid value: 0: spec.excl in body should be greater than 0"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"excl":1.5}})"))),
            std::vector<std::string>{"spec.excl: Invalid value: 1.5: spec.excl in body should be less than 1.5"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"even":7}})"))),
            std::vector<std::string>{"spec.even: Invalid value: 7: spec.even in body should be a multiple of 2"});
  EXPECT_TRUE(s->Validate(J(R"({"spec":{"even":8,"step":1.5}})")).empty());
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"step":1.2}})"))),
            std::vector<std::string>{"spec.step: Invalid value: 1.2: spec.step in body should be a multiple of 0.5"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"name":"ab"}})"))),
            std::vector<std::string>{
                R"(spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long)"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"name":"ABC"}})"))),
            std::vector<std::string>{R"(spec.name: Invalid value: "ABC": spec.name in body should match '^[a-z]+$')"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"list":[]}})"))),
            std::vector<std::string>{"spec.list: Invalid value: 0: spec.list in body should have at least 1 items"});
  // The form PR kubernetes#141641 quotes as the current minProperties error.
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"spec":{"map":{}}})"))),
            std::vector<std::string>{"spec.map: Invalid value: 0: spec.map in body should have at least 1 properties"});
  // The CRD docs' example: a too-large replicas and a wrong pattern in one object.
  EXPECT_EQ(ValidateSorted(*s, R"({"spec":{"replicas":15,"name":"a b c"}})"),
            (std::vector<std::string>{
                R"(spec.name: Invalid value: "a b c": spec.name in body should match '^[a-z]+$')",
                "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10"}));
}

TEST(CrdStructuralValidate, IntegerVersusNumber) {
  auto s = Compile(R"({"type":"object","properties":{"i":{"type":"integer"},"n":{"type":"number"}}})");
  // A JSON integer is a valid number; a float with an integral value is a valid integer.
  EXPECT_TRUE(s->Validate(J(R"({"i":3,"n":3})")).empty());
  EXPECT_TRUE(s->Validate(J(R"({"i":3.0,"n":3.5})")).empty());
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"i":3.5})"))),
            std::vector<std::string>{R"(i: Invalid value: "number": i in body must be of type integer: "number")"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"n":"3"})"))),
            std::vector<std::string>{R"(n: Invalid value: "string": n in body must be of type number: "string")"});
}

TEST(CrdStructuralValidate, NestedArraysAndMaps) {
  auto s = Compile(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "items":{"type":"array","items":{"type":"object","required":["name"],
        "properties":{"name":{"type":"string"},"port":{"type":"integer"}}}},
      "labels":{"type":"object","additionalProperties":{"type":"string"}}}}}})");
  EXPECT_EQ(ValidateSorted(*s, R"({"spec":{"items":[{"name":"a"},{"port":"x"}],"labels":{"a":"b","c":1}}})"),
            (std::vector<std::string>{
                "spec.items[1].name: Required value",
                R"(spec.items[1].port: Invalid value: "string": spec.items[1].port in body must be of type integer: "string")",
                R"(spec.labels.c: Invalid value: "integer": spec.labels.c in body must be of type string: "integer")",
            }));
}

TEST(CrdStructuralValidate, Formats) {
  auto s = Compile(R"({"type":"object","properties":{
      "t":{"type":"string","format":"date-time"},
      "d":{"type":"string","format":"date"},
      "ip":{"type":"string","format":"ipv4"},
      "u":{"type":"string","format":"uuid"},
      "b":{"type":"string","format":"byte"},
      "unknown":{"type":"string","format":"not-a-format"}}})");
  EXPECT_TRUE(s->Validate(J(R"({"t":"2024-02-29T10:00:00Z","d":"2024-02-29","ip":"10.0.0.1",
      "u":"123e4567-e89b-12d3-a456-426614174000","b":"aGVsbG8=","unknown":"x"})"))
                  .empty());
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"t":"yesterday"})"))),
            std::vector<std::string>{R"(t: Invalid value: "yesterday": t in body must be of type date-time: "yesterday")"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"d":"2023-02-29"})"))),
            std::vector<std::string>{R"(d: Invalid value: "2023-02-29": d in body must be of type date: "2023-02-29")"});
  EXPECT_EQ(s->Validate(J(R"({"ip":"10.0.0"})")).size(), 1u);
  EXPECT_EQ(s->Validate(J(R"({"u":"nope"})")).size(), 1u);
  EXPECT_EQ(s->Validate(J(R"({"b":"a"})")).size(), 1u);
  EXPECT_EQ(s->Validate(J(R"({"t":"x"})"))[0].type, "FieldValueTypeInvalid");
}

TEST(CrdStructuralValidate, AllOfOneOfNot) {
  auto s = Compile(R"({"type":"object","properties":{
      "one":{"type":"integer","oneOf":[{"minimum":0},{"maximum":10}]},
      "not":{"type":"string","not":{"enum":["forbidden"]}}}})");
  EXPECT_TRUE(s->Validate(J(R"({"one":-5})")).empty());
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"one":5})"))),
            std::vector<std::string>{
                R"(<nil>: Invalid value: "": "one" must validate one and only one schema (oneOf). Found 2 valid alternatives)"});
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"not":"forbidden"})"))),
            std::vector<std::string>{R"(<nil>: Invalid value: "": "not" must not validate the schema (not))"});
  EXPECT_TRUE(s->Validate(J(R"({"not":"fine"})")).empty());
}

// ---------------------------------------------------------------------------------------
// x-kubernetes-list-type: schema/listtype TestValidateListSetsAndMaps.

TEST(CrdStructuralListType, Sets) {
  auto s = Compile(R"({"type":"object","properties":{
      "array":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
      "plain":{"type":"array","items":{"type":"string"}},
      "nested":{"type":"array","items":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}})");
  EXPECT_TRUE(s->Validate(J(R"({"array":["a","b"],"plain":["a","a"]})")).empty());
  auto errs = s->Validate(J(R"({"array":["a","a","b","c","d","c"]})"));
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0], (FieldError{"FieldValueDuplicate", "array[1]", R"(Duplicate value: "a")"}));
  EXPECT_EQ(errs[1], (FieldError{"FieldValueDuplicate", "array[5]", R"(Duplicate value: "c")"}));
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"nested":[["a","b","a"],["b","b","a"]]})"))),
            (std::vector<std::string>{R"(nested[0][2]: Duplicate value: "a")", R"(nested[1][1]: Duplicate value: "b")"}));
}

TEST(CrdStructuralListType, SetsOfCompoundAndScalarKinds) {
  auto s = Compile(R"({"type":"object","properties":{
      "integers":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"integer"}},
      "booleans":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"boolean"}},
      "float64":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"number"}},
      "nil":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string","nullable":true}},
      "maps":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"object","additionalProperties":{"type":"string","nullable":true}}},
      "arrays":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"array","items":{"type":"string","nullable":true}}}}})");
  std::vector<std::string> fields;
  for (const FieldError& e : s->Validate(J(R"({
      "integers":[1,2,1], "booleans":[false,true,true], "float64":[1.0,2.0,2.0], "nil":["a",null,null],
      "maps":[{"a":"b"},{"a":"c"},{"a":"b"},{"a":null},{"b":"c","a":null}],
      "arrays":[[],[null],[null,null],[null],["a"]]})"))) {
    EXPECT_EQ(e.type, "FieldValueDuplicate");
    fields.push_back(e.field);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"arrays[3]", "booleans[2]", "float64[2]", "integers[2]", "maps[2]",
                                              "nil[2]"}));
}

TEST(CrdStructuralListType, Maps) {
  auto s = Compile(R"({"type":"object","properties":{
      "one":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["a"],
             "items":{"type":"object","properties":{"a":{"type":"string"},"c":{"type":"string"}}}},
      "two":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["a","b"],
             "items":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"},"c":{"type":"string"}}}},
      "bad":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["a"],
             "items":{"type":"object","properties":{"a":{"type":"string"}}}}}})");
  // "one key": {a:0},{a:1},{a:1},{} -> index 2; "two keys": (1,1),(1,2),(1,2),{} -> index 2.
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({
      "one":[{"a":"0","c":"2"},{"a":"1","c":"1"},{"a":"1","c":"2"},{}],
      "two":[{"a":"1","b":"1","c":"1"},{"a":"1","b":"2","c":"2"},{"a":"1","b":"2","c":"3"},{}]})"))),
            (std::vector<std::string>{R"(one[2]: Duplicate value: {"a":"1"})", R"(two[2]: Duplicate value: {"a":"1","b":"2"})"}));
  // Items without the key are "unspecified" and collide with each other.
  // (A null item is also not an object for the schema validator.)
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"one":[{"c":"1"},null,{"a":"x"}]})"))),
            (std::vector<std::string>{R"(one[1]: Invalid value: "null": one[1] in body must be of type object: "null")",
                                      "one[1]: Duplicate value: {}"}));
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"bad":[{"a":"x"},"scalar",{"a":"x"}]})"))),
            (std::vector<std::string>{
                R"(bad[1]: Invalid value: "string": bad[1] in body must be of type object: "string")",
                R"(bad[1]: Invalid value: "scalar": must be an object for an array of list-type map)"}));
}

TEST(CrdStructuralListType, UnderAdditionalProperties) {
  auto s = Compile(R"({"type":"object","properties":{"m":{"type":"object","additionalProperties":{
      "type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}})");
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"m":{"array":["a","b","a"]}})"))),
            std::vector<std::string>{R"(m[array][2]: Duplicate value: "a")"});
}

// ---------------------------------------------------------------------------------------
// Embedded resources: schema/objectmeta TestValidate and TestValidateEmbeddedResource.

std::vector<std::pair<std::string, std::string>> TypesAndFields(const std::vector<FieldError>& errs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const FieldError& e : errs) out.emplace_back(e.type, e.field);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(CrdStructuralEmbedded, RequiredTypeMeta) {
  auto s = Compile(R"({"type":"object","properties":{
      "embedded":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
      "nested":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true,
        "properties":{"embedded":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}},
      "items":{"type":"array","items":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}},
      "additionalProperties":{"type":"object","additionalProperties":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}})");
  using P = std::pair<std::string, std::string>;
  EXPECT_TRUE(s->Validate(J("{}")).empty());
  EXPECT_EQ(TypesAndFields(s->Validate(J(R"({"embedded":{}})"))),
            (std::vector<P>{{"FieldValueRequired", "embedded.apiVersion"}, {"FieldValueRequired", "embedded.kind"}}));
  EXPECT_EQ(TypesAndFields(s->Validate(J(R"({"nested":{"embedded":{}}})"))),
            (std::vector<P>{{"FieldValueRequired", "nested.apiVersion"},
                            {"FieldValueRequired", "nested.embedded.apiVersion"},
                            {"FieldValueRequired", "nested.embedded.kind"},
                            {"FieldValueRequired", "nested.kind"}}));
  EXPECT_EQ(TypesAndFields(s->Validate(J(R"({"items":[{}]})"))),
            (std::vector<P>{{"FieldValueRequired", "items[0].apiVersion"}, {"FieldValueRequired", "items[0].kind"}}));
  EXPECT_EQ(TypesAndFields(s->Validate(J(R"({"additionalProperties":{"foo":{}}})"))),
            (std::vector<P>{{"FieldValueRequired", "additionalProperties[foo].apiVersion"},
                            {"FieldValueRequired", "additionalProperties[foo].kind"}}));
  EXPECT_EQ(ErrorStrings(s->Validate(J(R"({"embedded":{}})"))),
            (std::vector<std::string>{"embedded.apiVersion: Required value", "embedded.kind: Required value"}));
}

TEST(CrdStructuralEmbedded, InvalidKindAndMetadata) {
  auto s = Compile(R"({"type":"object","properties":{"e":{"type":"object","x-kubernetes-embedded-resource":true,
      "x-kubernetes-preserve-unknown-fields":true}}})");
  using P = std::pair<std::string, std::string>;
  EXPECT_TRUE(s->Validate(J(R"({"e":{"apiVersion":"foo/v1","kind":"Foo"}})")).empty());
  EXPECT_TRUE(s->Validate(J(R"({"e":{"apiVersion":"foo/v1","kind":"Foo","metadata":{"namespace":"kube-system"}}})")).empty());
  EXPECT_EQ(TypesAndFields(s->Validate(J(R"({"e":{"apiVersion":"foo/v1","kind":"foo.bar-com"}})"))),
            (std::vector<P>{{"FieldValueInvalid", "e.kind"}}));
  EXPECT_EQ(TypesAndFields(s->Validate(J(R"({"e":{"apiVersion":"foo/v1","kind":"Foo","metadata":{
      "name":"..","namespace":"$$$","labels":{"#":"#"},"annotations":{"#":"#"}}}})"))),
            (std::vector<P>{{"FieldValueInvalid", "e.metadata.annotations"},
                            {"FieldValueInvalid", "e.metadata.labels"},
                            {"FieldValueInvalid", "e.metadata.labels"},
                            {"FieldValueInvalid", "e.metadata.name"},
                            {"FieldValueInvalid", "e.metadata.namespace"}}));
  auto errs = s->Validate(J(R"({"e":{"apiVersion":"foo/v1","kind":"Foo","metadata":{"name":".."}}})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].message, R"(Invalid value: "..": may not be '..')");
  errs = s->Validate(J(R"({"e":{"apiVersion":"a/b/c","kind":"Foo"}})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].message, R"(Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c)");
}

// ---------------------------------------------------------------------------------------
// Pruning: schema/pruning TestPrune (through the internal pruner, which is kube's
// PruneWithOptions), and Schema::Prune (with the null pruning and ObjectMeta coercion kube's
// decoder adds).

void ExpectPrune(std::string_view schema_json, bool resource_root, std::string_view in, std::string_view expected,
                 const std::vector<std::string>& expected_pruned) {
  Value schema = J(schema_json);
  internal::Node node;
  std::string err_path, err_msg;
  ASSERT_TRUE(internal::ParseNode(schema, "", 0, &node, &err_path, &err_msg)) << err_msg;
  Value obj = J(in);
  std::vector<std::string> pruned;
  internal::PruneUnknown(&obj, &node, resource_root, &pruned);
  EXPECT_EQ(ToJ(obj), ToJ(J(expected)));
  EXPECT_EQ(pruned, expected_pruned);
}

TEST(CrdPrune, UpstreamArrays) {
  ExpectPrune(R"({"items":{}})", false, "[1,2]", "[1,2]", {});
  ExpectPrune(R"({"items":{"properties":{"a":{},"c":{}}}})", false, R"([{"a":1},{"b":1},{"a":1,"b":2,"c":3}])",
              R"([{"a":1},{},{"a":1,"c":3}])", {"[1].b", "[2].b"});
  ExpectPrune(R"({"properties":{"array":{"items":{"properties":{"a":{},"c":{}}}},"specified":{"properties":{"a":{},"c":{}}}}})",
              false,
              R"({"array":[{"a":1},{"b":1},{"a":1,"b":2,"c":3}],"unspecified":{"a":1},"specified":{"a":1,"b":2,"c":3}})",
              R"({"array":[{"a":1},{},{"a":1,"c":3}],"specified":{"a":1,"c":3}})",
              {"array[1].b", "array[2].b", "specified.b", "unspecified"});
}

TEST(CrdPrune, UpstreamNestedPreserveUnknownFields) {
  ExpectPrune(R"({"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{
      "alpha":{"type":"string"},"beta":{"type":"number"},
      "pruning":{"type":"object","properties":{
        "preserving":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
        "pruning":{"type":"object"}}},
      "preserving":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{
        "preserving":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
        "pruning":{"type":"object"}}},
      "preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields":{"type":"object",
        "x-kubernetes-preserve-unknown-fields":true,
        "additionalProperties":{"type":"object","properties":{"specified":{"type":"object"}}}},
      "preservingAdditionalPropertiesKeyPruneValues":{"type":"object",
        "additionalProperties":{"type":"object","properties":{"specified":{"type":"object"}}}}}})",
              false, R"({
  "unspecified":"bar", "alpha": "abc", "beta": 42.0, "unspecifiedObject": {"unspecified": "bar"},
  "pruning": {"unspecified": "bar", "unspecifiedObject": {"unspecified": "bar"}, "pruning": {"unspecified": "bar"},
              "apiVersion": "unknown", "preserving": {"unspecified": "bar"}},
  "preserving": {"unspecified": "bar", "unspecifiedObject": {"unspecified": "bar"}, "pruning": {"unspecified": "bar"},
                 "preserving": {"unspecified": "bar"}},
  "preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields": {"foo": {"specified": {"unspecified":"bar"}, "unspecified": "bar"}},
  "preservingAdditionalPropertiesKeyPruneValues": {"foo": {"specified": {"unspecified":"bar"}, "unspecified": "bar"}}})",
              R"({
  "unspecified":"bar", "alpha": "abc", "beta": 42.0, "unspecifiedObject": {"unspecified": "bar"},
  "pruning": {"pruning": {}, "preserving": {"unspecified": "bar"}},
  "preserving": {"unspecified": "bar", "unspecifiedObject": {"unspecified": "bar"}, "pruning": {},
                 "preserving": {"unspecified": "bar"}},
  "preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields": {"foo": {"specified": {}}},
  "preservingAdditionalPropertiesKeyPruneValues": {"foo": {"specified": {}}}})",
              {"preserving.pruning.unspecified",
               "preservingAdditionalPropertiesKeyPruneValues.foo.specified.unspecified",
               "preservingAdditionalPropertiesKeyPruneValues.foo.unspecified",
               "preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields.foo.specified.unspecified",
               "preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields.foo.unspecified",
               "pruning.apiVersion", "pruning.pruning.unspecified", "pruning.unspecified",
               "pruning.unspecifiedObject"});
}

TEST(CrdPrune, UpstreamAdditionalProperties) {
  ExpectPrune(R"({"properties":{"a":{},"c":{"additionalProperties":{"type":"integer"}}}})", false,
              R"({"a":1,"b":1,"c":{"a":1,"b":2,"c":{"a":1}}})", R"({"a":1,"c":{"a":1,"b":2,"c":{}}})",
              {"b", "c.c.a"});
  ExpectPrune(R"({"properties":{"a":{},"c":{"additionalProperties":false}}})", false,
              R"({"a":1,"b":1,"c":{"a":1,"b":2,"c":{"a":1, "apiVersion": "unknown"}}})",
              R"({"a":1,"c":{"a":1,"b":2,"c":{}}})", {"b", "c.c.a", "c.c.apiVersion"});
}

constexpr std::string_view kEmbeddedSchema = R"({"type":"object","properties":{
    "pruned":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}},
    "preserving":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
    "nested":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object","properties":{
      "embedded":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}}}}}}})";

constexpr std::string_view kEmbeddedObject = R"({
  "apiVersion": "foo/v1", "kind": "Foo", "metadata": {"name": "instance", "unspecified": "bar"},
  "unspecified":"bar",
  "pruned": {"apiVersion": "foo/v1", "kind": "Foo", "unspecified": "bar",
             "metadata": {"name": "instance", "unspecified": "bar"}, "spec": {"unspecified": "bar"}},
  "preserving": {"apiVersion": "foo/v1", "kind": "Foo", "unspecified": "bar",
                 "metadata": {"name": "instance", "unspecified": "bar"}, "spec": {"unspecified": "bar"}},
  "nested": {"apiVersion": "foo/v1", "kind": "Foo", "unspecified": "bar",
             "metadata": {"name": "instance", "unspecified": "bar"},
             "spec": {"unspecified": "bar",
                      "embedded": {"apiVersion": "foo/v1", "kind": "Foo", "unspecified": "bar",
                                   "metadata": {"name": "instance", "unspecified": "bar"},
                                   "spec": {"unspecified": "bar"}}}}})";

TEST(CrdPrune, UpstreamEmbeddedResourceWithRoot) {
  ExpectPrune(kEmbeddedSchema, true, kEmbeddedObject, R"({
  "apiVersion": "foo/v1", "kind": "Foo", "metadata": {"name": "instance", "unspecified": "bar"},
  "pruned": {"apiVersion": "foo/v1", "kind": "Foo", "metadata": {"name": "instance", "unspecified": "bar"}, "spec": {}},
  "preserving": {"apiVersion": "foo/v1", "kind": "Foo", "unspecified": "bar",
                 "metadata": {"name": "instance", "unspecified": "bar"}, "spec": {"unspecified": "bar"}},
  "nested": {"apiVersion": "foo/v1", "kind": "Foo", "metadata": {"name": "instance", "unspecified": "bar"},
             "spec": {"embedded": {"apiVersion": "foo/v1", "kind": "Foo",
                                   "metadata": {"name": "instance", "unspecified": "bar"}, "spec": {}}}}})",
              {"nested.spec.embedded.spec.unspecified", "nested.spec.embedded.unspecified", "nested.spec.unspecified",
               "nested.unspecified", "pruned.spec.unspecified", "pruned.unspecified", "unspecified"});
}

TEST(CrdPrune, SchemaPruneCoercesEmbeddedMetadata) {
  // Schema::Prune = PruneWithOptions(root) + objectmeta.Coerce (TestCoerce's
  // "x-kubernetes-embedded-resource": unknown ObjectMeta fields of embedded resources are
  // dropped, the root's metadata is left alone).
  auto s = Compile(kEmbeddedSchema);
  Value obj = J(kEmbeddedObject);
  std::vector<std::string> pruned;
  s->Prune(&obj, &pruned);
  EXPECT_EQ(ToJ(obj), ToJ(J(R"({
  "apiVersion": "foo/v1", "kind": "Foo", "metadata": {"name": "instance", "unspecified": "bar"},
  "pruned": {"apiVersion": "foo/v1", "kind": "Foo", "metadata": {"name": "instance"}, "spec": {}},
  "preserving": {"apiVersion": "foo/v1", "kind": "Foo", "unspecified": "bar",
                 "metadata": {"name": "instance"}, "spec": {"unspecified": "bar"}},
  "nested": {"apiVersion": "foo/v1", "kind": "Foo", "metadata": {"name": "instance"},
             "spec": {"embedded": {"apiVersion": "foo/v1", "kind": "Foo", "metadata": {"name": "instance"},
                                   "spec": {}}}}})")));
  EXPECT_EQ(pruned, (std::vector<std::string>{
                        "nested.spec.embedded.spec.unspecified", "nested.spec.embedded.unspecified",
                        "nested.spec.unspecified", "nested.unspecified", "pruned.spec.unspecified",
                        "pruned.unspecified", "unspecified",
                        // ObjectMeta coercion: ParentPath.Child("metadata") + "." + field.
                        "nested.metadata.unspecified", "nested.spec.embedded.metadata.unspecified",
                        "preserving.metadata.unspecified", "pruned.metadata.unspecified"}));
  // The namespace-only embedded metadata stays as it is ("without name").
  auto t = Compile(R"({"type":"object","properties":{"pruned":{"type":"object","x-kubernetes-embedded-resource":true,
      "x-kubernetes-preserve-unknown-fields":true}}})");
  Value o = J(R"({"apiVersion":"foo/v1","kind":"Foo","metadata":{"name":"instance"},
      "pruned":{"apiVersion":"foo/v1","kind":"Foo","metadata":{"namespace":"kube-system"}}})");
  Value before = o;
  t->Prune(&o);
  EXPECT_EQ(o, before);
}

TEST(CrdPrune, RootKeepsTypeMetaAndMetadata) {
  auto s = Compile(R"({"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer"}}}}})");
  Value obj = J(R"({"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"x","whatever":1},
      "spec":{"replicas":1,"foo":{"bar":1}},"status":{"ready":true}})");
  std::vector<std::string> pruned;
  s->Prune(&obj, &pruned);
  EXPECT_EQ(ToJ(obj), ToJ(J(R"({"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"x","whatever":1},
      "spec":{"replicas":1}})")));
  EXPECT_EQ(pruned, (std::vector<std::string>{"spec.foo", "status"}));
}

TEST(CrdPrune, NullsAndObjectsWithoutSchema) {
  // PruneNonNullableNullsWithoutDefaults: non-nullable nulls without a default go; nullable
  // ones and ones with a default (defaulted later) stay.
  auto s = Compile(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "a":{"type":"string"},"b":{"type":"string","nullable":true},"c":{"type":"string","default":"C"},
      "free":{"type":"object","additionalProperties":true}}}}})");
  Value obj = J(R"({"spec":{"a":null,"b":null,"c":null,"free":{"x":[[{"deep":1}]],"y":null}}})");
  std::vector<std::string> pruned;
  s->Prune(&obj, &pruned);
  // additionalProperties: true has no schema: objects below lose their fields (prune(v, nil)).
  EXPECT_EQ(ToJ(obj), ToJ(J(R"({"spec":{"b":null,"c":null,"free":{"x":[[{}]],"y":null}}})")));
  EXPECT_EQ(pruned, std::vector<std::string>{"spec.free.x[0][0].deep"});
  s->Default(&obj);
  EXPECT_EQ(ToJ(obj), ToJ(J(R"({"spec":{"b":null,"c":"C","free":{"x":[[{}]],"y":null}}})")));
}

// ---------------------------------------------------------------------------------------
// Defaulting: schema/defaulting TestDefault.

void ExpectDefault(std::string_view schema, std::string_view in, std::string_view expected) {
  auto s = Compile(schema);
  ASSERT_NE(s, nullptr);
  Value obj = J(in);
  s->Default(&obj);
  EXPECT_EQ(obj, J(expected)) << ToJ(obj);
}

TEST(CrdDefault, Upstream) {
  ExpectDefault(R"({"default":"foo"})", "4", "4");
  ExpectDefault(R"({"items":{"default":"foo"}})", "[1,2]", "[1,2]");
  ExpectDefault(R"({"items":{"properties":{"a":{"default":"A"},"b":{"default":"B"},"c":{"default":"C"}}}})",
                R"([{"a":1},{"b":1},{"c":1}])",
                R"([{"a":1,"b":"B","c":"C"},{"a":"A","b":1,"c":"C"},{"a":"A","b":"B","c":1}])");
  ExpectDefault(R"({"properties":{
      "array":{"items":{"properties":{"a":{"default":"A"},"b":{"default":"B"}}}},
      "object":{"properties":{"a":{"default":"N"},"b":{"default":"O"}}},
      "additionalProperties":{"additionalProperties":{"properties":{"a":{"default":"alpha"},"b":{"default":"beta"}}}},
      "foo":{"default":"bar"}}})",
                R"({"array":[{"a":1},{"b":2}],"object":{"a":1},"additionalProperties":{"x":{"a":1},"y":{"b":2}}})",
                R"({"array":[{"a":1,"b":"B"},{"a":"A","b":2}],"object":{"a":1,"b":"O"},
                    "additionalProperties":{"x":{"a":1,"b":"beta"},"y":{"a":"alpha","b":2}},"foo":"bar"})");
  ExpectDefault(R"({"items":{"properties":{"a":{"default":"A"}}}})",
                R"([{},{"a":1},{"a":0},{"a":0.0},{"a":""},{"a":null},{"a":[]},{"a":{}}])",
                R"([{"a":"A"},{"a":1},{"a":0},{"a":0.0},{"a":""},{"a":"A"},{"a":[]},{"a":{}}])");
  ExpectDefault(R"({"nullable":true,"items":{"properties":{"a":{"default":"A"}}}})", "[null]", "[null]");
  ExpectDefault(R"({"items":{"default":"A"}})", "[null]", R"(["A"])");
  ExpectDefault(R"({"properties":{"a":{"nullable":true,"default":"A"}}})", R"({"a": null})", R"({"a": null})");
  ExpectDefault(R"({"properties":{"a":{"default":"A"}}})", R"({"a": null})", R"({"a": "A"})");
  ExpectDefault(R"({"additionalProperties":{"nullable":true,"default":"A"}})", R"({"a": null})", R"({"a": null})");
  ExpectDefault(R"({"additionalProperties":{"default":"A"}})", R"({"a": null})", R"({"a": "A"})");
  ExpectDefault(R"({"additionalProperties":true})", R"({"a": null})", R"({"a": null})");
}

TEST(CrdDefault, NestedDefaultsUnderDefaultedParent) {
  // A missing parent with `default: {}` is set, then defaulted itself.
  const char* schema = R"({"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{
      "replicas":{"type":"integer","default":1},
      "strategy":{"type":"object","default":{},"properties":{"type":{"type":"string","default":"Rolling"}}},
      "ports":{"type":"array","items":{"type":"object","properties":{"protocol":{"type":"string","default":"TCP"}}}}}}}})";
  ExpectDefault(schema, R"({"apiVersion":"a/v1","kind":"K","metadata":{"name":"x"}})",
                R"({"apiVersion":"a/v1","kind":"K","metadata":{"name":"x"},
                    "spec":{"replicas":1,"strategy":{"type":"Rolling"}}})");
  ExpectDefault(schema, R"({"spec":{"replicas":3,"ports":[{"name":"a"},{"protocol":"UDP"}]}})",
                R"({"spec":{"replicas":3,"strategy":{"type":"Rolling"},
                    "ports":[{"name":"a","protocol":"TCP"},{"protocol":"UDP"}]}})");
  // Defaults are copies: defaulting twice gives equal, independent values.
  auto s = Compile(schema);
  Value a = J("{}"), b = J("{}");
  s->Default(&a);
  s->Default(&b);
  EXPECT_EQ(a, b);
}

// ---------------------------------------------------------------------------------------
// CRD schema validation (apis/apiextensions/validation + schema.ValidateStructural).

constexpr const char* kPath = "spec.versions[0].schema.openAPIV3Schema";

std::vector<std::string> SchemaErrors(std::string_view schema) {
  return ErrorStrings(ValidateStructuralSchema(J(schema), kPath));
}

TEST(CrdStructuralSchema, ValidSchemas) {
  EXPECT_TRUE(SchemaErrors(R"({"type":"object","properties":{
      "metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":20}}},
      "spec":{"type":"object","required":["x"],"properties":{
        "x":{"type":"integer","minimum":0,"default":3},
        "io":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
        "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
        "labels":{"type":"object","additionalProperties":{"type":"string"}},
        "list":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
          "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}},
        "tmpl":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}},
        "anyOf":[{"required":["x"]},{"properties":{"x":{"minimum":1}}}]}}})")
                  .empty());
}

TEST(CrdStructuralSchema, MissingTypes) {
  // Observed (integration test and kubectl reports):
  // "spec.versions[0].schema.openAPIV3Schema.properties[a].type: Required value: must not be
  // empty for specified object fields".
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"a":{}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[a].type: Required value: must "
                                     "not be empty for specified object fields"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"a":{"type":"array","items":{}}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[a].items.type: Required "
                                     "value: must not be empty for specified array items"});
  EXPECT_EQ(SchemaErrors(R"({"properties":{"a":{"type":"array"}}})"),
            (std::vector<std::string>{
                "spec.versions[0].schema.openAPIV3Schema.properties[a].items: Required value: must be specified",
                "spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root"}));
  EXPECT_EQ(SchemaErrors(R"({"type":"string"})"),
            std::vector<std::string>{
                R"(spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root)"});
}

TEST(CrdStructuralSchema, UnsupportedKeywords) {
  // Observed: "$ref is not supported", "additionalProperties and properties are mutual
  // exclusive", "Forbidden: uniqueItems cannot be set to true since the runtime complexity
  // becomes quadratic", `Unsupported value: "Any": supported values: "array", "boolean", ...`.
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"a":{"$ref":"#/definitions/Foo"}}})"),
            std::vector<std::string>{
                "spec.versions[0].schema.openAPIV3Schema.properties[a].$ref: Forbidden: $ref is not supported"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},
      "additionalProperties":false}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[a].additionalProperties: "
                                     "Forbidden: additionalProperties and properties are mutual exclusive"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"a":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[a].uniqueItems: Forbidden: "
                                     "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"a":{"type":"Any"}}})"),
            std::vector<std::string>{R"(spec.versions[0].schema.openAPIV3Schema.properties[a].type: Unsupported value: "Any": supported values: "array", "boolean", "integer", "number", "object", "string")"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","nullable":true})"),
            std::vector<std::string>{
                "spec.versions[0].schema.openAPIV3Schema.nullable: Forbidden: nullable cannot be true at the root"});
}

TEST(CrdStructuralSchema, StructuralInvariants) {
  EXPECT_EQ(SchemaErrors(R"({"type":"object","additionalProperties":{"type":"string"}})"),
            std::vector<std::string>{
                "spec.versions[0].schema.openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"metadata":{"type":"object","properties":{
      "name":{"type":"string"},"labels":{"type":"object"}}}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not "
                                     "specify anything other than name and generateName, but metadata is implicitly "
                                     "specified"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"a":{"type":"string","anyOf":[{"type":"string"}]}}})"),
            std::vector<std::string>{
                "spec.versions[0].schema.openAPIV3Schema.properties[a].anyOf[0].type: Forbidden: must be empty to be "
                "structural"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","anyOf":[{"properties":{"foo":{"type":"string"}}}]})"),
            (std::vector<std::string>{
                "spec.versions[0].schema.openAPIV3Schema.anyOf[0].properties[foo].type: Forbidden: must be empty to be "
                "structural",
                "spec.versions[0].schema.openAPIV3Schema.properties[foo]: Required value: because it is defined in "
                "spec.versions[0].schema.openAPIV3Schema.anyOf[0].properties[foo]"}));
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"e":{"type":"object","x-kubernetes-embedded-resource":true}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[e].properties: Required value: "
                                     "must not be empty if x-kubernetes-embedded-resource is true without "
                                     "x-kubernetes-preserve-unknown-fields"});
}

TEST(CrdStructuralSchema, ListTypes) {
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map",
      "items":{"type":"object","properties":{"name":{"type":"string"}}}}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[l].x-kubernetes-list-map-keys: "
                                     "Required value: must not be empty if x-kubernetes-list-type is map"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map",
      "x-kubernetes-list-map-keys":["name"],"items":{"type":"object","properties":{"name":{"type":"string"}}}}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[l].items.properties[name]."
                                     "default: Required value: this property is in x-kubernetes-list-map-keys, so it "
                                     "must have a default or be a required property"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"bag",
      "items":{"type":"string"}}}})"),
            std::vector<std::string>{R"(spec.versions[0].schema.openAPIV3Schema.properties[l].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map")"});
}

TEST(CrdStructuralSchema, Defaults) {
  // Observed: a default violating its format: `default: Invalid value: "abc": ... must be of
  // type email`; kube-openapi names the value "" at the default's root.
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"e":{"type":"string","format":"email","default":"abc"}}})"),
            std::vector<std::string>{
                R"(spec.versions[0].schema.openAPIV3Schema.properties[e].default: Invalid value: "abc":  in body must be of type email: "abc")"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"o":{"type":"object","default":{"a":1,"b":2},
      "properties":{"a":{"type":"integer"}}}}})"),
            std::vector<std::string>{
                R"(spec.versions[0].schema.openAPIV3Schema.properties[o].default: Invalid value: {"a":1,"b":2}: must not have unknown fields)"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"o":{"type":"object","default":{"a":"x"},
      "properties":{"a":{"type":"integer"}}}}})"),
            std::vector<std::string>{
                R"(spec.versions[0].schema.openAPIV3Schema.properties[o].default.a: Invalid value: "string": a in body must be of type integer: "string")"});
  EXPECT_EQ(SchemaErrors(R"({"type":"object","properties":{"metadata":{"type":"object","default":{}}}})"),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema.properties[metadata].default: Forbidden: "
                                     "must not be set in top-level metadata"});
}

TEST(CrdStructuralSchema, StatusSubresourceRoot) {
  StructuralSchemaOptions options;
  options.status_subresource = true;
  EXPECT_TRUE(ValidateStructuralSchema(J(R"({"type":"object","properties":{"status":{"type":"object"}}})"), kPath,
                                       options)
                  .empty());
  auto errs = ValidateStructuralSchema(J(R"({"type":"object","anyOf":[{"required":["spec"]}],
      "properties":{"spec":{"type":"object"}}})"),
                                       kPath, options);
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].field, "spec.versions[0].schema.openAPIV3Schema");
}

// ---------------------------------------------------------------------------------------
// Compile errors and hostile input.

TEST(CrdStructuralCompile, Rejects) {
  EXPECT_FALSE(Schema::Compile(J(R"({"type":5})")).ok());
  EXPECT_FALSE(Schema::Compile(J(R"({"properties":[]})")).ok());
  EXPECT_FALSE(Schema::Compile(J(R"({"items":[{"type":"string"}]})")).ok());
  EXPECT_FALSE(Schema::Compile(J(R"({"$ref":"#/x"})")).ok());
  EXPECT_FALSE(Schema::Compile(J("[]")).ok());
  EXPECT_TRUE(Schema::Compile(J(R"({"type":"object","description":"x","example":{"a":1}})")).ok());
  auto s = Compile(R"({"type":"object"})");
  EXPECT_EQ(s->raw(), J(R"({"type":"object"})"));
}

Value DeepSchema(int levels) {
  Value leaf = J(R"({"type":"string"})");
  for (int i = 0; i < levels; ++i) {
    Value props = Value::EmptyObject();
    props.Set("a", std::move(leaf));
    Value node = Value::EmptyObject();
    node.Set("type", "object");
    node.Set("properties", std::move(props));
    leaf = std::move(node);
  }
  return leaf;
}

TEST(CrdStructuralCompile, DeepSchemasAreBounded) {
  EXPECT_TRUE(Schema::Compile(DeepSchema(kMaxSchemaDepth - 1)).ok());
  auto r = Schema::Compile(DeepSchema(kMaxSchemaDepth + 5));
  EXPECT_FALSE(r.ok());
  auto errs = ValidateStructuralSchema(DeepSchema(kMaxSchemaDepth + 5), kPath);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].message.find("maximum depth"), std::string::npos);
}

TEST(CrdStructuralCompile, DeepObjectsDoNotOverflow) {
  // Objects as deep as the JSON parser allows, under schemas that stop early.
  std::string deep;
  for (int i = 0; i < 9000; ++i) deep += "[";
  deep += "{\"x\":1}";
  for (int i = 0; i < 9000; ++i) deep += "]";
  auto s = Compile(R"({"type":"object","properties":{
      "free":{"type":"object","additionalProperties":true},
      "kept":{"x-kubernetes-preserve-unknown-fields":true},
      "typed":{"type":"array","items":{"type":"array","items":{"type":"string"}}}}})");
  Value obj = J("{\"free\":{\"a\":" + deep + "},\"kept\":" + deep + ",\"typed\":" + deep + "}");
  std::vector<std::string> pruned;
  s->Prune(&obj, &pruned);
  EXPECT_EQ(pruned.size(), 2u);  // free.a[...]...x and typed[0]...x
  s->Default(&obj);
  EXPECT_EQ(ErrorStrings(s->Validate(obj)),
            std::vector<std::string>{
                R"(typed[0][0]: Invalid value: "array": typed[0][0] in body must be of type string: "array")"});
  auto big = DeepSchema(kMaxSchemaDepth - 1);
  auto deep_schema = Schema::Compile(big);
  ASSERT_TRUE(deep_schema.ok());
  Value nested = J(R"("leaf")");
  for (int i = 0; i < kMaxSchemaDepth - 1; ++i) {
    Value o = Value::EmptyObject();
    o.Set("a", std::move(nested));
    nested = std::move(o);
  }
  (*deep_schema)->Prune(&nested);
  (*deep_schema)->Default(&nested);
  EXPECT_TRUE((*deep_schema)->Validate(nested).empty());
}

// ---------------------------------------------------------------------------------------
// Go rendering helpers.

TEST(CrdStructuralGo, Rendering) {
  EXPECT_EQ(internal::GoQuote("a\"b\\c\n\x01\xff"), R"("a\"b\\c\n\x01\xff")");
  EXPECT_EQ(internal::GoQuote("\xc3\xa9"), "\"\xc3\xa9\"");
  EXPECT_EQ(internal::GoFloat(1e6), "1e+06");
  EXPECT_EQ(internal::GoFloat(123456.5), "123456.5");
  EXPECT_EQ(internal::GoFloat(0.5), "0.5");
  EXPECT_EQ(internal::RenderValue(J("null")), "\"null\"");
  EXPECT_EQ(internal::RenderValue(J(R"({"b":1,"a":"<"})")), R"({"a":"\u003c","b":1})");
  EXPECT_TRUE(internal::IsFloat64AJSONInteger(3.0));
  EXPECT_FALSE(internal::IsFloat64AJSONInteger(3.5));
  EXPECT_FALSE(internal::IsFloat64AJSONInteger(-3.5));
}

}  // namespace
}  // namespace kstream::api::crd
