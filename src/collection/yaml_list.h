// The streaming YAML encoder for lists (`application/yaml` LIST responses): typed *List
// kinds, unstructured lists, and anything else shaped as "one mapping, one big sequence"
// (a meta.k8s.io Table, whose sequence is `rows`).
//
// Output is byte-identical to the one-shot path for the whole document: api::AppendYaml of
// the document Value (typed: typed::AppendObjectYaml of the *List object), i.e.
// sigs.k8s.io/yaml.JSONToYAML of the document's JSON as kube-apiserver writes it. The
// document is a mapping whose keys come in go-yaml's order (encoding/yaml/key_order.h);
// exactly one key holds the sequence. The encoder writes the header keys that sort before
// the sequence key, then `<key>:` and each item as a block-sequence entry (go-yaml does
// not indent a sequence inside a mapping: `items:\n- a: 1\n  b: 2`), or `<key>: []` when
// there are no items, then the remaining header keys. Every item is emitted by the same
// Emitter (encoding/yaml/emitter.h) that the one-shot path uses, in the same state
// (indentation, column: long strings fold at the same place), so no text is re-indented.
//
// Pieces (PieceEncoder, one per EncodeNext()): the opening (everything up to and including
// `<key>:`, or `<key>: []`), one item per step, the closing (the remaining keys and the
// final line break). To know whether the sequence is empty the opening pulls the first
// item from the source (and keeps it for the next step; sources keep the pointer valid
// until their next Next()). The encoder holds at most one item's YAML (its buffer keeps the
// capacity of the largest piece) plus, for typed items, that item's JSON and Value.
//
// Items are api::Values (unstructured) or typed::Objects (built-in kinds): a typed item is
// turned into the Value its compact JSON parses to (TypedItemValueSource), exactly what the
// one-shot path does with the whole list; its own kind/apiVersion are left as they are
// (kube's list items carry none).
//
// Errors stop the encoder for good (PieceEncoder): from the source, from a header that is
// not a mapping, or from the YAML conversion (NaN/Inf, strings go-yaml cannot read back,
// over-long or multi-line keys, nesting deeper than 10000: see api/yaml.h). Bytes already
// written stay written (the caller aborts the response).
//
// Not thread-safe. The source and the sink must outlive the encoder; the header is copied.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/value.h"
#include "base/status.h"
#include "collection/item_source.h"
#include "collection/piece_encoder.h"
#include "collection/typed_list.h"
#include "encoding/yaml/emitter.h"

namespace kstream::collection {

// Serves each item of a typed source as the Value its compact JSON parses to (what
// typed::AppendObjectYaml converts an object to). The returned Value stays valid until the
// next Next(); it is owned by this adapter. Rewind() is passed through. Does not own
// `items`.
class TypedItemValueSource final : public ItemSource<api::Value> {
 public:
  explicit TypedItemValueSource(ItemSource<typed::Object>* items) : items_(items) {}
  Result<const api::Value*> Next() override;
  Status Rewind() override { return items_->Rewind(); }

 private:
  ItemSource<typed::Object>* items_;
  std::string json_;  // scratch: the current item's JSON
  api::Value value_;  // the current item
};

// The header of a typed list as the one-shot path sees it: {kind, apiVersion, metadata}
// (kind and apiVersion only when non-empty, metadata always, `{}` when the ListMeta is
// empty), as parsed from the list's JSON. Without `items`: the encoder adds it.
Result<api::Value> TypedListYamlHeader(const TypedListHeader& header);

class YamlListEncoder final : public PieceEncoder {
 public:
  // `header` is a mapping (an object Value, or null for none) with the document's other
  // keys; a member named `sequence_key` is ignored (the items replace it).
  // `sequence_key` is "items" for lists, "rows" for a Table.
  YamlListEncoder(api::Value header, std::string sequence_key, ItemSource<api::Value>* items);
  // Typed items (each converted as TypedItemValueSource does).
  YamlListEncoder(api::Value header, std::string sequence_key, ItemSource<typed::Object>* items);
  // The emitter writes into the base's buffer: neither copyable nor movable.
  YamlListEncoder(const YamlListEncoder&) = delete;
  YamlListEncoder& operator=(const YamlListEncoder&) = delete;

  // A typed list, as typed::AppendObjectYaml writes the *List object with non-nil items:
  // header from TypedListYamlHeader, sequence key "items".
  static Result<std::unique_ptr<YamlListEncoder>> ForTypedList(const TypedListHeader& header,
                                                               ItemSource<typed::Object>* items);

 private:
  Status EncodePiece(State* next) override;
  // The header's keys in go-yaml order, read back as go-yaml reads them; fills keys_,
  // values_ and sequence_index_.
  Status PrepareKeys();
  // Emits header keys [from, to) of the sorted order with their values.
  Status EmitHeaderKeys(size_t from, size_t to);

  api::Value header_;
  std::string sequence_key_;
  std::unique_ptr<TypedItemValueSource> typed_items_;  // set for typed sources
  ItemSource<api::Value>* items_;
  encoding::yaml::Emitter emitter_;
  const api::Value* pending_ = nullptr;  // the first item, pulled by the opening

  std::vector<std::string> keys_;           // sorted document keys (sequence key included)
  std::vector<const api::Value*> values_;   // their header values (nullptr: the sequence)
  size_t sequence_index_ = 0;               // position of the sequence key in keys_
};

}  // namespace kstream::collection
