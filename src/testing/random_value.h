// Deterministic generators of unstructured Values for property tests, fuzzing and
// benchmarks.
//
// Every generator takes a seeded std::mt19937_64, so a failing case is reproduced from its
// seed. The generated data deliberately covers what makes JSON encoding hard: every
// escaping class (HTML characters, control bytes, quotes, U+2028/U+2029, invalid UTF-8,
// 2-4 byte UTF-8), numbers at the edges of their formats (int64 extremes, floats around
// 1e-6 and 1e21, subnormals, negative zero, integral floats), empty and deeply nested
// containers, and keys that sort in surprising ways.
//
// Test-only code: not linked into the server or the CLI.
#pragma once

#include <cstddef>
#include <random>
#include <string>

#include "api/value.h"

namespace kstream::testing {

// A random string of up to `max_len` bytes (not necessarily valid UTF-8).
std::string RandomString(std::mt19937_64& rng, size_t max_len);
// A random finite float64 drawn from the interesting magnitudes.
double RandomFloat(std::mt19937_64& rng);
// A random int64, often an extreme.
int64_t RandomInt(std::mt19937_64& rng);
// Any Value, nested at most `max_depth` deep, with at most `max_width` members/elements
// per container.
api::Value RandomValue(std::mt19937_64& rng, int max_depth, size_t max_width);
// An object shaped like a custom resource: apiVersion, kind, metadata (name, namespace,
// labels, annotations, ...) and a random spec/status, with `payload_bytes` extra bytes of
// string data (e.g. 100 KB to shape ConfigMap-like items, ~1.5 MiB for the largest ones).
api::Value RandomResource(std::mt19937_64& rng, size_t payload_bytes);
// A list header: apiVersion, kind, metadata with resourceVersion and optionally continue
// and remainingItemCount; sometimes extra members sorting before and after "items", and
// sometimes a bogus "items" member the encoder must ignore.
api::Value RandomListHeader(std::mt19937_64& rng);

}  // namespace kstream::testing
