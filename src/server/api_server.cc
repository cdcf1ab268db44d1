#include "server/api_server.h"

#include <charconv>
#include <future>
#include <random>
#include <thread>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include "api/json.h"
#include "api/k8s/meta/v1/types.h"
#include "api/yaml.h"
#include "api/typed/scheme.h"
#include "collection/table.h"
#include "collection/typed_list.h"
#include "collection/yaml_list.h"
#include "encoding/gzip/gzip_sink.h"
#include "encoding/protobuf/wire.h"
#include "registry/field_selector.h"
#include "registry/label_selector.h"
#include "registry/printers.h"
#include "server/negotiate.h"

namespace kstream::server {

namespace meta = k8s::meta::v1;
using registry::ApiError;
using registry::ApiResult;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kYaml = "application/yaml";
constexpr std::string_view kProtobuf = "application/vnd.kubernetes.protobuf";

// What the response is encoded as (the negotiated Accept clause).
struct Output {
  enum class Format { kJson, kYaml, kProtobuf };
  enum class Target { kNone, kTable, kPartialObjectMetadata, kPartialObjectMetadataList };
  Format format = Format::kJson;
  bool pretty = false;
  Target target = Target::kNone;
  std::string target_version = "v1";  // meta.k8s.io version of the transform

  std::string_view ContentType() const {
    switch (format) {
      case Format::kJson:
        return kJson;
      case Format::kYaml:
        return kYaml;
      case Format::kProtobuf:
        return kProtobuf;
    }
    return kJson;
  }
};

bool ParseBool(std::string_view s, bool* out) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") {
    *out = false;
    return true;
  }
  return false;
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

meta::Time Now() { return meta::Time::Now(); }

// Items converted to PartialObjectMetadata (kind/apiVersion set on each, as kube does).
class PartialMetadataSource final : public collection::ItemSource<typed::Object> {
 public:
  PartialMetadataSource(const typed::KindEntry* kind, collection::ItemSource<typed::Object>* items)
      : kind_(kind), items_(items) {}
  Result<const typed::Object*> Next() override {
    KS_ASSIGN_OR_RETURN(const typed::Object* item, items_->Next());
    if (item == nullptr) return static_cast<const typed::Object*>(nullptr);
    if (!current_) {
      current_ = kind_->New();
      current_->SetTypeMetaFromKind();
    }
    *current_->object_meta() = *item->object_meta();
    return static_cast<const typed::Object*>(current_.get());
  }
  Status Rewind() override { return items_->Rewind(); }

 private:
  const typed::KindEntry* kind_;
  collection::ItemSource<typed::Object>* items_;
  std::unique_ptr<typed::Object> current_;
};

}  // namespace

// ---------------------------------------------------------------------------------------

std::string VersionJson() {
  return "{\n"
         "  \"major\": \"1\",\n"
         "  \"minor\": \"33\",\n"
         "  \"emulationMajor\": \"1\",\n"
         "  \"emulationMinor\": \"33\",\n"
         "  \"minCompatibilityMajor\": \"1\",\n"
         "  \"minCompatibilityMinor\": \"32\",\n"
         "  \"gitVersion\": \"v1.33.0-kstream\",\n"
         "  \"gitCommit\": \"0000000000000000000000000000000000000000\",\n"
         "  \"gitTreeState\": \"clean\",\n"
         "  \"buildDate\": \"2026-11-29T00:00:00Z\",\n"
         "  \"goVersion\": \"n/a (kstream, C++20)\",\n"
         "  \"compiler\": \"gc\",\n"
         "  \"platform\": \"linux/amd64\"\n"
         "}";
}

struct ApiServer::Impl {
  ApiServer* self;
  const typed::Scheme& scheme;
  const typed::KindEntry* status_kind;
  const typed::KindEntry* pom_kind;
  const typed::KindEntry* pom_list_kind;
  // One size pass for concurrent protobuf lists of the same snapshot.
  collection::ListSizeCache size_cache;

  explicit Impl(ApiServer* s)
      : self(s),
        scheme(s->registry_->scheme()),
        status_kind(scheme.Find("v1", "Status")),
        pom_kind(scheme.Find("meta.k8s.io/v1", "PartialObjectMetadata")),
        pom_list_kind(scheme.Find("meta.k8s.io/v1", "PartialObjectMetadataList")) {}

  // ----- encoding helpers

  static std::vector<Header> BaseHeaders(std::string_view content_type) {
    return {{"Cache-Control", "no-cache, private"}, {"Content-Type", std::string(content_type)}};
  }

  Status EncodeObject(typed::Object& obj, const Output& out, std::string* body) {
    switch (out.format) {
      case Output::Format::kJson:
        KS_RETURN_IF_ERROR(typed::AppendObjectJson(
            obj, body, out.pretty ? encoding::json::Style::kIndent : encoding::json::Style::kCompact));
        if (!out.pretty) body->push_back('\n');
        return Status::Ok();
      case Output::Format::kYaml:
        return typed::AppendObjectYaml(obj, body);
      case Output::Format::kProtobuf:
        return typed::AppendObjectProtobuf(obj, body);
    }
    return Status::Ok();
  }

  static void AddGzipHeaders(std::vector<Header>* headers) {
    headers->push_back({"Content-Encoding", "gzip"});
    headers->push_back({"Vary", "Accept-Encoding"});
  }

  // Sends a complete body; GzipSink decides on gzip (client accepts it, over 128 KiB).
  asio::awaitable<void> SendBody(Request& req, ResponseWriter& w, int code, std::vector<Header> headers,
                                 std::string body) {
    encoding::BufferSink out;
    bool gzip = false;
    auto gz = encoding::MaybeGzip(&out, req.Header("Accept-Encoding"), [&gzip](bool g) {
      gzip = g;
      return Status::Ok();
    });
    Status s = gz->Write(body);
    if (s.ok()) s = gz->Close();
    if (s.ok() && gzip) {
      AddGzipHeaders(&headers);
      (void)co_await w.Send(code, std::move(headers), out.data());
      co_return;
    }
    (void)co_await w.Send(code, std::move(headers), body);
  }

  // The Table's includeObject (default Metadata); an error for an unknown value.
  static std::optional<ApiError> ParseIncludeObject(const Request& req, collection::TableOptions* topts) {
    auto include = req.Query("includeObject");
    if (!include || include->empty() || *include == "Metadata") return std::nullopt;
    if (*include == "None") {
      topts->include_object = collection::IncludeObject::kNone;
    } else if (*include == "Object") {
      topts->include_object = collection::IncludeObject::kObject;
    } else {
      return ApiError::BadRequest("unrecognized includeObject value: \"" + std::string(*include) + "\"");
    }
    return std::nullopt;
  }

  // A Status error, encoded as negotiated (JSON when the negotiation itself failed).
  asio::awaitable<void> SendError(Request& req, ResponseWriter& w, const ApiError& err,
                                  const Output* out = nullptr) {
    auto obj = status_kind->New();
    *obj->As<meta::Status>() = err.status;
    Output o = out ? *out : Output{};
    o.target = Output::Target::kNone;
    if (out == nullptr) {
      // Errors found before negotiation (and 406s): kube's ErrorNegotiated encodes for the
      // client's Accept when a serializer matches it (no transforms), and writes raw
      // pretty JSON when none does.
      auto neg = NegotiateOutput(req.Header("Accept"), BuiltinMediaTypes());
      if (!neg.ok()) {
        co_await SendRawJsonError(w, err);
        co_return;
      }
      o = ToOutput(*neg, req);
    }
    std::string body;
    if (!EncodeObject(*obj, o, &body).ok()) {
      body.clear();
      o = Output{};
      (void)EncodeObject(*obj, o, &body);
    }
    auto headers = BaseHeaders(o.ContentType());
    if (err.retry_after_seconds > 0) headers.push_back({"Retry-After", std::to_string(err.retry_after_seconds)});
    co_await SendBody(req, w, err.code(), std::move(headers), std::move(body));
  }

  // 406: kube writes it with WriteRawJSON: pretty JSON, no newline, whatever was asked.
  asio::awaitable<void> SendRawJsonError(ResponseWriter& w, const ApiError& err) {
    auto obj = status_kind->New();
    *obj->As<meta::Status>() = err.status;
    std::string body;
    (void)typed::AppendObjectJson(*obj, &body, encoding::json::Style::kIndent);
    (void)co_await w.Send(err.code(), BaseHeaders(kJson), body);
  }

  Output ToOutput(const NegotiatedOutput& n, const Request& req) {
    Output o;
    switch (n.media_type->serializer) {
      case Serializer::kYaml:
        o.format = Output::Format::kYaml;
        break;
      case Serializer::kProtobuf:
        o.format = Output::Format::kProtobuf;
        break;
      default:
        o.format = Output::Format::kJson;
    }
    o.pretty = o.format == Output::Format::kJson &&
               UsePrettySerializer(n, req.Query("pretty").value_or(""), req.Header("User-Agent"));
    if (n.target) {
      if (n.target->kind == "Table") {
        o.target = Output::Target::kTable;
      } else if (n.target->kind == "PartialObjectMetadata") {
        o.target = Output::Target::kPartialObjectMetadata;
      } else if (n.target->kind == "PartialObjectMetadataList") {
        o.target = Output::Target::kPartialObjectMetadataList;
      }
      o.target_version = n.target->version;
    }
    return o;
  }

  // Negotiates the response of a resource endpoint. `list`: the result is a list.
  std::variant<Output, ApiError> NegotiateResource(Request& req, bool list, bool watch) {
    TransformCheck allow = ResourceTransformCheck(ResourceEndpoint{});
    auto neg = watch ? NegotiateOutputStream(req.Header("Accept"), BuiltinMediaTypes(), allow)
                     : NegotiateOutput(req.Header("Accept"), BuiltinMediaTypes(), allow);
    if (!neg.ok()) return ApiError::NotAcceptable(std::string(neg.status().message()));
    Output o = ToOutput(*neg, req);
    if (o.target == Output::Target::kPartialObjectMetadata && list && !watch) {
      return ApiError::NotAcceptable(
          "you requested PartialObjectMetadata, but the requested object is a list (*v1.PartialObjectMetadataList)");
    }
    if (o.target == Output::Target::kPartialObjectMetadataList && !list) {
      return ApiError::NotAcceptable(
          "you requested PartialObjectMetadataList, but the requested object is not a list (*v1.PartialObjectMetadata)");
    }
    if (o.target != Output::Target::kNone && o.target_version == "v1beta1" &&
        o.target != Output::Target::kTable) {
      o.target_version = "v1";  // the v1beta1 forms are the same objects
    }
    return o;
  }

  // ----- streaming

  // Writes a list body from `enc`: the gzip decision at 128 KiB, then batches of
  // ~batch_bytes awaited on the socket. Errors before the first byte become a Status.
  asio::awaitable<void> StreamList(Request& req, ResponseWriter& w, collection::PieceEncoder& enc,
                                   const Output& out, int code = 200) {
    // What is ready for the wire. Without gzip, an encoded piece of a batch or more (a large
    // item) is written from the encoder's buffer, not copied (it is unchanged until the next
    // EncodeNext); gzip output is always copied (the deflater reuses its chunk buffer).
    encoding::WireBuffer pending(self->options_.batch_bytes);
    bool gzip = false;
    bool committed = false;
    encoding::GzipOptions gopts;
    gopts.enabled = encoding::AcceptsGzip(req.Header("Accept-Encoding"));
    gopts.chunk_bytes = self->options_.batch_bytes;
    encoding::GzipSink gz(&pending, [&gzip, &committed](bool g) {
      gzip = g;
      committed = true;
      return Status::Ok();
    }, gopts);
    auto headers = [&] {
      auto h = BaseHeaders(out.ContentType());
      if (gzip) AddGzipHeaders(&h);
      return h;
    };
    if (!self->options_.streaming) {
      // kube before 1.33: the whole body in memory, then one write.
      encoding::BufferSink all;
      Status s = enc.EncodeAll(&all);
      if (!s.ok()) {
        co_await SendError(req, w, ApiError::Internal(std::string(s.message())), &out);
        co_return;
      }
      s = gz.Write(all.data());
      if (s.ok()) s = gz.Close();
      if (!s.ok()) {
        co_await SendError(req, w, ApiError::Internal(std::string(s.message())), &out);
        co_return;
      }
      (void)co_await w.Send(code, headers(), pending.data());
      co_return;
    }
    while (true) {
      pending.SetBorrowing(committed && !gzip);
      auto more = enc.EncodeNext(&gz);
      pending.SetBorrowing(false);
      if (!more.ok()) {
        if (!w.head_sent()) {
          co_await SendError(req, w, ApiError::Internal(std::string(more.status().message())), &out);
        } else {
          w.Abort();
        }
        co_return;
      }
      if (!*more) break;
      if (pending.data().size() >= self->options_.batch_bytes) {
        if (!w.head_sent() && !(co_await w.Begin(code, headers())).ok()) co_return;
        if (!(co_await w.Chunk(pending.data())).ok()) co_return;
        pending.Clear();
      }
    }
    if (Status s = gz.Close(); !s.ok()) {
      if (!w.head_sent()) {
        co_await SendError(req, w, ApiError::Internal(std::string(s.message())), &out);
      } else {
        w.Abort();
      }
      co_return;
    }
    if (!w.head_sent()) {
      (void)co_await w.Send(code, headers(), pending.data());
      co_return;
    }
    if (!(co_await w.Chunk(pending.data())).ok()) co_return;
    (void)co_await w.End();
  }

  // Encodes a list page for `out` and streams it.
  asio::awaitable<void> SendList(Request& req, ResponseWriter& w, const typed::ResourceInfo& info,
                                 registry::ListPage& page, const Output& out, int code = 200) {
    collection::ItemSource<typed::Object>* items = page.items.get();
    auto style = out.pretty ? encoding::json::Style::kIndent : encoding::json::Style::kCompact;
    if (out.target == Output::Target::kTable) {
      collection::TableOptions topts;
      if (auto err = ParseIncludeObject(req, &topts)) {
        co_await SendError(req, w, *err, &out);
        co_return;
      }
      topts.api_version = "meta.k8s.io/" + out.target_version;
      const auto& printer = registry::PrinterFor(info.group, info.resource);
      if (out.format == Output::Format::kYaml) {
        auto header = collection::TableHeaderValue(printer, topts, page.meta);
        if (!header.ok()) {
          co_await SendError(req, w, ApiError::Internal(std::string(header.status().message())), &out);
          co_return;
        }
        collection::TableRowValueSource rows(&printer, &topts, Now(), items);
        collection::YamlListEncoder enc(std::move(header).value(), "rows", &rows);
        co_await StreamList(req, w, enc, out, code);
      } else {
        collection::TableJsonEncoder enc(&printer, &topts, &page.meta, Now(), items, style);
        co_await StreamList(req, w, enc, out, code);
      }
      co_return;
    }
    collection::TypedListHeader header;
    std::unique_ptr<PartialMetadataSource> pom;
    if (out.target == Output::Target::kPartialObjectMetadataList) {
      header.api_version = "meta.k8s.io/" + out.target_version;
      header.kind = "PartialObjectMetadataList";
      pom = std::make_unique<PartialMetadataSource>(pom_kind, items);
      items = pom.get();
    } else {
      header.api_version = info.api_version();
      header.kind = std::string(info.list_kind);
    }
    header.metadata = page.meta;
    switch (out.format) {
      case Output::Format::kJson: {
        collection::TypedListJsonEncoder enc(&header, items, style);
        co_await StreamList(req, w, enc, out, code);
        break;
      }
      case Output::Format::kProtobuf: {
        std::string key;
        if (!page.snapshot_key.empty()) key = header.api_version + '\0' + header.kind + '\0' + page.snapshot_key;
        collection::TypedListProtobufEncoder enc(&header, items, &size_cache, std::move(key));
        co_await StreamList(req, w, enc, out, code);
        break;
      }
      case Output::Format::kYaml: {
        auto enc = collection::YamlListEncoder::ForTypedList(header, items);
        if (!enc.ok()) {
          co_await SendError(req, w, ApiError::Internal(std::string(enc.status().message())), &out);
          co_return;
        }
        co_await StreamList(req, w, **enc, out, code);
        break;
      }
    }
  }

  // A single object in the negotiated form.
  asio::awaitable<void> SendObject(Request& req, ResponseWriter& w, const typed::ResourceInfo& info,
                                   typed::Object& obj, const Output& out, int code) {
    std::string body;
    Status s;
    if (out.target == Output::Target::kTable) {
      collection::TableOptions topts;
      (void)ParseIncludeObject(req, &topts);  // single objects ignore an unknown value
      topts.api_version = "meta.k8s.io/" + out.target_version;
      const auto& printer = registry::PrinterFor(info.group, info.resource);
      if (out.format == Output::Format::kYaml) {
        // A one-row table, as YAML.
        class One final : public collection::ItemSource<typed::Object> {
         public:
          explicit One(typed::Object* o) : o_(o) {}
          Result<const typed::Object*> Next() override {
            if (done_) return static_cast<const typed::Object*>(nullptr);
            done_ = true;
            return static_cast<const typed::Object*>(o_);
          }
          Status Rewind() override {
            done_ = false;
            return Status::Ok();
          }

         private:
          typed::Object* o_;
          bool done_ = false;
        } src(&obj);
        auto header = collection::TableHeaderValue(printer, topts, meta::ListMeta{});
        if (header.ok()) {
          collection::TableRowValueSource rows(&printer, &topts, Now(), &src);
          collection::YamlListEncoder enc(std::move(header).value(), "rows", &rows);
          encoding::BufferSink sink;
          s = enc.EncodeAll(&sink);
          body = sink.Take();
        } else {
          s = header.status();
        }
      } else {
        s = collection::AppendSingleObjectTable(printer, obj, topts, Now(), &body,
                                                out.pretty ? encoding::json::Style::kIndent
                                                           : encoding::json::Style::kCompact);
        if (s.ok() && !out.pretty) body.push_back('\n');
      }
    } else if (out.target == Output::Target::kPartialObjectMetadata) {
      auto pom = pom_kind->New();
      *pom->object_meta() = *obj.object_meta();
      s = EncodeObject(*pom, out, &body);
    } else {
      s = EncodeObject(obj, out, &body);
    }
    if (!s.ok()) {
      co_await SendError(req, w, ApiError::Internal(std::string(s.message())), &out);
      co_return;
    }
    co_await SendBody(req, w, code, BaseHeaders(out.ContentType()), std::move(body));
  }

  // ----- watch

  struct WatchBridge {
    using Batch = std::shared_ptr<std::vector<registry::WatchEvent>>;
    using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, Batch)>;
    std::unique_ptr<registry::WatchSession> session;
    std::unique_ptr<Channel> channel;
    std::atomic<bool> stop{false};
  };

  Status EncodeWatchEvent(const typed::ResourceInfo& info, registry::WatchEvent& ev, const Output& out,
                          bool* first_table, std::string* frame) {
    std::unique_ptr<typed::Object> status_obj;
    typed::Object* obj = ev.object.get();
    if (ev.type == registry::WatchEvent::Type::kError) {
      status_obj = status_kind->New();
      *status_obj->As<meta::Status>() = ev.error->status;
      obj = status_obj.get();
    }
    std::string body;
    bool is_status = ev.type == registry::WatchEvent::Type::kError;
    std::unique_ptr<typed::Object> pom;
    if (!is_status && (out.target == Output::Target::kPartialObjectMetadata ||
                       out.target == Output::Target::kPartialObjectMetadataList)) {
      pom = pom_kind->New();
      *pom->object_meta() = *obj->object_meta();
      obj = pom.get();
    }
    std::string_view type = registry::WatchEvent::TypeName(ev.type);
    if (out.format == Output::Format::kProtobuf) {
      KS_RETURN_IF_ERROR(typed::AppendObjectProtobuf(*obj, &body));
      // WatchEvent{1: type, 2: RawExtension{1: raw}} in a 4-byte big-endian frame.
      namespace pb = encoding::protobuf;
      size_t raw_ext_size = pb::BytesFieldSize(1, body.size());
      uint32_t n = static_cast<uint32_t>(pb::BytesFieldSize(1, type.size()) + pb::BytesFieldSize(2, raw_ext_size));
      char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)};
      frame->append(len, 4);
      pb::AppendBytesField(frame, 1, type);
      pb::AppendKey(frame, 2, pb::WireType::kBytes);
      pb::AppendVarint(frame, raw_ext_size);
      pb::AppendBytesField(frame, 1, body);
      return Status::Ok();
    }
    // JSON: {"type":..,"object":..}\n
    if (!is_status && out.target == Output::Target::kTable) {
      collection::TableOptions topts;
      topts.api_version = "meta.k8s.io/" + out.target_version;
      topts.no_headers = !*first_table;
      *first_table = false;
      KS_RETURN_IF_ERROR(collection::AppendSingleObjectTable(registry::PrinterFor(info.group, info.resource),
                                                            *obj, topts, Now(), &body));
    } else {
      KS_RETURN_IF_ERROR(typed::AppendObjectJson(*obj, &body));
    }
    frame->append("{\"type\":\"");
    frame->append(type);
    frame->append("\",\"object\":");
    frame->append(body);
    frame->append("}\n");
    return Status::Ok();
  }

  asio::awaitable<void> ServeWatch(Request& req, ResponseWriter& w, const typed::ResourceInfo& info,
                                   std::string_view ns, registry::WatchOptions wopts, const Output& out,
                                   std::chrono::milliseconds timeout) {
    auto session = self->registry_->Watch(info, ns, wopts);
    if (!session.ok()) {
      co_await SendError(req, w, session.error(), &out);
      co_return;
    }
    auto executor = co_await asio::this_coro::executor;
    auto bridge = std::make_shared<WatchBridge>();
    bridge->session = std::move(session).value();
    bridge->channel = std::make_unique<WatchBridge::Channel>(executor, 2);

    // The bridge thread: blocks on the storage watch, hands batches to the coroutine
    // through the bounded channel (a slow client stops it here).
    self->bridges_->fetch_add(1);
    std::thread([bridge, live = self->bridges_] {
      struct Done {
        std::atomic<int>* n;
        ~Done() { n->fetch_sub(1); }
      } done{live.get()};
      while (!bridge->stop) {
        auto events = bridge->session->Next(std::chrono::milliseconds(500));
        bool finished = bridge->session->finished();
        if (events.empty() && !finished) continue;
        auto batch = std::make_shared<std::vector<registry::WatchEvent>>(std::move(events));
        auto sent = std::make_shared<std::promise<bool>>();
        auto fut = sent->get_future();
        bridge->channel->async_send(boost::system::error_code{}, batch,
                                    [sent](boost::system::error_code ec) { sent->set_value(!ec); });
        // The completion runs on the server's executor, which stops running handlers when
        // the server stops: after a stop, wait a little, then give up rather than forever.
        for (int waited_ms = 0; fut.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready;) {
          waited_ms += 50;
          if (bridge->stop && waited_ms >= 1000) return;
        }
        if (!fut.get()) return;
        if (finished) {
          bridge->channel->async_send(boost::system::error_code{}, nullptr,
                                      [](boost::system::error_code) {});
          return;
        }
      }
      // Stopped before the session said it finished: tell the coroutine the stream ended.
      bridge->channel->async_send(boost::system::error_code{}, nullptr, [](boost::system::error_code) {});
    }).detach();

    uint64_t stop_id = 0;
    if (self->http_) {
      stop_id = self->http_->OnStop([bridge] {
        bridge->stop = true;
        bridge->session->Cancel();
      });
    }

    std::vector<Header> headers = BaseHeaders(out.format == Output::Format::kProtobuf
                                                  ? std::string_view("application/vnd.kubernetes.protobuf;stream=watch")
                                                  : kJson);
    w.set_keep_alive(false);
    bool ok = (co_await w.Begin(200, std::move(headers))).ok();
    bool peer_closed = false;
    if (ok) {
      auto events_loop = [&]() -> asio::awaitable<void> {
        bool first_table = true;
        std::string frame;
        while (true) {
          auto [ec, batch] = co_await bridge->channel->async_receive(asio::as_tuple(asio::use_awaitable));
          if (ec || !batch) co_return;
          frame.clear();
          for (auto& ev : *batch) {
            if (Status s = EncodeWatchEvent(info, ev, out, &first_table, &frame); !s.ok()) {
              ok = false;
              co_return;
            }
          }
          if (!frame.empty() && !(co_await w.Chunk(frame)).ok()) {
            ok = false;
            co_return;
          }
        }
      };
      auto peer = [&]() -> asio::awaitable<void> {
        co_await w.transport()->WaitPeerClose();
        // Only the peer going away counts: when the deadline or the event loop ends first,
        // the wait is cancelled and the stream must still end with its final chunk.
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() == asio::cancellation_type::none) peer_closed = true;
      };
      asio::steady_timer deadline(executor);
      deadline.expires_after(timeout);
      co_await (events_loop() || peer() || deadline.async_wait(asio::use_awaitable));
    }
    bridge->stop = true;
    bridge->session->Cancel();
    bridge->channel->cancel();  // completes a send the bridge thread is blocked on
    bridge->channel->close();
    if (self->http_) self->http_->Unsubscribe(stop_id);
    if (ok && !peer_closed) {
      (void)co_await w.End();
    } else {
      w.Abort();
    }
  }
};

ApiServer::ApiServer(registry::Registry* registry, const Discovery* discovery, const auth::TokenAuthenticator* tokens,
                     ApiServerOptions options)
    : registry_(registry), discovery_(discovery), tokens_(tokens), options_(std::move(options)) {
  impl_ = std::make_unique<Impl>(this);
}

ApiServer::~ApiServer() { WaitForWatches(std::chrono::seconds(5)); }

void ApiServer::WaitForWatches(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (bridges_->load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

namespace {

// A parsed resource path.
struct ResourcePath {
  std::string group, version, resource, name, subresource, ns;
  bool namespaced_path = false;
  bool watch_prefix = false;
};

// A method the resource has no route for: go-restful's 405, which kube's
// serviceErrorHandler turns into NewGenericServerResponse(405, ...) (empty details).
ApiError MethodNotAllowed() {
  ApiError e = ApiError::Make(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  e.status.Details.ensure();
  return e;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

}  // namespace

asio::awaitable<void> ApiServer::Handle(Request& req, ResponseWriter& w) {
  Impl& im = *impl_;
  const std::string& path = req.path;

  // Authentication first: a wrong token is 401 everywhere; no token is anonymous, which
  // may only reach the health endpoints and /version (kube's anonymous + RBAC defaults).
  std::string_view authz = req.Header("Authorization");
  bool authenticated = false;
  if (!authz.empty()) {
    auto token = auth::BearerToken(authz);
    if (token && tokens_ && tokens_->Authenticate(*token) != nullptr) authenticated = true;
    if (!authenticated) {
      co_await im.SendError(req, w, ApiError::Unauthorized("Unauthorized"));
      co_return;
    }
  }
  // Health: public.
  if (path == "/healthz" || path == "/livez" || path == "/readyz" || path.starts_with("/healthz/") ||
      path.starts_with("/livez/") || path.starts_with("/readyz/")) {
    bool stopping = http_ && http_->stopping();
    if (path.starts_with("/readyz") && stopping) {
      (void)co_await w.Send(500, Impl::BaseHeaders("text/plain; charset=utf-8"),
                            "[-]shutdown failed: reason withheld\nreadyz check failed\n");
      co_return;
    }
    std::string body = "ok";
    if (req.HasQuery("verbose")) {
      std::string what = path.substr(1, path.find('/', 1) == std::string::npos ? std::string::npos : path.find('/', 1) - 1);
      body = "[+]ping ok\n[+]log ok\n[+]etcd ok\n" + what + " check passed\n";
    }
    std::vector<Header> headers = Impl::BaseHeaders("text/plain; charset=utf-8");
    headers.push_back({"X-Content-Type-Options", "nosniff"});
    (void)co_await w.Send(200, std::move(headers), body);
    co_return;
  }

  if (path == "/version" || path == "/version/") {
    (void)co_await w.Send(200, Impl::BaseHeaders(kJson), VersionJson());
    co_return;
  }
  if (!authenticated) {
    co_await im.SendError(req, w, ApiError::Unauthorized("Unauthorized"));
    co_return;
  }

  // Discovery.
  if (path == "/api" || path == "/apis" || path == "/api/" || path == "/apis/") {
    std::string p = path.back() == '/' ? path.substr(0, path.size() - 1) : path;
    // Aggregated discovery when asked for it (and only then).
    TransformCheck agg_allow = [](std::string_view, std::string_view subtype, const ConversionTarget* t) {
      return t != nullptr && t->group == "apidiscovery.k8s.io" && t->version == "v2" &&
             t->kind == "APIGroupDiscoveryList" && subtype != "yaml";
    };
    auto neg = NegotiateOutput(req.Header("Accept"), BuiltinMediaTypes(), agg_allow);
    if (neg.ok() && neg->target) {
      const DiscoveryDocument& doc = p == "/api" ? discovery_->AggregatedCore() : discovery_->AggregatedApis();
      std::string etag = doc.etag;
      bool proto = neg->media_type->serializer == Serializer::kProtobuf;
      std::string ct = std::string(proto ? kProtobuf : kJson) + ";g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
      std::vector<Header> h = {{"Cache-Control", "public"}, {"Content-Type", ct}, {"Etag", etag}, {"Vary", "Accept"}};
      if (req.Header("If-None-Match") == etag) {
        (void)co_await w.Send(304, std::move(h), "");
        co_return;
      }
      co_await im.SendBody(req, w, 200, std::move(h), proto ? doc.protobuf : doc.json);
      co_return;
    }
    const DiscoveryDocument* doc = discovery_->Legacy(p);
    bool pretty = IsPrettyPrint(req.Query("pretty").value_or(""), req.Header("User-Agent"));
    (void)co_await w.Send(200, Impl::BaseHeaders(kJson), pretty ? doc->pretty_json : doc->json);
    co_return;
  }

  std::vector<std::string_view> parts = Split(path);
  ResourcePath rp;
  size_t i = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    rp.version = std::string(parts[1]);
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    rp.group = std::string(parts[1]);
    rp.version = std::string(parts[2]);
    i = 3;
  } else if (parts.size() == 2 && parts[0] == "apis") {
    if (const DiscoveryDocument* doc = discovery_->Legacy("/apis/" + std::string(parts[1]))) {
      (void)co_await w.Send(200, Impl::BaseHeaders(kJson), doc->json);
      co_return;
    }
  }
  auto not_found = [&]() -> asio::awaitable<void> {
    ApiError e = ApiError::Make(404, "NotFound", "the server could not find the requested resource");
    e.status.Details.ensure();
    co_await im.SendError(req, w, e);
  };
  if (i == 0 || !discovery_->ServesGroupVersion(rp.group, rp.version)) {
    co_await not_found();
    co_return;
  }
  if (i == parts.size()) {
    std::string p = rp.group.empty() ? "/api/" + rp.version : "/apis/" + rp.group + "/" + rp.version;
    const DiscoveryDocument* doc = discovery_->Legacy(p);
    if (doc == nullptr) {
      co_await not_found();
      co_return;
    }
    bool pretty = IsPrettyPrint(req.Query("pretty").value_or(""), req.Header("User-Agent"));
    (void)co_await w.Send(200, Impl::BaseHeaders(kJson), pretty ? doc->pretty_json : doc->json);
    co_return;
  }
  std::vector<std::string_view> rest(parts.begin() + static_cast<long>(i), parts.end());
  if (!rest.empty() && rest[0] == "watch") {
    rp.watch_prefix = true;
    rest.erase(rest.begin());
  }
  if (rest.size() >= 3 && rest[0] == "namespaces" &&
      discovery_->FindServed(rp.group, rp.version, rest[2]) != nullptr &&
      discovery_->FindServed(rp.group, rp.version, rest[2])->namespaced) {
    rp.namespaced_path = true;
    rp.ns = std::string(rest[1]);
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) {
    co_await not_found();
    co_return;
  }
  rp.resource = std::string(rest[0]);
  if (rest.size() >= 2) rp.name = std::string(rest[1]);
  if (rest.size() == 3) rp.subresource = std::string(rest[2]);
  const typed::ResourceInfo* info = discovery_->FindServed(rp.group, rp.version, rp.resource);
  if (info == nullptr) {
    co_await not_found();
    co_return;
  }
  if (!rp.subresource.empty() && (rp.subresource != "status" || info->FindSubresource("status") == nullptr)) {
    co_await not_found();
    co_return;
  }
  if (rp.namespaced_path && !info->namespaced) {
    co_await not_found();
    co_return;
  }
  std::string ns = rp.ns;
  if (!info->namespaced) ns.clear();
  registry::GroupResource gr{info->group, info->resource};

  // Verb.
  const std::string& m = req.method;
  bool collection = rp.name.empty();
  bool watch = rp.watch_prefix;
  if (auto wq = req.Query("watch")) {
    bool b = false;
    if (!ParseBool(*wq, &b)) {
      co_await im.SendError(req, w, ApiError::BadRequest("invalid boolean value for watch: " + std::string(*wq)));
      co_return;
    }
    watch = watch || b;
  }
  bool mutating = m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
  bool long_running = watch && m == "GET";

  // In-flight limits (kube: long-running requests are not counted).
  std::atomic<int>* counter = nullptr;
  if (!long_running) {
    counter = mutating ? &mutating_inflight_ : &readonly_inflight_;
    int limit = mutating ? options_.max_mutating_requests_inflight : options_.max_requests_inflight;
    int now = counter->fetch_add(1) + 1;
    if (limit > 0 && now > limit) {
      counter->fetch_sub(1);
      std::vector<Header> headers;
      headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
      headers.push_back({"Retry-After", "1"});
      headers.push_back({"X-Content-Type-Options", "nosniff"});
      (void)co_await w.Send(429, std::move(headers), "Too many requests, please try again later.\n");
      co_return;
    }
  }
  struct Release {
    std::atomic<int>* c;
    ~Release() {
      if (c) c->fetch_sub(1);
    }
  } release{counter};

  // Negotiation of the response.
  bool list_result = collection && (m == "GET" || m == "DELETE");
  auto neg = im.NegotiateResource(req, list_result, watch);
  if (std::holds_alternative<ApiError>(neg)) {
    // Negotiated again without transforms: raw JSON when nothing matches, but e.g. a
    // YAML watch (YAML has no stream serializer) gets its 406 as YAML, as in kube.
    co_await im.SendError(req, w, std::get<ApiError>(neg));
    co_return;
  }
  Output out = std::get<Output>(neg);

  bool dry_run = false;
  if (auto dr = req.Query("dryRun")) {
    if (*dr != "All") {
      std::vector<registry::FieldCause> causes;
      causes.push_back({"FieldValueNotSupported",
                        "Unsupported value: \"" + std::string(*dr) + "\": supported values: \"All\"", "dryRun"});
      ApiError err = ApiError::Invalid(
          "meta.k8s.io", m == "POST" ? "CreateOptions" : m == "PUT" ? "UpdateOptions" : "DeleteOptions", "", causes);
      co_await im.SendError(req, w, err, &out);
      co_return;
    }
    dry_run = true;
  }

  // Decodes the request body as an object of this resource.
  auto decode_body = [&]() -> ApiResult<std::unique_ptr<typed::Object>> {
    auto in_type = NegotiateInput(req.Header("Content-Type"), BuiltinMediaTypes());
    if (!in_type.ok()) return ApiError::UnsupportedMediaType(std::string(in_type.status().message()));
    std::string_view in = (*in_type)->media_type;
    Result<std::unique_ptr<typed::Object>> obj = Internal("unreachable");
    std::vector<std::string> unknown, dups;
    typed::DecodeOptions dopts;
    dopts.unknown_fields = &unknown;
    dopts.duplicate_fields = &dups;
    // As kube's decoder: a missing kind or apiVersion is the endpoint's (clients such as the
    // Python one send bodies without them).
    auto default_type = [&](api::Value& v) {
      if (!v.is_object()) return;
      auto missing = [](const api::Value* f) {
        return f == nullptr || f->is_null() || (f->is_string() && f->as_string().empty());
      };
      if (missing(v.Find("kind"))) v.Set("kind", std::string(info->kind));
      if (missing(v.Find("apiVersion"))) v.Set("apiVersion", info->api_version());
    };
    if (in == kProtobuf) {
      obj = typed::DecodeObjectProtobuf(im.scheme, req.body);
    } else if (in == kYaml) {
      auto v = api::ParseYaml(req.body);
      if (!v.ok()) return ApiError::BadRequest(std::string(v.status().message()));
      default_type(*v);
      obj = typed::DecodeObject(im.scheme, *v, dopts);
    } else {
      auto v = api::ParseJson(req.body, &dups);
      if (!v.ok()) return ApiError::BadRequest(std::string(v.status().message()));
      default_type(*v);
      obj = typed::DecodeObject(im.scheme, *v, dopts);
    }
    if (!obj.ok()) return ApiError::BadRequest(std::string(obj.status().message()));
    auto fv = req.Query("fieldValidation");
    if (fv && *fv == "Strict" && (!unknown.empty() || !dups.empty())) {
      return ApiError::BadRequest(typed::StrictDecodingError(unknown, dups));
    }
    const typed::KindEntry& k = (*obj)->kind();
    if (k.group != info->group || k.version != info->version) {
      return ApiError::BadRequest("the API version in the data (" + k.api_version() +
                                  ") does not match the expected API version (" + info->api_version() + ")");
    }
    if (k.kind != info->kind) {
      return ApiError::BadRequest("the kind in the data (" + std::string(k.kind) +
                                  ") does not match the expected kind (" + std::string(info->kind) + ")");
    }
    return std::move(obj).value();
  };

  // Selectors for list, watch and deletecollection.
  auto build_filter = [&](registry::ObjectFilter* filter) -> std::optional<ApiError> {
    std::string label_text(req.Query("labelSelector").value_or(""));
    std::string field_text(req.Query("fieldSelector").value_or(""));
    std::shared_ptr<registry::LabelSelector> labels;
    std::shared_ptr<registry::FieldSelector> fields;
    if (!label_text.empty()) {
      auto ls = registry::ParseLabelSelector(label_text);
      if (!ls.ok()) return ApiError::BadRequest(std::string(ls.status().message()));
      if (!ls->empty()) labels = std::make_shared<registry::LabelSelector>(std::move(ls).value());
    }
    if (!field_text.empty()) {
      auto fs = registry::ParseFieldSelector(field_text);
      if (!fs.ok()) return ApiError::BadRequest(std::string(fs.status().message()));
      auto converted = registry::ConvertFieldSelector(*fs, info->group, info->version, info->resource);
      if (!converted.ok()) return ApiError::BadRequest(std::string(converted.status().message()));
      if (!converted->empty()) fields = std::make_shared<registry::FieldSelector>(std::move(converted).value());
    }
    if (labels || fields) {
      filter->matches = [labels, fields](const typed::Object& o) {
        const meta::ObjectMeta* om = o.object_meta();
        if (labels && (om == nullptr || !labels->Matches(om->Labels))) return false;
        if (fields && !fields->Matches([&o](std::string_view f) { return registry::FieldValue(o, f); })) return false;
        return true;
      };
    }
    return std::nullopt;
  };

  if (m == "GET" && (collection || watch)) {
    registry::ObjectFilter filter;
    if (auto err = build_filter(&filter)) {
      co_await im.SendError(req, w, *err, &out);
      co_return;
    }
    if (!collection) {
      // A watch of one object (.../watch/.../<name> or ?watch on .../<name>): kube turns
      // it into fieldSelector=metadata.name=<name>.
      auto fs = registry::ParseFieldSelector(req.Query("fieldSelector").value_or(""));
      if (fs.ok()) {
        if (Status s = registry::CheckSelectorMatchesName(*fs, rp.name); !s.ok()) {
          co_await im.SendError(req, w, ApiError::BadRequest(std::string(s.message())), &out);
          co_return;
        }
      }
      auto inner = std::move(filter.matches);
      filter.matches = [inner, name = rp.name](const typed::Object& o) {
        const meta::ObjectMeta* om = o.object_meta();
        return om != nullptr && om->Name == name && (!inner || inner(o));
      };
    }
    if (watch) {
      registry::WatchOptions wo;
      wo.resource_version = std::string(req.Query("resourceVersion").value_or(""));
      wo.resource_version_match = std::string(req.Query("resourceVersionMatch").value_or(""));
      if (auto b = req.Query("allowWatchBookmarks")) ParseBool(*b, &wo.allow_bookmarks);
      if (auto s = req.Query("sendInitialEvents")) {
        wo.send_initial_events_set = ParseBool(*s, &wo.send_initial_events);
      }
      wo.filter = std::move(filter);
      wo.bookmark_interval = options_.watch_bookmark_interval;
      std::chrono::milliseconds timeout;
      if (auto ts = req.Query("timeoutSeconds"); ts && !ts->empty()) {
        int64_t secs = 0;
        if (!ParseInt(*ts, &secs)) {
          co_await im.SendError(req, w, ApiError::BadRequest("invalid timeoutSeconds: " + std::string(*ts)), &out);
          co_return;
        }
        timeout = std::chrono::seconds(std::max<int64_t>(secs, 0));
      } else {
        static thread_local std::mt19937 rng(std::random_device{}());
        double f = std::uniform_real_distribution<double>(0, 1)(rng);
        timeout = std::chrono::milliseconds(
            static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(options_.min_request_timeout).count() * (1 + f)));
      }
      co_await im.ServeWatch(req, w, *info, ns, std::move(wo), out, timeout);
      co_return;
    }
    registry::ListOptions lo;
    lo.resource_version = std::string(req.Query("resourceVersion").value_or(""));
    lo.resource_version_match = std::string(req.Query("resourceVersionMatch").value_or(""));
    lo.continue_token = std::string(req.Query("continue").value_or(""));
    if (auto l = req.Query("limit"); l && !l->empty()) {
      if (!ParseInt(*l, &lo.limit)) {
        co_await im.SendError(req, w, ApiError::BadRequest("invalid limit: " + std::string(*l)), &out);
        co_return;
      }
    }
    if (auto s = req.Query("sendInitialEvents"); s && !s->empty()) {
      std::vector<registry::FieldCause> causes;
      causes.push_back({"FieldValueForbidden", "Forbidden: sendInitialEvents is forbidden for list", "sendInitialEvents"});
      ApiError err = ApiError::Invalid("meta.k8s.io", "ListOptions", "", causes);
      co_await im.SendError(req, w, err, &out);
      co_return;
    }
    lo.filter = std::move(filter);
    auto page = registry_->List(*info, ns, lo);
    if (!page.ok()) {
      co_await im.SendError(req, w, page.error(), &out);
      co_return;
    }
    co_await im.SendList(req, w, *info, *page, out);
    co_return;
  }

  if (m == "GET") {
    auto obj = registry_->Get(*info, ns, rp.name, req.Query("resourceVersion").value_or(""));
    if (!obj.ok()) {
      co_await im.SendError(req, w, obj.error(), &out);
      co_return;
    }
    co_await im.SendObject(req, w, *info, **obj, out, 200);
    co_return;
  }

  if (m == "POST" && collection) {
    if (!info->HasVerb("create")) {
      co_await im.SendError(req, w, MethodNotAllowed(), &out);
      co_return;
    }
    auto obj = decode_body();
    if (!obj.ok()) {
      co_await im.SendError(req, w, obj.error(), &out);
      co_return;
    }
    auto created = registry_->Create(*info, ns, std::move(obj).value(), dry_run);
    if (!created.ok()) {
      co_await im.SendError(req, w, created.error(), &out);
      co_return;
    }
    co_await im.SendObject(req, w, *info, **created, out, 201);
    co_return;
  }

  if (m == "PUT" && !collection) {
    if (!info->HasVerb("update")) {
      co_await im.SendError(req, w, MethodNotAllowed(), &out);
      co_return;
    }
    auto obj = decode_body();
    if (!obj.ok()) {
      co_await im.SendError(req, w, obj.error(), &out);
      co_return;
    }
    if (rp.subresource == "status") {
      // Only the status changes through /status: keep everything else of the current object.
      auto cur = registry_->Get(*info, ns, rp.name);
      if (!cur.ok()) {
        co_await im.SendError(req, w, cur.error(), &out);
        co_return;
      }
      std::string new_json, cur_json;
      (void)typed::AppendObjectJson(**obj, &new_json);
      (void)typed::AppendObjectJson(**cur, &cur_json);
      auto nv = api::ParseJson(new_json);
      auto cv = api::ParseJson(cur_json);
      if (nv.ok() && cv.ok()) {
        if (const api::Value* st = nv->Find("status")) cv->Set("status", *st);
        if (const api::Value* md = nv->Find("metadata")) {
          if (const api::Value* rv = md->Find("resourceVersion")) cv->Find("metadata")->Set("resourceVersion", *rv);
        }
        auto merged = typed::DecodeObject(im.scheme, *cv);
        if (merged.ok()) obj = std::move(merged).value();
      }
    }
    auto updated = registry_->Update(*info, ns, rp.name, std::move(obj).value(), dry_run);
    if (!updated.ok()) {
      co_await im.SendError(req, w, updated.error(), &out);
      co_return;
    }
    co_await im.SendObject(req, w, *info, **updated, out, 200);
    co_return;
  }

  if (m == "DELETE") {
    registry::DeleteOptions dopts;
    dopts.dry_run = dry_run;
    if (!req.body.empty()) {
      // DeleteOptions: preconditions (and propagationPolicy, which we do not need).
      auto v = api::ParseJson(req.body);
      if (v.ok() && v->is_object()) {
        if (const api::Value* pre = v->Find("preconditions"); pre && pre->is_object()) {
          if (const api::Value* uid = pre->Find("uid"); uid && uid->is_string()) dopts.precondition_uid = uid->as_string();
          if (const api::Value* rv = pre->Find("resourceVersion"); rv && rv->is_string()) {
            dopts.precondition_resource_version = rv->as_string();
          }
        }
        if (const api::Value* dr = v->Find("dryRun"); dr && dr->is_array() && !dr->as_array().empty()) {
          dopts.dry_run = true;
        }
      }
    }
    if (collection) {
      if (!info->HasVerb("deletecollection")) {
        co_await im.SendError(req, w, MethodNotAllowed(), &out);
        co_return;
      }
      registry::ListOptions lo;
      if (auto err = build_filter(&lo.filter)) {
        co_await im.SendError(req, w, *err, &out);
        co_return;
      }
      auto page = registry_->DeleteCollection(*info, ns, lo, dopts.dry_run);
      if (!page.ok()) {
        co_await im.SendError(req, w, page.error(), &out);
        co_return;
      }
      co_await im.SendList(req, w, *info, *page, out);
      co_return;
    }
    if (!info->HasVerb("delete")) {
      co_await im.SendError(req, w, MethodNotAllowed(), &out);
      co_return;
    }
    auto deleted = registry_->Delete(*info, ns, rp.name, dopts);
    if (!deleted.ok()) {
      co_await im.SendError(req, w, deleted.error(), &out);
      co_return;
    }
    if (deleted->object) {
      co_await im.SendObject(req, w, *info, *deleted->object, out, 200);
    } else {
      auto st = im.status_kind->New();
      *st->As<meta::Status>() = deleted->status;
      Output o = out;
      o.target = Output::Target::kNone;
      std::string body;
      (void)im.EncodeObject(*st, o, &body);
      co_await im.SendBody(req, w, 200, Impl::BaseHeaders(o.ContentType()), std::move(body));
    }
    co_return;
  }

  if (m == "PATCH" && !collection) {
    // kube serves PATCH; kstream does not implement it yet.
    co_await im.SendError(req, w, ApiError::MethodNotSupported(gr, "patch"), &out);
    co_return;
  }
  co_await im.SendError(req, w, MethodNotAllowed(), &out);
}

}  // namespace kstream::server
