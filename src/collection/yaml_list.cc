#include "collection/yaml_list.h"

#include <algorithm>
#include <utility>

#include "api/json.h"
#include "api/typed/codec.h"
#include "api/yaml.h"
#include "encoding/json/encode.h"
#include "encoding/yaml/json_readback.h"
#include "encoding/yaml/key_order.h"

namespace kstream::collection {

namespace ey = encoding::yaml;

// ---------------------------------------------------------------------------------------
// Typed items and headers

Result<const api::Value*> TypedItemValueSource::Next() {
  KS_ASSIGN_OR_RETURN(const typed::Object* obj, items_->Next());
  if (obj == nullptr) return static_cast<const api::Value*>(nullptr);
  json_.clear();
  typed::JsonWriter w(&json_, encoding::json::Style::kCompact);
  obj->AppendJson(w);
  KS_RETURN_IF_ERROR(w.status());
  KS_ASSIGN_OR_RETURN(value_, api::ParseJson(json_));
  return static_cast<const api::Value*>(&value_);
}

Result<api::Value> TypedListYamlHeader(const TypedListHeader& header) {
  std::string json;
  typed::JsonWriter w(&json, encoding::json::Style::kCompact);
  w.BeginObject();
  if (!header.kind.empty()) {
    w.Key("\"kind\"");
    w.String(header.kind);
  }
  if (!header.api_version.empty()) {
    w.Key("\"apiVersion\"");
    w.String(header.api_version);
  }
  w.Key("\"metadata\"");
  using k8s::meta::v1::AppendJson;
  AppendJson(w, header.metadata);
  w.EndObject();
  KS_RETURN_IF_ERROR(w.status());
  return api::ParseJson(json);
}

// ---------------------------------------------------------------------------------------
// Encoder

YamlListEncoder::YamlListEncoder(api::Value header, std::string sequence_key,
                                 ItemSource<api::Value>* items)
    : header_(std::move(header)),
      sequence_key_(std::move(sequence_key)),
      items_(items),
      emitter_(&buf_) {}

YamlListEncoder::YamlListEncoder(api::Value header, std::string sequence_key,
                                 ItemSource<typed::Object>* items)
    : header_(std::move(header)),
      sequence_key_(std::move(sequence_key)),
      typed_items_(std::make_unique<TypedItemValueSource>(items)),
      items_(typed_items_.get()),
      emitter_(&buf_) {}

Result<std::unique_ptr<YamlListEncoder>> YamlListEncoder::ForTypedList(
    const TypedListHeader& header, ItemSource<typed::Object>* items) {
  KS_ASSIGN_OR_RETURN(api::Value h, TypedListYamlHeader(header));
  return std::make_unique<YamlListEncoder>(std::move(h), "items", items);
}

Status YamlListEncoder::PrepareKeys() {
  if (!header_.is_object() && !header_.is_null()) {
    return InvalidArgument("the header of a YAML list must be a mapping");
  }
  // The document's members in bytewise order (as the whole document Value holds them):
  // the header's, with the sequence key in its place (replacing a header member of that
  // name).
  struct Entry {
    std::string_view key;
    const api::Value* value;  // nullptr: the sequence
  };
  std::vector<Entry> entries;
  bool placed = false;
  if (header_.is_object()) {
    for (const api::Member& m : header_.as_object()) {
      if (!placed && m.key >= sequence_key_) {
        entries.push_back(Entry{sequence_key_, nullptr});
        placed = true;
        if (m.key == sequence_key_) continue;
      }
      entries.push_back(Entry{m.key, &m.value});
    }
  }
  if (!placed) entries.push_back(Entry{sequence_key_, nullptr});

  // Keys as go-yaml reads them back from the JSON text.
  std::vector<std::string> storage(entries.size());
  std::vector<std::string_view> keys(entries.size());
  bool changed = false;
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string tmp;
    std::string_view k;
    KS_RETURN_IF_ERROR(ey::ReadBackJsonString(entries[i].key, ey::StringRole::kMapKey, &tmp, &k));
    if (k.data() != entries[i].key.data()) {
      changed = true;
      storage[i] = std::move(tmp);
      keys[i] = storage[i];
    } else {
      keys[i] = k;
    }
  }
  std::vector<uint32_t> order;
  if (!changed) {
    for (uint32_t i = 0; i < entries.size(); ++i) order.push_back(i);
  } else {
    // Keys that read back equal are one YAML key: go-yaml keeps the last in the JSON text
    // (bytewise order of the originals). The sequence key, if one of them, always stays.
    std::vector<uint32_t> by_key(entries.size());
    for (uint32_t i = 0; i < entries.size(); ++i) by_key[i] = i;
    std::stable_sort(by_key.begin(), by_key.end(),
                     [&keys](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
    for (size_t k = 0; k < by_key.size();) {
      size_t end = k + 1;
      while (end < by_key.size() && keys[by_key[end]] == keys[by_key[k]]) ++end;
      uint32_t keep = by_key[end - 1];
      for (size_t j = k; j < end; ++j) {
        if (entries[by_key[j]].value == nullptr) keep = by_key[j];
      }
      order.push_back(keep);
      k = end;
    }
    std::sort(order.begin(), order.end());
  }
  ey::SortKeyIndexes(keys, &order);

  keys_.clear();
  values_.clear();
  for (uint32_t idx : order) {
    if (entries[idx].value == nullptr) sequence_index_ = keys_.size();
    keys_.emplace_back(keys[idx]);
    values_.push_back(entries[idx].value);
  }
  return Status::Ok();
}

Status YamlListEncoder::EmitHeaderKeys(size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    emitter_.String(keys_[i]);
    KS_RETURN_IF_ERROR(api::EmitYamlNode(*values_[i], &emitter_));
  }
  return Status::Ok();
}

Status YamlListEncoder::EncodePiece(State* next) {
  if (state_ == State::kStart) {
    KS_RETURN_IF_ERROR(PrepareKeys());
    emitter_.BeginMapping(false);
    KS_RETURN_IF_ERROR(EmitHeaderKeys(0, sequence_index_));
    emitter_.String(keys_[sequence_index_]);
    // Whether the sequence is empty decides its form (`[]`): look at the first item now.
    KS_ASSIGN_OR_RETURN(pending_, items_->Next());
    emitter_.BeginSequence(pending_ == nullptr);
    *next = State::kItems;
    return Status::Ok();
  }
  const api::Value* item = pending_;
  if (item != nullptr) {
    pending_ = nullptr;
  } else if (items_written_ > 0) {
    KS_ASSIGN_OR_RETURN(item, items_->Next());
  }
  if (item != nullptr) {
    KS_RETURN_IF_ERROR(api::EmitYamlNode(*item, &emitter_));
    *next = State::kItems;
    return Status::Ok();
  }
  emitter_.EndSequence();
  KS_RETURN_IF_ERROR(EmitHeaderKeys(sequence_index_ + 1, keys_.size()));
  emitter_.EndMapping();
  emitter_.EndDocument();
  *next = State::kDone;
  return Status::Ok();
}

}  // namespace kstream::collection
