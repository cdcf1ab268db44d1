// Fuzz target: the streaming unstructured-list JSON encoder writes exactly the bytes of
// the one-shot encoding, for any header, items, style and batch size.
//
// Input layout: [style byte][batch byte] then pieces separated by 0x1e. The first piece is
// the header, the others are items. A piece that parses as JSON is used as parsed;
// otherwise its raw bytes become a string item (so invalid UTF-8 and control bytes reach
// the string escaper).
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "api/json.h"
#include "collection/unstructured_json.h"
#include "encoding/sink.h"
#include "fuzz_input.h"

using kstream::api::Value;

namespace {

Value PieceToValue(std::string_view piece) {
  auto parsed = kstream::api::ParseJson(piece);
  if (parsed.ok()) return std::move(parsed).value();
  return Value(piece);
}

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "list_encoder_fuzz: %s\n", what);
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kstream::fuzz::FuzzInput in(data, size);
  auto style = (in.Byte() & 1) ? kstream::encoding::json::Style::kIndent
                               : kstream::encoding::json::Style::kCompact;
  static constexpr size_t kBatches[] = {1, 2, 3, 5, 16, 100, 4096, 65536};
  size_t batch = kBatches[in.Byte() % 8];

  Value header = PieceToValue(in.Piece('\x1e'));
  if (!header.is_object()) {
    Value wrapped = Value::EmptyObject();
    wrapped.Set("kind", std::move(header));
    header = std::move(wrapped);
  }
  std::vector<Value> items;
  while (!in.empty()) items.push_back(PieceToValue(in.Piece('\x1e')));

  auto want = kstream::collection::EncodeUnstructuredListOneShot(header, items, style);
  Check(want.ok(), "one-shot encoding failed on parsed input");

  kstream::collection::VectorItemSource<Value> source(&items);
  kstream::collection::UnstructuredListJsonEncoder enc(&header, &source, style);
  kstream::encoding::BufferSink out;
  kstream::encoding::BatchSink batcher(&out, batch);
  Check(enc.EncodeAll(&batcher).ok(), "streaming encoding failed");
  Check(batcher.Close().ok(), "close failed");
  Check(out.data() == *want, "streaming output differs from one-shot output");
  Check(enc.items_written() == items.size(), "item count differs");

  // The output is valid JSON whose items round-trip.
  auto reparsed = kstream::api::ParseJson(out.data());
  Check(reparsed.ok(), "output is not valid JSON");
  const Value* got_items = reparsed->Find("items");
  Check(got_items != nullptr && got_items->is_array() && got_items->as_array().size() == items.size(),
        "items missing after reparse");
  return 0;
}
