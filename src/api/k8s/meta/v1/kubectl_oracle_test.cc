// Go as the oracle for the hand-written special types: kubectl 1.33 decodes objects into
// Kubernetes' typed Go structs (`kubectl set selector --local -f FILE a=b -o json` decodes
// any built-in kind offline, and prints Services with Go's encoding/json), so it shows
// what metav1.Time / MicroTime and intstr.IntOrString accept, the errors they give, and
// the JSON they write. Skipped when kubectl.1.33 is absent (fails if
// KSTREAM_REQUIRE_ORACLE is set).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json.h"
#include "testing/kubectl.h"
#include "api/k8s/intstr/int_or_string.h"
#include "api/k8s/meta/v1/time.h"

namespace kstream::k8s {
namespace {

namespace fs = std::filesystem;

using ::kstream::testing::FindKubectl133;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SpecialTypesKubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubectl_ = FindKubectl133();
    if (kubectl_.empty()) {
      if (::kstream::testing::OracleRequired()) {
        FAIL() << "kubectl.1.33 not found (KSTREAM_REQUIRE_ORACLE is set)";
      }
      GTEST_SKIP() << "kubectl.1.33 not found next to the kubectl dispatcher";
    }
    std::string tmpl = (fs::temp_directory_path() / "ks-special-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  struct Outcome {
    bool ok;
    std::string out;  // stdout when ok, else the decode error message
  };

  // Runs `kubectl set selector --local -f <json> a=b -o json`.
  Outcome Run(const std::string& json) {
    const fs::path in = dir_ / "in.json", out = dir_ / "out.json", err = dir_ / "err.txt";
    std::ofstream(in, std::ios::binary) << json;
    const std::string cmd = "'" + kubectl_ + "' set selector --local -f '" + in.string() +
                            "' a=b -o json > '" + out.string() + "' 2> '" + err.string() + "'";
    const int rc = std::system(cmd.c_str());
    if (rc == 0) return {true, ReadAll(out)};
    std::string e = ReadAll(err);
    while (!e.empty() && e.back() == '\n') e.pop_back();
    const std::string prefix = "error: unable to decode \"" + in.string() + "\": ";
    if (e.rfind(prefix, 0) == 0) return {false, e.substr(prefix.size())};
    return {false, e};  // not a decode error (e.g. "setting a selector is only supported ...")
  }

  std::string kubectl_;
  fs::path dir_;
};

std::string Encode(const api::Value& v) { return *api::ToJson(v); }

template <class T>
std::string OurJson(const T& v) {
  std::string out;
  EXPECT_TRUE(typed::EncodeJson(v, &out).ok());
  return out;
}

// ---------------------------------------------------------------------------------------
// metav1.Time: ObjectMeta.creationTimestamp of a Service.

TEST_F(SpecialTypesKubectlTest, TimeDecodeAndEncode) {
  const std::vector<std::string> inputs = {
      "null", "\"2008-01-01T01:01:01Z\"", "\"2008-01-01T01:01:01.5+01:30\"",
      "\"2008-01-01T1:01:01,25Z\"", "\"2008-01-01T01:01:01+24:60\"", "\"2008-01-01T01:01:01+25:00\"",
      "\"2008-01-01T00:00:00+00:61\"", "\"2007-02-29T00:00:00Z\"", "\"2000-02-29T00:00:00Z\"",
      "\"1900-02-29T00:00:00Z\"", "\"2008-13-01T00:00:00Z\"", "\"2008-01-01T24:00:00Z\"",
      "\"2008-01-01T00:00:60Z\"", "\"2008-01-01\"", "\"2008-01-01T00:00:00\"",
      "\"2008-01-01T00:00:00Zx\"", "\"0001-01-01T00:00:00Z\"", "\"0000-01-01T00:00:00Z\"",
      "\"9999-12-31T23:59:59-24:60\"", "\"x\"", "\"\"", "5", "true", "{}", "[]",
      "\"2008-01-01T00:00:00.-5Z\"", "\"2008-01-01T00:00:00+0100\"", "\"\\u00e9\\t\\\"\"",
      "\"2008-02-30T99:00:00Z\"", "\"20080-01-01T00:00:00Z\"", "\"2008-01-01T123:00:00Z\""};
  for (const std::string& in : inputs) {
    SCOPED_TRACE(in);
    const Outcome go = Run(
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\","
        "\"creationTimestamp\":" + in + "}}");
    meta::v1::Time t;
    typed::DecodeContext ctx;
    ctx.PushKey("metadata");
    ctx.EnterStruct("ObjectMeta");
    ctx.PushKey("creationTimestamp");
    const Status s = DecodeJson(*api::ParseJson(in), &t, ctx);
    ASSERT_EQ(s.ok(), go.ok) << s.ToString() << " vs " << go.out;
    if (go.ok) {
      Result<api::Value> printed = api::ParseJson(go.out);
      ASSERT_TRUE(printed.ok());
      EXPECT_EQ(OurJson(t), Encode(*printed->Find("metadata")->Find("creationTimestamp")));
    } else {
      EXPECT_EQ(s.message(), go.out);
    }
  }
}

TEST_F(SpecialTypesKubectlTest, TimeCalendarOnRandomInstants) {
  // Many well-formed timestamps (years 0000-9999, any offset Go allows, 0-12 fraction
  // digits) in one List: Go's UTC form must equal ours for every one.
  std::mt19937_64 rng(20240601);
  auto pick = [&](int lo, int hi) { return static_cast<int>(rng() % (hi - lo + 1)) + lo; };
  std::vector<std::string> stamps;
  std::string list = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[";
  for (int i = 0; i < 300; ++i) {
    char buf[96];
    const int year = i < 20 ? (i % 2 == 0 ? pick(0, 3) : pick(9996, 9999)) : pick(0, 9999);
    const int month = pick(1, 12);
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    const int mdays[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", year, month,
                  pick(1, mdays[month - 1]), pick(0, 23), pick(0, 59), pick(0, 59));
    std::string s = buf;
    const int digits = pick(0, 12);
    if (digits > 0) {
      s += pick(0, 1) ? "." : ",";
      for (int d = 0; d < digits; ++d) s.push_back(static_cast<char>('0' + pick(0, 9)));
    }
    if (pick(0, 3) == 0) {
      s += "Z";
    } else {
      std::snprintf(buf, sizeof(buf), "%c%02d:%02d", pick(0, 1) ? '+' : '-', pick(0, 24),
                    pick(0, 60));
      s += buf;
    }
    stamps.push_back(s);
    if (i > 0) list += ",";
    list += "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s" +
            std::to_string(i) + "\",\"creationTimestamp\":\"" + s + "\"}}";
  }
  list += "]}";
  const Outcome go = Run(list);
  ASSERT_TRUE(go.ok) << go.out;
  // kubectl prints the items one indented object after another.
  std::vector<api::Value> items;
  for (size_t start = 0; start < go.out.size();) {
    size_t end = go.out.find("\n}\n", start);
    end = end == std::string::npos ? go.out.size() : end + 2;
    Result<api::Value> item = api::ParseJson(std::string_view(go.out).substr(start, end - start));
    ASSERT_TRUE(item.ok()) << item.status().ToString();
    items.push_back(std::move(*item));
    start = end + 1;
  }
  ASSERT_EQ(items.size(), stamps.size());
  for (size_t i = 0; i < stamps.size(); ++i) {
    SCOPED_TRACE(stamps[i]);
    Result<meta::v1::Time> t = meta::v1::Time::ParseRfc3339(stamps[i]);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(OurJson(*t), Encode(*items[i].Find("metadata")->Find("creationTimestamp")));
  }
}

// ---------------------------------------------------------------------------------------
// metav1.MicroTime: Event.eventTime (decode only: kubectl then refuses to set a selector
// on an Event, which tells us decoding succeeded).

TEST_F(SpecialTypesKubectlTest, MicroTimeDecode) {
  const std::vector<std::string> inputs = {
      "null", "\"2008-01-01T01:01:01.123456Z\"", "\"2008-01-01T01:01:01,123456+01:00\"",
      "\"2008-01-01T01:01:01Z\"", "\"2008-01-01T01:01:01.123Z\"", "\"2008-01-01T01:01:01.1234567Z\"",
      "\"2008-01-01T01:01:01.-12345Z\"", "\"2008-01-01T01:01:01.+12345Z\"",
      "\"2008-01-01T01:01:01.12a456Z\"", "\"2008-02-30T01:01:01.123456Z\"", "7"};
  for (const std::string& in : inputs) {
    SCOPED_TRACE(in);
    const Outcome go = Run(
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e\"},"
        "\"involvedObject\":{},\"eventTime\":" + in + "}");
    meta::v1::MicroTime t;
    typed::DecodeContext ctx;
    ctx.EnterStruct("Event");
    ctx.PushKey("eventTime");
    const Status s = DecodeJson(*api::ParseJson(in), &t, ctx);
    if (s.ok()) {
      EXPECT_EQ(go.out, "error: setting a selector is only supported for Services");
    } else {
      EXPECT_EQ(s.message(), go.out);
    }
  }
}

// ---------------------------------------------------------------------------------------
// intstr.IntOrString: ServicePort.targetPort.

TEST_F(SpecialTypesKubectlTest, IntOrStringDecodeAndEncode) {
  const std::vector<std::string> inputs = {"null", "\"x\"", "7", "-5", "0", "2147483647",
                                           "-2147483648", "\"\"", "\"50%\"", "\"\\u003c&\"",
                                           "\"5\"", "true", "1.5", "99999999999", "{}", "[]"};
  for (const std::string& in : inputs) {
    SCOPED_TRACE(in);
    const Outcome go = Run(
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},"
        "\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":" + in + "}]}}");
    intstr::IntOrString v;
    typed::DecodeContext ctx;
    ctx.PushKey("spec");
    ctx.PushKey("ports");
    ctx.PushIndex(0);
    ctx.EnterStruct("ServicePort");
    ctx.PushKey("targetPort");
    const Status s = DecodeJson(*api::ParseJson(in), &v, ctx);
    ASSERT_EQ(s.ok(), go.ok) << s.ToString() << " vs " << go.out;
    if (go.ok) {
      Result<api::Value> printed = api::ParseJson(go.out);
      ASSERT_TRUE(printed.ok());
      const api::Value& port = printed->Find("spec")->Find("ports")->as_array()[0];
      EXPECT_EQ(OurJson(v), Encode(*port.Find("targetPort")));
    } else {
      EXPECT_EQ(s.message(), go.out);
    }
  }
}

}  // namespace
}  // namespace kstream::k8s
