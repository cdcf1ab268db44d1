#include "collection/stored_proto.h"


#include "encoding/protobuf/wire.h"

namespace kstream::collection {

namespace pb = encoding::protobuf;

namespace {

// Reads a minimally encoded varint at `*pos`; false when malformed, overlong or truncated.
bool ReadCanonicalVarint(std::string_view s, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  size_t p = *pos;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= s.size()) return false;
    uint8_t b = static_cast<uint8_t>(s[p++]);
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (b < 0x80) {
      if (pb::VarintSize(result) != p - *pos) return false;
      *pos = p;
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace

size_t StoredProtoItem::Size() const {
  return raw.size() - (meta_len_end - meta_len_begin) + pb::VarintSize(meta_len + rv.size()) + rv.size();
}

void StoredProtoItem::AppendTo(std::string* out) const {
  out->reserve(out->size() + Size());
  out->append(raw.data(), meta_len_begin);
  char len_bytes[10];
  size_t n = 0;
  for (uint64_t len = meta_len + rv.size();; len >>= 7) {
    if (len < 0x80) {
      len_bytes[n++] = static_cast<char>(len);
      break;
    }
    len_bytes[n++] = static_cast<char>(len | 0x80);
  }
  out->append(len_bytes, n);
  out->append(raw.data() + meta_len_end, rv_len_at - meta_len_end);
  out->push_back(static_cast<char>(rv.size()));
  out->append(rv);
  out->append(raw.data() + rv_len_at + 1, raw.size() - rv_len_at - 1);
}

bool ParseStoredProto(std::string_view stored, std::string_view api_version, std::string_view kind,
                      StoredProtoItem* out) {
  auto env = pb::ParseEnvelope(stored);
  if (!env.ok() || !env->has_raw || env->api_version != api_version || env->kind != kind ||
      !env->content_encoding.empty() || !env->content_type.empty()) {
    return false;
  }
  std::string_view raw = env->raw;
  // ObjectMeta first: key 0x0a (field 1, bytes), then its length.
  if (raw.empty() || raw[0] != 0x0a) return false;
  size_t pos = 1;
  uint64_t meta_len;
  if (!ReadCanonicalVarint(raw, &pos, &meta_len)) return false;
  const size_t meta_begin = pos;
  if (meta_len > raw.size() - meta_begin) return false;
  const size_t meta_end = meta_begin + meta_len;
  // Fields 1..5 (strings), each at most once and in order, then resourceVersion, empty.
  uint32_t last = 0;
  size_t p = meta_begin;
  while (p < meta_end) {
    uint64_t key;
    if (!ReadCanonicalVarint(std::string_view(raw.data(), meta_end), &p, &key)) return false;
    uint64_t field = key >> 3;
    if ((key & 7) != 2 || field <= last || field > 6) return false;
    if (field == 6) {
      if (p >= meta_end || raw[p] != 0) return false;
      out->raw = raw;
      out->meta_len_begin = 1;
      out->meta_len_end = meta_begin;
      out->meta_len = meta_len;
      out->rv_len_at = p;
      return true;
    }
    last = static_cast<uint32_t>(field);
    uint64_t len;
    if (!ReadCanonicalVarint(std::string_view(raw.data(), meta_end), &p, &len)) return false;
    if (len > meta_end - p) return false;
    p += len;
  }
  return false;
}

}  // namespace kstream::collection
