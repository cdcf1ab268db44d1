#include "kstream_bench/http_client.h"

#include <openssl/ssl.h>

namespace kstream::bench {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}
}  // namespace

Result<std::shared_ptr<const ClientContext>> ClientContext::Create(const Url& url, const TlsOptions& tls,
                                                                   int receive_buffer) {
  auto ctx = std::make_shared<ClientContext>();
  ctx->url_ = url;
  ctx->receive_buffer_ = receive_buffer;
  if (url.tls) {
    ctx->ssl_ = std::make_unique<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    if (tls.insecure_skip_verify) {
      ctx->ssl_->set_verify_mode(ssl::verify_none, ec);
    } else {
      if (!tls.ca_file.empty()) {
        ctx->ssl_->load_verify_file(tls.ca_file, ec);
        if (ec) return InvalidArgument("cannot load CA file " + tls.ca_file + ": " + ec.message());
      } else {
        ctx->ssl_->set_default_verify_paths(ec);
      }
      ctx->ssl_->set_verify_mode(ssl::verify_peer, ec);
      ctx->ssl_->set_verify_callback(ssl::host_name_verification(url.host), ec);
    }
    if (ec) return InvalidArgument("TLS setup: " + ec.message());
  }
  return std::shared_ptr<const ClientContext>(std::move(ctx));
}

Connection::Connection(asio::any_io_executor executor, std::shared_ptr<const ClientContext> ctx)
    : executor_(std::move(executor)), ctx_(std::move(ctx)) {}

Connection::~Connection() { Close(); }

asio::awaitable<Status> Connection::Connect() {
  Close();
  const Url& url = ctx_->url();
  tcp::resolver resolver(executor_);
  auto [rec, results] = co_await resolver.async_resolve(url.host, url.port, kTuple);
  if (rec) co_return Unavailable("resolve " + url.host + ": " + rec.message());
  tcp::socket* sock = nullptr;
  if (ctx_->ssl() != nullptr) {
    tls_ = std::make_unique<ssl::stream<tcp::socket>>(executor_, *ctx_->ssl());
    sock = &tls_->next_layer();
  } else {
    tcp_ = std::make_unique<tcp::socket>(executor_);
    sock = tcp_.get();
  }
  boost::system::error_code ec;
  boost::system::error_code last = asio::error::host_not_found;
  for (const auto& entry : results) {
    sock->open(entry.endpoint().protocol(), ec);
    if (ec) {
      last = ec;
      continue;
    }
    if (ctx_->receive_buffer() > 0) {
      sock->set_option(asio::socket_base::receive_buffer_size(ctx_->receive_buffer()), ec);
    }
    auto [cec] = co_await sock->async_connect(entry.endpoint(), kTuple);
    if (!cec) {
      last = {};
      break;
    }
    last = cec;
    sock->close(ec);
  }
  if (last) {
    Close();
    co_return Unavailable("connect to " + url.Origin() + ": " + last.message());
  }
  sock->set_option(tcp::no_delay(true), ec);
  if (tls_) {
    if (!IsIpLiteral(url.host)) SSL_set_tlsext_host_name(tls_->native_handle(), url.host.c_str());
    auto [hec] = co_await tls_->async_handshake(ssl::stream_base::client, kTuple);
    if (hec) {
      Close();
      co_return Unavailable("TLS handshake with " + url.Origin() + ": " + hec.message());
    }
  }
  open_ = true;
  co_return Status::Ok();
}

asio::awaitable<Status> Connection::Write(std::string_view bytes) {
  if (!open_) co_return Unavailable("write: not connected");
  boost::system::error_code ec;
  if (tls_) {
    auto [e, n] = co_await asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()), kTuple);
    ec = e;
  } else {
    auto [e, n] = co_await asio::async_write(*tcp_, asio::buffer(bytes.data(), bytes.size()), kTuple);
    ec = e;
  }
  if (ec) {
    Close();
    co_return Unavailable("write: " + ec.message());
  }
  co_return Status::Ok();
}

asio::awaitable<Result<size_t>> Connection::ReadSome(char* buf, size_t n) {
  if (!open_) co_return Unavailable("read: the connection is closed");
  boost::system::error_code ec;
  size_t got = 0;
  if (tls_) {
    auto [e, k] = co_await tls_->async_read_some(asio::buffer(buf, n), kTuple);
    ec = e;
    got = k;
  } else {
    auto [e, k] = co_await tcp_->async_read_some(asio::buffer(buf, n), kTuple);
    ec = e;
    got = k;
  }
  if (got > 0) co_return got;
  if (ec == asio::error::eof || ec == ssl::error::stream_truncated || ec == asio::error::connection_reset) {
    co_return size_t{0};
  }
  if (!ec) co_return size_t{0};
  co_return Unavailable("read: " + ec.message());
}

void Connection::Close() {
  boost::system::error_code ec;
  if (tls_) tls_->next_layer().close(ec);
  if (tcp_) tcp_->close(ec);
  open_ = false;
}

std::string BuildRequest(std::string_view method, const Url& url, std::string_view target, const HeaderList& headers,
                         std::string_view body) {
  std::string r;
  r.reserve(256 + body.size());
  r.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  r.append("Host: ").append(url.HostHeader()).append("\r\n");
  r.append("User-Agent: kstream-bench/0.1\r\n");
  for (const auto& [k, v] : headers) r.append(k).append(": ").append(v).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  r.append("\r\n");
  r.append(body);
  return r;
}

asio::awaitable<Result<SimpleResponse>> RoundTrip(Connection& conn, std::string_view request, size_t max_body) {
  if (!conn.is_open()) {
    Status s = co_await conn.Connect();
    if (!s.ok()) co_return s;
  }
  Status ws = co_await conn.Write(request);
  if (!ws.ok()) co_return ws;
  SimpleResponse out;
  ResponseParser parser;
  parser.set_head_request(request.substr(0, 5) == "HEAD ");
  std::string buf(64 * 1024, '\0');
  auto on_body = [&](std::string_view b) -> Status {
    if (out.body.size() + b.size() > max_body) return ResourceExhausted("response body over " + std::to_string(max_body) + " bytes");
    out.body.append(b);
    return Status::Ok();
  };
  while (!parser.done()) {
    auto r = co_await conn.ReadSome(buf.data(), buf.size());
    if (!r.ok()) {
      conn.Close();
      co_return r.status();
    }
    if (*r == 0) {
      conn.Close();
      Status s = parser.Eof();
      if (!s.ok()) co_return s;
      break;
    }
    auto used = parser.Feed(std::string_view(buf.data(), *r), on_body);
    if (!used.ok()) {
      conn.Close();
      co_return used.status();
    }
    if (*used != *r) {
      conn.Close();
      co_return InvalidArgument("HTTP: bytes after the end of the response");
    }
  }
  out.head = parser.head();
  out.chunked = parser.chunked();
  if (parser.close_after()) conn.Close();
  co_return out;
}

HeaderList AuthHeaders(std::string_view token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + std::string(token)}};
}

std::string DescribeErrorResponse(const ResponseHead& head, std::string_view body) {
  std::string s = "HTTP " + std::to_string(head.status) + (head.reason.empty() ? "" : " " + head.reason);
  // A Kubernetes Status: its "message" (kube writes it without escapes in practice).
  size_t m = body.find("\"message\":\"");
  if (m != std::string_view::npos) {
    size_t start = m + 11;
    size_t end = start;
    while (end < body.size() && body[end] != '"') end += body[end] == '\\' ? 2 : 1;
    return s + ": " + std::string(body.substr(start, std::min<size_t>(end, body.size()) - start));
  }
  std::string_view head_bytes = body.substr(0, 200);
  std::string clean;
  for (char c : head_bytes) clean.push_back((c >= 0x20 && c < 0x7f) ? c : '.');
  return clean.empty() ? s : s + ": " + clean;
}

}  // namespace kstream::bench
