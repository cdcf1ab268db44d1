// kstream-codec: the command-line codec for Kubernetes objects.
//
// Reads one object on stdin and writes it re-encoded on stdout, byte for byte as
// kube-apiserver would write it. Also the project's black-box interface for tests.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.h"
#include "api/value.h"
#include "api/yaml.h"
#include "base/status.h"

namespace kstream {
namespace {

constexpr std::string_view kUsage = R"(kstream-codec: re-encode Kubernetes objects exactly as kube-apiserver writes them.

Usage:
  kstream-codec convert --from FORMAT --to FORMAT [--unstructured] < input > output
  kstream-codec help

convert reads one object from stdin and writes it to stdout:
  --from json|yaml            input format (YAML: one document; JSON: one value)
  --to json|json-pretty|yaml  output format:
        json         compact, identical to Go's json.Marshal, no trailing newline
        json-pretty  json.MarshalIndent(obj, "", "  "), the form of `?pretty=true`
        yaml         what kube-apiserver sends for application/yaml (kubectl -o yaml)
  --unstructured              decode as an unstructured object (map keys sorted, as
                              custom resources are served). In this release every
                              object is decoded this way; typed decoding of built-in
                              kinds and protobuf arrive with the typed codecs.

Numbers follow Kubernetes' unstructured rules: integers that fit int64 stay integers,
everything else is float64. Invalid UTF-8 in JSON becomes U+FFFD; YAML with invalid
UTF-8 is rejected (as kube-apiserver does).

Errors (unknown options, unparsable input) are printed on stderr; the exit status is 1.
)";

struct ConvertOptions {
  std::string from;
  std::string to;
  bool unstructured = false;
};

Result<ConvertOptions> ParseConvertFlags(const std::vector<std::string_view>& args) {
  ConvertOptions opts;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    std::string_view value;
    bool has_inline_value = false;
    if (size_t eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_inline_value = true;
    }
    auto take_value = [&]() -> Result<std::string> {
      if (has_inline_value) return std::string(value);
      if (i + 1 >= args.size()) return InvalidArgument("flag " + std::string(a) + " needs a value");
      return std::string(args[++i]);
    };
    if (a == "--from") {
      KS_ASSIGN_OR_RETURN(opts.from, take_value());
    } else if (a == "--to") {
      KS_ASSIGN_OR_RETURN(opts.to, take_value());
    } else if (a == "--unstructured" && !has_inline_value) {
      opts.unstructured = true;
    } else {
      return InvalidArgument("unknown option " + std::string(args[i]));
    }
  }
  if (opts.from.empty()) return InvalidArgument("--from is required (json or yaml)");
  if (opts.to.empty()) return InvalidArgument("--to is required (json, json-pretty or yaml)");
  if (opts.from != "json" && opts.from != "yaml") {
    return InvalidArgument("unsupported input format \"" + opts.from + "\" (want json or yaml)");
  }
  if (opts.to != "json" && opts.to != "json-pretty" && opts.to != "yaml") {
    return InvalidArgument("unsupported output format \"" + opts.to +
                           "\" (want json, json-pretty or yaml)");
  }
  return opts;
}

Result<std::string> ReadAll(FILE* f) {
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) data.append(buf, n);
  if (ferror(f)) return Unavailable("reading stdin failed");
  return data;
}

Status WriteAll(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(STDOUT_FILENO, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unavailable("writing stdout failed");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status Convert(const ConvertOptions& opts) {
  KS_ASSIGN_OR_RETURN(std::string input, ReadAll(stdin));
  std::optional<api::Value> obj;
  if (opts.from == "json") {
    auto parsed = api::ParseJson(input);
    if (!parsed.ok()) return InvalidArgument("invalid JSON input: " + std::string(parsed.status().message()));
    obj = std::move(parsed).value();
  } else {
    auto parsed = api::ParseYaml(input);
    if (!parsed.ok()) return InvalidArgument("invalid YAML input: " + std::string(parsed.status().message()));
    obj = std::move(parsed).value();
  }
  if (!obj->is_object()) {
    return InvalidArgument("the input is not an object (a Kubernetes object is a JSON/YAML map)");
  }
  std::string out;
  if (opts.to == "json") {
    KS_RETURN_IF_ERROR(api::AppendJson(*obj, &out, encoding::json::Style::kCompact));
  } else if (opts.to == "json-pretty") {
    KS_RETURN_IF_ERROR(api::AppendJson(*obj, &out, encoding::json::Style::kIndent));
  } else {
    KS_RETURN_IF_ERROR(api::AppendYaml(*obj, &out));
  }
  return WriteAll(out);
}

int Main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 1 : 0;
  }
  if (args[0] != "convert") {
    std::cerr << "kstream-codec: unknown command \"" << args[0] << "\"\n\n" << kUsage;
    return 1;
  }
  args.erase(args.begin());
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  auto opts = ParseConvertFlags(args);
  if (!opts.ok()) {
    std::cerr << "kstream-codec: " << opts.status().message() << "\n";
    return 1;
  }
  Status s = Convert(*opts);
  if (!s.ok()) {
    std::cerr << "kstream-codec: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace kstream

int main(int argc, char** argv) { return kstream::Main(argc, argv); }
