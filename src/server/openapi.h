// OpenApiV3: the /openapi/v3 documents (kube-openapi's handler3).
//
//   GET /openapi/v3              {"paths":{"api/v1":{"serverRelativeURL":
//                                  "/openapi/v3/api/v1?hash=<H>"}, "apis/apps/v1":...}}
//   GET /openapi/v3/api/v1       the group version's OpenAPI 3.0 document: its paths
//                                (operations with their query parameters, fieldValidation
//                                included, and x-kubernetes-group-version-kind / -action),
//                                and components.schemas with every schema they reach.
//
// H is the uppercase hex SHA-512 of the document's JSON, also its ETag; kube redirects a
// stale ?hash (301) and answers If-None-Match with 304. kubectl 1.33 reads the index, then
// the documents it needs: to learn that the server validates fields (a PATCH operation of
// the kind with a `fieldValidation` query parameter), for `explain`, and for the patch
// strategies of client-side apply.
//
// Documents for built-in resources come from BuildGroupVersionDocument (paths from the
// REST facts, schemas from api::BuiltinOpenApiDefinitions()); custom resources add their
// own documents with Set. Set and Remove swap in a new immutable snapshot, so readers
// never block writers and hold a document for as long as they need it.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/typed/resource.h"
#include "api/value.h"

namespace kstream::server {

struct OpenApiDocument {
  std::string json;  // the document
  std::string hash;  // uppercase hex SHA-512 of json (the ETag, without quotes)
};

// What a resource needs beyond its REST facts to appear in a document.
struct OpenApiResource {
  const typed::ResourceInfo* info = nullptr;
  // Definition names of the kind, its list kind, and each subresource's kind (by
  // subresource name); "" when unknown (the path is then left out).
  std::string kind_schema;
  std::string list_schema;
  std::map<std::string, std::string> subresource_schemas;
  // Patch content types the resource accepts (custom resources have no strategic merge).
  bool strategic_merge = true;
};

// The document of one group version. `path` is "api/v1" or "apis/<group>/<version>";
// `definitions` holds every schema the resources refer to (directly or through others).
// `extra` (optional) holds more definitions, looked up first (custom resources' schemas).
std::string BuildGroupVersionDocument(std::string_view path, const std::vector<OpenApiResource>& resources,
                                      const api::Value& definitions, std::string_view server_version,
                                      const api::Value* extra = nullptr);

// The definition names kube gives a custom resource's kind and list:
// "com.example.stable.v1.CronTab" for group stable.example.com, version v1.
std::string CustomResourceSchemaName(std::string_view group, std::string_view version, std::string_view kind);
// The definitions of a custom resource version: its kind (the CRD schema with apiVersion,
// kind and metadata added) and its list kind, keyed by CustomResourceSchemaName.
api::Value CustomResourceDefinitions(const typed::ResourceInfo& info, const api::Value& openapi_v3_schema);

// OpenApiResource entries of built-in resources (schemas from the generated definitions).
OpenApiResource BuiltinOpenApiResource(const typed::ResourceInfo& info);

class OpenApiV3 {
 public:
  OpenApiV3();
  // Replaces (or adds) the document at `path` ("apis/stable.example.com/v1").
  void Set(const std::string& path, std::string json);
  void Remove(const std::string& path);

  std::shared_ptr<const std::string> Index() const;
  // The document at `path`; nullptr when there is none.
  std::shared_ptr<const OpenApiDocument> Find(std::string_view path) const;

 private:
  struct Snapshot {
    std::map<std::string, std::shared_ptr<const OpenApiDocument>, std::less<>> docs;
    std::shared_ptr<const std::string> index;
  };
  void Publish(std::shared_ptr<Snapshot> next);

  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snap_;
};

// The uppercase hex SHA-512 of `data`.
std::string Sha512Hex(std::string_view data);

}  // namespace kstream::server
