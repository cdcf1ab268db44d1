// Static bearer tokens: kube-apiserver's `--token-auth-file`, and the admin token the
// server makes for itself on first start.
//
// The file is CSV read exactly as kube's tokenfile.NewCSV reads it with Go's encoding/csv
// (RFC 4180 quoting, `""` for a quote inside a quoted field, CRLF folded to LF, blank lines
// skipped, no comment lines, no trimming of spaces, any number of fields per record):
//
//   token,user,uid,"group1,group2"
//
// Each record needs at least 3 fields (else the load fails); the 4th, when present, is split
// on "," into groups without trimming; further fields are ignored. A record with an empty
// token is skipped and a token seen again replaces the earlier record; both add a warning
// (kube logs them and goes on). The "system:authenticated" group is not added here: the
// authentication chain adds it for every authenticated user, as kube's does.
//
// A TokenAuthenticator is immutable after loading: concurrent Authenticate calls are safe.
// Returned UserInfo pointers live as long as the authenticator.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace kstream::server::auth {

inline constexpr char kAdminUser[] = "admin";
inline constexpr char kMastersGroup[] = "system:masters";
inline constexpr char kDefaultTokenFileName[] = "tokens.csv";

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

class TokenAuthenticator {
 public:
  TokenAuthenticator() = default;

  // Parses token-file content. `source` names the file in messages (kube prints the path).
  // Errors (kInvalidArgument) have Go's texts, e.g.
  //   parse error on line 2, column 5: bare " in non-quoted-field
  //   token file 'f.csv' must have at least 3 columns (token, user name, user uid), found 2
  static Result<TokenAuthenticator> Parse(std::string_view csv, std::string_view source);

  // The user a bearer token belongs to, or null. The pointer lives as long as *this.
  const UserInfo* Authenticate(std::string_view bearer_token) const;

  // The first token in file order that authenticates as user `name`, if any.
  std::optional<std::string> TokenForUser(std::string_view name) const;

  size_t size() const { return tokens_.size(); }
  // Kube's warnings for the file, e.g. "duplicate token has been found in token file
  // 'f.csv', record number '3'", for the caller to log.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, UserInfo, Hash, std::equal_to<>> tokens_;
  std::vector<std::string> order_;  // tokens in the order first seen
  std::vector<std::string> warnings_;
};

// Reads and parses a token file (at most 64 MiB). kNotFound when it does not exist.
Result<TokenAuthenticator> LoadTokenFile(const std::string& path);

// The token of an `Authorization` header value, by kube's bearertoken rules: the value is
// trimmed of (Unicode) white space, split on single spaces; the first part must be
// "bearer" in any case and the second part, the token, must not be empty (so exactly one
// space separates them; anything after a further space is ignored). nullopt otherwise.
// The view points into `authorization_header`.
std::optional<std::string_view> BearerToken(std::string_view authorization_header);

// The admin token, made on first start. The token file is `token_file_path`, or
// `<dir>/tokens.csv` when that is empty; `dir` (when not empty) is created 0700 and
// locked while the file is checked and written. When the file does not exist, a token of
// 32 random bytes (base64url, no padding: 43 characters) is made and the file is written
// (0600, atomically) as the single line
//   <token>,admin,admin,"system:masters"
// When it exists, *token is the first token of user "admin" in it; a file without one is
// kNotFound, an unreadable or malformed one is its load error.
Status EnsureAdminToken(const std::string& dir, const std::string& token_file_path, std::string* token);

// n random bytes (OpenSSL's RAND_bytes) as base64url without padding.
Result<std::string> RandomToken(size_t n_bytes = 32);

}  // namespace kstream::server::auth
