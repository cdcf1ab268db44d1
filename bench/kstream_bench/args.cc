#include "kstream_bench/args.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace kstream::bench {

namespace {

// One flag: whether it is boolean, and how to apply its value.
struct Flag {
  bool is_bool = false;
  std::function<Status(std::string_view)> set;
};
using FlagTable = std::map<std::string, Flag, std::less<>>;

Status ApplyFlags(const std::vector<std::string>& args, const FlagTable& table) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a.substr(0, 2) != "--" || a.size() == 2) {
      return InvalidArgument("unexpected argument \"" + std::string(a) + "\"");
    }
    a.remove_prefix(2);
    std::string_view name = a, value;
    bool has_value = false;
    if (size_t eq = a.find('='); eq != std::string_view::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    auto it = table.find(name);
    if (it == table.end()) return InvalidArgument("unknown flag --" + std::string(name));
    const Flag& f = it->second;
    if (f.is_bool) {
      if (!has_value) value = "true";
      if (value != "true" && value != "false") {
        return InvalidArgument("--" + std::string(name) + " takes true or false, not \"" + std::string(value) + "\"");
      }
    } else if (!has_value) {
      if (i + 1 >= args.size()) return InvalidArgument("--" + std::string(name) + " needs a value");
      value = args[++i];
    }
    Status s = f.set(value);
    if (!s.ok()) return InvalidArgument("--" + std::string(name) + ": " + std::string(s.message()));
  }
  return Status::Ok();
}

Status ParseInt(std::string_view s, int64_t min, int64_t max, int64_t* out) {
  if (s.empty()) return InvalidArgument("empty number");
  bool neg = s.front() == '-';
  std::string_view d = neg ? s.substr(1) : s;
  if (d.empty() || d.size() > 18) return InvalidArgument("bad number \"" + std::string(s) + "\"");
  int64_t v = 0;
  for (char c : d) {
    if (c < '0' || c > '9') return InvalidArgument("bad number \"" + std::string(s) + "\"");
    v = v * 10 + (c - '0');
  }
  if (neg) v = -v;
  if (v < min || v > max) {
    return InvalidArgument(std::string(s) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  *out = v;
  return Status::Ok();
}

template <class T>
Flag IntFlag(T* dst, int64_t min, int64_t max) {
  return {false, [dst, min, max](std::string_view v) {
            int64_t x = 0;
            KS_RETURN_IF_ERROR(ParseInt(v, min, max, &x));
            *dst = static_cast<T>(x);
            return Status::Ok();
          }};
}

Flag StringFlag(std::string* dst) {
  return {false, [dst](std::string_view v) {
            *dst = std::string(v);
            return Status::Ok();
          }};
}

Flag BoolFlag(bool* dst) {
  return {true, [dst](std::string_view v) {
            *dst = v == "true";
            return Status::Ok();
          }};
}

Flag SizeFlag(uint64_t* dst) {
  return {false, [dst](std::string_view v) {
            KS_ASSIGN_OR_RETURN(*dst, ParseByteSize(v));
            return Status::Ok();
          }};
}

Flag FormatFlag(ListFormat* dst) {
  return {false, [dst](std::string_view v) {
            KS_ASSIGN_OR_RETURN(*dst, ParseListFormat(v));
            return Status::Ok();
          }};
}

Result<std::string> ReadToken(std::string_view path) {
  std::ifstream in{std::string(path)};
  if (!in) return NotFound("cannot read " + std::string(path));
  std::string line;
  std::getline(in, line);
  // kube's token CSV: token,user,uid,"groups"; or a file holding just the token.
  std::string token = line.substr(0, line.find(','));
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return InvalidArgument(std::string(path) + " holds no token");
  return token;
}

// --url/--token/--token-file/--ca/--insecure-skip-verify.
void AddTarget(FlagTable& t, const char* url_flag, std::string* url, std::string* token, TlsOptions* tls) {
  t[url_flag] = StringFlag(url);
  t["token"] = StringFlag(token);
  t["token-file"] = {false, [token](std::string_view v) {
                       KS_ASSIGN_OR_RETURN(*token, ReadToken(v));
                       return Status::Ok();
                     }};
  t["ca"] = StringFlag(&tls->ca_file);
  t["insecure-skip-verify"] = BoolFlag(&tls->insecure_skip_verify);
}

Status CheckUrl(std::string_view flag, const std::string& url) {
  if (url.empty()) return InvalidArgument("--" + std::string(flag) + " is required");
  auto u = ParseUrl(url);
  if (!u.ok()) return InvalidArgument("--" + std::string(flag) + ": " + std::string(u.status().message()));
  return Status::Ok();
}

}  // namespace

std::string_view LoadKindName(LoadKind k) {
  switch (k) {
    case LoadKind::kConfigMap: return "configmap";
    case LoadKind::kSecret: return "secret";
    case LoadKind::kPod: return "pod";
    case LoadKind::kWidget: return "widget";
  }
  return "?";
}

Result<uint64_t> ParseByteSize(std::string_view s) {
  std::string_view orig = s;
  if (s.size() > 2 && s.substr(s.size() - 2) == "/s") s.remove_suffix(2);
  size_t end = 0;
  while (end < s.size() && ((s[end] >= '0' && s[end] <= '9') || s[end] == '.')) ++end;
  std::string_view num = s.substr(0, end);
  std::string unit(s.substr(end));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (num.empty() || num.find('.') != num.rfind('.') || num == ".") {
    return InvalidArgument("bad size \"" + std::string(orig) + "\"");
  }
  double v = std::strtod(std::string(num).c_str(), nullptr);
  double mul = 0;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "k" || unit == "kb") mul = 1e3;
  else if (unit == "m" || unit == "mb") mul = 1e6;
  else if (unit == "g" || unit == "gb") mul = 1e9;
  else if (unit == "ki" || unit == "kib") mul = 1024.0;
  else if (unit == "mi" || unit == "mib") mul = 1024.0 * 1024;
  else if (unit == "gi" || unit == "gib") mul = 1024.0 * 1024 * 1024;
  else return InvalidArgument("bad size unit in \"" + std::string(orig) + "\" (B, k/KB, KiB, M/MB, MiB, G/GB, GiB)");
  double bytes = v * mul;
  if (bytes > 1e18 || bytes != std::floor(bytes)) {
    return InvalidArgument("size \"" + std::string(orig) + "\" is not a whole number of bytes");
  }
  return static_cast<uint64_t>(bytes);
}

Result<double> ParseDuration(std::string_view s) {
  std::string_view orig = s;
  if (s.empty()) return InvalidArgument("empty duration");
  double total = 0;
  bool bare = true;
  while (!s.empty()) {
    size_t end = 0;
    while (end < s.size() && ((s[end] >= '0' && s[end] <= '9') || s[end] == '.')) ++end;
    if (end == 0) return InvalidArgument("bad duration \"" + std::string(orig) + "\"");
    double v = std::strtod(std::string(s.substr(0, end)).c_str(), nullptr);
    s.remove_prefix(end);
    size_t uend = 0;
    while (uend < s.size() && std::isalpha(static_cast<unsigned char>(s[uend]))) ++uend;
    std::string_view unit = s.substr(0, uend);
    s.remove_prefix(uend);
    if (unit.empty()) {
      if (!s.empty() || !bare) return InvalidArgument("bad duration \"" + std::string(orig) + "\"");
      total += v;
      break;
    }
    bare = false;
    if (unit == "ms") total += v / 1000;
    else if (unit == "s") total += v;
    else if (unit == "m") total += v * 60;
    else if (unit == "h") total += v * 3600;
    else return InvalidArgument("bad duration unit in \"" + std::string(orig) + "\" (ms, s, m, h)");
  }
  return total;
}

Result<LoadOptions> ParseLoadArgs(const std::vector<std::string>& args) {
  LoadOptions o;
  FlagTable t;
  AddTarget(t, "url", &o.url, &o.token, &o.tls);
  t["kind"] = {false, [&o](std::string_view v) {
                 if (v == "configmap" || v == "configmaps") o.kind = LoadKind::kConfigMap;
                 else if (v == "secret" || v == "secrets") o.kind = LoadKind::kSecret;
                 else if (v == "pod" || v == "pods") o.kind = LoadKind::kPod;
                 else if (v == "widget" || v == "widgets") o.kind = LoadKind::kWidget;
                 else return InvalidArgument("unknown kind \"" + std::string(v) + "\" (configmap, secret, pod or widget)");
                 return Status::Ok();
               }};
  t["count"] = SizeFlag(&o.count);
  t["size"] = SizeFlag(&o.size);
  t["namespace"] = StringFlag(&o.ns);
  t["concurrency"] = IntFlag(&o.concurrency, 1, 10000);
  t["name-prefix"] = StringFlag(&o.name_prefix);
  t["start"] = IntFlag(&o.start, 0, 1000000000000);
  t["random-payload"] = BoolFlag(&o.random_payload);
  t["quiet"] = BoolFlag(&o.quiet);
  KS_RETURN_IF_ERROR(ApplyFlags(args, t));
  KS_RETURN_IF_ERROR(CheckUrl("url", o.url));
  if (o.count == 0) return InvalidArgument("--count is required (> 0)");
  if (o.ns.empty()) return InvalidArgument("--namespace must not be empty");
  if (o.size > (uint64_t{3} << 20)) return InvalidArgument("--size over 3 MiB: the server refuses such request bodies");
  if (o.name_prefix.empty()) o.name_prefix = "bench-" + std::string(LoadKindName(o.kind)) + "-";
  return o;
}

Result<ListOptions> ParseListArgs(const std::vector<std::string>& args) {
  ListOptions o;
  FlagTable t;
  AddTarget(t, "url", &o.url, &o.token, &o.tls);
  t["clients"] = IntFlag(&o.clients, 1, 100000);
  t["repeat"] = IntFlag(&o.repeat, 1, 1000000000);
  t["duration"] = {false, [&o](std::string_view v) {
                     KS_ASSIGN_OR_RETURN(o.duration_s, ParseDuration(v));
                     return Status::Ok();
                   }};
  t["cut-at-deadline"] = BoolFlag(&o.cut_at_deadline);
  t["accept"] = FormatFlag(&o.format);
  t["gzip"] = BoolFlag(&o.gzip);
  t["limit"] = SizeFlag(&o.limit);
  t["read-rate"] = SizeFlag(&o.read_rate);
  t["server-pid"] = IntFlag(&o.server_pid, 1, 1 << 30);
  t["server-memory-cap"] = SizeFlag(&o.server_memory_cap);
  t["json-out"] = StringFlag(&o.json_out);
  t["expect-items"] = IntFlag(&o.expect_items, 0, int64_t{1} << 50);
  t["raw"] = BoolFlag(&o.raw);
  t["raw-only"] = BoolFlag(&o.raw_only);
  t["raw-chunked"] = BoolFlag(&o.raw_chunked);
  t["threads"] = IntFlag(&o.threads, 0, 1024);
  t["raw-threads"] = IntFlag(&o.raw_threads, 0, 1024);
  t["idle-timeout"] = {false, [&o](std::string_view v) {
                         KS_ASSIGN_OR_RETURN(o.idle_timeout_s, ParseDuration(v));
                         return Status::Ok();
                       }};
  t["rcvbuf"] = {false, [&o](std::string_view v) {
                   KS_ASSIGN_OR_RETURN(uint64_t b, ParseByteSize(v));
                   if (b > (1u << 30)) return InvalidArgument("too large");
                   o.rcvbuf = static_cast<int>(b);
                   return Status::Ok();
                 }};
  t["label"] = StringFlag(&o.label);
  t["sample-interval-ms"] = IntFlag(&o.sample_interval_ms, 1, 60000);
  KS_RETURN_IF_ERROR(ApplyFlags(args, t));
  KS_RETURN_IF_ERROR(CheckUrl("url", o.url));
  if (o.raw_only) o.raw = true;
  if (o.cut_at_deadline && o.duration_s <= 0) return InvalidArgument("--cut-at-deadline needs --duration");
  if (o.idle_timeout_s <= 0) return InvalidArgument("--idle-timeout must be > 0");
  if (o.server_memory_cap > 0 && o.server_pid == 0) return InvalidArgument("--server-memory-cap needs --server-pid");
  return o;
}

Result<RawOptions> ParseRawArgs(const std::vector<std::string>& args) {
  RawOptions o;
  FlagTable t;
  AddTarget(t, "from", &o.from, &o.token, &o.tls);
  t["accept"] = FormatFlag(&o.format);
  t["gzip"] = BoolFlag(&o.gzip);
  t["bind"] = StringFlag(&o.bind);
  t["port"] = IntFlag(&o.port, 0, 65535);
  t["chunked"] = BoolFlag(&o.chunked);
  t["threads"] = IntFlag(&o.threads, 0, 1024);
  KS_RETURN_IF_ERROR(ApplyFlags(args, t));
  KS_RETURN_IF_ERROR(CheckUrl("from", o.from));
  return o;
}

std::string Usage() {
  return R"(kstream-bench: load a Kubernetes API server with objects, then measure concurrent LISTs
(memory and CPU of the server, throughput, time to first byte) against the raw-bytes limit.

  kstream-bench load --url URL (--token T | --token-file F) [--insecure-skip-verify | --ca FILE]
      --kind configmap|secret|pod|widget --count N [--size BYTES] [--namespace NS] [--concurrency C]
      [--name-prefix P] [--start I] [--random-payload=false] [--quiet]
    Creates N objects (POST JSON), creating the namespace if it is missing. --size is the
    payload per object (ConfigMap data, Secret data before base64, a Widget's spec.payload;
    a Pod is padded with an annotation up to this size). Widgets are custom resources
    (widgets.bench.kstream.io/v1); their CRD is created first when it is missing.
    Names: <prefix><index, 6 digits>; existing ones are kept.

  kstream-bench list --url URL/path (--token T | --token-file F) [--insecure-skip-verify | --ca FILE]
      [--clients C] [--repeat R | --duration D [--cut-at-deadline]] [--accept json|protobuf|table|yaml] [--gzip]
      [--limit L] [--read-rate BYTES/s] [--server-pid PID [--server-memory-cap BYTES]] [--expect-items N]
      [--raw | --raw-only] [--raw-chunked=false] [--json-out FILE] [--label NAME]
      [--threads T] [--raw-threads T] [--idle-timeout D] [--rcvbuf BYTES]
    C concurrent clients (HTTP/1.1 keep-alive), each issuing R full LISTs (pages of L items
    with continue when --limit), every response checked completely (status, content type,
    framing, gzip, the item count decoded from the body). --server-pid samples the server's
    RssAnon, VmRSS and CPU time every 20 ms; --server-memory-cap kills it (SIGKILL) when its
    RssAnon passes the cap, and the run is reported as killed. --raw then runs the same clients against an
    in-process server that sends a captured copy of the same body from memory (the physical
    limit), and reports the ratio. --cut-at-deadline stops the lists still running when
    --duration ends (slow clients on a huge list); they count as cut, not failed.
    Exit status 1 when any response failed.

  kstream-bench raw --from URL/path (--token T | --token-file F) [--accept ...] [--gzip]
      [--port P] [--bind ADDR] [--chunked=false] [--threads T]
    Captures the response once, then serves its bytes from memory for any GET until
    interrupted (the baseline for another client or server).

Sizes: 100000, 100k/100KB (x1000), 100KiB (x1024), 1M/MB, 1MiB, ...; durations: 30s, 500ms, 2m.
)";
}

}  // namespace kstream::bench
