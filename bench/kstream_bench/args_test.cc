#include "kstream_bench/args.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

namespace kstream::bench {
namespace {

TEST(ArgsTest, ByteSizes) {
  struct Case {
    const char* in;
    uint64_t want;
  } cases[] = {{"0", 0},          {"100000", 100000}, {"100k", 100000},       {"100KB", 100000},
               {"100KiB", 102400}, {"1.5M", 1500000},  {"1MiB", 1048576},      {"2GB", 2000000000},
               {"1GiB", 1073741824}, {"1MB/s", 1000000}, {"512b", 512},       {"10kb", 10000}};
  for (const auto& c : cases) {
    auto v = ParseByteSize(c.in);
    ASSERT_TRUE(v.ok()) << c.in << ": " << v.status().ToString();
    EXPECT_EQ(*v, c.want) << c.in;
  }
  for (const char* bad : {"", "k", "1.2.3", "10 KB", "10XB", "-5", "1.5", "0.1k5"}) {
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  }
}

TEST(ArgsTest, Durations) {
  struct Case {
    const char* in;
    double want;
  } cases[] = {{"30s", 30}, {"500ms", 0.5}, {"2m", 120}, {"1h", 3600}, {"1m30s", 90}, {"10", 10}, {"1.5s", 1.5}};
  for (const auto& c : cases) {
    auto v = ParseDuration(c.in);
    ASSERT_TRUE(v.ok()) << c.in;
    EXPECT_DOUBLE_EQ(*v, c.want) << c.in;
  }
  for (const char* bad : {"", "s", "5x", "1m30", "-1s", "3 s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(ArgsTest, List) {
  auto o = ParseListArgs({"--url", "https://127.0.0.1:6443/api/v1/configmaps", "--token=abc", "--clients=10",
                          "--repeat", "3", "--accept", "protobuf", "--gzip", "--limit=500", "--read-rate=1MB/s",
                          "--server-pid", "4242", "--json-out=/tmp/x.json", "--expect-items=10000", "--raw",
                          "--insecure-skip-verify", "--threads=2", "--idle-timeout=30s", "--label", "streaming"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->url, "https://127.0.0.1:6443/api/v1/configmaps");
  EXPECT_EQ(o->token, "abc");
  EXPECT_EQ(o->clients, 10);
  EXPECT_EQ(o->repeat, 3);
  EXPECT_EQ(o->format, ListFormat::kProtobuf);
  EXPECT_TRUE(o->gzip);
  EXPECT_EQ(o->limit, 500u);
  EXPECT_EQ(o->read_rate, 1000000u);
  EXPECT_EQ(o->server_pid, 4242);
  EXPECT_EQ(o->json_out, "/tmp/x.json");
  EXPECT_EQ(o->expect_items, 10000);
  EXPECT_TRUE(o->raw);
  EXPECT_FALSE(o->raw_only);
  EXPECT_TRUE(o->tls.insecure_skip_verify);
  EXPECT_EQ(o->threads, 2);
  EXPECT_DOUBLE_EQ(o->idle_timeout_s, 30);
  EXPECT_EQ(o->label, "streaming");

  auto d = ParseListArgs({"--url=http://h/x", "--duration", "1m", "--gzip=false", "--raw-only"});
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->duration_s, 60);
  EXPECT_FALSE(d->gzip);
  EXPECT_TRUE(d->raw);  // --raw-only implies the baseline
  EXPECT_EQ(d->clients, 1);
  EXPECT_EQ(d->format, ListFormat::kJson);
}

TEST(ArgsTest, ListErrorsNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{}, "--url is required"},
      {{"--url=ftp://x"}, "--url: URL \"ftp://x\" must start with http:// or https://"},
      {{"--url=http://h", "--clients"}, "--clients needs a value"},
      {{"--url=http://h", "--clients=0"}, "--clients: 0 is out of range [1, 100000]"},
      {{"--url=http://h", "--clients=x"}, "--clients: bad number \"x\""},
      {{"--url=http://h", "--accept=xml"}, "--accept: unknown format \"xml\" (json, protobuf, table or yaml)"},
      {{"--url=http://h", "--gzip=yes"}, "--gzip takes true or false, not \"yes\""},
      {{"--url=http://h", "--nope"}, "unknown flag --nope"},
      {{"--url=http://h", "stray"}, "unexpected argument \"stray\""},
      {{"--url=http://h", "--server-memory-cap=1GiB"}, "--server-memory-cap needs --server-pid"},
      {{"--url=http://h", "--limit=1q"}, "--limit: bad size unit in \"1q\" (B, k/KB, KiB, M/MB, MiB, G/GB, GiB)"},
  };
  for (const auto& c : cases) {
    auto o = ParseListArgs(c.args);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.status().message(), c.message);
  }
}

TEST(ArgsTest, Load) {
  auto o = ParseLoadArgs({"--url=http://127.0.0.1:8080", "--kind", "pod", "--count=200", "--size=10KB",
                          "--namespace=bench", "--concurrency=4"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->kind, LoadKind::kPod);
  EXPECT_EQ(o->count, 200u);
  EXPECT_EQ(o->size, 10000u);
  EXPECT_EQ(o->ns, "bench");
  EXPECT_EQ(o->concurrency, 4);
  EXPECT_EQ(o->name_prefix, "bench-pod-");
  EXPECT_TRUE(o->random_payload);

  EXPECT_EQ(ParseLoadArgs({"--url=http://h"}).status().message(), "--count is required (> 0)");
  EXPECT_EQ(ParseLoadArgs({"--url=http://h", "--count=1", "--kind=node"}).status().message(),
            "--kind: unknown kind \"node\" (configmap, secret, pod or widget)");
  EXPECT_FALSE(ParseLoadArgs({"--url=http://h", "--count=1", "--size=4MiB"}).ok());
}

TEST(ArgsTest, TokenFile) {
  char path[] = "/tmp/kstream-bench-token-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream(path) << "s3cr3t,admin,admin,\"system:masters\"\nother,u,u\n";
  }
  auto o = ParseRawArgs({"--from=http://h/api/v1/pods", "--token-file", path, "--accept=yaml", "--port=0"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->token, "s3cr3t");
  EXPECT_EQ(o->format, ListFormat::kYaml);
  {
    std::ofstream(path) << "just-a-token\n";
  }
  auto j = ParseListArgs({"--url=http://h/", "--token-file", path});
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->token, "just-a-token");
  unlink(path);
  EXPECT_FALSE(ParseListArgs({"--url=http://h/", "--token-file", path}).ok());
}

TEST(ArgsTest, UsageMentionsEveryCommand) {
  const std::string u = Usage();
  for (const char* s : {"kstream-bench load", "kstream-bench list", "kstream-bench raw", "--server-pid", "--raw"}) {
    EXPECT_NE(u.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace kstream::bench
