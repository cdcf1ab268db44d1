// The list clients against in-process servers: the raw baseline server (good responses,
// every framing, gzip) and scripted servers that misbehave (truncated bodies, wrong
// content types, stalls), checking that every failure is caught and reported.
#include "kstream_bench/list_run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "api/json.h"
#include "kstream_bench/raw_server.h"

namespace kstream::bench {
namespace {

std::string JsonList(int items, const std::string& cont = "") {
  std::string s = R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"9")";
  if (!cont.empty()) s += R"(,"continue":")" + cont + "\"";
  s += R"(},"items":[)";
  for (int i = 0; i < items; ++i) {
    if (i > 0) s += ",";
    s += R"({"metadata":{"name":"cm-)" + std::to_string(i) + R"("},"data":{"payload":")" + std::string(2000, 'a' + i % 26) +
         "\"}}";
  }
  return s + "]}\n";
}

std::string Gzip(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

ListRunConfig Config(int port, int clients, int repeat) {
  Url url;
  url.host = "127.0.0.1";
  url.port = std::to_string(port);
  url.target = "/api/v1/configmaps";
  ListRunConfig cfg;
  cfg.name = "raw";
  cfg.options.url = url.Origin() + url.target;
  cfg.options.clients = clients;
  cfg.options.repeat = repeat;
  cfg.ctx = ClientContext::Create(url, {}).value();
  cfg.target = url.target;
  return cfg;
}

struct Raw {
  explicit Raw(CapturedResponse r, bool chunked = true) {
    RawServerOptions o;
    o.chunked = chunked;
    o.threads = 2;
    o.chunk_bytes = 4096;
    server = std::make_unique<RawServer>(std::make_shared<const CapturedResponse>(std::move(r)), o);
    EXPECT_TRUE(server->Start().ok());
  }
  std::unique_ptr<RawServer> server;
};

TEST(ListRunTest, CountsEveryResponseFromTheRawServer) {
  const std::string body = JsonList(50);
  for (bool chunked : {true, false}) {
    Raw raw({"application/json", "", body}, chunked);
    ListRunConfig cfg = Config(raw.server->port(), 4, 3);
    auto r = RunLists(cfg);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->ok()) << (r->errors.empty() ? "" : r->errors[0]);
    EXPECT_EQ(r->lists_ok, 12u);
    EXPECT_EQ(r->lists_failed, 0u);
    EXPECT_EQ(r->items_per_list, 50);
    EXPECT_EQ(r->pages, 12u);
    EXPECT_EQ(r->wire_bytes, 12 * body.size());
    EXPECT_EQ(r->decoded_bytes, 12 * body.size());
    EXPECT_EQ(r->chunked, chunked);
    EXPECT_EQ(r->content_type, "application/json");
    EXPECT_EQ(r->reconnects, 0u);  // keep-alive
    EXPECT_GT(r->ttfb_ms.max, 0);
    EXPECT_GE(r->list_ms.p50, r->ttfb_ms.p50);
    EXPECT_GE(r->list_ms.max, r->list_ms.p99);
    EXPECT_GT(r->WireMBps(), 0);
    // The server counts a response once its last write completed, which may be just after
    // the client has read it: wait (bounded) for the count to settle.
    for (int i = 0; i < 200 && raw.server->responses() < 12u; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(raw.server->responses(), 12u);
    EXPECT_FALSE(r->server.has_value());
  }
}

TEST(ListRunTest, GzipIsInflatedAndCounted) {
  const std::string body = JsonList(30);
  const std::string gz = Gzip(body);
  Raw raw({"application/json", "gzip", gz});
  ListRunConfig cfg = Config(raw.server->port(), 2, 2);
  cfg.options.gzip = true;
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << (r->errors.empty() ? "" : r->errors[0]);
  EXPECT_EQ(r->items_per_list, 30);
  EXPECT_EQ(r->wire_bytes, 4 * gz.size());
  EXPECT_EQ(r->decoded_bytes, 4 * body.size());
  EXPECT_EQ(r->content_encoding, "gzip");

  // gzip that the client did not ask for is a server bug.
  cfg.options.gzip = false;
  r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lists_failed, 2u);
  ASSERT_FALSE(r->errors.empty());
  EXPECT_EQ(r->errors[0].substr(r->errors[0].find(": ") + 2), "Content-Encoding gzip without Accept-Encoding gzip");
}

TEST(ListRunTest, ServerSamplingOfThisProcess) {
  Raw raw({"application/json", "", JsonList(5)});
  ListRunConfig cfg = Config(raw.server->port(), 1, 2);
  cfg.sample_pid = getpid();
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->server.has_value());
  EXPECT_GT(r->server->idle.rss_anon_kib, 0);
  EXPECT_GE(r->server->peak_rss_anon_kib, r->server->idle.rss_anon_kib);
  EXPECT_GE(r->server->samples.size(), 2u);

  ListOptions o = cfg.options;
  std::vector<ListRunResult> runs = {*r};
  auto doc = api::ParseJson(ResultJson(o, runs));
  ASSERT_TRUE(doc.ok()) << ResultJson(o, runs);
  EXPECT_TRUE(doc->Find("ok")->as_bool());
  const auto& run = doc->Find("runs")->as_array()[0];
  EXPECT_EQ(run.Find("items_per_list")->as_int(), 5);
  EXPECT_EQ(run.Find("lists_ok")->as_int(), 2);
  EXPECT_TRUE(run.Find("server")->Find("samples")->is_array());
  EXPECT_TRUE(doc->Find("ratio_to_raw")->is_null());
  EXPECT_NE(FormatRun(*r, o).find("[raw] json, 1 clients (1 threads): 2 lists ok, 0 failed; 5 items per list"),
            std::string::npos)
      << FormatRun(*r, o);
}

TEST(ListRunTest, CountMismatchesFail) {
  Raw raw({"application/json", "", JsonList(7)});
  ListRunConfig cfg = Config(raw.server->port(), 2, 1);
  cfg.expect_items = 8;
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->lists_failed, 2u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_NE(r->errors[0].find("item count mismatch: 7 items, --expect-items says 8"), std::string::npos);
}

TEST(ListRunTest, WrongContentTypeFails) {
  Raw raw({"text/plain", "", JsonList(1)});
  ListRunConfig cfg = Config(raw.server->port(), 1, 1);
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0], "client 1, list 1: Content-Type \"text/plain\", expected application/json");
}

TEST(ListRunTest, MalformedBodyFails) {
  Raw raw({"application/vnd.kubernetes.protobuf", "", "k8s\x01 not protobuf"});
  ListRunConfig cfg = Config(raw.server->port(), 1, 1);
  cfg.options.format = ListFormat::kProtobuf;
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0], "client 1, list 1: protobuf: not a k8s envelope (bad magic) at byte 3");
}

// A server that runs `handler` on each accepted connection (one thread each).
class ScriptedServer {
 public:
  explicit ScriptedServer(std::function<void(int fd)> handler) : handler_(std::move(handler)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd_, 64), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] {
      while (true) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::lock_guard<std::mutex> lock(mu_);
        conns_.emplace_back([this, c] {
          handler_(c);
          close(c);
        });
      }
    });
  }
  ~ScriptedServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : conns_) t.join();
  }
  int port() const { return port_; }

  // Reads one request head.
  static bool ReadRequest(int fd) {
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  static void Write(int fd, std::string_view s) {
    while (!s.empty()) {
      ssize_t n = write(fd, s.data(), s.size());
      if (n <= 0) return;
      s.remove_prefix(static_cast<size_t>(n));
    }
  }

 private:
  std::function<void(int)> handler_;
  int fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> conns_;
};

TEST(ListRunTest, TruncatedChunkedBodyFails) {
  // What kstream does when a stream fails after its first byte: close without the final
  // chunk. The items so far are a valid JSON prefix; only the framing tells.
  const std::string body = JsonList(3);
  ScriptedServer server([&](int fd) {
    if (!ScriptedServer::ReadRequest(fd)) return;
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", body.size() - 10);
    ScriptedServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    ScriptedServer::Write(fd, size);
    ScriptedServer::Write(fd, std::string_view(body).substr(0, body.size() - 10));
    ScriptedServer::Write(fd, "\r\n");
  });
  ListRunConfig cfg = Config(server.port(), 2, 1);
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lists_failed, 2u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].substr(r->errors[0].find(": ") + 2),
            "HTTP: the connection closed before the end of the chunked body (no terminating chunk), after " +
                std::to_string(body.size() - 10) + " body bytes");
}

TEST(ListRunTest, ErrorStatusIsReportedWithItsMessage) {
  ScriptedServer server([](int fd) {
    if (!ScriptedServer::ReadRequest(fd)) return;
    const std::string status =
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps is forbidden: User \"x\" cannot list","reason":"Forbidden","code":403})";
    ScriptedServer::Write(fd, "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(status.size()) + "\r\n\r\n" + status);
  });
  auto r = RunLists(Config(server.port(), 1, 1));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0], R"(client 1, list 1: HTTP 403 Forbidden: configmaps is forbidden: User \"x\" cannot list)");
}

TEST(ListRunTest, StalledResponseTimesOut) {
  std::atomic<bool> release{false};
  ScriptedServer server([&](int fd) {
    if (!ScriptedServer::ReadRequest(fd)) return;
    ScriptedServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "a\r\n{\"items\":[\r\n");
    for (int i = 0; i < 100 && !release; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  });
  ListRunConfig cfg = Config(server.port(), 1, 1);
  cfg.options.idle_timeout_s = 0.5;
  auto r = RunLists(cfg);
  release = true;
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0], "client 1, list 1: no progress for 0.5 s (idle timeout), after 10 body bytes");
}

TEST(ListRunTest, ReadRateSlowsTheClient) {
  const std::string body = JsonList(100);  // ~200 KB
  Raw raw({"application/json", "", body});
  ListRunConfig cfg = Config(raw.server->port(), 2, 1);
  cfg.options.read_rate = 1000000;  // 1 MB/s per client
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
  // At most 1 MB/s: no list can be faster than its size at that rate (minus one read).
  const double floor_ms = static_cast<double>(body.size() - 20000) / 1000.0;
  EXPECT_GE(r->list_ms.p50, floor_ms);
  EXPECT_EQ(r->items_per_list, 100);
}

TEST(ListRunTest, DurationModeRepeats) {
  Raw raw({"application/json", "", JsonList(2)});
  ListRunConfig cfg = Config(raw.server->port(), 2, 1);
  cfg.options.duration_s = 0.3;
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
  EXPECT_GT(r->lists_ok, 4u);
  EXPECT_GE(r->seconds, 0.3);
}

// --cut-at-deadline: slow lists still running when the duration ends are stopped and
// counted as cut, not failed; their bytes count.
TEST(ListRunTest, CutAtDeadlineStopsSlowLists) {
  const std::string body = JsonList(200);  // ~400 KB: 4 s at 100 KB/s
  Raw raw({"application/json", "", body});
  ListRunConfig cfg = Config(raw.server->port(), 3, 1);
  cfg.options.read_rate = 100000;
  cfg.options.duration_s = 0.5;
  cfg.options.cut_at_deadline = true;
  auto r = RunLists(cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << (r->errors.empty() ? "" : r->errors[0]);
  EXPECT_EQ(r->lists_cut, 3u);
  EXPECT_GT(r->ttfb_ms.max, 0);  // cut lists still report their first byte
  EXPECT_EQ(r->lists_ok, 0u);
  EXPECT_EQ(r->lists_failed, 0u);
  EXPECT_LT(r->seconds, 2.0);
  EXPECT_GT(r->wire_bytes, 3u * 30000);
  EXPECT_LT(r->wire_bytes, 3u * 120000);
}

TEST(ListRunTest, ConnectionRefusedIsAnError) {
  int port;
  {
    ScriptedServer s([](int) {});
    port = s.port();
  }
  auto r = RunLists(Config(port, 1, 1));
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace kstream::bench
