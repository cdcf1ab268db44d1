// HTTP-level end-to-end tests of a real kstream-apiserver process: the wire behaviour of
// issue 5 byte for byte (../shared/spec/k8s-api-facts.md §1-§7, §10), through the test
// client in http_client.h.
//
// Suites:
//   ApiHttpTest              one LMDB server shared by the suite (each test works in its own
//                            namespace): auth, discovery, CRUD, errors, LIST in every
//                            content type, paging, selectors, resourceVersion semantics,
//                            gzip, WATCH (JSON, protobuf, Table, bookmarks, WatchList), TLS.
//   ApiHttpEtcdTest          one etcd and two servers on it, streaming on and off: byte
//                            identity of every LIST form both ways; compaction (410 for
//                            lists, continue tokens and watches); an error after the first
//                            byte cuts the response.
//   ApiHttpLmdbIdentityTest  the byte identity on LMDB (one server after the other).
//   ApiHttpLimitsTest        an LMDB server with --max-requests-inflight=1 and ~24 MB of
//                            data: 429, and the server's memory while a slow client reads.
//   ApiHttpShutdownTest      SIGTERM with an open watch.
//
// Where kstream deliberately follows kube >= 1.34 rather than 1.33 (the zero
// creationTimestamp is omitted, so bookmarks carry no "creationTimestamp":null), the
// expectations say so. kstream does not write metadata.managedFields.
#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "api/yaml.h"
#include "e2e/http_client.h"
#include "e2e/server_process.h"
#include "testing/etcd_process.h"
#include "testing/temp_dir.h"

namespace kstream::e2e {
namespace {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;
using Clock = std::chrono::steady_clock;

constexpr char kJson[] = "application/json";
constexpr char kYaml[] = "application/yaml";
constexpr char kProtobuf[] = "application/vnd.kubernetes.protobuf";
// kubectl 1.33 `get` (and `get -w`).
constexpr char kTableAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
    "application/json";
constexpr char kTableYamlAccept[] = "application/yaml;as=Table;v=v1;g=meta.k8s.io";
constexpr char kPomJsonAccept[] = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io";
constexpr char kPomProtoAccept[] = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io";
// client-go discovery (kubectl 1.33).
constexpr char kDiscoveryAccept[] =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

// ---------------------------------------------------------------------------------------
// Small helpers: JSON text, base64url, raw JSON walking, Go's json.Indent.

// A JSON string as Go's encoding/json writes it (HTML-safe).
std::string GoJsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

// A failure Status as kube writes it for a negotiated JSON Accept (compact + "\n").
std::string StatusBody(int code, std::string_view reason, std::string_view message,
                       std::string_view details = "", std::string_view metadata = "{}") {
  std::string s = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":" + std::string(metadata) +
                  ",\"status\":\"Failure\",\"message\":" + GoJsonString(message) + ",\"reason\":\"" +
                  std::string(reason) + "\"";
  if (!details.empty()) s += ",\"details\":" + std::string(details);
  return s + ",\"code\":" + std::to_string(code) + "}\n";
}

std::string Base64UrlDecode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) return "<invalid base64url>";
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string Base64UrlEncode(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

// The end of the JSON value starting at `i` (compact or indented JSON).
size_t SkipValue(std::string_view s, size_t i) {
  if (s[i] == '"') {
    for (++i; i < s.size(); ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '"') {
        return i + 1;
      }
    }
    return s.size();
  }
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c == '"') {
        i = SkipValue(s, i) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return s.size();
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != '\n') ++i;
  return i;
}

// The raw text of member `key` of the compact JSON object `obj` ("" if absent).
std::string_view RawMember(std::string_view obj, std::string_view key) {
  if (obj.empty() || obj[0] != '{') return {};
  size_t i = 1;
  while (i < obj.size() && obj[i] == '"') {
    size_t kend = SkipValue(obj, i);
    std::string_view k = obj.substr(i + 1, kend - i - 2);
    size_t vstart = kend + 1;  // after ':'
    size_t vend = SkipValue(obj, vstart);
    if (k == key) return obj.substr(vstart, vend - vstart);
    i = vend + 1;  // after ','
  }
  return {};
}

// The raw elements of the compact JSON array `arr`.
std::vector<std::string_view> RawElements(std::string_view arr) {
  std::vector<std::string_view> out;
  if (arr.size() < 2 || arr[0] != '[') return out;
  size_t i = 1;
  while (i < arr.size() && arr[i] != ']') {
    size_t e = SkipValue(arr, i);
    out.push_back(arr.substr(i, e - i));
    i = e;
    if (i < arr.size() && arr[i] == ',') ++i;
  }
  return out;
}

// Go's json.Indent(dst, compact, "", "  "): what json.MarshalIndent writes.
std::string GoIndent(std::string_view s) {
  std::string out;
  int depth = 0;
  auto newline = [&] {
    out.push_back('\n');
    out.append(static_cast<size_t>(depth) * 2, ' ');
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      size_t e = SkipValue(s, i);
      out.append(s.substr(i, e - i));
      i = e - 1;
    } else if (c == '{' || c == '[') {
      out.push_back(c);
      char close = c == '{' ? '}' : ']';
      if (i + 1 < s.size() && s[i + 1] == close) {
        out.push_back(close);
        ++i;
      } else {
        ++depth;
        newline();
      }
    } else if (c == '}' || c == ']') {
      --depth;
      newline();
      out.push_back(c);
    } else if (c == ',') {
      out.push_back(',');
      newline();
    } else if (c == ':') {
      out += ": ";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

api::Value J(std::string_view text) {
  auto v = api::ParseJson(text);
  if (!v.ok()) {
    ADD_FAILURE() << "not JSON: " << v.status().ToString() << "\n" << text.substr(0, 400);
    return api::Value();
  }
  return std::move(v).value();
}

// A string member at a dotted path ("metadata.resourceVersion"); "" if absent.
std::string Str(const api::Value& v, std::string_view path) {
  const api::Value* cur = &v;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view k = path.substr(0, dot);
    if (!cur->is_object()) return "";
    cur = cur->Find(k);
    if (cur == nullptr) return "";
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  if (cur->is_string()) return cur->as_string();
  if (cur->is_int()) return std::to_string(cur->as_int());
  return "";
}

const api::Value* Find(const api::Value& v, std::string_view path) {
  const api::Value* cur = &v;
  while (!path.empty()) {
    size_t dot = path.find('.');
    if (!cur->is_object()) return nullptr;
    cur = cur->Find(path.substr(0, dot));
    if (cur == nullptr) return nullptr;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

size_t ItemCount(const api::Value& list, std::string_view key = "items") {
  const api::Value* items = list.Find(key);
  return items && items->is_array() ? items->as_array().size() : 0;
}

std::vector<std::string> ItemNames(const api::Value& list) {
  std::vector<std::string> out;
  if (const api::Value* items = list.Find("items"); items && items->is_array()) {
    for (const api::Value& it : items->as_array()) out.push_back(Str(it, "metadata.name"));
  }
  return out;
}

int64_t Int(std::string_view s) { return std::atoll(std::string(s).c_str()); }

// Replaces the first `"resourceVersion":"..."` in `json` by `rv`.
std::string WithResourceVersion(std::string json, std::string_view rv) {
  static const std::string kKey = "\"resourceVersion\":\"";
  size_t p = json.find(kKey);
  if (p == std::string::npos) return json;
  size_t start = p + kKey.size();
  size_t end = json.find('"', start);
  return json.replace(start, end - start, rv);
}

std::string StripNewline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// ConfigMap JSON for a create or update request.
std::string ConfigMapJson(std::string_view name, const std::map<std::string, std::string>& labels = {},
                          const std::map<std::string, std::string>& data = {}, std::string_view rv = "",
                          std::string_view generate_name = "") {
  std::string s = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{";
  bool first = true;
  auto sep = [&] {
    if (!first) s += ",";
    first = false;
  };
  if (!name.empty()) {
    sep();
    s += "\"name\":" + GoJsonString(name);
  }
  if (!generate_name.empty()) {
    sep();
    s += "\"generateName\":" + GoJsonString(generate_name);
  }
  if (!rv.empty()) {
    sep();
    s += "\"resourceVersion\":" + GoJsonString(rv);
  }
  if (!labels.empty()) {
    sep();
    s += "\"labels\":{";
    bool f = true;
    for (const auto& [k, v] : labels) {
      if (!f) s += ",";
      f = false;
      s += GoJsonString(k) + ":" + GoJsonString(v);
    }
    s += "}";
  }
  s += "}";
  if (!data.empty()) {
    s += ",\"data\":{";
    bool f = true;
    for (const auto& [k, v] : data) {
      if (!f) s += ",";
      f = false;
      s += GoJsonString(k) + ":" + GoJsonString(v);
    }
    s += "}";
  }
  return s + "}";
}

std::string CmPath(std::string_view ns, std::string_view name = "") {
  std::string p = "/api/v1/namespaces/" + std::string(ns) + "/configmaps";
  if (!name.empty()) p += "/" + std::string(name);
  return p;
}

// The server's anonymous resident memory (RssAnon, KiB) from /proc.
int64_t RssAnonKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("RssAnon:", 0) == 0) return std::atoll(line.c_str() + 8);
  }
  return -1;
}

// Protobuf reading (for WatchEvent frames): a varint, and the fields of a message.
bool ReadVarint(std::string_view s, size_t* i, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && *i < s.size(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(s[(*i)++]);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// The length-delimited fields of a message, in order: (field number, bytes).
std::vector<std::pair<int, std::string>> BytesFields(std::string_view msg) {
  std::vector<std::pair<int, std::string>> out;
  size_t i = 0;
  while (i < msg.size()) {
    uint64_t tag = 0, len = 0;
    if (!ReadVarint(msg, &i, &tag) || (tag & 7) != 2 || !ReadVarint(msg, &i, &len) || i + len > msg.size()) {
      out.push_back({-1, ""});
      return out;
    }
    out.push_back({static_cast<int>(tag >> 3), std::string(msg.substr(i, len))});
    i += len;
  }
  return out;
}

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string PbBytes(int field, std::string_view data) {
  return std::string(1, static_cast<char>((field << 3) | 2)) + Varint(data.size()) + std::string(data);
}

// A protobuf list or object decoded and re-encoded as compact JSON + "\n".
std::string ProtobufToJson(std::string_view body) {
  auto obj = typed::DecodeObjectProtobuf(typed::Scheme::Default(), body);
  if (!obj.ok()) return "<protobuf decode error: " + obj.status().ToString() + ">";
  std::string out;
  Status s = typed::AppendObjectJson(**obj, &out);
  if (!s.ok()) return "<json encode error: " + s.ToString() + ">";
  return out + "\n";
}

// Every Table row's cells[col] set to "" (for comparisons that must ignore ages).
api::Value WithoutCell(api::Value table, size_t col) {
  if (api::Value* rows = table.Find("rows"); rows && rows->is_array()) {
    for (api::Value& row : rows->mutable_array()) {
      if (api::Value* cells = row.Find("cells"); cells && cells->is_array() && cells->as_array().size() > col) {
        cells->mutable_array()[col] = api::Value("");
      }
    }
  }
  return table;
}

// A JSON watch line: {"type":"<T>","object":<O>}\n.
struct JsonEvent {
  std::string type;
  std::string object;  // raw JSON
};

JsonEvent ParseEventLine(std::string_view line) {
  JsonEvent e;
  static constexpr std::string_view kHead = "{\"type\":\"";
  static constexpr std::string_view kMid = "\",\"object\":";
  if (!line.starts_with(kHead) || !line.ends_with("}\n")) {
    ADD_FAILURE() << "not a watch event line: " << line.substr(0, 300);
    return e;
  }
  size_t mid = line.find(kMid);
  if (mid == std::string_view::npos) {
    ADD_FAILURE() << "not a watch event line: " << line.substr(0, 300);
    return e;
  }
  e.type = std::string(line.substr(kHead.size(), mid - kHead.size()));
  size_t ostart = mid + kMid.size();
  e.object = std::string(line.substr(ostart, line.size() - 2 - ostart));
  return e;
}

// ---------------------------------------------------------------------------------------
// Fixture helpers shared by the suites.

HttpClient ClientFor(const ApiServerProcess& s, int receive_buffer_bytes = 0) {
  HttpClientOptions o;
  o.base_url = s.insecure_url();
  o.token = s.token();
  o.receive_buffer_bytes = receive_buffer_bytes;
  return HttpClient(o);
}

HttpClient TlsClientFor(const ApiServerProcess& s) {
  HttpClientOptions o;
  o.base_url = s.url();
  o.token = s.token();
  o.ca_file = s.ca_file();
  return HttpClient(o);
}

::testing::AssertionResult CreateNamespace(const HttpClient& c, std::string_view name) {
  auto r = c.Post("/api/v1/namespaces",
                  "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + std::string(name) + "\"}}");
  if (!r.ok()) return ::testing::AssertionFailure() << r.status().ToString();
  if (r->status != 201) return ::testing::AssertionFailure() << r->status << " " << r->body;
  return ::testing::AssertionSuccess();
}

// Creates a configmap; returns the response body ("" on failure, with a test failure).
std::string CreateConfigMap(const HttpClient& c, std::string_view ns, std::string_view name,
                            const std::map<std::string, std::string>& labels = {},
                            const std::map<std::string, std::string>& data = {}) {
  auto r = c.Post(CmPath(ns), ConfigMapJson(name, labels, data));
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return "";
  }
  if (r->status != 201) {
    ADD_FAILURE() << "create " << name << ": " << r->status << " " << r->body;
    return "";
  }
  return r->body;
}

// The current list resourceVersion of a collection.
std::string ListRv(const HttpClient& c, std::string_view path) {
  auto r = c.Get(std::string(path));
  if (!r.ok() || r->status != 200) {
    ADD_FAILURE() << "list " << path;
    return "";
  }
  return Str(J(r->body), "metadata.resourceVersion");
}

// A namespace name for the running test ("t-" + its name, lower case, DNS-1123).
std::string TestNamespace() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string n = "t-";
  for (char c : std::string(info->name())) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (n.back() != '-') {
      n.push_back('-');
    }
  }
  if (n.size() > 60) n.resize(60);
  while (n.back() == '-') n.pop_back();
  return n;
}

// ---------------------------------------------------------------------------------------
// The shared LMDB server.

class ApiHttpTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    ApiServerOptions o;
    o.extra_args = {"--watch-bookmark-interval=1s"};
    server_ = new ApiServerProcess(o);
    start_ = new Status(server_->Start());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete start_;
    server_ = nullptr;
    start_ = nullptr;
  }

 protected:
  void SetUp() override {
    ASSERT_TRUE(start_->ok()) << start_->ToString();
    ASSERT_TRUE(server_->running()) << server_->LogTail();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "server log tail:\n" << server_->LogTail(2000) << "\n";
  }

  static HttpClient Client() { return ClientFor(*server_); }
  // Creates the test's own namespace.
  std::string Namespace() {
    std::string ns = TestNamespace();
    EXPECT_TRUE(CreateNamespace(Client(), ns));
    return ns;
  }

  static ApiServerProcess* server_;
  static Status* start_;
};

ApiServerProcess* ApiHttpTest::server_ = nullptr;
Status* ApiHttpTest::start_ = nullptr;

// ----- authentication, health, version

TEST_F(ApiHttpTest, NoTokenOrWrongTokenIs401Status) {
  const std::string kUnauthorized = StatusBody(401, "Unauthorized", "Unauthorized");
  for (const HttpClient& c : {Client(), TlsClientFor(*server_)}) {
    HttpRequest req;
    req.target = "/api/v1/namespaces";
    req.send_token = false;
    auto r = c.Do(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->Header("Content-Type"), kJson);
    EXPECT_EQ(r->body, kUnauthorized);
    EXPECT_TRUE(r->complete);

    req.headers = {{"Authorization", "Bearer not-the-token"}};
    r = c.Do(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->body, kUnauthorized);

    // Discovery needs a token too.
    req.target = "/api";
    req.headers.clear();
    r = c.Do(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 401);

    // A wrong token is refused even where no token is needed (authentication comes first).
    req.target = "/healthz";
    req.headers = {{"Authorization", "Bearer not-the-token"}};
    r = c.Do(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->body, kUnauthorized);
    req.headers.clear();

    // With the token: 200.
    auto ok = c.Get("/api/v1/namespaces");
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->status, 200);
  }
}

TEST_F(ApiHttpTest, HealthAndVersionNeedNoToken) {
  HttpClient c = Client();
  for (const char* path : {"/healthz", "/livez", "/readyz"}) {
    HttpRequest req;
    req.target = path;
    req.send_token = false;
    auto r = c.Do(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, "ok") << path;
    EXPECT_EQ(r->Header("Content-Type"), "text/plain; charset=utf-8");
  }
  HttpRequest req;
  req.target = "/version";
  req.send_token = false;
  auto r = c.Do(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Type"), kJson);
  // version.Info, written with MarshalIndent: keys in struct order, no trailing newline.
  EXPECT_TRUE(r->body.starts_with("{\n  \"major\": \"1\",\n  \"minor\": \"33\",\n")) << r->body;
  EXPECT_TRUE(r->body.ends_with("\"\n}")) << r->body;
  api::Value v = J(r->body);
  std::vector<std::string> keys;
  for (const char* k : {"major", "minor", "emulationMajor", "emulationMinor", "minCompatibilityMajor",
                        "minCompatibilityMinor", "gitVersion", "gitCommit", "gitTreeState", "buildDate",
                        "goVersion", "compiler", "platform"}) {
    EXPECT_NE(v.Find(k), nullptr) << k;
    keys.push_back(std::string("\"") + k + "\"");
  }
  size_t last = 0;
  for (const std::string& k : keys) {
    size_t p = r->body.find(k);
    EXPECT_GT(p, last) << k << " out of order";
    last = p;
  }
  EXPECT_TRUE(Str(v, "gitVersion").starts_with("v1.33.")) << r->body;
  // Over TLS with the token too.
  auto t = TlsClientFor(*server_).Get("/version");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->body, r->body);
}

// ----- discovery

TEST_F(ApiHttpTest, LegacyDiscovery) {
  HttpClient c = Client();
  auto api = c.Get("/api");
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->status, 200);
  EXPECT_EQ(api->Header("Content-Type"), kJson);
  EXPECT_EQ(api->body, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[{\"clientCIDR\":"
                       "\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1:" +
                           std::to_string(server_->secure_port()) + "\"}]}\n");

  auto apis = c.Get("/apis");
  ASSERT_TRUE(apis.ok());
  EXPECT_EQ(apis->status, 200);
  EXPECT_TRUE(apis->body.starts_with("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{\"name\":"))
      << apis->body.substr(0, 200);
  EXPECT_NE(apis->body.find("{\"name\":\"apps\",\"versions\":[{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}],"
                            "\"preferredVersion\":{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}}"),
            std::string::npos);
  EXPECT_TRUE(apis->body.ends_with("]}\n"));

  auto v1 = c.Get("/api/v1");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->status, 200);
  EXPECT_TRUE(v1->body.starts_with("{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["))
      << v1->body.substr(0, 200);
  EXPECT_NE(v1->body.find("{\"name\":\"configmaps\",\"singularName\":\"configmap\",\"namespaced\":true,\"kind\":"
                          "\"ConfigMap\",\"verbs\":[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\","
                          "\"patch\",\"update\",\"watch\"],\"shortNames\":[\"cm\"]"),
            std::string::npos)
      << v1->body.substr(0, 3000);
  EXPECT_NE(v1->body.find("{\"name\":\"namespaces\",\"singularName\":\"namespace\",\"namespaced\":false,"),
            std::string::npos);

  auto apps = c.Get("/apis/apps/v1");
  ASSERT_TRUE(apps.ok());
  EXPECT_EQ(apps->status, 200);
  EXPECT_TRUE(apps->body.starts_with(
      "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"apps/v1\",\"resources\":["))
      << apps->body.substr(0, 200);
  EXPECT_NE(apps->body.find("{\"name\":\"deployments\",\"singularName\":\"deployment\",\"namespaced\":true,\"kind\":"
                            "\"Deployment\",\"verbs\":["),
            std::string::npos);
  // The group alone (kube-aggregator's APIGroup).
  auto group = c.Get("/apis/apps");
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->status, 200);
  EXPECT_NE(group->body.find("\"name\":\"apps\""), std::string::npos) << group->body;
}

TEST_F(ApiHttpTest, AggregatedDiscoveryWithEtagAnd304) {
  HttpClient c = Client();
  for (const char* path : {"/api", "/apis"}) {
    auto r = c.Get(path, {{"Accept", kDiscoveryAccept}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->Header("Content-Type"), "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    EXPECT_TRUE(r->body.starts_with(
        "{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2\",\"metadata\":{},\"items\":["))
        << r->body.substr(0, 200);
    std::string etag = r->Header("ETag");
    ASSERT_FALSE(etag.empty()) << path;
    EXPECT_EQ(r->HeaderCount("ETag"), 1u);
    api::Value v = J(r->body);
    const api::Value* items = v.Find("items");
    ASSERT_TRUE(items && items->is_array() && !items->as_array().empty());
    if (std::string(path) == "/api") {
      EXPECT_EQ(Str(items->as_array()[0], "metadata.name"), "");
      EXPECT_NE(r->body.find("{\"resource\":\"configmaps\",\"responseKind\":{\"group\":\"\",\"version\":\"\","
                             "\"kind\":\"ConfigMap\"},\"scope\":\"Namespaced\",\"singularResource\":\"configmap\","),
                std::string::npos);
    } else {
      EXPECT_NE(r->body.find("\"name\":\"apps\""), std::string::npos);
    }

    auto again = c.Get(path, {{"Accept", kDiscoveryAccept}, {"If-None-Match", etag}});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, 304) << path;
    EXPECT_EQ(again->body, "");
    EXPECT_EQ(again->Header("ETag"), etag);
    EXPECT_TRUE(again->complete);

    auto stale = c.Get(path, {{"Accept", kDiscoveryAccept}, {"If-None-Match", "\"something-else\""}});
    ASSERT_TRUE(stale.ok());
    EXPECT_EQ(stale->status, 200);
    EXPECT_EQ(stale->body, r->body);

    // Without the aggregated Accept: legacy discovery, plain application/json.
    auto legacy = c.Get(path, {{"Accept", kJson}});
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(legacy->Header("Content-Type"), kJson);
    EXPECT_FALSE(legacy->body.starts_with("{\"kind\":\"APIGroupDiscoveryList\""));
  }
}

TEST_F(ApiHttpTest, UnknownPathsAre404Status) {
  HttpClient c = Client();
  const std::string k404 = StatusBody(404, "NotFound", "the server could not find the requested resource", "{}");
  for (const char* path : {"/foo", "/api/v2", "/apis/nope.example.com/v1", "/api/v1/nothings",
                           "/api/v1/namespaces/default/nothings", "/apis/apps/v1/nothings/x"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->Header("Content-Type"), kJson) << path;
    EXPECT_EQ(r->body, k404) << path;
  }
}

// ----- CRUD

TEST_F(ApiHttpTest, ConfigMapCrud) {
  HttpClient c = Client();
  std::string ns = Namespace();

  // POST: 201, with the server-set metadata in ObjectMeta's key order. Without a
  // fieldManager the write is recorded for the User-Agent's product name.
  std::vector<std::pair<std::string, std::string>> ua = {{"User-Agent", "crud-client/2.0 (test)"}};
  auto created = c.Post(CmPath(ns), ConfigMapJson("cm1", {{"app", "x"}}, {{"k", "v"}}), ua);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->Header("Content-Type"), kJson);
  api::Value cv = J(created->body);
  std::string uid = Str(cv, "metadata.uid");
  std::string rv = Str(cv, "metadata.resourceVersion");
  std::string ts = Str(cv, "metadata.creationTimestamp");
  EXPECT_TRUE(std::regex_match(uid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << uid;
  EXPECT_TRUE(std::regex_match(rv, std::regex("[1-9][0-9]*"))) << rv;
  EXPECT_TRUE(std::regex_match(ts, std::regex("20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z")))
      << ts;
  // (The write's time is read from the clock after creationTimestamp: the same second, or
  // the next one.)
  std::string mt;
  if (const api::Value* mf = cv.Find("metadata")->Find("managedFields"); mf && mf->is_array() && !mf->as_array().empty()) {
    mt = Str(mf->as_array()[0], "time");
  }
  EXPECT_TRUE(mt >= ts && mt.size() == ts.size()) << mt << " vs " << ts;
  // managedFields as kube writes them: ManagedFieldsEntry's key order, fieldsV1 in
  // structured-merge-diff's order ("." first), the write's time in seconds.
  const std::string expected_obj =
      "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"cm1\","
      "\"namespace\":\"" + ns + "\",\"uid\":\"" + uid + "\",\"resourceVersion\":\"" + rv +
      "\",\"creationTimestamp\":\"" + ts +
      "\",\"labels\":{\"app\":\"x\"},\"managedFields\":[{\"manager\":\"crud-client\",\"operation\":\"Update\","
      "\"apiVersion\":\"v1\",\"time\":\"" + mt + "\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":{\".\":{},"
      "\"f:k\":{}},\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}}}}]},\"data\":{\"k\":\"v\"}}\n";
  EXPECT_EQ(created->body, expected_obj);

  // GET: the same bytes.
  auto got = c.Get(CmPath(ns, "cm1"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, expected_obj);

  // PUT with the current resourceVersion: 200, a new resourceVersion.
  auto updated = c.Put(CmPath(ns, "cm1"), ConfigMapJson("cm1", {{"app", "x"}}, {{"k", "v2"}}, rv));
  ASSERT_TRUE(updated.ok());
  ASSERT_EQ(updated->status, 200) << updated->body;
  std::string rv2 = Str(J(updated->body), "metadata.resourceVersion");
  EXPECT_GT(Int(rv2), Int(rv));
  EXPECT_EQ(Str(J(updated->body), "metadata.uid"), uid);
  EXPECT_EQ(Str(J(updated->body), "metadata.creationTimestamp"), ts);
  EXPECT_EQ(Str(J(updated->body), "data.k"), "v2");

  // PUT with the stale resourceVersion: 409 Conflict.
  auto stale = c.Put(CmPath(ns, "cm1"), ConfigMapJson("cm1", {}, {{"k", "v3"}}, rv));
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->status, 409);
  EXPECT_EQ(stale->body,
            StatusBody(409, "Conflict",
                       "Operation cannot be fulfilled on configmaps \"cm1\": the object has been modified; please "
                       "apply your changes to the latest version and try again",
                       "{\"name\":\"cm1\",\"kind\":\"configmaps\"}"));

  // PUT whose body names another object: 400.
  auto mismatch = c.Put(CmPath(ns, "cm1"), ConfigMapJson("other", {}, {{"k", "v"}}));
  ASSERT_TRUE(mismatch.ok());
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_EQ(mismatch->body,
            StatusBody(400, "BadRequest", "the name of the object (other) does not match the name on the URL (cm1)"));

  // PUT without a resourceVersion: an unconditional update (configmaps allow it).
  auto uncond = c.Put(CmPath(ns, "cm1"), ConfigMapJson("cm1", {}, {{"k", "v4"}}));
  ASSERT_TRUE(uncond.ok());
  EXPECT_EQ(uncond->status, 200) << uncond->body;
  EXPECT_GT(Int(Str(J(uncond->body), "metadata.resourceVersion")), Int(rv2));

  // generateName: base + 5 characters of kube's alphabet.
  auto gen = c.Post(CmPath(ns), ConfigMapJson("", {}, {{"a", "b"}}, "", "gen-"));
  ASSERT_TRUE(gen.ok());
  ASSERT_EQ(gen->status, 201) << gen->body;
  api::Value gv = J(gen->body);
  EXPECT_TRUE(std::regex_match(Str(gv, "metadata.name"), std::regex("gen-[bcdfghjklmnpqrstvwxz2456789]{5}")))
      << gen->body;
  EXPECT_EQ(Str(gv, "metadata.generateName"), "gen-");
  EXPECT_TRUE(gen->body.starts_with("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" +
                                    Str(gv, "metadata.name") + "\",\"generateName\":\"gen-\",\"namespace\":"))
      << gen->body;

  // DELETE: a Success Status with the details of the deleted object.
  auto del = c.Delete(CmPath(ns, "cm1"));
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(del->body, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\",\"details\":"
                       "{\"name\":\"cm1\",\"kind\":\"configmaps\",\"uid\":\"" + uid + "\"}}\n");
  const std::string k404 = StatusBody(404, "NotFound", "configmaps \"cm1\" not found",
                                      "{\"name\":\"cm1\",\"kind\":\"configmaps\"}");
  auto gone = c.Get(CmPath(ns, "cm1"));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(gone->body, k404);
  auto again = c.Delete(CmPath(ns, "cm1"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 404);
  EXPECT_EQ(again->body, k404);
  auto put_missing = c.Put(CmPath(ns, "cm1"), ConfigMapJson("cm1", {}, {{"k", "v"}}, rv2));
  ASSERT_TRUE(put_missing.ok());
  EXPECT_EQ(put_missing->status, 404);
  EXPECT_EQ(put_missing->body, k404);
}

TEST_F(ApiHttpTest, DeletePreconditions) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string body = CreateConfigMap(c, ns, "p1");
  std::string uid = Str(J(body), "metadata.uid");
  std::string rv = Str(J(body), "metadata.resourceVersion");
  const std::string details = "{\"name\":\"p1\",\"kind\":\"configmaps\"}";

  auto bad_uid = c.Delete(CmPath(ns, "p1"),
                          "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"nope\"}}");
  ASSERT_TRUE(bad_uid.ok());
  EXPECT_EQ(bad_uid->status, 409);
  EXPECT_EQ(bad_uid->body,
            StatusBody(409, "Conflict",
                       "Operation cannot be fulfilled on configmaps \"p1\": Precondition failed: UID in precondition: "
                       "nope, UID in object meta: " + uid,
                       details));

  auto bad_rv = c.Delete(CmPath(ns, "p1"),
                         "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"resourceVersion\":\"1\"}}");
  ASSERT_TRUE(bad_rv.ok());
  EXPECT_EQ(bad_rv->status, 409);
  EXPECT_EQ(bad_rv->body,
            StatusBody(409, "Conflict",
                       "Operation cannot be fulfilled on configmaps \"p1\": Precondition failed: ResourceVersion in "
                       "precondition: 1, ResourceVersion in object meta: " + rv,
                       details));

  auto ok = c.Delete(CmPath(ns, "p1"), "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"" +
                                           uid + "\",\"resourceVersion\":\"" + rv + "\"}}");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(ApiHttpTest, CreateErrors) {
  HttpClient c = Client();
  std::string ns = Namespace();
  // Into a namespace that does not exist: 404 for the namespace.
  auto missing = c.Post(CmPath("no-such-ns"), ConfigMapJson("a", {}, {{"k", "v"}}));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, StatusBody(404, "NotFound", "namespaces \"no-such-ns\" not found",
                                      "{\"name\":\"no-such-ns\",\"kind\":\"namespaces\"}"));

  // Twice: 409 AlreadyExists.
  CreateConfigMap(c, ns, "dup");
  auto dup = c.Post(CmPath(ns), ConfigMapJson("dup"));
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(dup->body, StatusBody(409, "AlreadyExists", "configmaps \"dup\" already exists",
                                  "{\"name\":\"dup\",\"kind\":\"configmaps\"}"));

  // An invalid name: 422 with the field cause (kube's DNS-1123 subdomain message).
  auto invalid = c.Post(CmPath(ns), ConfigMapJson("Bad_Name"));
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->status, 422);
  const std::string cause =
      "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
      "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
      "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  EXPECT_EQ(invalid->body,
            StatusBody(422, "Invalid", "ConfigMap \"Bad_Name\" is invalid: metadata.name: " + cause,
                       "{\"name\":\"Bad_Name\",\"kind\":\"ConfigMap\",\"causes\":[{\"reason\":\"FieldValueInvalid\","
                       "\"message\":" + GoJsonString(cause) + ",\"field\":\"metadata.name\"}]}"));

  // No name at all: 422 Required.
  auto noname = c.Post(CmPath(ns), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}");
  ASSERT_TRUE(noname.ok());
  EXPECT_EQ(noname->status, 422);
  EXPECT_EQ(noname->body,
            StatusBody(422, "Invalid",
                       "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required",
                       "{\"kind\":\"ConfigMap\",\"causes\":[{\"reason\":\"FieldValueRequired\",\"message\":\"Required "
                       "value: name or generateName is required\",\"field\":\"metadata.name\"}]}"));

  // A namespace in the body that is not the URL's: 400.
  auto ns_mismatch = c.Post(CmPath(ns), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\","
                                        "\"namespace\":\"elsewhere\"}}");
  ASSERT_TRUE(ns_mismatch.ok());
  EXPECT_EQ(ns_mismatch->status, 400);
  EXPECT_EQ(ns_mismatch->body, StatusBody(400, "BadRequest",
                                          "the namespace of the object (elsewhere) does not match the namespace on the "
                                          "request (" + ns + ")"));
}

TEST_F(ApiHttpTest, NamespacesAndDeployments) {
  HttpClient c = Client();
  // A cluster-scoped resource.
  auto created = c.Post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                                              "\"t-cluster-scoped\"}}");
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body;
  api::Value nv = J(created->body);
  EXPECT_EQ(Str(nv, "metadata.namespace"), "");
  EXPECT_EQ(Str(nv, "status.phase"), "Active");
  EXPECT_EQ(Str(nv, "metadata.labels.kubernetes.io/metadata.name"), "");  // (dotted key: checked below)
  EXPECT_NE(created->body.find("\"labels\":{\"kubernetes.io/metadata.name\":\"t-cluster-scoped\"}"), std::string::npos)
      << created->body;
  EXPECT_NE(created->body.find("\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":\"Active\"}}\n"),
            std::string::npos)
      << created->body;
  auto got = c.Get("/api/v1/namespaces/t-cluster-scoped");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, created->body);
  for (const char* ns : {"default", "kube-system", "kube-public"}) {
    auto r = c.Get(std::string("/api/v1/namespaces/") + ns);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << ns;
  }

  // Another group: apps/v1 deployments.
  const std::string dep =
      "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},"
      "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":"
      "{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}";
  auto d = c.Post("/apis/apps/v1/namespaces/t-cluster-scoped/deployments", dep);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->status, 201) << d->body;
  api::Value dv = J(d->body);
  EXPECT_TRUE(d->body.starts_with("{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"web\","
                                  "\"namespace\":\"t-cluster-scoped\",\"uid\":"))
      << d->body;
  EXPECT_EQ(Str(dv, "metadata.generation"), "1");
  auto dg = c.Get("/apis/apps/v1/namespaces/t-cluster-scoped/deployments/web");
  ASSERT_TRUE(dg.ok());
  EXPECT_EQ(dg->status, 200);
  EXPECT_EQ(dg->body, d->body);
  auto dl = c.Get("/apis/apps/v1/namespaces/t-cluster-scoped/deployments");
  ASSERT_TRUE(dl.ok());
  EXPECT_TRUE(dl->body.starts_with("{\"kind\":\"DeploymentList\",\"apiVersion\":\"apps/v1\",\"metadata\":{"))
      << dl->body.substr(0, 200);
  EXPECT_EQ(ItemNames(J(dl->body)), std::vector<std::string>{"web"});
  // A deployment in the core group's path does not exist.
  auto wrong = c.Get("/api/v1/namespaces/t-cluster-scoped/deployments/web");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 404);
  // Cluster-wide list of a namespaced resource.
  auto all = c.Get("/apis/apps/v1/deployments");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->status, 200);
  EXPECT_EQ(ItemNames(J(all->body)), std::vector<std::string>{"web"});

  // Deleting a namespace answers with the namespace object.
  auto del = c.Delete("/api/v1/namespaces/t-cluster-scoped");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 200) << del->body;
  EXPECT_TRUE(del->body.starts_with("{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
                                    "\"t-cluster-scoped\","))
      << del->body;
}

// ----- request errors

TEST_F(ApiHttpTest, NotAcceptable406IsRawPrettyJson) {
  HttpClient c = Client();
  std::string ns = Namespace();
  CreateConfigMap(c, ns, "a");
  const std::string k406 =
      "{\n"
      "  \"kind\": \"Status\",\n"
      "  \"apiVersion\": \"v1\",\n"
      "  \"metadata\": {},\n"
      "  \"status\": \"Failure\",\n"
      "  \"message\": \"only the following media types are accepted: application/json, application/yaml, "
      "application/vnd.kubernetes.protobuf\",\n"
      "  \"reason\": \"NotAcceptable\",\n"
      "  \"code\": 406\n"
      "}";
  for (const std::string& path : {CmPath(ns), CmPath(ns, "a")}) {
    for (const char* accept : {"text/html", "application/xml, text/plain", "image/*"}) {
      auto r = c.Get(path, {{"Accept", accept}});
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 406) << path << " " << accept;
      EXPECT_EQ(r->Header("Content-Type"), kJson);
      EXPECT_EQ(r->body, k406);
    }
  }
  // Table as protobuf is not served: no clause matches.
  auto r = c.Get(CmPath(ns), {{"Accept", "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 406);
  EXPECT_EQ(r->body, k406);
  // A later clause that matches is used.
  auto ok = c.Get(CmPath(ns), {{"Accept", "text/html, application/yaml"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->Header("Content-Type"), kYaml);
}

TEST_F(ApiHttpTest, UnsupportedMediaType415) {
  HttpClient c = Client();
  std::string ns = Namespace();
  auto r = c.Post(CmPath(ns), ConfigMapJson("a"), {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(r->Header("Content-Type"), kJson);
  EXPECT_EQ(r->body, StatusBody(415, "UnsupportedMediaType",
                                "the body of the request was in an unknown format - accepted media types include: "
                                "application/json, application/yaml, application/vnd.kubernetes.protobuf"));
  // YAML bodies are fine.
  auto y = c.Post(CmPath(ns), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n",
                  {{"Content-Type", kYaml}});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->status, 201) << y->body;
  EXPECT_EQ(Str(J(y->body), "data.k"), "v");
}

// Uppercase hex SHA-512 (kube-openapi's document hash).
std::string Sha512Hex(std::string_view data) {
  unsigned char digest[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  std::string out;
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char ch : digest) {
    out += kHex[ch >> 4];
    out += kHex[ch & 15];
  }
  return out;
}

// kube-openapi's handler3: the index, a document by its hash with an ETag, 304, the
// redirect of a stale hash, 406 for formats other than JSON; the empty v2 document.
TEST_F(ApiHttpTest, OpenApiV3DocumentsWithHashesAndEtags) {
  HttpClient c = Client();
  auto index = c.Get("/openapi/v3");
  ASSERT_TRUE(index.ok());
  ASSERT_EQ(index->status, 200);
  EXPECT_EQ(index->Header("Content-Type"), "application/json");
  std::string url = Str(J(index->body), "paths.apis/apps/v1.serverRelativeURL");
  ASSERT_TRUE(url.starts_with("/openapi/v3/apis/apps/v1?hash=")) << index->body.substr(0, 300);
  std::string hash = url.substr(url.find("hash=") + 5);
  EXPECT_EQ(hash.size(), 128u);
  auto doc = c.Get(url, {{"Accept", "application/json"}});
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc->status, 200);
  EXPECT_EQ(doc->Header("Etag"), "\"" + hash + "\"");
  EXPECT_EQ(doc->Header("Cache-Control"), "public, immutable");
  api::Value d = J(doc->body);
  EXPECT_EQ(Str(d, "openapi"), "3.0.0");
  const api::Value* patch = d.Find("paths")->Find("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")->Find("patch");
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(patch->Find("x-kubernetes-group-version-kind")->Find("kind")->as_string(), "Deployment");
  EXPECT_NE(d.Find("components")->Find("schemas")->Find("io.k8s.api.apps.v1.Deployment"), nullptr);
  // The hash is the SHA-512 of the document, as kube computes it.
  EXPECT_EQ(Sha512Hex(doc->body), hash);
  auto again = c.Get(url, {{"Accept", "application/json"}, {"If-None-Match", "\"" + hash + "\""}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto stale = c.Get("/openapi/v3/apis/apps/v1?hash=0123", {{"Accept", "application/json"}});
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->status, 301);
  EXPECT_EQ(stale->Header("Location"), url);
  auto pb = c.Get(url, {{"Accept", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf"}});
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(pb->status, 406);
  auto missing = c.Get("/openapi/v3/apis/nope/v1", {{"Accept", "application/json"}});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  // v2: an empty Swagger document, in protobuf (gnostic openapi_v2.Document) or JSON.
  auto v2 = c.Get("/openapi/v2", {{"Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}});
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->status, 200);
  EXPECT_EQ(v2->Header("Content-Type"), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  EXPECT_TRUE(v2->body.starts_with(std::string("\x0a\x03" "2.0\x12", 6))) << v2->body;
  auto v2json = c.Get("/openapi/v2", {{"Accept", "application/json"}});
  ASSERT_TRUE(v2json.ok());
  EXPECT_EQ(Str(J(v2json->body), "swagger"), "2.0");
}

// fieldValidation on create: Strict is kube's 400, Warn (the default) adds one Warning
// header per problem, Ignore says nothing; anything else is a 422 on CreateOptions.
TEST_F(ApiHttpTest, FieldValidationStrictWarnIgnore) {
  HttpClient c = Client();
  std::string ns = Namespace();
  const std::string body =
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME"},"data":{"a":"1"},"data":{"b":"2"},"bogus":1})";
  auto with = [&](const std::string& name) {
    std::string b = body;
    b.replace(b.find("NAME"), 4, name);
    return b;
  };
  auto strict = c.Post(CmPath(ns) + "?fieldValidation=Strict", with("s"));
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->status, 400);
  EXPECT_EQ(Str(J(strict->body), "message"),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field "
            "\"bogus\", duplicate field \"data\"");
  auto warn = c.Post(CmPath(ns), with("w"));
  ASSERT_TRUE(warn.ok());
  EXPECT_EQ(warn->status, 201) << warn->body;
  EXPECT_EQ(warn->HeaderCount("Warning"), 2u);
  std::vector<std::string> warnings;
  for (auto [it, end] = warn->headers.equal_range("Warning"); it != end; ++it) warnings.push_back(it->second);
  EXPECT_EQ(warnings, (std::vector<std::string>{"299 - \"unknown field \\\"bogus\\\"\"",
                                                 "299 - \"duplicate field \\\"data\\\"\""}));
  EXPECT_EQ(Str(J(warn->body), "data.b"), "2");  // the last duplicate wins
  auto ignore = c.Post(CmPath(ns) + "?fieldValidation=Ignore", with("i"));
  ASSERT_TRUE(ignore.ok());
  EXPECT_EQ(ignore->status, 201);
  EXPECT_EQ(ignore->HeaderCount("Warning"), 0u);
  auto bad = c.Post(CmPath(ns) + "?fieldValidation=Loud", with("x"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 422);
  EXPECT_EQ(Str(J(bad->body), "message"),
            "CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Loud\": supported "
            "values: \"Ignore\", \"Strict\", \"Warn\"");
}

// PATCH: content types, options, dry runs, apply creating an object, and conflicts.
TEST_F(ApiHttpTest, PatchTypesOptionsAndDryRun) {
  HttpClient c = Client();
  std::string ns = Namespace();
  ASSERT_EQ(c.Post(CmPath(ns), ConfigMapJson("p", {}, {{"a", "1"}}))->status, 201);
  auto patch = [&](const std::string& target, const std::string& type, const std::string& body) {
    HttpRequest r;
    r.method = "PATCH";
    r.target = target;
    r.headers = {{"Content-Type", type}};
    r.body = body;
    auto resp = c.Do(r);
    EXPECT_TRUE(resp.ok());
    return resp.ok() ? std::move(resp).value() : HttpResponse{};
  };
  auto r = patch(CmPath(ns, "p"), "application/json", "{}");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(Str(J(r.body), "message"),
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
            "application/apply-patch+yaml");
  // A charset parameter is ignored.
  r = patch(CmPath(ns, "p"), "application/merge-patch+json; charset=utf-8", R"({"data":{"b":"2"}})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(J(r.body), "data.b"), "2");
  // force outside apply; apply without a field manager.
  r = patch(CmPath(ns, "p") + "?force=true", "application/merge-patch+json", "{}");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Str(J(r.body), "message"),
            "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
  r = patch(CmPath(ns, "p"), "application/apply-patch+yaml", "data:\n  c: \"3\"\n");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Str(J(r.body), "message"),
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
  // dryRun: the answer shows the change, storage keeps the object as it was.
  r = patch(CmPath(ns, "p") + "?dryRun=All", "application/json-patch+json",
            R"([{"op":"replace","path":"/data/a","value":"dry"}])");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(J(r.body), "data.a"), "dry");
  EXPECT_EQ(Str(J(c.Get(CmPath(ns, "p"))->body), "data.a"), "1");
  // A patch of a missing object is a 404; apply creates it (201), not with dryRun.
  r = patch(CmPath(ns, "nope"), "application/merge-patch+json", "{}");
  EXPECT_EQ(r.status, 404);
  const std::string cfg = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n";
  r = patch(CmPath(ns, "applied") + "?fieldManager=tester&dryRun=All", "application/apply-patch+yaml", cfg);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(c.Get(CmPath(ns, "applied"))->status, 404);
  r = patch(CmPath(ns, "applied") + "?fieldManager=tester", "application/apply-patch+yaml", cfg);
  EXPECT_EQ(r.status, 201) << r.body;
  api::Value applied = J(r.body);
  const api::Value* mf = applied.Find("metadata")->Find("managedFields");
  ASSERT_TRUE(mf != nullptr && mf->is_array() && mf->as_array().size() == 1u) << r.body;
  EXPECT_EQ(mf->as_array()[0].Find("manager")->as_string(), "tester");
  EXPECT_EQ(mf->as_array()[0].Find("operation")->as_string(), "Apply");
  // Another manager changing the field conflicts (409) unless forced.
  r = patch(CmPath(ns, "applied") + "?fieldManager=other", "application/apply-patch+yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: w\n");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Str(J(r.body), "message"), "Apply failed with 1 conflict: conflict with \"tester\": .data.k");
  EXPECT_EQ(Str(J(r.body), "reason"), "Conflict");
  r = patch(CmPath(ns, "applied") + "?fieldManager=other&force=true", "application/apply-patch+yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: w\n");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(J(r.body), "data.k"), "w");
  // Without a fieldManager, writes are recorded for the User-Agent's product name.
  HttpRequest put;
  put.method = "PATCH";
  put.target = CmPath(ns, "p");
  put.headers = {{"Content-Type", "application/merge-patch+json"}, {"User-Agent", "my-tool/1.2 (linux)"}};
  put.body = R"({"data":{"ua":"x"}})";
  auto ua = c.Do(put);
  ASSERT_TRUE(ua.ok());
  EXPECT_EQ(ua->status, 200);
  bool found = false;
  const api::Value ua_obj = J(ua->body);
  const api::Value* ua_fields = ua_obj.Find("metadata") ? ua_obj.Find("metadata")->Find("managedFields") : nullptr;
  ASSERT_TRUE(ua_fields != nullptr && ua_fields->is_array()) << ua->body;
  for (const api::Value& e : ua_fields->as_array()) {
    found = found || e.Find("manager")->as_string() == "my-tool";
  }
  EXPECT_TRUE(found) << ua->body;
}

std::string ToJsonOrDie(const api::Value& v) {
  auto j = api::ToJson(v);
  EXPECT_TRUE(j.ok());
  return j.ok() ? *j : std::string();
}

// A CRD's resources are in discovery, in /openapi/v3 and served as soon as the create
// returns, and gone as soon as the delete returns.
TEST_F(ApiHttpTest, CrdResourcesAppearAndDisappearWithTheCrd) {
  HttpClient c = Client();
  auto created = c.Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", R"({"apiVersion":"apiextensions.k8s.io/v1",
    "kind":"CustomResourceDefinition","metadata":{"name":"flags.ops.example.com"},
    "spec":{"group":"ops.example.com","scope":"Cluster","names":{"plural":"flags","kind":"Flag","shortNames":["fl"],
      "categories":["all"]},
      "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
        "properties":{"spec":{"type":"object","properties":{"on":{"type":"boolean"}}}}}}},
        {"name":"v1beta1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object",
        "x-kubernetes-preserve-unknown-fields":true}}}]}})");
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body;
  // Legacy discovery: the group with both versions (v1 preferred), the resource list.
  auto group = c.Get("/apis/ops.example.com");
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->status, 200) << group->body;
  EXPECT_EQ(Str(J(group->body), "preferredVersion.version"), "v1");
  auto list = c.Get("/apis/ops.example.com/v1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->status, 200) << list->body;
  api::Value rl = J(list->body);
  ASSERT_TRUE(rl.Find("resources") != nullptr && rl.Find("resources")->is_array()) << list->body;
  ASSERT_EQ(rl.Find("resources")->as_array().size(), 1u) << list->body;
  const api::Value& res = rl.Find("resources")->as_array()[0];
  EXPECT_EQ(Str(res, "name"), "flags");
  EXPECT_EQ(Str(res, "kind"), "Flag");
  EXPECT_EQ(Str(res, "singularName"), "flag");
  EXPECT_FALSE(res.Find("namespaced")->as_bool());
  EXPECT_FALSE(Str(res, "storageVersionHash").empty());
  // Aggregated discovery and the OpenAPI index.
  auto agg = c.Get("/apis", {{"Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"}});
  ASSERT_TRUE(agg.ok());
  EXPECT_NE(agg->body.find("\"ops.example.com\""), std::string::npos);
  auto index = c.Get("/openapi/v3");
  ASSERT_TRUE(index.ok());
  ASSERT_NE(J(index->body).Find("paths"), nullptr);
  EXPECT_NE(J(index->body).Find("paths")->Find("apis/ops.example.com/v1"), nullptr) << index->body.substr(0, 200);
  // Served, in both versions (conversion None).
  auto flag = c.Post("/apis/ops.example.com/v1/flags",
                     R"({"apiVersion":"ops.example.com/v1","kind":"Flag","metadata":{"name":"dark"},"spec":{"on":true}})");
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->status, 201) << flag->body;
  auto beta = c.Get("/apis/ops.example.com/v1beta1/flags/dark");
  ASSERT_TRUE(beta.ok());
  EXPECT_EQ(beta->status, 200) << beta->body;
  EXPECT_EQ(Str(J(beta->body), "apiVersion"), "ops.example.com/v1beta1");
  EXPECT_EQ(beta->body, "{\"apiVersion\":\"ops.example.com/v1beta1\",\"kind\":\"Flag\",\"metadata\":{\"creationTimestamp\":\"" +
                            Str(J(beta->body), "metadata.creationTimestamp") + "\",\"generation\":1,\"managedFields\":" +
                            ToJsonOrDie(*J(beta->body).Find("metadata")->Find("managedFields")) +
                            ",\"name\":\"dark\",\"resourceVersion\":\"" + Str(J(beta->body), "metadata.resourceVersion") +
                            "\",\"uid\":\"" + Str(J(beta->body), "metadata.uid") + "\"},\"spec\":{\"on\":true}}\n");

  auto deleted = c.Delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/flags.ops.example.com");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(c.Get("/apis/ops.example.com/v1/flags")->status, 404);
  EXPECT_EQ(c.Get("/apis/ops.example.com/v1")->status, 404);
  index = c.Get("/openapi/v3");
  EXPECT_EQ(J(index->body).Find("paths")->Find("apis/ops.example.com/v1"), nullptr);
}

TEST_F(ApiHttpTest, RequestBodyOver3MiBIs413) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string big = ConfigMapJson("big", {}, {{"k", std::string(3 * 1024 * 1024 + 10, 'x')}});
  ASSERT_GT(big.size(), 3145728u);
  auto r = c.Post(CmPath(ns), big);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, StatusBody(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728"));
  // Just under the limit is read (and then stored: LMDB has no 1.5 MiB request limit).
  std::string fits = ConfigMapJson("fits", {}, {{"k", std::string(3 * 1024 * 1024 - 200, 'x')}});
  ASSERT_LE(fits.size(), 3145728u);
  auto ok = c.Post(CmPath(ns), fits);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 201) << ok->body.substr(0, 300);
}

TEST_F(ApiHttpTest, UnsupportedVerbIs405) {
  HttpClient c = Client();
  std::string ns = Namespace();
  CreateConfigMap(c, ns, "a");
  // No route for these methods on these paths (kube: go-restful's 405 through
  // NewGenericServerResponse).
  const std::string k405 =
      StatusBody(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", "{}");
  HttpRequest put_collection;
  put_collection.method = "PUT";
  put_collection.target = CmPath(ns);
  put_collection.body = ConfigMapJson("a");
  HttpRequest post_item;
  post_item.method = "POST";
  post_item.target = CmPath(ns, "a");
  post_item.body = ConfigMapJson("a");
  for (const HttpRequest& req : {put_collection, post_item}) {
    auto r = c.Do(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 405) << req.method << " " << req.target;
    EXPECT_EQ(r->body, k405) << req.method << " " << req.target;
  }
}

TEST_F(ApiHttpTest, ListParameterErrors) {
  HttpClient c = Client();
  std::string ns = Namespace();
  CreateConfigMap(c, ns, "a");
  CreateConfigMap(c, ns, "b");

  // A continue token that is not one.
  auto bad_continue = c.Get(CmPath(ns) + "?limit=1&continue=abc");
  ASSERT_TRUE(bad_continue.ok());
  EXPECT_EQ(bad_continue->status, 400);
  EXPECT_EQ(bad_continue->body,
            StatusBody(400, "BadRequest",
                       "invalid continue token: continue key is not valid: invalid character 'i' looking for "
                       "beginning of value"));
  // A token of another version.
  std::string other = Base64UrlEncode("{\"v\":\"meta.k8s.io/v0\",\"rv\":5,\"start\":\"a\\u0000\"}");
  auto bad_version = c.Get(CmPath(ns) + "?limit=1&continue=" + other);
  ASSERT_TRUE(bad_version.ok());
  EXPECT_EQ(bad_version->status, 400);
  EXPECT_EQ(bad_version->body,
            StatusBody(400, "BadRequest",
                       "invalid continue token: continue key is not valid: server does not recognize this encoded "
                       "version meta.k8s.io/v0"));
  // resourceVersion together with continue.
  auto first = c.Get(CmPath(ns) + "?limit=1");
  ASSERT_TRUE(first.ok());
  std::string token = Str(J(first->body), "metadata.continue");
  ASSERT_FALSE(token.empty());
  auto rv_and_continue = c.Get(CmPath(ns) + "?limit=1&resourceVersion=5&continue=" + token);
  ASSERT_TRUE(rv_and_continue.ok());
  EXPECT_EQ(rv_and_continue->status, 400);
  EXPECT_EQ(rv_and_continue->body,
            StatusBody(400, "BadRequest", "specifying resource version is not allowed when using continue"));

  // An unknown field selector.
  auto bad_field = c.Get(CmPath(ns) + "?fieldSelector=spec.foo%3Dbar");
  ASSERT_TRUE(bad_field.ok());
  EXPECT_EQ(bad_field->status, 400);
  EXPECT_EQ(bad_field->body,
            StatusBody(400, "BadRequest",
                       "\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""));

  // A label selector that does not parse.
  auto bad_label = c.Get(CmPath(ns) + "?labelSelector=a%20in%20(b");
  ASSERT_TRUE(bad_label.ok());
  EXPECT_EQ(bad_label->status, 400);
  api::Value lv = J(bad_label->body);
  EXPECT_EQ(Str(lv, "reason"), "BadRequest");
  EXPECT_EQ(Str(lv, "code"), "400");
  EXPECT_FALSE(Str(lv, "message").empty());

  // resourceVersionMatch without resourceVersion: 422 on ListOptions.
  auto no_rv = c.Get(CmPath(ns) + "?resourceVersionMatch=Exact");
  ASSERT_TRUE(no_rv.ok());
  EXPECT_EQ(no_rv->status, 422);
  EXPECT_EQ(no_rv->body,
            StatusBody(422, "Invalid",
                       "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "
                       "is forbidden unless resourceVersion is provided",
                       "{\"group\":\"meta.k8s.io\",\"kind\":\"ListOptions\",\"causes\":[{\"reason\":\"FieldValueForbidden\","
                       "\"message\":\"Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided\","
                       "\"field\":\"resourceVersionMatch\"}]}"));
  // An unknown resourceVersionMatch.
  auto bad_match = c.Get(CmPath(ns) + "?resourceVersion=1&resourceVersionMatch=Newest");
  ASSERT_TRUE(bad_match.ok());
  EXPECT_EQ(bad_match->status, 422);
  EXPECT_EQ(Str(J(bad_match->body), "message"),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: \"Newest\": supported "
            "values: \"Exact\", \"NotOlderThan\", \"\"");
  // sendInitialEvents on a list.
  auto sie = c.Get(CmPath(ns) + "?sendInitialEvents=true");
  ASSERT_TRUE(sie.ok());
  EXPECT_EQ(sie->status, 422);
  EXPECT_EQ(Str(J(sie->body), "message"),
            "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden "
            "for list");
}

// ----- LIST in every content type

class ListFixture {
 public:
  // Creates `n` configmaps cm-00..cm-<n-1> in `ns` (labels app=a/b alternating, data of
  // increasing size).
  static void Fill(const HttpClient& c, const std::string& ns, int n) {
    for (int i = 0; i < n; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "cm-%02d", i);
      CreateConfigMap(c, ns, name, {{"app", i % 2 == 0 ? "a" : "b"}, {"idx", std::to_string(i)}},
                      {{"k", std::string(static_cast<size_t>(10 * i + 1), 'v')}, {"html", "<&>"}});
    }
  }
};

TEST_F(ApiHttpTest, ListContentTypes) {
  HttpClient c = Client();
  std::string ns = Namespace();
  ListFixture::Fill(c, ns, 5);

  // JSON: compact + "\n"; items carry no kind/apiVersion.
  auto json = c.Get(CmPath(ns));
  ASSERT_TRUE(json.ok());
  ASSERT_EQ(json->status, 200);
  EXPECT_EQ(json->Header("Content-Type"), kJson);
  EXPECT_EQ(json->Header("Cache-Control"), "no-cache, private");
  std::string rv = Str(J(json->body), "metadata.resourceVersion");
  EXPECT_TRUE(json->body.starts_with("{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{"
                                     "\"resourceVersion\":\"" + rv + "\"},\"items\":[{\"metadata\":{\"name\":\"cm-00\","))
      << json->body.substr(0, 300);
  EXPECT_TRUE(json->body.ends_with("}]}\n"));
  EXPECT_EQ(std::count(json->body.begin(), json->body.end(), '\n'), 1);
  EXPECT_NE(json->body.find("\"html\":\"\\u003c\\u0026\\u003e\""), std::string::npos);
  const std::string compact = StripNewline(json->body);
  std::vector<std::string_view> items = RawElements(RawMember(compact, "items"));
  ASSERT_EQ(items.size(), 5u);
  // Each item is what a GET of it returns, minus the item's kind/apiVersion.
  for (std::string_view item : items) {
    std::string name = Str(J(item), "metadata.name");
    auto one = c.Get(CmPath(ns, name));
    ASSERT_TRUE(one.ok());
    std::string expected = one->body;
    const std::string kTypeMeta = "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",";
    ASSERT_TRUE(expected.starts_with(kTypeMeta)) << expected;
    expected = "{" + expected.substr(kTypeMeta.size());
    EXPECT_EQ(std::string(item) + "\n", expected);
  }

  // ?pretty=true: json.MarshalIndent, no trailing newline.
  auto pretty = c.Get(CmPath(ns) + "?pretty=true");
  ASSERT_TRUE(pretty.ok());
  EXPECT_EQ(pretty->Header("Content-Type"), kJson);
  EXPECT_EQ(pretty->body, GoIndent(compact));
  // So does a curl User-Agent; ?pretty=false wins over it.
  auto curl = c.Get(CmPath(ns), {{"User-Agent", "curl/8.5.0"}});
  ASSERT_TRUE(curl.ok());
  EXPECT_EQ(curl->body, pretty->body);
  auto curl_not = c.Get(CmPath(ns) + "?pretty=false", {{"User-Agent", "curl/8.5.0"}});
  ASSERT_TRUE(curl_not.ok());
  EXPECT_EQ(curl_not->body, json->body);

  // YAML: the same value.
  auto yaml = c.Get(CmPath(ns), {{"Accept", kYaml}});
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ(yaml->status, 200);
  EXPECT_EQ(yaml->Header("Content-Type"), kYaml);
  EXPECT_TRUE(yaml->body.starts_with("apiVersion: v1\nitems:\n- data:\n")) << yaml->body.substr(0, 200);
  EXPECT_TRUE(yaml->body.ends_with("kind: ConfigMapList\nmetadata:\n  resourceVersion: \"" + rv + "\"\n"))
      << yaml->body.substr(yaml->body.size() > 200 ? yaml->body.size() - 200 : 0);
  auto yv = api::ParseYaml(yaml->body);
  ASSERT_TRUE(yv.ok()) << yv.status().ToString();
  EXPECT_TRUE(*yv == J(json->body));

  // Protobuf: the k8s\0 envelope, decoding to the same list.
  auto pb = c.Get(CmPath(ns), {{"Accept", kProtobuf}});
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(pb->status, 200);
  EXPECT_EQ(pb->Header("Content-Type"), kProtobuf);
  ASSERT_TRUE(pb->body.starts_with(std::string("k8s\0", 4)));
  const std::string type_meta = PbBytes(1, "v1") + PbBytes(2, "ConfigMapList");
  EXPECT_EQ(pb->body.substr(4, 2 + type_meta.size()), PbBytes(1, type_meta));
  EXPECT_TRUE(pb->body.ends_with(std::string("\x1a\x00\x22\x00", 4)));
  EXPECT_EQ(ProtobufToJson(pb->body), json->body);
  // What kube's clients send: protobuf, falling back to JSON.
  auto pb2 = c.Get(CmPath(ns), {{"Accept", "application/vnd.kubernetes.protobuf, application/json"}});
  ASSERT_TRUE(pb2.ok());
  EXPECT_EQ(pb2->body, pb->body);

  // Table (kubectl get): Name, Data, Age; rows with PartialObjectMetadata objects.
  auto table = c.Get(CmPath(ns) + "?limit=500", {{"Accept", kTableAccept}});
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->status, 200);
  EXPECT_EQ(table->Header("Content-Type"), kJson);
  EXPECT_TRUE(table->body.starts_with("{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{"
                                      "\"resourceVersion\":\"" + rv + "\"},\"columnDefinitions\":[{\"name\":\"Name\","
                                      "\"type\":\"string\",\"format\":\"name\",\"description\":"))
      << table->body.substr(0, 300);
  EXPECT_TRUE(table->body.ends_with("}]}\n"));
  api::Value tv = J(table->body);
  const api::Value* cols = tv.Find("columnDefinitions");
  ASSERT_TRUE(cols && cols->is_array());
  std::vector<std::string> col_names;
  for (const api::Value& col : cols->as_array()) col_names.push_back(Str(col, "name"));
  EXPECT_EQ(col_names, (std::vector<std::string>{"Name", "Data", "Age"}));
  const std::string compact_table = StripNewline(table->body);
  std::vector<std::string_view> rows = RawElements(RawMember(compact_table, "rows"));
  ASSERT_EQ(rows.size(), 5u);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string_view row = rows[i];
    std::vector<std::string_view> cells = RawElements(RawMember(row, "cells"));
    ASSERT_EQ(cells.size(), 3u);
    EXPECT_EQ(cells[0], GoJsonString(Str(J(items[i]), "metadata.name")));
    EXPECT_EQ(cells[1], "2");  // two data keys
    EXPECT_TRUE(std::regex_match(std::string(cells[2]), std::regex("\"[0-9]+s\""))) << cells[2];
    EXPECT_EQ(RawMember(row, "object"),
              "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":" +
                  std::string(RawMember(items[i], "metadata")) + "}");
  }
  // includeObject=Object: the full objects, with their kind.
  auto table_obj = c.Get(CmPath(ns) + "?includeObject=Object", {{"Accept", kTableAccept}});
  ASSERT_TRUE(table_obj.ok());
  std::string to = StripNewline(table_obj->body);
  std::vector<std::string_view> orows = RawElements(RawMember(to, "rows"));
  ASSERT_EQ(orows.size(), 5u);
  EXPECT_EQ(RawMember(orows[0], "object"),
            "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\"," + std::string(items[0].substr(1)));
  // includeObject=None: null.
  auto table_none = c.Get(CmPath(ns) + "?includeObject=None", {{"Accept", kTableAccept}});
  ASSERT_TRUE(table_none.ok());
  std::string tn = StripNewline(table_none->body);
  EXPECT_EQ(RawMember(RawElements(RawMember(tn, "rows"))[0], "object"), "null");
  auto table_bad = c.Get(CmPath(ns) + "?includeObject=Everything", {{"Accept", kTableAccept}});
  ASSERT_TRUE(table_bad.ok());
  EXPECT_EQ(table_bad->status, 400);
  EXPECT_EQ(table_bad->body, StatusBody(400, "BadRequest", "unrecognized includeObject value: \"Everything\""));

  // Table as YAML: the same table (ages aside).
  auto table_yaml = c.Get(CmPath(ns), {{"Accept", kTableYamlAccept}});
  ASSERT_TRUE(table_yaml.ok());
  EXPECT_EQ(table_yaml->status, 200);
  EXPECT_EQ(table_yaml->Header("Content-Type"), kYaml);
  EXPECT_TRUE(table_yaml->body.starts_with("apiVersion: meta.k8s.io/v1\ncolumnDefinitions:\n- description: "))
      << table_yaml->body.substr(0, 200);
  auto tyv = api::ParseYaml(table_yaml->body);
  ASSERT_TRUE(tyv.ok()) << tyv.status().ToString();
  EXPECT_TRUE(WithoutCell(*tyv, 2) == WithoutCell(tv, 2));

  // PartialObjectMetadataList, JSON and protobuf.
  auto pom = c.Get(CmPath(ns), {{"Accept", kPomJsonAccept}});
  ASSERT_TRUE(pom.ok());
  EXPECT_EQ(pom->status, 200);
  EXPECT_EQ(pom->Header("Content-Type"), kJson);
  std::string expected_pom = "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{"
                             "\"resourceVersion\":\"" + rv + "\"},\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) expected_pom += ",";
    expected_pom += "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":" +
                    std::string(RawMember(items[i], "metadata")) + "}";
  }
  expected_pom += "]}\n";
  EXPECT_EQ(pom->body, expected_pom);
  auto pom_pb = c.Get(CmPath(ns), {{"Accept", kPomProtoAccept}});
  ASSERT_TRUE(pom_pb.ok());
  EXPECT_EQ(pom_pb->status, 200);
  EXPECT_EQ(pom_pb->Header("Content-Type"), kProtobuf);
  ASSERT_TRUE(pom_pb->body.starts_with(std::string("k8s\0", 4)));
  // (Protobuf items carry no TypeMeta, so the decoded items have no kind/apiVersion.)
  std::string expected_pom_items = expected_pom;
  for (size_t p; (p = expected_pom_items.find("{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",")) !=
                 std::string::npos;) {
    expected_pom_items.replace(p, 62, "{");
  }
  EXPECT_EQ(ProtobufToJson(pom_pb->body), expected_pom_items);
  // PartialObjectMetadata (not List) for a list: 406.
  auto pom_single = c.Get(CmPath(ns), {{"Accept", "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"}});
  ASSERT_TRUE(pom_single.ok());
  EXPECT_EQ(pom_single->status, 406);
  EXPECT_NE(pom_single->body.find("you requested PartialObjectMetadata, but the requested object is a list"),
            std::string::npos)
      << pom_single->body;
  // A single object as PartialObjectMetadata.
  auto pom_obj = c.Get(CmPath(ns, "cm-00"), {{"Accept", "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"}});
  ASSERT_TRUE(pom_obj.ok());
  EXPECT_EQ(pom_obj->status, 200);
  EXPECT_EQ(pom_obj->body, "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":" +
                               std::string(RawMember(items[0], "metadata")) + "}\n");
}

TEST_F(ApiHttpTest, EmptyListsInEveryContentType) {
  HttpClient c = Client();
  std::string ns = Namespace();
  auto json = c.Get(CmPath(ns));
  ASSERT_TRUE(json.ok());
  std::string rv = Str(J(json->body), "metadata.resourceVersion");
  ASSERT_FALSE(rv.empty());
  EXPECT_EQ(json->body, "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + rv +
                            "\"},\"items\":[]}\n");
  auto pretty = c.Get(CmPath(ns) + "?pretty=1");
  ASSERT_TRUE(pretty.ok());
  EXPECT_EQ(pretty->body, "{\n  \"kind\": \"ConfigMapList\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {\n    "
                          "\"resourceVersion\": \"" + rv + "\"\n  },\n  \"items\": []\n}");
  auto yaml = c.Get(CmPath(ns), {{"Accept", kYaml}});
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ(yaml->body, "apiVersion: v1\nitems: []\nkind: ConfigMapList\nmetadata:\n  resourceVersion: \"" + rv + "\"\n");
  auto pb = c.Get(CmPath(ns), {{"Accept", kProtobuf}});
  ASSERT_TRUE(pb.ok());
  // k8s\0, Unknown{typeMeta{v1, ConfigMapList}, raw = ConfigMapList{ListMeta{"", rv, ""}}, "", ""}.
  const std::string list_meta = PbBytes(1, "") + PbBytes(2, rv) + PbBytes(3, "");
  const std::string expected_pb = std::string("k8s\0", 4) + PbBytes(1, PbBytes(1, "v1") + PbBytes(2, "ConfigMapList")) +
                                  PbBytes(2, PbBytes(1, list_meta)) + PbBytes(3, "") + PbBytes(4, "");
  EXPECT_EQ(pb->body, expected_pb);
  auto table = c.Get(CmPath(ns), {{"Accept", kTableAccept}});
  ASSERT_TRUE(table.ok());
  EXPECT_TRUE(table->body.ends_with("],\"rows\":[]}\n")) << table->body;
  auto pom = c.Get(CmPath(ns), {{"Accept", kPomJsonAccept}});
  ASSERT_TRUE(pom.ok());
  EXPECT_EQ(pom->body, "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{"
                       "\"resourceVersion\":\"" + rv + "\"},\"items\":[]}\n");
}

TEST_F(ApiHttpTest, PagingWithLimitAndContinue) {
  HttpClient c = Client();
  std::string ns = Namespace();
  ListFixture::Fill(c, ns, 8);
  auto full = c.Get(CmPath(ns));
  ASSERT_TRUE(full.ok());
  std::vector<std::string> all = ItemNames(J(full->body));
  ASSERT_EQ(all.size(), 8u);

  std::vector<std::string> seen;
  std::string token;
  std::string list_rv;
  int pages = 0;
  bool created_between = false;
  do {
    std::string target = CmPath(ns) + "?limit=3";
    if (!token.empty()) target += "&continue=" + token;
    auto page = c.Get(target);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->status, 200) << page->body;
    api::Value v = J(page->body);
    ++pages;
    std::string prv = Str(v, "metadata.resourceVersion");
    if (list_rv.empty()) list_rv = prv;
    EXPECT_EQ(prv, list_rv) << "every page is served at the first page's resourceVersion";
    for (const std::string& n : ItemNames(v)) seen.push_back(n);
    std::string next = Str(v, "metadata.continue");
    const api::Value* remaining = Find(v, "metadata.remainingItemCount");
    if (!next.empty()) {
      ASSERT_NE(remaining, nullptr);
      EXPECT_EQ(remaining->as_int(), static_cast<int64_t>(all.size() - seen.size()));
      // kube's token: base64url (no padding) of {"v":"meta.k8s.io/v1","rv":<rv>,"start":"<last>\u0000"}.
      EXPECT_EQ(next.find_first_of("+/="), std::string::npos) << next;
      EXPECT_EQ(Base64UrlDecode(next),
                "{\"v\":\"meta.k8s.io/v1\",\"rv\":" + list_rv + ",\"start\":\"" + seen.back() + "\\u0000\"}");
      EXPECT_NE(page->body.find(",\"continue\":\"" + next + "\",\"remainingItemCount\":"), std::string::npos);
      EXPECT_EQ(ItemCount(v), 3u);
    } else {
      EXPECT_EQ(remaining, nullptr);
      EXPECT_EQ(page->body.find("\"continue\""), std::string::npos);
    }
    token = next;
    if (!created_between) {
      // Changes after the first page do not show in the later pages (one snapshot).
      CreateConfigMap(c, ns, "cm-99");
      created_between = true;
    }
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, all);

  // Cluster-wide paging: the token's start holds "<namespace>/<name>".
  auto cw = c.Get("/api/v1/configmaps?limit=1&fieldSelector=metadata.namespace%3D" + ns);
  ASSERT_TRUE(cw.ok());
  api::Value cwv = J(cw->body);
  std::string cwt = Str(cwv, "metadata.continue");
  EXPECT_EQ(Base64UrlDecode(cwt), "{\"v\":\"meta.k8s.io/v1\",\"rv\":" + Str(cwv, "metadata.resourceVersion") +
                                      ",\"start\":\"" + ns + "/cm-00\\u0000\"}");
  // With a selector: no remainingItemCount.
  EXPECT_EQ(Find(cwv, "metadata.remainingItemCount"), nullptr);

  // Paging in protobuf: the same pages.
  auto pb1 = c.Get(CmPath(ns) + "?limit=4", {{"Accept", kProtobuf}});
  auto js1 = c.Get(CmPath(ns) + "?limit=4");
  ASSERT_TRUE(pb1.ok() && js1.ok());
  EXPECT_EQ(ProtobufToJson(pb1->body), js1->body);
}

TEST_F(ApiHttpTest, LabelAndFieldSelectors) {
  HttpClient c = Client();
  std::string ns = Namespace();
  ListFixture::Fill(c, ns, 6);
  auto names = [&](const std::string& query) {
    auto r = c.Get(CmPath(ns) + "?" + query);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << query << " " << r->body;
    return ItemNames(J(r->body));
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("labelSelector=app%3Da"), (V{"cm-00", "cm-02", "cm-04"}));
  EXPECT_EQ(names("labelSelector=app!%3Da"), (V{"cm-01", "cm-03", "cm-05"}));
  EXPECT_EQ(names("labelSelector=idx%20in%20(1,4,9)"), (V{"cm-01", "cm-04"}));
  EXPECT_EQ(names("labelSelector=app%3Db,idx%20notin%20(1)"), (V{"cm-03", "cm-05"}));
  EXPECT_EQ(names("labelSelector=idx>3"), (V{"cm-04", "cm-05"}));
  EXPECT_EQ(names("labelSelector=!app"), V{});
  EXPECT_EQ(names("labelSelector=nolabel"), V{});
  EXPECT_EQ(names("fieldSelector=metadata.name%3Dcm-03"), V{"cm-03"});
  EXPECT_EQ(names("fieldSelector=metadata.name!%3Dcm-03,metadata.namespace%3D" + ns),
            (V{"cm-00", "cm-01", "cm-02", "cm-04", "cm-05"}));
  EXPECT_EQ(names("fieldSelector=metadata.name%3Dcm-03&labelSelector=app%3Da"), V{});

  // Selector + limit: pages of matching items, no remainingItemCount.
  auto p1 = c.Get(CmPath(ns) + "?labelSelector=app%3Db&limit=2");
  ASSERT_TRUE(p1.ok());
  api::Value v1 = J(p1->body);
  EXPECT_EQ(ItemNames(v1), (V{"cm-01", "cm-03"}));
  EXPECT_EQ(Find(v1, "metadata.remainingItemCount"), nullptr);
  std::string token = Str(v1, "metadata.continue");
  ASSERT_FALSE(token.empty());
  auto p2 = c.Get(CmPath(ns) + "?labelSelector=app%3Db&limit=2&continue=" + token);
  ASSERT_TRUE(p2.ok());
  api::Value v2 = J(p2->body);
  EXPECT_EQ(ItemNames(v2), (V{"cm-05"}));
  EXPECT_EQ(Str(v2, "metadata.continue"), "");

  // Across namespaces.
  auto cw = c.Get("/api/v1/configmaps?labelSelector=app%3Da,idx%3D2&fieldSelector=metadata.namespace%3D" + ns);
  ASSERT_TRUE(cw.ok());
  EXPECT_EQ(ItemNames(J(cw->body)), V{"cm-02"});
}

TEST_F(ApiHttpTest, ResourceVersionSemantics) {
  HttpClient c = Client();
  std::string ns = Namespace();
  // The too-large resourceVersion waits ~3 s: run it alongside the rest.
  auto too_large = std::async(std::launch::async, [&] {
    auto start = Clock::now();
    auto r = c.Get(CmPath(ns) + "?resourceVersion=999999999");
    return std::make_pair(std::move(r), Clock::now() - start);
  });

  std::string first = CreateConfigMap(c, ns, "a");
  std::string rv1 = Str(J(first), "metadata.resourceVersion");
  CreateConfigMap(c, ns, "b");
  std::string current = ListRv(c, CmPath(ns));
  ASSERT_GT(Int(current), Int(rv1));

  // RV=0: any; here the current state.
  auto any = c.Get(CmPath(ns) + "?resourceVersion=0");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(ItemNames(J(any->body)), (std::vector<std::string>{"a", "b"}));
  // RV=N (no limit): not older than N, i.e. the current state.
  auto not_older = c.Get(CmPath(ns) + "?resourceVersion=" + rv1);
  ASSERT_TRUE(not_older.ok());
  EXPECT_EQ(ItemNames(J(not_older->body)), (std::vector<std::string>{"a", "b"}));
  EXPECT_GE(Int(Str(J(not_older->body), "metadata.resourceVersion")), Int(current));
  auto not_older2 = c.Get(CmPath(ns) + "?resourceVersion=" + rv1 + "&resourceVersionMatch=NotOlderThan");
  ASSERT_TRUE(not_older2.ok());
  EXPECT_EQ(ItemNames(J(not_older2->body)), (std::vector<std::string>{"a", "b"}));
  // Exact: the state at N, served at N.
  auto exact = c.Get(CmPath(ns) + "?resourceVersion=" + rv1 + "&resourceVersionMatch=Exact");
  ASSERT_TRUE(exact.ok());
  ASSERT_EQ(exact->status, 200) << exact->body;
  EXPECT_EQ(ItemNames(J(exact->body)), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Str(J(exact->body), "metadata.resourceVersion"), rv1);
  // RV=N with a limit and no match: the legacy exact semantics.
  auto legacy = c.Get(CmPath(ns) + "?resourceVersion=" + rv1 + "&limit=10");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(ItemNames(J(legacy->body)), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Str(J(legacy->body), "metadata.resourceVersion"), rv1);
  // Exact with RV=0 is invalid.
  auto exact0 = c.Get(CmPath(ns) + "?resourceVersion=0&resourceVersionMatch=Exact");
  ASSERT_TRUE(exact0.ok());
  EXPECT_EQ(exact0->status, 422);
  EXPECT_EQ(Str(J(exact0->body), "message"),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" "
            "is forbidden for resourceVersion \"0\"");
  // GET of one object at RV=0 and at its own RV.
  auto get0 = c.Get(CmPath(ns, "a") + "?resourceVersion=0");
  ASSERT_TRUE(get0.ok());
  EXPECT_EQ(get0->status, 200);
  EXPECT_EQ(get0->body, first);

  // A resourceVersion from the future: 504 after about 3 seconds.
  auto [r, took] = too_large.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 504);
  EXPECT_EQ(r->Header("Retry-After"), "1");
  api::Value tv = J(r->body);
  std::string cur = std::regex_replace(Str(tv, "message"), std::regex(".*current: "), "");
  EXPECT_EQ(r->body, StatusBody(504, "Timeout", "Timeout: Too large resource version: 999999999, current: " + cur,
                                "{\"causes\":[{\"reason\":\"ResourceVersionTooLarge\",\"message\":\"Too large resource "
                                "version\"}],\"retryAfterSeconds\":1}"));
  EXPECT_GE(took, 2500ms);
  EXPECT_LT(took, 10s);
}

// ----- gzip

TEST_F(ApiHttpTest, GzipAbove128KiB) {
  HttpClient c = Client();
  std::string ns = Namespace();
  // 3 x 50 KB: a list of ~150 KB.
  for (int i = 0; i < 3; ++i) {
    CreateConfigMap(c, ns, "big-" + std::to_string(i), {}, {{"k", std::string(50000, static_cast<char>('a' + i))}});
  }
  auto plain = c.Get(CmPath(ns));
  ASSERT_TRUE(plain.ok());
  ASSERT_GT(plain->body.size(), 131072u);
  EXPECT_EQ(plain->Header("Content-Encoding"), "");
  for (const char* ae : {"gzip", "deflate, gzip", "gzip, br"}) {
    auto gz = c.Get(CmPath(ns), {{"Accept-Encoding", ae}});
    ASSERT_TRUE(gz.ok());
    EXPECT_EQ(gz->status, 200);
    EXPECT_EQ(gz->Header("Content-Encoding"), "gzip") << ae;
    EXPECT_EQ(gz->Header("Vary"), "Accept-Encoding");
    EXPECT_EQ(gz->Header("Content-Type"), kJson);
    EXPECT_LT(gz->body.size(), plain->body.size() / 10);
    auto inflated = Gunzip(gz->body);
    ASSERT_TRUE(inflated.ok()) << inflated.status().ToString();
    EXPECT_EQ(*inflated, plain->body);
  }
  // Only the exact token "gzip" counts.
  auto q = c.Get(CmPath(ns), {{"Accept-Encoding", "gzip;q=1.0"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Header("Content-Encoding"), "");
  EXPECT_EQ(q->body, plain->body);
  // Protobuf and YAML lists too.
  for (const char* accept : {kProtobuf, kYaml}) {
    auto p = c.Get(CmPath(ns), {{"Accept", accept}});
    auto g = c.Get(CmPath(ns), {{"Accept", accept}, {"Accept-Encoding", "gzip"}});
    ASSERT_TRUE(p.ok() && g.ok());
    EXPECT_EQ(g->Header("Content-Encoding"), "gzip") << accept;
    auto inflated = Gunzip(g->body);
    ASSERT_TRUE(inflated.ok());
    EXPECT_EQ(*inflated, p->body) << accept;
  }
  // A list of 128 KiB or less is not compressed.
  auto small = c.Get(CmPath(ns) + "?limit=2", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(small.ok());
  ASSERT_LE(small->body.size(), 131072u);
  EXPECT_EQ(small->Header("Content-Encoding"), "");
  EXPECT_EQ(small->Header("Vary"), "");
  EXPECT_EQ(Str(J(small->body), "kind"), "ConfigMapList");
  // A single object over 128 KiB is.
  CreateConfigMap(c, ns, "huge", {}, {{"k", std::string(140000, 'h')}});
  auto one = c.Get(CmPath(ns, "huge"), {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->Header("Content-Encoding"), "gzip");
  auto one_plain = Gunzip(one->body);
  ASSERT_TRUE(one_plain.ok());
  EXPECT_EQ(Str(J(*one_plain), "metadata.name"), "huge");
}

// ----- WATCH

TEST_F(ApiHttpTest, WatchJsonEventsFromResourceVersion) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string before = CreateConfigMap(c, ns, "old");
  std::string rv = Str(J(before), "metadata.resourceVersion");
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1&resourceVersion=" + rv;
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->status(), 200);
  EXPECT_EQ((*w)->Header("Content-Type"), kJson);
  EXPECT_TRUE((*w)->chunked());
  EXPECT_EQ((*w)->Header("Content-Encoding"), "");

  std::string created = CreateConfigMap(c, ns, "w1", {{"app", "x"}}, {{"k", "v"}});
  auto put = c.Put(CmPath(ns, "w1"), ConfigMapJson("w1", {{"app", "x"}}, {{"k", "v2"}}));
  ASSERT_TRUE(put.ok() && put->status == 200);
  auto del = c.Delete(CmPath(ns, "w1"));
  ASSERT_TRUE(del.ok() && del->status == 200);

  // No event for "old" (it is not newer than rv): ADDED, MODIFIED, DELETED, in order.
  auto l1 = (*w)->ReadLine(5s);
  ASSERT_TRUE(l1.ok()) << l1.status().ToString();
  EXPECT_EQ(*l1, "{\"type\":\"ADDED\",\"object\":" + StripNewline(created) + "}\n");
  auto l2 = (*w)->ReadLine(5s);
  ASSERT_TRUE(l2.ok());
  EXPECT_EQ(*l2, "{\"type\":\"MODIFIED\",\"object\":" + StripNewline(put->body) + "}\n");
  auto l3 = (*w)->ReadLine(5s);
  ASSERT_TRUE(l3.ok());
  JsonEvent deleted = ParseEventLine(*l3);
  EXPECT_EQ(deleted.type, "DELETED");
  // The last state, at the deletion's resourceVersion.
  std::string del_rv = Str(J(deleted.object), "metadata.resourceVersion");
  EXPECT_GT(Int(del_rv), Int(Str(J(put->body), "metadata.resourceVersion")));
  EXPECT_EQ(deleted.object, WithResourceVersion(StripNewline(put->body), del_rv));
  // Nothing else.
  auto none = (*w)->ReadLine(300ms);
  EXPECT_FALSE(none.ok());
  EXPECT_TRUE((*w)->timed_out());
}

TEST_F(ApiHttpTest, WatchWithoutResourceVersionStartsWithTheState) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::vector<std::string> existing = {CreateConfigMap(c, ns, "a"), CreateConfigMap(c, ns, "b")};
  // RV unset (most recent) and RV=0 (any): a synthetic ADDED per object, in key order,
  // then the changes. Also through the deprecated /watch/ prefix.
  for (const std::string& target : {CmPath(ns) + "?watch=true", CmPath(ns) + "?watch=1&resourceVersion=0",
                                    "/api/v1/watch/namespaces/" + ns + "/configmaps"}) {
    HttpRequest req;
    req.target = target;
    auto w = c.Open(req);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ((*w)->status(), 200);
    for (const std::string& obj : existing) {
      auto e = (*w)->ReadLine(5s);
      ASSERT_TRUE(e.ok()) << target;
      EXPECT_EQ(*e, "{\"type\":\"ADDED\",\"object\":" + StripNewline(obj) + "}\n") << target;
    }
    std::string created = CreateConfigMap(c, ns, "c" + std::to_string(existing.size()));
    auto e = (*w)->ReadLine(5s);
    ASSERT_TRUE(e.ok()) << target;
    EXPECT_EQ(*e, "{\"type\":\"ADDED\",\"object\":" + StripNewline(created) + "}\n") << target;
    existing.push_back(created);
  }
}

TEST_F(ApiHttpTest, WatchProtobufFrames) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string rv = ListRv(c, CmPath(ns));
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1&resourceVersion=" + rv;
  req.headers = {{"Accept", "application/vnd.kubernetes.protobuf, application/json"}};
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->status(), 200);
  EXPECT_EQ((*w)->Header("Content-Type"), "application/vnd.kubernetes.protobuf;stream=watch");
  CreateConfigMap(c, ns, "p1", {{"a", "b"}}, {{"k", "v"}});
  auto put = c.Put(CmPath(ns, "p1"), ConfigMapJson("p1", {{"a", "b"}}, {{"k", "v2"}}));
  ASSERT_TRUE(put.ok());
  auto pb_obj = c.Get(CmPath(ns, "p1"), {{"Accept", kProtobuf}});
  ASSERT_TRUE(pb_obj.ok());
  ASSERT_TRUE(pb_obj->body.starts_with(std::string("k8s\0", 4)));

  auto f1 = (*w)->ReadFrame(5s);
  ASSERT_TRUE(f1.ok()) << f1.status().ToString();
  auto fields = BytesFields(*f1);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0], (std::pair<int, std::string>{1, "ADDED"}));
  ASSERT_EQ(fields[1].first, 2);
  auto raw = BytesFields(fields[1].second);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].first, 1);
  EXPECT_TRUE(raw[0].second.starts_with(std::string("k8s\0", 4)));
  EXPECT_EQ(Str(J(ProtobufToJson(raw[0].second)), "data.k"), "v");

  // The MODIFIED frame embeds exactly what a protobuf GET returns; the whole frame is
  // WatchEvent{type, RawExtension{raw}}.
  auto f2 = (*w)->ReadFrame(5s);
  ASSERT_TRUE(f2.ok());
  EXPECT_EQ(*f2, PbBytes(1, "MODIFIED") + PbBytes(2, PbBytes(1, pb_obj->body)));
}

TEST_F(ApiHttpTest, WatchLabelSelectorTransitions) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string rv = ListRv(c, CmPath(ns));
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1&labelSelector=app%3Dx&resourceVersion=" + rv;
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok());

  CreateConfigMap(c, ns, "s", {{"app", "y"}}, {{"k", "0"}});  // not selected: no event
  auto in = c.Put(CmPath(ns, "s"), ConfigMapJson("s", {{"app", "x"}}, {{"k", "1"}}));
  auto stay = c.Put(CmPath(ns, "s"), ConfigMapJson("s", {{"app", "x"}}, {{"k", "2"}}));
  auto out = c.Put(CmPath(ns, "s"), ConfigMapJson("s", {{"app", "z"}}, {{"k", "3"}}));
  auto after = c.Put(CmPath(ns, "s"), ConfigMapJson("s", {{"app", "z"}}, {{"k", "4"}}));  // no event
  auto back = c.Put(CmPath(ns, "s"), ConfigMapJson("s", {{"app", "x"}}, {{"k", "5"}}));
  ASSERT_TRUE(in.ok() && stay.ok() && out.ok() && after.ok() && back.ok());
  auto del = c.Delete(CmPath(ns, "s"));
  ASSERT_TRUE(del.ok());

  std::vector<JsonEvent> events;
  for (int i = 0; i < 5; ++i) {
    auto l = (*w)->ReadLine(5s);
    ASSERT_TRUE(l.ok()) << "event " << i << ": " << l.status().ToString();
    events.push_back(ParseEventLine(*l));
  }
  EXPECT_EQ(events[0].type, "ADDED");
  EXPECT_EQ(events[0].object, StripNewline(in->body));
  EXPECT_EQ(events[1].type, "MODIFIED");
  EXPECT_EQ(events[1].object, StripNewline(stay->body));
  // Stopped matching: DELETED with the previous content at the new resourceVersion.
  EXPECT_EQ(events[2].type, "DELETED");
  EXPECT_EQ(events[2].object,
            WithResourceVersion(StripNewline(stay->body), Str(J(out->body), "metadata.resourceVersion")));
  EXPECT_EQ(events[3].type, "ADDED");
  EXPECT_EQ(events[3].object, StripNewline(back->body));
  EXPECT_EQ(events[4].type, "DELETED");
  auto none = (*w)->ReadLine(300ms);
  EXPECT_FALSE(none.ok());
}

TEST_F(ApiHttpTest, WatchTimeoutSecondsEndsCleanly) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string rv = ListRv(c, CmPath(ns));
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1&timeoutSeconds=1&resourceVersion=" + rv;
  auto start = Clock::now();
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok());
  auto rest = (*w)->ReadAll(10s);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(*rest, "");
  EXPECT_TRUE((*w)->ended()) << "no terminating chunk";
  EXPECT_FALSE((*w)->closed());
  EXPECT_GE(Clock::now() - start, 900ms);
  EXPECT_LT(Clock::now() - start, 5s);
}

TEST_F(ApiHttpTest, WatchBookmarks) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string rv = ListRv(c, CmPath(ns));
  // Two idle watches at once, with and without allowWatchBookmarks.
  HttpRequest plain;
  plain.target = CmPath(ns) + "?watch=1&resourceVersion=" + rv;
  auto w2 = c.Open(plain);
  ASSERT_TRUE(w2.ok());
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1&allowWatchBookmarks=true&resourceVersion=" + rv;
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok());
  // --watch-bookmark-interval=1s: a bookmark within a few seconds. (The object is the
  // kind with only its resourceVersion. kube 1.33 would also write
  // "creationTimestamp":null; kstream follows kube >= 1.34, which omits the zero time.)
  auto l = (*w)->ReadLine(6s);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  JsonEvent e = ParseEventLine(*l);
  EXPECT_EQ(e.type, "BOOKMARK");
  std::string brv = Str(J(e.object), "metadata.resourceVersion");
  EXPECT_GE(Int(brv), Int(rv));
  EXPECT_EQ(*l, "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{"
                "\"resourceVersion\":\"" + brv + "\"}}}\n");
  // The watch without allowWatchBookmarks got none in the same time (and a bit more).
  auto none = (*w2)->ReadLine(500ms);
  EXPECT_FALSE(none.ok()) << *none;
  EXPECT_TRUE((*w2)->timed_out());
}

TEST_F(ApiHttpTest, WatchListSendInitialEvents) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string a = CreateConfigMap(c, ns, "a");
  std::string b = CreateConfigMap(c, ns, "b");
  std::string rv = ListRv(c, CmPath(ns));
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok());
  auto e1 = (*w)->ReadLine(5s);
  auto e2 = (*w)->ReadLine(5s);
  auto e3 = (*w)->ReadLine(5s);
  ASSERT_TRUE(e1.ok() && e2.ok() && e3.ok());
  EXPECT_EQ(*e1, "{\"type\":\"ADDED\",\"object\":" + StripNewline(a) + "}\n");
  EXPECT_EQ(*e2, "{\"type\":\"ADDED\",\"object\":" + StripNewline(b) + "}\n");
  JsonEvent bm = ParseEventLine(*e3);
  std::string brv = Str(J(bm.object), "metadata.resourceVersion");
  EXPECT_GE(Int(brv), Int(rv));
  EXPECT_EQ(*e3, "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{"
                 "\"resourceVersion\":\"" + brv + "\",\"annotations\":{"
                 "\"k8s.io/initial-events-end\":\"true\"}}}}\n");
  // Then the changes.
  std::string cc = CreateConfigMap(c, ns, "c");
  auto e4 = (*w)->ReadLine(5s);
  ASSERT_TRUE(e4.ok());
  EXPECT_EQ(*e4, "{\"type\":\"ADDED\",\"object\":" + StripNewline(cc) + "}\n");

  // With resourceVersion=<rv> (not older than): the same initial events.
  HttpRequest req2;
  req2.target = CmPath(ns) + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks="
                             "true&resourceVersion=" + rv;
  auto w2 = c.Open(req2);
  ASSERT_TRUE(w2.ok());
  std::vector<std::string> types;
  for (int i = 0; i < 4; ++i) {
    auto l = (*w2)->ReadLine(5s);
    ASSERT_TRUE(l.ok());
    types.push_back(ParseEventLine(*l).type);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "ADDED", "ADDED", "BOOKMARK"}));
}

TEST_F(ApiHttpTest, WatchOptionErrors) {
  HttpClient c = Client();
  std::string ns = Namespace();
  auto invalid = [](std::string_view message, std::string_view causes) {
    return StatusBody(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: " + std::string(message),
                      "{\"group\":\"meta.k8s.io\",\"kind\":\"ListOptions\",\"causes\":[" + std::string(causes) + "]}");
  };
  auto r1 = c.Get(CmPath(ns) + "?watch=1&sendInitialEvents=true");
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->status, 422);
  EXPECT_EQ(r1->body,
            invalid("resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to "
                    "NotOlderThan",
                    "{\"reason\":\"FieldValueForbidden\",\"message\":\"Forbidden: sendInitialEvents requires setting "
                    "resourceVersionMatch to NotOlderThan\",\"field\":\"resourceVersionMatch\"}"));
  auto r2 = c.Get(CmPath(ns) + "?watch=1&resourceVersionMatch=NotOlderThan");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->status, 422);
  EXPECT_EQ(r2->body,
            invalid("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless "
                    "sendInitialEvents is provided",
                    "{\"reason\":\"FieldValueForbidden\",\"message\":\"Forbidden: resourceVersionMatch is forbidden "
                    "for watch unless sendInitialEvents is provided\",\"field\":\"resourceVersionMatch\"}"));
  auto r3 = c.Get(CmPath(ns) + "?watch=1&sendInitialEvents=true&resourceVersionMatch=Exact");
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->status, 422);
  EXPECT_EQ(r3->body,
            invalid("[resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to "
                    "NotOlderThan, resourceVersionMatch: Unsupported value: \"Exact\": supported values: "
                    "\"NotOlderThan\"]",
                    "{\"reason\":\"FieldValueForbidden\",\"message\":\"Forbidden: sendInitialEvents requires setting "
                    "resourceVersionMatch to NotOlderThan\",\"field\":\"resourceVersionMatch\"},{\"reason\":"
                    "\"FieldValueNotSupported\",\"message\":\"Unsupported value: \\\"Exact\\\": supported values: "
                    "\\\"NotOlderThan\\\"\",\"field\":\"resourceVersionMatch\"}"));

  // YAML has no stream serializer: 406 listing the stream types (the Status itself is
  // negotiated normally, so it comes as YAML).
  auto y = c.Get(CmPath(ns) + "?watch=1", {{"Accept", kYaml}});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->status, 406);
  auto yv = api::ParseYaml(y->body);
  ASSERT_TRUE(yv.ok()) << y->body;
  EXPECT_EQ(Str(*yv, "message"),
            "only the following media types are accepted: application/json;stream=watch, "
            "application/vnd.kubernetes.protobuf;stream=watch");
  EXPECT_EQ(Str(*yv, "reason"), "NotAcceptable");
  EXPECT_EQ(Str(*yv, "code"), "406");
  EXPECT_EQ(y->Header("Content-Type"), kYaml);
  // A watch Accept nothing can serve: raw JSON.
  auto h = c.Get(CmPath(ns) + "?watch=1", {{"Accept", "text/html"}});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 406);
  EXPECT_EQ(h->Header("Content-Type"), kJson);
  EXPECT_EQ(h->body,
            "{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  \"status\": \"Failure\",\n  "
            "\"message\": \"only the following media types are accepted: application/json;stream=watch, "
            "application/vnd.kubernetes.protobuf;stream=watch\",\n  \"reason\": \"NotAcceptable\",\n  \"code\": 406\n}");
}

TEST_F(ApiHttpTest, WatchAsTable) {
  HttpClient c = Client();
  std::string ns = Namespace();
  std::string a = CreateConfigMap(c, ns, "a", {}, {{"k", "v"}});
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1";
  req.headers = {{"Accept", kTableAccept}};
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->Header("Content-Type"), kJson);
  auto l1 = (*w)->ReadLine(5s);
  ASSERT_TRUE(l1.ok());
  JsonEvent e1 = ParseEventLine(*l1);
  EXPECT_EQ(e1.type, "ADDED");
  std::string rva = Str(J(a), "metadata.resourceVersion");
  EXPECT_TRUE(e1.object.starts_with("{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{"
                                    "\"resourceVersion\":\"" + rva + "\"},\"columnDefinitions\":[{\"name\":\"Name\","))
      << e1.object;
  std::vector<std::string_view> rows = RawElements(RawMember(e1.object, "rows"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(RawMember(rows[0], "cells").starts_with("[\"a\",1,\"")) << rows[0];

  std::string b = CreateConfigMap(c, ns, "b", {}, {{"k", "v"}, {"l", "w"}});
  auto l2 = (*w)->ReadLine(5s);
  ASSERT_TRUE(l2.ok());
  JsonEvent e2 = ParseEventLine(*l2);
  EXPECT_EQ(e2.type, "ADDED");
  EXPECT_TRUE(e2.object.starts_with("{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{"
                                    "\"resourceVersion\":\"" + Str(J(b), "metadata.resourceVersion") +
                                    "\"},\"columnDefinitions\":null,\"rows\":[{\"cells\":[\"b\",2,\""))
      << e2.object;
  EXPECT_EQ(RawMember(RawElements(RawMember(e2.object, "rows"))[0], "object"),
            "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":" +
                std::string(RawMember(StripNewline(b), "metadata")) + "}");
}


TEST_F(ApiHttpTest, ListAndWatchOverTls) {
  HttpClient c = TlsClientFor(*server_);
  std::string ns = TestNamespace();
  ASSERT_TRUE(CreateNamespace(c, ns));
  for (int i = 0; i < 4; ++i) {
    CreateConfigMap(c, ns, "t" + std::to_string(i), {}, {{"k", std::string(60000, static_cast<char>('p' + i))}});
  }
  // A streamed list (over one batch), plain and gzipped, over TLS: the same bytes as over
  // the plain port.
  auto plain = ClientFor(*server_).Get(CmPath(ns));
  auto tls = c.Get(CmPath(ns));
  ASSERT_TRUE(plain.ok() && tls.ok()) << tls.status().ToString();
  EXPECT_EQ(tls->status, 200);
  EXPECT_TRUE(tls->chunked);
  EXPECT_TRUE(tls->complete);
  EXPECT_EQ(tls->body, plain->body);
  auto gz = c.Get(CmPath(ns), {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(gz->Header("Content-Encoding"), "gzip");
  auto inflated = Gunzip(gz->body);
  ASSERT_TRUE(inflated.ok());
  EXPECT_EQ(*inflated, plain->body);
  // A watch: an event, then the clean end at timeoutSeconds.
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1&timeoutSeconds=1&resourceVersion=" + Str(J(plain->body), "metadata.resourceVersion");
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::string created = CreateConfigMap(c, ns, "tw");
  auto line = (*w)->ReadLine(5s);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "{\"type\":\"ADDED\",\"object\":" + StripNewline(created) + "}\n");
  auto rest = (*w)->ReadAll(5s);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, "");
  EXPECT_TRUE((*w)->ended());
  // A client that trusts another CA does not get through the handshake.
  testing::TempDir dir("kstream-e2e-ca");
  auto made = testing::RunProgram({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                   "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.str() + "/ca.key", "-out",
                                   dir.str() + "/ca.crt", "-days", "1", "-subj", "/CN=another-ca"});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  HttpClientOptions wrong;
  wrong.base_url = server_->url();
  wrong.token = server_->token();
  wrong.ca_file = dir.str() + "/ca.crt";
  auto refused = HttpClient(wrong).Get("/version");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("TLS handshake"), std::string::npos) << refused.status().ToString();
}

// 300 configmaps in two namespaces: labels, sizes from a few bytes to ~50 KB, text that
// needs escaping (JSON and YAML), binaryData, annotations.
Status LoadIdentityData(const HttpClient& c, int objects) {
  for (const char* ns : {"ident-a", "ident-b"}) {
    if (!CreateNamespace(c, ns)) return Internal("creating namespace");
  }
  for (int i = 0; i < objects; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "cm-%03d", i);
    std::string ns = i % 2 == 0 ? "ident-a" : "ident-b";
    std::string value;
    if (i % 15 == 0) {
      for (int j = 0; value.size() < 50000; ++j) value += "line " + std::to_string(j) + " of " + name + "\n";
    } else {
      value = std::string(static_cast<size_t>((i * 37) % 2000), static_cast<char>('a' + i % 26));
    }
    std::string body =
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + std::string(name) +
        "\",\"labels\":{\"tier\":\"" + (i % 10 == 0 ? "big" : "small") + "\",\"n\":\"" + std::to_string(i) + "\"}" +
        (i % 7 == 0 ? ",\"annotations\":{\"note\":\"yes: a \\\"quoted\\\" <value> & more\",\"empty\":\"\"}" : "") +
        "},\"data\":{\"value\":" + GoJsonString(value) +
        ",\"special\":\"tab\\there, unicode \\u00e9\\u4e2d, 'single', #hash, key: value, - dash\",\"num\":\"0123\","
        "\"bool\":\"true\",\"multi\":\"a\\nb\\n\"}" +
        (i % 9 == 0 ? ",\"binaryData\":{\"bin\":\"AAECAwQFBgcICf8=\"}" : "") + "}";
    auto r = c.Post(CmPath(ns), body);
    if (!r.ok()) return r.status();
    if (r->status != 201) return Internal("create " + std::string(name) + ": " + r->body);
  }
  // Custom resources (a third as many), served from a CRD: the same list paths, encoded as
  // unstructured lists.
  auto crd = c.Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", R"({"apiVersion":"apiextensions.k8s.io/v1",
    "kind":"CustomResourceDefinition","metadata":{"name":"gizmos.ident.example.com"},
    "spec":{"group":"ident.example.com","scope":"Namespaced","names":{"plural":"gizmos","kind":"Gizmo"},
      "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
        "properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}})");
  if (!crd.ok()) return crd.status();
  if (crd->status != 201) return Internal("create CRD: " + crd->body);
  for (int attempt = 0;; ++attempt) {
    auto served = c.Get("/apis/ident.example.com/v1/gizmos");
    if (served.ok() && served->status == 200) break;
    if (attempt == 200) return Internal("the CRD was not served");
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  for (int i = 0; i < objects / 3; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "gz-%03d", i);
    std::string ns = i % 2 == 0 ? "ident-a" : "ident-b";
    std::string big = i % 10 == 0 ? std::string(40000, static_cast<char>('a' + i % 26)) : "small";
    std::string body = "{\"apiVersion\":\"ident.example.com/v1\",\"kind\":\"Gizmo\",\"metadata\":{\"name\":\"" +
                       std::string(name) + "\",\"labels\":{\"tier\":\"" + (i % 4 == 0 ? "big" : "small") +
                       "\"}},\"spec\":{\"zeta\":" + std::to_string(i) +
                       ",\"alpha\":{\"text\":\"<tag> & \\\"quotes\\\" \\u00e9\",\"list\":[3,1.5,true,null,\"x\"]},"
                       "\"big\":\"" + big + "\",\"neg\":-0.25,\"exp\":1e21}}";
    auto r = c.Post("/apis/ident.example.com/v1/namespaces/" + ns + "/gizmos", body);
    if (!r.ok()) return r.status();
    if (r->status != 201) return Internal("create " + std::string(name) + ": " + r->body);
  }
  return Status::Ok();
}


std::string BodyOf(const HttpResponse& r) {
  if (r.Header("Content-Encoding") != "gzip") return r.body;
  auto inflated = Gunzip(r.body);
  return inflated.ok() ? *inflated : "<bad gzip: " + inflated.status().ToString() + ">";
}

// One LIST request of the byte-identity matrix.
struct IdentityRequest {
  std::string target;
  Headers headers;
  bool time_dependent;  // a Table: its Age cells depend on when it is asked
};

// Every content type (JSON, pretty JSON, YAML, protobuf, Table JSON / pretty / with the
// objects / YAML, PartialObjectMetadataList JSON and protobuf) x (gzip, no gzip) x (the
// whole list across namespaces, a first page, the next page, a selector with paging, an
// empty list), all at resourceVersion `rv` (Exact), so every answer is of one snapshot.
std::vector<IdentityRequest> IdentityRequests(const HttpClient& c, const std::string& rv) {
  const std::string at = "resourceVersion=" + rv + "&resourceVersionMatch=Exact";
  auto page1 = c.Get("/api/v1/namespaces/ident-a/configmaps?limit=60&" + at);
  std::string token = page1.ok() ? Str(J(page1->body), "metadata.continue") : "";
  EXPECT_FALSE(token.empty());
  const std::vector<std::string> shapes = {
      "/api/v1/configmaps?" + at,                                                // everything, both namespaces
      "/api/v1/namespaces/ident-a/configmaps?limit=60&" + at,                    // a first page
      "/api/v1/namespaces/ident-a/configmaps?limit=60&continue=" + token,        // the next page
      "/api/v1/configmaps?labelSelector=tier%3Dbig&limit=7&" + at,               // selector + paging
      "/api/v1/namespaces/ident-b/configmaps?fieldSelector=metadata.name%3Dnone&" + at,  // empty
  };
  struct Variant {
    std::string accept;
    std::string query;
    bool time_dependent;
  };
  const std::vector<Variant> variants = {
      {kJson, "", false},
      {kJson, "pretty=true", false},
      {kYaml, "", false},
      {kProtobuf, "", false},
      {kTableAccept, "", true},
      {kTableAccept, "includeObject=Object", true},
      {kTableAccept, "pretty=true", true},
      {kTableYamlAccept, "", true},
      {kPomJsonAccept, "", false},
      {kPomProtoAccept, "", false},
  };
  std::vector<IdentityRequest> out;
  for (const std::string& shape : shapes) {
    for (const Variant& v : variants) {
      for (bool gzip : {false, true}) {
        IdentityRequest r;
        r.target = shape + (v.query.empty() ? "" : "&" + v.query);
        r.headers = {{"Accept", v.accept}};
        if (gzip) r.headers.push_back({"Accept-Encoding", "gzip"});
        r.time_dependent = v.time_dependent;
        out.push_back(std::move(r));
      }
    }
  }
  auto gz_page1 = c.Get("/apis/ident.example.com/v1/namespaces/ident-a/gizmos?limit=7&" + at);
  std::string gz_token = gz_page1.ok() ? Str(J(gz_page1->body), "metadata.continue") : "";
  EXPECT_FALSE(gz_token.empty());
  const std::vector<std::string> custom_shapes = {
      "/apis/ident.example.com/v1/gizmos?" + at,
      "/apis/ident.example.com/v1/namespaces/ident-a/gizmos?limit=7&continue=" + gz_token,
      "/apis/ident.example.com/v1/gizmos?labelSelector=tier%3Dbig&limit=3&" + at,
  };
  for (const std::string& shape : custom_shapes) {
    for (const Variant& v : variants) {
      if (v.accept == kProtobuf) continue;  // custom resources have no protobuf form (406)
      for (bool gzip : {false, true}) {
        IdentityRequest r;
        r.target = shape + (v.query.empty() ? "" : "&" + v.query);
        r.headers = {{"Accept", v.accept}};
        if (gzip) r.headers.push_back({"Accept-Encoding", "gzip"});
        r.time_dependent = v.time_dependent;
        out.push_back(std::move(r));
      }
    }
  }
  return out;
}

// A compact or pretty JSON Table with every Age cell (the last cell of a configmap row)
// replaced by "AGE".
std::string MaskTableAges(std::string t) {
  size_t pos = 0;
  while ((pos = t.find("\"cells\":", pos)) != std::string::npos) {
    size_t open = t.find('[', pos);
    size_t close = t.find(']', open);
    size_t comma = t.rfind(',', close);
    pos = open + 1;
    if (open == std::string::npos || close == std::string::npos || comma == std::string::npos || comma < open) continue;
    size_t q1 = t.find('"', comma);
    size_t q2 = q1 == std::string::npos ? q1 : t.find('"', q1 + 1);
    if (q2 == std::string::npos || q2 > close) continue;
    t.replace(q1, q2 - q1 + 1, "\"AGE\"");
  }
  return t;
}

// ---------------------------------------------------------------------------------------
// etcd: one etcd, two servers on it (streaming on and off).

class ApiHttpEtcdTest : public ::testing::Test {
 public:
  static constexpr int kObjects = 300;

  static void SetUpTestSuite() {
    etcd_ = new testing::EtcdProcess();
    start_ = new Status(etcd_->Start());
    if (!start_->ok()) return;
    ApiServerOptions so;
    so.extra_args = {"--storage=etcd", "--etcd-servers=" + etcd_->client_url()};
    streaming_ = new ApiServerProcess(so);
    *start_ = streaming_->Start();
    if (!start_->ok()) return;
    ApiServerOptions bo = so;
    bo.extra_args.push_back("--streaming=false");
    buffered_ = new ApiServerProcess(bo);
    *start_ = buffered_->Start();
    if (!start_->ok()) return;
    *start_ = LoadData();
  }
  static void TearDownTestSuite() {
    delete buffered_;
    delete streaming_;
    delete etcd_;
    delete start_;
    buffered_ = streaming_ = nullptr;
    etcd_ = nullptr;
    start_ = nullptr;
  }

 protected:
  void SetUp() override { ASSERT_TRUE(start_->ok()) << start_->ToString(); }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "streaming server log tail:\n" << streaming_->LogTail(1500) << "\nbuffered server log tail:\n"
                << buffered_->LogTail(1500) << "\n";
    }
  }

  static Status LoadData() { return LoadIdentityData(ClientFor(*streaming_), kObjects); }

  // Requests `target` from both servers and compares status, headers and (inflated) body.
  // Table ages depend on the time of the request: for those the streaming server is asked
  // before and after the buffered one, and the comparison is kept only when both streaming
  // answers agree (no second boundary passed in between; ages only grow, so the buffered
  // answer then has the same ages).
  static void ExpectSameBytes(const std::string& target, const Headers& headers, bool time_dependent,
                              int* chunked) {
    SCOPED_TRACE(target + " " + (headers.empty() ? "" : headers[0].second) +
                 (headers.size() > 1 ? " " + headers[1].first + ": " + headers[1].second : ""));
    HttpClient s = ClientFor(*streaming_);
    HttpClient b = ClientFor(*buffered_);
    for (int attempt = 0; attempt < 8; ++attempt) {
      auto s1 = s.Get(target, headers);
      auto n = b.Get(target, headers);
      ASSERT_TRUE(s1.ok() && n.ok());
      std::string s1_body = BodyOf(*s1);
      if (time_dependent) {
        auto s2 = s.Get(target, headers);
        ASSERT_TRUE(s2.ok());
        if (BodyOf(*s2) != s1_body) continue;  // a second boundary passed: try again
      }
      ASSERT_EQ(s1->status, 200) << s1->body.substr(0, 300);
      EXPECT_EQ(n->status, s1->status);
      EXPECT_TRUE(s1->complete);
      EXPECT_TRUE(n->complete);
      EXPECT_EQ(n->Header("Content-Type"), s1->Header("Content-Type"));
      EXPECT_EQ(n->Header("Content-Encoding"), s1->Header("Content-Encoding"));
      EXPECT_EQ(n->Header("Vary"), s1->Header("Vary"));
      // The buffered server answers with a Content-Length; the streaming one streams
      // (chunked) a body whose wire bytes do not fit in one 64 KiB batch.
      EXPECT_FALSE(n->chunked);
      const size_t batch = 64 * 1024;
      const bool asked_gzip = std::any_of(headers.begin(), headers.end(), [](const auto& h) {
        return h.first == "Accept-Encoding" && h.second.find("gzip") != std::string::npos;
      });
      if (s1->Header("Content-Encoding") == "gzip") {
        // (zlib may hold back a last deflate block of tens of KiB until the end.)
        if (s1->body.size() > 4 * batch) {
          EXPECT_TRUE(s1->chunked) << s1->body.size();
        }
      } else if (asked_gzip) {
        // The gzip decision buffers up to 128 KiB: a body that stayed below is sent whole.
        EXPECT_FALSE(s1->chunked) << s1->body.size();
      } else if (s1->body.size() > batch + 1024) {
        EXPECT_TRUE(s1->chunked) << s1->body.size();
      } else if (s1->body.size() < batch) {
        EXPECT_FALSE(s1->chunked) << s1->body.size();
      }
      if (s1->chunked) ++*chunked;
      std::string n_body = BodyOf(*n);
      EXPECT_EQ(n_body.size(), s1_body.size());
      if (n_body != s1_body) {
        size_t i = 0;
        while (i < n_body.size() && i < s1_body.size() && n_body[i] == s1_body[i]) ++i;
        ADD_FAILURE() << "bodies differ at byte " << i << ":\nstreaming: "
                      << s1_body.substr(i > 80 ? i - 80 : 0, 200) << "\nbuffered:  " << n_body.substr(i > 80 ? i - 80 : 0, 200);
      }
      return;
    }
    ADD_FAILURE() << "table ages kept changing";
  }

  static testing::EtcdProcess* etcd_;
  static ApiServerProcess* streaming_;
  static ApiServerProcess* buffered_;
  static Status* start_;
};

testing::EtcdProcess* ApiHttpEtcdTest::etcd_ = nullptr;
ApiServerProcess* ApiHttpEtcdTest::streaming_ = nullptr;
ApiServerProcess* ApiHttpEtcdTest::buffered_ = nullptr;
Status* ApiHttpEtcdTest::start_ = nullptr;

TEST_F(ApiHttpEtcdTest, StreamingAndBufferedListsAreByteIdentical) {
  HttpClient s = ClientFor(*streaming_);
  // One snapshot for every request: the current revision, asked for exactly.
  const std::string rv = ListRv(s, "/api/v1/configmaps?limit=1");
  ASSERT_FALSE(rv.empty());
  std::vector<IdentityRequest> requests = IdentityRequests(s, rv);
  ASSERT_EQ(requests.size(), 154u);
  int chunked = 0;
  for (const IdentityRequest& r : requests) ExpectSameBytes(r.target, r.headers, r.time_dependent, &chunked);
  EXPECT_GE(chunked, 20);  // many of them really streamed
  // Sanity: the full list is big enough to be gzipped and to need many batches.
  auto full = s.Get(requests[0].target, {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->Header("Content-Encoding"), "gzip");
  EXPECT_EQ(ItemCount(J(BodyOf(*full))), static_cast<size_t>(kObjects));
}

TEST_F(ApiHttpEtcdTest, CompactedRevisionsGive410) {
  HttpClient c = ClientFor(*streaming_);
  const std::string ns = TestNamespace();
  ASSERT_TRUE(CreateNamespace(c, ns));
  std::string a = CreateConfigMap(c, ns, "a");
  std::string rv_a = Str(J(a), "metadata.resourceVersion");
  CreateConfigMap(c, ns, "b");
  CreateConfigMap(c, ns, "c");
  auto page1 = c.Get(CmPath(ns) + "?limit=1");
  ASSERT_TRUE(page1.ok());
  std::string token = Str(J(page1->body), "metadata.continue");
  ASSERT_FALSE(token.empty());
  CreateConfigMap(c, ns, "d");
  std::string now = ListRv(c, CmPath(ns));

  // Compact etcd's history up to now.
  auto compacted = testing::RunEtcdctl(etcd_->endpoint(), {"compact", now});
  ASSERT_TRUE(compacted.ok()) << compacted.status().ToString();

  const std::string k410 = StatusBody(410, "Expired", "The resourceVersion for the provided list is too old.");
  for (const std::string& query : {"?resourceVersion=" + rv_a + "&resourceVersionMatch=Exact",
                                   "?resourceVersion=" + rv_a + "&limit=2"}) {
    for (const ApiServerProcess* server : {streaming_, buffered_}) {
      auto r = ClientFor(*server).Get(CmPath(ns) + query);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 410) << query;
      EXPECT_EQ(r->body, k410) << query;
    }
  }
  // Exact at the compaction revision itself still works.
  auto at_now = c.Get(CmPath(ns) + "?resourceVersion=" + now + "&resourceVersionMatch=Exact");
  ASSERT_TRUE(at_now.ok());
  EXPECT_EQ(at_now->status, 200);
  EXPECT_EQ(ItemNames(J(at_now->body)), (std::vector<std::string>{"a", "b", "c", "d"}));

  // A continue token from before: 410 with a fresh token (rv -1) to go on inconsistently.
  auto cont = c.Get(CmPath(ns) + "?limit=1&continue=" + token);
  ASSERT_TRUE(cont.ok());
  EXPECT_EQ(cont->status, 410);
  const std::string fresh = Base64UrlEncode("{\"v\":\"meta.k8s.io/v1\",\"rv\":-1,\"start\":\"a\\u0000\"}");
  EXPECT_EQ(cont->body,
            StatusBody(410, "Expired",
                       "The provided continue parameter is too old to display a consistent list result. You can start "
                       "a new list without the continue parameter, or use the continue token in this response to "
                       "retrieve the remainder of the results. Continuing with the provided token results in an "
                       "inconsistent list - objects that were created, modified, or deleted between the time the first "
                       "chunk was returned and now may show up in the list.",
                       "", "{\"continue\":\"" + fresh + "\"}"));
  auto rest = c.Get(CmPath(ns) + "?limit=2&continue=" + fresh);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->status, 200) << rest->body;
  api::Value rv = J(rest->body);
  EXPECT_EQ(ItemNames(rv), (std::vector<std::string>{"b", "c"}));
  EXPECT_GE(Int(Str(rv, "metadata.resourceVersion")), Int(now));

  // A watch from a compacted revision: 200, one ERROR event (410 Expired), then the end.
  HttpRequest req;
  req.target = CmPath(ns) + "?watch=1&resourceVersion=" + rv_a;
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->status(), 200);
  EXPECT_EQ((*w)->Header("Content-Type"), kJson);
  auto line = (*w)->ReadLine(10s);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                   "\"Failure\",\"message\":\"The resourceVersion for the provided watch is too old.\",\"reason\":"
                   "\"Expired\",\"code\":410}}\n");
  auto end = (*w)->ReadAll(10s);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, "");
  EXPECT_TRUE((*w)->ended());

  // The same in protobuf: one frame with the Status, then the end.
  req.headers = {{"Accept", kProtobuf}};
  auto wp = c.Open(req);
  ASSERT_TRUE(wp.ok());
  EXPECT_EQ((*wp)->Header("Content-Type"), "application/vnd.kubernetes.protobuf;stream=watch");
  auto frame = (*wp)->ReadFrame(10s);
  ASSERT_TRUE(frame.ok());
  auto fields = BytesFields(*frame);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].second, "ERROR");
  auto raw = BytesFields(fields[1].second);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(ProtobufToJson(raw[0].second), StatusBody(410, "Expired", "The resourceVersion for the provided watch is too old."));
  auto pend = (*wp)->ReadAll(10s);
  ASSERT_TRUE(pend.ok());
  EXPECT_TRUE((*wp)->ended());
}

// etcd refuses requests over its --max-request-bytes (1.5 MiB by default): the 1.6 MB
// object fits the API's 3 MiB body limit and etcd's gRPC message limit (2 MiB), so the storage error reaches the client as kube passes
// it on (500, no reason, etcd's text), and nothing is stored.
TEST_F(ApiHttpEtcdTest, ObjectTooLargeForEtcd) {
  HttpClient c = ClientFor(*streaming_);
  std::string big(1600000, 'x');
  std::string body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"huge\"},"
                     "\"data\":{\"k\":\"" + big + "\"}}";
  auto r = c.Post("/api/v1/namespaces/default/configmaps", body, {{"Content-Type", "application/json"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
            "\"etcdserver: request is too large\",\"code\":500}\n");
  auto get = c.Get("/api/v1/namespaces/default/configmaps/huge");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 404);
}

TEST_F(ApiHttpEtcdTest, ErrorAfterTheFirstByteCutsTheResponse) {
  // 120 x 100 KB: the server reads etcd in pages (the first of 64 keys, ~6.4 MB), more
  // than the socket buffers hold, so the second page is read only after the client has
  // read on. Compacting the list's revision in between makes that read fail: the response
  // already started, so the server must close the connection without the final chunk.
  HttpClient c = ClientFor(*streaming_);
  const std::string ns = TestNamespace();
  ASSERT_TRUE(CreateNamespace(c, ns));
  for (int i = 0; i < 120; ++i) {
    auto r = c.Post(CmPath(ns), ConfigMapJson("m" + std::to_string(100 + i), {},
                                              {{"v", std::string(100000, static_cast<char>('a' + i % 26))}}));
    ASSERT_TRUE(r.ok() && r->status == 201);
  }
  HttpRequest req;
  req.target = CmPath(ns);
  auto list = ClientFor(*streaming_, 16 * 1024).Open(req);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ((*list)->status(), 200);
  auto first = (*list)->ReadExactly(256 * 1024, 10s);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->starts_with("{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\""));
  // A newer revision, and everything before it compacted.
  std::string newer = CreateConfigMap(c, ns, "newer");
  auto compacted = testing::RunEtcdctl(etcd_->endpoint(), {"compact", Str(J(newer), "metadata.resourceVersion")});
  ASSERT_TRUE(compacted.ok()) << compacted.status().ToString();
  auto rest = (*list)->ReadAll(30s);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_TRUE((*list)->closed());
  EXPECT_FALSE((*list)->ended()) << "a cut-short list must not end with the final chunk";
  EXPECT_GT(first->size() + rest->size(), 1000000u);
  EXPECT_LT(first->size() + rest->size(), 120u * 100000);
}

// ---------------------------------------------------------------------------------------
// The same on LMDB, which allows one process per data dir: a streaming server answers
// first, then a buffered one started on the same data answers the same requests (same
// snapshot: every request names its resourceVersion). Tables are asked at different times
// here, so their Age cells are masked (every other byte is compared).

TEST(ApiHttpLmdbIdentityTest, StreamingAndBufferedListsAreByteIdentical) {
  testing::TempDir dir("kstream-e2e-ident");
  ApiServerOptions options;
  options.data_dir = dir.str() + "/data";
  std::vector<IdentityRequest> requests;
  std::vector<HttpResponse> streamed;
  {
    ApiServerProcess server(options);
    Status st = server.Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    HttpClient c = ClientFor(server);
    st = LoadIdentityData(c, 150);
    ASSERT_TRUE(st.ok()) << st.ToString();
    const std::string rv = ListRv(c, "/api/v1/configmaps?limit=1");
    requests = IdentityRequests(c, rv);
    for (const IdentityRequest& r : requests) {
      auto got = c.Get(r.target, r.headers);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(got->status, 200) << r.target << " " << got->body.substr(0, 300);
      streamed.push_back(std::move(got).value());
    }
    EXPECT_EQ(server.Stop(), 0) << server.LogTail();
  }
  ApiServerOptions buffered_options = options;
  buffered_options.extra_args = {"--streaming=false"};
  ApiServerProcess buffered(buffered_options);
  Status st = buffered.Start();
  ASSERT_TRUE(st.ok()) << st.ToString();
  HttpClient c = ClientFor(buffered);
  int chunked = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const IdentityRequest& r = requests[i];
    const HttpResponse& s = streamed[i];
    SCOPED_TRACE(r.target + " " + r.headers[0].second + (r.headers.size() > 1 ? " gzip" : ""));
    auto n = c.Get(r.target, r.headers);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->status, 200);
    EXPECT_EQ(n->Header("Content-Type"), s.Header("Content-Type"));
    EXPECT_EQ(n->Header("Content-Encoding"), s.Header("Content-Encoding"));
    EXPECT_TRUE(s.complete && n->complete);
    EXPECT_FALSE(n->chunked);
    if (s.chunked) ++chunked;
    std::string sb = BodyOf(s), nb = BodyOf(*n);
    if (!r.time_dependent) {
      EXPECT_TRUE(sb == nb) << "bodies differ (" << sb.size() << " vs " << nb.size() << " bytes)";
    } else if (r.headers[0].second == kTableYamlAccept) {
      auto sv = api::ParseYaml(sb), nv = api::ParseYaml(nb);
      ASSERT_TRUE(sv.ok() && nv.ok());
      // The age cell: a configmap's third (Name, Data, Age), a custom resource's second
      // (Name, Age: a CRD without printer columns).
      const size_t age = r.target.starts_with("/apis/ident.example.com/") ? 1 : 2;
      EXPECT_TRUE(WithoutCell(*sv, age) == WithoutCell(*nv, age));
      EXPECT_EQ(sb.size(), nb.size());  // ages of the same width (both in seconds here)
    } else {
      EXPECT_TRUE(MaskTableAges(sb) == MaskTableAges(nb)) << "tables differ (" << sb.size() << " vs " << nb.size()
                                                          << " bytes)";
      if (sb.find("\"cells\"") != std::string::npos) {
        EXPECT_NE(MaskTableAges(sb), sb);  // the ages were found
      }
    }
  }
  EXPECT_GE(chunked, 10);
}

// ---------------------------------------------------------------------------------------
// Limits: --max-requests-inflight=1, ~24 MB of configmaps.

class ApiHttpLimitsTest : public ::testing::Test {
 public:
  static constexpr int kObjects = 240;
  static constexpr size_t kValueBytes = 100 * 1000;

  static void SetUpTestSuite() {
    ApiServerOptions o;
    o.extra_args = {"--max-requests-inflight=1"};
    server_ = new ApiServerProcess(o);
    start_ = new Status(server_->Start());
    if (!start_->ok()) return;
    HttpClient c = ClientFor(*server_);
    if (!CreateNamespace(c, "big")) {
      *start_ = Internal("namespace");
      return;
    }
    for (int i = 0; i < kObjects; ++i) {
      auto r = c.Post(CmPath("big"), ConfigMapJson("cm-" + std::to_string(1000 + i), {},
                                                   {{"v", std::string(kValueBytes, static_cast<char>('a' + i % 26))}}));
      if (!r.ok() || r->status != 201) {
        *start_ = Internal("loading data");
        return;
      }
    }
    // The same volume of custom resources.
    auto crd = c.Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", R"({"apiVersion":"apiextensions.k8s.io/v1",
      "kind":"CustomResourceDefinition","metadata":{"name":"blobs.big.example.com"},
      "spec":{"group":"big.example.com","scope":"Namespaced","names":{"plural":"blobs","kind":"Blob"},
        "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
          "properties":{"spec":{"type":"object","properties":{"v":{"type":"string"}}}}}}}]}})");
    if (!crd.ok() || crd->status != 201) {
      *start_ = Internal("creating the CRD");
      return;
    }
    for (int attempt = 0;; ++attempt) {
      auto served = c.Get(BlobPath());
      if (served.ok() && served->status == 200) break;
      if (attempt == 200) {
        *start_ = Internal("the CRD was not served");
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    for (int i = 0; i < kObjects; ++i) {
      std::string body = "{\"apiVersion\":\"big.example.com/v1\",\"kind\":\"Blob\",\"metadata\":{\"name\":\"b-" +
                         std::to_string(1000 + i) + "\"},\"spec\":{\"v\":\"" +
                         std::string(kValueBytes, static_cast<char>('a' + i % 26)) + "\"}}";
      auto r = c.Post(BlobPath(), body);
      if (!r.ok() || r->status != 201) {
        *start_ = Internal("loading custom resources");
        return;
      }
    }
  }
  static std::string BlobPath() { return "/apis/big.example.com/v1/namespaces/big/blobs"; }
  static void TearDownTestSuite() {
    delete server_;
    delete start_;
    server_ = nullptr;
    start_ = nullptr;
  }

 protected:
  void SetUp() override { ASSERT_TRUE(start_->ok()) << start_->ToString() << "\n" << server_->LogTail(); }

  static ApiServerProcess* server_;
  static Status* start_;
};

ApiServerProcess* ApiHttpLimitsTest::server_ = nullptr;
Status* ApiHttpLimitsTest::start_ = nullptr;

TEST_F(ApiHttpLimitsTest, MaxRequestsInflight429WhileASlowListIsOpen) {
  HttpClient c = ClientFor(*server_);
  // A LIST the client does not read: the server is stuck writing it (24 MB > socket
  // buffers), so it stays in flight.
  HttpRequest list;
  list.target = CmPath("big");
  auto slow = ClientFor(*server_, 64 * 1024).Open(list);
  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  EXPECT_EQ((*slow)->status(), 200);

  // (Resource requests. kstream does not count discovery requests, which kube's legacy
  // max-in-flight filter would.)
  for (const std::string& target : {CmPath("big") + "?limit=1", CmPath("big", "cm-1000"), CmPath("big") + "?watch=0"}) {
    auto r = c.Get(target);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 429) << target;
    EXPECT_EQ(r->body, "Too many requests, please try again later.\n");
    EXPECT_EQ(r->Header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(r->Header("Retry-After"), "1");
  }
  // Watches are long-running: not counted, not limited.
  HttpRequest watch;
  watch.target = CmPath("big") + "?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dnone";
  auto w = c.Open(watch);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->status(), 200);
  // Mutations have their own limit; health checks none.
  auto post = c.Post(CmPath("big"), ConfigMapJson("small-one"));
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 201);
  auto health = c.Get("/readyz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);

  // The slow list is complete and correct once read.
  auto body = (*slow)->ReadAll(60s);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_TRUE((*slow)->ended());
  api::Value v = J(*body);
  EXPECT_EQ(ItemCount(v), static_cast<size_t>(kObjects));
  // And the slot is free again.
  auto after = c.Get(CmPath("big") + "?limit=1");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
}

TEST_F(ApiHttpLimitsTest, SlowReaderKeepsServerMemoryBounded) {
  HttpClient c = ClientFor(*server_);
  const pid_t pid = server_->pid();
  const std::string rv = ListRv(c, CmPath("big") + "?limit=1");
  const std::string target = CmPath("big") + "?resourceVersion=" + rv + "&resourceVersionMatch=Exact";
  // Warm up (allocator arenas, the encoder's buffers), then take the baseline.
  auto fast = c.Get(target);
  ASSERT_TRUE(fast.ok());
  ASSERT_GT(fast->body.size(), 24u * 1000 * 1000);
  const int64_t baseline = RssAnonKiB(pid);
  ASSERT_GT(baseline, 0);

  HttpRequest req;
  req.target = target;
  auto slow = ClientFor(*server_, 64 * 1024).Open(req);
  ASSERT_TRUE(slow.ok());
  int64_t peak = baseline;
  SlowRead how;
  how.step_bytes = 256 * 1024;
  how.pause = 12ms;
  how.on_step = [&](size_t) { peak = std::max(peak, RssAnonKiB(pid)); };
  auto start = Clock::now();
  auto body = (*slow)->ReadSlowly(how, 60s);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_TRUE((*slow)->ended());
  EXPECT_GT(Clock::now() - start, 1s);  // it was slow
  // The body is complete and the same as the fast read of the same snapshot.
  EXPECT_EQ(*body, fast->body);
  // The server held one item, one batch and the socket buffers, not the list.
  const int64_t growth_kib = peak - baseline;
  std::cerr << "RssAnon baseline " << baseline << " KiB, peak " << peak << " KiB (+" << growth_kib
            << " KiB) while a slow client read " << body->size() << " bytes\n";
  EXPECT_LT(growth_kib, 12 * 1024) << "the server buffered the response";
}

// The same for a list of custom resources (an UnstructuredList), and their other forms.
TEST_F(ApiHttpLimitsTest, SlowReaderOfCustomResourcesKeepsServerMemoryBounded) {
  HttpClient c = ClientFor(*server_);
  const pid_t pid = server_->pid();
  const std::string rv = ListRv(c, BlobPath() + "?limit=1");
  const std::string target = BlobPath() + "?resourceVersion=" + rv + "&resourceVersionMatch=Exact";
  auto fast = c.Get(target);
  ASSERT_TRUE(fast.ok());
  ASSERT_GT(fast->body.size(), 24u * 1000 * 1000);
  EXPECT_EQ(ItemCount(J(fast->body)), static_cast<size_t>(kObjects));
  EXPECT_TRUE(fast->chunked);
  const int64_t baseline = RssAnonKiB(pid);
  ASSERT_GT(baseline, 0);

  HttpRequest req;
  req.target = target;
  auto slow = ClientFor(*server_, 64 * 1024).Open(req);
  ASSERT_TRUE(slow.ok());
  int64_t peak = baseline;
  SlowRead how;
  how.step_bytes = 256 * 1024;
  how.pause = 12ms;
  how.on_step = [&](size_t) { peak = std::max(peak, RssAnonKiB(pid)); };
  auto body = (*slow)->ReadSlowly(how, 60s);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_TRUE((*slow)->ended());
  EXPECT_EQ(*body, fast->body);
  const int64_t growth_kib = peak - baseline;
  std::cerr << "RssAnon baseline " << baseline << " KiB, peak " << peak << " KiB (+" << growth_kib
            << " KiB) while a slow client read " << body->size() << " bytes of custom resources\n";
  EXPECT_LT(growth_kib, 12 * 1024) << "the server buffered the response";

  // gzip streams too; protobuf is not served for custom resources (406, as kube).
  auto gz = c.Get(target, {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(gz->Header("Content-Encoding"), "gzip");
  EXPECT_TRUE(gz->chunked);
  EXPECT_EQ(BodyOf(*gz), fast->body);
  auto pb = c.Get(target, {{"Accept", "application/vnd.kubernetes.protobuf"}});
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(pb->status, 406) << pb->body.substr(0, 300);
}

// ---------------------------------------------------------------------------------------
// Graceful shutdown.

TEST(ApiHttpShutdownTest, SigtermEndsOpenWatchAndExitsZero) {
  ApiServerOptions o;
  o.extra_args = {"--shutdown-watch-termination-grace-period=2s"};
  ApiServerProcess server(o);
  Status st = server.Start();
  ASSERT_TRUE(st.ok()) << st.ToString();
  HttpClient c = ClientFor(server);
  HttpRequest req;
  req.target = "/api/v1/namespaces/default/configmaps?watch=1";
  auto w = c.Open(req);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ((*w)->status(), 200);

  auto start = Clock::now();
  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  auto rest = (*w)->ReadAll(10s);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  auto ended_after = Clock::now() - start;
  EXPECT_TRUE((*w)->ended() || (*w)->closed());
  EXPECT_LT(ended_after, 3s);
  // Exits 0 within the grace period (plus a margin). (Stop() sends SIGTERM again, which
  // changes nothing for a process already shutting down, and reaps it.)
  int rc = server.Stop(6s);
  auto exited_after = Clock::now() - start;
  EXPECT_EQ(rc, 0) << server.LogTail();
  EXPECT_LT(exited_after, 4s);
  std::cerr << "watch ended after " << std::chrono::duration_cast<std::chrono::milliseconds>(ended_after).count()
            << " ms (" << ((*w)->ended() ? "final chunk" : "connection closed") << "), exit after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(exited_after).count() << " ms\n";
}

// A client that stops reading a LIST: with --write-timeout=1s the server gives up on it
// (closes the connection without the final chunk) instead of holding the request forever.
TEST(ApiHttpWriteTimeoutTest, AClientThatStopsReadingIsCutOff) {
  ApiServerOptions o;
  o.extra_args = {"--write-timeout=1s"};
  ApiServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.LogTail();
  HttpClient c = ClientFor(server);
  for (int i = 0; i < 120; ++i) {
    auto r = c.Post(CmPath("default"), ConfigMapJson("cm-" + std::to_string(1000 + i), {},
                                                     {{"v", std::string(100 * 1000, 'x')}}));
    ASSERT_TRUE(r.ok() && r->status == 201);
  }
  HttpRequest list;
  list.target = CmPath("default");
  auto stream = ClientFor(server, 64 * 1024).Open(list);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  ASSERT_EQ((*stream)->status(), 200);
  // Stop reading for well over the write timeout, then read what is left.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto rest = (*stream)->ReadAll(std::chrono::seconds(20));
  EXPECT_FALSE((*stream)->ended());
  EXPECT_TRUE((*stream)->closed());
  // The server is fine and serves the next client.
  auto r = c.Get(CmPath("default") + "?limit=1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace kstream::e2e
