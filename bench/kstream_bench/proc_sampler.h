// ProcSampler: samples another process's memory and CPU time from /proc while a
// benchmark runs.
//
// Every `interval` (20 ms by default) a background thread reads /proc/<pid>/status
// (RssAnon: the process's anonymous resident memory, i.e. its heap and stacks, which is
// what serving lists costs; VmRSS: everything resident, including the file pages of an
// LMDB map) and /proc/<pid>/stat (utime + stime: CPU time). Start() takes the idle sample
// synchronously (the value before the run); Stop() takes a last one and joins the thread.
// The summary holds idle, peak and final values, the CPU seconds used between Start() and
// Stop(), and every sample (for plots of memory over time).
//
// With a memory cap (kill_above_kib > 0), the sampler sends SIGKILL to the process as soon
// as its RssAnon passes the cap, and says so in the summary: how a run whose server would
// exhaust the machine's memory (a buffered server listing gigabytes to many clients) is
// stopped and reported rather than skipped. Only for processes the caller owns.
//
// The parsers are separate pure functions (tested on literal /proc text).
//
// Thread-safety: Start/Stop/summary from one thread; the sampling thread only touches
// the sample vector, which summary() reads after Stop().
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"

namespace kstream::bench {

struct ProcMemory {
  int64_t rss_anon_kib = -1;  // -1: the field is missing
  int64_t vm_rss_kib = -1;
};

// RssAnon and VmRSS of a /proc/<pid>/status text (kB values).
Result<ProcMemory> ParseProcStatus(std::string_view text);
// utime + stime (clock ticks) of a /proc/<pid>/stat text. The command name (field 2, in
// parentheses) may contain spaces and parentheses: fields are counted after the last ')'.
Result<uint64_t> ParseProcStatCpuTicks(std::string_view text);

struct ProcSample {
  double t_ms = 0;  // since Start()
  int64_t rss_anon_kib = -1;
  int64_t vm_rss_kib = -1;
  uint64_t cpu_ticks = 0;
};

// One sample of a running process (t_ms = 0).
Result<ProcSample> ReadProcSample(pid_t pid);

struct ProcSummary {
  pid_t pid = 0;
  ProcSample idle;   // at Start()
  ProcSample last;   // at Stop()
  int64_t peak_rss_anon_kib = -1;
  int64_t peak_vm_rss_kib = -1;
  double cpu_seconds = 0;  // between Start() and Stop()
  bool exited = false;     // the process went away during the run
  bool killed_at_cap = false;  // the sampler killed it (RssAnon over the cap)
  int64_t cap_kib = 0;
  std::vector<ProcSample> samples;
};

class ProcSampler {
 public:
  explicit ProcSampler(pid_t pid, std::chrono::milliseconds interval = std::chrono::milliseconds(20),
                       int64_t kill_above_kib = 0);
  ~ProcSampler();
  ProcSampler(const ProcSampler&) = delete;
  ProcSampler& operator=(const ProcSampler&) = delete;

  // Takes the idle sample (fails when the process cannot be read) and starts sampling.
  Status Start();
  // Takes the last sample and stops. Idempotent.
  void Stop();
  // Valid after Stop().
  const ProcSummary& summary() const { return summary_; }

 private:
  void Loop();
  void Add(ProcSample s);

  pid_t pid_;
  std::chrono::milliseconds interval_;
  int64_t kill_above_kib_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  ProcSummary summary_;
};

}  // namespace kstream::bench
