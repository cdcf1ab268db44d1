#include "registry/human_duration.h"

#include <cstdint>
#include <string>

namespace kstream::registry {

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

// Go's time.Duration.Seconds() / Minutes() / Hours(): whole part + fraction as float64.
double Seconds(int64_t d) { return double(d / kSecond) + double(d % kSecond) / 1e9; }
double Minutes(int64_t d) { return double(d / kMinute) + double(d % kMinute) / (60 * 1e9); }
double Hours(int64_t d) { return double(d / kHour) + double(d % kHour) / (60 * 60 * 1e9); }

std::string N(int64_t v, const char* unit) { return std::to_string(v) + unit; }
std::string NN(int64_t a, const char* ua, int64_t b, const char* ub) {
  return std::to_string(a) + ua + std::to_string(b) + ub;
}

}  // namespace

std::string HumanDuration(std::chrono::nanoseconds duration) {
  int64_t d = duration.count();
  int64_t seconds = static_cast<int64_t>(Seconds(d));
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return N(seconds, "s");
  int64_t minutes = d / kMinute;
  if (minutes < 10) {
    int64_t s = (d / kSecond) % 60;
    if (s == 0) return N(minutes, "m");
    return NN(minutes, "m", s, "s");
  }
  if (minutes < 60 * 3) return N(minutes, "m");
  int64_t hours = d / kHour;
  if (hours < 8) {
    int64_t m = (d / kMinute) % 60;
    if (m == 0) return N(hours, "h");
    return NN(hours, "h", m, "m");
  }
  if (hours < 48) return N(hours, "h");
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    if (h == 0) return N(hours / 24, "d");
    return NN(hours / 24, "d", h, "h");
  }
  if (hours < 24 * 365 * 2) return N(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    if (dy == 0) return N(hours / 24 / 365, "y");
    return NN(hours / 24 / 365, "y", dy, "d");
  }
  return N(hours / 24 / 365, "y");
}

std::string ShortHumanDuration(std::chrono::nanoseconds duration) {
  int64_t d = duration.count();
  int64_t seconds = static_cast<int64_t>(Seconds(d));
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return N(seconds, "s");
  int64_t minutes = static_cast<int64_t>(Minutes(d));
  if (minutes < 60) return N(minutes, "m");
  int64_t hours = static_cast<int64_t>(Hours(d));
  if (hours < 24) return N(hours, "h");
  if (hours < 24 * 365) return N(hours / 24, "d");
  return N(static_cast<int64_t>(Hours(d) / 24 / 365), "y");
}

}  // namespace kstream::registry
