// go-yaml v2's order of string map keys (sorter.go keyList.Less), which yaml.Marshal uses
// for every map and so decides the key order of everything kube-apiserver writes as YAML.
//
// It is a "natural" order over runes, not bytewise: at the first differing rune,
//   - two letters (Go's unicode.IsLetter) compare by code point (`B` < `a`);
//   - a non-letter sorts before a letter (`a_b` < `ab`, `a1` < `aa`);
//   - otherwise the runs of digits (unicode.IsDigit) starting there compare as numbers
//     (`a2` < `a10`), accumulated in a wrapping int64 exactly as Go does, with go-yaml's
//     leading-zero rule (`a1` < `a01`); a shorter digit run, then the lower code point,
//     breaks ties;
// and a string that is a prefix of the other sorts first.
//
// Keys must be valid UTF-8 (callers pass strings as go-yaml would see them).
// Thread-safe, pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kstream::encoding::yaml {

// keyList.Less(a, b) for two string keys.
bool KeyLess(std::string_view a, std::string_view b);

// Sorts `order` (indexes into `keys`) with KeyLess. Inputs of up to 12 keys are sorted
// with the insertion sort Go's sort.Sort uses for short inputs, so even keys for which
// KeyLess is not a strict weak order (digit runs that overflow int64, exotic Unicode
// digits) come out as in Go; longer inputs use a merge sort, which matches Go whenever the
// order is consistent and never misbehaves when it is not. Cheap when `keys` (taken in the
// order of `order`) are already sorted.
void SortKeyIndexes(const std::vector<std::string_view>& keys, std::vector<uint32_t>* order);

}  // namespace kstream::encoding::yaml
