// `kstream-bench list` and `kstream-bench raw`: concurrent full LISTs, checked completely,
// with the server's memory and CPU sampled while they run.
//
// RunLists() runs one measurement: C clients, each on its own keep-alive connection
// (connected before the clock starts), spread over T I/O threads (one io_context each;
// a client's coroutines never run concurrently), each issuing R full LISTs (or listing
// again until a duration has passed). A LIST is every page of it when paging (limit +
// the continue token read from each page). Every response is checked completely while it
// streams: status 200, the Content-Type's media type, Content-Encoding (gzip inflated with
// zlib), the framing (a body cut short, e.g. without its terminating chunk, fails), the
// structure of the decoded list and its item count (counters.h), which must equal
// --expect-items or else the count of the first list completed. A client whose response
// fails records the error and stops; the run reports it (and the command exits 1). A
// response that makes no progress for --idle-timeout fails too (a watchdog closes its
// connection). With a read rate, a client reads at most that many bytes per second (small
// reads, so the kernel's socket buffers apply the back-pressure to the server).
//
// Measured: time to first byte (request written -> first response byte) and time per
// list (request -> last byte of the last page), as p50/p99/max over all lists; body bytes
// on the wire (after de-chunking, before inflation) and decoded, and throughput = total
// bytes / wall time of the run. With a server pid, ProcSampler (proc_sampler.h) samples
// its RssAnon, VmRSS and CPU time every 20 ms from just before the clients start to
// just after the last one finishes.
//
// RunListCommand() is the whole `list` sub-command: the measurement against the URL and,
// with --raw, the same clients against an in-process RawServer serving a captured copy of
// the list (one GET of the URL without paging), then the ratio of the two throughputs;
// a human summary on stdout and the JSON result in --json-out. RunRawCommand() is `raw`.
//
// Thread-safety: RunLists() is called from one thread and owns its threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "kstream_bench/args.h"
#include "kstream_bench/http_client.h"
#include "kstream_bench/proc_sampler.h"
#include "kstream_bench/stats.h"

namespace kstream::bench {

struct ListRunConfig {
  std::string name;  // "server" or "raw"
  ListOptions options;
  std::shared_ptr<const ClientContext> ctx;
  std::string target;         // path and query
  bool paging = false;        // use options.limit
  pid_t sample_pid = 0;       // 0: no server sampling
  int64_t expect_items = -1;  // >= 0: every list must have this many items
};

struct ListRunResult {
  std::string name;
  std::string url;
  int clients = 0;
  int threads = 0;
  uint64_t lists_ok = 0;
  uint64_t lists_failed = 0;
  uint64_t lists_cut = 0;           // still running at the deadline (--cut-at-deadline)
  std::vector<std::string> errors;  // the first few
  int64_t items_per_list = -1;      // -1 when no list completed
  uint64_t pages = 0;
  uint64_t wire_bytes = 0;     // body bytes as received, all lists
  uint64_t decoded_bytes = 0;  // after inflation
  uint64_t reconnects = 0;
  double seconds = 0;  // wall time of the run
  Percentiles ttfb_ms;
  Percentiles list_ms;
  std::string content_type;
  std::string content_encoding;
  bool chunked = false;
  std::optional<ProcSummary> server;
  double process_cpu_seconds = 0;  // this process during the run: the clients (and, for
                                   // the raw baseline, the in-process raw server)

  double WireMBps() const { return seconds > 0 ? static_cast<double>(wire_bytes) / 1e6 / seconds : 0; }
  double DecodedMBps() const { return seconds > 0 ? static_cast<double>(decoded_bytes) / 1e6 / seconds : 0; }
  bool ok() const { return lists_failed == 0 && lists_ok + lists_cut > 0; }
};

Result<ListRunResult> RunLists(const ListRunConfig& config);

// The human summary of one run (several lines, ending with a newline).
std::string FormatRun(const ListRunResult& r, const ListOptions& o);
// One run as a JSON object.
void AppendRunJson(JsonWriter& w, const ListRunResult& r, int sample_interval_ms);
// The whole result document of a `list` command.
std::string ResultJson(const ListOptions& o, const std::vector<ListRunResult>& runs);

// The `list` and `raw` sub-commands; return the process exit status.
int RunListCommand(const ListOptions& o);
int RunRawCommand(const RawOptions& o);

}  // namespace kstream::bench
