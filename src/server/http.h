// The HTTP/1.1 layer of kstream-apiserver: listeners (TLS and, when asked, plain HTTP on
// loopback), one C++20 coroutine per connection (Boost.Beast parses requests), and the
// ResponseWriter through which handlers answer.
//
// Responses are written by hand-formatted HTTP/1.1 (status line, headers, then either a
// Content-Length body or chunked transfer encoding), straight to the socket with
// async_write: every write is awaited, so a handler that streams a body is paused while the
// client is slow to read (backpressure; the kernel socket buffers are the only other
// queue). An error after the head was sent aborts the response: the connection is closed
// without the terminating chunk, so a client can never mistake a cut-short body for a
// complete one.
//
// Threads: `threads` io_contexts, each run by one thread; each connection lives on one of
// them (no strands needed: a connection's coroutines never run concurrently). Handlers may
// block briefly (storage calls); long waits (watch events) go through a bridge (see
// api_server.cc).
//
// Shutdown: Stop() closes the listeners, asks every connection to finish (idle keep-alive
// connections close at once, streams are told through the shutdown signal), and after
// `grace` closes whatever is left. Join() waits for the threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>

#include "base/status.h"

namespace kstream::server {

namespace asio = boost::asio;

// One request: method, path, decoded query, headers and body.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path?query
  std::string path;    // percent-decoded path
  std::string raw_query;
  std::multimap<std::string, std::string> query;  // decoded
  boost::beast::http::fields headers;
  std::string body;
  std::string remote;  // "ip:port"
  // Warnings for the client (field validation), sent as `Warning: 299 - "..."` headers with
  // the response.
  std::vector<std::string> warnings;

  // The first value of a query parameter, if given.
  std::optional<std::string_view> Query(std::string_view key) const;
  bool HasQuery(std::string_view key) const { return Query(key).has_value(); }
  std::string_view Header(std::string_view name) const;
};

// Percent-decodes a URL component ('+' as space when `plus_is_space`); nullopt if invalid.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// Splits and decodes "a=1&b=2".
std::multimap<std::string, std::string> ParseQuery(std::string_view raw);

// The byte transport of one connection (TLS or plain TCP).
class Transport {
 public:
  virtual ~Transport() = default;
  // Writes all buffers, failing after `timeout` without progress.
  virtual asio::awaitable<boost::system::error_code> Write(std::vector<asio::const_buffer> buffers,
                                                          std::chrono::milliseconds timeout) = 0;
  // Completes when the peer closes the connection or sends anything (which is
  // discarded): used to notice that a watch client went away.
  virtual asio::awaitable<void> WaitPeerClose() = 0;
  // Closes the connection now (cancels pending operations).
  virtual void Close() = 0;
};

struct Header {
  std::string name;
  std::string value;
};

// How a handler answers. One response per request; not thread-safe (the connection's
// coroutine owns it).
class ResponseWriter {
 public:
  ResponseWriter(Transport* transport, bool keep_alive, std::chrono::milliseconds write_timeout)
      : transport_(transport), keep_alive_(keep_alive), write_timeout_(write_timeout) {}

  // A complete response with Content-Length.
  asio::awaitable<Status> Send(int code, std::vector<Header> headers, std::string_view body);
  // A chunked response: the head now (or with the first chunk when `defer_head`), then
  // chunks, then End().
  asio::awaitable<Status> Begin(int code, std::vector<Header> headers);
  asio::awaitable<Status> Chunk(std::string_view data);
  asio::awaitable<Status> End();
  // Closes the connection without ending the body (an error after the first byte).
  void Abort();

  bool head_sent() const { return head_sent_; }
  bool keep_alive() const { return keep_alive_ && !aborted_; }
  void set_keep_alive(bool v) { keep_alive_ = v; }
  Transport* transport() const { return transport_; }
  int status_code() const { return code_; }
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  std::string Head(int code, const std::vector<Header>& headers, std::optional<size_t> content_length);

  Transport* transport_;
  bool keep_alive_;
  std::chrono::milliseconds write_timeout_;
  bool head_sent_ = false;
  bool aborted_ = false;
  int code_ = 0;
  uint64_t body_bytes_ = 0;
  std::string scratch_;
};

using Handler = std::function<asio::awaitable<void>(Request&, ResponseWriter&)>;

struct HttpOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t secure_port = 6443;  // 0: any free port
  std::string tls_cert_file;
  std::string tls_key_file;
  std::optional<uint16_t> insecure_port;  // plain HTTP on 127.0.0.1, only when given
  int threads = 0;                        // 0: max(4, 2 x cores)
  size_t max_request_bytes = 3 * 1024 * 1024;
  std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(90)};
};

class HttpServer {
 public:
  HttpServer(HttpOptions options, Handler handler);
  ~HttpServer();

  // Binds the listeners and starts the threads.
  Status Start();
  uint16_t secure_port() const { return secure_port_; }
  uint16_t insecure_port() const { return insecure_port_; }

  // Stops accepting; connections get `grace` to finish, then are closed.
  void Stop(std::chrono::milliseconds grace);
  void Join();

  // True once Stop() was called (streams check it to end early).
  bool stopping() const { return stopping_.load(); }
  // Fires when Stop() is called; handlers of long streams subscribe to end cleanly.
  // Returns an id for Unsubscribe.
  uint64_t OnStop(std::function<void()> fn);
  void Unsubscribe(uint64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  HttpOptions options_;
  Handler handler_;
  uint16_t secure_port_ = 0;
  uint16_t insecure_port_ = 0;
  std::atomic<bool> stopping_{false};
};

}  // namespace kstream::server
