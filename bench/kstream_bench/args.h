// Command-line parsing of kstream-bench's sub-commands (load, list, raw) into option
// structs, plus the value parsers they share (byte sizes with units, durations).
//
// Flags are `--name=value` or `--name value`; boolean flags are `--name` or
// `--name=true|false`. Unknown flags, missing values, malformed numbers and missing
// required flags are errors that name the flag. Pure functions (no I/O except reading
// --token-file), thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "kstream_bench/counters.h"
#include "kstream_bench/http_client.h"

namespace kstream::bench {

// kWidget: a custom resource (widgets.bench.kstream.io/v1, namespaced), whose CRD the load
// creates first when it is missing.
enum class LoadKind { kConfigMap, kSecret, kPod, kWidget };
std::string_view LoadKindName(LoadKind k);  // "configmap", "secret", "pod", "widget"

struct LoadOptions {
  std::string url;  // the server, e.g. http://127.0.0.1:8080 (no path)
  std::string token;
  TlsOptions tls;
  LoadKind kind = LoadKind::kConfigMap;
  uint64_t count = 0;             // required
  uint64_t size = 1000;           // payload bytes per object (pods: the whole object, padded)
  std::string ns = "default";
  int concurrency = 8;
  std::string name_prefix;  // default "bench-<kind>-"
  uint64_t start = 0;       // first index (names are <prefix><index, 6 digits>)
  bool random_payload = true;  // false: one repeated character (compresses ~1000x)
  bool quiet = false;          // no progress line
};

struct ListOptions {
  std::string url;  // the list URL (path and query), e.g. http://127.0.0.1:8080/api/v1/configmaps
  std::string token;
  TlsOptions tls;
  int clients = 1;
  int repeat = 1;             // full lists per client (ignored with duration)
  double duration_s = 0;      // > 0: each client lists again until this much time has passed
  bool cut_at_deadline = false;  // with duration: stop lists still running at its end (counted as cut)
  ListFormat format = ListFormat::kJson;
  bool gzip = false;          // Accept-Encoding: gzip
  uint64_t limit = 0;         // > 0: page with limit/continue
  uint64_t read_rate = 0;     // > 0: bytes/s per client (slow clients)
  pid_t server_pid = 0;       // > 0: sample the server's /proc
  uint64_t server_memory_cap = 0;  // > 0: SIGKILL the server when its RssAnon passes this (bytes)
  std::string json_out;       // write the JSON result here
  int64_t expect_items = -1;  // >= 0: every list must have this many items
  bool raw = false;           // also measure the raw-bytes baseline (in-process raw server)
  bool raw_only = false;      // only the baseline
  bool raw_chunked = true;    // the baseline's framing: chunked (as kstream) or Content-Length
  int threads = 0;            // client I/O threads (0: min(clients, cores))
  int raw_threads = 0;        // raw server threads (0: cores)
  double idle_timeout_s = 120;  // a response that makes no progress this long fails
  int rcvbuf = 0;               // SO_RCVBUF of the clients (0: system default)
  std::string label;            // a name for the run in the output (e.g. "streaming")
  int sample_interval_ms = 20;
};

struct RawOptions {
  std::string from;  // the URL to capture
  std::string token;
  TlsOptions tls;
  ListFormat format = ListFormat::kJson;
  bool gzip = false;
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port (printed)
  bool chunked = true;
  int threads = 0;
};

Result<LoadOptions> ParseLoadArgs(const std::vector<std::string>& args);
Result<ListOptions> ParseListArgs(const std::vector<std::string>& args);
Result<RawOptions> ParseRawArgs(const std::vector<std::string>& args);

// "100000", "100k", "100KB" (1000s), "100KiB" (1024s), "1.5M", "2GiB"; a trailing "/s" is
// accepted (rates).
Result<uint64_t> ParseByteSize(std::string_view s);
// "30s", "500ms", "2m", "1h", "1m30s"; a bare number is seconds.
Result<double> ParseDuration(std::string_view s);

// The help text of the whole tool.
std::string Usage();

}  // namespace kstream::bench
