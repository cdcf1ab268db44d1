// ResponseParser: an incremental HTTP/1.1 response parser for kstream-bench's clients.
//
// Fed the bytes of a connection as they arrive (any split), it parses one response head
// (status line and headers, at most 64 KiB) and then the body framed by Content-Length,
// chunked transfer encoding (chunk sizes, extensions, the CRLF after each chunk, the
// terminating zero chunk and trailers) or, without either, the end of the connection.
// Body bytes are handed to a callback as slices of the input (no copy). The parser knows
// whether the body ended as framed: a connection that closes before the terminating chunk
// or before Content-Length bytes is an error from Eof(), which is how a response cut short
// by the server (an error after the first byte) is told from a complete one.
//
// Also here: the URL of a server (Url) and small header helpers.
//
// Not thread-safe: one parser per connection; Reset() between responses on a keep-alive
// connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace kstream::bench {

// http[s]://host[:port][/path[?query]]
struct Url {
  bool tls = false;
  std::string host;  // without brackets for IPv6 literals
  std::string port;  // "80"/"443" when not given
  std::string target = "/";  // path and query, "/" when empty

  // "http://host:port" (brackets around IPv6 hosts).
  std::string Origin() const;
  // The Host header value.
  std::string HostHeader() const;
};
Result<Url> ParseUrl(std::string_view url);

// An unsigned decimal of 1-19 digits and nothing else (HTTP numbers, /proc fields).
bool ParseDecimal(std::string_view s, uint64_t* out);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters kept).
std::string QueryEscape(std::string_view s);

struct ResponseHead {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received

  // The first value of a header (case-insensitive name), "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

// The media type of a Content-Type value: lower-cased, without parameters and spaces.
std::string MediaType(std::string_view content_type);

class ResponseParser {
 public:
  using BodyFn = std::function<Status(std::string_view)>;
  static constexpr size_t kMaxHead = 64 * 1024;

  // Consumes the bytes of `data` that belong to the current response, passing body bytes
  // to `on_body` (whose error stops the parse). Returns the number of bytes consumed:
  // all of them, unless the response ended first (done()).
  Result<size_t> Feed(std::string_view data, const BodyFn& on_body);
  // The connection closed: OK when the response is complete (or its body runs until the
  // close); otherwise an error saying what was missing.
  Status Eof();
  // Ready for the next response on the same connection.
  void Reset();
  // The response to a HEAD request has no body.
  void set_head_request(bool v) { head_request_ = v; }

  bool head_done() const { return state_ != State::kHead; }
  bool done() const { return state_ == State::kDone; }
  const ResponseHead& head() const { return head_; }
  bool chunked() const { return chunked_; }
  // The server asked to close the connection after this response (or the body runs until
  // the close).
  bool close_after() const { return close_; }
  uint64_t body_bytes() const { return body_bytes_; }
  uint64_t chunks() const { return chunks_; }

 private:
  enum class State { kHead, kLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailer, kUntilClose, kDone };
  Status ParseHead();

  State state_ = State::kHead;
  std::string line_;  // the head, or the current chunk-size / trailer line
  ResponseHead head_;
  bool head_request_ = false;
  bool chunked_ = false;
  bool close_ = false;
  uint64_t remaining_ = 0;
  uint64_t body_bytes_ = 0;
  uint64_t chunks_ = 0;
};

}  // namespace kstream::bench
