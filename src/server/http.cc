#include "server/http.h"

#include <cstdio>
#include <mutex>
#include <set>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace kstream::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

constexpr auto kTuple = asio::as_tuple(use_awaitable);

// ---------------------------------------------------------------------------------------
// Request helpers

std::optional<std::string_view> Request::Query(std::string_view key) const {
  auto it = query.find(std::string(key));
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(beast::string_view(name.data(), name.size()));
  if (it == headers.end()) return {};
  auto v = it->value();
  return std::string_view(v.data(), v.size());
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int h = hex(s[i + 1]), l = hex(s[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      out.push_back(static_cast<char>(h * 16 + l));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::multimap<std::string, std::string> ParseQuery(std::string_view raw) {
  std::multimap<std::string, std::string> out;
  while (!raw.empty()) {
    size_t amp = raw.find('&');
    std::string_view part = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    auto dk = PercentDecode(k, true);
    auto dv = PercentDecode(v, true);
    if (!dk || !dv) continue;  // Go's ParseQuery drops invalid pairs
    out.emplace(std::move(*dk), std::move(*dv));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// ResponseWriter

namespace {

std::string_view Reason(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

std::string HttpDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

std::string ResponseWriter::Head(int code, const std::vector<Header>& headers,
                                 std::optional<size_t> content_length) {
  std::string h = "HTTP/1.1 " + std::to_string(code) + " " + std::string(Reason(code)) + "\r\n";
  for (const Header& x : headers) {
    h += x.name;
    h += ": ";
    h += x.value;
    h += "\r\n";
  }
  h += "Date: " + HttpDate() + "\r\n";
  if (content_length) {
    h += "Content-Length: " + std::to_string(*content_length) + "\r\n";
  } else {
    h += "Transfer-Encoding: chunked\r\n";
  }
  if (!keep_alive_) h += "Connection: close\r\n";
  h += "\r\n";
  return h;
}

asio::awaitable<Status> ResponseWriter::Send(int code, std::vector<Header> headers, std::string_view body) {
  if (head_sent_) co_return Internal("response already started");
  code_ = code;
  scratch_ = Head(code, headers, body.size());
  head_sent_ = true;
  std::vector<asio::const_buffer> bufs;
  bufs.push_back(asio::buffer(scratch_));
  if (!body.empty()) bufs.push_back(asio::buffer(body.data(), body.size()));
  auto ec = co_await transport_->Write(std::move(bufs), write_timeout_);
  if (ec) {
    Abort();
    co_return Unavailable("write: " + ec.message());
  }
  body_bytes_ += body.size();
  co_return Status::Ok();
}

asio::awaitable<Status> ResponseWriter::Begin(int code, std::vector<Header> headers) {
  if (head_sent_) co_return Internal("response already started");
  code_ = code;
  scratch_ = Head(code, headers, std::nullopt);
  head_sent_ = true;
  std::vector<asio::const_buffer> bufs;
  bufs.push_back(asio::buffer(scratch_));
  auto ec = co_await transport_->Write(std::move(bufs), write_timeout_);
  if (ec) {
    Abort();
    co_return Unavailable("write: " + ec.message());
  }
  co_return Status::Ok();
}

asio::awaitable<Status> ResponseWriter::Chunk(std::string_view data) {
  if (aborted_) co_return Unavailable("response aborted");
  if (data.empty()) co_return Status::Ok();
  char size_line[32];
  int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
  std::vector<asio::const_buffer> bufs;
  bufs.push_back(asio::buffer(size_line, static_cast<size_t>(n)));
  bufs.push_back(asio::buffer(data.data(), data.size()));
  bufs.push_back(asio::buffer("\r\n", 2));
  auto ec = co_await transport_->Write(std::move(bufs), write_timeout_);
  if (ec) {
    Abort();
    co_return Unavailable("write: " + ec.message());
  }
  body_bytes_ += data.size();
  co_return Status::Ok();
}

asio::awaitable<Status> ResponseWriter::End() {
  if (aborted_) co_return Unavailable("response aborted");
  std::vector<asio::const_buffer> bufs;
  bufs.push_back(asio::buffer("0\r\n\r\n", 5));
  auto ec = co_await transport_->Write(std::move(bufs), write_timeout_);
  if (ec) {
    Abort();
    co_return Unavailable("write: " + ec.message());
  }
  co_return Status::Ok();
}

void ResponseWriter::Abort() {
  if (aborted_) return;
  aborted_ = true;
  keep_alive_ = false;
  transport_->Close();
}

// ---------------------------------------------------------------------------------------
// Transports

namespace {

template <class Stream>
class StreamTransport final : public Transport {
 public:
  template <class... Args>
  explicit StreamTransport(Args&&... args) : stream_(std::forward<Args>(args)...) {}

  Stream& stream() { return stream_; }
  tcp::socket& socket() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      return stream_;
    } else {
      return stream_.next_layer();
    }
  }

  asio::awaitable<error_code> Write(std::vector<asio::const_buffer> buffers,
                                    std::chrono::milliseconds timeout) override {
    if (closed_) co_return asio::error::make_error_code(asio::error::not_connected);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(timeout);
    auto result = co_await (asio::async_write(stream_, buffers, kTuple) || timer.async_wait(kTuple));
    if (result.index() == 1) {
      Close();
      co_return asio::error::make_error_code(asio::error::timed_out);
    }
    auto [ec, n] = std::get<0>(result);
    co_return ec;
  }

  asio::awaitable<void> WaitPeerClose() override {
    char buf[512];
    while (!closed_) {
      auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buf), kTuple);
      if (ec) co_return;
    }
  }

  // Reads and discards up to `max_bytes` until the peer stops sending, closes, or
  // `timeout` passes: a "lingering close", so that a client still writing a request body
  // we refused reads our answer instead of a connection reset.
  asio::awaitable<void> Drain(size_t max_bytes, std::chrono::milliseconds timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(timeout);
    auto reader = [this, max_bytes]() -> asio::awaitable<void> {
      std::vector<char> buf(64 * 1024);
      size_t total = 0;
      while (!closed_ && total < max_bytes) {
        auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buf), kTuple);
        if (ec) co_return;
        total += n;
      }
    };
    co_await (reader() || timer.async_wait(kTuple));
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  bool closed() const { return closed_; }

 private:
  Stream stream_;
  bool closed_ = false;
};

using PlainTransport = StreamTransport<tcp::socket>;
using TlsTransport = StreamTransport<ssl::stream<tcp::socket>>;

}  // namespace

// ---------------------------------------------------------------------------------------
// Server

struct HttpServer::Impl {
  struct Conn {
    asio::any_io_executor executor;
    std::weak_ptr<Transport> transport;
    void Close() {
      if (auto t = transport.lock()) t->Close();
    }
    std::atomic<bool> busy{false};
  };

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::unique_ptr<ssl::context> tls;
  std::unique_ptr<tcp::acceptor> secure;
  std::unique_ptr<tcp::acceptor> plain;
  std::atomic<size_t> next{0};

  std::mutex mu;
  std::set<std::shared_ptr<Conn>> conns;
  std::map<uint64_t, std::function<void()>> stop_fns;
  uint64_t next_id = 1;

  asio::io_context& NextContext() { return *contexts[next++ % contexts.size()]; }
};

HttpServer::HttpServer(HttpOptions options, Handler handler)
    : impl_(std::make_unique<Impl>()), options_(std::move(options)), handler_(std::move(handler)) {}

HttpServer::~HttpServer() {
  if (!impl_->threads.empty()) {
    Stop(std::chrono::milliseconds(0));
    Join();
  }
}

uint64_t HttpServer::OnStop(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  uint64_t id = impl_->next_id++;
  if (stopping_) {
    fn();
    return id;
  }
  impl_->stop_fns.emplace(id, std::move(fn));
  return id;
}

void HttpServer::Unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->stop_fns.erase(id);
}

namespace {

template <class T>
asio::awaitable<void> ServeConnection(HttpServer* server, const HttpOptions* options, const Handler* handler,
                                      std::shared_ptr<T> transport,
                                      std::string remote, std::function<void(bool)> set_busy) {
  beast::flat_buffer buffer;
  auto executor = co_await asio::this_coro::executor;
  while (!transport->closed() && !server->stopping()) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(1 << 20);
    parser.body_limit(options->max_request_bytes);
    asio::steady_timer timer(executor);
    timer.expires_after(options->idle_timeout);
    auto result = co_await (http::async_read(transport->stream(), buffer, parser, kTuple) || timer.async_wait(kTuple));
    if (result.index() == 1) break;  // idle too long
    auto [ec, n] = std::get<0>(result);
    set_busy(true);
    if (ec == http::error::body_limit) {
      ResponseWriter w(transport.get(), false, options->write_timeout);
      std::string body =
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Request "
          "entity too large: limit is " +
          std::to_string(options->max_request_bytes) + "\",\"reason\":\"RequestEntityTooLarge\",\"code\":413}\n";
      std::vector<Header> headers;
      headers.push_back({"Content-Type", "application/json"});
      headers.push_back({"Cache-Control", "no-cache, private"});
      (void)co_await w.Send(413, std::move(headers), body);
      co_await transport->Drain(2 * options->max_request_bytes, std::chrono::seconds(2));
      break;
    }
    if (ec) break;
    auto& msg = parser.get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    std::string_view target = req.target;
    size_t q = target.find('?');
    std::string_view raw_path = target.substr(0, q);
    if (q != std::string_view::npos) req.raw_query = std::string(target.substr(q + 1));
    auto decoded = PercentDecode(raw_path, false);
    req.path = decoded ? std::move(*decoded) : std::string(raw_path);
    req.query = ParseQuery(req.raw_query);
    req.headers = std::move(msg.base());
    req.body = std::move(msg.body());
    req.remote = remote;
    bool keep_alive = msg.keep_alive();
    ResponseWriter w(transport.get(), keep_alive, options->write_timeout);
    try {
      co_await (*handler)(req, w);
    } catch (const std::exception&) {
      w.Abort();
    }
    if (!w.head_sent()) {
      std::vector<Header> headers;
      headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
      (void)co_await w.Send(500, std::move(headers), "internal error\n");
    }
    set_busy(false);
    if (!w.keep_alive()) break;
  }
  transport->Close();
}

}  // namespace

Status HttpServer::Start() {
  int threads = options_.threads;
  if (threads <= 0) threads = std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    impl_->contexts.push_back(std::make_unique<asio::io_context>(1));
    impl_->guards.push_back(asio::make_work_guard(*impl_->contexts.back()));
  }
  auto& ctx0 = *impl_->contexts[0];

  // TLS.
  impl_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  impl_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  error_code ec;
  impl_->tls->use_certificate_chain_file(options_.tls_cert_file, ec);
  if (ec) return InvalidArgument("loading --tls-cert-file " + options_.tls_cert_file + ": " + ec.message());
  impl_->tls->use_private_key_file(options_.tls_key_file, ssl::context::pem, ec);
  if (ec) return InvalidArgument("loading --tls-private-key-file " + options_.tls_key_file + ": " + ec.message());

  auto listen = [&](const std::string& address, uint16_t port, std::unique_ptr<tcp::acceptor>* out,
                    uint16_t* bound) -> Status {
    error_code e;
    auto addr = asio::ip::make_address(address, e);
    if (e) return InvalidArgument("invalid bind address " + address + ": " + e.message());
    auto acc = std::make_unique<tcp::acceptor>(ctx0);
    tcp::endpoint ep(addr, port);
    acc->open(ep.protocol(), e);
    if (!e) acc->set_option(tcp::acceptor::reuse_address(true), e);
    if (!e) acc->bind(ep, e);
    if (!e) acc->listen(asio::socket_base::max_listen_connections, e);
    if (e) return Unavailable("listening on " + address + ":" + std::to_string(port) + ": " + e.message());
    *bound = acc->local_endpoint().port();
    *out = std::move(acc);
    return Status::Ok();
  };
  KS_RETURN_IF_ERROR(listen(options_.bind_address, options_.secure_port, &impl_->secure, &secure_port_));
  if (options_.insecure_port) {
    KS_RETURN_IF_ERROR(listen("127.0.0.1", *options_.insecure_port, &impl_->plain, &insecure_port_));
  }

  // (co_spawn keeps a callable alive while its coroutine runs; a coroutine lambda called
  // directly would outlive its closure.)
  auto accept_loop = [this](tcp::acceptor* acceptor, bool tls) {
    return [this, acceptor, tls]() -> asio::awaitable<void> {
    while (!stopping_) {
      asio::io_context& ctx = impl_->NextContext();
      auto [ec, socket] = co_await acceptor->async_accept(ctx, kTuple);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        continue;
      }
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::string remote;
      auto rep = socket.remote_endpoint(ignored);
      if (!ignored) remote = rep.address().to_string() + ":" + std::to_string(rep.port());
      auto conn = std::make_shared<Impl::Conn>();
      conn->executor = ctx.get_executor();
      {
        std::lock_guard<std::mutex> lock(impl_->mu);
        impl_->conns.insert(conn);
      }
      auto done = [this, conn](std::exception_ptr) {
        std::lock_guard<std::mutex> lock(impl_->mu);
        impl_->conns.erase(conn);
      };
      auto set_busy = [conn](bool b) { conn->busy = b; };
      if (tls) {
        auto t = std::make_shared<TlsTransport>(std::move(socket), *impl_->tls);
        conn->transport = t;
        asio::co_spawn(
            ctx,
            [this, t, remote, set_busy]() -> asio::awaitable<void> {
              asio::steady_timer timer(co_await asio::this_coro::executor);
              timer.expires_after(std::chrono::seconds(10));
              auto r = co_await (t->stream().async_handshake(ssl::stream_base::server, kTuple) ||
                                 timer.async_wait(kTuple));
              if (r.index() == 1 || std::get<0>(std::get<0>(r))) {
                t->Close();
                co_return;
              }
              co_await ServeConnection(this, &options_, &handler_, t, remote, set_busy);
            },
            done);
      } else {
        auto t = std::make_shared<PlainTransport>(std::move(socket));
        conn->transport = t;
        asio::co_spawn(ctx, ServeConnection(this, &options_, &handler_, t, remote, set_busy), done);
      }
    }
    };
  };
  asio::co_spawn(ctx0, accept_loop(impl_->secure.get(), true), asio::detached);
  if (impl_->plain) asio::co_spawn(ctx0, accept_loop(impl_->plain.get(), false), asio::detached);

  for (auto& ctx : impl_->contexts) {
    impl_->threads.emplace_back([c = ctx.get()] {
      while (true) {
        try {
          c->run();
          return;
        } catch (const std::exception&) {
          // A handler escaped with an exception: keep serving.
        }
      }
    });
  }
  return Status::Ok();
}

void HttpServer::Stop(std::chrono::milliseconds grace) {
  if (stopping_.exchange(true)) return;
  std::vector<std::function<void()>> fns;
  std::vector<std::shared_ptr<Impl::Conn>> conns;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& [id, fn] : impl_->stop_fns) fns.push_back(fn);
    impl_->stop_fns.clear();
    conns.assign(impl_->conns.begin(), impl_->conns.end());
  }
  auto& ctx0 = *impl_->contexts[0];
  asio::post(ctx0, [this] {
    error_code ignored;
    if (impl_->secure) impl_->secure->close(ignored);
    if (impl_->plain) impl_->plain->close(ignored);
  });
  for (auto& fn : fns) fn();
  // Idle connections close now; busy ones get the grace period.
  for (auto& c : conns) {
    if (!c->busy) asio::post(c->executor, [c] { c->Close(); });
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      if (impl_->conns.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& c : impl_->conns) asio::post(c->executor, [c] { c->Close(); });
  }
  // Let the closes run, then stop the loops.
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      if (impl_->conns.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->guards.clear();
  for (auto& ctx : impl_->contexts) ctx->stop();
}

void HttpServer::Join() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace kstream::server
