// Continue tokens: the opaque `continue` value of a paginated LIST, byte-compatible with
// kube-apiserver's (apiserver/pkg/storage/continue.go), so tokens from a real cluster work
// here and ours work there.
//
// A token is base64.RawURLEncoding (alphabet `-_`, no padding) of the compact JSON
// `{"v":"meta.k8s.io/v1","rv":<int64>,"start":"<key>"}` (Go escaping: the NUL is written
// `\u0000`), where <key> is the storage key to continue from with the collection's key
// prefix removed: the last returned key plus "\0", the smallest key after it.
// rv is the revision of the first page (all pages read the same snapshot); rv -1 means
// "continue at the latest revision" (what the 410 Expired answer hands out).
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kstream::registry {

struct ContinueToken {
  int64_t rv = 0;
  // The key to start at, without the collection prefix (kube's DecodeContinue returns
  // prefix + this). Includes the trailing "\0" an encoded token carries. After the
  // path-traversal check, so it has no leading '/' and no "." / ".." / empty segments.
  std::string start;
};

// The token for the next page after `last_key_without_prefix` (the last returned key with
// the collection prefix removed, e.g. "foo" or "<ns>/<name>"): start = that key + "\0".
std::string EncodeContinue(int64_t rv, std::string_view last_key_without_prefix);

// The token for an exact start key (no "\0" appended): for re-encoding a decoded start
// (kube's 410 answer: EncodeContinue(decoded start, prefix, -1)).
std::string EncodeContinueStart(int64_t rv, std::string_view start);

// Decodes a token. Errors (InvalidArgument) carry the full message of kube's 400
// BadRequest Status, "invalid continue token: " + continue.go's error:
//   invalid continue token: continue key is not valid: illegal base64 data at input byte 4
//   invalid continue token: continue key is not valid: unexpected end of JSON input
//   invalid continue token: continue key is not valid: json: cannot unmarshal string into Go struct field continueToken.rv of type int64
//   invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)
//   invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)
//   invalid continue token: continue key is not valid: server does not recognize this encoded version v2
//   invalid continue token: continue key is not valid: <start>      (path traversal: "../x", "a//b", "a/")
Result<ContinueToken> DecodeContinue(std::string_view token);

// Go's base64.RawURLEncoding: EncodeToString, and DecodeString (non-strict: CR/LF are
// skipped, nonzero trailing bits accepted). The decode error is Go's CorruptInputError
// text, "illegal base64 data at input byte <n>".
std::string Base64RawUrlEncode(std::string_view data);
Result<std::string> Base64RawUrlDecode(std::string_view text);

// Go's path.Clean.
std::string GoPathClean(std::string_view path);

}  // namespace kstream::registry
