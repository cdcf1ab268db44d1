#include "kstream_bench/http_parser.h"

#include <algorithm>
#include <cstring>

namespace kstream::bench {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Does a comma-separated header value contain `token` (case-insensitive)?
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view part = Trim(value.substr(0, comma));
    if (EqualsIgnoreCase(part, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

std::string Url::Origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "https://" : "http://") + h + ":" + port;
}

std::string Url::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if ((tls && port == "443") || (!tls && port == "80")) return h;
  return h + ":" + port;
}

Result<Url> ParseUrl(std::string_view s) {
  Url u;
  if (s.substr(0, 7) == "http://") {
    s.remove_prefix(7);
  } else if (s.substr(0, 8) == "https://") {
    u.tls = true;
    s.remove_prefix(8);
  } else {
    return InvalidArgument("URL \"" + std::string(s) + "\" must start with http:// or https://");
  }
  size_t slash = s.find('/');
  std::string_view authority = s.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view("/") : s.substr(slash);
  if (authority.find('@') != std::string_view::npos) return InvalidArgument("URL user info is not supported");
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("URL: unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return InvalidArgument("URL: junk after the IPv6 address");
      port = rest.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  if (host.empty()) return InvalidArgument("URL has no host");
  uint64_t port_num = 0;
  if (!port.empty() && (!ParseDecimal(port, &port_num) || port_num == 0 || port_num > 65535)) {
    return InvalidArgument("URL: bad port \"" + std::string(port) + "\"");
  }
  size_t hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  u.host = std::string(host);
  u.port = port.empty() ? (u.tls ? "443" : "80") : std::string(port);
  u.target = target.empty() ? "/" : std::string(target);
  return u;
}

std::string QueryEscape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string_view ResponseHead::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

bool ResponseHead::HasHeader(std::string_view name) const {
  for (const auto& h : headers) {
    if (EqualsIgnoreCase(h.first, name)) return true;
  }
  return false;
}

std::string MediaType(std::string_view content_type) {
  std::string_view t = Trim(content_type.substr(0, content_type.find(';')));
  std::string out;
  for (char c : t) {
    if (c != ' ' && c != '\t') out.push_back(Lower(c));
  }
  return out;
}

void ResponseParser::Reset() {
  state_ = State::kHead;
  line_.clear();
  head_ = {};
  chunked_ = false;
  close_ = false;
  remaining_ = 0;
  body_bytes_ = 0;
  chunks_ = 0;
}

Status ResponseParser::ParseHead() {
  // line_ holds the head without the final empty line; lines end with CRLF (bare LF
  // accepted).
  std::string_view h = line_;
  size_t eol = h.find('\n');
  std::string_view status_line = h.substr(0, eol);
  if (!status_line.empty() && status_line.back() == '\r') status_line.remove_suffix(1);
  if (status_line.substr(0, 9) != "HTTP/1.1 " && status_line.substr(0, 9) != "HTTP/1.0 ") {
    return InvalidArgument("HTTP: bad status line \"" + std::string(status_line.substr(0, 100)) + "\"");
  }
  const bool http10 = status_line[7] == '0';
  uint64_t code = 0;
  if (status_line.size() < 12 || !ParseDecimal(status_line.substr(9, 3), &code) || code < 100 ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return InvalidArgument("HTTP: bad status code in \"" + std::string(status_line.substr(0, 100)) + "\"");
  }
  head_.status = static_cast<int>(code);
  head_.reason = status_line.size() > 13 ? std::string(status_line.substr(13)) : "";
  h = eol == std::string_view::npos ? std::string_view() : h.substr(eol + 1);
  while (!h.empty()) {
    eol = h.find('\n');
    std::string_view line = h.substr(0, eol);
    h = eol == std::string_view::npos ? std::string_view() : h.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || line[0] == ' ' || line[0] == '\t') {
      return InvalidArgument("HTTP: bad header line \"" + std::string(line.substr(0, 100)) + "\"");
    }
    head_.headers.emplace_back(std::string(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1))));
  }
  if (head_.status < 200) return InvalidArgument("HTTP: unexpected informational response " + std::to_string(code));

  std::string_view te = head_.Header("Transfer-Encoding");
  std::string_view cl = head_.Header("Content-Length");
  close_ = HasToken(head_.Header("Connection"), "close") ||
           (http10 && !HasToken(head_.Header("Connection"), "keep-alive"));
  chunked_ = false;
  if (head_request_ || head_.status == 204 || head_.status == 304) {
    state_ = State::kDone;
  } else if (!te.empty()) {
    if (!EqualsIgnoreCase(Trim(te), "chunked")) {
      return InvalidArgument("HTTP: unsupported Transfer-Encoding \"" + std::string(te) + "\"");
    }
    chunked_ = true;
    state_ = State::kChunkSize;
  } else if (head_.HasHeader("Content-Length")) {
    if (!ParseDecimal(Trim(cl), &remaining_)) {
      return InvalidArgument("HTTP: bad Content-Length \"" + std::string(cl) + "\"");
    }
    state_ = remaining_ == 0 ? State::kDone : State::kLength;
  } else {
    close_ = true;
    state_ = State::kUntilClose;
  }
  line_.clear();
  return Status::Ok();
}

Result<size_t> ResponseParser::Feed(std::string_view data, const BodyFn& on_body) {
  size_t i = 0;
  const size_t n = data.size();
  while (i < n && state_ != State::kDone) {
    switch (state_) {
      case State::kHead: {
        // Look for the empty line that ends the head, across Feed() calls.
        const size_t old = line_.size();
        const size_t take = std::min(n - i, kMaxHead + 4 - std::min(kMaxHead + 4, old));
        line_.append(data.data() + i, take);
        size_t from = old >= 3 ? old - 3 : 0;
        size_t end = std::string::npos;
        size_t sep = 0;
        for (size_t k = from; k < line_.size(); ++k) {
          if (line_[k] != '\n') continue;
          if (k + 1 < line_.size() && line_[k + 1] == '\n') {
            end = k;
            sep = 2;
            break;
          }
          if (k + 2 < line_.size() && line_[k + 1] == '\r' && line_[k + 2] == '\n') {
            end = k;
            sep = 3;
            break;
          }
        }
        if (end == std::string::npos) {
          if (line_.size() > kMaxHead) return InvalidArgument("HTTP: response head larger than 64 KiB");
          i += take;
          break;
        }
        // Bytes of this call that belong to the head: up to end + sep.
        const size_t head_len = end + sep;
        i += head_len - old;
        line_.resize(end + 1);
        KS_RETURN_IF_ERROR(ParseHead());
        break;
      }
      case State::kLength: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n - i));
        if (take > 0) KS_RETURN_IF_ERROR(on_body(data.substr(i, take)));
        body_bytes_ += take;
        remaining_ -= take;
        i += take;
        if (remaining_ == 0) state_ = State::kDone;
        break;
      }
      case State::kUntilClose: {
        KS_RETURN_IF_ERROR(on_body(data.substr(i)));
        body_bytes_ += n - i;
        i = n;
        break;
      }
      case State::kChunkSize:
      case State::kTrailer: {
        const char* q = static_cast<const char*>(std::memchr(data.data() + i, '\n', n - i));
        const size_t end = q != nullptr ? static_cast<size_t>(q - data.data()) : n;
        if (line_.size() + (end - i) > 4096) return InvalidArgument("HTTP: chunk-size or trailer line too long");
        line_.append(data.data() + i, end - i);
        i = end;
        if (q == nullptr) break;
        ++i;
        std::string_view line = line_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (state_ == State::kTrailer) {
          if (line.empty()) state_ = State::kDone;
          line_.clear();
          break;
        }
        std::string_view size = Trim(line.substr(0, line.find(';')));
        if (size.empty() || size.size() > 15) {
          return InvalidArgument("HTTP: bad chunk size \"" + std::string(line.substr(0, 40)) + "\"");
        }
        uint64_t v = 0;
        for (char c : size) {
          int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
          if (d < 0) return InvalidArgument("HTTP: bad chunk size \"" + std::string(line.substr(0, 40)) + "\"");
          v = v * 16 + static_cast<uint64_t>(d);
        }
        line_.clear();
        if (v == 0) {
          state_ = State::kTrailer;
        } else {
          ++chunks_;
          remaining_ = v;
          state_ = State::kChunkData;
        }
        break;
      }
      case State::kChunkData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n - i));
        KS_RETURN_IF_ERROR(on_body(data.substr(i, take)));
        body_bytes_ += take;
        remaining_ -= take;
        i += take;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        // "\r\n" (a bare "\n" accepted).
        char c = data[i++];
        if (c == '\r' && line_.empty()) {
          line_.push_back('\r');
        } else if (c == '\n') {
          line_.clear();
          state_ = State::kChunkSize;
        } else {
          return InvalidArgument("HTTP: chunk data not followed by CRLF");
        }
        break;
      }
      case State::kDone:
        break;
    }
  }
  return i;
}

Status ResponseParser::Eof() {
  switch (state_) {
    case State::kDone:
      return Status::Ok();
    case State::kUntilClose:
      state_ = State::kDone;
      return Status::Ok();
    case State::kHead:
      if (line_.empty()) return Unavailable("HTTP: the connection closed before a response");
      return Unavailable("HTTP: the connection closed inside the response head");
    case State::kLength:
      return Unavailable("HTTP: the connection closed " + std::to_string(remaining_) +
                         " bytes before the end of the body (Content-Length), after " +
                         std::to_string(body_bytes_) + " bytes");
    default:
      return Unavailable("HTTP: the connection closed before the end of the chunked body (no terminating "
                         "chunk), after " +
                         std::to_string(body_bytes_) + " body bytes");
  }
}

}  // namespace kstream::bench
