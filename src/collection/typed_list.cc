#include "collection/typed_list.h"

#include "encoding/protobuf/wire.h"

namespace kstream::collection {

namespace ej = encoding::json;
namespace pb = encoding::protobuf;

// ---------------------------------------------------------------------------------------
// JSON

TypedListJsonEncoder::TypedListJsonEncoder(const TypedListHeader* header,
                                           ItemSource<typed::Object>* items, ej::Style style)
    : header_(header), items_(items), style_(style) {}

Status TypedListJsonEncoder::EncodePiece(State* next) {
  if (state_ == State::kStart) {
    typed::JsonWriter w(&buf_, style_);
    w.BeginObject();
    if (!header_->kind.empty()) {
      w.Key("\"kind\"");
      w.String(header_->kind);
    }
    if (!header_->api_version.empty()) {
      w.Key("\"apiVersion\"");
      w.String(header_->api_version);
    }
    w.Key("\"metadata\"");
    using k8s::meta::v1::AppendJson;
    AppendJson(w, header_->metadata);
    w.Key("\"items\"");
    KS_RETURN_IF_ERROR(w.status());
    buf_.push_back('[');
    *next = State::kItems;
    return Status::Ok();
  }
  KS_ASSIGN_OR_RETURN(const typed::Object* item, items_->Next());
  const bool indent = style_ == ej::Style::kIndent;
  if (item != nullptr) {
    if (items_written_ > 0) buf_.push_back(',');
    if (indent) ej::AppendNewlineIndent(&buf_, 2);
    typed::JsonWriter w(&buf_, style_, 2);
    item->AppendJson(w);
    KS_RETURN_IF_ERROR(w.status());
    *next = State::kItems;
    return Status::Ok();
  }
  if (indent && items_written_ > 0) ej::AppendNewlineIndent(&buf_, 1);
  buf_.append(indent ? "]\n}" : "]}\n");
  *next = State::kDone;
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Protobuf

TypedListProtobufEncoder::TypedListProtobufEncoder(const TypedListHeader* header,
                                                   ItemSource<typed::Object>* items)
    : header_(header), items_(items), stored_source_(dynamic_cast<StoredProtoSource*>(items)) {}

TypedListProtobufEncoder::TypedListProtobufEncoder(const TypedListHeader* header, ItemSource<typed::Object>* items,
                                                   ListSizeCache* size_cache, std::string snapshot_key)
    : TypedListProtobufEncoder(header, items) {
  size_cache_ = size_cache;
  snapshot_key_ = std::move(snapshot_key);
}

Status TypedListProtobufEncoder::NextItem(const StoredProtoItem** stored, const typed::Object** object) {
  if (stored_source_ != nullptr) return stored_source_->NextStoredProto(stored, object);
  *stored = nullptr;
  KS_ASSIGN_OR_RETURN(*object, items_->Next());
  return Status::Ok();
}

Status TypedListProtobufEncoder::ComputeSizes() {
  using k8s::meta::v1::ProtoSize;
  auto walk = [this]() -> Result<ListSizeCache::Sizes> {
    ListSizeCache::Sizes sizes;
    item_sizes_.clear();
    while (true) {
      const StoredProtoItem* stored;
      const typed::Object* item;
      KS_RETURN_IF_ERROR(NextItem(&stored, &item));
      if (stored == nullptr && item == nullptr) break;
      size_t n = stored != nullptr ? stored->Size() : item->ProtoSize();
      if (n > UINT32_MAX) return ResourceExhausted("a list item is larger than 4 GiB");
      item_sizes_.push_back(static_cast<uint32_t>(n));
      ++sizes.items;
      sizes.items_bytes += pb::BytesFieldSize(2, n);
    }
    KS_RETURN_IF_ERROR(items_->Rewind());
    return sizes;
  };
  ListSizeCache::Sizes sizes;
  if (size_cache_ != nullptr && !snapshot_key_.empty()) {
    KS_ASSIGN_OR_RETURN(sizes, size_cache_->GetOrCompute(snapshot_key_, walk));
  } else {
    KS_ASSIGN_OR_RETURN(sizes, walk());
  }
  expected_items_ = sizes.items;
  raw_size_ = pb::BytesFieldSize(1, ProtoSize(header_->metadata)) + sizes.items_bytes;
  return Status::Ok();
}

Status TypedListProtobufEncoder::EncodePiece(State* next) {
  if (state_ == State::kStart) {
    KS_RETURN_IF_ERROR(ComputeSizes());
    pb::AppendEnvelopeHeader(&buf_, header_->api_version, header_->kind, raw_size_);
    using k8s::meta::v1::ProtoSize;
    using k8s::meta::v1::ProtoWrite;
    size_t meta_size = ProtoSize(header_->metadata);
    size_t start = buf_.size();
    pb::AppendKey(&buf_, 1, pb::WireType::kBytes);
    pb::AppendVarint(&buf_, meta_size);
    buf_.resize(buf_.size() + meta_size);
    ProtoWrite(header_->metadata, reinterpret_cast<uint8_t*>(buf_.data()) + buf_.size());
    raw_written_ = buf_.size() - start;
    *next = State::kItems;
    return Status::Ok();
  }
  const StoredProtoItem* stored;
  const typed::Object* item;
  KS_RETURN_IF_ERROR(NextItem(&stored, &item));
  if (stored != nullptr || item != nullptr) {
    if (items_written_ >= expected_items_) {
      return Internal("the list grew between the size pass and the write pass");
    }
    // Sizes from a size pass that ran here are checked item by item; with sizes another
    // list computed, the total is checked at the end.
    size_t n = !item_sizes_.empty() ? item_sizes_[items_written_]
               : stored != nullptr  ? stored->Size()
                                    : item->ProtoSize();
    pb::AppendKey(&buf_, 2, pb::WireType::kBytes);
    pb::AppendVarint(&buf_, n);
    size_t body = buf_.size();
    bool same_size;
    if (stored != nullptr) {
      same_size = stored->Size() == n;
      if (same_size) stored->AppendTo(&buf_);
    } else {
      buf_.resize(body + n);
      uint8_t* end = reinterpret_cast<uint8_t*>(buf_.data()) + buf_.size();
      same_size = item->ProtoWrite(end) == reinterpret_cast<uint8_t*>(buf_.data()) + body;
    }
    if (!same_size) return Internal("a list item changed size between the size pass and the write pass");
    raw_written_ += buf_.size();
    *next = State::kItems;
    return Status::Ok();
  }
  if (raw_written_ != raw_size_) {
    return Internal("the size value was " + std::to_string(raw_size_) + ", but encoding wrote " +
                    std::to_string(raw_written_) + " bytes to data");
  }
  pb::AppendEnvelopeTrailer(&buf_);
  *next = State::kDone;
  return Status::Ok();
}

}  // namespace kstream::collection
