#include "kstream_bench/list_run.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include <boost/asio.hpp>

#include "kstream_bench/counters.h"
#include "kstream_bench/raw_server.h"

// KS_RETURN_IF_ERROR for coroutines.
#define KS_CO_RETURN_IF_ERROR(expr)               \
  do {                                            \
    ::kstream::Status ks_co_status_ = (expr);     \
    if (!ks_co_status_.ok()) co_return ks_co_status_; \
  } while (0)

namespace kstream::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadBuffer = 256 * 1024;
constexpr size_t kMaxErrors = 20;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Shared {
  const ListRunConfig* cfg = nullptr;
  HeaderList headers;
  std::atomic<int64_t> expected{-1};
  Clock::time_point deadline;
};

struct Client {
  int id = 0;
  asio::io_context* io = nullptr;
  std::unique_ptr<Connection> conn;
  std::unique_ptr<asio::steady_timer> watchdog;
  std::unique_ptr<asio::steady_timer> pacer;
  std::string buf;
  Status connect_status;

  std::vector<double> ttfb_ms, list_ms;
  uint64_t ok = 0, failed = 0, cut = 0, pages = 0, wire = 0, decoded = 0, reconnects = 0;
  bool cut_now = false;  // the current list was stopped at the deadline
  int64_t items = -1;
  std::vector<std::string> errors;
  std::string content_type, content_encoding;
  bool chunked = false;

  bool busy = false;
  bool timed_out = false;
  bool finished = false;
  Clock::time_point last_progress;
  Clock::time_point end;
};

Status CheckCount(Shared& sh, uint64_t items) {
  int64_t want = sh.cfg->expect_items;
  const char* source = "--expect-items says";
  if (want < 0) {
    int64_t first = -1;
    if (sh.expected.compare_exchange_strong(first, static_cast<int64_t>(items))) return Status::Ok();
    want = first;
    source = "the first list had";
  }
  if (static_cast<int64_t>(items) != want) {
    return InvalidArgument("item count mismatch: " + std::to_string(items) + " items, " + source + " " +
                           std::to_string(want));
  }
  return Status::Ok();
}

// One page: request, response checked and counted. *received says whether any response
// byte arrived (a reused keep-alive connection that the server closed is retried once).
asio::awaitable<Status> OnePage(Client& c, Shared& sh, const std::string& target, bool first_page, double* ttfb_ms,
                                uint64_t* items, std::string* cont, bool* received,
                                Clock::time_point rate_start, uint64_t* rate_bytes) {
  const ListRunConfig& cfg = *sh.cfg;
  const ListOptions& o = cfg.options;
  *received = false;
  if (!c.conn->is_open()) {
    KS_CO_RETURN_IF_ERROR(co_await c.conn->Connect());
    ++c.reconnects;
  }
  const std::string request = BuildRequest("GET", cfg.ctx->url(), target, sh.headers);
  const auto sent = Clock::now();
  c.busy = true;
  c.last_progress = sent;
  KS_CO_RETURN_IF_ERROR(co_await c.conn->Write(request));

  ResponseParser parser;
  std::unique_ptr<ItemCounter> counter = MakeItemCounter(o.format);
  std::unique_ptr<GzipInflater> gz;
  bool head_checked = false;
  bool error_response = false;
  std::string error_body;
  auto check_head = [&]() -> Status {
    head_checked = true;
    const ResponseHead& h = parser.head();
    if (h.status != 200) {
      error_response = true;
      return Status::Ok();
    }
    const std::string media = MediaType(h.Header("Content-Type"));
    if (media != ExpectedMediaType(o.format)) {
      return InvalidArgument("Content-Type \"" + std::string(h.Header("Content-Type")) + "\", expected " +
                             std::string(ExpectedMediaType(o.format)));
    }
    std::string_view enc = h.Header("Content-Encoding");
    if (enc == "gzip") {
      if (!o.gzip) return InvalidArgument("Content-Encoding gzip without Accept-Encoding gzip");
      gz = std::make_unique<GzipInflater>();
    } else if (!enc.empty() && enc != "identity") {
      return InvalidArgument("unexpected Content-Encoding \"" + std::string(enc) + "\"");
    }
    c.content_type = std::string(h.Header("Content-Type"));
    c.content_encoding = std::string(enc);
    c.chunked = parser.chunked();
    return Status::Ok();
  };
  auto on_body = [&](std::string_view b) -> Status {
    if (!head_checked) KS_RETURN_IF_ERROR(check_head());
    if (error_response) {
      if (error_body.size() < 64 * 1024) error_body.append(b.substr(0, 64 * 1024 - error_body.size()));
      return Status::Ok();
    }
    c.wire += b.size();
    if (gz) {
      return gz->Feed(b, [&](std::string_view d) {
        c.decoded += d.size();
        return counter->Feed(d);
      });
    }
    c.decoded += b.size();
    return counter->Feed(b);
  };

  const size_t read_size =
      o.read_rate > 0 ? std::clamp<size_t>(static_cast<size_t>(o.read_rate / 50), 1024, c.buf.size()) : c.buf.size();
  const bool cut = o.cut_at_deadline && o.duration_s > 0;
  while (!parser.done()) {
    if (cut && Clock::now() >= sh.deadline) {
      c.cut_now = true;
      c.conn->Close();
      co_return Aborted("cut at the deadline");
    }
    auto r = co_await c.conn->ReadSome(c.buf.data(), read_size);
    if (!r.ok() || *r == 0) {
      c.conn->Close();
      if (c.timed_out) {
        char secs[32];
        std::snprintf(secs, sizeof secs, "%g", o.idle_timeout_s);
        co_return Unavailable(std::string("no progress for ") + secs + " s (idle timeout), after " +
                              std::to_string(parser.body_bytes()) + " body bytes");
      }
      if (!r.ok()) co_return Status(r.status().code(), std::string(r.status().message()) + " after " +
                                                           std::to_string(parser.body_bytes()) + " body bytes");
      KS_CO_RETURN_IF_ERROR(parser.Eof());
      break;
    }
    const auto now = Clock::now();
    c.last_progress = now;
    if (!*received) {
      *received = true;
      if (first_page) *ttfb_ms = Ms(now - sent);
    }
    auto used = parser.Feed(std::string_view(c.buf.data(), *r), on_body);
    if (!used.ok()) {
      c.conn->Close();
      co_return used.status();
    }
    if (*used != *r) {
      c.conn->Close();
      co_return InvalidArgument("HTTP: bytes after the end of the response");
    }
    if (o.read_rate > 0) {
      *rate_bytes += *r;
      const auto due = rate_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                        static_cast<double>(*rate_bytes) / static_cast<double>(o.read_rate)));
      if (due > Clock::now()) {
        c.pacer->expires_at(cut ? std::min(due, sh.deadline) : due);
        co_await c.pacer->async_wait(kTuple);
        c.last_progress = Clock::now();
      }
    }
  }
  if (!head_checked) KS_CO_RETURN_IF_ERROR(check_head());
  if (error_response) {
    c.conn->Close();
    co_return Unavailable(DescribeErrorResponse(parser.head(), error_body));
  }
  if (gz) KS_CO_RETURN_IF_ERROR(gz->Finish());
  KS_CO_RETURN_IF_ERROR(counter->Finish());
  if (parser.close_after()) c.conn->Close();
  *items += counter->items();
  *cont = counter->continue_token();
  ++c.pages;
  co_return Status::Ok();
}

asio::awaitable<Status> OneList(Client& c, Shared& sh, double* ttfb_ms, uint64_t* items) {
  const ListRunConfig& cfg = *sh.cfg;
  const ListOptions& o = cfg.options;
  const bool paging = cfg.paging && o.limit > 0;
  std::string cont;
  bool first_page = true;
  *items = 0;
  const auto rate_start = Clock::now();
  uint64_t rate_bytes = 0;
  do {
    std::string target = cfg.target;
    if (paging) {
      target += target.find('?') == std::string::npos ? '?' : '&';
      target += "limit=" + std::to_string(o.limit);
      if (!cont.empty()) target += "&continue=" + QueryEscape(cont);
    }
    bool received = false;
    const bool reused = c.conn->is_open();
    Status s = co_await OnePage(c, sh, target, first_page, ttfb_ms, items, &cont, &received, rate_start, &rate_bytes);
    if (!s.ok() && reused && !received && !c.timed_out) {
      // The server may have closed the idle keep-alive connection: once more on a new one.
      c.conn->Close();
      Status retry =
          co_await OnePage(c, sh, target, first_page, ttfb_ms, items, &cont, &received, rate_start, &rate_bytes);
      if (!retry.ok()) {
        s = Status(s.code(), std::string(s.message()) + " (and again on a new connection: " +
                                 std::string(retry.message()) + ")");
      } else {
        s = retry;
      }
    }
    if (!s.ok()) co_return s;
    first_page = false;
  } while (paging && !cont.empty());
  c.busy = false;
  co_return Status::Ok();
}

asio::awaitable<void> ClientLoop(Client& c, Shared& sh) {
  const ListOptions& o = sh.cfg->options;
  for (int r = 0;; ++r) {
    if (o.duration_s > 0) {
      if (Clock::now() >= sh.deadline) break;
    } else if (r >= o.repeat) {
      break;
    }
    double ttfb = 0;
    uint64_t items = 0;
    const auto t0 = Clock::now();
    Status s = co_await OneList(c, sh, &ttfb, &items);
    const auto t1 = Clock::now();
    if (s.ok()) s = CheckCount(sh, items);
    if (!s.ok() && c.cut_now) {
      ++c.cut;
      if (ttfb > 0) c.ttfb_ms.push_back(ttfb);  // its first byte did arrive
      break;
    }
    if (!s.ok()) {
      ++c.failed;
      c.errors.push_back("client " + std::to_string(c.id) + ", list " + std::to_string(r + 1) + ": " +
                         std::string(s.message()));
      c.conn->Close();
      break;
    }
    ++c.ok;
    c.items = static_cast<int64_t>(items);
    c.ttfb_ms.push_back(ttfb);
    c.list_ms.push_back(Ms(t1 - t0));
  }
  c.busy = false;
  c.finished = true;
  c.end = Clock::now();
  c.watchdog->cancel();
}

asio::awaitable<void> Watchdog(Client& c, double idle_timeout_s) {
  const auto idle = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(idle_timeout_s));
  while (!c.finished) {
    c.watchdog->expires_after(std::chrono::milliseconds(500));
    co_await c.watchdog->async_wait(kTuple);
    if (c.finished) break;
    if (c.busy && Clock::now() - c.last_progress > idle) {
      c.timed_out = true;
      c.conn->Close();
    }
  }
}

asio::awaitable<void> ConnectClient(Client& c) { c.connect_status = co_await c.conn->Connect(); }

void RunAll(std::vector<std::unique_ptr<asio::io_context>>& ios) {
  std::vector<std::thread> threads;
  for (auto& io : ios) {
    asio::io_context* p = io.get();
    threads.emplace_back([p] { p->run(); });
  }
  for (auto& t : threads) t.join();
  for (auto& io : ios) io->restart();
}

std::string Mib(int64_t kib) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(kib) / 1024.0);
  return buf;
}

std::string FormatMs(double ms) {
  char buf[32];
  if (ms >= 10000) {
    std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
  } else if (ms >= 10) {
    std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f ms", ms);
  }
  return buf;
}

std::string UtcNow() {
  char buf[32];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

HeaderList ListHeaders(const ListOptions& o) {
  HeaderList h = AuthHeaders(o.token);
  h.emplace_back("Accept", std::string(AcceptHeader(o.format)));
  if (o.gzip) h.emplace_back("Accept-Encoding", "gzip");
  return h;
}

}  // namespace

Result<ListRunResult> RunLists(const ListRunConfig& cfg) {
  const ListOptions& o = cfg.options;
  Shared sh;
  sh.cfg = &cfg;
  sh.headers = ListHeaders(o);
  int threads = o.threads;
  if (threads <= 0) {
    threads = std::min<int>(o.clients, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  }
  threads = std::min(threads, o.clients);
  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (int i = 0; i < threads; ++i) ios.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < o.clients; ++i) {
    auto c = std::make_unique<Client>();
    c->id = i + 1;
    c->io = ios[static_cast<size_t>(i % threads)].get();
    c->conn = std::make_unique<Connection>(c->io->get_executor(), cfg.ctx);
    c->watchdog = std::make_unique<asio::steady_timer>(*c->io);
    c->pacer = std::make_unique<asio::steady_timer>(*c->io);
    c->buf.resize(kReadBuffer);
    clients.push_back(std::move(c));
  }
  // Connect everyone before the clock starts.
  for (auto& c : clients) asio::co_spawn(*c->io, ConnectClient(*c), asio::detached);
  RunAll(ios);
  for (auto& c : clients) {
    if (!c->connect_status.ok()) return c->connect_status;
  }

  std::optional<ProcSampler> sampler;
  if (cfg.sample_pid > 0) {
    sampler.emplace(cfg.sample_pid, std::chrono::milliseconds(o.sample_interval_ms),
                    static_cast<int64_t>(o.server_memory_cap / 1024));
    KS_RETURN_IF_ERROR(sampler->Start());
  }
  const double cpu_before = ProcessCpuSeconds();
  const auto start = Clock::now();
  sh.deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  for (auto& c : clients) {
    asio::co_spawn(*c->io, ClientLoop(*c, sh), asio::detached);
    asio::co_spawn(*c->io, Watchdog(*c, o.idle_timeout_s), asio::detached);
  }
  RunAll(ios);
  const double cpu_after = ProcessCpuSeconds();
  if (sampler) sampler->Stop();

  ListRunResult r;
  r.name = cfg.name;
  r.url = cfg.ctx->url().Origin() + cfg.target;
  r.clients = o.clients;
  r.threads = threads;
  std::vector<double> ttfb, list;
  auto end = start;
  for (auto& c : clients) {
    r.lists_ok += c->ok;
    r.lists_cut += c->cut;
    r.lists_failed += c->failed;
    r.pages += c->pages;
    r.wire_bytes += c->wire;
    r.decoded_bytes += c->decoded;
    r.reconnects += c->reconnects;
    if (c->items >= 0) r.items_per_list = c->items;
    for (auto& e : c->errors) {
      if (r.errors.size() < kMaxErrors) r.errors.push_back(e);
    }
    ttfb.insert(ttfb.end(), c->ttfb_ms.begin(), c->ttfb_ms.end());
    list.insert(list.end(), c->list_ms.begin(), c->list_ms.end());
    if (!c->content_type.empty()) {
      r.content_type = c->content_type;
      r.content_encoding = c->content_encoding;
      r.chunked = c->chunked;
    }
    end = std::max(end, c->end);
  }
  r.seconds = std::chrono::duration<double>(end - start).count();
  r.process_cpu_seconds = cpu_after - cpu_before;
  r.ttfb_ms = Summarize(std::move(ttfb));
  r.list_ms = Summarize(std::move(list));
  if (sampler) r.server = sampler->summary();
  return r;
}

std::string FormatRun(const ListRunResult& r, const ListOptions& o) {
  char buf[1024];
  std::string s;
  const double lists = static_cast<double>(std::max<uint64_t>(1, r.lists_ok + r.lists_failed));
  std::snprintf(buf, sizeof buf, "[%s] %s%s%s, %d clients (%d threads)%s: %llu lists ok, %llu failed; %lld items per list, %.2f MB per list on the wire",
                r.name.c_str(), std::string(ListFormatName(o.format)).c_str(), o.gzip ? "+gzip" : "",
                (o.limit > 0 && r.name != "raw") ? (" limit " + std::to_string(o.limit)).c_str() : "", r.clients, r.threads,
                o.read_rate > 0 ? (" at " + std::to_string(o.read_rate) + " B/s each").c_str() : "",
                static_cast<unsigned long long>(r.lists_ok), static_cast<unsigned long long>(r.lists_failed),
                static_cast<long long>(r.items_per_list), static_cast<double>(r.wire_bytes) / 1e6 / lists);
  s += buf;
  if (r.lists_cut > 0) {
    std::snprintf(buf, sizeof buf, "; %llu lists cut at the deadline", static_cast<unsigned long long>(r.lists_cut));
    s += buf;
  }
  if (r.decoded_bytes != r.wire_bytes) {
    std::snprintf(buf, sizeof buf, " (%.2f MB decoded)", static_cast<double>(r.decoded_bytes) / 1e6 / lists);
    s += buf;
  }
  s += "\n";
  std::snprintf(buf, sizeof buf, "  %.2f s: %.1f MB/s on the wire, %.1f MB/s decoded; %s%s; client CPU %.2f s\n",
                r.seconds, r.WireMBps(), r.DecodedMBps(), r.content_type.empty() ? "no response" : r.content_type.c_str(),
                r.content_type.empty() ? "" : r.chunked ? ", chunked" : ", Content-Length", r.process_cpu_seconds);
  s += buf;
  s += "  time to first byte: p50 " + FormatMs(r.ttfb_ms.p50) + ", p99 " + FormatMs(r.ttfb_ms.p99) + ", max " +
       FormatMs(r.ttfb_ms.max) + "; time per list: p50 " + FormatMs(r.list_ms.p50) + ", p99 " +
       FormatMs(r.list_ms.p99) + ", max " + FormatMs(r.list_ms.max) + "\n";
  if (r.server) {
    const ProcSummary& p = *r.server;
    std::snprintf(buf, sizeof buf,
                  "  server pid %d: RssAnon %s MiB idle, %s MiB peak (+%s MiB), %s MiB after; VmRSS %s -> %s MiB peak; "
                  "CPU %.2f s%s\n",
                  static_cast<int>(p.pid), Mib(p.idle.rss_anon_kib).c_str(), Mib(p.peak_rss_anon_kib).c_str(),
                  Mib(p.peak_rss_anon_kib - p.idle.rss_anon_kib).c_str(), Mib(p.last.rss_anon_kib).c_str(),
                  Mib(p.idle.vm_rss_kib).c_str(), Mib(p.peak_vm_rss_kib).c_str(), p.cpu_seconds,
                  p.killed_at_cap ? (" (KILLED: RssAnon passed the " + Mib(p.cap_kib) + " MiB cap)").c_str()
                  : p.exited      ? " (THE SERVER EXITED DURING THE RUN)"
                                  : "");
    s += buf;
  }
  for (const auto& e : r.errors) s += "  FAILED: " + e + "\n";
  return s;
}

void AppendRunJson(JsonWriter& w, const ListRunResult& r, int sample_interval_ms) {
  bool f = true;
  const double lists = static_cast<double>(std::max<uint64_t>(1, r.lists_ok + r.lists_failed));
  w.Raw("{");
  w.Key("target", &f).String(r.name);
  w.Key("url", &f).String(r.url);
  w.Key("clients", &f).Int(r.clients);
  w.Key("threads", &f).Int(r.threads);
  w.Key("ok", &f).Bool(r.ok());
  w.Key("lists_ok", &f).Int(static_cast<int64_t>(r.lists_ok));
  w.Key("lists_failed", &f).Int(static_cast<int64_t>(r.lists_failed));
  w.Key("lists_cut", &f).Int(static_cast<int64_t>(r.lists_cut));
  w.Key("errors", &f).Raw("[");
  for (size_t i = 0; i < r.errors.size(); ++i) {
    if (i > 0) w.Raw(",");
    w.String(r.errors[i]);
  }
  w.Raw("]");
  w.Key("items_per_list", &f).Int(r.items_per_list);
  w.Key("pages", &f).Int(static_cast<int64_t>(r.pages));
  w.Key("content_type", &f).String(r.content_type);
  w.Key("content_encoding", &f).String(r.content_encoding);
  w.Key("chunked", &f).Bool(r.chunked);
  w.Key("wire_bytes", &f).Int(static_cast<int64_t>(r.wire_bytes));
  w.Key("decoded_bytes", &f).Int(static_cast<int64_t>(r.decoded_bytes));
  w.Key("wire_bytes_per_list", &f).Number(static_cast<double>(r.wire_bytes) / lists);
  w.Key("decoded_bytes_per_list", &f).Number(static_cast<double>(r.decoded_bytes) / lists);
  w.Key("reconnects", &f).Int(static_cast<int64_t>(r.reconnects));
  w.Key("seconds", &f).Number(r.seconds);
  w.Key("process_cpu_seconds", &f).Number(std::round(r.process_cpu_seconds * 1000) / 1000);
  w.Key("wire_mb_per_s", &f).Number(r.WireMBps());
  w.Key("decoded_mb_per_s", &f).Number(r.DecodedMBps());
  auto pct = [&](const char* key, const Percentiles& p) {
    bool g = true;
    w.Key(key, &f).Raw("{");
    w.Key("p50", &g).Number(p.p50);
    w.Key("p99", &g).Number(p.p99);
    w.Key("max", &g).Number(p.max);
    w.Raw("}");
  };
  pct("ttfb_ms", r.ttfb_ms);
  pct("list_ms", r.list_ms);
  w.Key("server", &f);
  if (!r.server) {
    w.Raw("null");
  } else {
    const ProcSummary& p = *r.server;
    bool g = true;
    w.Raw("{");
    w.Key("pid", &g).Int(p.pid);
    w.Key("rss_anon_idle_kib", &g).Int(p.idle.rss_anon_kib);
    w.Key("rss_anon_peak_kib", &g).Int(p.peak_rss_anon_kib);
    w.Key("rss_anon_growth_kib", &g).Int(p.peak_rss_anon_kib - p.idle.rss_anon_kib);
    w.Key("rss_anon_final_kib", &g).Int(p.last.rss_anon_kib);
    w.Key("vm_rss_idle_kib", &g).Int(p.idle.vm_rss_kib);
    w.Key("vm_rss_peak_kib", &g).Int(p.peak_vm_rss_kib);
    w.Key("vm_rss_final_kib", &g).Int(p.last.vm_rss_kib);
    w.Key("cpu_seconds", &g).Number(p.cpu_seconds);
    w.Key("exited", &g).Bool(p.exited);
    w.Key("killed_at_cap", &g).Bool(p.killed_at_cap);
    w.Key("cap_kib", &g).Int(p.cap_kib);
    w.Key("sample_interval_ms", &g).Int(sample_interval_ms);
    w.Key("samples", &g).Raw("[");  // [t_ms, rss_anon_kib, vm_rss_kib]
    for (size_t i = 0; i < p.samples.size(); ++i) {
      if (i > 0) w.Raw(",");
      w.Raw("[").Number(std::round(p.samples[i].t_ms * 10) / 10).Raw(",").Int(p.samples[i].rss_anon_kib).Raw(",");
      w.Int(p.samples[i].vm_rss_kib).Raw("]");
    }
    w.Raw("]}");
  }
  w.Raw("}");
}

std::string ResultJson(const ListOptions& o, const std::vector<ListRunResult>& runs) {
  JsonWriter w;
  bool f = true;
  w.Raw("{");
  w.Key("tool", &f).String("kstream-bench list");
  w.Key("time", &f).String(UtcNow());
  w.Key("label", &f).String(o.label);
  w.Key("url", &f).String(o.url);
  w.Key("accept", &f).String(ListFormatName(o.format));
  w.Key("gzip", &f).Bool(o.gzip);
  w.Key("clients", &f).Int(o.clients);
  w.Key("repeat", &f).Int(o.duration_s > 0 ? 0 : o.repeat);
  w.Key("duration_s", &f).Number(o.duration_s);
  w.Key("limit", &f).Int(static_cast<int64_t>(o.limit));
  w.Key("read_rate", &f).Int(static_cast<int64_t>(o.read_rate));
  w.Key("server_pid", &f).Int(o.server_pid);
  bool ok = !runs.empty();
  const ListRunResult* server = nullptr;
  const ListRunResult* raw = nullptr;
  for (const auto& r : runs) {
    ok = ok && r.ok();
    if (r.name == "raw") raw = &r;
    else server = &r;
  }
  w.Key("ok", &f).Bool(ok);
  w.Key("runs", &f).Raw("[");
  for (size_t i = 0; i < runs.size(); ++i) {
    if (i > 0) w.Raw(",");
    AppendRunJson(w, runs[i], o.sample_interval_ms);
  }
  w.Raw("]");
  w.Key("ratio_to_raw", &f);
  if (server != nullptr && raw != nullptr && raw->WireMBps() > 0) {
    w.Number(std::round(server->WireMBps() / raw->WireMBps() * 1000) / 1000);
  } else {
    w.Raw("null");
  }
  w.Raw("}\n");
  return w.str();
}

int RunListCommand(const ListOptions& o) {
  auto url = ParseUrl(o.url);
  if (!url.ok()) {
    std::fprintf(stderr, "kstream-bench list: %s\n", url.status().ToString().c_str());
    return 2;
  }
  auto ctx = ClientContext::Create(*url, o.tls, o.rcvbuf);
  if (!ctx.ok()) {
    std::fprintf(stderr, "kstream-bench list: %s\n", ctx.status().ToString().c_str());
    return 2;
  }
  std::vector<ListRunResult> runs;
  int64_t expect = o.expect_items;
  if (!o.raw_only) {
    ListRunConfig cfg;
    cfg.name = "server";
    cfg.options = o;
    cfg.ctx = *ctx;
    cfg.target = url->target;
    cfg.paging = o.limit > 0;
    cfg.sample_pid = o.server_pid;
    cfg.expect_items = o.expect_items;
    auto r = RunLists(cfg);
    if (!r.ok()) {
      std::fprintf(stderr, "kstream-bench list: %s\n", r.status().ToString().c_str());
      return 2;
    }
    std::fputs(FormatRun(*r, o).c_str(), stdout);
    std::fflush(stdout);
    if (expect < 0 && r->ok()) expect = r->items_per_list;
    runs.push_back(std::move(*r));
  }
  if (o.raw) {
    auto captured = Capture(*ctx, url->target, ListHeaders(o));
    if (!captured.ok()) {
      std::fprintf(stderr, "kstream-bench list --raw: %s\n", captured.status().ToString().c_str());
      return 2;
    }
    RawServerOptions ro;
    ro.chunked = o.raw_chunked;
    ro.threads = o.raw_threads;
    RawServer server(std::make_shared<const CapturedResponse>(std::move(*captured)), ro);
    Status s = server.Start();
    if (!s.ok()) {
      std::fprintf(stderr, "kstream-bench list --raw: %s\n", s.ToString().c_str());
      return 2;
    }
    Url raw_url;
    raw_url.host = "127.0.0.1";
    raw_url.port = std::to_string(server.port());
    raw_url.target = url->target;
    auto raw_ctx = ClientContext::Create(raw_url, {}, o.rcvbuf);
    if (!raw_ctx.ok()) return 2;
    ListRunConfig cfg;
    cfg.name = "raw";
    cfg.options = o;
    cfg.ctx = *raw_ctx;
    cfg.target = url->target;
    cfg.paging = false;
    cfg.expect_items = o.limit > 0 ? -1 : expect;
    auto r = RunLists(cfg);
    server.Stop();
    if (!r.ok()) {
      std::fprintf(stderr, "kstream-bench list --raw: %s\n", r.status().ToString().c_str());
      return 2;
    }
    std::fputs(FormatRun(*r, o).c_str(), stdout);
    runs.push_back(std::move(*r));
    if (runs.size() == 2 && runs[1].WireMBps() > 0) {
      std::printf("ratio to raw: %.3f (%.1f / %.1f MB/s on the wire)%s\n", runs[0].WireMBps() / runs[1].WireMBps(),
                  runs[0].WireMBps(), runs[1].WireMBps(),
                  o.limit > 0 ? " (the raw baseline sends the whole list in one response)" : "");
    }
  }
  bool ok = !runs.empty();
  for (const auto& r : runs) ok = ok && r.ok();
  if (!o.json_out.empty()) {
    std::ofstream out(o.json_out, std::ios::binary | std::ios::trunc);
    out << ResultJson(o, runs);
    if (!out) {
      std::fprintf(stderr, "kstream-bench list: cannot write %s\n", o.json_out.c_str());
      return 2;
    }
  }
  return ok ? 0 : 1;
}

int RunRawCommand(const RawOptions& o) {
  auto url = ParseUrl(o.from);
  if (!url.ok()) {
    std::fprintf(stderr, "kstream-bench raw: %s\n", url.status().ToString().c_str());
    return 2;
  }
  auto ctx = ClientContext::Create(*url, o.tls);
  if (!ctx.ok()) {
    std::fprintf(stderr, "kstream-bench raw: %s\n", ctx.status().ToString().c_str());
    return 2;
  }
  ListOptions lo;
  lo.token = o.token;
  lo.format = o.format;
  lo.gzip = o.gzip;
  auto captured = Capture(*ctx, url->target, ListHeaders(lo));
  if (!captured.ok()) {
    std::fprintf(stderr, "kstream-bench raw: %s\n", captured.status().ToString().c_str());
    return 2;
  }
  // Check and count what was captured, as the list clients will.
  auto counter = MakeItemCounter(o.format);
  Status cs;
  if (captured->content_encoding == "gzip") {
    GzipInflater gz;
    cs = gz.Feed(captured->body, [&](std::string_view d) { return counter->Feed(d); });
    if (cs.ok()) cs = gz.Finish();
  } else {
    cs = counter->Feed(captured->body);
  }
  if (cs.ok()) cs = counter->Finish();
  if (!cs.ok()) {
    std::fprintf(stderr, "kstream-bench raw: the captured body is not a valid %s list: %s\n",
                 std::string(ListFormatName(o.format)).c_str(), cs.ToString().c_str());
    return 2;
  }
  const size_t bytes = captured->body.size();
  const std::string ct = captured->content_type, ce = captured->content_encoding;
  // Block the stop signals before the server's threads start (they inherit the mask).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  RawServerOptions ro;
  ro.bind = o.bind;
  ro.port = o.port;
  ro.chunked = o.chunked;
  ro.threads = o.threads;
  RawServer server(std::make_shared<const CapturedResponse>(std::move(*captured)), ro);
  Status s = server.Start();
  if (!s.ok()) {
    std::fprintf(stderr, "kstream-bench raw: %s\n", s.ToString().c_str());
    return 2;
  }
  std::printf("raw: serving %zu bytes (%llu items, %s%s%s) on http://%s:%d for any GET; SIGINT/SIGTERM stops\n", bytes,
              static_cast<unsigned long long>(counter->items()), ct.c_str(), ce.empty() ? "" : ", ", ce.c_str(),
              o.bind.c_str(), server.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  server.Stop();
  std::printf("raw: stopped after %llu responses\n", static_cast<unsigned long long>(server.responses()));
  return 0;
}

}  // namespace kstream::bench
