// kstream-codec: the command-line codec for Kubernetes objects.
//
// Reads objects on stdin and writes them re-encoded on stdout, byte for byte as
// kube-apiserver would write them. Also the project's black-box interface for tests.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "api/value.h"
#include "api/yaml.h"
#include "base/status.h"
#include "collection/typed_list.h"
#include "collection/unstructured_json.h"
#include "encoding/sink.h"

namespace kstream {
namespace {

using encoding::json::Style;

constexpr std::string_view kUsage = R"(kstream-codec: re-encode Kubernetes objects exactly as kube-apiserver writes them.

Usage:
  kstream-codec convert --from FORMAT --to FORMAT [--unstructured] [--strict] < object > output
  kstream-codec list --to json|json-pretty|protobuf [--buffered] [--unstructured] < items > list
  kstream-codec help

convert reads one object from stdin and writes it to stdout:
  --from json|yaml|protobuf   input format (YAML: one document; protobuf: the k8s\0 envelope)
  --to json|json-pretty|yaml|protobuf
        json         compact, identical to Go's json.Marshal, no trailing newline
        json-pretty  json.MarshalIndent(obj, "", "  "), the form of `?pretty=true`
        yaml         what kube-apiserver sends for application/yaml (kubectl -o yaml)
        protobuf     application/vnd.kubernetes.protobuf: "k8s\0" + runtime.Unknown
  --unstructured              decode as an unstructured object even when the apiVersion/kind
                              is a built-in kind (map keys sorted, as custom resources are
                              served). Built-in kinds are otherwise decoded as typed objects:
                              keys in Go struct order, unknown fields dropped, values
                              normalised (quantities, times) as kube does.
  --strict                    fail on unknown fields and (JSON input) duplicate fields, with
                              kube's `strict decoding error: ...` message, as
                              ?fieldValidation=Strict does
  Custom resources (any kind that is not built in) have no protobuf form: an error, as in
  Kubernetes.

list reads items and writes the list response a LIST request would get:
  input: a JSON/YAML list ({"apiVersion":..,"kind":"...List","metadata":..,"items":[..]}) or a
         stream of objects (YAML documents separated by ---, or one JSON object)
  --to json|json-pretty|protobuf
  --buffered   encode the whole list in memory, then write it (the default streams it item by
               item through 64 KiB batches); the bytes are identical either way
  Items of one built-in kind make a typed list (<Kind>List); anything else an unstructured
  List (JSON only).

Numbers follow Kubernetes' unstructured rules: integers that fit int64 stay integers,
everything else is float64. Invalid UTF-8 in JSON becomes U+FFFD; YAML with invalid
UTF-8 is rejected (as kube-apiserver does).

Errors (unknown options, unparsable input) are printed on stderr; the exit status is 1.
)";

struct Options {
  std::string from;
  std::string to;
  bool unstructured = false;
  bool buffered = false;
  bool strict = false;
};

Result<Options> ParseFlags(const std::vector<std::string_view>& args, bool list_command) {
  Options opts;
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
    if (a == "--from" && !list_command) {
      KS_ASSIGN_OR_RETURN(opts.from, take_value());
    } else if (a == "--to") {
      KS_ASSIGN_OR_RETURN(opts.to, take_value());
    } else if (a == "--unstructured" && !has_inline_value) {
      opts.unstructured = true;
    } else if (a == "--strict" && !list_command && !has_inline_value) {
      opts.strict = true;
    } else if (a == "--buffered" && list_command && !has_inline_value) {
      opts.buffered = true;
    } else {
      return InvalidArgument("unknown option " + std::string(args[i]));
    }
  }
  if (list_command) {
    if (opts.to.empty()) return InvalidArgument("--to is required (json, json-pretty or protobuf)");
    if (opts.to != "json" && opts.to != "json-pretty" && opts.to != "protobuf") {
      return InvalidArgument("unsupported output format \"" + opts.to +
                             "\" (want json, json-pretty or protobuf)");
    }
    return opts;
  }
  if (opts.from.empty()) return InvalidArgument("--from is required (json, yaml or protobuf)");
  if (opts.to.empty()) {
    return InvalidArgument("--to is required (json, json-pretty, yaml or protobuf)");
  }
  if (opts.from != "json" && opts.from != "yaml" && opts.from != "protobuf") {
    return InvalidArgument("unsupported input format \"" + opts.from + "\" (want json, yaml or protobuf)");
  }
  if (opts.to != "json" && opts.to != "json-pretty" && opts.to != "yaml" && opts.to != "protobuf") {
    return InvalidArgument("unsupported output format \"" + opts.to +
                           "\" (want json, json-pretty, yaml or protobuf)");
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

// The built-in kind of a parsed object, or nullptr (a custom resource, or --unstructured).
const typed::KindEntry* BuiltInKind(const api::Value& v, bool unstructured) {
  if (unstructured || !v.is_object()) return nullptr;
  const api::Value* api_version = v.Find("apiVersion");
  const api::Value* kind = v.Find("kind");
  if (api_version == nullptr || kind == nullptr || !api_version->is_string() || !kind->is_string()) {
    return nullptr;
  }
  return typed::Scheme::Default().Find(api_version->as_string(), kind->as_string());
}

Status NoProtobuf(const api::Value& v) {
  const api::Value* kind = v.is_object() ? v.Find("kind") : nullptr;
  std::string name = kind && kind->is_string() ? kind->as_string() : "the object";
  return InvalidArgument("object " + name +
                         " is not a built-in kind: custom resources have no protobuf encoding "
                         "(kube-apiserver answers 406)");
}

// ---- convert

Status Convert(const Options& opts) {
  KS_ASSIGN_OR_RETURN(std::string input, ReadAll(stdin));
  std::unique_ptr<typed::Object> obj;  // typed, or
  std::optional<api::Value> value;     // unstructured
  if (opts.from == "protobuf") {
    if (opts.unstructured) return InvalidArgument("--unstructured does not apply to protobuf input");
    auto decoded = typed::DecodeObjectProtobuf(typed::Scheme::Default(), input);
    if (!decoded.ok()) {
      return InvalidArgument("invalid protobuf input: " + std::string(decoded.status().message()));
    }
    obj = std::move(decoded).value();
  } else {
    std::vector<std::string> unknown_fields, duplicate_fields;
    Result<api::Value> parsed = opts.from == "json"
                                    ? api::ParseJson(input, opts.strict ? &duplicate_fields : nullptr)
                                    : api::ParseYaml(input);
    if (!parsed.ok()) {
      return InvalidArgument(std::string(opts.from == "json" ? "invalid JSON input: " : "invalid YAML input: ") +
                             std::string(parsed.status().message()));
    }
    if (!parsed->is_object()) {
      return InvalidArgument("the input is not an object (a Kubernetes object is a JSON/YAML map)");
    }
    const typed::KindEntry* kind = BuiltInKind(*parsed, opts.unstructured);
    auto cannot_handle = [&](std::string_view why) {
      std::string k = kind ? std::string(kind->kind) : "the object";
      std::string prefix =
          kind ? k + " in version \"" + kind->api_version() + "\" cannot be handled as a " + k + ": "
               : std::string();
      return InvalidArgument(prefix + std::string(why));
    };
    if (kind != nullptr) {
      typed::DecodeOptions decode_options;
      if (opts.strict) decode_options.unknown_fields = &unknown_fields;
      auto decoded = typed::DecodeObjectAs(*kind, *parsed, decode_options);
      if (!decoded.ok()) return cannot_handle(decoded.status().message());
      obj = std::move(decoded).value();
    } else {
      value = std::move(parsed).value();
    }
    if (std::string strict = typed::StrictDecodingError(unknown_fields, duplicate_fields); !strict.empty()) {
      return cannot_handle(strict);
    }
  }
  std::string out;
  if (obj) {
    if (opts.to == "json") {
      KS_RETURN_IF_ERROR(typed::AppendObjectJson(*obj, &out, Style::kCompact));
    } else if (opts.to == "json-pretty") {
      KS_RETURN_IF_ERROR(typed::AppendObjectJson(*obj, &out, Style::kIndent));
    } else if (opts.to == "yaml") {
      KS_RETURN_IF_ERROR(typed::AppendObjectYaml(*obj, &out));
    } else {
      KS_RETURN_IF_ERROR(typed::AppendObjectProtobuf(*obj, &out));
    }
  } else if (opts.to == "json") {
    KS_RETURN_IF_ERROR(api::AppendJson(*value, &out, Style::kCompact));
  } else if (opts.to == "json-pretty") {
    KS_RETURN_IF_ERROR(api::AppendJson(*value, &out, Style::kIndent));
  } else if (opts.to == "yaml") {
    KS_RETURN_IF_ERROR(api::AppendYaml(*value, &out));
  } else {
    return NoProtobuf(*value);
  }
  return WriteAll(out);
}

// ---- list

// The items (and the list's own header, if the input was a list) from stdin.
struct ListInput {
  api::Value header = api::Value::EmptyObject();  // apiVersion, kind, metadata (if given)
  bool was_list = false;
  std::vector<api::Value> items;
};

Result<ListInput> ReadListInput(std::string_view input) {
  ListInput in;
  std::vector<api::Value> docs;
  if (auto json = api::ParseJson(input); json.ok()) {
    docs.push_back(std::move(json).value());
  } else {
    auto yaml = api::ParseYamlDocuments(input);
    if (!yaml.ok()) {
      return InvalidArgument("the input is neither JSON nor YAML: " + std::string(yaml.status().message()));
    }
    docs = std::move(yaml).value();
  }
  for (api::Value& d : docs) {
    if (!d.is_object()) return InvalidArgument("every input document must be an object");
  }
  if (docs.size() == 1) {
    const api::Value* items = docs[0].Find("items");
    if (items != nullptr && items->is_array()) {
      in.was_list = true;
      for (const api::Member& m : docs[0].as_object()) {
        if (m.key != "items") in.header.Set(m.key, m.value);
      }
      in.items = items->as_array();
      return in;
    }
  }
  in.items = std::move(docs);
  return in;
}

// Writes to stdout as it comes (the streaming path).
class StdoutSink final : public encoding::Sink {
 public:
  Status Write(std::string_view bytes) override { return WriteAll(bytes); }
};

// Serves owned typed objects.
class ObjectVectorSource final : public collection::ItemSource<typed::Object> {
 public:
  explicit ObjectVectorSource(const std::vector<std::unique_ptr<typed::Object>>* items) : items_(items) {}
  Result<const typed::Object*> Next() override {
    if (next_ >= items_->size()) return static_cast<const typed::Object*>(nullptr);
    return (*items_)[next_++].get();
  }
  Status Rewind() override {
    next_ = 0;
    return Status::Ok();
  }

 private:
  const std::vector<std::unique_ptr<typed::Object>>* items_;
  size_t next_ = 0;
};

// Encodes with `encoder` into stdout: through a 64 KiB BatchSink, or all in memory first.
template <class Encoder>
Status EncodeToStdout(Encoder& encoder, bool buffered) {
  if (buffered) {
    encoding::BufferSink buffer;
    KS_RETURN_IF_ERROR(encoder.EncodeAll(&buffer));
    return WriteAll(buffer.data());
  }
  StdoutSink out;
  encoding::BatchSink batches(&out);
  KS_RETURN_IF_ERROR(encoder.EncodeAll(&batches));
  return batches.Close();
}

Status List(const Options& opts) {
  KS_ASSIGN_OR_RETURN(std::string input, ReadAll(stdin));
  KS_ASSIGN_OR_RETURN(ListInput in, ReadListInput(input));
  const Style style = opts.to == "json-pretty" ? Style::kIndent : Style::kCompact;

  // Typed when every item is of one built-in kind whose list kind exists.
  const typed::KindEntry* item_kind = nullptr;
  bool typed_list = !in.items.empty();
  for (const api::Value& item : in.items) {
    const typed::KindEntry* k = BuiltInKind(item, opts.unstructured);
    if (k == nullptr || (item_kind != nullptr && k != item_kind)) {
      typed_list = false;
      break;
    }
    item_kind = k;
  }
  const typed::KindEntry* list_kind =
      typed_list ? typed::Scheme::Default().Find(item_kind->api_version(), std::string(item_kind->kind) + "List")
                 : nullptr;
  if (list_kind == nullptr) {
    if (opts.to == "protobuf") {
      return InvalidArgument(in.items.empty()
                                 ? "an empty list has no kind to encode as protobuf"
                                 : "the items are not all of one built-in kind: an unstructured list "
                                   "has no protobuf encoding (kube-apiserver answers 406)");
    }
    api::Value header = in.header;
    if (!in.was_list) {
      header.Set("apiVersion", "v1");
      header.Set("kind", "List");
      header.Set("metadata", api::Value::EmptyObject());
    }
    collection::VectorItemSource<api::Value> source(&in.items);
    collection::UnstructuredListJsonEncoder encoder(&header, &source, style);
    return EncodeToStdout(encoder, opts.buffered);
  }

  std::vector<std::unique_ptr<typed::Object>> objects;
  for (const api::Value& item : in.items) {
    auto obj = typed::DecodeObjectAs(*item_kind, item);
    if (!obj.ok()) return InvalidArgument("an item cannot be decoded: " + std::string(obj.status().message()));
    if (auto* tm = (*obj)->type_meta()) *tm = {};  // list items carry no kind/apiVersion
    objects.push_back(std::move(obj).value());
  }
  collection::TypedListHeader header;
  header.api_version = list_kind->api_version();
  header.kind = std::string(list_kind->kind);
  if (const api::Value* meta = in.header.Find("metadata")) {
    typed::DecodeContext ctx;
    using k8s::meta::v1::DecodeJson;
    KS_RETURN_IF_ERROR(DecodeJson(*meta, &header.metadata, ctx));
  }
  ObjectVectorSource source(&objects);
  if (opts.to == "protobuf") {
    collection::TypedListProtobufEncoder encoder(&header, &source);
    return EncodeToStdout(encoder, opts.buffered);
  }
  collection::TypedListJsonEncoder encoder(&header, &source, style);
  return EncodeToStdout(encoder, opts.buffered);
}

int Main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 1 : 0;
  }
  std::string_view command = args[0];
  if (command != "convert" && command != "list") {
    std::cerr << "kstream-codec: unknown command \"" << command << "\"\n\n" << kUsage;
    return 1;
  }
  args.erase(args.begin());
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  auto opts = ParseFlags(args, command == "list");
  if (!opts.ok()) {
    std::cerr << "kstream-codec: " << opts.status().message() << "\n";
    return 1;
  }
  Status s = command == "list" ? List(*opts) : Convert(*opts);
  if (!s.ok()) {
    std::cerr << "kstream-codec: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace kstream

int main(int argc, char** argv) { return kstream::Main(argc, argv); }
