#include "testing/random_value.h"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

namespace kstream::testing {
namespace {

size_t Uniform(std::mt19937_64& rng, size_t lo, size_t hi) {  // inclusive
  return std::uniform_int_distribution<size_t>(lo, hi)(rng);
}

bool Chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

// Pieces that exercise one escaping or decoding rule each.
constexpr std::array<std::string_view, 30> kPieces = {
    "<", ">", "&", "\"", "\\", "/", "\n", "\r", "\t", "\b", "\f",
    std::string_view("\x00", 1), "\x01", "\x1f", "\x7f",
    "\xe2\x80\xa8", "\xe2\x80\xa9",   // U+2028, U+2029
    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd",  // é € 😀 U+FFFD
    "\x80", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xc0\xaf",  // invalid UTF-8
    "\xf4\x90\x80\x80", ": ", " #"};

constexpr std::array<std::string_view, 12> kWords = {
    "name", "app", "true", "null", "123", "1e3", "kube-system", "items",
    "metadata", "Z", "a10", "a2"};

}  // namespace

std::string RandomString(std::mt19937_64& rng, size_t max_len) {
  std::string s;
  size_t len = Uniform(rng, 0, max_len);
  int mode = static_cast<int>(Uniform(rng, 0, 9));
  while (s.size() < len) {
    if (mode <= 4) {  // mostly plain ASCII
      s.push_back(static_cast<char>(Uniform(rng, 0x20, 0x7e)));
    } else if (mode <= 6) {
      s.append(kWords[Uniform(rng, 0, kWords.size() - 1)]);
    } else if (mode == 7) {
      s.append(kPieces[Uniform(rng, 0, kPieces.size() - 1)]);
    } else if (mode == 8) {  // any byte at all
      s.push_back(static_cast<char>(Uniform(rng, 0, 255)));
    } else {  // a mix
      if (Chance(rng, 0.8)) {
        s.push_back(static_cast<char>(Uniform(rng, 0x20, 0x7e)));
      } else {
        s.append(kPieces[Uniform(rng, 0, kPieces.size() - 1)]);
      }
    }
  }
  return s;
}

double RandomFloat(std::mt19937_64& rng) {
  switch (Uniform(rng, 0, 11)) {
    case 0: return 0.0;
    case 1: return -0.0;
    case 2: return static_cast<double>(static_cast<int64_t>(Uniform(rng, 0, 2000000)) - 1000000);
    case 3: return std::ldexp(1.0, static_cast<int>(Uniform(rng, 0, 2097)) - 1074);  // powers of two
    case 4: {  // around the 1e-6 and 1e21 format boundaries
      double base = Chance(rng, 0.5) ? 1e-6 : 1e21;
      double x = base;
      int steps = static_cast<int>(Uniform(rng, 0, 4));
      bool up = Chance(rng, 0.5);
      for (int i = 0; i < steps; ++i) x = std::nextafter(x, up ? 1e300 : 0.0);
      return Chance(rng, 0.5) ? x : -x;
    }
    case 5: return std::numeric_limits<double>::denorm_min() * static_cast<double>(Uniform(rng, 1, 1000));
    case 6: return Chance(rng, 0.5) ? std::numeric_limits<double>::max() : std::numeric_limits<double>::lowest();
    case 7: return static_cast<double>(Uniform(rng, 0, 1000)) / 10.0;  // 0.1 steps
    default: {  // any finite bit pattern
      while (true) {
        uint64_t bits = rng();
        double d;
        static_assert(sizeof(d) == sizeof(bits));
        std::memcpy(&d, &bits, sizeof(d));
        if (std::isfinite(d)) return d;
      }
    }
  }
}

int64_t RandomInt(std::mt19937_64& rng) {
  switch (Uniform(rng, 0, 5)) {
    case 0: return std::numeric_limits<int64_t>::min();
    case 1: return std::numeric_limits<int64_t>::max();
    case 2: return 0;
    case 3: return static_cast<int64_t>(rng());
    default: return static_cast<int64_t>(Uniform(rng, 0, 20000)) - 10000;
  }
}

api::Value RandomValue(std::mt19937_64& rng, int max_depth, size_t max_width) {
  size_t pick = Uniform(rng, 0, max_depth > 0 ? 9 : 5);
  switch (pick) {
    case 0: return api::Value();
    case 1: return api::Value(Chance(rng, 0.5));
    case 2: return api::Value(RandomInt(rng));
    case 3: return api::Value(RandomFloat(rng));
    case 4:
    case 5: return api::Value(RandomString(rng, Chance(rng, 0.9) ? 24 : 300));
    case 6:
    case 7: {
      api::Value::Array items;
      size_t n = Uniform(rng, 0, max_width);
      for (size_t i = 0; i < n; ++i) items.push_back(RandomValue(rng, max_depth - 1, max_width));
      return api::Value(std::move(items));
    }
    default: {
      std::vector<api::Member> members;
      size_t n = Uniform(rng, 0, max_width);
      for (size_t i = 0; i < n; ++i) {
        members.push_back({RandomString(rng, 12), RandomValue(rng, max_depth - 1, max_width)});
      }
      return api::Value::FromMembers(std::move(members));
    }
  }
}

api::Value RandomResource(std::mt19937_64& rng, size_t payload_bytes) {
  api::Value obj;
  obj.Set("apiVersion", "example.com/v1");
  obj.Set("kind", "Widget");
  api::Value& meta = obj.Set("metadata", api::Value::EmptyObject());
  meta.Set("name", "widget-" + std::to_string(rng() % 1000000));
  meta.Set("namespace", Chance(rng, 0.5) ? "default" : RandomString(rng, 20));
  meta.Set("uid", "6f1c2b9e-0d4a-4b7e-9a43-" + std::to_string(rng() % 1000000000000));
  meta.Set("resourceVersion", std::to_string(rng() % 100000000));
  meta.Set("creationTimestamp", "2026-11-28T12:00:00Z");
  if (Chance(rng, 0.7)) {
    api::Value& labels = meta.Set("labels", api::Value::EmptyObject());
    size_t n = Uniform(rng, 0, 5);
    for (size_t i = 0; i < n; ++i) labels.Set(RandomString(rng, 10), RandomString(rng, 16));
  }
  if (Chance(rng, 0.3)) {
    meta.Set("annotations", RandomValue(rng, 1, 4));
  }
  obj.Set("spec", RandomValue(rng, static_cast<int>(Uniform(rng, 0, 6)), 6));
  if (Chance(rng, 0.5)) obj.Set("status", RandomValue(rng, 3, 4));
  if (payload_bytes > 0) {
    std::string payload;
    payload.reserve(payload_bytes);
    // Mostly plain text with an occasional piece that needs escaping.
    while (payload.size() < payload_bytes) {
      uint64_t r = rng();
      if (r % 1000 == 0) {
        payload.append(kPieces[(r >> 10) % kPieces.size()]);
        continue;
      }
      for (int k = 0; k < 6 && payload.size() < payload_bytes; ++k, r >>= 10) {
        payload.push_back(static_cast<char>(0x20 + (r & 0x3FF) % 95));
      }
    }
    obj.Set("data", api::Value::EmptyObject()).Set("payload", std::move(payload));
  }
  return obj;
}

api::Value RandomListHeader(std::mt19937_64& rng) {
  api::Value h;
  if (Chance(rng, 0.9)) h.Set("apiVersion", Chance(rng, 0.5) ? "v1" : "example.com/v1");
  if (Chance(rng, 0.9)) h.Set("kind", Chance(rng, 0.5) ? "List" : "WidgetList");
  if (Chance(rng, 0.95)) {
    api::Value& meta = h.Set("metadata", api::Value::EmptyObject());
    if (Chance(rng, 0.9)) meta.Set("resourceVersion", std::to_string(rng() % 100000000));
    if (Chance(rng, 0.3)) meta.Set("continue", RandomString(rng, 40));
    if (Chance(rng, 0.3)) meta.Set("remainingItemCount", RandomInt(rng));
  }
  if (Chance(rng, 0.1)) h.Set("aaa", RandomValue(rng, 2, 3));        // sorts before "items"
  if (Chance(rng, 0.1)) h.Set("zzz", RandomValue(rng, 2, 3));        // sorts after "items"
  if (Chance(rng, 0.05)) h.Set("items", RandomValue(rng, 2, 3));     // must be ignored
  if (h.is_null()) h = api::Value::EmptyObject();
  return h;
}

}  // namespace kstream::testing
