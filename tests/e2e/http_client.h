// HttpClient / HttpStream: a small synchronous HTTP/1.1 client for the end-to-end tests.
//
// It talks to one server, over plain TCP ("http://127.0.0.1:P") or TLS ("https://...",
// the server's certificate verified against a CA file and the host's IP or name). It has
// its own response parser, so a test sees exactly how the server framed its answer: the
// status, the headers (a case-insensitive multimap: repeated headers stay visible), the
// body bytes after de-chunking, and whether the body ended as framed (Content-Length
// reached, or the terminating zero-size chunk received) or the connection was closed
// before that (`complete` false: what a server does when a streamed response fails after
// its first byte). Malformed framing (bad chunk sizes, a bad status line) is an error.
//
// Do() sends one request on a fresh connection and reads the whole response. Open() sends
// one and returns an HttpStream as soon as the response head has arrived; the body is
// then read incrementally with timeouts: Read (whatever is there), ReadLine (JSON watch
// events), ReadFrame (protobuf watch frames: 4-byte big-endian length + body), ReadAll,
// and ReadSlowly (a slow client: N bytes, then a pause, repeated; with a small
// `receive_buffer_bytes` the server really feels the back-pressure, since the client
// only reads from the socket what it consumes).
//
// Gunzip() inflates a gzip body (zlib).
//
// Thread-safety: an HttpClient is immutable after construction and may be shared; an
// HttpStream belongs to one thread. Not for production use: test code.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace kstream::e2e {

struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using HeaderMap = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct HttpResponse {
  int status = 0;
  HeaderMap headers;
  std::string body;       // after de-chunking (still gzip-compressed when the server gzipped it)
  bool complete = false;  // the body ended as framed; false: the connection closed before
  bool chunked = false;   // Transfer-Encoding: chunked

  // The first value of a header ("" when absent), and how many times it appears.
  std::string Header(std::string_view name) const;
  size_t HeaderCount(std::string_view name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // "/api/v1/namespaces?limit=2"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool send_token = true;  // add "Authorization: Bearer <token>" when the client has one
};

struct HttpClientOptions {
  std::string base_url;  // "http://127.0.0.1:8080" or "https://127.0.0.1:6443"
  std::string token;     // bearer token ("" : none)
  std::string ca_file;   // for https: the CA that signed the server's certificate
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // connect, write, and Do()'s read
  int receive_buffer_bytes = 0;  // > 0: SO_RCVBUF of the client socket (set before connect)
};

// What ReadSlowly does: `step_bytes`, then sleep `pause`; `on_step` (optional) runs after
// every step with the number of body bytes read so far.
struct SlowRead {
  size_t step_bytes = 64 * 1024;
  std::chrono::milliseconds pause{10};
  std::function<void(size_t)> on_step;
};

class HttpStream {
 public:
  ~HttpStream();
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  int status() const { return status_; }
  const HeaderMap& headers() const { return headers_; }
  std::string Header(std::string_view name) const;
  bool chunked() const { return chunked_; }

  // Up to `max` body bytes, waiting up to `timeout` for at least one. At the end of the
  // body returns "" (then ended() or closed() is true). A timeout is an error (and
  // timed_out() turns true until the next successful read).
  Result<std::string> Read(size_t max, std::chrono::milliseconds timeout);
  // The body bytes up to and including the next "\n". At the end of the body: what is
  // left (possibly "", possibly without "\n").
  Result<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Exactly `n` bytes, or fewer only when the body ends first.
  Result<std::string> ReadExactly(size_t n, std::chrono::milliseconds timeout);
  // One protobuf watch frame: its 4-byte big-endian length, then that many bytes (the
  // frame body is returned, without the length). "" at the end of the body; an error if
  // the body ends inside a frame.
  Result<std::string> ReadFrame(std::chrono::milliseconds timeout);
  // The rest of the body (until it ends or the connection closes).
  Result<std::string> ReadAll(std::chrono::milliseconds timeout);
  // The rest of the body, read slowly (see SlowRead). `timeout` bounds the whole read.
  Result<std::string> ReadSlowly(const SlowRead& how, std::chrono::milliseconds timeout);

  // The terminating chunk (or the Content-Length'th byte) was received.
  bool ended() const { return ended_; }
  // The connection closed before the body ended.
  bool closed() const { return closed_; }
  bool timed_out() const { return timed_out_; }
  // Total body bytes handed out so far.
  size_t bytes_read() const { return bytes_read_; }
  // Closes the connection (the server sees the client go away).
  void Close();

 private:
  friend class HttpClient;
  struct Conn;
  HttpStream();
  Status ReadHead(std::chrono::steady_clock::time_point deadline);
  // Reads once from the socket (at most `max_raw` bytes) and decodes what arrived.
  Status Fill(size_t max_raw, std::chrono::steady_clock::time_point deadline);
  Status Decode();
  std::string Take(size_t n);

  std::unique_ptr<Conn> conn_;
  int status_ = 0;
  HeaderMap headers_;
  bool chunked_ = false;
  bool head_done_ = false;
  bool ended_ = false;
  bool closed_ = false;
  bool timed_out_ = false;
  bool until_close_ = false;  // no Content-Length, not chunked: the body ends at EOF
  uint64_t remaining_ = 0;    // Content-Length bytes left, or bytes left in the current chunk
  enum class ChunkState { kSize, kData, kDataEnd, kTrailer } chunk_state_ = ChunkState::kSize;
  std::string raw_;      // received, not yet decoded
  std::string decoded_;  // body bytes not yet handed out
  size_t bytes_read_ = 0;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);

  const HttpClientOptions& options() const { return options_; }

  // One request on a fresh connection; the whole response.
  Result<HttpResponse> Do(const HttpRequest& request) const;
  Result<HttpResponse> Get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) const;
  // POST/PUT with a body (Content-Type: application/json unless given in `headers`).
  Result<HttpResponse> Post(std::string target, std::string body,
                            std::vector<std::pair<std::string, std::string>> headers = {}) const;
  Result<HttpResponse> Put(std::string target, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) const;
  Result<HttpResponse> Delete(std::string target, std::string body = "",
                              std::vector<std::pair<std::string, std::string>> headers = {}) const;

  // Sends the request and returns once the response head has arrived (within `timeout`).
  Result<std::unique_ptr<HttpStream>> Open(const HttpRequest& request,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  HttpClientOptions options_;
  bool tls_ = false;
  std::string host_;
  std::string port_;
};

// Inflates a gzip stream (one member, nothing after it).
Result<std::string> Gunzip(std::string_view gz);

}  // namespace kstream::e2e
