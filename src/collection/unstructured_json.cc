#include "collection/unstructured_json.h"

#include "api/json.h"

namespace kstream::collection {
namespace ej = encoding::json;

namespace {
constexpr std::string_view kItemsKey = "items";
}  // namespace

UnstructuredListJsonEncoder::UnstructuredListJsonEncoder(const api::Value* header,
                                                         ItemSource<api::Value>* items,
                                                         ej::Style style)
    : header_(header), items_(items), style_(style) {}

UnstructuredListJsonEncoder::UnstructuredListJsonEncoder(const api::Value* header,
                                                         ItemSource<typed::Object>* items,
                                                         ej::Style style)
    : header_(header), typed_items_(items), style_(style) {}

Status UnstructuredListJsonEncoder::AppendHeaderMembers(bool before_items, bool* first) {
  const bool indent = style_ == ej::Style::kIndent;
  for (const api::Member& m : header_->as_object()) {
    if (m.key == kItemsKey) continue;  // the list's items always win
    if ((m.key < kItemsKey) != before_items) continue;
    if (!*first) buf_.push_back(',');
    *first = false;
    if (indent) ej::AppendNewlineIndent(&buf_, 1);
    ej::AppendString(&buf_, m.key);
    buf_.append(indent ? ": " : ":");
    KS_RETURN_IF_ERROR(api::AppendJson(m.value, &buf_, style_, 1));
  }
  return Status::Ok();
}

Status UnstructuredListJsonEncoder::EncodePiece(State* next_state) {
  const bool indent = style_ == ej::Style::kIndent;
  if (state_ == State::kStart) {
    buf_.push_back('{');
    bool first = true;
    KS_RETURN_IF_ERROR(AppendHeaderMembers(/*before_items=*/true, &first));
    if (!first) buf_.push_back(',');
    if (indent) ej::AppendNewlineIndent(&buf_, 1);
    buf_.append(indent ? "\"items\": [" : "\"items\":[");
    *next_state = State::kItems;
    return Status::Ok();
  }
  // kItems
  if (typed_items_ != nullptr) {
    KS_ASSIGN_OR_RETURN(const typed::Object* obj, typed_items_->Next());
    if (obj != nullptr) {
      if (items_written_ > 0) buf_.push_back(',');
      if (indent) ej::AppendNewlineIndent(&buf_, 2);
      typed::JsonWriter jw(&buf_, style_, 2);
      obj->AppendJson(jw);
      KS_RETURN_IF_ERROR(jw.status());
      *next_state = State::kItems;
      return Status::Ok();
    }
  } else {
    KS_ASSIGN_OR_RETURN(const api::Value* item, items_->Next());
    if (item != nullptr) {
      if (items_written_ > 0) buf_.push_back(',');
      if (indent) ej::AppendNewlineIndent(&buf_, 2);
      KS_RETURN_IF_ERROR(api::AppendJson(*item, &buf_, style_, 2));
      *next_state = State::kItems;
      return Status::Ok();
    }
  }
  if (indent && items_written_ > 0) ej::AppendNewlineIndent(&buf_, 1);
  buf_.push_back(']');
  bool first = false;  // "items" came before
  KS_RETURN_IF_ERROR(AppendHeaderMembers(/*before_items=*/false, &first));
  buf_.append(indent ? "\n}" : "}\n");
  *next_state = State::kDone;
  return Status::Ok();
}

Result<std::string> EncodeUnstructuredListOneShot(const api::Value& header,
                                                  const std::vector<api::Value>& items,
                                                  ej::Style style) {
  api::Value list = header;
  list.Set(kItemsKey, api::Value(items));
  std::string out;
  KS_RETURN_IF_ERROR(api::AppendJson(list, &out, style));
  if (style == ej::Style::kCompact) out.push_back('\n');
  return out;
}

}  // namespace kstream::collection
