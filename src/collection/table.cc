#include "collection/table.h"

#include <memory>

#include "api/json.h"

namespace kstream::collection {

namespace ej = encoding::json;
namespace mv1 = k8s::meta::v1;

namespace {

// Writes `{"kind":"Table","apiVersion":..,"metadata":..,"columnDefinitions":..` and, when
// `rows_key`, `,"rows":` (the writer is then positioned for the rows value).
void AppendTableHeader(typed::JsonWriter& w, const TablePrinter& printer,
                       const TableOptions& options, const mv1::ListMeta& list_meta,
                       bool rows_key) {
  using mv1::AppendJson;
  using typed::AppendJson;
  w.BeginObject();
  w.Key("\"kind\"");
  w.String("Table");
  if (!options.api_version.empty()) {
    w.Key("\"apiVersion\"");
    w.String(options.api_version);
  }
  w.Key("\"metadata\"");
  AppendJson(w, list_meta);
  w.Key("\"columnDefinitions\"");
  if (options.no_headers) {
    w.Null();
  } else {
    AppendJson(w, printer.columns());
  }
  if (rows_key) w.Key("\"rows\"");
}

// The row's `object` value.
void AppendRowObject(typed::JsonWriter& w, const typed::Object& obj, const TableOptions& options) {
  switch (options.include_object) {
    case IncludeObject::kNone:
      w.Null();
      return;
    case IncludeObject::kMetadata: {
      const mv1::ObjectMeta* meta = obj.object_meta();
      if (meta == nullptr) {
        w.Fail(InvalidArgument("object of kind " + std::string(obj.kind().kind) +
                               " has no metadata"));
        return;
      }
      using mv1::AppendJson;
      w.BeginObject();
      w.Key("\"kind\"");
      w.String("PartialObjectMetadata");
      if (!options.api_version.empty()) {
        w.Key("\"apiVersion\"");
        w.String(options.api_version);
      }
      w.Key("\"metadata\"");
      AppendJson(w, *meta);
      w.EndObject();
      return;
    }
    case IncludeObject::kObject: {
      // kube converts the object to the request's version, which sets its kind/apiVersion.
      const mv1::TypeMeta* tm = const_cast<typed::Object&>(obj).type_meta();
      if (tm == nullptr ||
          (tm->Kind == obj.kind().kind && tm->APIVersion == obj.kind().api_version())) {
        obj.AppendJson(w);
        return;
      }
      std::unique_ptr<typed::Object> copy = obj.Clone();
      copy->SetTypeMetaFromKind();
      copy->AppendJson(w);
      return;
    }
  }
  w.Fail(InvalidArgument("unknown includeObject mode"));
}

}  // namespace

Status AppendTableRowJson(const TablePrinter& printer, const typed::Object& obj,
                          const TableOptions& options, const mv1::Time& now, ej::Style style,
                          int depth, TableRowContent* row, std::string* out) {
  row->Clear();
  KS_RETURN_IF_ERROR(printer.PrintRow(obj, now, row));
  const size_t start = out->size();
  typed::JsonWriter w(out, style, depth);
  using mv1::AppendJson;
  using typed::AppendJson;
  w.BeginObject();
  w.Key("\"cells\"");
  AppendJson(w, row->cells);
  if (!row->conditions.empty()) {
    w.Key("\"conditions\"");
    AppendJson(w, row->conditions);
  }
  w.Key("\"object\"");
  AppendRowObject(w, obj, options);
  w.EndObject();
  if (!w.status().ok()) {
    out->resize(start);
    return w.status();
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// TableJsonEncoder

TableJsonEncoder::TableJsonEncoder(const TablePrinter* printer, const TableOptions* options,
                                   const mv1::ListMeta* list_meta, mv1::Time now,
                                   ItemSource<typed::Object>* items, ej::Style style)
    : printer_(printer),
      options_(options),
      list_meta_(list_meta),
      now_(now),
      items_(items),
      style_(style) {}

Status TableJsonEncoder::EncodePiece(State* next) {
  const bool indent = style_ == ej::Style::kIndent;
  if (state_ == State::kStart) {
    typed::JsonWriter w(&buf_, style_);
    AppendTableHeader(w, *printer_, *options_, *list_meta_, /*rows_key=*/true);
    KS_RETURN_IF_ERROR(w.status());
    // The rows value starts with the first row (its `[`), or is `null`/`[]` at the end.
    *next = State::kItems;
    return Status::Ok();
  }
  KS_ASSIGN_OR_RETURN(const typed::Object* item, items_->Next());
  if (item != nullptr) {
    buf_.push_back(items_written_ == 0 ? '[' : ',');
    if (indent) ej::AppendNewlineIndent(&buf_, 2);
    KS_RETURN_IF_ERROR(
        AppendTableRowJson(*printer_, *item, *options_, now_, style_, 2, &row_, &buf_));
    *next = State::kItems;
    return Status::Ok();
  }
  if (items_written_ > 0) {
    if (indent) ej::AppendNewlineIndent(&buf_, 1);
    buf_.push_back(']');
  } else {
    buf_.append(printer_->empty_rows_null() ? "null" : "[]");
  }
  buf_.append(indent ? "\n}" : "}\n");
  *next = State::kDone;
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// One object

Status AppendSingleObjectTable(const TablePrinter& printer, const typed::Object& obj,
                               const TableOptions& options, const mv1::Time& now,
                               std::string* out, ej::Style style) {
  const mv1::ObjectMeta* meta = obj.object_meta();
  mv1::ListMeta list_meta;
  if (meta != nullptr) list_meta.ResourceVersion = meta->ResourceVersion;
  const size_t start = out->size();
  typed::JsonWriter w(out, style);
  AppendTableHeader(w, printer, options, list_meta, /*rows_key=*/true);
  w.BeginArray();
  w.Element();
  Status s = w.status();
  if (s.ok()) {
    TableRowContent row;
    s = AppendTableRowJson(printer, obj, options, now, style, w.depth(), &row, out);
  }
  if (!s.ok()) {
    out->resize(start);
    return s;
  }
  w.EndArray();
  w.EndObject();
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Values (YAML)

Result<api::Value> TableHeaderValue(const TablePrinter& printer, const TableOptions& options,
                                    const mv1::ListMeta& list_meta) {
  std::string json;
  typed::JsonWriter w(&json, ej::Style::kCompact);
  AppendTableHeader(w, printer, options, list_meta, /*rows_key=*/false);
  w.EndObject();
  KS_RETURN_IF_ERROR(w.status());
  return api::ParseJson(json);
}

Result<api::Value> TableRowValue(const TablePrinter& printer, const typed::Object& obj,
                                 const TableOptions& options, const mv1::Time& now) {
  std::string json;
  TableRowContent row;
  KS_RETURN_IF_ERROR(
      AppendTableRowJson(printer, obj, options, now, ej::Style::kCompact, 0, &row, &json));
  return api::ParseJson(json);
}

Result<const api::Value*> TableRowValueSource::Next() {
  KS_ASSIGN_OR_RETURN(const typed::Object* item, items_->Next());
  if (item == nullptr) return static_cast<const api::Value*>(nullptr);
  KS_ASSIGN_OR_RETURN(value_, TableRowValue(*printer_, *item, *options_, now_));
  return &value_;
}

}  // namespace kstream::collection
