// Human-readable durations as kube prints them (apimachinery/pkg/util/duration):
// HumanDuration is what the server-side Table printers use for AGE columns
// (translateTimestampSince: HumanDuration(now - creationTimestamp), "<unknown>" for a zero
// timestamp) and what custom-resource `date` columns use; ShortHumanDuration is the
// one-unit form ("5m", "3d") some kubectl outputs use.
//
// Both tolerate clock skew: anything from just under -2s up to 0 is "0s"; -2s and below
// is "<invalid>". Years are 365 days.
//
// Pure functions, thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace kstream::registry {

// duration.HumanDuration: ~2-3 significant figures.
//   < 2m: "Ns"; < 10m: "NmSs" / "Nm"; < 3h: "Nm"; < 8h: "NhMm" / "Nh"; < 2d: "Nh";
//   < 8d: "NdHh" / "Nd"; < 2y: "Nd"; < 8y: "NyDd" / "Ny"; then "Ny".
std::string HumanDuration(std::chrono::nanoseconds d);

// duration.ShortHumanDuration: "Ns" (< 1m), "Nm" (< 1h), "Nh" (< 1d), "Nd" (< 365d), "Ny".
std::string ShortHumanDuration(std::chrono::nanoseconds d);

}  // namespace kstream::registry
