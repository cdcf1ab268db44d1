#include "server/discovery.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/typed/scheme.h"

namespace kstream::server {
namespace {

using api::Value;

std::string ReadShared(const std::string& name) {
  std::ifstream in(std::string(KSTREAM_SHARED_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Value Parse(std::string_view json) {
  Result<Value> v = api::ParseJson(json);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::move(v).value() : Value();
}

std::string Show(const Value& v) {
  Result<std::string> s = api::ToJson(v);
  return s.ok() ? *s : "<error>";
}

const Discovery& Default() {
  static const Discovery d = [] {
    DiscoveryOptions o;
    o.server_address = "10.0.0.1:6443";
    return Discovery::Build(typed::Scheme::Default(), o);
  }();
  return d;
}

const DiscoveryDocument& LegacyDoc(const Discovery& d, std::string_view path) {
  const DiscoveryDocument* doc = d.Legacy(path);
  EXPECT_NE(doc, nullptr) << path;
  static const DiscoveryDocument kEmpty;
  return doc ? *doc : kEmpty;
}

std::string StripNewline(const std::string& s) {
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(s.back(), '\n');
  return s.substr(0, s.empty() ? 0 : s.size() - 1);
}

std::vector<std::string> GroupNames(const Value& list, const char* key, bool aggregated) {
  std::vector<std::string> names;
  for (const Value& g : list.Find(key)->as_array()) {
    const Value* name = aggregated ? g.Find("metadata")->Find("name") : g.Find("name");
    names.push_back(name ? name->as_string() : "");
  }
  return names;
}

// ---------------------------------------------------------------------------------------
// Served set

TEST(DiscoveryTest, DefaultServedGroupVersions) {
  const std::vector<std::string> want = {
      "v1",
      "apps/v1",
      "events.k8s.io/v1",
      "authentication.k8s.io/v1",
      "authorization.k8s.io/v1",
      "autoscaling/v2",
      "autoscaling/v1",
      "batch/v1",
      "certificates.k8s.io/v1",
      "networking.k8s.io/v1",
      "policy/v1",
      "rbac.authorization.k8s.io/v1",
      "storage.k8s.io/v1",
      "admissionregistration.k8s.io/v1",
      "apiextensions.k8s.io/v1",
      "scheduling.k8s.io/v1",
      "coordination.k8s.io/v1",
      "node.k8s.io/v1",
      "discovery.k8s.io/v1",
      "resource.k8s.io/v1",
      "flowcontrol.apiserver.k8s.io/v1",
      "storagemigration.k8s.io/v1",
  };
  EXPECT_EQ(Default().GroupVersions(), want);
  EXPECT_TRUE(Default().ServesGroupVersion("", "v1"));
  EXPECT_TRUE(Default().ServesGroupVersion("autoscaling", "v2"));
  EXPECT_FALSE(Default().ServesGroupVersion("batch", "v1beta1"));
  // No generated type for APIService: never served.
  EXPECT_FALSE(Default().ServesGroupVersion("apiregistration.k8s.io", "v1"));
  EXPECT_EQ(Default().FindServed("apiregistration.k8s.io", "v1", "apiservices"), nullptr);
  const typed::ResourceInfo* cm = Default().FindServed("", "v1", "configmaps");
  ASSERT_NE(cm, nullptr);
  EXPECT_EQ(cm->kind, "ConfigMap");
  EXPECT_EQ(Default().FindServed("apps", "v1beta1", "deployments"), nullptr);
  for (const typed::ResourceInfo* r : Default().ServedResources()) {
    EXPECT_TRUE(r->default_served) << r->group << "/" << r->version << " " << r->resource;
  }
  ASSERT_FALSE(Default().ServedResources().empty());
  EXPECT_EQ(Default().ServedResources().front()->resource, "bindings");
}

// ---------------------------------------------------------------------------------------
// Legacy documents

TEST(DiscoveryTest, ApiVersions) {
  const DiscoveryDocument& doc = LegacyDoc(Default(), "/api");
  EXPECT_EQ(doc.json,
            "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[{"
            "\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"10.0.0.1:6443\"}]}\n");
  EXPECT_EQ(doc.pretty_json,
            "{\n"
            "  \"kind\": \"APIVersions\",\n"
            "  \"versions\": [\n"
            "    \"v1\"\n"
            "  ],\n"
            "  \"serverAddressByClientCIDRs\": [\n"
            "    {\n"
            "      \"clientCIDR\": \"0.0.0.0/0\",\n"
            "      \"serverAddress\": \"10.0.0.1:6443\"\n"
            "    }\n"
            "  ]\n"
            "}");
  EXPECT_TRUE(doc.protobuf.empty());
  EXPECT_TRUE(doc.etag.empty());
}

TEST(DiscoveryTest, ApiGroupList) {
  const DiscoveryDocument& doc = LegacyDoc(Default(), "/apis");
  const std::string prefix =
      "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{\"name\":\"apps\",\"versions\":["
      "{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}],\"preferredVersion\":{\"groupVersion\":"
      "\"apps/v1\",\"version\":\"v1\"}},{\"name\":\"events.k8s.io\",";
  EXPECT_EQ(doc.json.substr(0, prefix.size()), prefix);
  EXPECT_NE(doc.json.find(
                "{\"name\":\"autoscaling\",\"versions\":[{\"groupVersion\":\"autoscaling/v2\","
                "\"version\":\"v2\"},{\"groupVersion\":\"autoscaling/v1\",\"version\":\"v1\"}],"
                "\"preferredVersion\":{\"groupVersion\":\"autoscaling/v2\",\"version\":\"v2\"}}"),
            std::string::npos);
  EXPECT_TRUE(doc.json.ends_with("\"version\":\"v1\"}}]}\n"));
  const std::vector<std::string> want = {
      "apps",
      "events.k8s.io",
      "authentication.k8s.io",
      "authorization.k8s.io",
      "autoscaling",
      "batch",
      "certificates.k8s.io",
      "networking.k8s.io",
      "policy",
      "rbac.authorization.k8s.io",
      "storage.k8s.io",
      "admissionregistration.k8s.io",
      "apiextensions.k8s.io",
      "scheduling.k8s.io",
      "coordination.k8s.io",
      "node.k8s.io",
      "discovery.k8s.io",
      "resource.k8s.io",
      "flowcontrol.apiserver.k8s.io",
      "storagemigration.k8s.io",
  };
  EXPECT_EQ(GroupNames(Parse(doc.json), "groups", false), want);
  EXPECT_EQ(Parse(doc.pretty_json), Parse(doc.json));
}

TEST(DiscoveryTest, ApiGroup) {
  EXPECT_EQ(LegacyDoc(Default(), "/apis/apps").json,
            "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\",\"name\":\"apps\",\"versions\":[{"
            "\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}],\"preferredVersion\":{"
            "\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}}\n");
  EXPECT_EQ(LegacyDoc(Default(), "/apis/autoscaling").pretty_json,
            "{\n"
            "  \"kind\": \"APIGroup\",\n"
            "  \"apiVersion\": \"v1\",\n"
            "  \"name\": \"autoscaling\",\n"
            "  \"versions\": [\n"
            "    {\n"
            "      \"groupVersion\": \"autoscaling/v2\",\n"
            "      \"version\": \"v2\"\n"
            "    },\n"
            "    {\n"
            "      \"groupVersion\": \"autoscaling/v1\",\n"
            "      \"version\": \"v1\"\n"
            "    }\n"
            "  ],\n"
            "  \"preferredVersion\": {\n"
            "    \"groupVersion\": \"autoscaling/v2\",\n"
            "    \"version\": \"v2\"\n"
            "  }\n"
            "}");
}

TEST(DiscoveryTest, UnknownLegacyPaths) {
  for (const char* path : {"", "/", "/api/", "/apis/", "/api/v2", "/apis/apps/v1beta1", "/apis/nope",
                           "/apis/apps/v1/", "/apis/v1", "/apis/apiregistration.k8s.io",
                           "/apis/apps/v1/deployments"}) {
    EXPECT_EQ(Default().Legacy(path), nullptr) << path;
  }
}

TEST(DiscoveryTest, CoreResourceListExactBytes) {
  const DiscoveryDocument& doc = LegacyDoc(Default(), "/api/v1");
  const std::string prefix =
      "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":[{\"name\":\"bindings\","
      "\"singularName\":\"binding\",\"namespaced\":true,\"kind\":\"Binding\",\"verbs\":[\"create\"]},"
      "{\"name\":\"componentstatuses\",\"singularName\":\"componentstatus\",\"namespaced\":false,"
      "\"kind\":\"ComponentStatus\",\"verbs\":[\"get\",\"list\"],\"shortNames\":[\"cs\"]},"
      "{\"name\":\"configmaps\",\"singularName\":\"configmap\",\"namespaced\":true,\"kind\":"
      "\"ConfigMap\",\"verbs\":[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\","
      "\"patch\",\"update\",\"watch\"],\"shortNames\":[\"cm\"],\"storageVersionHash\":"
      "\"qFsyl6wFWjQ=\"},";
  EXPECT_EQ(doc.json.substr(0, prefix.size()), prefix);
  for (const char* entry : {
           "{\"name\":\"pods/eviction\",\"singularName\":\"\",\"namespaced\":true,\"group\":"
           "\"policy\",\"version\":\"v1\",\"kind\":\"Eviction\",\"verbs\":[\"create\"]}",
           "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
           "\"verbs\":[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\","
           "\"update\",\"watch\"],\"shortNames\":[\"po\"],\"categories\":[\"all\"],"
           "\"storageVersionHash\":\"xPOwRZ+Yhw8=\"}",
           "{\"name\":\"serviceaccounts/token\",\"singularName\":\"\",\"namespaced\":true,"
           "\"group\":\"authentication.k8s.io\",\"version\":\"v1\",\"kind\":\"TokenRequest\","
           "\"verbs\":[\"create\"]}",
           "{\"name\":\"namespaces/finalize\",\"singularName\":\"\",\"namespaced\":false,\"kind\":"
           "\"Namespace\",\"verbs\":[\"update\"]}",
       }) {
    EXPECT_NE(doc.json.find(entry), std::string::npos) << entry;
  }
  // pods/* subresources sort before podtemplates ('/' < 't').
  EXPECT_LT(doc.json.find("\"pods/status\""), doc.json.find("\"podtemplates\""));
}

TEST(DiscoveryTest, CoreResourceListMatchesSnapshot) {
  Value snapshot = Parse(ReadShared("schema/discovery/api__v1.json"));
  Value ours = Parse(LegacyDoc(Default(), "/api/v1").json);
  EXPECT_EQ(*ours.Find("kind"), *snapshot.Find("kind"));
  EXPECT_EQ(*ours.Find("groupVersion"), *snapshot.Find("groupVersion"));
  EXPECT_EQ(ours.Find("apiVersion"), nullptr);
  std::map<std::string, const Value*> want;
  for (const Value& r : snapshot.Find("resources")->as_array()) {
    want[r.Find("name")->as_string()] = &r;
  }
  std::vector<std::string> names, extra;
  for (const Value& r : ours.Find("resources")->as_array()) {
    const std::string& name = r.Find("name")->as_string();
    names.push_back(name);
    auto it = want.find(name);
    if (it == want.end()) {
      extra.push_back(name);
      continue;
    }
    EXPECT_EQ(r, *it->second) << name << "\nours:     " << Show(r)
                              << "\nsnapshot: " << Show(*it->second);
    want.erase(it);
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  // The snapshot predates pods/resize (1.33 serves it).
  EXPECT_EQ(extra, std::vector<std::string>{"pods/resize"});
  for (const auto& [name, r] : want) ADD_FAILURE() << "missing " << name;
}

TEST(DiscoveryTest, GroupResourceList) {
  const DiscoveryDocument& doc = LegacyDoc(Default(), "/apis/apps/v1");
  const std::string prefix =
      "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"apps/v1\","
      "\"resources\":[{\"name\":\"controllerrevisions\",\"singularName\":\"controllerrevision\","
      "\"namespaced\":true,\"kind\":\"ControllerRevision\",\"verbs\":[\"create\",\"delete\","
      "\"deletecollection\",\"get\",\"list\",\"patch\",\"update\",\"watch\"],"
      "\"storageVersionHash\":\"85nkx63pcBU=\"},";
  EXPECT_EQ(doc.json.substr(0, prefix.size()), prefix);
  EXPECT_NE(doc.json.find("{\"name\":\"deployments/scale\",\"singularName\":\"\",\"namespaced\":"
                          "true,\"group\":\"autoscaling\",\"version\":\"v1\",\"kind\":\"Scale\","
                          "\"verbs\":[\"get\",\"patch\",\"update\"]},{\"name\":"
                          "\"deployments/status\",\"singularName\":\"\",\"namespaced\":true,"
                          "\"kind\":\"Deployment\",\"verbs\":[\"get\",\"patch\",\"update\"]}"),
            std::string::npos);
  // Review kinds: create only, no status subresource, no storage version hash.
  EXPECT_EQ(LegacyDoc(Default(), "/apis/authentication.k8s.io/v1").json,
            "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":"
            "\"authentication.k8s.io/v1\",\"resources\":[{\"name\":\"selfsubjectreviews\","
            "\"singularName\":\"selfsubjectreview\",\"namespaced\":false,\"kind\":"
            "\"SelfSubjectReview\",\"verbs\":[\"create\"]},{\"name\":\"tokenreviews\","
            "\"singularName\":\"tokenreview\",\"namespaced\":false,\"kind\":\"TokenReview\","
            "\"verbs\":[\"create\"]}]}\n");
}

// kube's test/integration/etcd storageversionhashdata (the 1.33 table).
TEST(DiscoveryTest, StorageVersionHashes) {
  const std::map<std::string, std::string> want = {
      {"v1/configmaps", "qFsyl6wFWjQ="},
      {"v1/endpoints", "fWeeMqaN/OA="},
      {"v1/events", "r2yiGXH7wu8="},
      {"v1/limitranges", "EBKMFVe6cwo="},
      {"v1/namespaces", "Q3oi5N2YM8M="},
      {"v1/nodes", "XwShjMxG9Fs="},
      {"v1/persistentvolumeclaims", "QWTyNDq0dC4="},
      {"v1/persistentvolumes", "HN/zwEC+JgM="},
      {"v1/pods", "xPOwRZ+Yhw8="},
      {"v1/podtemplates", "LIXB2x4IFpk="},
      {"v1/replicationcontrollers", "Jond2If31h0="},
      {"v1/resourcequotas", "8uhSgffRX6w="},
      {"v1/secrets", "S6u1pOWzb84="},
      {"v1/serviceaccounts", "pbx9ZvyFpBE="},
      {"v1/services", "0/CO1lhkEBI="},
      {"autoscaling/v1/horizontalpodautoscalers", "qwQve8ut294="},
      {"autoscaling/v2/horizontalpodautoscalers", "qwQve8ut294="},
      {"batch/v1/jobs", "mudhfqk/qZY="},
      {"batch/v1/cronjobs", "sd5LIXh4Fjs="},
      {"certificates.k8s.io/v1/certificatesigningrequests", "95fRKMXA+00="},
      {"coordination.k8s.io/v1/leases", "gqkMMb/YqFM="},
      {"discovery.k8s.io/v1/endpointslices", "qgS0xkrxYAI="},
      {"networking.k8s.io/v1/networkpolicies", "YpfwF18m1G8="},
      {"networking.k8s.io/v1/ingresses", "39NQlfNR+bo="},
      {"networking.k8s.io/v1/ingressclasses", "l/iqIbDgFyQ="},
      {"networking.k8s.io/v1/ipaddresses", "O4H8VxQhW5Y="},
      {"networking.k8s.io/v1/servicecidrs", "8ufAXOnr3Yg="},
      {"node.k8s.io/v1/runtimeclasses", "WQTu1GL3T2Q="},
      {"policy/v1/poddisruptionbudgets", "EVWiDmWqyJw="},
      {"rbac.authorization.k8s.io/v1/clusterrolebindings", "48tpQ8gZHFc="},
      {"rbac.authorization.k8s.io/v1/clusterroles", "bYE5ZWDrJ44="},
      {"rbac.authorization.k8s.io/v1/rolebindings", "eGsCzGH6b1g="},
      {"rbac.authorization.k8s.io/v1/roles", "7FuwZcIIItM="},
      {"scheduling.k8s.io/v1/priorityclasses", "1QwjyaZjj3Y="},
      {"storage.k8s.io/v1/csidrivers", "hL6j/rwBV5w="},
      {"storage.k8s.io/v1/csinodes", "Pe62DkZtjuo="},
      {"storage.k8s.io/v1/storageclasses", "K+m6uJwbjGY="},
      {"storage.k8s.io/v1/csistoragecapacities", "xeVl+2Ly1kE="},
      {"storage.k8s.io/v1/volumeattachments", "tJx/ezt6UDU="},
      {"apps/v1/controllerrevisions", "85nkx63pcBU="},
      {"apps/v1/daemonsets", "dd7pWHUlMKQ="},
      {"apps/v1/deployments", "8aSe+NMegvE="},
      {"apps/v1/replicasets", "P1RzHs8/mWQ="},
      {"apps/v1/statefulsets", "H+vl74LkKdo="},
      {"admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", "Sqi0GUgDaX0="},
      {"admissionregistration.k8s.io/v1/validatingwebhookconfigurations", "B0wHjQmsGNk="},
      {"admissionregistration.k8s.io/v1/validatingadmissionpolicies", "6OxvlMmQ6is="},
      {"admissionregistration.k8s.io/v1/validatingadmissionpolicybindings", "v9715VZqakg="},
      {"events.k8s.io/v1/events", "r2yiGXH7wu8="},
      {"flowcontrol.apiserver.k8s.io/v1/flowschemas", "GJVAJZSZBIw="},
      {"flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations", "Kir5PVfvNeI="},
  };
  const std::set<std::string> no_hash = {
      "v1/bindings",
      "v1/componentstatuses",
      "authentication.k8s.io/v1/selfsubjectreviews",
      "authentication.k8s.io/v1/tokenreviews",
      "authorization.k8s.io/v1/localsubjectaccessreviews",
      "authorization.k8s.io/v1/selfsubjectaccessreviews",
      "authorization.k8s.io/v1/selfsubjectrulesreviews",
      "authorization.k8s.io/v1/subjectaccessreviews",
  };
  std::map<std::string, std::string> got;
  for (const std::string& gv : Default().GroupVersions()) {
    std::string path = gv == "v1" ? "/api/v1" : "/apis/" + gv;
    Value list = Parse(LegacyDoc(Default(), path).json);
    for (const Value& r : list.Find("resources")->as_array()) {
      const std::string& name = r.Find("name")->as_string();
      const Value* hash = r.Find("storageVersionHash");
      if (name.find('/') != std::string::npos) {
        EXPECT_EQ(hash, nullptr) << gv << "/" << name;
        continue;
      }
      got[gv + "/" + name] = hash ? hash->as_string() : "";
    }
  }
  for (const auto& [key, hash] : want) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << key;
    EXPECT_EQ(it->second, hash) << key;
  }
  for (const std::string& key : no_hash) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << key;
    EXPECT_EQ(it->second, "") << key;
  }
  // Everything else served is stored, with a hash.
  for (const auto& [key, hash] : got) {
    if (!no_hash.count(key)) {
      EXPECT_FALSE(hash.empty()) << key;
    }
  }
  EXPECT_EQ(StorageVersionHash("", "v1", "ConfigMap"), "qFsyl6wFWjQ=");
}

// ---------------------------------------------------------------------------------------
// Aggregated documents

TEST(DiscoveryTest, AggregatedApisMatchesSnapshot) {
  Value snapshot = Parse(ReadShared("schema/discovery/aggregated_v2.json"));
  const DiscoveryDocument& doc = Default().AggregatedApis();
  Value ours = Parse(doc.json);
  EXPECT_EQ(*ours.Find("kind"), *snapshot.Find("kind"));
  EXPECT_EQ(*ours.Find("apiVersion"), *snapshot.Find("apiVersion"));
  EXPECT_EQ(*ours.Find("metadata"), *snapshot.Find("metadata"));

  // Group order: ours equals the snapshot's order restricted to the groups we serve.
  std::vector<std::string> our_groups = GroupNames(ours, "items", true);
  std::vector<std::string> snap_groups = GroupNames(snapshot, "items", true);
  std::vector<std::string> snap_served;
  for (const std::string& g : snap_groups) {
    if (std::find(our_groups.begin(), our_groups.end(), g) != our_groups.end()) {
      snap_served.push_back(g);
    }
  }
  std::vector<std::string> ours_in_snap;
  for (const std::string& g : our_groups) {
    if (std::find(snap_groups.begin(), snap_groups.end(), g) != snap_groups.end()) {
      ours_in_snap.push_back(g);
    }
  }
  EXPECT_EQ(ours_in_snap, snap_served);
  EXPECT_EQ(our_groups.size(), snap_served.size());  // every group we serve is in the snapshot
  EXPECT_EQ(GroupNames(Parse(LegacyDoc(Default(), "/apis").json), "groups", false), our_groups);

  std::map<std::string, const Value*> snap_items;
  for (const Value& it : snapshot.Find("items")->as_array()) {
    snap_items[it.Find("metadata")->Find("name")->as_string()] = &it;
  }
  int compared = 0;
  std::vector<std::string> differences;
  for (const Value& item : ours.Find("items")->as_array()) {
    const std::string& group = item.Find("metadata")->Find("name")->as_string();
    EXPECT_EQ(item.Find("metadata")->as_object().size(), 1u) << group;
    const Value& snap_item = *snap_items.at(group);
    std::vector<std::string> our_versions, snap_versions;
    std::map<std::string, const Value*> snap_by_version;
    for (const Value& v : snap_item.Find("versions")->as_array()) {
      snap_versions.push_back(v.Find("version")->as_string());
      snap_by_version[snap_versions.back()] = &v;
    }
    for (const Value& v : item.Find("versions")->as_array()) {
      const std::string& version = v.Find("version")->as_string();
      our_versions.push_back(version);
      EXPECT_EQ(v.Find("freshness")->as_string(), "Current");
      auto sv = snap_by_version.find(version);
      if (sv == snap_by_version.end()) {
        differences.push_back(group + "/" + version + " (not in the snapshot)");
        continue;
      }
      std::map<std::string, const Value*> snap_resources;
      for (const Value& r : sv->second->Find("resources")->as_array()) {
        snap_resources[r.Find("resource")->as_string()] = &r;
      }
      std::vector<std::string> names;
      for (const Value& r : v.Find("resources")->as_array()) {
        const std::string& name = r.Find("resource")->as_string();
        names.push_back(name);
        auto sr = snap_resources.find(name);
        if (sr == snap_resources.end()) {
          differences.push_back(group + "/" + version + "/" + name + " (not in the snapshot)");
          continue;
        }
        ++compared;
        EXPECT_EQ(r, *sr->second) << group << "/" << version << "/" << name << "\nours:     "
                                  << Show(r) << "\nsnapshot: " << Show(*sr->second);
        snap_resources.erase(sr);
      }
      EXPECT_TRUE(std::is_sorted(names.begin(), names.end())) << group << "/" << version;
      for (const auto& [name, r] : snap_resources) {
        differences.push_back(group + "/" + version + "/" + name + " (only in the snapshot)");
      }
    }
    // Version order: ours is the snapshot's order restricted to what we serve.
    std::vector<std::string> snap_restricted;
    for (const std::string& v : snap_versions) {
      if (std::find(our_versions.begin(), our_versions.end(), v) != our_versions.end()) {
        snap_restricted.push_back(v);
      }
    }
    std::vector<std::string> ours_restricted;
    for (const std::string& v : our_versions) {
      if (snap_by_version.count(v)) ours_restricted.push_back(v);
    }
    EXPECT_EQ(ours_restricted, snap_restricted) << group;
  }
  EXPECT_GE(compared, 43);
  // The snapshot is from ~1.33; the resource table from newer sources: these are the APIs
  // that went GA after it (1.34+) and so are served at versions the snapshot lacks.
  const std::vector<std::string> expected_differences = {
      "certificates.k8s.io/v1/clustertrustbundles (not in the snapshot)",
      "certificates.k8s.io/v1/podcertificaterequests (not in the snapshot)",
      "storage.k8s.io/v1/volumeattributesclasses (not in the snapshot)",
      "admissionregistration.k8s.io/v1/mutatingadmissionpolicies (not in the snapshot)",
      "admissionregistration.k8s.io/v1/mutatingadmissionpolicybindings (not in the snapshot)",
      "resource.k8s.io/v1 (not in the snapshot)",
      "storagemigration.k8s.io/v1 (not in the snapshot)",
  };
  EXPECT_EQ(differences, expected_differences);
}

TEST(DiscoveryTest, AggregatedCoreExactBytes) {
  const DiscoveryDocument& doc = Default().AggregatedCore();
  const std::string prefix =
      "{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2\",\"metadata\":"
      "{},\"items\":[{\"metadata\":{},\"versions\":[{\"version\":\"v1\",\"resources\":[{"
      "\"resource\":\"bindings\",\"responseKind\":{\"group\":\"\",\"version\":\"\",\"kind\":"
      "\"Binding\"},\"scope\":\"Namespaced\",\"singularResource\":\"binding\",\"verbs\":["
      "\"create\"]},";
  EXPECT_EQ(doc.json.substr(0, prefix.size()), prefix);
  EXPECT_NE(
      doc.json.find(
          "{\"resource\":\"configmaps\",\"responseKind\":{\"group\":\"\",\"version\":\"\",\"kind\":"
          "\"ConfigMap\"},\"scope\":\"Namespaced\",\"singularResource\":\"configmap\",\"verbs\":["
          "\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"update\","
          "\"watch\"],\"shortNames\":[\"cm\"]}"),
      std::string::npos);
  EXPECT_NE(doc.json.find("{\"subresource\":\"eviction\",\"responseKind\":{\"group\":\"policy\","
                          "\"version\":\"v1\",\"kind\":\"Eviction\"},\"verbs\":[\"create\"]}"),
            std::string::npos);
  EXPECT_TRUE(doc.json.ends_with("]}],\"freshness\":\"Current\"}]}]}\n"));
  // The aggregated core document holds what /api/v1 lists.
  Value legacy = Parse(LegacyDoc(Default(), "/api/v1").json);
  Value agg = Parse(doc.json);
  const Value& version = agg.Find("items")->as_array().at(0).Find("versions")->as_array().at(0);
  size_t entries = 0;
  for (const Value& r : version.Find("resources")->as_array()) {
    ++entries;
    if (const Value* subs = r.Find("subresources")) entries += subs->as_array().size();
  }
  EXPECT_EQ(entries, legacy.Find("resources")->as_array().size());
}

TEST(DiscoveryTest, AggregatedEtag) {
  for (const DiscoveryDocument* doc : {&Default().AggregatedCore(), &Default().AggregatedApis()}) {
    ASSERT_EQ(doc->etag.size(), 130u);
    EXPECT_EQ(doc->etag.front(), '"');
    EXPECT_EQ(doc->etag.back(), '"');
    for (size_t i = 1; i + 1 < doc->etag.size(); ++i) {
      char c = doc->etag[i];
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) << doc->etag;
    }
    // json.Marshal(APIGroupDiscoveryList{Items: ...}): the body without kind/apiVersion.
    const std::string head =
        "{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2\",";
    std::string body = StripNewline(doc->json);
    ASSERT_EQ(body.substr(0, head.size()), head);
    std::string hashed = "{" + body.substr(head.size());
    unsigned char digest[SHA512_DIGEST_LENGTH];
    SHA512(reinterpret_cast<const unsigned char*>(hashed.data()), hashed.size(), digest);
    std::string hex = "\"";
    for (unsigned char b : digest) {
      char buf[3];
      snprintf(buf, sizeof buf, "%02X", b);
      hex += buf;
    }
    hex += "\"";
    EXPECT_EQ(doc->etag, hex);
  }
  EXPECT_NE(Default().AggregatedCore().etag, Default().AggregatedApis().etag);

  // Stable across builds; changes with the content.
  DiscoveryOptions o;
  o.server_address = "other:1";  // not part of the aggregated documents
  Discovery again = Discovery::Build(typed::Scheme::Default(), o);
  EXPECT_EQ(again.AggregatedApis().etag, Default().AggregatedApis().etag);
  EXPECT_EQ(again.AggregatedCore().etag, Default().AggregatedCore().etag);
  EXPECT_EQ(again.AggregatedApis().json, Default().AggregatedApis().json);
  o.served = [](const typed::ResourceInfo& r) { return r.default_served && r.group != "batch"; };
  Discovery fewer = Discovery::Build(typed::Scheme::Default(), o);
  EXPECT_NE(fewer.AggregatedApis().etag, Default().AggregatedApis().etag);
  EXPECT_EQ(fewer.AggregatedCore().etag, Default().AggregatedCore().etag);
}

TEST(DiscoveryTest, AggregatedProtobufRoundTrip) {
  for (const DiscoveryDocument* doc : {&Default().AggregatedCore(), &Default().AggregatedApis()}) {
    ASSERT_GT(doc->protobuf.size(), 4u);
    EXPECT_EQ(doc->protobuf.substr(0, 4), std::string("k8s\0", 4));
    Result<std::unique_ptr<typed::Object>> obj =
        typed::DecodeObjectProtobuf(typed::Scheme::Default(), doc->protobuf);
    ASSERT_TRUE(obj.ok()) << obj.status().ToString();
    EXPECT_EQ((*obj)->kind().kind, "APIGroupDiscoveryList");
    EXPECT_EQ((*obj)->kind().group, "apidiscovery.k8s.io");
    std::string json;
    ASSERT_TRUE(typed::AppendObjectJson(**obj, &json).ok());
    EXPECT_EQ(json + "\n", doc->json);
  }
}

TEST(DiscoveryTest, PrettyForms) {
  std::vector<const DiscoveryDocument*> docs = {&Default().AggregatedCore(),
                                                &Default().AggregatedApis()};
  for (const char* path : {"/api", "/apis", "/api/v1", "/apis/apps", "/apis/apps/v1"}) {
    docs.push_back(&LegacyDoc(Default(), path));
  }
  for (const DiscoveryDocument* doc : docs) {
    ASSERT_FALSE(doc->pretty_json.empty());
    EXPECT_EQ(doc->pretty_json.substr(0, 12), "{\n  \"kind\": ");
    EXPECT_EQ(doc->pretty_json.back(), '}');
    EXPECT_EQ(Parse(doc->pretty_json), Parse(doc->json));
    // Round trip through the generic encoder in the MarshalIndent layout.
    Result<std::string> indented = api::ToJson(Parse(doc->json), encoding::json::Style::kIndent);
    ASSERT_TRUE(indented.ok());
    EXPECT_EQ(indented->size(), doc->pretty_json.size());
  }
  EXPECT_NE(Default().AggregatedApis().pretty_json.find(
                "\n  \"metadata\": {},\n  \"items\": [\n    {\n      \"metadata\": {\n        "
                "\"name\": \"apps\"\n      },\n      \"versions\": [\n"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Configuration and ordering

TEST(DiscoveryTest, ServeGroupVersions) {
  DiscoveryOptions o;
  o.server_address = "127.0.0.1:1";
  o.served = ServeGroupVersions({"v1", "batch/v1", "coordination.k8s.io/v1beta1",
                                 "coordination.k8s.io/v1", "resource.k8s.io/v1beta1",
                                 "resource.k8s.io/v1", "resource.k8s.io/v1beta2"});
  Discovery d = Discovery::Build(typed::Scheme::Default(), o);
  const std::vector<std::string> want = {"v1",
                                         "batch/v1",
                                         "coordination.k8s.io/v1",
                                         "coordination.k8s.io/v1beta1",
                                         "resource.k8s.io/v1",
                                         "resource.k8s.io/v1beta2",
                                         "resource.k8s.io/v1beta1"};
  EXPECT_EQ(d.GroupVersions(), want);
  EXPECT_EQ(LegacyDoc(d, "/apis/coordination.k8s.io").json,
            "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\",\"name\":\"coordination.k8s.io\","
            "\"versions\":[{\"groupVersion\":\"coordination.k8s.io/v1\",\"version\":\"v1\"},{"
            "\"groupVersion\":\"coordination.k8s.io/v1beta1\",\"version\":\"v1beta1\"}],"
            "\"preferredVersion\":{\"groupVersion\":\"coordination.k8s.io/v1\",\"version\":"
            "\"v1\"}}\n");
  EXPECT_NE(d.Legacy("/apis/coordination.k8s.io/v1beta1"), nullptr);
  EXPECT_EQ(d.Legacy("/apis/apps"), nullptr);
  EXPECT_EQ(d.Legacy("/apis/apps/v1"), nullptr);
  Value apis = Parse(d.AggregatedApis().json);
  EXPECT_EQ(GroupNames(apis, "items", true),
            (std::vector<std::string>{"batch", "coordination.k8s.io", "resource.k8s.io"}));
  // A storage version is the group's preferred version, served or not.
  EXPECT_NE(LegacyDoc(d, "/apis/coordination.k8s.io/v1beta1").json.find(
                "\"storageVersionHash\":\"gqkMMb/YqFM=\""),
            std::string::npos);

  // Nothing served.
  o.served = [](const typed::ResourceInfo&) { return false; };
  Discovery none = Discovery::Build(typed::Scheme::Default(), o);
  EXPECT_EQ(LegacyDoc(none, "/api").json,
            "{\"kind\":\"APIVersions\",\"versions\":[],\"serverAddressByClientCIDRs\":[{"
            "\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1:1\"}]}\n");
  EXPECT_EQ(LegacyDoc(none, "/apis").json,
            "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}\n");
  EXPECT_EQ(none.AggregatedApis().json,
            "{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2\","
            "\"metadata\":{},\"items\":[]}\n");
  EXPECT_EQ(none.Legacy("/api/v1"), nullptr);
  EXPECT_TRUE(none.ServedResources().empty());
}

TEST(DiscoveryTest, KubeAwareVersionOrder) {
  // kube's CompareKubeAwareVersionStrings test order.
  std::vector<std::string> versions = {"v1",      "v2",       "v10",  "foo10",    "v11alpha2",
                                       "v1beta1", "v10beta3", "foo1", "v12alpha1", "v1alpha1",
                                       "v3beta1", "v11beta2", "v1beta2"};
  std::sort(versions.begin(), versions.end(), [](const std::string& a, const std::string& b) {
    return CompareKubeAwareVersions(a, b) > 0;
  });
  const std::vector<std::string> want = {"v10",     "v2",        "v1",        "v11beta2", "v10beta3",
                                         "v3beta1", "v1beta2",   "v1beta1",   "v12alpha1",
                                         "v11alpha2", "v1alpha1", "foo1",     "foo10"};
  EXPECT_EQ(versions, want);
  EXPECT_EQ(CompareKubeAwareVersions("v1", "v1"), 0);
  EXPECT_LT(CompareKubeAwareVersions("v1beta", "v1"), 0);   // not kube-like
  EXPECT_LT(CompareKubeAwareVersions("v1gamma1", "v1alpha1"), 0);
  EXPECT_GT(CompareKubeAwareVersions("v99999999999999999999999", "v2"), 0);  // no overflow UB
}

TEST(DiscoveryTest, Priorities) {
  EXPECT_EQ(GroupPriority("apps"), 17800);
  EXPECT_EQ(GroupPriority("events.k8s.io"), 17750);
  EXPECT_EQ(GroupPriority("no.such.group"), 0);
  EXPECT_EQ(VersionPriority("autoscaling", "v2"), 30);
  EXPECT_EQ(VersionPriority("autoscaling", "v1"), 15);
  EXPECT_EQ(VersionPriority("flowcontrol.apiserver.k8s.io", "v1"), 21);
  EXPECT_EQ(VersionPriority("events.k8s.io", "v1beta1"), 5);
  EXPECT_EQ(VersionPriority("apps", "v1beta2"), 9);
  EXPECT_EQ(VersionPriority("apps", "v1alpha1"), 1);
  EXPECT_EQ(VersionPriority("x", "foo"), 0);
}

TEST(DiscoveryTest, StorageKinds) {
  const typed::Scheme& s = typed::Scheme::Default();
  auto kind_of = [&](std::string_view g, std::string_view v, std::string_view r) {
    const typed::ResourceInfo* info = s.FindResource(g, v, r);
    EXPECT_NE(info, nullptr) << g << "/" << v << "/" << r;
    if (!info) return std::string("?");
    std::optional<StorageKind> k = StorageKindFor(s, *info);
    return k ? k->group + "/" + k->version + "/" + k->kind : std::string("none");
  };
  EXPECT_EQ(kind_of("autoscaling", "v1", "horizontalpodautoscalers"),
            "autoscaling/v2/HorizontalPodAutoscaler");
  EXPECT_EQ(kind_of("apps", "v1beta2", "deployments"), "apps/v1/Deployment");
  EXPECT_EQ(kind_of("events.k8s.io", "v1", "events"), "/v1/Event");
  EXPECT_EQ(kind_of("networking.k8s.io", "v1", "ipaddresses"), "networking.k8s.io/v1beta1/IPAddress");
  EXPECT_EQ(kind_of("flowcontrol.apiserver.k8s.io", "v1beta3", "flowschemas"),
            "flowcontrol.apiserver.k8s.io/v1/FlowSchema");
  EXPECT_EQ(kind_of("", "v1", "bindings"), "none");
  EXPECT_EQ(kind_of("authorization.k8s.io", "v1", "subjectaccessreviews"), "none");
}

}  // namespace
}  // namespace kstream::server
