#include "server/auth/token_file.h"

#include <openssl/rand.h>

#include <cstdint>
#include <string>
#include <utility>

#include "server/auth/files.h"

namespace kstream::server::auth {
namespace {

constexpr size_t kMaxTokenFileBytes = 64u << 20;

// Go's encoding/csv Reader as kube configures it (Comma ',', no Comment, FieldsPerRecord
// -1, LazyQuotes and TrimLeadingSpace false), reading from memory. Positions as Go reports
// them: 1-based lines, 1-based byte columns.
class GoCsvReader {
 public:
  explicit GoCsvReader(std::string_view data) : data_(data) {}

  enum Outcome { kRecord, kEof, kError };

  Outcome Read(std::vector<std::string>* record, std::string* error) {
    record->clear();
    // The first non-blank line (a line of just "\n" is blank; " \n" is not).
    bool eof = true;
    while (ReadLine()) {
      if (line_.size() == LengthNl(line_)) continue;
      eof = false;
      break;
    }
    if (eof) return kEof;

    const int rec_line = num_line_;
    int pos_line = num_line_;
    size_t pos_col = 1;
    std::string_view line = line_;
    for (;;) {
      if (line.empty() || line[0] != '"') {
        // Unquoted field: up to the next comma or the end of the line.
        size_t comma = line.find(',');
        std::string_view field = comma != std::string_view::npos ? line.substr(0, comma)
                                                                  : line.substr(0, line.size() - LengthNl(line));
        size_t quote = field.find('"');
        if (quote != std::string_view::npos) {
          *error = ParseError(rec_line, num_line_, pos_col + quote, "bare \" in non-quoted-field");
          return kError;
        }
        record->emplace_back(field);
        if (comma == std::string_view::npos) return kRecord;
        line.remove_prefix(comma + 1);
        pos_col += comma + 1;
        continue;
      }
      // Quoted field, possibly over several lines.
      line.remove_prefix(1);
      pos_col += 1;
      std::string field;
      for (;;) {
        size_t quote = line.find('"');
        if (quote != std::string_view::npos) {
          field.append(line.substr(0, quote));
          line.remove_prefix(quote + 1);
          pos_col += quote + 1;
          if (!line.empty() && line[0] == '"') {  // "" is a quote
            field.push_back('"');
            line.remove_prefix(1);
            pos_col += 1;
          } else if (!line.empty() && line[0] == ',') {  // end of field
            line.remove_prefix(1);
            pos_col += 1;
            record->push_back(std::move(field));
            break;
          } else if (LengthNl(line) == line.size()) {  // end of record
            record->push_back(std::move(field));
            return kRecord;
          } else {
            *error = ParseError(rec_line, num_line_, pos_col - 1, "extraneous or missing \" in quoted-field");
            return kError;
          }
        } else if (!line.empty()) {
          // The field goes on over the line break.
          field.append(line);
          pos_col += line.size();
          if (!ReadLine()) line_.clear();
          line = line_;
          if (!line.empty()) {
            pos_line++;
            pos_col = 1;
          }
        } else {
          *error = ParseError(rec_line, pos_line, pos_col, "extraneous or missing \" in quoted-field");
          return kError;
        }
      }
    }
  }

 private:
  static size_t LengthNl(std::string_view s) { return !s.empty() && s.back() == '\n' ? 1 : 0; }

  static std::string ParseError(int start_line, int line, size_t column, std::string_view err) {
    std::string m;
    if (start_line != line) {
      m = "record on line " + std::to_string(start_line) + "; ";
    }
    m += "parse error on line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
    m += err;
    return m;
  }

  // The next line into line_, with its "\n" (if any); "\r\n" becomes "\n" and a final
  // "\r" before the end of the data is dropped. False at the end of the data.
  bool ReadLine() {
    num_line_++;
    if (off_ >= data_.size()) return false;
    size_t nl = data_.find('\n', off_);
    if (nl == std::string_view::npos) {
      line_.assign(data_.substr(off_));
      off_ = data_.size();
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    } else {
      line_.assign(data_.substr(off_, nl + 1 - off_));
      off_ = nl + 1;
    }
    size_t n = line_.size();
    if (n >= 2 && line_[n - 2] == '\r' && line_[n - 1] == '\n') {
      line_.erase(n - 2, 1);
    }
    return true;
  }

  std::string_view data_;
  size_t off_ = 0;
  int num_line_ = 0;
  std::string line_;
};

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
}

// Length of the Unicode white space (Go's unicode.IsSpace) starting at s[i] (forward) or
// ending at s[i-1] (backward); 0 when there is none.
size_t SpaceLen(std::string_view s) {
  if (s.empty()) return 0;
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  static constexpr std::string_view kMultiByte[] = {
      "\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82",
      "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88",
      "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F",
      "\xE3\x80\x80"};
  for (std::string_view m : kMultiByte) {
    if (s.substr(0, m.size()) == m) return m.size();
  }
  return 0;
}

size_t TrailingSpaceLen(std::string_view s) {
  if (s.empty()) return 0;
  unsigned char c = static_cast<unsigned char>(s.back());
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  for (size_t n : {size_t{2}, size_t{3}}) {
    if (s.size() >= n && SpaceLen(s.substr(s.size() - n)) == n) return n;
  }
  return 0;
}

std::string Base64UrlNoPad(const unsigned char* data, size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((n * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (n - i == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (n - i == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

}  // namespace

Result<TokenAuthenticator> TokenAuthenticator::Parse(std::string_view csv, std::string_view source) {
  TokenAuthenticator a;
  GoCsvReader reader(csv);
  std::vector<std::string> record;
  std::string error;
  int record_num = 0;
  for (;;) {
    GoCsvReader::Outcome o = reader.Read(&record, &error);
    if (o == GoCsvReader::kEof) break;
    if (o == GoCsvReader::kError) return InvalidArgument(std::move(error));
    if (record.size() < 3) {
      return InvalidArgument("token file '" + std::string(source) +
                             "' must have at least 3 columns (token, user name, user uid), found " +
                             std::to_string(record.size()));
    }
    record_num++;
    if (record[0].empty()) {
      a.warnings_.push_back("empty token has been found in token file '" + std::string(source) +
                            "', record number '" + std::to_string(record_num) + "'");
      continue;
    }
    UserInfo user;
    user.name = std::move(record[1]);
    user.uid = std::move(record[2]);
    if (record.size() >= 4) user.groups = SplitComma(record[3]);
    auto it = a.tokens_.find(record[0]);
    if (it != a.tokens_.end()) {
      a.warnings_.push_back("duplicate token has been found in token file '" + std::string(source) +
                            "', record number '" + std::to_string(record_num) + "'");
      it->second = std::move(user);
    } else {
      a.order_.push_back(record[0]);
      a.tokens_.emplace(std::move(record[0]), std::move(user));
    }
  }
  return a;
}

const UserInfo* TokenAuthenticator::Authenticate(std::string_view bearer_token) const {
  auto it = tokens_.find(bearer_token);
  return it == tokens_.end() ? nullptr : &it->second;
}

std::optional<std::string> TokenAuthenticator::TokenForUser(std::string_view name) const {
  for (const std::string& token : order_) {
    const UserInfo* u = Authenticate(token);
    if (u != nullptr && u->name == name) return token;
  }
  return std::nullopt;
}

Result<TokenAuthenticator> LoadTokenFile(const std::string& path) {
  KS_ASSIGN_OR_RETURN(std::string content, ReadFileLimited(path, kMaxTokenFileBytes));
  return TokenAuthenticator::Parse(content, path);
}

std::optional<std::string_view> BearerToken(std::string_view header) {
  while (size_t n = SpaceLen(header)) header.remove_prefix(n);
  while (size_t n = TrailingSpaceLen(header)) header.remove_suffix(n);
  size_t space = header.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view scheme = header.substr(0, space);
  static constexpr std::string_view kBearer = "bearer";
  if (scheme.size() != kBearer.size()) return std::nullopt;
  for (size_t i = 0; i < kBearer.size(); ++i) {
    char c = scheme[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kBearer[i]) return std::nullopt;
  }
  std::string_view rest = header.substr(space + 1);
  std::string_view token = rest.substr(0, rest.find(' '));
  if (token.empty()) return std::nullopt;
  return token;
}

Result<std::string> RandomToken(size_t n_bytes) {
  std::string raw(n_bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n_bytes)) != 1) {
    return Internal("RAND_bytes failed");
  }
  return Base64UrlNoPad(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

Status EnsureAdminToken(const std::string& dir, const std::string& token_file_path, std::string* token) {
  if (dir.empty() && token_file_path.empty()) return InvalidArgument("EnsureAdminToken: no directory and no path");
  const std::string path = token_file_path.empty() ? dir + "/" + kDefaultTokenFileName : token_file_path;
  std::optional<DirectoryLock> lock;
  if (!dir.empty()) {
    KS_RETURN_IF_ERROR(EnsureDirectory(dir, 0700));
    lock.emplace(dir);
    KS_RETURN_IF_ERROR(lock->status());
  }
  Result<TokenAuthenticator> existing = LoadTokenFile(path);
  if (existing.ok()) {
    std::optional<std::string> t = existing->TokenForUser(kAdminUser);
    if (!t) return NotFound("token file '" + path + "' has no token for user \"" + kAdminUser + "\"");
    *token = std::move(*t);
    return Status::Ok();
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  KS_ASSIGN_OR_RETURN(std::string fresh, RandomToken(32));
  std::string line = fresh + "," + kAdminUser + "," + kAdminUser + ",\"" + kMastersGroup + "\"\n";
  KS_RETURN_IF_ERROR(WriteFileAtomic(path, line, 0600));
  *token = std::move(fresh);
  return Status::Ok();
}

}  // namespace kstream::server::auth
