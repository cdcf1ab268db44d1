#include "e2e/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace kstream::e2e {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

namespace {

std::string FirstHeader(const HeaderMap& h, std::string_view name) {
  auto it = h.find(name);
  return it == h.end() ? std::string() : it->second;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !CaseInsensitiveLess()(a, b) && !CaseInsensitiveLess()(b, a);
}

std::chrono::milliseconds Left(Clock::time_point deadline) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return d.count() > 0 ? d : std::chrono::milliseconds(0);
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const { return FirstHeader(headers, name); }
size_t HttpResponse::HeaderCount(std::string_view name) const { return headers.count(name); }
std::string HttpStream::Header(std::string_view name) const { return FirstHeader(headers_, name); }

// ---------------------------------------------------------------------------------------
// The connection: blocking-style calls built from asio async operations run with a
// deadline on a private io_context.

struct HttpStream::Conn {
  asio::io_context ioc;
  std::unique_ptr<ssl::context> tls_ctx;
  std::unique_ptr<ssl::stream<tcp::socket>> tls;
  std::unique_ptr<tcp::socket> plain;

  tcp::socket& socket() { return tls ? tls->next_layer() : *plain; }

  // Runs the started async operation until its handler ran or `timeout` passed (then the
  // socket's operations are cancelled and the handler is drained). True if it completed.
  bool RunFor(const bool& done, std::chrono::milliseconds timeout) {
    ioc.restart();
    ioc.run_for(timeout);
    if (done) return true;
    error_code ignored;
    socket().cancel(ignored);
    ioc.restart();
    ioc.run();
    return false;
  }

  Status WriteAll(std::string_view data, std::chrono::milliseconds timeout) {
    bool done = false;
    error_code result;
    auto handler = [&](error_code ec, size_t) {
      done = true;
      result = ec;
    };
    if (tls) {
      asio::async_write(*tls, asio::buffer(data.data(), data.size()), handler);
    } else {
      asio::async_write(*plain, asio::buffer(data.data(), data.size()), handler);
    }
    if (!RunFor(done, timeout)) return Unavailable("timed out writing the request");
    if (result) return Unavailable("writing the request: " + result.message());
    return Status::Ok();
  }

  // Appends up to `max` bytes to `out`. *eof when the peer closed (or the connection
  // broke). Unavailable("timeout") when nothing came in time.
  Status ReadSome(std::string* out, size_t max, std::chrono::milliseconds timeout, bool* eof) {
    *eof = false;
    size_t old = out->size();
    out->resize(old + max);
    bool done = false;
    error_code result;
    size_t got = 0;
    auto handler = [&](error_code ec, size_t n) {
      done = true;
      result = ec;
      got = n;
    };
    auto buf = asio::buffer(out->data() + old, max);
    if (tls) {
      tls->async_read_some(buf, handler);
    } else {
      plain->async_read_some(buf, handler);
    }
    bool completed = RunFor(done, timeout);
    out->resize(old + got);
    if (!completed) return Unavailable("timeout");
    if (result) {
      if (got == 0) *eof = true;
      return Status::Ok();
    }
    return Status::Ok();
  }

  void Close() {
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }
};

HttpStream::HttpStream() = default;
HttpStream::~HttpStream() {
  if (conn_) conn_->Close();
}

void HttpStream::Close() {
  if (conn_) conn_->Close();
}

Status HttpStream::Fill(size_t max_raw, Clock::time_point deadline) {
  if (closed_ || ended_) return Status::Ok();
  bool eof = false;
  Status s = conn_->ReadSome(&raw_, std::max<size_t>(max_raw, 1), Left(deadline), &eof);
  if (!s.ok()) {
    timed_out_ = true;
    return s;
  }
  timed_out_ = false;
  if (eof) {
    if (head_done_ && until_close_) {
      ended_ = true;  // a body delimited by the end of the connection
    } else {
      closed_ = true;
    }
  }
  if (head_done_) return Decode();
  return Status::Ok();
}

Status HttpStream::ReadHead(Clock::time_point deadline) {
  while (true) {
    size_t end = raw_.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string_view head(raw_.data(), end);
      size_t line_end = head.find("\r\n");
      std::string_view status_line = head.substr(0, line_end);
      // "HTTP/1.1 200 OK"
      if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12) {
        return InvalidArgument("bad status line: " + std::string(status_line));
      }
      status_ = std::atoi(std::string(status_line.substr(9, 3)).c_str());
      std::string_view rest = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
      while (!rest.empty()) {
        size_t e = rest.find("\r\n");
        std::string_view line = rest.substr(0, e);
        rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
        size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return InvalidArgument("bad header line: " + std::string(line));
        headers_.emplace(std::string(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1))));
      }
      raw_.erase(0, end + 4);
      head_done_ = true;
      std::string te = Header("Transfer-Encoding");
      std::string cl = Header("Content-Length");
      if (status_ == 204 || status_ == 304 || (status_ >= 100 && status_ < 200)) {
        ended_ = true;
      } else if (!te.empty()) {
        if (!EqualsIgnoreCase(te, "chunked")) return InvalidArgument("unsupported Transfer-Encoding " + te);
        if (!cl.empty()) return InvalidArgument("both Transfer-Encoding and Content-Length");
        chunked_ = true;
      } else if (!cl.empty()) {
        if (headers_.count("Content-Length") != 1) return InvalidArgument("repeated Content-Length");
        char* endp = nullptr;
        remaining_ = std::strtoull(cl.c_str(), &endp, 10);
        if (endp == cl.c_str() || *endp != '\0') return InvalidArgument("bad Content-Length " + cl);
        if (remaining_ == 0) ended_ = true;
      } else {
        until_close_ = true;
      }
      return Decode();
    }
    if (closed_) return Unavailable("connection closed before the response head");
    KS_RETURN_IF_ERROR(Fill(16 * 1024, deadline));
    if (closed_ && raw_.find("\r\n\r\n") == std::string::npos) {
      return Unavailable("connection closed before the response head (got " + std::to_string(raw_.size()) +
                         " bytes)");
    }
  }
}

Status HttpStream::Decode() {
  if (ended_ && !chunked_ && !until_close_) {
    if (!raw_.empty()) return InvalidArgument("bytes after the end of the body");
    return Status::Ok();
  }
  if (until_close_) {
    decoded_.append(raw_);
    raw_.clear();
    return Status::Ok();
  }
  if (!chunked_) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, raw_.size()));
    decoded_.append(raw_, 0, n);
    raw_.erase(0, n);
    remaining_ -= n;
    if (remaining_ == 0) ended_ = true;
    if (!raw_.empty()) return InvalidArgument("bytes after the end of the body");
    return Status::Ok();
  }
  while (!ended_) {
    switch (chunk_state_) {
      case ChunkState::kSize: {
        size_t e = raw_.find("\r\n");
        if (e == std::string::npos) {
          if (raw_.size() > 1024) return InvalidArgument("chunk size line too long");
          return Status::Ok();
        }
        std::string_view line(raw_.data(), e);
        size_t semi = line.find(';');
        std::string_view hex = line.substr(0, semi);
        if (hex.empty() || hex.size() > 15) return InvalidArgument("bad chunk size line: " + std::string(line));
        uint64_t size = 0;
        for (char c : hex) {
          int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                  : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                              : -1;
          if (v < 0) return InvalidArgument("bad chunk size line: " + std::string(line));
          size = size * 16 + static_cast<uint64_t>(v);
        }
        raw_.erase(0, e + 2);
        if (size == 0) {
          chunk_state_ = ChunkState::kTrailer;
        } else {
          remaining_ = size;
          chunk_state_ = ChunkState::kData;
        }
        break;
      }
      case ChunkState::kData: {
        if (raw_.empty()) return Status::Ok();
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, raw_.size()));
        decoded_.append(raw_, 0, n);
        raw_.erase(0, n);
        remaining_ -= n;
        if (remaining_ == 0) chunk_state_ = ChunkState::kDataEnd;
        break;
      }
      case ChunkState::kDataEnd: {
        if (raw_.size() < 2) return Status::Ok();
        if (raw_.compare(0, 2, "\r\n") != 0) return InvalidArgument("chunk data not followed by CRLF");
        raw_.erase(0, 2);
        chunk_state_ = ChunkState::kSize;
        break;
      }
      case ChunkState::kTrailer: {
        // Trailer fields (none expected), then an empty line.
        size_t e = raw_.find("\r\n");
        if (e == std::string::npos) return Status::Ok();
        raw_.erase(0, e + 2);
        if (e == 0) {
          ended_ = true;
          if (!raw_.empty()) return InvalidArgument("bytes after the final chunk");
        }
        break;
      }
    }
  }
  return Status::Ok();
}

std::string HttpStream::Take(size_t n) {
  n = std::min(n, decoded_.size());
  std::string out = decoded_.substr(0, n);
  decoded_.erase(0, n);
  bytes_read_ += n;
  return out;
}

Result<std::string> HttpStream::Read(size_t max, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (decoded_.empty() && !ended_ && !closed_) {
    KS_RETURN_IF_ERROR(Fill(std::max<size_t>(max, 16 * 1024), deadline));
  }
  return Take(max);
}

Result<std::string> HttpStream::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (decoded_.find('\n') == std::string::npos && !ended_ && !closed_) {
    KS_RETURN_IF_ERROR(Fill(64 * 1024, deadline));
  }
  size_t nl = decoded_.find('\n');
  return Take(nl == std::string::npos ? decoded_.size() : nl + 1);
}

Result<std::string> HttpStream::ReadExactly(size_t n, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (decoded_.size() < n && !ended_ && !closed_) {
    KS_RETURN_IF_ERROR(Fill(std::max<size_t>(n - decoded_.size(), 16 * 1024), deadline));
  }
  return Take(n);
}

Result<std::string> HttpStream::ReadFrame(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  KS_ASSIGN_OR_RETURN(std::string len, ReadExactly(4, Left(deadline)));
  if (len.empty()) return std::string();
  if (len.size() < 4) return Aborted("the body ended inside a frame length");
  uint32_t n = (static_cast<uint32_t>(static_cast<uint8_t>(len[0])) << 24) |
               (static_cast<uint32_t>(static_cast<uint8_t>(len[1])) << 16) |
               (static_cast<uint32_t>(static_cast<uint8_t>(len[2])) << 8) |
               static_cast<uint32_t>(static_cast<uint8_t>(len[3]));
  KS_ASSIGN_OR_RETURN(std::string body, ReadExactly(n, Left(deadline)));
  if (body.size() < n) return Aborted("the body ended inside a frame");
  return body;
}

Result<std::string> HttpStream::ReadAll(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!ended_ && !closed_) {
    KS_RETURN_IF_ERROR(Fill(256 * 1024, deadline));
  }
  return Take(decoded_.size());
}

Result<std::string> HttpStream::ReadSlowly(const SlowRead& how, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string out;
  while (true) {
    KS_ASSIGN_OR_RETURN(std::string part, ReadExactly(how.step_bytes, Left(deadline)));
    out += part;
    if (how.on_step) how.on_step(bytes_read_);
    if (part.size() < how.step_bytes) break;  // the body ended
    if (how.pause.count() > 0) std::this_thread::sleep_for(how.pause);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// HttpClient

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  std::string_view url = options_.base_url;
  if (url.starts_with("https://")) {
    tls_ = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  }
  size_t slash = url.find('/');
  if (slash != std::string_view::npos) url = url.substr(0, slash);
  size_t colon = url.rfind(':');
  if (colon == std::string_view::npos) {
    host_ = std::string(url);
    port_ = tls_ ? "443" : "80";
  } else {
    host_ = std::string(url.substr(0, colon));
    port_ = std::string(url.substr(colon + 1));
  }
}

Result<std::unique_ptr<HttpStream>> HttpClient::Open(const HttpRequest& request,
                                                     std::chrono::milliseconds timeout) const {
  auto deadline = Clock::now() + timeout;
  std::unique_ptr<HttpStream> stream(new HttpStream());
  stream->conn_ = std::make_unique<HttpStream::Conn>();
  HttpStream::Conn& c = *stream->conn_;
  error_code ec;
  auto addr = asio::ip::make_address(host_, ec);
  if (ec) return InvalidArgument("the test client needs an IP address, not " + host_);
  tcp::endpoint ep(addr, static_cast<uint16_t>(std::atoi(port_.c_str())));
  if (tls_) {
    c.tls_ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    if (options_.ca_file.empty()) return InvalidArgument("https needs a CA file");
    c.tls_ctx->load_verify_file(options_.ca_file, ec);
    if (ec) return InvalidArgument("loading " + options_.ca_file + ": " + ec.message());
    c.tls_ctx->set_verify_mode(ssl::verify_peer);
    c.tls = std::make_unique<ssl::stream<tcp::socket>>(c.ioc, *c.tls_ctx);
    X509_VERIFY_PARAM* param = SSL_get0_param(c.tls->native_handle());
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str()) != 1) {
      return Internal("cannot set the expected server IP");
    }
  } else {
    c.plain = std::make_unique<tcp::socket>(c.ioc);
  }
  tcp::socket& sock = c.socket();
  sock.open(ep.protocol(), ec);
  if (ec) return Unavailable("socket: " + ec.message());
  if (options_.receive_buffer_bytes > 0) {
    sock.set_option(asio::socket_base::receive_buffer_size(options_.receive_buffer_bytes), ec);
  }
  {
    bool done = false;
    error_code result;
    sock.async_connect(ep, [&](error_code e) {
      done = true;
      result = e;
    });
    if (!c.RunFor(done, Left(deadline))) return Unavailable("timed out connecting to " + options_.base_url);
    if (result) return Unavailable("connecting to " + options_.base_url + ": " + result.message());
  }
  sock.set_option(tcp::no_delay(true), ec);
  if (tls_) {
    bool done = false;
    error_code result;
    c.tls->async_handshake(ssl::stream_base::client, [&](error_code e) {
      done = true;
      result = e;
    });
    if (!c.RunFor(done, Left(deadline))) return Unavailable("timed out in the TLS handshake");
    if (result) return Unavailable("TLS handshake: " + result.message());
  }

  std::string req = request.method + " " + request.target + " HTTP/1.1\r\n";
  bool has_host = false, has_ct = false;
  for (const auto& [k, v] : request.headers) {
    if (EqualsIgnoreCase(k, "Host")) has_host = true;
    if (EqualsIgnoreCase(k, "Content-Type")) has_ct = true;
  }
  if (!has_host) req += "Host: " + host_ + ":" + port_ + "\r\n";
  if (request.send_token && !options_.token.empty()) req += "Authorization: Bearer " + options_.token + "\r\n";
  for (const auto& [k, v] : request.headers) req += k + ": " + v + "\r\n";
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    if (!has_ct && !request.body.empty()) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  req += "\r\n";
  req += request.body;
  Status written = c.WriteAll(req, Left(deadline));
  // A server may answer before it has read the whole request (413 for a body over its
  // limit) and close: the answer can still be read after the write failed.
  Status s = stream->ReadHead(written.ok() ? deadline : std::min(deadline, Clock::now() + std::chrono::seconds(2)));
  if (!s.ok()) return written.ok() ? s : written;
  return stream;
}

Result<HttpResponse> HttpClient::Do(const HttpRequest& request) const {
  auto deadline = Clock::now() + options_.timeout;
  KS_ASSIGN_OR_RETURN(auto stream, Open(request, options_.timeout));
  KS_ASSIGN_OR_RETURN(std::string body, stream->ReadAll(Left(deadline)));
  HttpResponse r;
  r.status = stream->status();
  r.headers = stream->headers();
  r.body = std::move(body);
  r.complete = stream->ended();
  r.chunked = stream->chunked();
  return r;
}

Result<HttpResponse> HttpClient::Get(std::string target, std::vector<std::pair<std::string, std::string>> headers) const {
  HttpRequest r;
  r.target = std::move(target);
  r.headers = std::move(headers);
  return Do(r);
}

Result<HttpResponse> HttpClient::Post(std::string target, std::string body,
                                      std::vector<std::pair<std::string, std::string>> headers) const {
  HttpRequest r;
  r.method = "POST";
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers = std::move(headers);
  return Do(r);
}

Result<HttpResponse> HttpClient::Put(std::string target, std::string body,
                                     std::vector<std::pair<std::string, std::string>> headers) const {
  HttpRequest r;
  r.method = "PUT";
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers = std::move(headers);
  return Do(r);
}

Result<HttpResponse> HttpClient::Delete(std::string target, std::string body,
                                        std::vector<std::pair<std::string, std::string>> headers) const {
  HttpRequest r;
  r.method = "DELETE";
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers = std::move(headers);
  return Do(r);
}

// ---------------------------------------------------------------------------------------

Result<std::string> Gunzip(std::string_view gz) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Internal("inflateInit2 failed");
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  int rc = Z_OK;
  char buf[64 * 1024];
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  size_t left = zs.avail_in;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return InvalidArgument("not a complete gzip stream (zlib " + std::to_string(rc) + ")");
  if (left != 0) return InvalidArgument("bytes after the gzip stream");
  return out;
}

}  // namespace kstream::e2e
