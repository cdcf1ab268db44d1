// The client side of kstream-bench: one HTTP/1.1 connection (plain TCP or TLS through
// OpenSSL) driven by C++20 coroutines on a Boost.Asio executor.
//
// ClientContext holds what every connection to one server shares: the parsed base URL
// and, for https, the TLS context (verification against a CA file and the URL's host or
// IP, or no verification with --insecure-skip-verify). It is immutable once created and
// may be shared by connections on any thread.
//
// Connection is one socket: Connect() (resolve, connect, TCP_NODELAY, optional SO_RCVBUF,
// TLS handshake with SNI for host names), Write() (all bytes), ReadSome() (what is there,
// 0 at the end of the stream; a TLS peer that closes without close_notify is an end of
// stream too: the HTTP framing decides whether the response was complete), Close(). Errors
// are values (asio::as_tuple), never exceptions. A Connection belongs to one executor;
// Close() may be called by another coroutine on the same executor (a watchdog) to abort a
// pending read.
//
// RoundTrip() sends one request and reads the whole response into memory (load, the raw
// baseline's capture, error bodies); the list clients read bodies incrementally through
// ResponseParser instead (see list_run.h).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "base/status.h"
#include "kstream_bench/http_parser.h"

namespace kstream::bench {

namespace asio = boost::asio;

struct TlsOptions {
  bool insecure_skip_verify = false;
  std::string ca_file;  // "" and not insecure: the system's default CA paths
};

class ClientContext {
 public:
  // `receive_buffer`: SO_RCVBUF of new connections (0: the system default).
  static Result<std::shared_ptr<const ClientContext>> Create(const Url& url, const TlsOptions& tls,
                                                             int receive_buffer = 0);

  const Url& url() const { return url_; }
  asio::ssl::context* ssl() const { return ssl_.get(); }
  int receive_buffer() const { return receive_buffer_; }

 private:
  Url url_;
  int receive_buffer_ = 0;
  std::unique_ptr<asio::ssl::context> ssl_;
};

class Connection {
 public:
  Connection(asio::any_io_executor executor, std::shared_ptr<const ClientContext> ctx);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  asio::awaitable<Status> Connect();
  asio::awaitable<Status> Write(std::string_view bytes);
  // Up to `n` bytes into `buf`; 0 at the end of the stream.
  asio::awaitable<Result<size_t>> ReadSome(char* buf, size_t n);
  void Close();
  bool is_open() const { return open_; }
  const ClientContext& context() const { return *ctx_; }

 private:
  asio::any_io_executor executor_;
  std::shared_ptr<const ClientContext> ctx_;
  std::unique_ptr<asio::ip::tcp::socket> tcp_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  bool open_ = false;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// "METHOD target HTTP/1.1" with Host, User-Agent, the given headers, and Content-Length
// when there is a body (or the method is POST/PUT).
std::string BuildRequest(std::string_view method, const Url& url, std::string_view target, const HeaderList& headers,
                         std::string_view body = {});

struct SimpleResponse {
  ResponseHead head;
  std::string body;  // as received (not inflated)
  bool chunked = false;
};

// Sends `request` on `conn` (connecting first when it is closed) and reads the whole
// response (a body over `max_body` bytes is an error). Closes the connection when the
// server asked for it or on error.
asio::awaitable<Result<SimpleResponse>> RoundTrip(Connection& conn, std::string_view request,
                                                  size_t max_body = size_t{4} << 30);

// "Bearer <token>" header list ({} when the token is empty).
HeaderList AuthHeaders(std::string_view token);

// A short description of an error response: "HTTP 404 Not Found: <message of the Status
// body, or its first bytes>".
std::string DescribeErrorResponse(const ResponseHead& head, std::string_view body);

}  // namespace kstream::bench
