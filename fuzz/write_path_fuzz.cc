// Fuzz target: the write path's algorithms on hostile documents never crash, hang or
// overflow the stack, and keep their contracts.
//
// Input layout: [mode byte] then a document and a second input separated by '\0':
//   mode % 6 == 0: JSON patch (the second input is the patch body) on the document;
//            1: merge patch; 2: strategic merge patch with the Deployment schema;
//            3: managedFields Update from the document to the second (Deployment schema);
//            4: server-side apply of the second onto the document (ConfigMap schema, or
//               none when the mode's high bit is set);
//            5: a CRD structural schema (the document) compiled, checked as a CRD schema,
//               and used to prune, default and validate the second.
// Properties: every call returns a value or an error; merge patch with an object patch
// gives an object; pruning is idempotent; a successful Update's result carries only
// managedFields the field manager can read back.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/crd/structural.h"
#include "api/fieldmanager/field_manager.h"
#include "api/json.h"
#include "api/openapi/definitions.h"
#include "api/patch/patch.h"
#include "fuzz_input.h"

namespace {

using kstream::api::Value;
namespace api = kstream::api;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "write_path_fuzz: %s\n", what);
    abort();
  }
}

api::SchemaNode Schema(const char* group, const char* version, const char* kind) {
  return api::BuiltinKindSchema(group, version, kind);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kstream::fuzz::FuzzInput in(data, size);
  uint8_t mode = in.Byte();
  std::string_view first = in.Piece('\0');
  std::string_view second = in.Rest();
  auto doc = api::ParseJson(first);
  if (!doc.ok()) return 0;
  api::fieldmanager::WriteContext ctx;
  ctx.manager = "fuzz";
  ctx.now = "2026-11-29T00:00:00Z";
  switch (mode % 6) {
    case 0:
      (void)api::patch::ApplyJsonPatch(*doc, second);
      break;
    case 1: {
      auto r = api::patch::ApplyMergePatch(*doc, second);
      auto p = api::ParseJson(second);
      if (r.ok() && p.ok() && p->is_object()) Check(r->is_object(), "merge patch of an object is an object");
      break;
    }
    case 2: {
      auto p = api::ParseJson(second);
      if (p.ok()) (void)api::patch::ApplyStrategicMergePatch(*doc, *p, Schema("apps", "v1", "Deployment"));
      break;
    }
    case 3: {
      auto updated = api::ParseJson(second);
      if (!updated.ok()) break;
      ctx.api_version = "apps/v1";
      auto r = api::fieldmanager::Update(*doc, *updated, Schema("apps", "v1", "Deployment"), ctx);
      if (r.ok() && r->is_object()) {
        const Value* md = r->Find("metadata");
        const Value* mf = md && md->is_object() ? md->Find("managedFields") : nullptr;
        if (mf != nullptr) Check(api::fieldmanager::ManagedFieldsJson(*mf).ok(), "managedFields read back");
      }
      break;
    }
    case 4: {
      auto config = api::ParseJson(second);
      if (!config.ok()) break;
      ctx.api_version = "v1";
      api::SchemaNode schema = (mode & 0x80) ? api::SchemaNode() : Schema("", "v1", "ConfigMap");
      (void)api::fieldmanager::Apply(*doc, *config, schema, ctx, (mode & 0x40) != 0);
      break;
    }
    case 5: {
      (void)api::crd::ValidateStructuralSchema(*doc, "spec.versions[0].schema.openAPIV3Schema");
      auto schema = api::crd::Schema::Compile(*doc);
      auto obj = api::ParseJson(second);
      if (!schema.ok() || !obj.ok()) break;
      Value once = *obj;
      (*schema)->Prune(&once);
      Value twice = once;
      (*schema)->Prune(&twice);
      Check(once == twice, "pruning is idempotent");
      (*schema)->Default(&once);
      (void)(*schema)->Validate(once);
      break;
    }
  }
  return 0;
}
