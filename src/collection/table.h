// Server-side Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), the
// form kubectl 1.33 asks for on `kubectl get` (../shared/spec/k8s-api-facts.md §1.6, §9).
//
// A TablePrinter is kube's TableConvertor for one resource: its column definitions and a
// function that computes the cells (and row conditions) of one object. The printers of
// the built-in resources live in registry/printers.h; this header only knows the
// interface, so the collection layer does not depend on the registry.
//
// TableJsonEncoder streams a LIST as a metav1.Table, byte-identical to json.Marshal (or
// MarshalIndent) of the Table kube-apiserver builds and encodes in one go:
//
//   {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":<ListMeta>,
//    "columnDefinitions":[...],"rows":[{"cells":[...],"conditions":[...],"object":...},...]}
//
// followed by "\n" in the compact style (none in the indented style, as TypedListJsonEncoder).
//   - metadata: resourceVersion, continue, remainingItemCount of the list (kube copies
//     them from the list in GenerateTable / the default convertor).
//   - columnDefinitions: all columns, priority > 0 included (the server always prints
//     wide); `null` when TableOptions.no_headers.
//   - rows: `[]` for an empty list from a printer (printXList makes a non-nil slice), but
//     `null` for an empty list from kube's default convertor (rest/table.go appends to a
//     nil slice): TablePrinter::empty_rows_null().
//   - row `conditions` only when non-empty (omitempty); row `object` (a RawExtension whose
//     Object is set: json.Marshal of that object):
//       IncludeObject::kNone     -> `null`;
//       IncludeObject::kMetadata -> {"kind":"PartialObjectMetadata","apiVersion":<table's>,
//                                    "metadata":<the object's full ObjectMeta>} (default);
//       IncludeObject::kObject   -> the whole object with its kind/apiVersion set.
//
// Pieces (PieceEncoder): the opening up to `"rows":`, one row per step, the closing. The
// encoder holds one encoded row at a time; a kObject row of an object whose TypeMeta is not
// already set costs one clone of that object.
//
// Watch: kube encodes each watch event's object as a Table with one row
// (AppendSingleObjectTable); only the first event of a watch carries columnDefinitions,
// the later ones have `"columnDefinitions":null` (TableOptions.no_headers = true). A
// single-object Table's metadata is {resourceVersion: the object's resourceVersion}
// (GenerateTable falls back to the object's accessor). The same function serves a GET of
// one object as a Table.
//
// YAML: TableHeaderValue / TableRowValue give the same document as api::Values (what the
// JSON parses to) for the generic YAML list encoder; TableRowValueSource adapts a typed
// item source to row Values.
//
// Not thread-safe. Printers are immutable and may be shared. The printer, options, header,
// source and sink must outlive an encoder.
#pragma once

#include <string>
#include <string_view>

#include "api/k8s/meta/v1/time.h"
#include "api/k8s/meta/v1/types.h"
#include "api/typed/object.h"
#include "api/value.h"
#include "base/status.h"
#include "collection/item_source.h"
#include "collection/piece_encoder.h"
#include "encoding/json/encode.h"

namespace kstream::collection {

// The computed content of one row.
struct TableRowContent {
  typed::Slice<api::Value> cells;  // strings, int64s, bools, ... (JSON values)
  typed::Slice<k8s::meta::v1::TableRowCondition> conditions;  // usually empty

  void Clear() {
    cells.clear();
    cells.set_non_nil();
    conditions.set_nil();
  }
};

// kube's TableConvertor of one resource.
class TablePrinter {
 public:
  virtual ~TablePrinter() = default;

  // Every column, in order (priority > 0 included). Non-nil.
  virtual const typed::Slice<k8s::meta::v1::TableColumnDefinition>& columns() const = 0;

  // The row of `obj` (cleared first), with ages relative to `now`. Fails when `obj` is not
  // of a kind this printer knows (or has no ObjectMeta).
  virtual Status PrintRow(const typed::Object& obj, const k8s::meta::v1::Time& now,
                          TableRowContent* row) const = 0;

  // Whether an empty list gives `"rows":null` (kube's default convertor) rather than `[]`.
  virtual bool empty_rows_null() const { return false; }
};

enum class IncludeObject { kNone, kMetadata, kObject };

struct TableOptions {
  IncludeObject include_object = IncludeObject::kMetadata;
  bool no_headers = false;
  // The Table's apiVersion, also PartialObjectMetadata's: "meta.k8s.io/v1" or
  // "meta.k8s.io/v1beta1" (the `v=` of the Accept header).
  std::string api_version = "meta.k8s.io/v1";
};

// Streams a LIST as a Table (see the top of this file).
class TableJsonEncoder final : public PieceEncoder {
 public:
  TableJsonEncoder(const TablePrinter* printer, const TableOptions* options,
                   const k8s::meta::v1::ListMeta* list_meta, k8s::meta::v1::Time now,
                   ItemSource<typed::Object>* items,
                   encoding::json::Style style = encoding::json::Style::kCompact);

 private:
  Status EncodePiece(State* next) override;

  const TablePrinter* printer_;
  const TableOptions* options_;
  const k8s::meta::v1::ListMeta* list_meta_;
  k8s::meta::v1::Time now_;
  ItemSource<typed::Object>* items_;
  encoding::json::Style style_;
  TableRowContent row_;  // scratch
};

// Appends one object as a Table with one row (watch events, GET), without a trailing
// newline. Headers unless options.no_headers. On error *out is left as it was.
Status AppendSingleObjectTable(const TablePrinter& printer, const typed::Object& obj,
                               const TableOptions& options, const k8s::meta::v1::Time& now,
                               std::string* out,
                               encoding::json::Style style = encoding::json::Style::kCompact);

// Appends one row `{"cells":..,"conditions":..,"object":..}` as a value nested `depth`
// levels deep (for the indented style); `row` is scratch.
Status AppendTableRowJson(const TablePrinter& printer, const typed::Object& obj,
                          const TableOptions& options, const k8s::meta::v1::Time& now,
                          encoding::json::Style style, int depth, TableRowContent* row,
                          std::string* out);

// The Table document without `rows`, as a Value: {kind, apiVersion, metadata,
// columnDefinitions} (`columnDefinitions` null when options.no_headers). The rows key is
// for the caller to add: a sequence of TableRowValue()s, or null when the list is empty
// and printer.empty_rows_null().
Result<api::Value> TableHeaderValue(const TablePrinter& printer, const TableOptions& options,
                                    const k8s::meta::v1::ListMeta& list_meta);

// One row as a Value: {cells, conditions (when any), object}.
Result<api::Value> TableRowValue(const TablePrinter& printer, const typed::Object& obj,
                                 const TableOptions& options, const k8s::meta::v1::Time& now);

// Serves each typed item as its TableRowValue (valid until the next Next()). Rewind() is
// passed through. Does not own anything.
class TableRowValueSource final : public ItemSource<api::Value> {
 public:
  TableRowValueSource(const TablePrinter* printer, const TableOptions* options,
                      k8s::meta::v1::Time now, ItemSource<typed::Object>* items)
      : printer_(printer), options_(options), now_(now), items_(items) {}
  Result<const api::Value*> Next() override;
  Status Rewind() override { return items_->Rewind(); }

 private:
  const TablePrinter* printer_;
  const TableOptions* options_;
  k8s::meta::v1::Time now_;
  ItemSource<typed::Object>* items_;
  api::Value value_;
};

}  // namespace kstream::collection
