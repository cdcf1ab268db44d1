// The item counters against lists written by kstream's own encoders (JSON, protobuf,
// Table, YAML), fed in every possible two-piece split and byte by byte, and against
// malformed and truncated bodies.
#include "kstream_bench/counters.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <random>
#include <sstream>

#include "api/json.h"
#include "api/k8s/core/v1/types.h"
#include "api/typed/scheme.h"
#include "api/yaml.h"
#include "collection/table.h"
#include "collection/typed_list.h"
#include "collection/unstructured_json.h"
#include "collection/yaml_list.h"
#include "encoding/sink.h"
#include "kstream_bench/load.h"
#include "testing/fixtures.h"
#include "testing/random_value.h"

namespace kstream::bench {
namespace {

using api::Value;
using collection::ItemSource;
using collection::TypedListHeader;
using typed::Object;

// --- helpers ------------------------------------------------------------------------

std::unique_ptr<Object> FixtureObject(const std::string& path) {
  auto v = api::ParseJson(testing::ReadFixture(path));
  EXPECT_TRUE(v.ok()) << path;
  if (!v.ok()) return nullptr;
  auto obj = typed::DecodeObject(typed::Scheme::Default(), *v);
  EXPECT_TRUE(obj.ok()) << path << ": " << obj.status().ToString();
  return obj.ok() ? std::move(obj).value() : nullptr;
}

// Strings that stress a streaming JSON/YAML scanner: quotes, runs of backslashes, the
// names of the keys the counters look for, brackets, line breaks, YAML indicators.
std::string NastyString(std::mt19937_64& rng) {
  static const char* kPieces[] = {"\"", "\\", "\\\\", "\\\"", "items", "\"items\":[", "rows", "]", "}", "{", "[",
                                  "\n", "\n- ", "- ", ": ", "metadata:", "continue: x", "#", "'", "\t", "\xe2\x80\xa8",
                                  "ünï", "a", "long words here ", "0", "null", "  "};
  std::string s;
  for (size_t n = rng() % 12; n > 0; --n) s += kPieces[rng() % std::size(kPieces)];
  return s;
}

// Varies a template: name, labels and annotations (some named like the keys the counters
// look for), so items differ in size and content.
void Mutate(Object& obj, std::mt19937_64& rng) {
  auto* meta = obj.object_meta();
  ASSERT_NE(meta, nullptr);
  meta->Name = "n" + std::to_string(rng() % 100000);
  meta->Labels["items"] = "x";
  meta->Labels["rows"] = NastyString(rng);
  for (size_t i = rng() % 3; i > 0; --i) meta->Annotations[NastyString(rng)] = NastyString(rng);
  if (rng() % 10 == 0) meta->Annotations["big"] = std::string(rng() % 3000, 'x') + NastyString(rng);
  if (auto* tm = obj.type_meta()) *tm = {};
}

std::vector<std::unique_ptr<Object>> Items(const Object& tmpl, size_t n, std::mt19937_64& rng) {
  std::vector<std::unique_ptr<Object>> items;
  for (size_t i = 0; i < n; ++i) {
    items.push_back(tmpl.Clone());
    Mutate(*items.back(), rng);
  }
  return items;
}

template <class Encoder>
std::string EncodeAll(Encoder& enc) {
  encoding::BufferSink out;
  Status s = enc.EncodeAll(&out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out.Take();
}

struct Counted {
  Status status;
  uint64_t items = 0;
  std::string cont;
};

Counted CountPieces(ListFormat f, const std::vector<std::string_view>& pieces) {
  auto c = MakeItemCounter(f);
  Counted r;
  for (auto p : pieces) {
    r.status = c->Feed(p);
    if (!r.status.ok()) return r;
  }
  r.status = c->Finish();
  r.items = c->items();
  r.cont = c->continue_token();
  return r;
}

Counted Count(ListFormat f, std::string_view body) { return CountPieces(f, {body}); }

// The body counted whole, split in two at every offset, and byte by byte: always `want`
// items and the continue token `cont`.
void ExpectCountEverySplit(ListFormat f, const std::string& body, uint64_t want, const std::string& cont,
                           const std::string& what) {
  Counted whole = Count(f, body);
  ASSERT_TRUE(whole.status.ok()) << what << ": " << whole.status.ToString() << "\n" << body.substr(0, 2000);
  ASSERT_EQ(whole.items, want) << what;
  ASSERT_EQ(whole.cont, cont) << what;
  std::string_view b = body;
  // Every offset for bodies up to 16 KB; beyond, every offset in the first and last 4 KB
  // and 4000 offsets in between (the exhaustive check is quadratic).
  const size_t stride = b.size() <= 16384 ? 1 : std::max<size_t>(1, (b.size() - 8192) / 4000);
  for (size_t k = 0; k <= b.size(); k += (k < 4096 || k + 4096 > b.size()) ? 1 : stride) {
    Counted r = CountPieces(f, {b.substr(0, k), b.substr(k)});
    ASSERT_TRUE(r.status.ok()) << what << " split at " << k << ": " << r.status.ToString();
    ASSERT_EQ(r.items, want) << what << " split at " << k;
    ASSERT_EQ(r.cont, cont) << what << " split at " << k;
  }
  std::vector<std::string_view> bytes;
  for (size_t k = 0; k < b.size(); ++k) bytes.push_back(b.substr(k, 1));
  Counted r = CountPieces(f, bytes);
  ASSERT_TRUE(r.status.ok()) << what << " byte by byte: " << r.status.ToString();
  ASSERT_EQ(r.items, want) << what << " byte by byte";
  ASSERT_EQ(r.cont, cont) << what << " byte by byte";
}

// Random multi-piece splits (for bodies too large for the exhaustive check).
void ExpectCountRandomSplits(ListFormat f, const std::string& body, uint64_t want, const std::string& cont,
                             std::mt19937_64& rng, const std::string& what) {
  for (int round = 0; round < 8; ++round) {
    std::vector<std::string_view> pieces;
    std::string_view b = body;
    while (!b.empty()) {
      size_t n = std::min<size_t>(b.size(), 1 + rng() % (round % 2 ? 7 : 5000));
      pieces.push_back(b.substr(0, n));
      b.remove_prefix(n);
    }
    Counted r = CountPieces(f, pieces);
    ASSERT_TRUE(r.status.ok()) << what << ": " << r.status.ToString();
    ASSERT_EQ(r.items, want) << what;
    ASSERT_EQ(r.cont, cont) << what;
  }
}

// Every proper prefix (but those ending in white space the format allows at the end) fails.
void ExpectTruncationsFail(ListFormat f, const std::string& body, const std::string& what,
                           bool allow_line_boundaries_after_metadata = false) {
  size_t meta = body.rfind("\nmetadata:");
  for (size_t k = 0; k < body.size(); ++k) {
    std::string_view prefix = std::string_view(body).substr(0, k);
    if (f != ListFormat::kProtobuf && std::string_view(body).substr(k).find_first_not_of(" \n") == std::string::npos) {
      continue;  // only trailing white space is missing: still a whole document
    }
    if (allow_line_boundaries_after_metadata && meta != std::string::npos && k > meta + 10 && body[k - 1] == '\n') {
      continue;  // YAML: cut between the lines of the final metadata mapping (documented)
    }
    Counted r = Count(f, prefix);
    ASSERT_FALSE(r.status.ok()) << what << ": the prefix of " << k << " of " << body.size() << " bytes was accepted";
  }
}

TypedListHeader Header(const std::string& api_version, const std::string& kind, std::mt19937_64& rng,
                       std::string* cont) {
  TypedListHeader h;
  h.api_version = api_version;
  h.kind = kind;
  h.metadata.ResourceVersion = std::to_string(rng() % 100000);
  cont->clear();
  if (rng() % 2) {
    *cont = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzLCJzdGFydCI6ImZvby9iYXIifQ" + std::to_string(rng() % 100);
    h.metadata.Continue = *cont;
    h.metadata.RemainingItemCount = static_cast<int64_t>(rng() % 1000);
  }
  return h;
}

struct Kind {
  const char* fixture;  // nullptr: kstream-bench's own pod (load.h)
  const char* api_version;
  const char* list_kind;
  bool big;  // a large template (60 KB): random splits only
};
const Kind kKinds[] = {
    {"k8s-api/HEAD/core.v1.ConfigMap.json", "v1", "ConfigMapList", false},
    {"k8s-api/HEAD/core.v1.Secret.json", "v1", "SecretList", false},
    {nullptr, "v1", "PodList", false},
    {"k8s-api/HEAD/core.v1.Pod.json", "v1", "PodList", true},
    {"k8s-api/HEAD/apps.v1.Deployment.json", "apps/v1", "DeploymentList", true},
};

std::unique_ptr<Object> Template(const Kind& kind) {
  if (kind.fixture != nullptr) return FixtureObject(kind.fixture);
  LoadOptions o;
  o.kind = LoadKind::kPod;
  o.ns = "shop";
  o.name_prefix = "web-";
  auto v = api::ParseJson(ObjectJson(o, 7));
  EXPECT_TRUE(v.ok());
  if (!v.ok()) return nullptr;
  auto obj = typed::DecodeObject(typed::Scheme::Default(), *v);
  EXPECT_TRUE(obj.ok()) << obj.status().ToString();
  return obj.ok() ? std::move(obj).value() : nullptr;
}

// --- typed lists: JSON, indented JSON, protobuf, YAML --------------------------------

TEST(CountersTest, TypedListsEverySplit) {
  for (const Kind& kind : kKinds) {
    if (kind.big) continue;
    auto tmpl = Template(kind);
    ASSERT_NE(tmpl, nullptr);
    for (size_t n : {0, 1, 3}) {
      std::mt19937_64 rng(n * 31 + std::string(kind.list_kind).size());
      auto items = Items(*tmpl, n, rng);
      std::string cont;
      TypedListHeader header = Header(kind.api_version, kind.list_kind, rng, &cont);
      const std::string what = std::string(kind.list_kind) + " of " + std::to_string(n);

      testing::ObjectVectorSource s1(&items);
      collection::TypedListJsonEncoder json(&header, &s1);
      ExpectCountEverySplit(ListFormat::kJson, EncodeAll(json), n, cont, what + " (json)");

      testing::ObjectVectorSource s2(&items);
      collection::TypedListJsonEncoder indent(&header, &s2, encoding::json::Style::kIndent);
      ExpectCountEverySplit(ListFormat::kJson, EncodeAll(indent), n, cont, what + " (indented json)");

      testing::ObjectVectorSource s3(&items);
      collection::TypedListProtobufEncoder pb(&header, &s3);
      ExpectCountEverySplit(ListFormat::kProtobuf, EncodeAll(pb), n, cont, what + " (protobuf)");

      testing::ObjectVectorSource s4(&items);
      auto yaml = collection::YamlListEncoder::ForTypedList(header, &s4);
      ASSERT_TRUE(yaml.ok()) << yaml.status().ToString();
      ExpectCountEverySplit(ListFormat::kYaml, EncodeAll(**yaml), n, cont, what + " (yaml)");
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(CountersTest, TypedListsRandomSplits) {
  size_t lists = 0;
  for (const Kind& kind : kKinds) {
    auto tmpl = Template(kind);
    ASSERT_NE(tmpl, nullptr);
    for (int seed = 0; seed < (kind.big ? 6 : 20); ++seed) {
      std::mt19937_64 rng(static_cast<uint64_t>(seed) * 7919 + 3);
      size_t n = rng() % (kind.big ? 6 : 40);
      auto items = Items(*tmpl, n, rng);
      std::string cont;
      TypedListHeader header = Header(kind.api_version, kind.list_kind, rng, &cont);
      const std::string what = std::string(kind.list_kind) + " seed " + std::to_string(seed);
      testing::ObjectVectorSource s1(&items);
      collection::TypedListJsonEncoder json(&header, &s1, seed % 2 ? encoding::json::Style::kIndent
                                                                   : encoding::json::Style::kCompact);
      ExpectCountRandomSplits(ListFormat::kJson, EncodeAll(json), n, cont, rng, what + " (json)");
      testing::ObjectVectorSource s2(&items);
      collection::TypedListProtobufEncoder pb(&header, &s2);
      ExpectCountRandomSplits(ListFormat::kProtobuf, EncodeAll(pb), n, cont, rng, what + " (protobuf)");
      testing::ObjectVectorSource s3(&items);
      auto yaml = collection::YamlListEncoder::ForTypedList(header, &s3);
      ASSERT_TRUE(yaml.ok());
      ExpectCountRandomSplits(ListFormat::kYaml, EncodeAll(**yaml), n, cont, rng, what + " (yaml)");
      if (::testing::Test::HasFatalFailure()) return;
      ++lists;
    }
  }
  EXPECT_EQ(lists, 72u);
}

// --- unstructured lists: random resources, JSON and YAML -----------------------------

TEST(CountersTest, UnstructuredListsOfRandomResources) {
  int yaml_checked = 0;
  for (int seed = 0; seed < 60; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 131 + 7);
    auto header = api::ParseJson(R"({"apiVersion":"example.com/v1","kind":"WidgetList","metadata":{"resourceVersion":"7"}})");
    ASSERT_TRUE(header.ok());
    std::string cont;
    if (seed % 2) {
      cont = "tok" + std::to_string(seed);
      Value meta = *header->Find("metadata");
      meta.Set("continue", cont);
      header->Set("metadata", meta);
    }
    std::vector<Value> items;
    for (size_t i = rng() % 12; i > 0; --i) {
      Value item = testing::RandomResource(rng, rng() % 400);
      item.Set("nasty", NastyString(rng));
      items.push_back(std::move(item));
    }
    const std::string what = "seed " + std::to_string(seed);
    collection::VectorItemSource<Value> s1(&items);
    collection::UnstructuredListJsonEncoder json(&*header, &s1);
    const std::string body = EncodeAll(json);
    if (seed < 6) {
      ExpectCountEverySplit(ListFormat::kJson, body, items.size(), cont, what + " (json)");
    } else {
      ExpectCountRandomSplits(ListFormat::kJson, body, items.size(), cont, rng, what + " (json)");
    }
    // YAML: some random values cannot be written as YAML (the encoder refuses them).
    Value whole = *header;
    whole.Set("items", Value(Value::Array(items)));
    std::string want;
    if (!api::AppendYaml(whole, &want).ok()) continue;
    collection::VectorItemSource<Value> s2(&items);
    collection::YamlListEncoder yaml(*header, "items", &s2);
    std::string ybody = EncodeAll(yaml);
    ASSERT_EQ(ybody, want);
    if (seed < 6) {
      ExpectCountEverySplit(ListFormat::kYaml, ybody, items.size(), cont, what + " (yaml)");
    } else {
      ExpectCountRandomSplits(ListFormat::kYaml, ybody, items.size(), cont, rng, what + " (yaml)");
    }
    if (::testing::Test::HasFatalFailure()) return;
    ++yaml_checked;
  }
  EXPECT_GT(yaml_checked, 20);
}

// --- Tables: JSON and YAML -----------------------------------------------------------

class TestPrinter final : public collection::TablePrinter {
 public:
  TestPrinter() {
    for (const char* name : {"Name", "Data", "Note"}) {
      k8s::meta::v1::TableColumnDefinition c;
      c.Name = name;
      c.Type = "string";
      c.Description = std::string("The ") + name + " column: \"quoted\" rows\n- and items";
      columns_.push_back(c);
    }
    columns_.set_non_nil();
  }
  const typed::Slice<k8s::meta::v1::TableColumnDefinition>& columns() const override { return columns_; }
  Status PrintRow(const Object& obj, const k8s::meta::v1::Time& now, collection::TableRowContent* row) const override {
    row->Clear();
    const auto* meta = obj.object_meta();
    if (meta == nullptr) return InvalidArgument("no metadata");
    row->cells.push_back(Value(meta->Name));
    row->cells.push_back(Value(static_cast<int64_t>(meta->Annotations.size())));
    auto it = meta->Labels.find("rows");
    row->cells.push_back(Value(it != meta->Labels.end() ? it->second : std::string()));
    return Status::Ok();
  }

 private:
  typed::Slice<k8s::meta::v1::TableColumnDefinition> columns_;
};

TEST(CountersTest, TablesAsJsonAndYaml) {
  auto tmpl = FixtureObject("k8s-api/HEAD/core.v1.Pod.json");
  ASSERT_NE(tmpl, nullptr);
  TestPrinter printer;
  const auto now = k8s::meta::v1::Time::FromUtc(2025, 1, 1, 12, 0, 0);
  for (int seed = 0; seed < 12; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed) + 99);
    size_t n = seed == 0 ? 0 : rng() % 6;
    auto items = Items(*tmpl, n, rng);
    collection::TableOptions options;
    options.include_object = seed % 3 == 0   ? collection::IncludeObject::kObject
                             : seed % 3 == 1 ? collection::IncludeObject::kMetadata
                                             : collection::IncludeObject::kNone;
    options.no_headers = seed % 4 == 3;
    k8s::meta::v1::ListMeta list_meta;
    list_meta.ResourceVersion = "42";
    std::string cont;
    if (seed % 2) {
      cont = "c" + std::to_string(seed);
      list_meta.Continue = cont;
    }
    const std::string what = "table seed " + std::to_string(seed);
    testing::ObjectVectorSource s1(&items);
    collection::TableJsonEncoder json(&printer, &options, &list_meta, now, &s1,
                                      seed % 2 ? encoding::json::Style::kIndent : encoding::json::Style::kCompact);
    const std::string body = EncodeAll(json);
    if (seed < 4) {
      ExpectCountEverySplit(ListFormat::kTable, body, n, cont, what + " (json)");
    } else {
      ExpectCountRandomSplits(ListFormat::kTable, body, n, cont, rng, what + " (json)");
    }
    // The same Table as YAML (the sequence key is "rows").
    auto header = collection::TableHeaderValue(printer, options, list_meta);
    ASSERT_TRUE(header.ok()) << header.status().ToString();
    testing::ObjectVectorSource s2(&items);
    collection::TableRowValueSource rows(&printer, &options, now, &s2);
    collection::YamlListEncoder yaml(*header, "rows", &rows);
    const std::string ybody = EncodeAll(yaml);
    auto counter = MakeYamlCounter("rows");
    ASSERT_TRUE(counter->Feed(ybody).ok());
    ASSERT_TRUE(counter->Finish().ok()) << what << "\n" << ybody;
    EXPECT_EQ(counter->items(), n) << what;
    EXPECT_EQ(counter->continue_token(), cont) << what;
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// --- truncation ----------------------------------------------------------------------

TEST(CountersTest, EveryTruncationFails) {
  auto tmpl = FixtureObject("k8s-api/HEAD/core.v1.ConfigMap.json");
  ASSERT_NE(tmpl, nullptr);
  std::mt19937_64 rng(5);
  auto items = Items(*tmpl, 3, rng);
  std::string cont;
  TypedListHeader header = Header("v1", "ConfigMapList", rng, &cont);
  testing::ObjectVectorSource s1(&items);
  collection::TypedListJsonEncoder json(&header, &s1);
  ExpectTruncationsFail(ListFormat::kJson, EncodeAll(json), "json");
  testing::ObjectVectorSource s2(&items);
  collection::TypedListProtobufEncoder pb(&header, &s2);
  ExpectTruncationsFail(ListFormat::kProtobuf, EncodeAll(pb), "protobuf");
  testing::ObjectVectorSource s3(&items);
  auto yaml = collection::YamlListEncoder::ForTypedList(header, &s3);
  ASSERT_TRUE(yaml.ok());
  ExpectTruncationsFail(ListFormat::kYaml, EncodeAll(**yaml), "yaml", /*allow_line_boundaries_after_metadata=*/true);
}

// --- exact small cases and malformed input -------------------------------------------

TEST(CountersTest, JsonStringsAndEscapes) {
  struct Case {
    std::string body;
    uint64_t items;
  };
  const Case cases[] = {
      {R"({"items":[]})", 0},
      {R"({"items":null})", 0},
      {R"({"items":["a\"]"]})", 1},
      {R"({"items":["a\\"]})", 1},
      {R"({"items":["a\\\"b", "\\\\"]})", 2},
      {R"({"items":["\u0022", "]", "[", "{"]})", 4},
      {R"({"x":{"items":[1,2,3]},"items":[[1,2],{"items":[1]},-1.5e3,true,false,null]})", 6},
      {" \r\n\t{ \"items\" : [ 1 , 2 ] } \n", 2},
      {R"({"metadata":{"continue":"abc","x":{"continue":"no"}},"items":[{}]})", 1},
  };
  for (const auto& c : cases) {
    ExpectCountEverySplit(ListFormat::kJson, c.body, c.items,
                          c.body.find("\"abc\"") != std::string::npos ? "abc" : "", c.body);
  }
}

TEST(CountersTest, MalformedJsonFails) {
  const char* bad[] = {
      "",
      "[]",
      R"("items")",
      R"({"items":[1,2})",
      R"({"items":[1 2]})",
      R"({"items":{}})",
      R"({"items":"a"})",
      R"({"items":[],})",
      R"({"items":[]}})",
      R"({"items":[]} x)",
      R"({"items":[]}{})",
      R"({"items":[tru]})",
      R"({"items":[01]})",
      R"({"items":[1.]})",
      R"({"items":[-]})",
      R"({"items":[+1]})",
      R"({"items":["abc]})",
      R"({"items":["abc\"]})",
      R"({"a" 1,"items":[]})",
      R"({"a":1 "items":[]})",
      R"({1:2,"items":[]})",
      R"({"kind":"List"})",
      R"({"items":[],"items":[]})",
      R"({"items":[,]})",
      R"({"items":[1,]})",
      R"({"items":[]])",
  };
  for (const char* b : bad) {
    Counted r = Count(ListFormat::kJson, b);
    EXPECT_FALSE(r.status.ok()) << b;
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument) << b;
  }
  // Messages say what and where.
  Counted r = Count(ListFormat::kJson, R"({"items":[1 2]})");
  EXPECT_EQ(r.status.message(), "JSON: expected ',' or a closing bracket, found '2' at byte 12");
  r = Count(ListFormat::kJson, R"({"items":[{"a":1})");
  EXPECT_EQ(r.status.message(), "JSON: the document ends early (2 unclosed brackets) at byte 17");
  r = Count(ListFormat::kJson, R"({"kind":"List","metadata":{}})");
  EXPECT_EQ(r.status.message(), "JSON: the document has no top-level \"items\" array");
}

// The smallest envelope pieces, built by hand.
std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string Field(int number, const std::string& bytes) {
  return Varint(static_cast<uint64_t>(number) << 3 | 2) + Varint(bytes.size()) + bytes;
}
std::string Envelope(const std::string& raw, bool trailer = true) {
  std::string type_meta = Field(1, "v1") + Field(2, "ConfigMapList");
  std::string s = std::string("k8s\0", 4) + Field(1, type_meta) + Field(2, raw);
  if (trailer) s += Field(3, "") + Field(4, "");
  return s;
}

TEST(CountersTest, ProtobufByHand) {
  const std::string meta = Field(2, "5") + Field(3, "next-token");
  std::string raw = Field(1, meta) + Field(2, "item one") + Field(2, "") + Field(2, std::string(300, 'x'));
  raw += Varint(5 << 3 | 0) + Varint(123456);  // an unknown varint field is skipped
  ExpectCountEverySplit(ListFormat::kProtobuf, Envelope(raw), 3, "next-token", "hand-made");
  ExpectCountEverySplit(ListFormat::kProtobuf, Envelope(""), 0, "", "empty raw");

  const std::string bad[] = {
      std::string("k8s\x01", 4) + Envelope(raw).substr(4),             // bad magic
      Envelope(raw, /*trailer=*/false),                                  // no contentEncoding/contentType
      Envelope(Field(1, meta) + "\x12\x10short"),                        // an item longer than the list
      Envelope(Field(1, meta) + "\x12"),                                 // a list ending inside a field
      Envelope(Field(1, meta) + "\x13"),                                 // wire type 3 (groups)
      Envelope(Field(1, meta) + Varint(2 << 3 | 0) + Varint(1)),        // items that are varints
      Envelope(raw) + Field(2, raw),                                     // two raw fields
      std::string("k8s\0", 4) + Field(1, "x") + Field(3, "") + Field(4, ""),  // no raw
      std::string("k8s\0", 4) + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  // varint overflow
      std::string("k8s\0", 4) + "\x00\x00",                              // field number 0
  };
  for (size_t i = 0; i < std::size(bad); ++i) {
    Counted r = Count(ListFormat::kProtobuf, bad[i]);
    EXPECT_FALSE(r.status.ok()) << "case " << i;
  }
  Counted r = Count(ListFormat::kProtobuf, Envelope(Field(1, meta) + "\x12\x10short"));
  EXPECT_EQ(r.status.message(), "protobuf: a field of 16 bytes is longer than the 5 bytes left in the list at byte 45");
}

TEST(CountersTest, YamlByHand) {
  const std::string good =
      "apiVersion: v1\n"
      "items:\n"
      "- a: 1\n"
      "  b:\n"
      "  - x\n"
      "- |2\n"
      "    x\n"
      "\n"
      "  y\n"
      "- {}\n"
      "kind: List\n"
      "metadata:\n"
      "  continue: \"abc\"\n"
      "  resourceVersion: \"5\"\n";
  ExpectCountEverySplit(ListFormat::kYaml, good, 3, "abc", "hand-made yaml");
  ExpectCountEverySplit(ListFormat::kYaml, "apiVersion: v1\nitems: []\nkind: List\nmetadata: {}\n", 0, "", "empty");

  const char* bad[] = {
      "",
      "apiVersion: v1\nkind: List\nmetadata: {}\n",                        // no items
      "apiVersion: v1\nitems: 5\nkind: List\nmetadata: {}\n",              // items not a sequence
      "apiVersion: v1\n- a\nitems: []\nkind: List\nmetadata: {}\n",        // an entry outside a sequence
      "items:\n- a\nkind: List\n- b\nmetadata: {}\n",                       // an entry after kind
      "items: []\nitems: []\nkind: List\nmetadata: {}\n",                   // two items keys
      "items:\n- a\nkind: List\nmetadata: {}",                              // no final line break
      "items:\n- a\n",                                                      // cut after the items
      "---\nitems: []\nkind: List\nmetadata: {}\n",                         // document marker
      "items: []\nnot a key\nkind: List\nmetadata: {}\n",                   // not a key
  };
  for (const char* b : bad) {
    Counted r = Count(ListFormat::kYaml, b);
    EXPECT_FALSE(r.status.ok()) << b;
  }
}

TEST(CountersTest, ErrorsAreFinal) {
  auto c = MakeJsonCounter();
  EXPECT_FALSE(c->Feed("[").ok());
  EXPECT_FALSE(c->Feed(R"({"items":[]})").ok());
  EXPECT_FALSE(c->Finish().ok());
}

TEST(CountersTest, FormatNames) {
  for (ListFormat f : {ListFormat::kJson, ListFormat::kProtobuf, ListFormat::kTable, ListFormat::kYaml}) {
    auto back = ParseListFormat(ListFormatName(f));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, f);
  }
  EXPECT_FALSE(ParseListFormat("xml").ok());
  EXPECT_EQ(AcceptHeader(ListFormat::kTable), "application/json;as=Table;v=v1;g=meta.k8s.io");
  EXPECT_EQ(ExpectedMediaType(ListFormat::kTable), "application/json");
  EXPECT_EQ(ExpectedMediaType(ListFormat::kProtobuf), "application/vnd.kubernetes.protobuf");
}

// --- gzip ----------------------------------------------------------------------------

std::string Gzip(std::string_view in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Result<std::string> Inflate(const std::vector<std::string_view>& pieces) {
  GzipInflater gz;
  std::string out;
  for (auto p : pieces) {
    KS_RETURN_IF_ERROR(gz.Feed(p, [&](std::string_view d) {
      out.append(d);
      return Status::Ok();
    }));
  }
  KS_RETURN_IF_ERROR(gz.Finish());
  return out;
}

TEST(CountersTest, GzipInflatesAcrossSplits) {
  std::mt19937_64 rng(1);
  std::string plain;
  for (int i = 0; i < 3000; ++i) plain += NastyString(rng);
  plain += std::string(600000, 'z');  // more than one output buffer per input byte run
  const std::string gz = Gzip(plain);
  auto whole = Inflate({gz});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(*whole, plain);
  for (size_t k = 0; k <= gz.size(); k += 1 + gz.size() / 300) {
    auto r = Inflate({std::string_view(gz).substr(0, k), std::string_view(gz).substr(k)});
    ASSERT_TRUE(r.ok()) << k;
    ASSERT_EQ(*r, plain);
  }
  // Truncated, corrupted, or followed by junk: errors.
  EXPECT_FALSE(Inflate({std::string_view(gz).substr(0, gz.size() - 1)}).ok());
  EXPECT_FALSE(Inflate({std::string_view(gz).substr(0, gz.size() / 2)}).ok());
  std::string corrupt = gz;
  corrupt[gz.size() - 6] ^= 0x55;  // the CRC
  EXPECT_FALSE(Inflate({corrupt}).ok());
  EXPECT_FALSE(Inflate({gz + "x"}).ok());
  EXPECT_FALSE(Inflate({gz, "x"}).ok());
  EXPECT_FALSE(Inflate({"not gzip at all"}).ok());
}

}  // namespace
}  // namespace kstream::bench
