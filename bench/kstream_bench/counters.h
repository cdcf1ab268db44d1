// Item counters: streaming decoders that count the items of a LIST response body without
// materialising it, so that kstream-bench can check every response of a 1 GB list
// completely while holding only a few bytes of state per client.
//
// A counter is fed the (de-chunked, inflated) body in slices of any size, split anywhere,
// then told that the body ended (Finish). It checks the structure it relies on and counts:
//   - JSON lists (`application/json`): a full structural JSON check (objects, arrays,
//     strings with escapes, numbers, literals, nesting), the top level an object, and the
//     elements of its top-level "items" array counted (for a Table: "rows"). The value of
//     top-level "metadata"."continue" is kept (paging). Keys are compared byte for byte as
//     sent (kube's encoders never escape the letters of "items" or "metadata").
//   - protobuf lists (`application/vnd.kubernetes.protobuf`): the "k8s\0" envelope
//     (runtime.Unknown: field 2 `raw` holds the list message), and inside `raw` the list
//     message's fields walked by their wire types: field 1 (ListMeta; its field 3 is the
//     continue token) and every field 2 (one item each, skipped by its length). Every
//     length is checked against the bytes that enclose it; a body that ends inside a field
//     fails, and so does one without the envelope's contentEncoding and contentType fields
//     (fields 3 and 4, which kube and kstream always write after raw).
//   - YAML lists (`application/yaml`), as go-yaml writes them: one block mapping at column
//     0; the top-level key "items" (Table: "rows") holds a block sequence whose entries
//     start at column 0 with "- " (go-yaml does not indent a sequence inside a mapping),
//     their continuation lines indented by at least two spaces, or `items: []`. (A line
//     starting with one of YAML 1.1's other line breaks, CR, NEL, U+2028 or U+2029, which
//     go-yaml writes raw inside scalars, continues a scalar.) Every line
//     that starts at column 0 is a top-level key or a sequence entry of the current key;
//     lines starting with a space are skipped (memchr to the line end), except under
//     top-level `metadata:`, where `  continue: <token>` is read. This relies on the items
//     being mappings (every API list item and Table row is): go-yaml indents all their
//     lines; a folded scalar item could continue at column 0 and is not supported. The
//     document must also have top-level `kind` and `metadata` keys (every list and Table
//     has), which for lists come after "items": a body cut short at a line boundary is
//     caught unless the cut falls inside the final metadata mapping (or, for a Table,
//     between rows: "rows" is its last key) - the HTTP framing catches those.
//
// Errors are final: after the first one, Feed() and Finish() return it again. Messages say
// what was wrong and at which byte offset of the (decoded) body.
//
// Not thread-safe: one counter per response.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kstream::bench {

// The four list representations kstream-bench can ask for.
enum class ListFormat { kJson, kProtobuf, kTable, kYaml };

// "json", "protobuf", "table", "yaml".
std::string_view ListFormatName(ListFormat f);
Result<ListFormat> ParseListFormat(std::string_view name);
// The Accept header that asks for `f`.
std::string_view AcceptHeader(ListFormat f);
// The media type (Content-Type without parameters) a server answers `f` with.
std::string_view ExpectedMediaType(ListFormat f);

class ItemCounter {
 public:
  virtual ~ItemCounter() = default;

  // Consumes the next bytes of the body.
  Status Feed(std::string_view bytes);
  // The body ended: fails unless the document is complete.
  Status Finish();

  // Items counted so far.
  uint64_t items() const { return items_; }
  // Body bytes fed so far.
  uint64_t bytes() const { return offset_; }
  // The list's metadata.continue ("" when absent); complete after Finish().
  const std::string& continue_token() const { return continue_; }

 protected:
  virtual Status FeedImpl(std::string_view bytes) = 0;
  virtual Status FinishImpl() = 0;
  // An error at the current offset: "<what> at byte <offset>".
  Status Malformed(std::string_view what, uint64_t at) const;

  uint64_t items_ = 0;
  uint64_t offset_ = 0;  // bytes fed before the current Feed() call
  std::string continue_;

 private:
  Status error_;
  bool finished_ = false;
};

// Counts the elements of the top-level array `array_key` ("items", or "rows" for a Table)
// of a JSON document. A `null` value counts as zero elements.
std::unique_ptr<ItemCounter> MakeJsonCounter(std::string array_key = "items");
// Counts the items of a protobuf list in the k8s envelope.
std::unique_ptr<ItemCounter> MakeProtobufCounter();
// Counts the entries of the top-level block sequence `sequence_key` of a go-yaml document.
std::unique_ptr<ItemCounter> MakeYamlCounter(std::string sequence_key = "items");
// The counter for a list format (Table: JSON "rows").
std::unique_ptr<ItemCounter> MakeItemCounter(ListFormat format);

// Streaming gzip inflation (one gzip member, as kube-apiserver writes it).
class GzipInflater {
 public:
  GzipInflater();
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // Inflates `in`, passing every decoded slice to `out` (which may fail the call). Bytes
  // after the end of the gzip stream are an error.
  template <class Out>
  Status Feed(std::string_view in, Out&& out) {
    while (true) {
      const size_t before = in.size();
      std::string_view decoded;
      KS_RETURN_IF_ERROR(Step(&in, &decoded));
      if (!decoded.empty()) KS_RETURN_IF_ERROR(out(decoded));
      if (in.empty() && !pending_output_) return Status::Ok();
      if (decoded.empty() && in.size() == before) return Status::Ok();  // needs more input
    }
  }
  // Fails unless the gzip stream ended (its trailer was read and checked).
  Status Finish() const;
  uint64_t decoded_bytes() const { return decoded_bytes_; }

 private:
  // Inflates some of *in (advancing it) into the output buffer; *decoded views it.
  Status Step(std::string_view* in, std::string_view* decoded);

  struct State;
  std::unique_ptr<State> state_;
  std::string out_;
  bool ended_ = false;
  bool pending_output_ = false;  // the last Step filled the output buffer: call again
  uint64_t decoded_bytes_ = 0;
  uint64_t consumed_ = 0;
};

}  // namespace kstream::bench
