// String formats as kube-openapi's strfmt.Default registry validates them (and which of
// them kube keeps for custom resources). Each validator follows the Go function kube
// calls (time.Parse, net.ParseIP, net.ParseMAC, url.ParseRequestURI, govalidator's
// regular expressions, ...); net/mail.ParseAddress and resource.ParseQuantity are
// approximated by their grammar.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <re2/re2.h>

#include "api/crd/internal.h"
#include "base/ascii.h"

namespace kstream::api::crd::internal {
namespace {

std::string Normalize(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c != '-') out.push_back(c);
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexVal(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

struct Regexes {
  RE2 hostname{
      R"(^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$)"};
  RE2 uuid{R"((?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$)"};
  RE2 uuid3{R"((?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$)"};
  RE2 uuid4{R"((?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$)"};
  RE2 uuid5{R"((?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$)"};
  RE2 date_time{R"(^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$)"};
  RE2 credit_card{
      R"(^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$)"};
  RE2 ssn{R"(^\d{3}[- ]?\d{2}[- ]?\d{4}$)"};
  RE2 hex_color{R"(^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$)"};
  RE2 rgb_color{
      R"(^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$)"};
  RE2 base64{R"(^(?:[A-Za-z0-9+\/]{4})*(?:[A-Za-z0-9+\/]{2}==|[A-Za-z0-9+\/]{3}=|[A-Za-z0-9+\/]{4})$)"};
  RE2 isbn10{R"(^(?:[0-9]{9}X|[0-9]{10})$)"};
  RE2 isbn13{R"(^(?:[0-9]{13})$)"};
  RE2 duration_unit{R"(((\d+)\s*([A-Za-zµ]+)))"};
  RE2 quantity{R"(^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$)"};
  RE2 short_name{R"(^[a-z0-9]([-a-z0-9]*[a-z0-9])?$)"};
  RE2 long_name{R"(^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)"};
};

const Regexes& Rx() {
  static const Regexes* r = new Regexes();
  return *r;
}

// ---- time.Parse("2006-01-02") ----
bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return false;
  }
  int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');
  if (month < 1 || month > 12) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max_day = kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0);
  return day >= 1 && day <= max_day;
}

// strfmt.IsDateTime.
bool IsDateTime(std::string_view str) {
  if (str.size() < 4) return false;
  std::string lower(str);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  size_t t1 = lower.find('t');
  if (t1 == std::string::npos) return false;
  size_t t2 = lower.find('t', t1 + 1);
  std::string_view date(lower.data(), t1);
  std::string_view time(lower.data() + t1 + 1, (t2 == std::string::npos ? lower.size() : t2) - t1 - 1);
  if (!IsDate(date)) return false;
  std::string h, m, sec;
  if (!RE2::PartialMatch(time, Rx().date_time, &h, &m, &sec)) return false;
  return h <= "23" && m <= "59" && sec <= "59";
}

// time.ParseDuration's grammar (overflow not detected beyond a generous bound).
bool IsGoDuration(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') i = 1;
  if (s.substr(i) == "0") return true;
  if (i == s.size()) return false;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    bool pre = i > start;
    bool post = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      size_t fs = i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      post = i > fs;
    }
    if (!pre && !post) return false;
    size_t us = i;
    while (i < s.size() && s[i] != '.' && !IsDigit(s[i])) ++i;
    std::string_view unit = s.substr(us, i - us);
    if (unit != "ns" && unit != "us" && unit != "\xC2\xB5s" && unit != "\xCE\xBCs" && unit != "ms" && unit != "s" &&
        unit != "m" && unit != "h") {
      return false;
    }
  }
  return true;
}

// strfmt.ParseDuration: Go durations, or "<n> <unit>" groups (scala-like units).
bool IsDuration(std::string_view s) {
  if (IsGoDuration(s)) return true;
  static const std::array<std::array<std::string_view, 3>, 8> kUnits = {{
      {"ns", "nano", ""},
      {"us", "\xC2\xB5s", "micro"},
      {"ms", "milli", ""},
      {"s", "sec", ""},
      {"m", "min", ""},
      {"h", "hr", "hour"},
      {"d", "day", ""},
      {"w", "wk", "week"},
  }};
  re2::StringPiece input(s.data(), s.size());
  std::string whole, digits, unit;
  bool ok = false;
  while (RE2::FindAndConsume(&input, Rx().duration_unit, &whole, &digits, &unit)) {
    if (digits.size() > 18) return false;  // strconv.Atoi overflow (int64)
    std::string lower = unit;
    for (char& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    for (const auto& variants : kUnits) {
      size_t last = variants[2].empty() ? 1 : 2;
      for (size_t i = 0; i <= last; ++i) {
        std::string_view v = variants[i];
        if ((i == last && lower.compare(0, v.size(), v) == 0) || EqualFoldAscii(v, lower)) ok = true;
      }
    }
  }
  return ok;
}

// ---- net.ParseIP (strict: Go >= 1.17 via netip; sloppy: Go < 1.17, leading zeros) ----
bool ParseIPv4(std::string_view s, bool sloppy) {
  for (int part = 0; part < 4; ++part) {
    if (s.empty()) return false;
    if (part > 0) {
      if (s[0] != '.') return false;
      s.remove_prefix(1);
    }
    size_t i = 0;
    int64_t n = 0;
    while (i < s.size() && IsDigit(s[i])) {
      n = n * 10 + (s[i] - '0');
      if (n >= 0xFFFFFF) return false;
      ++i;
    }
    if (i == 0 || n > 255) return false;
    if (!sloppy && (i > 3 || (i > 1 && s[0] == '0'))) return false;
    s.remove_prefix(i);
  }
  return s.empty();
}

bool ParseIPv6(std::string_view s, bool sloppy) {
  int groups = 0;       // 16-bit groups seen
  int ellipsis = -1;    // group index of "::"
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = 0;
    s.remove_prefix(2);
    if (s.empty()) return true;
  }
  while (groups < 8) {
    // An IPv4 tail?
    size_t i = 0;
    int64_t n = 0;
    while (i < s.size() && IsHex(s[i])) {
      n = n * 16 + HexVal(s[i]);
      if (n >= 0xFFFFFF) return false;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      if (ellipsis < 0 && groups != 6) return false;
      if (groups + 2 > 8) return false;
      if (!ParseIPv4(s, sloppy)) return false;
      groups += 2;
      s = std::string_view();
      break;
    }
    if (i == 0 || n > 0xFFFF) return false;
    if (!sloppy && i > 4) return false;
    ++groups;
    s.remove_prefix(i);
    if (s.empty()) break;
    if (s[0] != ':') return false;
    s.remove_prefix(1);
    if (s.empty()) return false;
    if (s[0] == ':') {
      if (ellipsis >= 0) return false;
      ellipsis = groups;
      s.remove_prefix(1);
      if (s.empty()) break;
    }
  }
  if (!s.empty()) return false;
  if (groups < 8 && ellipsis < 0) return false;
  if (groups == 8 && ellipsis >= 0) return false;  // "::" must stand for at least one group
  return groups <= 8;
}

bool ParseIP(std::string_view s, bool sloppy) {
  for (char c : s) {
    if (c == '.') return ParseIPv4(s, sloppy);
    if (c == ':') return ParseIPv6(s, sloppy);
  }
  return false;
}

bool IsCIDRSloppy(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view addr = s.substr(0, slash), mask = s.substr(slash + 1);
  int bits = 32;
  if (!ParseIPv4(addr, true)) {
    if (!ParseIPv6(addr, true)) return false;
    bits = 128;
  }
  if (mask.empty()) return false;
  int64_t n = 0;
  for (char c : mask) {
    if (!IsDigit(c)) return false;
    n = n * 10 + (c - '0');
    if (n >= 0xFFFFFF) return false;
  }
  return n <= bits;
}

// net.ParseMAC.
bool IsMAC(std::string_view s) {
  auto xtoi2 = [](std::string_view p, char e) {
    if (p.size() > 2 && p[2] != e) return false;
    return p.size() >= 2 && IsHex(p[0]) && IsHex(p[1]);
  };
  if (s.size() < 14) return false;
  if (s[2] == ':' || s[2] == '-') {
    if ((s.size() + 1) % 3 != 0) return false;
    size_t n = (s.size() + 1) / 3;
    if (n != 6 && n != 8 && n != 20) return false;
    for (size_t i = 0, x = 0; i < n; ++i, x += 3) {
      if (!xtoi2(s.substr(x), s[2])) return false;
    }
    return true;
  }
  if (s[4] == '.') {
    if ((s.size() + 1) % 5 != 0) return false;
    size_t n = 2 * (s.size() + 1) / 5;
    if (n != 6 && n != 8 && n != 20) return false;
    for (size_t i = 0, x = 0; i < n; i += 2, x += 5) {
      if (!xtoi2(s.substr(x, 2), 0)) return false;
      if (!xtoi2(s.substr(x + 2), s[4])) return false;
    }
    return true;
  }
  return false;
}

// url.ParseRequestURI: an absolute URI or an absolute path.
bool IsRequestURI(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  if (s.empty()) return false;
  if (s == "*") return true;
  // Scheme.
  std::string_view rest = s;
  bool has_scheme = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter) continue;
    if (IsDigit(c) || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return false;  // missing protocol scheme
      has_scheme = true;
      rest = s.substr(i + 1);
    }
    break;
  }
  size_t q = rest.find('?');
  if (q != std::string_view::npos) rest = rest.substr(0, q);
  if (rest.empty() || rest[0] != '/') {
    return has_scheme;  // opaque (mailto:x) or invalid URI for request
  }
  auto valid_escapes = [](std::string_view p) {
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '%') {
        if (i + 2 >= p.size() || !IsHex(p[i + 1]) || !IsHex(p[i + 2])) return false;
        i += 2;
      }
    }
    return true;
  };
  if (has_scheme && rest.size() >= 2 && rest[0] == '/' && rest[1] == '/') {
    std::string_view auth = rest.substr(2);
    size_t slash = auth.find('/');
    std::string_view path = slash == std::string_view::npos ? std::string_view() : auth.substr(slash);
    auth = auth.substr(0, slash == std::string_view::npos ? auth.size() : slash);
    size_t at = auth.rfind('@');
    std::string_view host = at == std::string_view::npos ? auth : auth.substr(at + 1);
    if (at != std::string_view::npos) {
      for (char c : auth.substr(0, at)) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) ||
                  std::string_view("-._:~!$&'()*+,;=%@").find(c) != std::string_view::npos;
        if (!ok) return false;
      }
    }
    if (!host.empty() && host[0] == '[') {
      size_t close = host.find(']');
      if (close == std::string_view::npos) return false;
      std::string_view port = host.substr(close + 1);
      if (!port.empty()) {
        if (port[0] != ':') return false;
        for (char c : port.substr(1)) {
          if (!IsDigit(c)) return false;
        }
      }
    } else {
      size_t colon = host.rfind(':');
      if (colon != std::string_view::npos) {
        for (char c : host.substr(colon + 1)) {
          if (!IsDigit(c)) return false;
        }
        host = host.substr(0, colon);
      }
      for (char c : host) {
        if (static_cast<unsigned char>(c) >= 0x80) continue;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) ||
                  std::string_view("-._~!$&'()*+,;=%\":<>[]").find(c) != std::string_view::npos;
        if (!ok) return false;
      }
      if (!valid_escapes(host)) return false;
    }
    return valid_escapes(path);
  }
  return valid_escapes(rest);
}

// net/mail.ParseAddress, approximated: [display-name] <addr-spec> or addr-spec.
bool IsAtext(unsigned char c, bool dot) {
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(static_cast<char>(c))) return true;
  if (dot && c == '.') return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsDotAtom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsAtext(static_cast<unsigned char>(s[i]), true)) return false;
    if (s[i] == '.' && i + 1 < s.size() && s[i + 1] == '.') return false;
  }
  return true;
}

bool IsAddrSpec(std::string_view s) {
  size_t at;
  std::string_view local;
  if (!s.empty() && s[0] == '"') {
    size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\') ++i;
    }
    if (i >= s.size()) return false;
    local = s.substr(0, i + 1);
    at = i + 1;
    if (at >= s.size() || s[at] != '@') return false;
  } else {
    at = s.find('@');
    if (at == std::string_view::npos) return false;
    local = s.substr(0, at);
    if (!IsDotAtom(local)) return false;
  }
  std::string_view domain = s.substr(at + 1);
  if (!domain.empty() && domain[0] == '[') {
    return domain.back() == ']' && domain.find('[', 1) == std::string_view::npos;
  }
  return IsDotAtom(domain);
}

bool IsEmail(std::string_view s) {
  auto trim = [](std::string_view x) {
    while (!x.empty() && (x.front() == ' ' || x.front() == '\t')) x.remove_prefix(1);
    while (!x.empty() && (x.back() == ' ' || x.back() == '\t')) x.remove_suffix(1);
    return x;
  };
  s = trim(s);
  if (s.empty()) return false;
  size_t lt = s.find('<');
  if (lt != std::string_view::npos) {
    if (s.back() != '>') return false;
    std::string_view name = trim(s.substr(0, lt));
    for (char c : name) {
      if (static_cast<unsigned char>(c) < 0x20) return false;
    }
    return IsAddrSpec(s.substr(lt + 1, s.size() - lt - 2));
  }
  return IsAddrSpec(s);
}

// govalidator.IsISBN.
bool IsISBN(std::string_view str, int version) {
  std::string s;
  for (char c : str) {
    if (c != '-' && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') s.push_back(c);
  }
  if (version == 10) {
    if (!RE2::FullMatch(s, Rx().isbn10)) return false;
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (i + 1) * (s[i] - '0');
    sum += s[9] == 'X' ? 100 : 10 * (s[9] - '0');
    return sum % 11 == 0;
  }
  if (!RE2::FullMatch(s, Rx().isbn13)) return false;
  int sum = 0;
  for (int i = 0; i < 12; ++i) sum += (i % 2 == 0 ? 1 : 3) * (s[i] - '0');
  return (s[12] - '0') - ((10 - (sum % 10)) % 10) == 0;
}

// govalidator.IsCreditCard (Luhn over the digits).
bool IsCreditCard(std::string_view str) {
  std::string s;
  for (char c : str) {
    if (IsDigit(c)) s.push_back(c);
  }
  if (!RE2::FullMatch(s, Rx().credit_card)) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t i = s.size(); i-- > 0;) {
    int d = s[i] - '0';
    if (dbl) {
      d *= 2;
      sum += d >= 10 ? d % 10 + 1 : d;
    } else {
      sum += d;
    }
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool IsHostname(std::string_view s) {
  if (!RE2::PartialMatch(s, Rx().hostname)) return false;
  if (s.size() > 255) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    size_t end = dot == std::string_view::npos ? s.size() : dot;
    if (end - start > 63) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace

bool IsSupportedStringFormat(std::string_view format) {
  static const std::array<std::string_view, 25> kSupported = {
      "bsonobjectid", "uri",    "email",  "hostname", "ipv4",       "ipv6",     "cidr",     "mac",      "uuid",
      "uuid3",        "uuid4",  "uuid5",  "isbn",     "isbn10",     "isbn13",   "creditcard", "ssn",    "hexcolor",
      "rgbcolor",     "byte",   "password", "date",   "duration",   "datetime", "quantity"};
  std::string n = Normalize(format);
  for (std::string_view s : kSupported) {
    if (n == s) return true;
  }
  return false;
}

bool FormatIsKnown(std::string_view format) {
  std::string n = Normalize(format);
  return IsSupportedStringFormat(n) || n == "k8sshortname" || n == "k8slongname" || n == "k8sipsloppy";
}

bool FormatValidates(std::string_view format, std::string_view s) {
  std::string n = Normalize(format);
  const Regexes& rx = Rx();
  if (n == "password") return true;
  if (n == "date") return IsDate(s);
  if (n == "datetime") return IsDateTime(s);
  if (n == "duration") return IsDuration(s);
  if (n == "uri") return IsRequestURI(s);
  if (n == "email") return IsEmail(s);
  if (n == "hostname") return IsHostname(s);
  if (n == "ipv4") return ParseIP(s, true) && s.find('.') != std::string_view::npos;
  if (n == "ipv6") return ParseIP(s, false) && s.find(':') != std::string_view::npos;
  if (n == "cidr") return IsCIDRSloppy(s);
  if (n == "mac") return IsMAC(s);
  if (n == "uuid") return RE2::PartialMatch(s, rx.uuid);
  if (n == "uuid3") return RE2::PartialMatch(s, rx.uuid3);
  if (n == "uuid4") return RE2::PartialMatch(s, rx.uuid4);
  if (n == "uuid5") return RE2::PartialMatch(s, rx.uuid5);
  if (n == "isbn") return IsISBN(s, 10) || IsISBN(s, 13);
  if (n == "isbn10") return IsISBN(s, 10);
  if (n == "isbn13") return IsISBN(s, 13);
  if (n == "creditcard") return IsCreditCard(s);
  if (n == "ssn") return s.size() == 11 && RE2::PartialMatch(s, rx.ssn);
  if (n == "hexcolor") return RE2::PartialMatch(s, rx.hex_color);
  if (n == "rgbcolor") return RE2::PartialMatch(s, rx.rgb_color);
  if (n == "byte") return RE2::PartialMatch(s, rx.base64);
  if (n == "bsonobjectid") {
    if (s.size() != 24) return false;
    for (char c : s) {
      if (!IsHex(c)) return false;
    }
    return true;
  }
  if (n == "quantity") return RE2::PartialMatch(s, rx.quantity);
  if (n == "k8sshortname") return s.size() <= 63 && RE2::PartialMatch(s, rx.short_name);
  if (n == "k8slongname") return s.size() <= 253 && RE2::PartialMatch(s, rx.long_name);
  if (n == "k8sipsloppy") return ParseIP(s, true);
  return false;
}

}  // namespace kstream::api::crd::internal
