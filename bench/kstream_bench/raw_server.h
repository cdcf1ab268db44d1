// RawServer: the physical-limit baseline. A minimal HTTP/1.1 server (Boost.Asio
// coroutines, plain TCP, keep-alive) that answers every GET with one captured response
// held in memory: the same status, Content-Type, Content-Encoding and body bytes a real
// server sent, framed with chunked transfer encoding in chunks of `chunk_bytes` (like
// kstream's ~64 KiB batches) or with Content-Length. It does no work per request beyond
// writing those bytes, so the same clients measured against it show how fast the bytes of
// that list can move on this machine; other methods get 405, requests are not
// authenticated.
//
// Capture() fetches the response once (a plain RoundTrip, the whole body in memory).
//
// Threads: `threads` io_contexts, each run by its own thread; connections are spread over
// them. The response is immutable and shared. Start/Stop from one thread; Stop() closes
// everything and joins (also done by the destructor).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "base/status.h"
#include "kstream_bench/http_client.h"

namespace kstream::bench {

struct CapturedResponse {
  std::string content_type;
  std::string content_encoding;  // "gzip" or ""
  std::string body;              // as sent (compressed when content_encoding is gzip)
};

// GET `target` once through `ctx` with `headers`; fails unless the answer is a 200.
Result<CapturedResponse> Capture(const std::shared_ptr<const ClientContext>& ctx, std::string_view target,
                                 const HeaderList& headers);

struct RawServerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port
  bool chunked = true;
  size_t chunk_bytes = 64 * 1024;
  int threads = 0;  // 0: the number of cores
};

class RawServer {
 public:
  RawServer(std::shared_ptr<const CapturedResponse> response, RawServerOptions options);
  ~RawServer();
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  // Binds and starts the threads.
  Status Start();
  void Stop();
  int port() const { return port_; }
  uint64_t responses() const { return responses_.load(); }

 private:
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(asio::ip::tcp::socket socket);

  std::shared_ptr<const CapturedResponse> response_;
  RawServerOptions options_;
  std::string head_;                            // status line and headers of a 200
  std::vector<asio::const_buffer> body_bufs_;  // the framed body (chunks or the whole)
  std::string chunk_head_, last_chunk_head_;
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> responses_{0};
  size_t next_io_ = 0;
  int port_ = 0;
};

}  // namespace kstream::bench
