#include "encoding/protobuf/wire.h"

namespace kstream::encoding::protobuf {

namespace {

Status UnexpectedEof() { return InvalidArgument("unexpected EOF"); }

}  // namespace

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void AppendKey(std::string* out, uint32_t field, WireType wt) {
  AppendVarint(out, (uint64_t{field} << 3) | static_cast<uint8_t>(wt));
}

void AppendBytesField(std::string* out, uint32_t field, std::string_view bytes) {
  AppendKey(out, field, WireType::kBytes);
  AppendVarint(out, bytes.size());
  out->append(bytes);
}

Status Reader::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ >= end_) return UnexpectedEof();
    uint8_t b = *p_++;
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (b < 0x80) {
      *v = result;
      return Status::Ok();
    }
  }
  return InvalidArgument("proto: integer overflow");
}

Status Reader::Next(uint32_t* field, WireType* wt) {
  uint64_t key;
  KS_RETURN_IF_ERROR(ReadVarint(&key));
  uint64_t number = key >> 3;
  uint8_t type = static_cast<uint8_t>(key & 7);
  if (type == 4) return InvalidArgument("proto: wiretype end group for non-group");
  if (number == 0 || number > 0x1FFFFFFF) {
    return InvalidArgument("proto: illegal tag " + std::to_string(static_cast<int64_t>(number)) +
                           " (wire type " + std::to_string(type) + ")");
  }
  if (type > 5) return InvalidArgument("proto: illegal wireType " + std::to_string(type));
  *field = static_cast<uint32_t>(number);
  *wt = static_cast<WireType>(type);
  return Status::Ok();
}

Status Reader::ReadFixed64(uint64_t* v) {
  if (end_ - p_ < 8) return UnexpectedEof();
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r |= uint64_t{p_[i]} << (8 * i);
  p_ += 8;
  *v = r;
  return Status::Ok();
}

Status Reader::ReadFixed32(uint32_t* v) {
  if (end_ - p_ < 4) return UnexpectedEof();
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r |= uint32_t{p_[i]} << (8 * i);
  p_ += 4;
  *v = r;
  return Status::Ok();
}

Status Reader::ReadBytes(std::string_view* v) {
  uint64_t len;
  KS_RETURN_IF_ERROR(ReadVarint(&len));
  if (static_cast<int64_t>(len) < 0) {
    return InvalidArgument("proto: negative length found during unmarshaling");
  }
  if (len > static_cast<uint64_t>(end_ - p_)) return UnexpectedEof();
  *v = std::string_view(reinterpret_cast<const char*>(p_), len);
  p_ += len;
  return Status::Ok();
}

Status Reader::Skip(WireType wt) {
  switch (wt) {
    case WireType::kVarint: {
      uint64_t v;
      return ReadVarint(&v);
    }
    case WireType::kFixed64: {
      uint64_t v;
      return ReadFixed64(&v);
    }
    case WireType::kFixed32: {
      uint32_t v;
      return ReadFixed32(&v);
    }
    case WireType::kBytes: {
      std::string_view v;
      return ReadBytes(&v);
    }
    case WireType::kStartGroup: {
      // Skip nested fields until the matching end-group key (gogo's skipGenerated).
      int depth = 1;
      while (depth > 0) {
        uint64_t key;
        KS_RETURN_IF_ERROR(ReadVarint(&key));
        uint8_t type = static_cast<uint8_t>(key & 7);
        if (type == 3) {
          ++depth;
        } else if (type == 4) {
          --depth;
        } else if (type > 5) {
          return InvalidArgument("proto: illegal wireType " + std::to_string(type));
        } else {
          KS_RETURN_IF_ERROR(Skip(static_cast<WireType>(type)));
        }
      }
      return Status::Ok();
    }
    case WireType::kEndGroup:
      return InvalidArgument("proto: unexpected end group");
  }
  return InvalidArgument("proto: illegal wireType");
}

Status WrongWireType(WireType got, std::string_view field_name) {
  return InvalidArgument("proto: wrong wireType = " + std::to_string(static_cast<int>(got)) +
                         " for field " + std::string(field_name));
}

Result<Envelope> ParseEnvelope(std::string_view data) {
  if (data.size() < kMagic.size() || data.substr(0, kMagic.size()) != kMagic) {
    return InvalidArgument(
        "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  }
  Envelope env;
  Reader r(data.substr(kMagic.size()));
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    KS_RETURN_IF_ERROR(r.Next(&field, &wt));
    if (field >= 1 && field <= 4 && wt != WireType::kBytes) {
      static constexpr std::string_view kNames[] = {"", "TypeMeta", "Raw", "ContentEncoding",
                                                    "ContentType"};
      return WrongWireType(wt, kNames[field]);
    }
    std::string_view v;
    switch (field) {
      case 1: {
        KS_RETURN_IF_ERROR(r.ReadBytes(&v));
        Reader tm(v);
        while (!tm.done()) {
          uint32_t f;
          WireType t;
          KS_RETURN_IF_ERROR(tm.Next(&f, &t));
          if ((f == 1 || f == 2) && t != WireType::kBytes) {
            return WrongWireType(t, f == 1 ? "APIVersion" : "Kind");
          }
          if (f == 1) {
            KS_RETURN_IF_ERROR(tm.ReadBytes(&env.api_version));
          } else if (f == 2) {
            KS_RETURN_IF_ERROR(tm.ReadBytes(&env.kind));
          } else {
            KS_RETURN_IF_ERROR(tm.Skip(t));
          }
        }
        break;
      }
      case 2:
        KS_RETURN_IF_ERROR(r.ReadBytes(&env.raw));
        env.has_raw = true;
        break;
      case 3:
        KS_RETURN_IF_ERROR(r.ReadBytes(&env.content_encoding));
        break;
      case 4:
        KS_RETURN_IF_ERROR(r.ReadBytes(&env.content_type));
        break;
      default:
        KS_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return env;
}

void AppendEnvelopeHeader(std::string* out, std::string_view api_version, std::string_view kind,
                          size_t raw_size) {
  out->append(kMagic);
  size_t type_meta_size = BytesFieldSize(1, api_version.size()) + BytesFieldSize(2, kind.size());
  AppendKey(out, 1, WireType::kBytes);
  AppendVarint(out, type_meta_size);
  AppendBytesField(out, 1, api_version);
  AppendBytesField(out, 2, kind);
  AppendKey(out, 2, WireType::kBytes);
  AppendVarint(out, raw_size);
}

void AppendEnvelopeTrailer(std::string* out) { out->append("\x1a\x00\x22\x00", 4); }

}  // namespace kstream::encoding::protobuf
