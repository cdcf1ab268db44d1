#include "kstream_bench/raw_server.h"

#include <ctime>

namespace kstream::bench {

using tcp = asio::ip::tcp;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

std::string HttpDate() {
  char buf[64];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string Hex(size_t v) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kHex[v & 15]);
    v >>= 4;
  } while (v != 0);
  return s;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The value of header `name` in a request head ("" when absent), case-insensitive.
std::string_view RequestHeader(std::string_view head, std::string_view name) {
  size_t pos = 0;
  while (true) {
    size_t eol = head.find('\n', pos);
    if (eol == std::string_view::npos) return {};
    size_t start = eol + 1;
    if (start + name.size() + 1 > head.size()) return {};
    bool match = true;
    for (size_t i = 0; i < name.size(); ++i) {
      if (Lower(head[start + i]) != Lower(name[i])) {
        match = false;
        break;
      }
    }
    if (match && head[start + name.size()] == ':') {
      size_t vs = start + name.size() + 1;
      size_t ve = head.find('\n', vs);
      std::string_view v = head.substr(vs, ve == std::string_view::npos ? std::string_view::npos : ve - vs);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
      return v;
    }
    pos = start;
  }
}

}  // namespace

Result<CapturedResponse> Capture(const std::shared_ptr<const ClientContext>& ctx, std::string_view target,
                                 const HeaderList& headers) {
  asio::io_context io;
  Result<SimpleResponse> result = Internal("capture did not run");
  std::string request = BuildRequest("GET", ctx->url(), target, headers);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Connection conn(io.get_executor(), ctx);
        result = co_await RoundTrip(conn, request);
      },
      asio::detached);
  io.run();
  if (!result.ok()) return Unavailable("capture " + ctx->url().Origin() + std::string(target) + ": " + result.status().ToString());
  if (result->head.status != 200) {
    return Unavailable("capture " + std::string(target) + ": " + DescribeErrorResponse(result->head, result->body));
  }
  CapturedResponse c;
  c.content_type = std::string(result->head.Header("Content-Type"));
  c.content_encoding = std::string(result->head.Header("Content-Encoding"));
  c.body = std::move(result->body);
  return c;
}

RawServer::RawServer(std::shared_ptr<const CapturedResponse> response, RawServerOptions options)
    : response_(std::move(response)), options_(std::move(options)) {
  if (options_.threads <= 0) options_.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (options_.chunk_bytes == 0) options_.chunk_bytes = 64 * 1024;
  head_ = "HTTP/1.1 200 OK\r\nCache-Control: no-cache, private\r\n";
  if (!response_->content_type.empty()) head_ += "Content-Type: " + response_->content_type + "\r\n";
  if (!response_->content_encoding.empty()) head_ += "Content-Encoding: " + response_->content_encoding + "\r\n";
  head_ += "Date: " + HttpDate() + "\r\n";
  const std::string& body = response_->body;
  if (options_.chunked) {
    head_ += "Transfer-Encoding: chunked\r\n\r\n";
    chunk_head_ = Hex(options_.chunk_bytes) + "\r\n";
    last_chunk_head_ = Hex(body.size() % options_.chunk_bytes) + "\r\n";
    for (size_t off = 0; off < body.size(); off += options_.chunk_bytes) {
      size_t n = std::min(options_.chunk_bytes, body.size() - off);
      const std::string& h = n == options_.chunk_bytes ? chunk_head_ : last_chunk_head_;
      body_bufs_.push_back(asio::buffer(h));
      body_bufs_.push_back(asio::buffer(body.data() + off, n));
      body_bufs_.push_back(asio::buffer(kCrlf.data(), kCrlf.size()));
    }
    body_bufs_.push_back(asio::buffer(kLastChunk.data(), kLastChunk.size()));
  } else {
    head_ += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    if (!body.empty()) body_bufs_.push_back(asio::buffer(body));
  }
}

RawServer::~RawServer() { Stop(); }

Status RawServer::Start() {
  for (int i = 0; i < options_.threads; ++i) ios_.push_back(std::make_unique<asio::io_context>(1));
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(options_.bind, ec);
  if (ec) return InvalidArgument("bad bind address " + options_.bind);
  acceptor_ = std::make_unique<tcp::acceptor>(*ios_[0]);
  tcp::endpoint ep(addr, static_cast<unsigned short>(options_.port));
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("raw server: listen on " + options_.bind + ":" + std::to_string(options_.port) + ": " + ec.message());
  port_ = acceptor_->local_endpoint().port();
  asio::co_spawn(*ios_[0], Accept(), asio::detached);
  for (auto& io : ios_) {
    asio::io_context* p = io.get();
    threads_.emplace_back([p] {
      auto guard = asio::make_work_guard(*p);
      p->run();
    });
  }
  return Status::Ok();
}

void RawServer::Stop() {
  for (auto& io : ios_) io->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  acceptor_.reset();
  ios_.clear();  // destroys the pending coroutines and their sockets
}

asio::awaitable<void> RawServer::Accept() {
  while (true) {
    asio::io_context& target = *ios_[next_io_++ % ios_.size()];
    auto [ec, sock] = co_await acceptor_->async_accept(target, kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
      continue;
    }
    boost::system::error_code ignored;
    sock.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(target, Serve(std::move(sock)), asio::detached);
  }
}

asio::awaitable<void> RawServer::Serve(tcp::socket socket) {
  std::string in;
  char buf[8192];
  while (true) {
    // One request head (its body, if any, is skipped).
    size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      if (in.size() > 64 * 1024) co_return;
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), kTuple);
      if (ec || n == 0) co_return;
      in.append(buf, n);
    }
    std::string head = in.substr(0, end + 2);
    in.erase(0, end + 4);
    size_t body_len = 0;
    std::string_view cl = RequestHeader(head, "Content-Length");
    for (char c : cl) {
      if (c < '0' || c > '9') co_return;
      body_len = body_len * 10 + static_cast<size_t>(c - '0');
    }
    while (in.size() < body_len) {
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), kTuple);
      if (ec || n == 0) co_return;
      in.append(buf, n);
    }
    in.erase(0, body_len);
    std::string_view conn = RequestHeader(head, "Connection");
    const bool close = conn == "close" || conn == "Close";
    if (head.compare(0, 4, "GET ") != 0) {
      static const std::string k405 =
          "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n\r\n"
          "method not allowed\n";
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(k405), kTuple);
      if (ec || close) co_return;
      continue;
    }
    {
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(head_), kTuple);
      if (ec) co_return;
    }
    if (!body_bufs_.empty()) {
      auto [ec, n] = co_await asio::async_write(socket, body_bufs_, kTuple);
      if (ec) co_return;
    }
    responses_.fetch_add(1, std::memory_order_relaxed);
    if (close) {
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

}  // namespace kstream::bench
