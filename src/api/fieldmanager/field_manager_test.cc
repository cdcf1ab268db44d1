// Field manager tests. Expected FieldsV1 documents, managedFields and messages come from
// upstream: structured-merge-diff's fieldpath/serialize_test.go golden data, kube's
// managedfields/internal conflict_test.go and capmanagers_test.go, kube's
// test/integration/apiserver/apply/apply_test.go, and managedFields kube writes for
// `kubectl create deployment` (as shown by kubectl get -o yaml --show-managed-fields).
#include "api/fieldmanager/field_manager.h"

#include <gtest/gtest.h>

#include <string>

#include "api/json.h"

namespace kstream::api::fieldmanager {
namespace {

Value J(std::string_view json) {
  auto r = ParseJson(json);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << json;
  return r.ok() ? std::move(r).value() : Value();
}

std::string S(const Value& v) {
  auto r = ToJson(v);
  return r.ok() ? *r : "<error>";
}

SchemaNode KindSchema(std::string_view group, std::string_view version, std::string_view kind) {
  return BuiltinKindSchema(group, version, kind);
}
SchemaNode ConfigMapSchema() { return KindSchema("", "v1", "ConfigMap"); }
SchemaNode DeploymentSchema() { return KindSchema("apps", "v1", "Deployment"); }

WriteContext Ctx(std::string manager, std::string api_version, std::string now) {
  WriteContext ctx;
  ctx.manager = std::move(manager);
  ctx.api_version = std::move(api_version);
  ctx.now = std::move(now);
  return ctx;
}

constexpr char kT1[] = "2026-11-29T08:00:00Z";
constexpr char kT2[] = "2026-11-29T08:00:01Z";
constexpr char kT3[] = "2026-11-29T08:00:02Z";
constexpr char kT4[] = "2026-11-29T08:00:03Z";

Value MustUpdate(const Value& live, const Value& updated, const SchemaNode& schema, const WriteContext& ctx) {
  auto r = Update(live, updated, schema, ctx);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Value();
}

Value MustApply(const Value& live, const Value& config, const SchemaNode& schema, const WriteContext& ctx,
                bool force = false) {
  auto r = Apply(live, config, schema, ctx, force);
  if (auto* c = std::get_if<ApplyConflictError>(&r)) {
    ADD_FAILURE() << "conflict: " << c->message;
    return Value();
  }
  if (auto* s = std::get_if<Status>(&r)) {
    ADD_FAILURE() << s->ToString();
    return Value();
  }
  return std::get<Value>(std::move(r));
}

// The managedFields of `obj` in kube's byte form.
std::string ManagedJson(const Value& obj) {
  const Value* meta = obj.Find("metadata");
  const Value* mf = meta != nullptr ? meta->Find("managedFields") : nullptr;
  if (mf == nullptr) return "<none>";
  auto r = ManagedFieldsJson(*mf);
  return r.ok() ? *r : r.status().ToString();
}

// The fieldsV1 of `manager`'s entry (kube's byte form).
std::string FieldsOfManager(const Value& obj, std::string_view manager) {
  const Value* mf = obj.Find("metadata")->Find("managedFields");
  if (mf == nullptr) return "<no managedFields>";
  for (const Value& e : mf->as_array()) {
    if (e.Find("manager")->as_string() == manager) return FieldSet::FromFieldsV1(*e.Find("fieldsV1"))->ToFieldsV1Json();
  }
  return "<no entry>";
}

// Sets metadata fields the registry sets, as a stored object has them.
Value Stored(Value obj) {
  Value* meta = obj.Find("metadata");
  meta->Set("uid", "6b5b4f0c-0b0e-4b8e-9a55-3a9e3c0d1e2f");
  meta->Set("resourceVersion", "1");
  meta->Set("creationTimestamp", kT1);
  return obj;
}

// ---------------------------------------------------------------------------------------
// FieldsV1.

TEST(FieldSetTest, FieldsV1GoldenDataRoundTripsByteIdentical) {
  // structured-merge-diff fieldpath/serialize_test.go TestSerializeV1GoldenData.
  const char* golden[] = {
      R"({"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\"name\":\"first\"}":{},"k:{\"name\":\"second\"}":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\"aa\"":{},"v:\"ab\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}})",
      R"({"f:aaa":{"k:{\"name\":\"second\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\"port\":443,\"protocol\":\"udp\"}":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"k:{\"name\":\"first\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\"name\":\"second\"}":{}}},"f:aad":{"f:aac":{"v:1":{}},"f:aaf":{"k:{\"name\":\"first\"}":{"k:{\"name\":\"first\"}":{}}},"i:1":{"i:1":{},"i:3":{"v:true":{}}}},"f:aae":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:4":{"f:aaf":{}}},"f:aaf":{"i:1":{"f:aac":{}},"i:2":{},"i:3":{}},"k:{\"name\":\"first\"}":{"f:aad":{"f:aaf":{}}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"f:aaa":{"f:aad":{}}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"f:aac":{},"k:{\"name\":\"first\"}":{"i:3":{}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"i:4":{}}},"v:1":{"f:aac":{"i:4":{}},"f:aaf":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{}},"v:2":{"f:aad":{"f:aaf":{}},"i:1":{}},"v:3":{"f:aaa":{},"k:{\"name\":\"first\"}":{},"i:2":{}},"v:\"aa\"":{"f:aab":{"f:aaf":{}},"f:aae":{},"k:{\"name\":\"first\"}":{"f:aad":{}},"i:2":{}},"v:\"ab\"":{"f:aaf":{"i:4":{}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:1":{"f:aae":{"i:4":{}}}},"v:true":{"k:{\"name\":\"second\"}":{"f:aaa":{}},"i:2":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"i:1":{"i:3":{"f:aaf":{}}},"i:2":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"v:1":{}}},"i:3":{"f:aab":{"v:true":{"v:\"aa\"":{}}},"f:aaf":{},"i:1":{}},"i:4":{"v:\"aa\"":{"f:aab":{"k:{\"name\":\"second\"}":{}}}}})",
      // The brief's example and kube's apply_test.go TestApplyConvertsManagedFieldsVersion.
      R"({"f:data":{".":{},"f:key":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}})",
      R"({"f:metadata":{"f:labels":{"f:sidecar_version":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"sidecar\"}":{".":{},"f:image":{},"f:name":{}}}}}}})",
  };
  for (const char* g : golden) {
    auto set = FieldSet::FromFieldsV1Json(g);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    EXPECT_EQ(set->ToFieldsV1Json(), g);
    // The Value form holds the same document (keys sorted as a map).
    EXPECT_EQ(S(set->ToFieldsV1()), S(J(g)));
    auto again = FieldSet::FromFieldsV1(set->ToFieldsV1());
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(*again == *set);
  }
}

TEST(FieldSetTest, FieldsV1DropsUnknownPathElementTypes) {
  // serialize_test.go TestDropUnknown.
  auto set = FieldSet::FromFieldsV1Json(R"({"f:aaa":{},"r:aab":{}})");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->ToFieldsV1Json(), R"({"f:aaa":{}})");
}

TEST(FieldSetTest, FieldsV1RejectsMalformedKeysAndDeepNesting) {
  EXPECT_FALSE(FieldSet::FromFieldsV1Json(R"({"f":{}})").ok());
  EXPECT_FALSE(FieldSet::FromFieldsV1Json(R"({"fx":{}})").ok());
  EXPECT_FALSE(FieldSet::FromFieldsV1Json(R"({"k:[1]":{}})").ok());
  EXPECT_FALSE(FieldSet::FromFieldsV1Json(R"({"i:x":{}})").ok());
  EXPECT_FALSE(FieldSet::FromFieldsV1Json(R"({"f:a":1})").ok());
  std::string deep;
  for (int i = 0; i < 3000; ++i) deep += R"({"f:a":)";
  deep += "{}";
  for (int i = 0; i < 3000; ++i) deep += "}";
  auto r = FieldSet::FromFieldsV1Json(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(FieldSetTest, PathsAndSetOperations) {
  auto a = *FieldSet::FromFieldsV1Json(R"({"f:a":{"f:b":{"f:c":{}}},"f:x":{}})");
  auto b = *FieldSet::FromFieldsV1Json(R"({"f:a":{"f:b":{}}})");
  EXPECT_EQ(a.Paths(), (std::vector<std::string>{".x", ".a.b.c"}));
  // set.go: "parent - child = parent"; RecursiveDifference drops the whole a.b subtree.
  EXPECT_EQ(a.Difference(b).ToFieldsV1Json(), R"({"f:a":{"f:b":{"f:c":{}}},"f:x":{}})");
  EXPECT_EQ(a.RecursiveDifference(b).ToFieldsV1Json(), R"({"f:x":{}})");
  EXPECT_EQ(a.Union(b).ToFieldsV1Json(), R"({"f:a":{"f:b":{".":{},"f:c":{}}},"f:x":{}})");
  EXPECT_TRUE(a.Intersection(b).empty());
  EXPECT_TRUE(a.Has({PathElement::Field("a"), PathElement::Field("b"), PathElement::Field("c")}));
  EXPECT_FALSE(a.Has({PathElement::Field("a"), PathElement::Field("b")}));
}

TEST(FieldSetTest, PathElementStrings) {
  auto set = FieldSet::FromFieldsV1Json(
      R"({"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{"f:image":{}}},"f:ports":{"k:{\"port\":443,\"protocol\":\"TCP\"}":{}}},"f:metadata":{"f:finalizers":{"v:\"x\"":{}}}})");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Paths(), (std::vector<std::string>{R"(.metadata.finalizers[="x"])",
                                                    R"(.spec.containers[name="nginx"].image)",
                                                    R"(.spec.ports[port=443,protocol="TCP"])"}));
}

TEST(ValueCompareTest, IntsAndFloatsCompareNumerically) {
  EXPECT_TRUE(ValuesEqual(Value(1), Value(1.0)));
  EXPECT_FALSE(ValuesEqual(Value(1), Value("1")));
  EXPECT_EQ(CompareValues(Value(2), Value(1.5)), 1);
  // Numbers < strings < bools (the golden data's v: order).
  EXPECT_LT(CompareValues(Value(3), Value("aa")), 0);
  EXPECT_LT(CompareValues(Value("ab"), Value(true)), 0);
  EXPECT_TRUE(ValuesEqual(J(R"({"a":[1,2.0]})"), J(R"({"a":[1.0,2]})")));
}

// ---------------------------------------------------------------------------------------
// Update.

TEST(FieldManagerUpdateTest, CreateRecordsAnUpdateEntry) {
  Value cm = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default",
      "labels":{"app":"web"}},"data":{"key":"value"}})");
  Value out = MustUpdate(Value(), cm, ConfigMapSchema(), Ctx("kubectl-create", "v1", kT1));
  EXPECT_EQ(ManagedJson(out),
            R"([{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2026-11-29T08:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:key":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}}])");
  // Nothing else changes.
  out.Find("metadata")->Erase("managedFields");
  EXPECT_EQ(S(out), S(cm));
}

TEST(FieldManagerUpdateTest, CreateDeploymentAsKubectlCreateDoes) {
  // `kubectl create deployment nginx --image=nginx` after defaulting; kube records the
  // fields below for "kubectl-create" (no "." on spec, strategy, template or containers,
  // which the Go zero value of a Deployment already has).
  Value d = J(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"nginx","namespace":"default","labels":{"app":"nginx"},"creationTimestamp":null},
      "spec":{"replicas":1,"selector":{"matchLabels":{"app":"nginx"}},
        "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},
          "spec":{"containers":[{"name":"nginx","image":"nginx","resources":{},
              "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
              "imagePullPolicy":"Always"}],
            "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
            "securityContext":{},"schedulerName":"default-scheduler"}},
        "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
        "revisionHistoryLimit":10,"progressDeadlineSeconds":600},
      "status":{}})");
  Value out = MustUpdate(Value(), d, DeploymentSchema(), Ctx("kubectl-create", "apps/v1", kT1));
  EXPECT_EQ(
      FieldsOfManager(out, "kubectl-create"),
      R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}})");
}

TEST(FieldManagerUpdateTest, ZeroObjectIsTheGoZeroValue) {
  EXPECT_EQ(S(ZeroObject(DeploymentSchema())),
            R"({"metadata":{"creationTimestamp":null},"spec":{"selector":null,"strategy":{},"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":null}}},"status":{}})");
  EXPECT_EQ(S(ZeroObject(ConfigMapSchema())), R"({"metadata":{"creationTimestamp":null}})");
}

// kube apply_test.go TestApplyManagedFields: an apply, then two merge patches by "updater".
TEST(FieldManagerUpdateTest, UpdateTakesOverChangedFields) {
  const SchemaNode schema = ConfigMapSchema();
  Value applied = MustApply(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test-cm",
      "namespace":"default","labels":{"test-label":"test"}},"data":{"key":"value"}})"),
                            schema, Ctx("apply_test", "v1", kT1));
  Value live = Stored(applied);
  Value patched = live;
  patched.Find("data")->Set("new-key", "value");
  live = MustUpdate(live, patched, schema, Ctx("updater", "v1", kT2));
  patched = live;
  patched.Find("data")->Set("key", "new value");
  live = MustUpdate(live, patched, schema, Ctx("updater", "v1", kT3));
  EXPECT_EQ(ManagedJson(live),
            R"([{"manager":"apply_test","operation":"Apply","apiVersion":"v1","time":"2026-11-29T08:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:test-label":{}}}}},)"
            R"({"manager":"updater","operation":"Update","apiVersion":"v1","time":"2026-11-29T08:00:02Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:key":{},"f:new-key":{}}}}])");
  EXPECT_EQ(S(*live.Find("data")), R"({"key":"new value","new-key":"value"})");
}

TEST(FieldManagerUpdateTest, RemovedFieldsLeaveEveryManagerAndNoOpKeepsTimes) {
  const SchemaNode schema = ConfigMapSchema();
  Value live = Stored(MustApply(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
      "data":{"a":"1","b":"2"}})"),
                                schema, Ctx("applier", "v1", kT1)));
  Value updated = live;
  updated.Find("data")->Erase("a");
  live = MustUpdate(live, updated, schema, Ctx("editor", "v1", kT2));
  // The editor removed a field: that is no ownership for it, and the applier lost .data.a.
  EXPECT_EQ(ManagedJson(live),
            R"([{"manager":"applier","operation":"Apply","apiVersion":"v1","time":"2026-11-29T08:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:b":{}}}}])");
  // A no-op update changes nothing, time included.
  Value again = MustUpdate(live, live, schema, Ctx("editor", "v1", kT3));
  EXPECT_EQ(S(again), S(live));
}

TEST(FieldManagerUpdateTest, ResettingManagedFieldsStopsTracking) {
  // apply_test.go TestClearManagedFieldsWithUpdate ([{}]) and ...WithUpdateEmptyList ([]).
  const SchemaNode schema = ConfigMapSchema();
  Value live = Stored(MustApply(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test-cm",
      "namespace":"default","labels":{"test-label":"test"}},"data":{"key":"value"}})"),
                                schema, Ctx("apply_test", "v1", kT1)));
  for (const char* reset : {"[{}]", "[]"}) {
    Value put = live;
    put.Find("metadata")->Set("managedFields", J(reset));
    Value out = MustUpdate(live, put, schema, Ctx("", "v1", kT2));
    EXPECT_EQ(out.Find("metadata")->Find("managedFields"), nullptr) << reset;
    // Later writes are not tracked either.
    Value patched = out;
    patched.Find("metadata")->Find("labels")->Set("test-label", "v1");
    Value after = MustUpdate(out, patched, schema, Ctx("patcher", "v1", kT3));
    EXPECT_EQ(after.Find("metadata")->Find("managedFields"), nullptr) << reset;
    EXPECT_EQ(S(*after.Find("metadata")->Find("labels")), R"({"test-label":"v1"})");
  }
}

TEST(FieldManagerUpdateTest, InvalidManagedFieldsInTheRequestFallBackToLive) {
  // apply_test.go TestErrorsDontFailUpdate: an entry with an empty fieldsType.
  const SchemaNode schema = ConfigMapSchema();
  Value live = Stored(MustUpdate(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test-cm",
      "namespace":"default","labels":{"test-label":"test"}},"data":{"key":"value"}})"),
                                 schema, Ctx("apply_test", "v1", kT1)));
  Value put = live;
  put.Find("metadata")->Set("managedFields", J(R"([{"manager":"apply_test","operation":"Apply","apiVersion":"v1",
      "time":"2019-07-08T09:31:18Z","fieldsType":"","fieldsV1":{}}])"));
  Value out = MustUpdate(live, put, schema, Ctx("apply_test", "v1", kT2));
  EXPECT_EQ(ManagedJson(out), ManagedJson(live));
}

TEST(FieldManagerUpdateTest, ObjectsOutsideTheSchemaKeepOnlyDecodableLiveManagedFields) {
  // A value of the wrong type makes the typed conversion fail (UpdateNoErrors): the result
  // keeps live's managedFields when they decode, and carries none when they do not (found
  // by the write_path fuzzer: live entries without apiVersion and fieldsType were copied).
  const SchemaNode schema = ConfigMapSchema();
  Value live = Stored(MustUpdate(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},
      "data":{"a":"1"}})"), schema, Ctx("m", "v1", kT1)));
  Value bad = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":7}})");
  Value out = MustUpdate(live, bad, schema, Ctx("other", "v1", kT2));
  EXPECT_EQ(ManagedJson(out), ManagedJson(live));

  Value garbage = live;
  garbage.Find("metadata")->Set("managedFields", J(R"([{"manager":"m","operation":"Update","apType":"x",
      "fieldsV1":{"f:data":{"f:a":{}}}}])"));
  out = MustUpdate(garbage, bad, schema, Ctx("other", "v1", kT2));
  EXPECT_EQ(ManagedJson(out), "<none>");
}

TEST(FieldManagerUpdateTest, SubresourceWritesKeepLiveManagedFields) {
  // apply_test.go TestApplyDoesNotChangeManagedFieldsViaSubresources.
  const SchemaNode schema = KindSchema("", "v1", "Pod");
  Value live = Stored(MustApply(Value(), J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"just-a-pod"},
      "spec":{"containers":[{"name":"test-container-a","image":"test-image-one"}]}})"),
                                schema, Ctx("apply_test", "v1", kT1)));
  Value updated = live;
  updated.Find("metadata")->Set("managedFields", J(R"([{"manager":"testing","operation":"Update","apiVersion":"v1",
      "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:containers":{"k:{\"name\":\"testing\"}":{".":{},"f:image":{},"f:name":{}}}}}}])"));
  updated.Set("status", J(R"({"conditions":[{"type":"MyStatus","status":"true"}]})"));
  WriteContext ctx = Ctx("update_managedfields_test", "v1", kT2);
  ctx.subresource = "status";
  Value out = MustUpdate(live, updated, schema, ctx);
  const Value& mf = *out.Find("metadata")->Find("managedFields");
  ASSERT_EQ(mf.as_array().size(), 2u);
  EXPECT_EQ(S(mf.as_array()[0]), S(live.Find("metadata")->Find("managedFields")->as_array()[0]));
  EXPECT_EQ(mf.as_array()[1].Find("manager")->as_string(), "update_managedfields_test");
  EXPECT_EQ(mf.as_array()[1].Find("subresource")->as_string(), "status");
}

// capmanagers_test.go TestCapUpdateManagers, with kube's cap of 10.
TEST(FieldManagerUpdateTest, CapsUpdateManagersAtTen) {
  const SchemaNode schema = ConfigMapSchema();
  auto entry = [](const std::string& name, const std::string& version, int hour, const std::string& fields) {
    return "{\"manager\":\"" + name + "\",\"operation\":\"Update\",\"apiVersion\":\"" + version +
           "\",\"time\":\"2026-01-01T" + (hour < 10 ? "0" : "") + std::to_string(hour) +
           ":00:00Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":" + fields + "}";
  };
  auto data = [](const std::string& keys) {
    std::string out = "{\"f:data\":{";
    for (size_t i = 0; i < keys.size(); ++i) out += std::string(i ? "," : "") + "\"f:" + keys[i] + "\":{}";
    return out + "}}";
  };
  struct Case {
    std::string name;
    std::vector<std::string> input, expected;
  };
  std::vector<Case> cases;
  {
    // "one version, no ancient changes": the two oldest merge.
    Case c{"one version", {}, {}};
    for (int i = 1; i <= 11; ++i) c.input.push_back(entry("update-manager" + std::to_string(i), "v1", i, data(std::string(1, char('a' + i - 1)))));
    c.expected.push_back(entry("ancient-changes", "v1", 2, data("ab")));
    for (int i = 3; i <= 11; ++i) c.expected.push_back(c.input[static_cast<size_t>(i - 1)]);
    cases.push_back(c);
  }
  {
    // "two versions, no ancient changes": a bucket per version, the first of each version
    // only moves into it when a second one arrives.
    Case c{"two versions", {}, {}};
    c.input.push_back(entry("update-manager1", "v1", 1, data("a")));
    c.input.push_back(entry("update-manager2", "v2", 2, data("b")));
    for (int i = 3; i <= 11; ++i) c.input.push_back(entry("update-manager" + std::to_string(i), "v1", i, data(std::string(1, char('a' + i - 1)))));
    c.expected.push_back(c.input[1]);
    c.expected.push_back(entry("ancient-changes", "v1", 3, data("ac")));
    for (int i = 4; i <= 11; ++i) c.expected.push_back(c.input[static_cast<size_t>(i - 1)]);
    cases.push_back(c);
  }
  for (const Case& c : cases) {
    std::string in = "[";
    for (size_t i = 0; i < c.input.size(); ++i) in += (i ? "," : "") + c.input[i];
    in += "]";
    Value live = Stored(J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},
        "data":{"a":"1","b":"1","c":"1","d":"1","e":"1","f":"1","g":"1","h":"1","i":"1","j":"1","k":"1"}})"));
    live.Find("metadata")->Set("managedFields", J(in));
    // A no-op update caps the list.
    Value out = MustUpdate(live, live, schema, Ctx("no-op-update", "v1", kT1));
    std::string want = "[";
    for (size_t i = 0; i < c.expected.size(); ++i) want += (i ? "," : "") + c.expected[i];
    want += "]";
    EXPECT_EQ(ManagedJson(out), want) << c.name;
    // Idempotent.
    EXPECT_EQ(ManagedJson(MustUpdate(out, out, schema, Ctx("no-op-update", "v1", kT2))), want) << c.name;
  }
}

// ---------------------------------------------------------------------------------------
// Apply.

TEST(FieldManagerApplyTest, CreateOwnsTheConfigAndReapplyIsANoOp) {
  const SchemaNode schema = ConfigMapSchema();
  Value config = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test-cm","namespace":"default",
      "labels":{"test-label":"test"}},"data":{"key":"some value"}})");
  Value out = MustApply(Value(), config, schema, Ctx("kubectl", "v1", kT1));
  // The server-side apply docs' example ConfigMap.
  EXPECT_EQ(ManagedJson(out),
            R"([{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"2026-11-29T08:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:key":{}},"f:metadata":{"f:labels":{"f:test-label":{}}}}}])");
  Value without = out;
  without.Find("metadata")->Erase("managedFields");
  EXPECT_EQ(S(without), S(config));

  Value live = Stored(out);
  Value again = MustApply(live, config, schema, Ctx("kubectl", "v1", kT2));
  EXPECT_EQ(S(again), S(live));
}

TEST(FieldManagerApplyTest, ApplyOfNothingLeavesNoEntry) {
  // apply_test.go TestApplyRemovesEmptyManagedFields.
  const SchemaNode schema = ConfigMapSchema();
  Value config = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test-cm","namespace":"default"}})");
  Value out = MustApply(Value(), config, schema, Ctx("apply_test", "v1", kT1));
  EXPECT_EQ(out.Find("metadata")->Find("managedFields"), nullptr);
  out = MustApply(Stored(out), config, schema, Ctx("apply_test", "v1", kT2));
  EXPECT_EQ(out.Find("metadata")->Find("managedFields"), nullptr);
}

const char kDeploymentApply[] = R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"deployment","labels":{"app":"nginx"}},
    "spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},
      "template":{"metadata":{"labels":{"app":"nginx"}},
        "spec":{"hostname":"test-hostname","containers":[{"name":"nginx","image":"nginx:latest",
          "ports":[{"containerPort":80,"protocol":"TCP"}]}]}}}})";

const char kDeploymentReduced[] = R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"deployment","labels":{"app":"nginx"}},
    "spec":{"selector":{"matchLabels":{"app":"nginx"}},
      "template":{"metadata":{"labels":{"app":"nginx"}},
        "spec":{"containers":[{"name":"nginx","image":"nginx:latest"}]}}}})";

TEST(FieldManagerApplyTest, PrunesFieldsNoLongerApplied) {
  // apply_test.go TestApplyUnsetExclusivelyOwnedFields and TestApplyRemoveContainerPort.
  const SchemaNode schema = DeploymentSchema();
  Value live = Stored(MustApply(Value(), J(kDeploymentApply), schema, Ctx("apply_test", "apps/v1", kT1)));
  Value out = MustApply(live, J(kDeploymentReduced), schema, Ctx("apply_test", "apps/v1", kT2));
  const Value& spec = *out.Find("spec");
  EXPECT_EQ(spec.Find("replicas"), nullptr);
  EXPECT_EQ(spec.Find("template")->Find("spec")->Find("hostname"), nullptr);
  EXPECT_EQ(S(*spec.Find("template")->Find("spec")->Find("containers")), R"([{"image":"nginx:latest","name":"nginx"}])");
  EXPECT_EQ(
      FieldsOfManager(out, "apply_test"),
      R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}})");
}

TEST(FieldManagerApplyTest, SharedFieldsStayWhenOneOwnerLetsGo) {
  // apply_test.go TestApplyUnsetSharedFields: two appliers with the same values share the
  // fields; one dropping them leaves them to the other.
  const SchemaNode schema = DeploymentSchema();
  Value live;
  for (const char* m : {"shared_owner_1", "shared_owner_2"}) {
    live = Stored(MustApply(live, J(kDeploymentApply), schema, Ctx(m, "apps/v1", kT1)));
  }
  const std::string owned = FieldsOfManager(live, "shared_owner_1");
  EXPECT_EQ(owned, FieldsOfManager(live, "shared_owner_2"));
  EXPECT_NE(owned.find(R"("f:replicas":{})"), std::string::npos);
  Value out = MustApply(live, J(kDeploymentReduced), schema, Ctx("shared_owner_1", "apps/v1", kT2));
  EXPECT_EQ(S(*out.Find("spec")->Find("replicas")), "3");
  EXPECT_EQ(S(*out.Find("spec")->Find("template")->Find("spec")->Find("hostname")), R"("test-hostname")");
  EXPECT_EQ(FieldsOfManager(out, "shared_owner_1").find("f:replicas"), std::string::npos);
  EXPECT_EQ(FieldsOfManager(out, "shared_owner_2"), owned);
}

TEST(FieldManagerApplyTest, ConflictWithoutForceAndOwnershipMovesWithForce) {
  const SchemaNode schema = ConfigMapSchema();
  const Value config = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test-cm","namespace":"default"},
      "data":{"key":"value"}})");
  Value live = Stored(MustApply(Value(), config, schema, Ctx("apply_test", "v1", kT1)));
  Value patched = live;
  patched.Find("data")->Set("key", "new value");
  live = MustUpdate(live, patched, schema, Ctx("updater", "v1", kT2));

  auto r = Apply(live, config, schema, Ctx("apply_test", "v1", kT3), /*force=*/false);
  auto* conflict = std::get_if<ApplyConflictError>(&r);
  ASSERT_NE(conflict, nullptr);
  EXPECT_EQ(conflict->message, R"(Apply failed with 1 conflict: conflict with "updater" using v1: .data.key)");
  ASSERT_EQ(conflict->conflicts.size(), 1u);
  EXPECT_EQ(conflict->conflicts[0].CauseMessage(), R"(conflict with "updater" using v1)");
  EXPECT_EQ(conflict->conflicts[0].path, ".data.key");
  EXPECT_EQ(Conflict::kCauseType, "FieldManagerConflict");

  // Re-applying the live value instead shares the field, without conflict.
  Value shared_config = config;
  shared_config.Find("data")->Set("key", "new value");
  Value shared = MustApply(live, shared_config, schema, Ctx("apply_test", "v1", kT3));
  EXPECT_EQ(FieldsOfManager(shared, "apply_test"), R"({"f:data":{"f:key":{}}})");
  EXPECT_EQ(FieldsOfManager(shared, "updater"), R"({"f:data":{"f:key":{}}})");

  Value forced = MustApply(live, config, schema, Ctx("apply_test", "v1", kT3), /*force=*/true);
  EXPECT_EQ(S(*forced.Find("data")), R"({"key":"value"})");
  EXPECT_EQ(ManagedJson(forced),
            R"([{"manager":"apply_test","operation":"Apply","apiVersion":"v1","time":"2026-11-29T08:00:02Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:key":{}}}}])");
}

TEST(FieldManagerApplyTest, ConflictMessageGroupsManagers) {
  // The two-manager message of conflict_test.go TestNewConflictError (an Update manager
  // prints "using <apiVersion>"; the time is never part of an identifier).
  const SchemaNode schema = DeploymentSchema();
  Value live = Stored(MustApply(Value(), J(kDeploymentApply), schema, Ctx("creator", "apps/v1", kT1)));
  Value patched = live;
  patched.Find("spec")->Set("replicas", 5);
  live = MustUpdate(live, patched, schema, Ctx("foo", "apps/v1", kT2));
  live = MustApply(live, J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"deployment",
      "labels":{"app":"nginx"}}})"),
                   schema, Ctx("bar", "apps/v1", kT3));
  auto r = Apply(live, J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"deployment",
      "labels":{"app":"other"}},"spec":{"replicas":7}})"),
                 schema, Ctx("baz", "apps/v1", kT4), false);
  auto* conflict = std::get_if<ApplyConflictError>(&r);
  ASSERT_NE(conflict, nullptr);
  EXPECT_EQ(conflict->message,
            "Apply failed with 3 conflicts: conflicts with \"bar\":\n- .metadata.labels.app\n"
            "conflicts with \"creator\":\n- .metadata.labels.app\n"
            "conflicts with \"foo\" using apps/v1:\n- .spec.replicas");
  ASSERT_EQ(conflict->conflicts.size(), 3u);
  EXPECT_EQ(conflict->conflicts[2].manager, R"("foo" using apps/v1)");
  EXPECT_EQ(conflict->conflicts[2].path, ".spec.replicas");
}

TEST(FieldManagerApplyTest, MapListsMergeByKey) {
  // apply_test.go TestApplyConvertsManagedFieldsVersion: a sidecar applier adds a
  // container; its entry is kube's raw FieldsV1 from that test.
  const SchemaNode schema = DeploymentSchema();
  Value live = Stored(MustUpdate(Value(), J(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"deployment","labels":{"app":"nginx"}},
      "spec":{"selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{"labels":{"app":"nginx"}},
        "spec":{"containers":[{"name":"nginx","image":"nginx:latest"}]}}}})"),
                                 schema, Ctx("creator", "apps/v1", kT1)));
  Value out = MustApply(live, J(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"deployment","labels":{"sidecar_version":"release"}},
      "spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"sidecar:latest"}]}}}})"),
                        schema, Ctx("sidecar_controller", "apps/v1", kT2));
  EXPECT_EQ(
      FieldsOfManager(out, "sidecar_controller"),
      R"({"f:metadata":{"f:labels":{"f:sidecar_version":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"sidecar\"}":{".":{},"f:image":{},"f:name":{}}}}}}})");
  EXPECT_EQ(S(*out.Find("spec")->Find("template")->Find("spec")->Find("containers")),
            R"([{"image":"nginx:latest","name":"nginx"},{"image":"sidecar:latest","name":"sidecar"}])");
  EXPECT_EQ(S(*out.Find("metadata")->Find("labels")), R"({"app":"nginx","sidecar_version":"release"})");
}

TEST(FieldManagerApplyTest, PortsWithoutProtocolUseTheDefaultKey) {
  const SchemaNode schema = DeploymentSchema();
  Value out = MustApply(Value(), J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"template":{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}]}}}})"),
                        schema, Ctx("m", "apps/v1", kT1));
  EXPECT_NE(FieldsOfManager(out, "m").find(R"("k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}})"),
            std::string::npos)
      << FieldsOfManager(out, "m");
}

TEST(FieldManagerApplyTest, SetsMergeByValue) {
  const SchemaNode schema = ConfigMapSchema();
  Value live = Stored(MustApply(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cm","finalizers":["a.io/x"]}})"),
                                schema, Ctx("one", "v1", kT1)));
  Value out = MustApply(live, J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","finalizers":["b.io/y"]}})"),
                        schema, Ctx("two", "v1", kT2));
  EXPECT_EQ(S(*out.Find("metadata")->Find("finalizers")), R"(["a.io/x","b.io/y"])");
  EXPECT_EQ(FieldsOfManager(out, "one"), R"({"f:metadata":{"f:finalizers":{"v:\"a.io/x\"":{}}}})");
  EXPECT_EQ(FieldsOfManager(out, "two"), R"({"f:metadata":{"f:finalizers":{"v:\"b.io/y\"":{}}}})");
  // Dropping its item prunes it.
  Value pruned = MustApply(Stored(out), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}})"),
                           schema, Ctx("one", "v1", kT3));
  EXPECT_EQ(S(*pruned.Find("metadata")->Find("finalizers")), R"(["b.io/y"])");
}

TEST(FieldManagerApplyTest, AtomicListsAreReplacedWhole) {
  const SchemaNode schema = DeploymentSchema();
  const char* tmpl = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"template":{"spec":{"containers":[{"name":"c","args":ARGS}]}}}})";
  auto config = [&](const std::string& args) {
    std::string s = tmpl;
    s.replace(s.find("ARGS"), 4, args);
    return J(s);
  };
  Value live = Stored(MustApply(Value(), config(R"(["x","y"])"), schema, Ctx("one", "apps/v1", kT1)));
  EXPECT_NE(FieldsOfManager(live, "one").find(R"("f:args":{})"), std::string::npos);
  auto r = Apply(live, config(R"(["z"])"), schema, Ctx("two", "apps/v1", kT2), false);
  auto* conflict = std::get_if<ApplyConflictError>(&r);
  ASSERT_NE(conflict, nullptr);
  EXPECT_EQ(conflict->message,
            R"(Apply failed with 1 conflict: conflict with "one": .spec.template.spec.containers[name="c"].args)");
  Value out = MustApply(live, config(R"(["z"])"), schema, Ctx("two", "apps/v1", kT2), true);
  EXPECT_EQ(S(*out.Find("spec")->Find("template")->Find("spec")->Find("containers")->as_array()[0].Find("args")),
            R"(["z"])");
  EXPECT_EQ(FieldsOfManager(out, "one").find("f:args"), std::string::npos);
}

TEST(FieldManagerApplyTest, FloatsEqualToIntsAreNoChange) {
  const SchemaNode schema = DeploymentSchema();
  Value live = Stored(MustApply(Value(), J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"replicas":3}})"),
                                schema, Ctx("m", "apps/v1", kT1)));
  Value out = MustApply(live, J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":3.0}})"),
                        schema, Ctx("m", "apps/v1", kT2));
  EXPECT_EQ(S(out), S(live));
}

TEST(FieldManagerApplyTest, ExistingObjectWithoutManagedFieldsGetsBeforeFirstApply) {
  const SchemaNode schema = ConfigMapSchema();
  Value live = Stored(J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"1","b":"2"}})"));
  Value out = MustApply(live, J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"1"}})"),
                        schema, Ctx("m", "v1", kT2));
  EXPECT_EQ(ManagedJson(out),
            R"([{"manager":"m","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}},)"
            R"({"manager":"before-first-apply","operation":"Update","apiVersion":"v1","time":"2026-11-29T08:00:01Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:a":{},"f:b":{}}}}])");
}

TEST(FieldManagerApplyTest, KubectlTakesOverClientSideApplyFields) {
  // lastappliedmanager.go: conflicts with fields recorded (with their live values) in the
  // last-applied annotation are not conflicts for the "kubectl" manager, and the
  // annotation follows the applied configuration.
  const SchemaNode schema = ConfigMapSchema();
  Value created = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default",
      "annotations":{"kubectl.kubernetes.io/last-applied-configuration":
        "{\"apiVersion\":\"v1\",\"data\":{\"key\":\"a\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"cm\",\"namespace\":\"default\"}}\n"}},
      "data":{"key":"a"}})");
  Value live = Stored(MustUpdate(Value(), created, schema, Ctx("kubectl-client-side-apply", "v1", kT1)));
  Value config = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default"},"data":{"key":"b"}})");
  auto r = Apply(live, config, schema, Ctx("other", "v1", kT2), false);
  ASSERT_NE(std::get_if<ApplyConflictError>(&r), nullptr);
  EXPECT_EQ(std::get<ApplyConflictError>(r).message,
            R"(Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key)");
  Value out = MustApply(live, config, schema, Ctx("kubectl", "v1", kT2));
  EXPECT_EQ(S(*out.Find("data")), R"({"key":"b"})");
  EXPECT_EQ(out.Find("metadata")->Find("annotations")->Find("kubectl.kubernetes.io/last-applied-configuration")->as_string(),
            "{\"apiVersion\":\"v1\",\"data\":{\"key\":\"b\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\",\"namespace\":\"default\"}}\n");
}

TEST(FieldManagerApplyTest, RejectsWhatKubeRejects) {
  const SchemaNode schema = ConfigMapSchema();
  auto status_of = [&](const Value& live, const Value& config, const std::string& version) {
    auto r = Apply(live, config, schema, Ctx("m", version, kT1), false);
    auto* s = std::get_if<Status>(&r);
    return s != nullptr ? *s : Status();
  };
  Status s = status_of(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","managedFields":[]}})"), "v1");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "metadata.managedFields must be nil");
  // apply_test.go TestApplyFailsWithVersionMismatch: 400.
  s = status_of(Value(), J(R"({"apiVersion":"extensions/v1beta","kind":"ConfigMap","metadata":{"name":"cm"}})"), "v1");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "invalid object type: extensions/v1beta, Kind=ConfigMap");
  // Typed conversion failures of the applied object.
  s = status_of(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"ns"},"data":{"a":1}})"), "v1");
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message().substr(0, 66), "failed to create typed patch object (ns/cm; /v1, Kind=ConfigMap): ");
  s = status_of(Value(), J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"dta":{}})"), "v1");
  EXPECT_EQ(s.message(), "failed to create typed patch object (/cm; /v1, Kind=ConfigMap): .dta: field not declared in schema");
  s = status_of(Value(), J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})"),
                "apps/v1");
  // (ConfigMap schema on purpose: spec is undeclared.)
  EXPECT_NE(s.message().find("field not declared in schema"), std::string::npos);
  // A list-map key without a value or a default (the schema's defaults are used: a
  // container without a name is keyed by name="", kube-openapi's default for it).
  WriteContext cr = Ctx("m", "apps/v1", kT1);
  cr.custom_resource = true;  // no built-in "TCP" default for protocol
  auto r = Apply(Value(), J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"template":{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}]}}}})"),
                 DeploymentSchema(), cr, false);
  ASSERT_NE(std::get_if<Status>(&r), nullptr);
  EXPECT_EQ(std::get<Status>(r).message(),
            "failed to create typed patch object (/d; apps/v1, Kind=Deployment): "
            ".spec.template.spec.containers[name=\"c\"].ports: element 0: associative list with keys has an element "
            "that omits key field \"protocol\" (and doesn't have default value)");
}

TEST(FieldManagerApplyTest, CustomResourcesWithoutSchemaAreDeduced) {
  WriteContext ctx = Ctx("m", "example.com/v1", kT1);
  ctx.custom_resource = true;
  Value out = MustApply(Value(), J(R"({"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"foo","labels":{"a":"b"}},
      "spec":{"data":{"key1":"val1"},"list":[1,2]}})"),
                        SchemaNode(), ctx);
  // Deduced: every map entry is a field, lists are atomic; metadata is ObjectMeta.
  EXPECT_EQ(FieldsOfManager(out, "m"),
            R"({"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{".":{},"f:data":{".":{},"f:key1":{}},"f:list":{}}})");
}

TEST(FieldManagerTest, HostileNestingIsRejected) {
  std::string deep = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":)";
  for (int i = 0; i < 5000; ++i) deep += "[";
  for (int i = 0; i < 5000; ++i) deep += "]";
  deep += "}";
  Value v = J(deep);
  auto u = Update(Value(), v, ConfigMapSchema(), Ctx("m", "v1", kT1));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
  auto a = Apply(Value(), v, ConfigMapSchema(), Ctx("m", "v1", kT1), false);
  ASSERT_NE(std::get_if<Status>(&a), nullptr);
  EXPECT_EQ(std::get<Status>(a).code(), StatusCode::kInvalidArgument);
  auto bad_time = Update(Value(), J(R"({"metadata":{}})"), ConfigMapSchema(), Ctx("m", "v1", "yesterday"));
  EXPECT_EQ(bad_time.status().code(), StatusCode::kInvalidArgument);
}

TEST(FieldManagerTest, DeepButAllowedNestingWorks) {
  // 990 levels of maps in a schemaless custom resource: every walk recurses per level.
  std::string open, close;
  for (int i = 0; i < 990; ++i) {
    open += R"({"k":)";
    close += "}";
  }
  WriteContext ctx = Ctx("m", "example.com/v1", kT1);
  ctx.custom_resource = true;
  Value config = J(R"({"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"foo"},"spec":)" + open + "1" +
                   close + "}");
  Value out = MustApply(Value(), config, SchemaNode(), ctx);
  Value live = Stored(out);
  Value changed = J(R"({"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"foo"},"spec":)" + open + "2" +
                    close + "}");
  auto r = Apply(live, changed, SchemaNode(), Ctx("other", "example.com/v1", kT2), false);
  ASSERT_NE(std::get_if<ApplyConflictError>(&r), nullptr);
  Value updated = MustUpdate(live, changed, SchemaNode(), ctx);
  EXPECT_NE(updated.Find("metadata")->Find("managedFields"), nullptr);
}

TEST(FieldManagerTest, FieldsOfFollowsToFieldSet) {
  auto set = FieldsOf(J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","labels":{"a":"b"}},"data":{"k":"v"}})"),
                      ConfigMapSchema());
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->ToFieldsV1Json(),
            R"({"f:apiVersion":{},"f:data":{"f:k":{}},"f:kind":{},"f:metadata":{"f:labels":{"f:a":{}},"f:name":{}}})");
}

}  // namespace
}  // namespace kstream::api::fieldmanager
