#include "kstream_bench/proc_sampler.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace kstream::bench {
namespace {

// A trimmed /proc/<pid>/status of Linux 6.x.
constexpr std::string_view kStatus =
    "Name:\tkstream-apiserv\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "VmPeak:\t 1289452 kB\n"
    "VmSize:\t 1223916 kB\n"
    "VmHWM:\t   54812 kB\n"
    "VmRSS:\t   41236 kB\n"
    "RssAnon:\t   20480 kB\n"
    "RssFile:\t   20756 kB\n"
    "RssShmem:\t       0 kB\n"
    "Threads:\t5\n";

TEST(ProcSamplerTest, ParsesStatus) {
  auto m = ParseProcStatus(kStatus);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->rss_anon_kib, 20480);
  EXPECT_EQ(m->vm_rss_kib, 41236);

  auto partial = ParseProcStatus("Name:\tx\nVmRSS:\t 12 kB\n");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->rss_anon_kib, -1);
  EXPECT_EQ(partial->vm_rss_kib, 12);

  EXPECT_FALSE(ParseProcStatus("Name:\tkthreadd\nState:\tS\n").ok());  // kernel threads have neither
  EXPECT_FALSE(ParseProcStatus("RssAnon:\t 12 MB\n").ok());
  EXPECT_FALSE(ParseProcStatus("RssAnon:\t x kB\n").ok());
  EXPECT_FALSE(ParseProcStatus("").ok());
}

TEST(ProcSamplerTest, ParsesStatCpuTime) {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  auto t = ParseProcStatCpuTicks("1234 (kstream-apiserv) S 1 1234 1234 0 -1 4194560 1000 0 5 0 250 75 0 0 20 0 5 0\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, 325u);
  // The command name may hold spaces and parentheses.
  auto odd = ParseProcStatCpuTicks("99 (a) b (c) d) R 1 2 3 4 5 6 7 8 9 10 11 12 0 0 0\n");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(*odd, 23u);
  EXPECT_FALSE(ParseProcStatCpuTicks("99 (x) R 1 2 3").ok());
  EXPECT_FALSE(ParseProcStatCpuTicks("no parens at all").ok());
  EXPECT_FALSE(ParseProcStatCpuTicks("1 (x) R 1 2 3 4 5 6 7 8 9 10 u s").ok());
}

TEST(ProcSamplerTest, SamplesALiveProcess) {
  auto s = ReadProcSample(getpid());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GT(s->rss_anon_kib, 0);
  EXPECT_GE(s->vm_rss_kib, s->rss_anon_kib);

  ProcSampler sampler(getpid(), std::chrono::milliseconds(5));
  ASSERT_TRUE(sampler.Start().ok());
  // 64 MiB touched, then freed: the peak must show it.
  {
    std::vector<char> big(64 << 20);
    std::memset(big.data(), 1, big.size());
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    volatile uint64_t spin = 0;
    while (std::chrono::steady_clock::now() < until) spin = spin + big[spin % big.size()];
  }
  sampler.Stop();
  sampler.Stop();  // idempotent
  const ProcSummary& sum = sampler.summary();
  EXPECT_EQ(sum.pid, getpid());
  EXPECT_FALSE(sum.exited);
  EXPECT_GE(sum.peak_rss_anon_kib - sum.idle.rss_anon_kib, 60 * 1024);
  EXPECT_GE(sum.samples.size(), 5u);
  EXPECT_GT(sum.cpu_seconds, 0.0);
  EXPECT_LT(sum.cpu_seconds, 10.0);
}

TEST(ProcSamplerTest, KillsAProcessAboveTheCap) {
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Once told, grows by 8 MiB every 10 ms up to 256 MiB, then waits.
    char c;
    if (read(go[0], &c, 1) != 1) _exit(1);
    std::vector<std::vector<char>> chunks;
    for (int i = 0; i < 32; ++i) {
      chunks.emplace_back(8 << 20, 1);
      usleep(10000);
    }
    sleep(30);
    _exit(0);
  }
  close(go[0]);
  // The cap: 48 MiB above what the child starts with (a copy of this process).
  auto start = ReadProcSample(child);
  ASSERT_TRUE(start.ok());
  const int64_t cap = start->rss_anon_kib + 48 * 1024;
  ProcSampler sampler(child, std::chrono::milliseconds(5), cap);
  ASSERT_TRUE(sampler.Start().ok());
  ASSERT_EQ(write(go[1], "x", 1), 1);
  close(go[1]);
  int st = 0;
  ASSERT_EQ(waitpid(child, &st, 0), child);
  sampler.Stop();
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGKILL);
  EXPECT_TRUE(sampler.summary().killed_at_cap);
  EXPECT_TRUE(sampler.summary().exited);
  EXPECT_GT(sampler.summary().peak_rss_anon_kib, cap);
  EXPECT_LT(sampler.summary().peak_rss_anon_kib, cap + 150 * 1024);
}

TEST(ProcSamplerTest, MissingProcessFails) {
  ProcSampler sampler(0x7ffffff0, std::chrono::milliseconds(5));
  EXPECT_FALSE(sampler.Start().ok());
  EXPECT_FALSE(ReadProcSample(0x7ffffff0).ok());
}

}  // namespace
}  // namespace kstream::bench
