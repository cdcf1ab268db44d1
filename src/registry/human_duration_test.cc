#include "registry/human_duration.h"

#include <gtest/gtest.h>

#include <chrono>

namespace kstream::registry {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr hours Days(int64_t n) { return hours(24 * n); }

TEST(HumanDurationTest, KubeTable) {
  // apimachinery/pkg/util/duration duration_test.go cases, plus every boundary.
  const std::pair<nanoseconds, const char*> cases[] = {
      {seconds(1), "1s"},
      {seconds(70), "70s"},
      {seconds(190), "3m10s"},
      {minutes(70), "70m"},
      {hours(47), "47h"},
      {hours(49), "2d1h"},
      {hours(8 * 24 + 2), "8d"},
      {hours(367 * 24), "367d"},
      {hours(365 * 2 * 24 + 25), "2y1d"},
      {hours(365 * 8 * 24 + 2), "8y"},
      // boundaries
      {nanoseconds(0), "0s"},
      {milliseconds(999), "0s"},
      {seconds(119), "119s"},
      {seconds(120), "2m"},
      {seconds(121), "2m1s"},
      {seconds(599), "9m59s"},
      {seconds(600), "10m"},
      {minutes(179) + seconds(59), "179m"},
      {minutes(180), "3h"},
      {hours(3) + minutes(30), "3h30m"},
      {hours(7) + minutes(59) + seconds(59), "7h59m"},
      {hours(8), "8h"},
      {hours(47) + minutes(59), "47h"},
      {hours(48), "2d"},
      {Days(7) + hours(23), "7d23h"},
      {Days(8), "8d"},
      {Days(729), "729d"},
      {Days(730), "2y"},
      {Days(365 * 8 - 1), "7y364d"},
      {Days(365 * 8), "8y"},
      {Days(365 * 100 + 200), "100y"},
      {nanoseconds(INT64_MAX), "292y"},
  };
  for (const auto& [d, want] : cases) EXPECT_EQ(HumanDuration(d), want) << d.count();
}

TEST(HumanDurationTest, ClockSkew) {
  EXPECT_EQ(HumanDuration(milliseconds(-1)), "0s");
  EXPECT_EQ(HumanDuration(seconds(-1)), "0s");
  EXPECT_EQ(HumanDuration(milliseconds(-1999)), "0s");
  EXPECT_EQ(HumanDuration(seconds(-2)), "<invalid>");
  EXPECT_EQ(HumanDuration(Days(-3)), "<invalid>");
  EXPECT_EQ(HumanDuration(nanoseconds(INT64_MIN)), "<invalid>");
}

TEST(ShortHumanDurationTest, Units) {
  const std::pair<nanoseconds, const char*> cases[] = {
      {nanoseconds(0), "0s"},   {seconds(59), "59s"},     {seconds(60), "1m"},
      {minutes(59), "59m"},     {minutes(60), "1h"},      {hours(23), "23h"},
      {hours(24), "1d"},        {Days(364), "364d"},      {Days(365), "1y"},
      {Days(800), "2y"},        {milliseconds(-1500), "0s"}, {seconds(-2), "<invalid>"},
      {nanoseconds(INT64_MAX), "292y"},
  };
  for (const auto& [d, want] : cases) EXPECT_EQ(ShortHumanDuration(d), want) << d.count();
}

}  // namespace
}  // namespace kstream::registry
