#include "registry/field_selector.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/k8s/batch/v1/types.h"
#include "api/k8s/certificates/v1/types.h"
#include "api/k8s/core/v1/types.h"
#include "api/k8s/events/v1/types.h"
#include "api/k8s/resource/v1beta1/types.h"
#include "api/k8s/resource/v1beta2/types.h"

namespace kstream::registry {
namespace {

FieldSelector Parse(std::string_view s) {
  auto r = ParseFieldSelector(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().message();
  return r.ok() ? *r : FieldSelector();
}

std::string Error(std::string_view s) {
  auto r = ParseFieldSelector(s);
  EXPECT_FALSE(r.ok()) << s;
  return r.ok() ? std::string() : std::string(r.status().message());
}

std::string ConvertError(std::string_view sel, std::string_view group, std::string_view version,
                         std::string_view resource) {
  auto r = ConvertFieldSelector(Parse(sel), group, version, resource);
  EXPECT_FALSE(r.ok()) << sel;
  return r.ok() ? std::string() : std::string(r.status().message());
}

std::string Converted(std::string_view sel, std::string_view group, std::string_view version,
                      std::string_view resource) {
  auto r = ConvertFieldSelector(Parse(sel), group, version, resource);
  EXPECT_TRUE(r.ok()) << sel << ": " << r.status().message();
  return r.ok() ? r->String() : std::string();
}

std::unique_ptr<typed::Object> New(std::string_view group, std::string_view version, std::string_view kind) {
  for (const typed::KindEntry& e : typed::GeneratedKinds()) {
    if (e.group == group && e.version == version && e.kind == kind) return e.New();
  }
  ADD_FAILURE() << "no kind " << group << "/" << version << " " << kind;
  return nullptr;
}

bool Selects(std::string_view sel, const typed::Object& obj) {
  return Parse(sel).MatchesWith([&](std::string_view f) { return FieldValue(obj, f); });
}

TEST(FieldSelectorTest, ParsesTerms) {
  EXPECT_TRUE(Parse("").empty());
  FieldSelector s = Parse("metadata.name=foo");
  ASSERT_EQ(s.terms().size(), 1u);
  EXPECT_EQ(s.terms()[0].field, "metadata.name");
  EXPECT_EQ(s.terms()[0].value, "foo");
  EXPECT_FALSE(s.terms()[0].not_equals);
  s = Parse("a==b");
  EXPECT_TRUE(s.terms()[0].double_equals);
  EXPECT_EQ(s.String(), "a=b");
  s = Parse("a!=b");
  EXPECT_TRUE(s.terms()[0].not_equals);
  EXPECT_EQ(s.String(), "a!=b");
  // Terms are sorted as strings; empty terms are skipped.
  s = Parse("status.phase!=Failed,,spec.nodeName=n1,");
  EXPECT_EQ(s.String(), "spec.nodeName=n1,status.phase!=Failed");
  EXPECT_EQ(s.Fields(), (std::vector<std::string>{"spec.nodeName", "status.phase"}));
  // Spaces are data, not syntax.
  s = Parse(" a = b ");
  EXPECT_EQ(s.terms()[0].field, " a ");
  EXPECT_EQ(s.terms()[0].value, " b ");
  // The key is not unescaped and splits at the first operator.
  s = Parse("a!b=c");
  EXPECT_EQ(s.terms()[0].field, "a!b");
}

TEST(FieldSelectorTest, EmptyTermsAreDropped) {
  EXPECT_TRUE(Parse("=").empty());
  EXPECT_TRUE(Parse("==,!=").empty());
  EXPECT_EQ(Parse("=,a=b").String(), "a=b");
  // An empty field with a value stays (and is rejected later by the field label check).
  EXPECT_EQ(Parse("=x").String(), "=x");
  EXPECT_EQ(Parse("a=").String(), "a=");
}

TEST(FieldSelectorTest, Escaping) {
  FieldSelector s = Parse("a=x\\,y,b=p\\=q,c=back\\\\slash");
  ASSERT_EQ(s.terms().size(), 3u);
  EXPECT_EQ(s.terms()[0].value, "x,y");
  EXPECT_EQ(s.terms()[1].value, "p=q");
  EXPECT_EQ(s.terms()[2].value, "back\\slash");
  EXPECT_EQ(s.String(), "a=x\\,y,b=p\\=q,c=back\\\\slash");
  EXPECT_EQ(EscapeFieldValue("a,b=c\\d"), "a\\,b\\=c\\\\d");
  for (std::string v : {"", "plain", ",", "=", "\\", "a,b=c\\d,,==\\\\"}) {
    auto back = UnescapeFieldValue(EscapeFieldValue(v));
    ASSERT_TRUE(back.ok()) << v;
    EXPECT_EQ(*back, v);
    FieldSelector rt = Parse("f=" + EscapeFieldValue(v));
    if (!v.empty()) {
      ASSERT_EQ(rt.terms().size(), 1u);
      EXPECT_EQ(rt.terms()[0].value, v);
    }
  }
  // Without special characters the value is returned untouched, invalid UTF-8 included;
  // with them Go's rune loop turns invalid bytes into U+FFFD.
  EXPECT_EQ(*UnescapeFieldValue("\xff"), "\xff");
  EXPECT_EQ(*UnescapeFieldValue("\xff\\,"), "\xEF\xBF\xBD,");
}

TEST(FieldSelectorTest, Errors) {
  EXPECT_EQ(Error("foo"), "invalid selector: 'foo'; can't understand 'foo'");
  EXPECT_EQ(Error("a=b,foo"), "invalid selector: 'a=b,foo'; can't understand 'foo'");
  EXPECT_EQ(Error("a=b=c"), "invalid field selector: unescaped character in value: 61");
  EXPECT_EQ(Error("a===b"), "invalid field selector: unescaped character in value: 61");
  EXPECT_EQ(Error("a=!=b"), "invalid field selector: unescaped character in value: 61");
  EXPECT_EQ(Error("a=x\\y"), "invalid field selector: invalid escape sequence: \\y");
  EXPECT_EQ(Error("a=x\\"), "invalid field selector: invalid escape sequence: \\");
  EXPECT_EQ(Error("a=x\\\xc3\xa9"), "invalid field selector: invalid escape sequence: \\\xc3\xa9");
  // Sorted terms: "a..." is checked before "z...".
  EXPECT_EQ(Error("z=1=2,a"), "invalid selector: 'z=1=2,a'; can't understand 'a'");
}

TEST(FieldSelectorTest, MatchesLikeFieldsSet) {
  std::map<std::string, std::string, std::less<>> fields = {{"metadata.name", "foo"}, {"status.phase", "Running"}};
  auto lookup = [&](std::string_view f) -> std::optional<std::string> {
    auto it = fields.find(f);
    if (it == fields.end()) return std::nullopt;
    return it->second;
  };
  EXPECT_TRUE(Parse("").MatchesWith(lookup));
  EXPECT_TRUE(Parse("metadata.name=foo").MatchesWith(lookup));
  EXPECT_FALSE(Parse("metadata.name=bar").MatchesWith(lookup));
  EXPECT_TRUE(Parse("metadata.name=foo,status.phase!=Failed").MatchesWith(lookup));
  EXPECT_FALSE(Parse("metadata.name=foo,status.phase!=Running").MatchesWith(lookup));
  // A missing field reads as "".
  EXPECT_TRUE(Parse("missing!=x").MatchesWith(lookup));
  EXPECT_TRUE(Parse("missing=").MatchesWith(lookup));
  EXPECT_FALSE(Parse("missing=x").MatchesWith(lookup));
  EXPECT_TRUE(Parse("metadata.name=foo").Matches(lookup));
}

TEST(FieldSelectorTest, RequiresExactMatchAndName) {
  std::string v;
  EXPECT_TRUE(Parse("metadata.name=foo,status.phase=x").RequiresExactMatch("metadata.name", &v));
  EXPECT_EQ(v, "foo");
  EXPECT_TRUE(Parse("metadata.name==bar").RequiresExactMatch("metadata.name", &v));
  EXPECT_EQ(v, "bar");
  EXPECT_FALSE(Parse("metadata.name!=foo").RequiresExactMatch("metadata.name", &v));
  EXPECT_FALSE(Parse("").RequiresExactMatch("metadata.name", &v));
  EXPECT_TRUE(Parse("metadata.name!=x,metadata.name=y").RequiresExactMatch("metadata.name", &v));
  EXPECT_EQ(v, "y");

  EXPECT_TRUE(CheckSelectorMatchesName(Parse(""), "foo").ok());
  EXPECT_TRUE(CheckSelectorMatchesName(Parse("metadata.name=foo"), "foo").ok());
  for (std::string_view sel : {"metadata.name=bar", "metadata.name!=foo", "status.phase=Running"}) {
    Status s = CheckSelectorMatchesName(Parse(sel), "foo");
    EXPECT_EQ(s.message(), "fieldSelector metadata.name doesn't match requested name") << sel;
  }
}

TEST(FieldSelectorTest, SupportedLists) {
  EXPECT_EQ(SupportedFieldSelectors("", "configmaps"),
            (std::vector<std::string_view>{"metadata.name", "metadata.namespace"}));
  EXPECT_EQ(SupportedFieldSelectors("apps", "replicasets"),
            (std::vector<std::string_view>{"metadata.name", "metadata.namespace"}));
  EXPECT_EQ(SupportedFieldSelectors("", "pods"),
            (std::vector<std::string_view>{"metadata.name", "metadata.namespace", "spec.nodeName",
                                           "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                                           "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
                                           "status.nominatedNodeName"}));
  EXPECT_EQ(SupportedFieldSelectors("", "nodes"), (std::vector<std::string_view>{"metadata.name", "spec.unschedulable"}));
  EXPECT_EQ(SupportedFieldSelectors("batch", "jobs"),
            (std::vector<std::string_view>{"metadata.name", "metadata.namespace", "status.successful"}));
  EXPECT_EQ(SupportedFieldSelectors("certificates.k8s.io", "certificatesigningrequests"),
            (std::vector<std::string_view>{"metadata.name", "spec.signerName"}));
}

TEST(FieldSelectorTest, ConvertErrorsAreKubes) {
  EXPECT_EQ(ConvertError("spec.foo=x", "", "v1", "configmaps"),
            "\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
  EXPECT_EQ(ConvertError("status.replicas=1", "apps", "v1", "replicasets"),
            "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
  EXPECT_EQ(ConvertError("=x", "", "v1", "configmaps"),
            "\"\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
  EXPECT_EQ(ConvertError("spec.foo=x", "", "v1", "pods"), "field label not supported: spec.foo");
  EXPECT_EQ(ConvertError("metadata.namespace=x", "", "v1", "nodes"), "field label not supported: metadata.namespace");
  EXPECT_EQ(ConvertError("spec.foo=x", "batch", "v1", "jobs"), "field label \"spec.foo\" not supported for batchv1.Job");
  EXPECT_EQ(ConvertError("spec.pool=x", "resource.k8s.io", "v1beta1", "resourceslices"),
            "field label not supported for resource.k8s.io/v1beta1, Kind=ResourceSlice: spec.pool");
  EXPECT_EQ(ConvertError("involvedObject.name=x", "events.k8s.io", "v1", "events"),
            "field label not supported: involvedObject.name");
  // The first unsupported term in sorted order is reported.
  EXPECT_EQ(ConvertError("z.b=1,metadata.name=a,y.a=2", "", "v1", "secrets"), "field label not supported: y.a");
}

TEST(FieldSelectorTest, ConvertRenamesAliases) {
  EXPECT_EQ(Converted("spec.host=n1", "", "v1", "pods"), "spec.nodeName=n1");
  EXPECT_EQ(Converted("regarding.name=x,reportingController=kubelet", "events.k8s.io", "v1", "events"),
            "involvedObject.name=x,reportingComponent=kubelet");
  EXPECT_EQ(Converted("metadata.name=a,metadata.namespace!=b", "", "v1", "configmaps"),
            "metadata.name=a,metadata.namespace!=b");
  EXPECT_EQ(Converted("status.phase=Running,spec.nodeName=n", "", "v1", "pods"),
            "spec.nodeName=n,status.phase=Running");
}

TEST(FieldSelectorTest, CustomResources) {
  auto sel = Parse("spec.color=red,metadata.namespace=x");
  EXPECT_TRUE(ConvertCustomResourceFieldSelector(sel, true, {"spec.color"}).ok());
  auto r = ConvertCustomResourceFieldSelector(sel, false, {"spec.color"});
  EXPECT_EQ(r.status().message(), "field label not supported: metadata.namespace");
  r = ConvertCustomResourceFieldSelector(sel, true, {});
  EXPECT_EQ(r.status().message(), "field label not supported: spec.color");
}

TEST(FieldSelectorTest, PodFieldValues) {
  auto obj = New("", "v1", "Pod");
  ASSERT_TRUE(obj);
  auto* pod = obj->As<k8s::core::v1::Pod>();
  ASSERT_TRUE(pod);
  pod->ObjectMeta.Name = "web-1";
  pod->ObjectMeta.Namespace = "prod";
  pod->Spec.NodeName = "node-a";
  pod->Spec.RestartPolicy = "Always";
  pod->Spec.SchedulerName = "default-scheduler";
  pod->Spec.DeprecatedServiceAccount = "legacy";
  pod->Spec.HostNetwork = true;
  pod->Status.Phase = "Running";
  pod->Status.NominatedNodeName = "node-b";
  pod->Status.PodIPs.push_back({"10.0.0.7"});

  EXPECT_EQ(FieldValue(*obj, "metadata.name"), "web-1");
  EXPECT_EQ(FieldValue(*obj, "metadata.namespace"), "prod");
  EXPECT_EQ(FieldValue(*obj, "spec.nodeName"), "node-a");
  EXPECT_EQ(FieldValue(*obj, "spec.restartPolicy"), "Always");
  EXPECT_EQ(FieldValue(*obj, "spec.schedulerName"), "default-scheduler");
  EXPECT_EQ(FieldValue(*obj, "spec.serviceAccountName"), "legacy");
  EXPECT_EQ(FieldValue(*obj, "spec.hostNetwork"), "true");
  EXPECT_EQ(FieldValue(*obj, "status.phase"), "Running");
  EXPECT_EQ(FieldValue(*obj, "status.podIP"), "10.0.0.7");
  EXPECT_EQ(FieldValue(*obj, "status.nominatedNodeName"), "node-b");
  EXPECT_EQ(FieldValue(*obj, "status.podIPs"), std::nullopt);
  EXPECT_EQ(FieldValue(*obj, "spec.unknown"), std::nullopt);

  pod->Spec.ServiceAccountName = "sa";
  pod->Spec.HostNetwork = false;
  pod->Status.PodIP = "10.0.0.9";
  EXPECT_EQ(FieldValue(*obj, "spec.serviceAccountName"), "sa");
  EXPECT_EQ(FieldValue(*obj, "spec.hostNetwork"), "false");
  EXPECT_EQ(FieldValue(*obj, "status.podIP"), "10.0.0.9");

  EXPECT_TRUE(Selects("spec.nodeName=node-a,status.phase!=Failed,metadata.namespace=prod", *obj));
  EXPECT_FALSE(Selects("spec.nodeName=node-b", *obj));
  EXPECT_TRUE(Selects("spec.hostNetwork=false", *obj));
  EXPECT_TRUE(Selects("status.podIPs=", *obj));  // accepted, never set: reads as ""
  EXPECT_FALSE(Selects("status.podIPs=10.0.0.9", *obj));
}

TEST(FieldSelectorTest, OtherKindsFieldValues) {
  auto node = New("", "v1", "Node");
  node->As<k8s::core::v1::Node>()->Spec.Unschedulable = true;
  EXPECT_EQ(FieldValue(*node, "spec.unschedulable"), "true");

  auto rc = New("", "v1", "ReplicationController");
  rc->As<k8s::core::v1::ReplicationController>()->Status.Replicas = 3;
  EXPECT_EQ(FieldValue(*rc, "status.replicas"), "3");

  auto secret = New("", "v1", "Secret");
  secret->As<k8s::core::v1::Secret>()->Type = "kubernetes.io/tls";
  EXPECT_TRUE(Selects("type=kubernetes.io/tls", *secret));

  auto ns = New("", "v1", "Namespace");
  ns->As<k8s::core::v1::Namespace>()->Status.Phase = "Terminating";
  EXPECT_EQ(FieldValue(*ns, "status.phase"), "Terminating");

  auto svc = New("", "v1", "Service");
  svc->As<k8s::core::v1::Service>()->Spec.ClusterIP = "None";
  svc->As<k8s::core::v1::Service>()->Spec.Type = "ClusterIP";
  EXPECT_TRUE(Selects("spec.clusterIP=None,spec.type=ClusterIP", *svc));

  auto job = New("batch", "v1", "Job");
  job->As<k8s::batch::v1::Job>()->Status.Succeeded = 12;
  EXPECT_EQ(FieldValue(*job, "status.successful"), "12");

  auto csr = New("certificates.k8s.io", "v1", "CertificateSigningRequest");
  csr->As<k8s::certificates::v1::CertificateSigningRequest>()->Spec.SignerName = "kubernetes.io/kubelet-serving";
  EXPECT_EQ(FieldValue(*csr, "spec.signerName"), "kubernetes.io/kubelet-serving");

  auto ev = New("", "v1", "Event");
  auto* e = ev->As<k8s::core::v1::Event>();
  e->InvolvedObject.Kind = "Pod";
  e->InvolvedObject.Name = "web-1";
  e->InvolvedObject.UID = "u-1";
  e->Reason = "Started";
  e->Type = "Normal";
  e->ReportingController = "kubelet";
  EXPECT_EQ(FieldValue(*ev, "involvedObject.kind"), "Pod");
  EXPECT_EQ(FieldValue(*ev, "involvedObject.uid"), "u-1");
  EXPECT_EQ(FieldValue(*ev, "source"), "kubelet");  // falls back to reportingController
  e->Source.Component = "scheduler";
  EXPECT_EQ(FieldValue(*ev, "source"), "scheduler");
  EXPECT_EQ(FieldValue(*ev, "reportingComponent"), "kubelet");
  EXPECT_TRUE(Selects("involvedObject.name=web-1,reason=Started,type=Normal", *ev));

  auto ev2 = New("events.k8s.io", "v1", "Event");
  auto* e2 = ev2->As<k8s::events::v1::Event>();
  e2->Regarding.Name = "web-2";
  e2->ReportingController = "ctrl";
  auto conv = ConvertFieldSelector(Parse("regarding.name=web-2,reportingController=ctrl"), "events.k8s.io", "v1",
                                   "events");
  ASSERT_TRUE(conv.ok());
  EXPECT_TRUE(conv->MatchesWith([&](std::string_view f) { return FieldValue(*ev2, f); }));
  EXPECT_EQ(FieldValue(*ev2, "source"), "ctrl");

  auto rs1 = New("resource.k8s.io", "v1beta1", "ResourceSlice");
  rs1->As<k8s::resource::v1beta1::ResourceSlice>()->Spec.NodeName = "n1";
  rs1->As<k8s::resource::v1beta1::ResourceSlice>()->Spec.Driver = "gpu.example.com";
  EXPECT_TRUE(Selects("spec.nodeName=n1,spec.driver=gpu.example.com", *rs1));
  auto rs2 = New("resource.k8s.io", "v1beta2", "ResourceSlice");
  EXPECT_EQ(FieldValue(*rs2, "spec.nodeName"), "");  // nil pointer reads as ""
  rs2->As<k8s::resource::v1beta2::ResourceSlice>()->Spec.NodeName = "n2";
  EXPECT_EQ(FieldValue(*rs2, "spec.nodeName"), "n2");

  auto cm = New("", "v1", "ConfigMap");
  cm->object_meta()->Name = "cfg";
  EXPECT_EQ(FieldValue(*cm, "metadata.name"), "cfg");
  EXPECT_EQ(FieldValue(*cm, "metadata.namespace"), "");
  EXPECT_EQ(FieldValue(*cm, "data"), std::nullopt);
}

}  // namespace
}  // namespace kstream::registry
