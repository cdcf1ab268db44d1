// The generic REST store over a real LMDB store: metadata, errors, paging, watch events.
#include "registry/registry.h"

#include <gtest/gtest.h>

#include <set>

#include "api/k8s/apps/v1/types.h"
#include "api/k8s/core/v1/types.h"
#include "collection/typed_list.h"
#include "encoding/sink.h"
#include "registry/continue_token.h"
#include "registry/storage_layout.h"
#include "storage/lmdb/lmdb_store.h"
#include "testing/temp_dir.h"

namespace kstream::registry {
namespace {

namespace core = k8s::core::v1;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = storage::LmdbStore::Open(storage::LmdbOptions{.path = dir_.str() + "/db"});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    reg_ = std::make_unique<Registry>(store_.get(), &typed::Scheme::Default());
    ASSERT_TRUE(reg_->Bootstrap().ok());
    cm_ = typed::Scheme::Default().FindResource("", "v1", "configmaps");
    ns_ = typed::Scheme::Default().FindResource("", "v1", "namespaces");
    deploy_ = typed::Scheme::Default().FindResource("apps", "v1", "deployments");
    ASSERT_NE(cm_, nullptr);
  }

  std::unique_ptr<typed::Object> ConfigMap(const std::string& name, std::map<std::string, std::string> labels = {}) {
    auto obj = typed::Scheme::Default().Find("v1", "ConfigMap")->New();
    auto* cm = obj->As<core::ConfigMap>();
    cm->ObjectMeta.Name = name;
    for (auto& [k, v] : labels) cm->ObjectMeta.Labels[k] = v;
    cm->Data["k"] = "v-" + name;
    return obj;
  }

  std::vector<std::string> Names(ListPage& page) {
    std::vector<std::string> out;
    while (true) {
      auto item = page.items->Next();
      EXPECT_TRUE(item.ok());
      if (!item.ok() || *item == nullptr) break;
      out.push_back((*item)->object_meta()->Name);
    }
    return out;
  }

  testing::TempDir dir_{"kstream-registry"};
  std::unique_ptr<storage::LmdbStore> store_;
  std::unique_ptr<Registry> reg_;
  const typed::ResourceInfo* cm_ = nullptr;
  const typed::ResourceInfo* ns_ = nullptr;
  const typed::ResourceInfo* deploy_ = nullptr;
};

TEST_F(RegistryTest, BootstrapCreatesTheStandardNamespacesOnce) {
  ASSERT_TRUE(reg_->Bootstrap().ok());  // idempotent
  auto page = reg_->List(*ns_, "", {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"default", "kube-node-lease", "kube-public", "kube-system"}));
  auto got = reg_->Get(*ns_, "", "default");
  ASSERT_TRUE(got.ok());
  auto* ns = (*got)->As<core::Namespace>();
  EXPECT_EQ(ns->Status.Phase, "Active");
  EXPECT_EQ(ns->ObjectMeta.Labels["kubernetes.io/metadata.name"], "default");
  EXPECT_EQ(ns->Spec.Finalizers, (typed::Slice<std::string>{"kubernetes"}));
}

TEST_F(RegistryTest, CreateSetsServerMetadata) {
  auto created = reg_->Create(*cm_, "default", ConfigMap("a"));
  ASSERT_TRUE(created.ok()) << created.error().message();
  const auto* m = (*created)->object_meta();
  EXPECT_EQ(m->Namespace, "default");
  EXPECT_EQ(m->UID.size(), 36u);
  EXPECT_EQ(m->UID[14], '4');  // UUID v4
  EXPECT_FALSE(m->CreationTimestamp.IsZero());
  EXPECT_EQ(m->Generation, 0);  // ConfigMaps have no generation
  auto rev = store_->CurrentRevision();
  EXPECT_EQ(m->ResourceVersion, std::to_string(*rev));
  // Stored without resourceVersion, as protobuf at kube's key.
  auto kv = store_->Get("/registry/configmaps/default/a");
  ASSERT_TRUE(kv.ok());
  EXPECT_TRUE(kv->value.starts_with(std::string("k8s\0", 4)));

  auto again = reg_->Create(*cm_, "default", ConfigMap("a"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), 409);
  EXPECT_EQ(again.error().message(), "configmaps \"a\" already exists");
}

TEST_F(RegistryTest, CreateErrors) {
  auto missing_ns = reg_->Create(*cm_, "nope", ConfigMap("a"));
  ASSERT_FALSE(missing_ns.ok());
  EXPECT_EQ(missing_ns.error().code(), 404);
  EXPECT_EQ(missing_ns.error().message(), "namespaces \"nope\" not found");

  auto mismatch = ConfigMap("a");
  mismatch->object_meta()->Namespace = "other";
  auto r = reg_->Create(*cm_, "default", std::move(mismatch));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), 400);
  EXPECT_EQ(r.error().message(),
            "the namespace of the object (other) does not match the namespace on the request (default)");

  auto bad = reg_->Create(*cm_, "default", ConfigMap("Bad_Name"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), 422);
  EXPECT_TRUE(bad.error().message().starts_with(
      "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 "
      "subdomain"))
      << bad.error().message();

  auto noname = reg_->Create(*cm_, "default", ConfigMap(""));
  ASSERT_FALSE(noname.ok());
  EXPECT_EQ(noname.error().message(),
            "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required");

  auto with_rv = ConfigMap("x");
  with_rv->object_meta()->ResourceVersion = "5";
  auto rv = reg_->Create(*cm_, "default", std::move(with_rv));
  ASSERT_FALSE(rv.ok());
  EXPECT_EQ(rv.error().code(), 500);
  EXPECT_EQ(rv.error().message(), "resourceVersion should not be set on objects to be created");
}

TEST_F(RegistryTest, GenerateName) {
  auto obj = ConfigMap("");
  obj->object_meta()->GenerateName = "gen-";
  auto created = reg_->Create(*cm_, "default", std::move(obj));
  ASSERT_TRUE(created.ok());
  const std::string& name = (*created)->object_meta()->Name;
  ASSERT_EQ(name.size(), 9u);
  EXPECT_TRUE(name.starts_with("gen-"));
  for (char c : name.substr(4)) EXPECT_NE(std::string_view("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos);
}

TEST_F(RegistryTest, UpdateConflictsAndKeepsSystemFields) {
  auto created = reg_->Create(*cm_, "default", ConfigMap("a"));
  ASSERT_TRUE(created.ok());
  std::string uid = (*created)->object_meta()->UID;
  std::string rv1 = (*created)->object_meta()->ResourceVersion;

  auto upd = ConfigMap("a");
  upd->object_meta()->ResourceVersion = rv1;
  upd->As<core::ConfigMap>()->Data["k"] = "changed";
  auto updated = reg_->Update(*cm_, "default", "a", std::move(upd));
  ASSERT_TRUE(updated.ok()) << updated.error().message();
  EXPECT_EQ((*updated)->object_meta()->UID, uid);
  EXPECT_NE((*updated)->object_meta()->ResourceVersion, rv1);
  EXPECT_FALSE((*updated)->object_meta()->CreationTimestamp.IsZero());

  auto stale = ConfigMap("a");
  stale->object_meta()->ResourceVersion = rv1;
  auto conflict = reg_->Update(*cm_, "default", "a", std::move(stale));
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code(), 409);
  EXPECT_EQ(conflict.error().message(),
            "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your "
            "changes to the latest version and try again");

  // A no-op update writes nothing and keeps the revision.
  std::string rv2 = (*updated)->object_meta()->ResourceVersion;
  auto same = (*updated)->Clone();
  auto noop = reg_->Update(*cm_, "default", "a", std::move(same));
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ((*noop)->object_meta()->ResourceVersion, rv2);

  auto missing = reg_->Update(*cm_, "default", "zzz", ConfigMap("zzz"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), 404);

  auto wrong_name = reg_->Update(*cm_, "default", "a", ConfigMap("b"));
  ASSERT_FALSE(wrong_name.ok());
  EXPECT_EQ(wrong_name.error().message(), "the name of the object (b) does not match the name on the URL (a)");
}

TEST_F(RegistryTest, GenerationFollowsSpecChanges) {
  auto obj = typed::Scheme::Default().Find("apps/v1", "Deployment")->New();
  auto* d = obj->As<k8s::apps::v1::Deployment>();
  d->ObjectMeta.Name = "web";
  d->Spec.Replicas = 1;
  auto created = reg_->Create(*deploy_, "default", std::move(obj));
  ASSERT_TRUE(created.ok()) << created.error().message();
  EXPECT_EQ((*created)->object_meta()->Generation, 1);

  auto labels_only = (*created)->Clone();
  labels_only->object_meta()->Labels["x"] = "y";
  labels_only->object_meta()->ResourceVersion.clear();
  auto u1 = reg_->Update(*deploy_, "default", "web", std::move(labels_only));
  ASSERT_TRUE(u1.ok());
  EXPECT_EQ((*u1)->object_meta()->Generation, 1);

  auto spec = (*u1)->Clone();
  spec->As<k8s::apps::v1::Deployment>()->Spec.Replicas = 3;
  auto u2 = reg_->Update(*deploy_, "default", "web", std::move(spec));
  ASSERT_TRUE(u2.ok());
  EXPECT_EQ((*u2)->object_meta()->Generation, 2);
}

TEST_F(RegistryTest, DeletePreconditionsAndResult) {
  auto created = reg_->Create(*cm_, "default", ConfigMap("a"));
  ASSERT_TRUE(created.ok());
  DeleteOptions wrong;
  wrong.precondition_uid = "not-the-uid";
  auto r = reg_->Delete(*cm_, "default", "a", wrong);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), 409);
  EXPECT_EQ(r.error().message(),
            "Operation cannot be fulfilled on configmaps \"a\": Precondition failed: UID in precondition: "
            "not-the-uid, UID in object meta: " +
                (*created)->object_meta()->UID);

  auto ok = reg_->Delete(*cm_, "default", "a");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->object, nullptr);
  EXPECT_EQ(ok->status.Status_, "Success");
  EXPECT_EQ(ok->status.Details->Kind, "configmaps");
  EXPECT_EQ(ok->status.Details->UID, (*created)->object_meta()->UID);

  auto gone = reg_->Get(*cm_, "default", "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), 404);
}

TEST_F(RegistryTest, DeletingANamespaceDeletesItsObjects) {
  auto ns = typed::Scheme::Default().Find("v1", "Namespace")->New();
  ns->object_meta()->Name = "team";
  ASSERT_TRUE(reg_->Create(*ns_, "", std::move(ns)).ok());
  ASSERT_TRUE(reg_->Create(*cm_, "team", ConfigMap("a")).ok());
  ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("a")).ok());
  auto del = reg_->Delete(*ns_, "", "team");
  ASSERT_TRUE(del.ok());
  ASSERT_NE(del->object, nullptr);  // namespaces answer with the object
  EXPECT_EQ(del->object->As<core::Namespace>()->Status.Phase, "Terminating");
  EXPECT_TRUE(del->object->object_meta()->DeletionTimestamp);
  ASSERT_TRUE(reg_->WaitForNamespaceCleanup(std::chrono::seconds(10)));
  EXPECT_FALSE(reg_->Get(*cm_, "team", "a").ok());
  EXPECT_FALSE(reg_->Get(*ns_, "", "team").ok());
  EXPECT_TRUE(reg_->Get(*cm_, "default", "a").ok());
}

TEST_F(RegistryTest, TerminatingNamespaceRefusesNewContent) {
  auto ns = typed::Scheme::Default().Find("v1", "Namespace")->New();
  ns->object_meta()->Name = "going";
  ASSERT_TRUE(reg_->Create(*ns_, "", std::move(ns)).ok());
  // Stop the worker from finishing by marking the namespace without enqueueing it: a
  // dry-run delete shows the answer, then a real one marks it.
  DeleteOptions dry;
  dry.dry_run = true;
  auto d = reg_->Delete(*ns_, "", "going", dry);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->object->As<core::Namespace>()->Status.Phase, "Terminating");
  EXPECT_TRUE(reg_->Get(*ns_, "", "going").ok());  // dry run: still there, not terminating
  auto ok = reg_->Create(*cm_, "going", ConfigMap("fine"));
  ASSERT_TRUE(ok.ok());

  // Marked Terminating by storage write, as the API would (without the cleanup worker).
  auto cur = reg_->Get(*ns_, "", "going");
  ASSERT_TRUE(cur.ok());
  auto marked = (*cur)->Clone();
  marked->object_meta()->DeletionTimestamp.emplace() = k8s::meta::v1::Time::Now().Rfc3339Copy();
  auto bytes = EncodeForStorage(*marked, StorageFormat::kProtobuf);
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(store_->Put("/registry/namespaces/going", *bytes).ok());
  auto refused = reg_->Create(*cm_, "going", ConfigMap("late"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), 403);
  EXPECT_EQ(refused.error().message(),
            "configmaps \"late\" is forbidden: unable to create new content in namespace going because it is "
            "being terminated");
  auto again = reg_->Delete(*ns_, "", "going");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), 409);

  // A restarted server resumes the removal.
  Registry restarted(store_.get(), &typed::Scheme::Default());
  ASSERT_TRUE(restarted.Bootstrap().ok());
  ASSERT_TRUE(restarted.WaitForNamespaceCleanup(std::chrono::seconds(10)));
  EXPECT_FALSE(restarted.Get(*ns_, "", "going").ok());
  EXPECT_FALSE(restarted.Get(*cm_, "going", "fine").ok());
}

TEST_F(RegistryTest, PagingWithContinueAndRemainingItemCount) {
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("cm" + std::to_string(i))).ok());
  ListOptions o;
  o.limit = 3;
  std::vector<std::string> all;
  std::string rv;
  std::vector<int64_t> remaining;
  while (true) {
    auto page = reg_->List(*cm_, "default", o);
    ASSERT_TRUE(page.ok()) << page.error().message();
    if (rv.empty()) rv = page->meta.ResourceVersion;
    EXPECT_EQ(page->meta.ResourceVersion, rv);  // every page at the first page's revision
    auto names = Names(*page);
    all.insert(all.end(), names.begin(), names.end());
    if (page->meta.Continue.empty()) {
      EXPECT_FALSE(page->meta.RemainingItemCount.has_value());
      break;
    }
    remaining.push_back(page->meta.RemainingItemCount.value_or(-1));
    auto tok = DecodeContinue(page->meta.Continue);
    ASSERT_TRUE(tok.ok());
    EXPECT_EQ(std::to_string(tok->rv), rv);
    o.continue_token = page->meta.Continue;
    // Writes between pages do not show: the pages are read at the first revision.
    (void)reg_->Create(*cm_, "default", ConfigMap("late" + std::to_string(all.size())));
  }
  EXPECT_EQ(all, (std::vector<std::string>{"cm0", "cm1", "cm2", "cm3", "cm4", "cm5", "cm6"}));
  EXPECT_EQ(remaining, (std::vector<int64_t>{4, 1}));
}

TEST_F(RegistryTest, PagingWithAFilterHasNoRemainingCount) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("cm" + std::to_string(i), {{"odd", i % 2 ? "y" : "n"}})).ok());
  }
  ListOptions o;
  o.limit = 2;
  o.filter.matches = [](const typed::Object& obj) {
    const auto& l = obj.object_meta()->Labels;
    auto it = l.find("odd");
    return it != l.end() && it->second == "y";
  };
  auto page = reg_->List(*cm_, "default", o);
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->meta.RemainingItemCount.has_value());
  EXPECT_FALSE(page->meta.Continue.empty());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"cm1", "cm3"}));
  o.continue_token = page->meta.Continue;
  auto next = reg_->List(*cm_, "default", o);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Names(*next), (std::vector<std::string>{"cm5"}));
  EXPECT_TRUE(next->meta.Continue.empty());
}

TEST_F(RegistryTest, ListAcrossNamespacesAndRewind) {
  ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("b")).ok());
  ASSERT_TRUE(reg_->Create(*cm_, "kube-system", ConfigMap("a")).ok());
  auto page = reg_->List(*cm_, "", {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"b", "a"}));  // key order: default/, kube-system/
  ASSERT_TRUE(page->items->Rewind().ok());
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"b", "a"}));
}

// Hides a source's StoredProtoSource side: the encoder decodes every item.
class DecodingOnly final : public collection::ItemSource<typed::Object> {
 public:
  explicit DecodingOnly(collection::ItemSource<typed::Object>* s) : s_(s) {}
  Result<const typed::Object*> Next() override { return s_->Next(); }
  Status Rewind() override { return s_->Rewind(); }

 private:
  collection::ItemSource<typed::Object>* s_;
};

std::string ProtobufList(const typed::ResourceInfo& info, ListPage& page, bool hide_stored) {
  collection::TypedListHeader header{info.api_version(), std::string(info.list_kind), page.meta};
  DecodingOnly plain(page.items.get());
  collection::TypedListProtobufEncoder enc(&header, hide_stored ? &plain : page.items.get());
  encoding::BufferSink out;
  EXPECT_TRUE(enc.EncodeAll(&out).ok());
  EXPECT_TRUE(page.items->Rewind().ok());
  return out.Take();
}

// Protobuf lists take stored bytes without decoding them (collection/stored_proto.h); the
// bytes are the decoding path's, with and without a filter, for small and large objects.
TEST_F(RegistryTest, ProtobufListsFromStoredBytesEqualTheDecodingPath) {
  for (int i = 0; i < 40; ++i) {
    auto cm = ConfigMap("cm-" + std::to_string(i) + std::string(i * 6, 'x'), {{"n", std::to_string(i % 3)}});
    cm->As<core::ConfigMap>()->Data["big"] = std::string(static_cast<size_t>(i) * 997, 'd');
    ASSERT_TRUE(reg_->Create(*cm_, i % 2 ? "default" : "kube-system", std::move(cm)).ok());
  }
  auto d = typed::Scheme::Default().Find("apps/v1", "Deployment")->New();
  d->object_meta()->Name = "web";
  ASSERT_TRUE(reg_->Create(*deploy_, "default", std::move(d)).ok());
  for (const auto* info : {cm_, deploy_, ns_}) {
    for (const char* selector : {"", "n=1"}) {
      ListOptions o;
      if (*selector) {
        o.filter.matches = [](const typed::Object& obj) {
          const auto& labels = obj.object_meta()->Labels;
          auto it = labels.find("n");
          return it != labels.end() && it->second == "1";
        };
      }
      auto page = reg_->List(*info, "", o);
      ASSERT_TRUE(page.ok());
      std::string fast = ProtobufList(*info, *page, false);
      std::string slow = ProtobufList(*info, *page, true);
      EXPECT_EQ(fast, slow) << info->resource << " " << selector;
      if (info == cm_ || !*selector) {
        EXPECT_GT(fast.size(), 100u);
      }
      // Unfiltered items come as stored bytes, filtered ones decoded.
      auto* stored_source = dynamic_cast<collection::StoredProtoSource*>(page->items.get());
      ASSERT_NE(stored_source, nullptr);
      const collection::StoredProtoItem* stored = nullptr;
      const typed::Object* object = nullptr;
      ASSERT_TRUE(stored_source->NextStoredProto(&stored, &object).ok());
      if (info == cm_) {
        EXPECT_EQ(stored != nullptr, !*selector);
        EXPECT_EQ(object != nullptr, *selector != 0);
      }
    }
  }
}

TEST_F(RegistryTest, ResourceVersionSemantics) {
  auto c = reg_->Create(*cm_, "default", ConfigMap("a"));
  ASSERT_TRUE(c.ok());
  std::string rv_a = (*c)->object_meta()->ResourceVersion;
  ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("b")).ok());

  ListOptions exact;
  exact.resource_version = rv_a;
  exact.resource_version_match = "Exact";
  auto page = reg_->List(*cm_, "default", exact);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->meta.ResourceVersion, rv_a);
  EXPECT_EQ(Names(*page), (std::vector<std::string>{"a"}));

  ListOptions invalid;
  invalid.resource_version_match = "Exact";
  auto bad = reg_->List(*cm_, "default", invalid);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), 422);
  EXPECT_EQ(bad.error().message(),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is "
            "forbidden unless resourceVersion is provided");

  ListOptions notnum;
  notnum.resource_version = "abc";
  auto nn = reg_->List(*cm_, "default", notnum);
  ASSERT_FALSE(nn.ok());
  EXPECT_EQ(nn.error().code(), 400);

  // Compacted: 410 for an exact read below the compaction.
  auto cur = store_->CurrentRevision();
  ASSERT_TRUE(store_->Compact(*cur).ok());
  auto old = reg_->List(*cm_, "default", exact);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code(), 410);
  EXPECT_EQ(old.error().message(), "The resourceVersion for the provided list is too old.");
}

TEST_F(RegistryTest, ExpiredContinueTokenCarriesAFreshOne) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("cm" + std::to_string(i))).ok());
  ListOptions o;
  o.limit = 2;
  auto page = reg_->List(*cm_, "default", o);
  ASSERT_TRUE(page.ok());
  ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("zz")).ok());
  auto cur = store_->CurrentRevision();
  ASSERT_TRUE(store_->Compact(*cur).ok());
  o.continue_token = page->meta.Continue;
  auto next = reg_->List(*cm_, "default", o);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code(), 410);
  EXPECT_TRUE(next.error().message().starts_with("The provided continue parameter is too old"));
  auto fresh = DecodeContinue(next.error().status.ListMeta.Continue);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->rv, -1);
  // The fresh token continues (at the latest revision) where the old one would have.
  o.continue_token = next.error().status.ListMeta.Continue;
  auto rest = reg_->List(*cm_, "default", o);
  ASSERT_TRUE(rest.ok()) << rest.error().message();
  EXPECT_EQ(Names(*rest), (std::vector<std::string>{"cm2", "cm3"}));
}

std::vector<std::string> Drain(WatchSession& w, size_t want, std::vector<std::string>* rvs = nullptr) {
  std::vector<std::string> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    for (auto& e : w.Next(std::chrono::milliseconds(200))) {
      std::string s(WatchEvent::TypeName(e.type));
      if (e.object) {
        s += " " + e.object->object_meta()->Name;
        if (rvs) rvs->push_back(e.object->object_meta()->ResourceVersion);
      }
      if (e.error) s += " " + std::to_string(e.error->code());
      out.push_back(s);
    }
  }
  return out;
}

TEST_F(RegistryTest, WatchWithInitialStateAndSelectorTransitions) {
  ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("pre", {{"app", "x"}})).ok());
  WatchOptions o;
  o.filter.matches = [](const typed::Object& obj) {
    auto& l = obj.object_meta()->Labels;
    auto it = l.find("app");
    return it != l.end() && it->second == "x";
  };
  auto w = reg_->Watch(*cm_, "default", o);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(Drain(**w, 1), (std::vector<std::string>{"ADDED pre"}));

  auto c = reg_->Create(*cm_, "default", ConfigMap("a", {{"app", "y"}}));  // not matching: nothing
  ASSERT_TRUE(c.ok());
  auto to_x = (*c)->Clone();
  to_x->object_meta()->Labels["app"] = "x";
  auto u1 = reg_->Update(*cm_, "default", "a", std::move(to_x));  // starts matching: ADDED
  ASSERT_TRUE(u1.ok());
  auto again = (*u1)->Clone();
  again->As<core::ConfigMap>()->Data["k"] = "2";
  auto u2 = reg_->Update(*cm_, "default", "a", std::move(again));  // still matching: MODIFIED
  ASSERT_TRUE(u2.ok());
  auto away = (*u2)->Clone();
  away->object_meta()->Labels["app"] = "z";
  auto u3 = reg_->Update(*cm_, "default", "a", std::move(away));  // stops matching: DELETED
  ASSERT_TRUE(u3.ok());
  ASSERT_TRUE(reg_->Delete(*cm_, "default", "pre").ok());  // DELETED
  std::vector<std::string> rvs;
  EXPECT_EQ(Drain(**w, 4, &rvs),
            (std::vector<std::string>{"ADDED a", "MODIFIED a", "DELETED a", "DELETED pre"}));
  ASSERT_EQ(rvs.size(), 4u);
  EXPECT_EQ(rvs[2], (*u3)->object_meta()->ResourceVersion);  // the old state at the new revision
}

TEST_F(RegistryTest, WatchFromAResourceVersionAndInitialEventsEnd) {
  auto a = reg_->Create(*cm_, "default", ConfigMap("a"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("b")).ok());
  WatchOptions from;
  from.resource_version = (*a)->object_meta()->ResourceVersion;
  auto w = reg_->Watch(*cm_, "default", from);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(Drain(**w, 1), (std::vector<std::string>{"ADDED b"}));  // only what came after

  WatchOptions list;
  list.send_initial_events = true;
  list.send_initial_events_set = true;
  list.resource_version_match = "NotOlderThan";
  list.allow_bookmarks = true;
  auto wl = reg_->Watch(*cm_, "default", list);
  ASSERT_TRUE(wl.ok());
  std::vector<WatchEvent> events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (events.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    for (auto& e : (*wl)->Next(std::chrono::milliseconds(100))) events.push_back(std::move(e));
  }
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].type, WatchEvent::Type::kBookmark);
  EXPECT_EQ(events[2].object->object_meta()->Annotations["k8s.io/initial-events-end"], "true");
  EXPECT_EQ(events[2].object->object_meta()->ResourceVersion, std::to_string(*store_->CurrentRevision()));

  WatchOptions bad;
  bad.send_initial_events = true;
  bad.send_initial_events_set = true;
  auto invalid = reg_->Watch(*cm_, "default", bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().message(),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires "
            "setting resourceVersionMatch to NotOlderThan");
}

TEST_F(RegistryTest, WatchFromACompactedRevisionEndsWith410) {
  auto a = reg_->Create(*cm_, "default", ConfigMap("a"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("b")).ok());
  ASSERT_TRUE(reg_->Create(*cm_, "default", ConfigMap("c")).ok());
  ASSERT_TRUE(store_->Compact(*store_->CurrentRevision()).ok());
  WatchOptions o;
  o.resource_version = "2";
  auto w = reg_->Watch(*cm_, "default", o);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(Drain(**w, 1), (std::vector<std::string>{"ERROR 410"}));
  EXPECT_TRUE((*w)->finished());
}

}  // namespace
}  // namespace kstream::registry
