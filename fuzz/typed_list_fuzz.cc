// Fuzz target: the streaming typed-list encoders (JSON compact and indented, protobuf)
// write exactly the bytes of the generated *List struct encoded in one go, for any list
// metadata, items, kind and batch size; and the protobuf list decodes back to the same
// list.
//
// Input layout: [kind byte][batch byte] then pieces separated by 0x1e. The first piece is
// the list metadata (ListMeta JSON), the others are items (JSON of the chosen kind). A
// piece that does not decode is skipped (decoding is not what this target tests; the
// json_parse target and the fixture tests cover it).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/k8s/apiextensions/v1/types.h"
#include "api/k8s/apps/v1/types.h"
#include "api/k8s/core/v1/types.h"
#include "api/typed/scheme.h"
#include "collection/typed_list.h"
#include "encoding/sink.h"
#include "fuzz_input.h"

namespace {

using kstream::collection::ItemSource;
using kstream::collection::TypedListHeader;
using kstream::encoding::json::Style;
using kstream::typed::Object;
namespace typed = kstream::typed;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "typed_list_fuzz: %s\n", what);
    abort();
  }
}

class ObjectSource final : public ItemSource<Object> {
 public:
  explicit ObjectSource(const std::vector<std::unique_ptr<Object>>* items) : items_(items) {}
  kstream::Result<const Object*> Next() override {
    if (next_ >= items_->size()) return static_cast<const Object*>(nullptr);
    return (*items_)[next_++].get();
  }
  kstream::Status Rewind() override {
    next_ = 0;
    return kstream::Status::Ok();
  }

 private:
  const std::vector<std::unique_ptr<Object>>* items_;
  size_t next_ = 0;
};

template <class Encoder>
std::string Stream(Encoder& enc, size_t batch) {
  kstream::encoding::BufferSink out;
  kstream::encoding::BatchSink batcher(&out, batch);
  Check(enc.EncodeAll(&batcher).ok(), "streaming encoding failed");
  Check(batcher.Close().ok(), "close failed");
  return out.Take();
}

template <class List>
void Run(std::string_view api_version, std::string_view list_kind, kstream::fuzz::FuzzInput& in) {
  using Item = typename std::remove_reference_t<decltype(std::declval<List>().Items)>::value_type;
  static constexpr size_t kBatches[] = {1, 2, 3, 5, 16, 100, 4096, 65536};
  const size_t batch = kBatches[in.Byte() % 8];
  const typed::Scheme& scheme = typed::Scheme::Default();
  const typed::KindEntry* list_entry = scheme.Find(api_version, list_kind);
  Check(list_entry != nullptr, "list kind not registered");
  const typed::KindEntry* item_entry = scheme.Find(api_version, list_entry->item_kind);
  Check(item_entry != nullptr, "item kind not registered");

  TypedListHeader header;
  header.api_version = std::string(api_version);
  header.kind = std::string(list_kind);
  if (auto meta = kstream::api::ParseJson(in.Piece('\x1e')); meta.ok()) {
    kstream::typed::DecodeContext ctx;
    kstream::k8s::meta::v1::ListMeta m;
    if (kstream::k8s::meta::v1::DecodeJson(*meta, &m, ctx).ok()) header.metadata = m;
  }
  std::vector<std::unique_ptr<Object>> items;
  while (!in.empty()) {
    auto v = kstream::api::ParseJson(in.Piece('\x1e'));
    if (!v.ok()) continue;
    auto obj = typed::DecodeObjectAs(*item_entry, *v);
    if (!obj.ok()) continue;
    if (auto* tm = (*obj)->type_meta()) *tm = {};
    items.push_back(std::move(obj).value());
  }

  // The reference: the generated list struct, encoded in one go.
  auto list_obj = list_entry->New();
  List* list = list_obj->As<List>();
  Check(list != nullptr, "list type mismatch");
  list->ListMeta = header.metadata;
  list->Items.set_non_nil();
  for (const auto& it : items) list->Items.push_back(*it->As<Item>());
  std::string want_json, want_indent, want_pb;
  Check(typed::AppendObjectJson(*list_obj, &want_json, Style::kCompact).ok(), "one-shot JSON failed");
  want_json.push_back('\n');
  Check(typed::AppendObjectJson(*list_obj, &want_indent, Style::kIndent).ok(), "one-shot indent failed");
  Check(typed::AppendObjectProtobuf(*list_obj, &want_pb).ok(), "one-shot protobuf failed");

  ObjectSource s1(&items);
  kstream::collection::TypedListJsonEncoder json_enc(&header, &s1);
  Check(Stream(json_enc, batch) == want_json, "streaming JSON differs from one-shot JSON");
  ObjectSource s2(&items);
  kstream::collection::TypedListJsonEncoder indent_enc(&header, &s2, Style::kIndent);
  Check(Stream(indent_enc, batch) == want_indent, "streaming indented JSON differs from one-shot");
  ObjectSource s3(&items);
  kstream::collection::TypedListProtobufEncoder pb_enc(&header, &s3);
  std::string got_pb = Stream(pb_enc, batch);
  Check(got_pb == want_pb, "streaming protobuf differs from one-shot protobuf");

  // The protobuf list decodes to the same list, and re-encodes to the same bytes.
  auto back = typed::DecodeObjectProtobuf(scheme, got_pb);
  Check(back.ok(), "protobuf list does not decode");
  Check((*back)->As<List>() != nullptr && (*back)->As<List>()->Items.size() == items.size(),
        "protobuf list lost items");
  std::string again;
  Check(typed::AppendObjectProtobuf(**back, &again).ok() && again == got_pb,
        "protobuf list does not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kstream::fuzz::FuzzInput in(data, size);
  namespace core = kstream::k8s::core::v1;
  switch (in.Byte() % 5) {
    case 0: Run<core::ConfigMapList>("v1", "ConfigMapList", in); break;
    case 1: Run<core::PodList>("v1", "PodList", in); break;
    case 2: Run<core::SecretList>("v1", "SecretList", in); break;
    case 3: Run<kstream::k8s::apps::v1::DeploymentList>("apps/v1", "DeploymentList", in); break;
    default:
      Run<kstream::k8s::apiextensions::v1::CustomResourceDefinitionList>(
          "apiextensions.k8s.io/v1", "CustomResourceDefinitionList", in);
      break;
  }
  return 0;
}
