#include "kstream_bench/proc_sampler.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "kstream_bench/http_parser.h"

namespace kstream::bench {

namespace {

// "   123 kB" -> 123
bool ParseKib(std::string_view v, int64_t* out) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  size_t end = v.find_first_not_of("0123456789");
  std::string_view digits = v.substr(0, end);
  std::string_view unit = end == std::string_view::npos ? std::string_view() : v.substr(end);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  while (!unit.empty() && (unit.back() == ' ' || unit.back() == '\n')) unit.remove_suffix(1);
  uint64_t n = 0;
  if (!ParseDecimal(digits, &n) || (!unit.empty() && unit != "kB")) return false;
  *out = static_cast<int64_t>(n);
  return true;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot open " + path);
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      ::close(fd);
      return Unavailable("cannot read " + path);
    }
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
    if (out.size() > (1 << 20)) break;
  }
  ::close(fd);
  return out;
}

}  // namespace

Result<ProcMemory> ParseProcStatus(std::string_view text) {
  ProcMemory m;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    int64_t* dst = key == "RssAnon" ? &m.rss_anon_kib : key == "VmRSS" ? &m.vm_rss_kib : nullptr;
    if (dst == nullptr) continue;
    if (!ParseKib(line.substr(colon + 1), dst)) {
      return InvalidArgument("/proc status: bad " + std::string(key) + " line \"" + std::string(line) + "\"");
    }
  }
  if (m.rss_anon_kib < 0 && m.vm_rss_kib < 0) {
    return InvalidArgument("/proc status: no RssAnon or VmRSS (a kernel thread, or not a status file)");
  }
  return m;
}

Result<uint64_t> ParseProcStatCpuTicks(std::string_view text) {
  size_t close = text.rfind(')');
  if (close == std::string_view::npos) return InvalidArgument("/proc stat: no command name");
  std::string_view rest = text.substr(close + 1);
  // After ")": field 3 (state) is the first; utime is field 14, stime field 15.
  int field = 2;
  uint64_t utime = 0, stime = 0;
  bool got_u = false, got_s = false;
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\n')) rest.remove_prefix(1);
    if (rest.empty()) break;
    size_t end = rest.find_first_of(" \n");
    std::string_view tok = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    ++field;
    if (field == 14) got_u = ParseDecimal(tok, &utime);
    if (field == 15) {
      got_s = ParseDecimal(tok, &stime);
      break;
    }
  }
  if (!got_u || !got_s) return InvalidArgument("/proc stat: no utime/stime");
  return utime + stime;
}

Result<ProcSample> ReadProcSample(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  KS_ASSIGN_OR_RETURN(std::string status, ReadSmallFile(dir + "/status"));
  KS_ASSIGN_OR_RETURN(std::string stat, ReadSmallFile(dir + "/stat"));
  KS_ASSIGN_OR_RETURN(ProcMemory mem, ParseProcStatus(status));
  KS_ASSIGN_OR_RETURN(uint64_t ticks, ParseProcStatCpuTicks(stat));
  ProcSample s;
  s.rss_anon_kib = mem.rss_anon_kib;
  s.vm_rss_kib = mem.vm_rss_kib;
  s.cpu_ticks = ticks;
  return s;
}

ProcSampler::ProcSampler(pid_t pid, std::chrono::milliseconds interval, int64_t kill_above_kib)
    : pid_(pid), interval_(interval), kill_above_kib_(kill_above_kib) {
  summary_.pid = pid;
  summary_.cap_kib = kill_above_kib;
}

ProcSampler::~ProcSampler() { Stop(); }

void ProcSampler::Add(ProcSample s) {
  summary_.peak_rss_anon_kib = std::max(summary_.peak_rss_anon_kib, s.rss_anon_kib);
  summary_.peak_vm_rss_kib = std::max(summary_.peak_vm_rss_kib, s.vm_rss_kib);
  summary_.last = s;
  summary_.samples.push_back(s);
}

Status ProcSampler::Start() {
  auto s = ReadProcSample(pid_);
  if (!s.ok()) return FailedPrecondition("cannot sample process " + std::to_string(pid_) + ": " + s.status().ToString());
  start_ = std::chrono::steady_clock::now();
  summary_.idle = *s;
  Add(*s);
  if (kill_above_kib_ > 0 && s->rss_anon_kib > kill_above_kib_) {
    return FailedPrecondition("process " + std::to_string(pid_) + " is already above the memory cap");
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void ProcSampler::Loop() {
  auto next = start_ + interval_;
  while (!stop_.load(std::memory_order_relaxed)) {
    std::this_thread::sleep_until(next);
    next += interval_;
    auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + interval_;  // fell behind: do not burst
    auto s = ReadProcSample(pid_);
    if (!s.ok()) {
      summary_.exited = true;
      return;
    }
    s->t_ms = std::chrono::duration<double, std::milli>(now - start_).count();
    Add(*s);
    if (kill_above_kib_ > 0 && s->rss_anon_kib > kill_above_kib_ && !summary_.killed_at_cap) {
      ::kill(pid_, SIGKILL);
      summary_.killed_at_cap = true;
    }
  }
}

void ProcSampler::Stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  if (!summary_.exited) {
    auto s = ReadProcSample(pid_);
    if (s.ok()) {
      s->t_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
      Add(*s);
    } else {
      summary_.exited = true;
    }
  }
  static const long kTicks = sysconf(_SC_CLK_TCK);
  summary_.cpu_seconds = static_cast<double>(summary_.last.cpu_ticks - summary_.idle.cpu_ticks) /
                         static_cast<double>(kTicks > 0 ? kTicks : 100);
}

}  // namespace kstream::bench
