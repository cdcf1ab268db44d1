// apiextensions/v1beta1 names for the hand-written union types (json_schema_common.h).
// Included by the generated apiextensions/v1beta1/types.h after its forward declarations.
#pragma once

#include "api/k8s/apiextensions/json_schema_common.h"

namespace kstream::k8s::apiextensions::v1beta1 {

struct JSONSchemaProps;

using JSON = ::kstream::k8s::apiextensions::JSON;
using JSONSchemaPropsOrBool = ::kstream::k8s::apiextensions::PropsOrBool<JSONSchemaProps>;
using JSONSchemaPropsOrArray = ::kstream::k8s::apiextensions::PropsOrArray<JSONSchemaProps>;
using JSONSchemaPropsOrStringArray =
    ::kstream::k8s::apiextensions::PropsOrStringArray<JSONSchemaProps>;

}  // namespace kstream::k8s::apiextensions::v1beta1
