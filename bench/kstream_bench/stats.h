// Small statistics and formatting helpers of kstream-bench: percentiles of a sample set
// and a minimal JSON writer for the result files. Header-only, pure, thread-safe.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace kstream::bench {

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

// Nearest-rank percentile (p in (0, 100]) of `v`; 0 for an empty set. Sorts `v`.
inline double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  if (rank == 0) rank = 1;
  return v[std::min(rank, v.size()) - 1];
}

inline Percentiles Summarize(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  p.p50 = Percentile(v, 50);
  p.p99 = Percentile(v, 99);
  p.max = v.back();
  return p;
}

// Appends JSON text; the caller writes the structure (commas included) with the helpers.
class JsonWriter {
 public:
  JsonWriter& Raw(std::string_view s) {
    out_.append(s);
    return *this;
  }
  JsonWriter& String(std::string_view s) {
    out_.push_back('"');
    for (unsigned char c : s) {
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out_ += buf;
          } else {
            out_.push_back(static_cast<char>(c));
          }
      }
    }
    out_.push_back('"');
    return *this;
  }
  JsonWriter& Number(double v) {
    if (!std::isfinite(v)) return Raw("null");
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
      std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
      std::snprintf(buf, sizeof buf, "%.6g", v);
    }
    return Raw(buf);
  }
  JsonWriter& Int(int64_t v) { return Raw(std::to_string(v)); }
  JsonWriter& Bool(bool v) { return Raw(v ? "true" : "false"); }
  // `"key":` preceded by a comma unless it is the first member (`first` is updated).
  JsonWriter& Key(std::string_view k, bool* first) {
    if (!*first) out_.push_back(',');
    *first = false;
    String(k);
    out_.push_back(':');
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

}  // namespace kstream::bench
