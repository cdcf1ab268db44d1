#include "collection/yaml_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "api/json.h"
#include "api/k8s/apps/v1/types.h"
#include "api/k8s/core/v1/types.h"
#include "api/k8s/meta/v1/types.h"
#include "api/typed/scheme.h"
#include "api/yaml.h"
#include "testing/fixtures.h"
#include "testing/random_value.h"

namespace kstream::collection {
namespace {

using api::Value;
using encoding::BatchSink;
using encoding::BufferSink;
using encoding::CallbackSink;
using typed::Object;

// Property tests run this many lists per kind (KSTREAM_YAML_LIST_ITERATIONS overrides).
int Iterations(int dflt) {
  const char* env = std::getenv("KSTREAM_YAML_LIST_ITERATIONS");
  return env != nullptr ? std::atoi(env) : dflt;
}

std::unique_ptr<Object> FixtureObject(const std::string& path) {
  auto v = api::ParseJson(testing::ReadFixture(path));
  EXPECT_TRUE(v.ok()) << path;
  auto obj = typed::DecodeObject(typed::Scheme::Default(), *v);
  EXPECT_TRUE(obj.ok()) << path << ": " << obj.status().ToString();
  return std::move(obj).value();
}

Value J(std::string_view json) {
  auto v = api::ParseJson(json);
  EXPECT_TRUE(v.ok()) << json;
  return v.ok() ? std::move(v).value() : Value();
}

// Strings that make YAML output hard: folding of long lines (at every column), literal
// blocks with leading spaces, empty lines and every chomping, quoting triggers, Unicode
// (including characters go-yaml escapes, NEL, and a leading BOM).
std::string YamlText(std::mt19937_64& rng) {
  static const char* kWords[] = {"lorem", "ipsum", "a", "dolor-sit", "amet,", "x", "consectetur",
                                 "ünïcödé", "日本語", "\xf0\x9f\x98\x80", "true", "1e3",
                                 "- ", ": ", " #", "'", "\"", "\\", "\t", "~", "null"};
  static const char* kBlockWords[] = {"lorem", "ipsum", "a", "dolor-sit", "amet,", "ünïcödé",
                                      "日本語", "#x", "key: value", "- item", "'q'", "\"dq\""};
  static const char* kWhole[] = {"", "true", "no", "1e3", "0755", "12", "1.5", "null", "~",
                                 "2008-01-01T01:01:01Z", "---", "- a", "a: b", "#c", " lead",
                                 "trail ", "@x", "`y", "\xef\xbb\xbf" "bom", "a\xc2\x85" "b",
                                 "\xe2\x80\xa8", "line\xe2\x80\xa9", "\n", "\n\n", " \n",
                                 "{}", "[]", "x\ty", "a\x01" "b", "é\xff"};
  switch (rng() % 8) {
    case 0:
      return kWhole[rng() % std::size(kWhole)];
    case 1:
    case 2: {  // long text with spaces: folded
      std::string s;
      size_t n = 10 + rng() % 60;
      for (size_t i = 0; i < n; ++i) {
        if (i > 0) s += rng() % 8 == 0 ? "  " : " ";
        s += kWords[rng() % std::size(kWords)];
      }
      return s;
    }
    case 3:
    case 4: {  // multi-line: literal blocks
      std::string s;
      if (rng() % 4 == 0) s += "\n";
      size_t lines = 1 + rng() % 6;
      for (size_t i = 0; i < lines; ++i) {
        if (i > 0) s += "\n";
        switch (rng() % 5) {
          case 0: break;  // empty line
          case 1: s += std::string(1 + rng() % 4, ' '); [[fallthrough]];
          default:
            for (size_t w = 1 + rng() % 25; w > 0; --w) {
              // Mostly words a literal block can hold (no tab, no space before a break).
              s += rng() % 10 == 0 ? kWords[rng() % std::size(kWords)]
                                   : kBlockWords[rng() % std::size(kBlockWords)];
              s += ' ';
            }
            s.pop_back();
        }
      }
      switch (rng() % 4) {
        case 0: break;
        case 1: s += "\n"; break;
        case 2: s += "\n\n"; break;
        default: s += " "; break;  // trailing space: double-quoted
      }
      return s;
    }
    case 5:  // a long word: no folding possible
      return std::string(70 + rng() % 40, 'w') + " " + std::string(1 + rng() % 90, 'v');
    case 6:
      return testing::RandomString(rng, 40);
    default: {
      std::string s;
      for (size_t i = rng() % 12; i > 0; --i) s += kWords[rng() % std::size(kWords)];
      return s;
    }
  }
}

std::string YamlKey(std::mt19937_64& rng) {
  static const char* kKeys[] = {"app", "a10", "a2", "A", "b_c", "ünï", "x.y/z", "1", "true",
                                "key with space", "k8s.io/name"};
  if (rng() % 20 == 0) return std::string(130, 'k');  // complex key
  if (rng() % 10 == 0) return testing::RandomString(rng, 10);
  return std::string(kKeys[rng() % std::size(kKeys)]) + std::to_string(rng() % 3);
}

// Varies a typed item: metadata strings everywhere, and kind-specific strings at depth.
void Mutate(Object& obj, std::mt19937_64& rng) {
  auto* meta = obj.object_meta();
  ASSERT_NE(meta, nullptr);
  meta->Name = rng() % 3 == 0 ? YamlText(rng) : "item-" + std::to_string(rng() % 1000);
  meta->Namespace = "default";
  meta->Labels.clear();
  meta->Annotations.clear();
  for (size_t i = rng() % 4; i > 0; --i) meta->Labels[YamlKey(rng)] = YamlText(rng);
  for (size_t i = rng() % 4; i > 0; --i) meta->Annotations[YamlKey(rng)] = YamlText(rng);
  if (auto* cm = obj.As<k8s::core::v1::ConfigMap>()) {
    cm->Data.clear();
    for (size_t i = rng() % 6; i > 0; --i) cm->Data[YamlKey(rng)] = YamlText(rng);
  }
  k8s::core::v1::PodSpec* spec = nullptr;
  if (auto* pod = obj.As<k8s::core::v1::Pod>()) spec = &pod->Spec;
  if (auto* d = obj.As<k8s::apps::v1::Deployment>()) {
    spec = &d->Spec.Template.Spec;
    d->Spec.Template.ObjectMeta.Annotations.clear();
    for (size_t i = rng() % 3; i > 0; --i) {
      d->Spec.Template.ObjectMeta.Annotations[YamlKey(rng)] = YamlText(rng);
    }
  }
  if (spec != nullptr) {
    for (auto& c : spec->Containers) {
      c.Args.clear();
      for (size_t i = rng() % 4; i > 0; --i) c.Args.push_back(YamlText(rng));
      if (rng() % 5 == 0) c.Args.set_non_nil();
      c.Command.clear();
      for (size_t i = rng() % 2; i > 0; --i) c.Command.push_back(YamlText(rng));
    }
  }
  if (auto* tm = obj.type_meta()) *tm = {};  // list items carry no kind/apiVersion
}

struct Streamed {
  Status status;
  std::string bytes;
  std::vector<std::string> pieces;
  size_t max_piece = 0;
};

// Drives the encoder step by step; the pieces go through a BatchSink of `batch` bytes.
Streamed Stream(PieceEncoder& enc, size_t batch) {
  Streamed r;
  BufferSink out;
  BatchSink batcher(&out, batch);
  CallbackSink pieces([&](std::string_view b) {
    r.pieces.emplace_back(b);
    r.max_piece = std::max(r.max_piece, b.size());
    return batcher.Write(b);
  });
  while (true) {
    Result<bool> more = enc.EncodeNext(&pieces);
    if (!more.ok()) {
      r.status = more.status();
      break;
    }
    if (!*more) break;
  }
  EXPECT_TRUE(batcher.Close().ok());
  r.bytes = out.Take();
  return r;
}

const size_t kBatches[] = {1, 3, 64, 4096, 1 << 16};

// Checks one streamed result against the one-shot bytes (or the one-shot error).
void Compare(const Status& want_status, const std::string& want, const Streamed& got,
             size_t n_items, const std::string& what, size_t* ok_cases) {
  if (!want_status.ok()) {
    EXPECT_FALSE(got.status.ok()) << what << ": one-shot failed with " << want_status.ToString();
    EXPECT_EQ(got.status.code(), want_status.code()) << what << " " << got.status.ToString();
    return;
  }
  ASSERT_TRUE(got.status.ok()) << what << ": " << got.status.ToString();
  ASSERT_EQ(got.bytes, want) << what;
  // One piece per step: the opening, each item, the closing.
  ASSERT_EQ(got.pieces.size(), n_items + 2) << what;
  // Each item is one block-sequence entry: `- ` at column 0 (the line break before it ends
  // the previous piece when that ended with a literal block).
  for (size_t i = 1; i <= n_items; ++i) {
    const std::string& p = got.pieces[i];
    const bool at_line_start = p.starts_with("\n- ") ||
                               (p.starts_with("- ") && got.pieces[i - 1].ends_with("\n"));
    EXPECT_TRUE(at_line_start) << what << " item " << i << ": " << p.substr(0, 20);
  }
  ++*ok_cases;
}

template <class List>
void CheckTypedKind(const std::string& fixture, const std::string& api_version,
                    const std::string& list_kind, int lists) {
  using Item = typename std::remove_reference_t<decltype(std::declval<List>().Items)>::value_type;
  auto tmpl = FixtureObject(fixture);
  size_t ok_cases = 0, items_checked = 0;
  for (int seed = 0; seed < lists; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 1000003 + list_kind.size());
    std::vector<std::unique_ptr<Object>> items;
    size_t n = seed % 10 == 0 ? 0 : (seed % 10 == 1 ? 1 : rng() % 12);
    for (size_t i = 0; i < n; ++i) {
      items.push_back(tmpl->Clone());
      Mutate(*items.back(), rng);
    }
    TypedListHeader header;
    header.api_version = api_version;
    header.kind = list_kind;
    if (rng() % 2) header.metadata.ResourceVersion = std::to_string(rng() % 100000);
    if (rng() % 3 == 0) header.metadata.Continue = YamlText(rng);
    if (rng() % 4 == 0) header.metadata.RemainingItemCount = static_cast<int64_t>(rng() % 1000);

    // The one-shot reference: the generated *List, non-nil items, typed::AppendObjectYaml.
    const typed::KindEntry* entry = typed::Scheme::Default().Find(api_version, list_kind);
    ASSERT_NE(entry, nullptr);
    auto list_obj = entry->New();
    List* list = list_obj->As<List>();
    ASSERT_NE(list, nullptr);
    list->ListMeta = header.metadata;
    list->Items.set_non_nil();
    for (const auto& it : items) list->Items.push_back(*it->As<Item>());
    std::string want;
    Status want_status = typed::AppendObjectYaml(*list_obj, &want);

    testing::ObjectVectorSource src(&items);
    auto enc = YamlListEncoder::ForTypedList(header, &src);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    Streamed got = Stream(**enc, kBatches[rng() % std::size(kBatches)]);
    Compare(want_status, want, got, items.size(), list_kind + " seed " + std::to_string(seed),
            &ok_cases);
    if (::testing::Test::HasFatalFailure()) return;
    if (want_status.ok()) {
      items_checked += items.size();
      EXPECT_LE((*enc)->buffer_capacity(), std::max<size_t>(2 * got.max_piece, 64));
    }
  }
  // Most lists must be valid YAML documents, or the test checks little.
  EXPECT_GT(ok_cases, static_cast<size_t>(lists) * 2 / 3);
  EXPECT_GT(items_checked, static_cast<size_t>(lists));
}

TEST(YamlListTest, ConfigMapListsStreamLikeAppendObjectYaml) {
  CheckTypedKind<k8s::core::v1::ConfigMapList>("k8s-api/HEAD/core.v1.ConfigMap.json", "v1",
                                               "ConfigMapList", Iterations(300));
}

TEST(YamlListTest, PodListsStreamLikeAppendObjectYaml) {
  CheckTypedKind<k8s::core::v1::PodList>("k8s-api/HEAD/core.v1.Pod.json", "v1", "PodList",
                                         Iterations(120));
}

TEST(YamlListTest, DeploymentListsStreamLikeAppendObjectYaml) {
  CheckTypedKind<k8s::apps::v1::DeploymentList>("k8s-api/HEAD/apps.v1.Deployment.json", "apps/v1",
                                                "DeploymentList", Iterations(120));
}

// A random Value that is not too often rejected by go-yaml (DEL, C1 controls).
Value RandomItem(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return testing::RandomResource(rng, rng() % 2 ? 0 : 300);
    case 1: return testing::RandomValue(rng, 4, 5);
    default: {
      Value v = Value::EmptyObject();
      for (size_t i = rng() % 5; i > 0; --i) {
        switch (rng() % 6) {
          case 0: v.Set(YamlKey(rng), Value::EmptyObject()); break;
          case 1: v.Set(YamlKey(rng), Value::EmptyArray()); break;
          case 2: v.Set(YamlKey(rng), testing::RandomFloat(rng)); break;
          case 3: {
            Value::Array a;
            for (size_t k = rng() % 4; k > 0; --k) a.push_back(YamlText(rng));
            v.Set(YamlKey(rng), Value(std::move(a)));
            break;
          }
          default: v.Set(YamlKey(rng), YamlText(rng));
        }
      }
      return v;
    }
  }
}

TEST(YamlListTest, UnstructuredListsStreamLikeAppendYaml) {
  const int lists = Iterations(600);
  size_t ok_cases = 0;
  for (int seed = 0; seed < lists; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 31337 + 5);
    Value header = testing::RandomListHeader(rng);
    if (rng() % 5 == 0) header.Set("items2", YamlText(rng));  // after "items" in go-yaml order
    if (rng() % 5 == 0) header.Set("Items", 1);                // before it
    std::vector<Value> items;
    size_t n = seed % 10 == 0 ? 0 : rng() % 10;
    for (size_t i = 0; i < n; ++i) items.push_back(RandomItem(rng));

    Value whole = header;
    whole.Set("items", Value(Value::Array(items)));
    std::string want;
    Status want_status = api::AppendYaml(whole, &want);

    VectorItemSource<Value> src(&items);
    YamlListEncoder enc(header, "items", &src);
    Streamed got = Stream(enc, kBatches[rng() % std::size(kBatches)]);
    Compare(want_status, want, got, items.size(), "seed " + std::to_string(seed), &ok_cases);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(ok_cases, static_cast<size_t>(lists) / 2);
}

// A Table: the sequence key is "rows", and every other key sorts before it.
TEST(YamlListTest, TableShapedDocumentsStreamLikeAppendYaml) {
  const int tables = Iterations(300);
  size_t ok_cases = 0;
  for (int seed = 0; seed < tables; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 7 + 11);
    Value header = J(R"({"apiVersion":"meta.k8s.io/v1","kind":"Table","metadata":{"resourceVersion":"42"}})");
    Value::Array columns;
    for (size_t i = rng() % 4; i > 0; --i) {
      Value c = Value::EmptyObject();
      c.Set("name", YamlText(rng));
      c.Set("type", "string");
      c.Set("format", rng() % 2 ? "name" : "");
      c.Set("description", YamlText(rng));
      c.Set("priority", static_cast<int64_t>(rng() % 2));
      columns.push_back(std::move(c));
    }
    header.Set("columnDefinitions", Value(std::move(columns)));
    std::vector<Value> rows;
    for (size_t i = seed % 7 == 0 ? 0 : rng() % 8; i > 0; --i) {
      Value row = Value::EmptyObject();
      Value::Array cells;
      for (size_t k = rng() % 5; k > 0; --k) {
        cells.push_back(rng() % 3 ? Value(YamlText(rng)) : Value(testing::RandomInt(rng)));
      }
      row.Set("cells", Value(std::move(cells)));
      if (rng() % 2) row.Set("object", RandomItem(rng));
      rows.push_back(std::move(row));
    }
    Value whole = header;
    whole.Set("rows", Value(Value::Array(rows)));
    std::string want;
    Status want_status = api::AppendYaml(whole, &want);

    VectorItemSource<Value> src(&rows);
    YamlListEncoder enc(header, "rows", &src);
    Streamed got = Stream(enc, kBatches[rng() % std::size(kBatches)]);
    Compare(want_status, want, got, rows.size(), "seed " + std::to_string(seed), &ok_cases);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(ok_cases, static_cast<size_t>(tables) * 2 / 3);
}

// The typed meta.k8s.io/v1 Table, as the one-shot path writes it, streamed from the
// parsed header and rows.
TEST(YamlListTest, TypedTableStreamsLikeAppendObjectYaml) {
  const typed::KindEntry* entry = typed::Scheme::Default().Find("meta.k8s.io/v1", "Table");
  ASSERT_NE(entry, nullptr);
  auto obj = entry->New();
  auto* table = obj->As<k8s::meta::v1::Table>();
  ASSERT_NE(table, nullptr);
  table->ListMeta.ResourceVersion = "9";
  k8s::meta::v1::TableColumnDefinition col;
  col.Name = "Name";
  col.Type = "string";
  col.Format = "name";
  col.Description = std::string("Name must be unique within a namespace. ") +
                    "Is required when creating resources, although some resources may allow a "
                    "client to request the generation of an appropriate name automatically.";
  table->ColumnDefinitions.push_back(col);
  for (int i = 0; i < 3; ++i) {
    k8s::meta::v1::TableRow row;
    row.Cells.push_back(Value("pod-" + std::to_string(i)));
    row.Cells.push_back(Value(i));
    row.Cells.push_back(Value("line one\n  line two\n"));
    row.Object = k8s::runtime::RawExtension(R"({"kind":"PartialObjectMetadata","metadata":{"name":"p"}})");
    table->Rows.push_back(std::move(row));
  }
  std::string want;
  ASSERT_TRUE(typed::AppendObjectYaml(*obj, &want).ok());

  std::string json;
  ASSERT_TRUE(typed::AppendObjectJson(*obj, &json).ok());
  Value header = J(json);
  std::vector<Value> rows = header.Find("rows")->as_array();
  header.Erase("rows");
  VectorItemSource<Value> src(&rows);
  YamlListEncoder enc(header, "rows", &src);
  BufferSink out;
  ASSERT_TRUE(enc.EncodeAll(&out).ok());
  EXPECT_EQ(out.data(), want);
  EXPECT_EQ(enc.items_written(), 3u);
}

// ---------------------------------------------------------------------------------------
// Exact bytes, written from go-yaml v2's rules (and checked against kubectl's habits).

TEST(YamlListTest, TinyConfigMapListExactBytes) {
  std::vector<std::unique_ptr<Object>> items;
  {
    auto o = typed::Scheme::Default().Find("v1", "ConfigMap")->New();
    auto* cm = o->As<k8s::core::v1::ConfigMap>();
    cm->ObjectMeta.Name = "a";
    cm->ObjectMeta.Namespace = "default";
    cm->Data["k"] = "line1\n\n  indented\n";
    cm->Data["long"] =
        "lorem ipsum dolor sit amet, consectetur adipiscing elit lorem ipsum dolor sit amet, "
        "consectetur adipiscing elit lorem ipsum dolor sit amet, consectetur adipiscing elit";
    cm->Data[" lead"] = "trail ";
    cm->Data["e"] = "";
    items.push_back(std::move(o));
  }
  {
    auto o = typed::Scheme::Default().Find("v1", "ConfigMap")->New();
    auto* cm = o->As<k8s::core::v1::ConfigMap>();
    cm->ObjectMeta.Name = "b";
    cm->ObjectMeta.Labels["app"] = "true";
    items.push_back(std::move(o));
  }
  TypedListHeader header{"v1", "ConfigMapList", {}};
  header.metadata.ResourceVersion = "12";
  header.metadata.Continue = "x";
  const std::string want =
      "apiVersion: v1\n"
      "items:\n"
      "- data:\n"
      "    ' lead': 'trail '\n"
      "    e: \"\"\n"
      "    k: |\n"
      "      line1\n"
      "\n"
      "        indented\n"
      "    long: lorem ipsum dolor sit amet, consectetur adipiscing elit lorem ipsum dolor\n"
      "      sit amet, consectetur adipiscing elit lorem ipsum dolor sit amet, consectetur\n"
      "      adipiscing elit\n"
      "  metadata:\n"
      "    name: a\n"
      "    namespace: default\n"
      "- metadata:\n"
      "    labels:\n"
      "      app: \"true\"\n"
      "    name: b\n"
      "kind: ConfigMapList\n"
      "metadata:\n"
      "  continue: x\n"
      "  resourceVersion: \"12\"\n";
  testing::ObjectVectorSource src(&items);
  auto enc = YamlListEncoder::ForTypedList(header, &src);
  ASSERT_TRUE(enc.ok());
  Streamed got = Stream(**enc, 1);
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_EQ(got.bytes, want);
  ASSERT_EQ(got.pieces.size(), 4u);
  EXPECT_EQ(got.pieces[0], "apiVersion: v1\nitems:");
  EXPECT_EQ(got.pieces[2], "\n- metadata:\n    labels:\n      app: \"true\"\n    name: b");
  EXPECT_EQ(got.pieces[3], "\nkind: ConfigMapList\nmetadata:\n  continue: x\n  resourceVersion: \"12\"\n");
}

TEST(YamlListTest, EmptyListsWriteEmptyFlowSequence) {
  std::vector<std::unique_ptr<Object>> none;
  testing::ObjectVectorSource src(&none);
  auto enc = YamlListEncoder::ForTypedList(TypedListHeader{"v1", "PodList", {}}, &src);
  ASSERT_TRUE(enc.ok());
  Streamed got = Stream(**enc, 7);
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.bytes, "apiVersion: v1\nitems: []\nkind: PodList\nmetadata: {}\n");
  EXPECT_EQ((*enc)->items_written(), 0u);

  // No header at all (a null header is an empty mapping).
  std::vector<Value> no_values;
  VectorItemSource<Value> vsrc(&no_values);
  YamlListEncoder bare(Value(), "items", &vsrc);
  BufferSink out;
  ASSERT_TRUE(bare.EncodeAll(&out).ok());
  EXPECT_EQ(out.data(), "items: []\n");
}

TEST(YamlListTest, ItemsOfEveryShape) {
  std::vector<Value> items = {Value(1), Value("a"), Value::EmptyArray(), Value::EmptyObject(),
                              J("[[1]]"), Value("  x\ny\n"), J(R"({"s":[{"a":1,"b":[]}]})"),
                              Value(1.5), Value(nullptr), Value("")};
  Value header = J(R"({"kind":"List","apiVersion":"v1","metadata":{}})");
  const std::string want =
      "apiVersion: v1\n"
      "items:\n"
      "- 1\n"
      "- a\n"
      "- []\n"
      "- {}\n"
      "- - - 1\n"
      "- |2\n"
      "    x\n"
      "  y\n"
      "- s:\n"
      "  - a: 1\n"
      "    b: []\n"
      "- 1.5\n"
      "- null\n"
      "- \"\"\n"
      "kind: List\n"
      "metadata: {}\n";
  Value whole = header;
  whole.Set("items", Value(Value::Array(items)));
  ASSERT_EQ(api::ToYaml(whole).value(), want);  // the one-shot path agrees with go-yaml
  VectorItemSource<Value> src(&items);
  YamlListEncoder enc(header, "items", &src);
  Streamed got = Stream(enc, 5);
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.bytes, want);
}

TEST(YamlListTest, TableExactBytes) {
  Value header = J(R"({"apiVersion":"meta.k8s.io/v1","kind":"Table","metadata":{"resourceVersion":"5"},
      "columnDefinitions":[{"name":"Name","type":"string","format":"name",
                            "description":"Name must be unique","priority":0}],
      "rows":"ignored"})");
  std::vector<Value> rows = {J(R"({"cells":["foo",3,null],"object":{"kind":"Pod","metadata":{"name":"foo"}}})")};
  VectorItemSource<Value> src(&rows);
  YamlListEncoder enc(header, "rows", &src);
  BufferSink out;
  ASSERT_TRUE(enc.EncodeAll(&out).ok());
  EXPECT_EQ(out.data(),
            "apiVersion: meta.k8s.io/v1\n"
            "columnDefinitions:\n"
            "- description: Name must be unique\n"
            "  format: name\n"
            "  name: Name\n"
            "  priority: 0\n"
            "  type: string\n"
            "kind: Table\n"
            "metadata:\n"
            "  resourceVersion: \"5\"\n"
            "rows:\n"
            "- cells:\n"
            "  - foo\n"
            "  - 3\n"
            "  - null\n"
            "  object:\n"
            "    kind: Pod\n"
            "    metadata:\n"
            "      name: foo\n");
}

// Header keys go in go-yaml's natural order around the sequence key, not bytewise, and
// keys that go-yaml reads back as one (invalid UTF-8) keep the bytewise-last value.
TEST(YamlListTest, HeaderKeysAroundTheSequenceKey) {
  Value header = Value::EmptyObject();
  for (const char* k : {"items2", "items10", "Items", "item", "_x", "zz", "itemsA"}) {
    header.Set(k, k);
  }
  header.Set("a\xff", "ff");  // both keys read back as "a\uFFFD"; the bytewise-last wins
  header.Set("a\xfe", "fe");
  header.Set("items", "replaced");
  std::vector<Value> items = {Value(1)};
  Value whole = header;
  whole.Set("items", Value(Value::Array(items)));
  std::string want = api::ToYaml(whole).value();
  VectorItemSource<Value> src(&items);
  YamlListEncoder enc(header, "items", &src);
  BufferSink out;
  ASSERT_TRUE(enc.EncodeAll(&out).ok());
  EXPECT_EQ(out.data(), want);
  EXPECT_EQ(out.data(),
            "_x: _x\n"
            "Items: Items\n"
            "a\xef\xbf\xbd: ff\n"
            "item: item\n"
            "items:\n"
            "- 1\n"
            "items2: items2\n"
            "items10: items10\n"
            "itemsA: itemsA\n"
            "zz: zz\n");
}

// ---------------------------------------------------------------------------------------
// Errors stop the encoder for good.

class FailingSource final : public ItemSource<Value> {
 public:
  explicit FailingSource(size_t good) : good_(good) {}
  Result<const Value*> Next() override {
    if (served_ == good_) return Unavailable("snapshot compacted");
    ++served_;
    item_ = J(R"({"a":)" + std::to_string(served_) + "}");
    return static_cast<const Value*>(&item_);
  }

 private:
  size_t good_;
  size_t served_ = 0;
  Value item_;
};

TEST(YamlListTest, SourceErrorsStopTheEncoder) {
  for (size_t good : {0, 1, 3}) {
    FailingSource src(good);
    YamlListEncoder enc(J(R"({"kind":"List"})"), "items", &src);
    BufferSink out;
    Status s = enc.EncodeAll(&out);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    EXPECT_EQ(enc.items_written(), good);
    Result<bool> again = enc.EncodeNext(&out);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
    if (good == 0) {
      EXPECT_EQ(out.data(), "");  // the opening needs the first item
    }
    if (good == 3) {
      EXPECT_EQ(out.data(), "items:\n- a: 1\n- a: 2\n- a: 3");
    }
  }
}

TEST(YamlListTest, ConversionErrorsStopTheEncoder) {
  std::vector<Value> items = {Value(1), Value("del\x7f"), Value(2)};
  VectorItemSource<Value> src(&items);
  YamlListEncoder enc(Value::EmptyObject(), "items", &src);
  BufferSink out;
  Status s = enc.EncodeAll(&out);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange) << s.ToString();
  EXPECT_EQ(out.data(), "items:\n- 1");

  std::vector<Value> one = {Value(1)};
  VectorItemSource<Value> src2(&one);
  YamlListEncoder bad_header(Value("not a mapping"), "items", &src2);
  BufferSink out2;
  EXPECT_EQ(bad_header.EncodeAll(&out2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out2.data(), "");

  VectorItemSource<Value> src3(&one);
  Value nan_header = Value::EmptyObject();
  nan_header.Set("zz", std::nan(""));
  YamlListEncoder bad_trailer(nan_header, "items", &src3);
  BufferSink out3;
  EXPECT_FALSE(bad_trailer.EncodeAll(&out3).ok());
  EXPECT_EQ(bad_trailer.items_written(), 1u);
}

}  // namespace
}  // namespace kstream::collection
