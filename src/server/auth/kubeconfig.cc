#include "server/auth/kubeconfig.h"

#include <openssl/evp.h>

#include <string>

#include "base/ascii.h"

namespace kstream::server::auth {
namespace {

// Whether YAML (1.1 as go-yaml reads it, and 1.2) reads `s` written plain as this string.
// Deliberately narrow: a letter first (no numbers, indicators or `.inf`), then only
// characters that never start a comment, a mapping value or a flow item (no final ':'); none of the
// words YAML 1.1 reads as booleans or null.
bool PlainSafe(std::string_view s) {
  if (s.empty()) return false;
  char first = s[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return false;
  if (s.back() == ':') return false;  // "a:" then a line break is a mapping key
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-' || c == '/' || c == ':' || c == '@' || c == '+' || c == '=';
    if (!ok) return false;
  }
  static constexpr std::string_view kReserved[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"};
  for (std::string_view w : kReserved) {
    if (EqualFoldAscii(s, w)) return false;
  }
  return true;
}

}  // namespace

std::string YamlString(std::string_view s) {
  if (PlainSafe(s)) return std::string(s);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string Base64Std(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

std::string KubeconfigYaml(std::string_view server_url, std::string_view ca_pem, std::string_view token,
                           std::string_view cluster_name, std::string_view user, std::string_view context) {
  const std::string cluster = YamlString(cluster_name);
  const std::string user_name = YamlString(user);
  std::string y;
  y.reserve(1024 + ca_pem.size() * 4 / 3 + token.size());
  y += "apiVersion: v1\n";
  y += "clusters:\n";
  y += "- cluster:\n";
  y += "    certificate-authority-data: " + Base64Std(ca_pem) + "\n";
  y += "    server: " + YamlString(server_url) + "\n";
  y += "  name: " + cluster + "\n";
  y += "contexts:\n";
  y += "- context:\n";
  y += "    cluster: " + cluster + "\n";
  y += "    user: " + user_name + "\n";
  y += "  name: " + YamlString(context) + "\n";
  y += "current-context: " + YamlString(context) + "\n";
  y += "kind: Config\n";
  y += "preferences: {}\n";
  y += "users:\n";
  y += "- name: " + user_name + "\n";
  y += "  user:\n";
  y += "    token: " + YamlString(token) + "\n";
  return y;
}

}  // namespace kstream::server::auth
