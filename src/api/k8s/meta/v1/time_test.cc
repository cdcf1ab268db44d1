// Time, MicroTime, Duration and FieldsV1 against Go's bytes. Expected values come from Go:
// PROTOBUF-RULES.md §6 examples, the upstream fixtures, Go's own time-package test tables
// (ported as data), and kube's typed decoder run through kubectl 1.33 (`kubectl set
// selector --local -f ...`, recorded here; kubectl_oracle_test.cc re-runs it live).
#include "api/k8s/meta/v1/time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.h"
#include "testing/hex.h"

namespace kstream::k8s::meta::v1 {
namespace {

using ::kstream::testing::Hex;
using ::kstream::testing::Unhex;

using encoding::json::Style;

template <class T>
std::string Json(const T& v, Style style = Style::kCompact) {
  std::string out;
  ::kstream::Status s = typed::EncodeJson(v, &out, style);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

template <class T>
::kstream::Status JsonError(const T& v) {
  std::string out;
  ::kstream::Status s = typed::EncodeJson(v, &out);
  EXPECT_TRUE(out.empty());
  return s;
}

template <class T>
::kstream::Status FromJson(std::string_view json, T* out) {
  Result<api::Value> v = api::ParseJson(json);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  typed::DecodeContext ctx;
  return DecodeJson(*v, out, ctx);
}

// ---------------------------------------------------------------------------------------
// Time: JSON

TEST(TimeTest, ZeroIsGoZeroTime) {
  Time t;
  EXPECT_TRUE(t.IsZero());
  EXPECT_EQ(t.unix_seconds(), -62135596800);
  EXPECT_EQ(t.nanos(), 0);
  EXPECT_EQ(t.FormatRfc3339(), "0001-01-01T00:00:00Z");
  EXPECT_EQ(Json(t), "null");
  // The Unix epoch is not zero, nor is a zero-second time with nanoseconds.
  EXPECT_FALSE(Time::FromUnix(0).IsZero());
  EXPECT_FALSE(Time::FromUnix(-62135596800, 1).IsZero());
  EXPECT_TRUE(Time::FromUtc(1, 1, 1).IsZero());
}

TEST(TimeTest, JsonIsUtcWithWholeSeconds) {
  EXPECT_EQ(Json(Time::FromUnix(1199149261)), "\"2008-01-01T01:01:01Z\"");
  EXPECT_EQ(Json(Time::FromUnix(1199149261, 999999999)), "\"2008-01-01T01:01:01Z\"");
  EXPECT_EQ(Json(Time::FromUnix(0)), "\"1970-01-01T00:00:00Z\"");
  EXPECT_EQ(Json(Time::FromUnix(-1, 500000000)), "\"1969-12-31T23:59:59Z\"");
  EXPECT_EQ(Json(Time::FromUtc(2008, 1, 1, 1, 1, 1)), "\"2008-01-01T01:01:01Z\"");
  // Inside an indented document it is a plain string.
  EXPECT_EQ(Json(typed::Slice<Time>{Time::FromUnix(0), Time()}, Style::kIndent),
            "[\n  \"1970-01-01T00:00:00Z\",\n  null\n]");
}

TEST(TimeTest, YearsOutsideFourDigitsFormatAsGo) {
  // Go's appendInt(year, 4): zero-padded to 4, more digits when needed, '-' for BC.
  EXPECT_EQ(Time::FromUtc(0, 1, 1).FormatRfc3339(), "0000-01-01T00:00:00Z");
  EXPECT_EQ(Time::FromUtc(10000, 1, 2, 0, 59, 59).FormatRfc3339(), "10000-01-02T00:59:59Z");
  EXPECT_EQ(Time::FromUtc(-1, 12, 31, 23, 59, 59).FormatRfc3339(), "-0001-12-31T23:59:59Z");
  EXPECT_EQ(Time::FromUtc(-1, 12, 31).unix_seconds() + 86400, Time::FromUtc(0, 1, 1).unix_seconds());
}

TEST(TimeTest, FromUtcNormalisesLikeGoDate) {
  EXPECT_EQ(Time::FromUtc(2007, 13, 1), Time::FromUtc(2008, 1, 1));
  EXPECT_EQ(Time::FromUtc(2008, 2, 30), Time::FromUtc(2008, 3, 1));
  EXPECT_EQ(Time::FromUtc(2008, 1, 1, 0, 0, -1), Time::FromUtc(2007, 12, 31, 23, 59, 59));
  EXPECT_EQ(Time::FromUtc(2008, 1, 1, 0, 0, 0, -1), Time::FromUnix(1199145600 - 1, 999999999));
  EXPECT_EQ(Time::FromUtc(2008, 0, 1), Time::FromUtc(2007, 12, 1));
}

TEST(TimeTest, FromUnixNormalisesNanosLikeGoUnix) {
  EXPECT_EQ(Time::FromUnix(10, 1500000000), Time::FromUnix(11, 500000000));
  EXPECT_EQ(Time::FromUnix(10, -1), Time::FromUnix(9, 999999999));
  EXPECT_EQ(Time::FromUnix(10, -1000000000), Time::FromUnix(9, 0));
  EXPECT_EQ(Time::FromUnix(0, -1).unix_seconds(), -1);
  EXPECT_EQ(Time::FromUnix(0, -1).nanos(), 999999999);
}

TEST(TimeTest, Comparison) {
  Time a = Time::FromUnix(100, 5);
  Time b = Time::FromUnix(100, 6);
  EXPECT_LT(a, b);
  EXPECT_LT(Time(), Time::FromUnix(0));
  EXPECT_EQ(a, Time::FromUnix(99, 1000000005));
  EXPECT_NE(a, b);
  EXPECT_EQ(a.Rfc3339Copy(), Time::FromUnix(100));
}

TEST(TimeTest, NowIsRecentAndNonZero) {
  Time t = Time::Now();
  EXPECT_FALSE(t.IsZero());
  EXPECT_GT(t.unix_seconds(), 1700000000);  // after 2023-11
  EXPECT_GE(t.nanos(), 0);
  EXPECT_LT(t.nanos(), 1000000000);
}

// ---------------------------------------------------------------------------------------
// Time: RFC 3339 parsing (time.Parse(time.RFC3339, s)). Expected JSON from Go (kubectl).

struct ParseCase {
  std::string_view in;
  std::string_view json;  // the re-encoded JSON value ("" if an error is expected)
  int32_t nanos;          // kept in memory
};

TEST(TimeParseTest, AcceptedFormsAsGo) {
  const ParseCase cases[] = {
      {"2008-01-01T01:01:01Z", "\"2008-01-01T01:01:01Z\"", 0},
      {"2008-01-01T01:01:01.999999999Z", "\"2008-01-01T01:01:01Z\"", 999999999},
      {"2008-01-01T01:01:01.123456789123Z", "\"2008-01-01T01:01:01Z\"", 123456789},
      {"2008-01-01T01:01:01.5+01:30", "\"2007-12-31T23:31:01Z\"", 500000000},
      {"2008-01-01T01:01:01,5Z", "\"2008-01-01T01:01:01Z\"", 500000000},  // comma separator
      {"2008-01-01T1:01:01Z", "\"2008-01-01T01:01:01Z\"", 0},  // a one-digit hour is allowed
      {"2008-01-01T01:01:01+24:00", "\"2007-12-31T01:01:01Z\"", 0},
      {"2008-01-01T01:01:01+24:60", "\"2007-12-31T00:01:01Z\"", 0},
      {"2008-01-01T00:00:00-24:00", "\"2008-01-02T00:00:00Z\"", 0},
      {"2008-01-01T01:01:01-00:00", "\"2008-01-01T01:01:01Z\"", 0},
      {"2008-02-29T00:00:00Z", "\"2008-02-29T00:00:00Z\"", 0},
      {"2000-02-29T12:00:00Z", "\"2000-02-29T12:00:00Z\"", 0},
      {"0000-02-29T00:00:00Z", "\"0000-02-29T00:00:00Z\"", 0},
      {"2100-02-28T23:59:59-01:00", "\"2100-03-01T00:59:59Z\"", 0},
      {"0001-01-01T00:00:00Z", "null", 0},  // Go's zero time: written as null
      {"0000-01-01T00:00:00Z", "\"0000-01-01T00:00:00Z\"", 0},
      {"1970-01-01T00:00:00Z", "\"1970-01-01T00:00:00Z\"", 0},
      {"1969-12-31T23:59:59Z", "\"1969-12-31T23:59:59Z\"", 0},
      {"1969-12-31T23:59:59.5Z", "\"1969-12-31T23:59:59Z\"", 500000000},
      {"9999-12-31T23:59:59Z", "\"9999-12-31T23:59:59Z\"", 0},
      {"9999-12-31T23:59:59+00:01", "\"9999-12-31T23:58:59Z\"", 0},
      {"9999-12-31T23:59:59-24:60", "\"10000-01-02T00:59:59Z\"", 0},
      {"2008-01-01T00:00:00.5+01:00", "\"2007-12-31T23:00:00Z\"", 500000000},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.in);
    Result<Time> t = Time::ParseRfc3339(c.in);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(Json(*t), c.json);
    EXPECT_EQ(t->nanos(), c.nanos);
    // The same through the JSON decoder.
    Time d = Time::FromUnix(5);
    ASSERT_TRUE(FromJson("\"" + std::string(c.in) + "\"", &d).ok());
    EXPECT_EQ(d, *t);
  }
  EXPECT_EQ(Time::ParseRfc3339("2008-01-01T01:01:01Z")->unix_seconds(), 1199149261);
}

TEST(TimeParseTest, ErrorsAsGo) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"2008-01-01T01:01:01+25:00",
       "parsing time \"2008-01-01T01:01:01+25:00\": time zone offset hour out of range"},
      {"2008-01-01T00:00:00+00:61",
       "parsing time \"2008-01-01T00:00:00+00:61\": time zone offset minute out of range"},
      {"2008-01-01T00:00:00+25:61",
       "parsing time \"2008-01-01T00:00:00+25:61\": time zone offset minute out of range"},
      {"2007-02-29T00:00:00Z", "parsing time \"2007-02-29T00:00:00Z\": day out of range"},
      {"1900-02-29T12:00:00Z", "parsing time \"1900-02-29T12:00:00Z\": day out of range"},
      {"2008-04-31T00:00:00Z", "parsing time \"2008-04-31T00:00:00Z\": day out of range"},
      {"2008-01-32T00:00:00Z", "parsing time \"2008-01-32T00:00:00Z\": day out of range"},
      {"2008-01-00T00:00:00Z", "parsing time \"2008-01-00T00:00:00Z\": day out of range"},
      {"2008-13-01T00:00:00Z", "parsing time \"2008-13-01T00:00:00Z\": month out of range"},
      {"2008-00-01T00:00:00Z", "parsing time \"2008-00-01T00:00:00Z\": month out of range"},
      {"2008-01-01T24:00:00Z", "parsing time \"2008-01-01T24:00:00Z\": hour out of range"},
      // The hour is checked before the day.
      {"2008-02-30T99:00:00Z", "parsing time \"2008-02-30T99:00:00Z\": hour out of range"},
      {"2008-01-01T00:60:00Z", "parsing time \"2008-01-01T00:60:00Z\": minute out of range"},
      {"2008-01-01T00:00:60Z", "parsing time \"2008-01-01T00:00:60Z\": second out of range"},
      {"2008-01-01",
       "parsing time \"2008-01-01\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\""},
      {"2008-01-01T00:00:00",
       "parsing time \"2008-01-01T00:00:00\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" "
       "as \"Z07:00\""},
      {"2008-01-01T00:00:00z",
       "parsing time \"2008-01-01T00:00:00z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"z\" "
       "as \"Z07:00\""},
      {"2008-01-01T00:00:00Zx", "parsing time \"2008-01-01T00:00:00Zx\": extra text: \"x\""},
      {"2008-01-01T00:00:00ZZ", "parsing time \"2008-01-01T00:00:00ZZ\": extra text: \"Z\""},
      {"2008-01-01T00:00:00+01:00:00",
       "parsing time \"2008-01-01T00:00:00+01:00:00\": extra text: \":00\""},
      {"x", "parsing time \"x\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"x\" as \"2006\""},
      {"", "parsing time \"\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"2006\""},
      {"2008-01-01T00:00:00.Z",
       "parsing time \"2008-01-01T00:00:00.Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\".Z\" as \"Z07:00\""},
      {"2008-01-01T01:01:01,Z",
       "parsing time \"2008-01-01T01:01:01,Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\",Z\" as \"Z07:00\""},
      {"2008-01-01T01:01:01.1.2Z",
       "parsing time \"2008-01-01T01:01:01.1.2Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\".2Z\" as \"Z07:00\""},
      {"2008-01-01T00:00:00+0100",
       "parsing time \"2008-01-01T00:00:00+0100\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"+0100\" as \"Z07:00\""},
      {"2008-01-01T00:00:00.-5Z",
       "parsing time \"2008-01-01T00:00:00.-5Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\".-5Z\" as \"Z07:00\""},
      {"2008-01-01t00:00:00Z",
       "parsing time \"2008-01-01t00:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"t00:00:00Z\" as \"T\""},
      {"2008-01-01T00:00:00+01:5x",
       "parsing time \"2008-01-01T00:00:00+01:5x\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"+01:5x\" as \"Z07:00\""},
      {"2008-01-01T00:00:00*01:00",
       "parsing time \"2008-01-01T00:00:00*01:00\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"*01:00\" as \"Z07:00\""},
      {"2008-01-01T00:00:00+1:00",
       "parsing time \"2008-01-01T00:00:00+1:00\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"+1:00\" as \"Z07:00\""},
      {"2008-01-01 00:00:00Z",
       "parsing time \"2008-01-01 00:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \" "
       "00:00:00Z\" as \"T\""},
      {"08-01-01T00:00:00Z",
       "parsing time \"08-01-01T00:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"08-01-01T00:00:00Z\" as \"2006\""},
      {"-008-01-01T00:00:00Z",
       "parsing time \"-008-01-01T00:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"-008-01-01T00:00:00Z\" as \"2006\""},
      {"20080-01-01T00:00:00Z",
       "parsing time \"20080-01-01T00:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"0-01-01T00:00:00Z\" as \"-\""},
      {"2008-1-01T00:00:00Z",
       "parsing time \"2008-1-01T00:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"1-01T00:00:00Z\" as \"01\""},
      {"2008-01-1T00:00:00Z",
       "parsing time \"2008-01-1T00:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"1T00:00:00Z\" as \"02\""},
      {"2008-01-01T00:0:00Z",
       "parsing time \"2008-01-01T00:0:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"0:00Z\" as \"04\""},
      {"2008-01-01T00:00:0Z",
       "parsing time \"2008-01-01T00:00:0Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"0Z\" as \"05\""},
      {"2008-01-01T123:00:00Z",
       "parsing time \"2008-01-01T123:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"3:00:00Z\" as \":\""},
      // Go's issue 4493 examples (format_test.go).
      {"2006-01-02T15:04:05Z07:00", "parsing time \"2006-01-02T15:04:05Z07:00\": extra text: \"07:00\""},
      {"2006-01-02T15:04_abc",
       "parsing time \"2006-01-02T15:04_abc\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"_abc\" as \":\""},
      {"2006-01-02T15:04:05_abc",
       "parsing time \"2006-01-02T15:04:05_abc\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
       "\"_abc\" as \"Z07:00\""},
      {"2010-02-04T21:00:67.012345678-08:00",
       "parsing time \"2010-02-04T21:00:67.012345678-08:00\": second out of range"},
      // Quoting: `"` and `\` escaped, control and non-ASCII bytes as \x.
      {"a\"b", "parsing time \"a\\\"b\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"a\\\"b\" as \"2006\""},
      {"\t", "parsing time \"\\x09\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\\x09\" as \"2006\""},
      {"\xe6\x97\xa5\xe6\x9c\xac",
       "parsing time \"\\xe6\\x97\\xa5\\xe6\\x9c\\xac\" as \"2006-01-02T15:04:05Z07:00\": cannot "
       "parse \"\\xe6\\x97\\xa5\\xe6\\x9c\\xac\" as \"2006\""},
  };
  for (const auto& [in, want] : cases) {
    SCOPED_TRACE(in);
    Result<Time> t = Time::ParseRfc3339(in);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().message(), want);
  }
}

TEST(TimeParseTest, GoQuoteOfInvalidUtf8AndReplacementChar) {
  // Go's time quote(): invalid bytes one by one, a real U+FFFD as its three bytes.
  EXPECT_EQ(internal::GoTimeQuote("\x85\x85"), "\"\\x85\\x85\"");
  EXPECT_EQ(internal::GoTimeQuote("\xff" "f"), "\"\\xfff\"");
  EXPECT_EQ(internal::GoTimeQuote("\xef\xbf\xbd"), "\"\\xef\\xbf\\xbd\"");
  EXPECT_EQ(internal::GoTimeQuote("a\\b\x7f"), "\"a\\\\b\x7f\"");
}

// ---------------------------------------------------------------------------------------
// Time: JSON decoding (metav1.Time.UnmarshalJSON)

TEST(TimeJsonDecodeTest, NullIsZero) {
  Time t = Time::FromUnix(5);
  ASSERT_TRUE(FromJson("null", &t).ok());
  EXPECT_TRUE(t.IsZero());
}

TEST(TimeJsonDecodeTest, NonStringsFailAsJsonUnmarshalIntoString) {
  // From kubectl: "json: cannot unmarshal number into Go struct field
  // ObjectMeta.metadata.creationTimestamp of type string".
  Result<api::Value> v = api::ParseJson("5");
  typed::DecodeContext ctx;
  ctx.PushKey("metadata");
  std::string_view prev = ctx.EnterStruct("ObjectMeta");
  ctx.PushKey("creationTimestamp");
  Time t;
  ::kstream::Status s = DecodeJson(*v, &t, ctx);
  EXPECT_EQ(s.message(),
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp "
            "of type string");
  const std::pair<std::string_view, std::string_view> others[] = {
      {"true", "bool"}, {"{}", "object"}, {"[]", "array"}};
  for (const auto& [json, kind] : others) {
    s = DecodeJson(*api::ParseJson(json), &t, ctx);
    EXPECT_EQ(s.message(), "json: cannot unmarshal " + std::string(kind) +
                               " into Go struct field ObjectMeta.metadata.creationTimestamp of type "
                               "string");
  }
  ctx.LeaveStruct(prev);
  // Parse errors are returned as they are, without context.
  s = DecodeJson(api::Value("nope"), &t, ctx);
  EXPECT_EQ(s.message(),
            "parsing time \"nope\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"nope\" as \"2006\"");
  // A JSON string "null" is not null.
  EXPECT_FALSE(FromJson("\"null\"", &t).ok());
}

TEST(TimeJsonDecodeTest, RoundTripDropsFraction) {
  Time t;
  ASSERT_TRUE(FromJson("\"2008-01-01T01:01:01.75-02:00\"", &t).ok());
  EXPECT_EQ(t.nanos(), 750000000);
  EXPECT_EQ(Json(t), "\"2008-01-01T03:01:01Z\"");
  Time back;
  ASSERT_TRUE(FromJson(Json(t), &back).ok());
  EXPECT_EQ(back, t.Rfc3339Copy());
}

// ---------------------------------------------------------------------------------------
// Time: protobuf (time_proto.go)

TEST(TimeProtoTest, RulesExample) {
  Time t = *Time::ParseRfc3339("2008-01-01T01:01:01Z");
  EXPECT_EQ(Hex(typed::EncodeProto(t)), "08 cd a1 e6 bb 04 10 00");
  EXPECT_EQ(ProtoSize(t), 8u);
  // Nanoseconds are never written.
  EXPECT_EQ(Hex(typed::EncodeProto(Time::FromUnix(1199149261, 123456789))),
            "08 cd a1 e6 bb 04 10 00");
}

TEST(TimeProtoTest, ZeroIsEmptyBodyAndEpochIsNot) {
  EXPECT_EQ(ProtoSize(Time()), 0u);
  EXPECT_EQ(typed::EncodeProto(Time()), "");
  EXPECT_EQ(Hex(typed::EncodeProto(Time::FromUnix(0))), "08 00 10 00");
  // Negative seconds are sign-extended varints.
  EXPECT_EQ(Hex(typed::EncodeProto(Time::FromUnix(-1))),
            "08 ff ff ff ff ff ff ff ff ff 01 10 00");
  // As a message field (ObjectMeta.creationTimestamp is field 8): `42 00` when zero.
  std::string field(typed::MessageFieldSize(8, Time()), '\0');
  typed::WriteMessageField(8, Time(), reinterpret_cast<uint8_t*>(field.data()) + field.size());
  EXPECT_EQ(Hex(field), "42 00");
}

TEST(TimeProtoTest, Decode) {
  Time t = Time::FromUnix(7);
  ASSERT_TRUE(DecodeProto(Unhex("08 cd a1 e6 bb 04 10 00"), &t).ok());
  EXPECT_EQ(t, Time::FromUnix(1199149261));
  // Empty body: the zero time.
  ASSERT_TRUE(DecodeProto("", &t).ok());
  EXPECT_TRUE(t.IsZero());
  // Nanos are ignored (time.Unix(p.Seconds, 0)).
  ASSERT_TRUE(DecodeProto(Unhex("08 cd a1 e6 bb 04 10 80 94 ef 3a"), &t).ok());
  EXPECT_EQ(t, Time::FromUnix(1199149261));
  // A non-empty body without seconds is the Unix epoch, not the zero time.
  ASSERT_TRUE(DecodeProto(Unhex("10 05"), &t).ok());
  EXPECT_EQ(t, Time::FromUnix(0));
  EXPECT_FALSE(t.IsZero());
  // Seconds of the zero time decode to the zero time.
  t = Time::FromUnix(1);
  ASSERT_TRUE(DecodeProto(typed::EncodeProto(Time::FromUnix(1)), &t).ok());
  std::string zero_secs = Unhex("08 80 92 b8 c3 98 fe ff ff ff 01");  // -62135596800
  ASSERT_TRUE(DecodeProto(zero_secs, &t).ok());
  EXPECT_TRUE(t.IsZero());
  // Unknown fields are skipped.
  ASSERT_TRUE(DecodeProto(Unhex("08 01 1a 02 61 62 20 07"), &t).ok());
  EXPECT_EQ(t, Time::FromUnix(1));
}

TEST(TimeProtoTest, DecodeErrors) {
  Time t;
  EXPECT_EQ(DecodeProto(Unhex("0a 00"), &t).message(), "proto: wrong wireType = 2 for field Seconds");
  EXPECT_EQ(DecodeProto(Unhex("12 00"), &t).message(), "proto: wrong wireType = 2 for field Nanos");
  EXPECT_FALSE(DecodeProto(Unhex("08"), &t).ok());
  EXPECT_FALSE(DecodeProto(Unhex("08 80"), &t).ok());
}

TEST(TimeProtoTest, RoundTrip) {
  for (int64_t sec : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1199149261},
                      int64_t{253402300799}, int64_t{-62135596799}}) {
    Time t = Time::FromUnix(sec, 42);
    Time back;
    ASSERT_TRUE(DecodeProto(typed::EncodeProto(t), &back).ok());
    EXPECT_EQ(back, t.Rfc3339Copy());
  }
}

// ---------------------------------------------------------------------------------------
// MicroTime

TEST(MicroTimeTest, Json) {
  EXPECT_EQ(Json(MicroTime()), "null");
  EXPECT_EQ(Json(MicroTime::FromUnix(1199149261, 123456000)), "\"2008-01-01T01:01:01.123456Z\"");
  // Truncated, not rounded; always six digits.
  EXPECT_EQ(Json(MicroTime::FromUnix(1199149261, 123456999)), "\"2008-01-01T01:01:01.123456Z\"");
  EXPECT_EQ(Json(MicroTime::FromUnix(1199149261)), "\"2008-01-01T01:01:01.000000Z\"");
  EXPECT_EQ(Json(MicroTime::FromUnix(-1, 999999999)), "\"1969-12-31T23:59:59.999999Z\"");
  EXPECT_EQ(MicroTime::FromUtc(2003, 1, 1, 1, 1, 1, 3000).FormatRfc3339Micro(),
            "2003-01-01T01:01:01.000003Z");
}

TEST(MicroTimeTest, ParseNeedsSixDigits) {
  struct Case {
    std::string_view in;
    std::string_view want;  // the error, or "" when accepted
  };
  // From kubectl 1.33 (Event.eventTime).
  const Case cases[] = {
      {"2008-01-01T01:01:01.123456Z", ""},
      {"2008-01-01T01:01:01,123456+01:00", ""},
      {"2008-01-01T1:01:01.123456Z", ""},
      {"2008-01-01T01:01:01.+12345Z", ""},  // Go's atoi takes a sign
      {"2008-01-01T01:01:01.-00000Z", ""},
      {"2008-01-01T01:01:01Z",
       "parsing time \"2008-01-01T01:01:01Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse "
       "\"Z\" as \".000000\""},
      {"2008-01-01T01:01:01.123Z",
       "parsing time \"2008-01-01T01:01:01.123Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot "
       "parse \".123Z\" as \".000000\""},
      {"2008-01-01T01:01:01.1234567Z",
       "parsing time \"2008-01-01T01:01:01.1234567Z\" as \"2006-01-02T15:04:05.000000Z07:00\": "
       "cannot parse \"7Z\" as \"Z07:00\""},
      {"2008-01-01T01:01:01.-12345Z",
       "parsing time \"2008-01-01T01:01:01.-12345Z\": fractional second out of range"},
      {"2008-01-01T01:01:01.12a456Z",
       "parsing time \"2008-01-01T01:01:01.12a456Z\" as \"2006-01-02T15:04:05.000000Z07:00\": "
       "cannot parse \".12a456Z\" as \".000000\""},
      {"2008-01-01T01:01:01x123456Z",
       "parsing time \"2008-01-01T01:01:01x123456Z\" as \"2006-01-02T15:04:05.000000Z07:00\": "
       "cannot parse \"x123456Z\" as \".000000\""},
      {"2008-01-01T01:01:60.123456Z",
       "parsing time \"2008-01-01T01:01:60.123456Z\": second out of range"},
      {"2008-01-01T01:01:01.123456",
       "parsing time \"2008-01-01T01:01:01.123456\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot "
       "parse \"\" as \"Z07:00\""},
      {"2008-02-30T01:01:01.123456Z",
       "parsing time \"2008-02-30T01:01:01.123456Z\": day out of range"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    Result<MicroTime> t = MicroTime::ParseRfc3339Micro(c.in);
    if (c.want.empty()) {
      EXPECT_TRUE(t.ok()) << t.status().ToString();
    } else {
      ASSERT_FALSE(t.ok());
      EXPECT_EQ(t.status().message(), c.want);
    }
  }
  MicroTime t = *MicroTime::ParseRfc3339Micro("2008-01-01T01:01:01,123456+01:00");
  EXPECT_EQ(t, MicroTime::FromUnix(1199149261 - 3600, 123456000));
  EXPECT_EQ(MicroTime::ParseRfc3339Micro("2008-01-01T01:01:01.+12345Z")->nanos(), 12345000);
}

TEST(MicroTimeTest, JsonDecode) {
  MicroTime t = MicroTime::FromUnix(3);
  ASSERT_TRUE(FromJson("null", &t).ok());
  EXPECT_TRUE(t.IsZero());
  ASSERT_TRUE(FromJson("\"2004-01-01T01:01:01.000004Z\"", &t).ok());
  EXPECT_EQ(Json(t), "\"2004-01-01T01:01:01.000004Z\"");
  EXPECT_FALSE(FromJson("\"2004-01-01T01:01:01Z\"", &t).ok());
  typed::DecodeContext ctx;
  EXPECT_EQ(DecodeJson(api::Value(5), &t, ctx).message(),
            "json: cannot unmarshal number into Go value of type string");
}

TEST(MicroTimeTest, Proto) {
  MicroTime t = *MicroTime::ParseRfc3339Micro("2008-01-01T01:01:01.123456Z");
  EXPECT_EQ(Hex(typed::EncodeProto(t)), "08 cd a1 e6 bb 04 10 80 94 ef 3a");
  EXPECT_EQ(typed::EncodeProto(MicroTime()), "");
  EXPECT_EQ(Hex(typed::EncodeProto(MicroTime::FromUnix(1199149261))), "08 cd a1 e6 bb 04 10 00");
  // micro_time_proto.go truncates to whole microseconds, as the JSON form does.
  EXPECT_EQ(Hex(typed::EncodeProto(MicroTime::FromUnix(0, 1))), "08 00 10 00");
  EXPECT_EQ(typed::EncodeProto(MicroTime::FromUnix(1199149261, 123456789)), typed::EncodeProto(t));

  MicroTime back;
  ASSERT_TRUE(DecodeProto(typed::EncodeProto(t), &back).ok());
  EXPECT_EQ(back, t);
  ASSERT_TRUE(DecodeProto("", &back).ok());
  EXPECT_TRUE(back.IsZero());
  // Go's TestMicroTimeProtoUnmarshalRaw: nanos are truncated to microseconds on read.
  ASSERT_TRUE(DecodeProto(std::string("\x08\x7b\x10\xb3\xeb\xda\x3a"), &back).ok());
  EXPECT_EQ(back, MicroTime::FromUnix(123, 123123000));
  ASSERT_TRUE(DecodeProto(std::string("\x08\x7b\x10\xb8\xea\xda\x3a"), &back).ok());
  EXPECT_EQ(back, MicroTime::FromUnix(123, 123123000));
  // Truncation is towards zero (Duration.Truncate), then time.Unix carries negative
  // nanos into the seconds: -1 ns -> 0; -1500 ns -> -1000 ns -> 9.999999 s.
  ASSERT_TRUE(DecodeProto(Unhex("08 0a 10 ff ff ff ff ff ff ff ff ff 01"), &back).ok());
  EXPECT_EQ(back, MicroTime::FromUnix(10, 0));
  ASSERT_TRUE(DecodeProto(Unhex("08 0a 10 a4 f4 ff ff ff ff ff ff ff 01"), &back).ok());
  EXPECT_EQ(back, MicroTime::FromUnix(9, 999999000));
  ASSERT_TRUE(DecodeProto(Unhex("10 05"), &back).ok());
  EXPECT_EQ(back, MicroTime::FromUnix(0, 0));
  EXPECT_FALSE(back.IsZero());
}

TEST(MicroTimeTest, JsonAndProtoDecodeAgree) {
  // Go's TestMicroTimeUnmarshalJSONAndProtoEqual.
  for (int64_t nanos : {int64_t{123123123}, int64_t{123123000}}) {
    MicroTime in = MicroTime::FromUnix(123, nanos);
    MicroTime from_json, from_proto;
    ASSERT_TRUE(FromJson(Json(in), &from_json).ok());
    ASSERT_TRUE(DecodeProto(typed::EncodeProto(in), &from_proto).ok());
    EXPECT_EQ(from_json, from_proto);
    EXPECT_EQ(from_proto, MicroTime::FromUnix(123, 123123000));
  }
}

TEST(MicroTimeTest, ConversionsWithTime) {
  Time t = Time::FromUnix(12, 345);
  EXPECT_EQ(MicroTime::FromTime(t).ToTime(), t);
  EXPECT_EQ(MicroTime::FromTime(t).nanos(), 345);
}

// ---------------------------------------------------------------------------------------
// Duration: Go's time_test.go tables

TEST(DurationTest, StringAsGo) {
  constexpr int64_t kNs = 1, kUs = 1000 * kNs, kMs = 1000 * kUs, kS = 1000 * kMs, kMin = 60 * kS,
                    kH = 60 * kMin;
  const std::pair<std::string_view, int64_t> cases[] = {
      {"0s", 0},
      {"1ns", 1 * kNs},
      {"1.1\xc2\xb5s", 1100 * kNs},
      {"2.2ms", 2200 * kUs},
      {"3.3s", 3300 * kMs},
      {"4m5s", 4 * kMin + 5 * kS},
      {"4m5.001s", 4 * kMin + 5001 * kMs},
      {"5h6m7.001s", 5 * kH + 6 * kMin + 7001 * kMs},
      {"8m0.000000001s", 8 * kMin + 1 * kNs},
      {"2562047h47m16.854775807s", std::numeric_limits<int64_t>::max()},
      {"-2562047h47m16.854775808s", std::numeric_limits<int64_t>::min()},
      // JSON-RULES.md §8.3 examples.
      {"1s", kS},
      {"1.5s", 1500 * kMs},
      {"1m0s", kMin},
      {"1m30s", 90 * kS},
      {"1h0m0s", kH},
      {"100ms", 100 * kMs},
      {"999.999999ms", kS - 1},
      {"1.5\xc2\xb5s", 1500},
      {"999ns", 999},
      {"1\xc2\xb5s", 1000},
  };
  for (const auto& [want, ns] : cases) {
    SCOPED_TRACE(want);
    EXPECT_EQ(Duration(ns).String(), want);
    if (ns > 0) {
      EXPECT_EQ(Duration(-ns).String(), "-" + std::string(want));
    }
  }
}

TEST(DurationTest, ParseAsGo) {
  constexpr int64_t kNs = 1, kUs = 1000 * kNs, kMs = 1000 * kUs, kS = 1000 * kMs, kMin = 60 * kS,
                    kH = 60 * kMin;
  const std::pair<std::string_view, int64_t> cases[] = {
      // simple
      {"0", 0},
      {"5s", 5 * kS},
      {"30s", 30 * kS},
      {"1478s", 1478 * kS},
      // sign
      {"-5s", -5 * kS},
      {"+5s", 5 * kS},
      {"-0", 0},
      {"+0", 0},
      // decimal
      {"5.0s", 5 * kS},
      {"5.6s", 5 * kS + 600 * kMs},
      {"5.s", 5 * kS},
      {".5s", 500 * kMs},
      {"1.0s", 1 * kS},
      {"1.00s", 1 * kS},
      {"1.004s", 1 * kS + 4 * kMs},
      {"1.0040s", 1 * kS + 4 * kMs},
      {"100.00100s", 100 * kS + 1 * kMs},
      // different units
      {"10ns", 10 * kNs},
      {"11us", 11 * kUs},
      {"12\xc2\xb5s", 12 * kUs},  // U+00B5
      {"12\xce\xbcs", 12 * kUs},  // U+03BC
      {"13ms", 13 * kMs},
      {"14s", 14 * kS},
      {"15m", 15 * kMin},
      {"16h", 16 * kH},
      // composite durations
      {"3h30m", 3 * kH + 30 * kMin},
      {"10.5s4m", 4 * kMin + 10 * kS + 500 * kMs},
      {"-2m3.4s", -(2 * kMin + 3 * kS + 400 * kMs)},
      {"1h2m3s4ms5us6ns", 1 * kH + 2 * kMin + 3 * kS + 4 * kMs + 5 * kUs + 6 * kNs},
      {"39h9m14.425s", 39 * kH + 9 * kMin + 14 * kS + 425 * kMs},
      // large value
      {"52763797000ns", 52763797000 * kNs},
      // more than 9 digits after decimal point, see https://golang.org/issue/6617
      {"0.3333333333333333333h", 20 * kMin},
      // 9007199254740993 = 1<<53+1 cannot be stored precisely in a float64
      {"9007199254740993ns", (int64_t{1} << 53) + 1},
      // largest duration that can be represented by int64 in nanoseconds
      {"9223372036854775807ns", std::numeric_limits<int64_t>::max()},
      {"9223372036854775.807us", std::numeric_limits<int64_t>::max()},
      {"9223372036s854ms775us807ns", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808ns", std::numeric_limits<int64_t>::min()},
      {"-9223372036854775.808us", std::numeric_limits<int64_t>::min()},
      {"-9223372036s854ms775us808ns", std::numeric_limits<int64_t>::min()},
      // largest negative round trip value, see https://golang.org/issue/48629
      {"-2562047h47m16.854775808s", std::numeric_limits<int64_t>::min()},
      // huge string; issue 15011.
      {"0.100000000000000000000h", 6 * kMin},
      // This value tests the first overflow check in leadingFraction.
      {"0.830103483285477580700h", 49 * kMin + 48 * kS + 372539827 * kNs},
  };
  for (const auto& [in, ns] : cases) {
    SCOPED_TRACE(in);
    Result<Duration> d = Duration::Parse(in);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->nanoseconds(), ns);
  }
}

TEST(DurationTest, ParseErrorsAsGo) {
  // Go's parseDurationErrorTests: the message must contain the quoted input.
  const std::pair<std::string_view, std::string_view> cases[] = {
      // invalid
      {"", "\"\""},
      {"3", "\"3\""},
      {"-", "\"-\""},
      {"s", "\"s\""},
      {".", "\".\""},
      {"-.", "\"-.\""},
      {".s", "\".s\""},
      {"+.s", "\"+.s\""},
      {"1d", "\"1d\""},
      {"\x85\x85", "\"\\x85\\x85\""},
      {"\xff" "f", "\"\\xfff\""},
      {"hello \xff" "f world", "\"hello \\xfff world\""},
      {"\xef\xbf\xbd", "\"\\xef\\xbf\\xbd\""},
      {"\xef\xbf\xbd hello \xef\xbf\xbd world", "\"\\xef\\xbf\\xbd hello \\xef\\xbf\\xbd world\""},
      // overflow
      {"9223372036854775810ns", "\"9223372036854775810ns\""},
      {"9223372036854775808ns", "\"9223372036854775808ns\""},
      {"-9223372036854775809ns", "\"-9223372036854775809ns\""},
      {"9223372036854776us", "\"9223372036854776us\""},
      {"3000000h", "\"3000000h\""},
      {"9223372036854775.808us", "\"9223372036854775.808us\""},
      {"9223372036854ms775us808ns", "\"9223372036854ms775us808ns\""},
  };
  for (const auto& [in, quoted] : cases) {
    SCOPED_TRACE(in);
    Result<Duration> d = Duration::Parse(in);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.status().message().find(quoted), std::string_view::npos) << d.status().message();
  }
  // The exact messages (time/format.go ParseDuration).
  EXPECT_EQ(Duration::Parse("").status().message(), "time: invalid duration \"\"");
  EXPECT_EQ(Duration::Parse("3").status().message(), "time: missing unit in duration \"3\"");
  EXPECT_EQ(Duration::Parse("1d").status().message(), "time: unknown unit \"d\" in duration \"1d\"");
  EXPECT_EQ(Duration::Parse("1.5\xc2\xb5").status().message(),
            "time: unknown unit \"\\xc2\\xb5\" in duration \"1.5\\xc2\\xb5\"");
  EXPECT_EQ(Duration::Parse("3000000h").status().message(), "time: invalid duration \"3000000h\"");
}

TEST(DurationTest, RoundTripsExtremes) {
  for (int64_t ns : {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                     int64_t{1}, int64_t{-1}, int64_t{86400000000000}, int64_t{123456789}}) {
    Result<Duration> d = Duration::Parse(Duration(ns).String());
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->nanoseconds(), ns);
  }
}

TEST(DurationTest, Json) {
  EXPECT_EQ(Json(Duration::FromSeconds(60)), "\"1m0s\"");
  EXPECT_EQ(Json(Duration(1500)), "\"1.5\xc2\xb5s\"");  // the micro sign is not escaped
  EXPECT_EQ(Json(Duration()), "\"0s\"");
  Duration d;
  ASSERT_TRUE(FromJson("\"1h30m\"", &d).ok());
  EXPECT_EQ(d, Duration::FromSeconds(5400));
  // UnmarshalJSON unmarshals into a string first: null leaves "", which does not parse.
  EXPECT_EQ(FromJson("null", &d).message(), "time: invalid duration \"\"");
  EXPECT_EQ(FromJson("5", &d).message(), "json: cannot unmarshal number into Go value of type string");
  EXPECT_EQ(FromJson("\"5\"", &d).message(), "time: missing unit in duration \"5\"");
  EXPECT_EQ(d, Duration::FromSeconds(5400));  // unchanged by the failures
}

TEST(DurationTest, Proto) {
  EXPECT_EQ(Hex(typed::EncodeProto(Duration::FromSeconds(60))), "08 80 b0 9d c2 df 01");
  EXPECT_EQ(Hex(typed::EncodeProto(Duration())), "08 00");
  EXPECT_EQ(Hex(typed::EncodeProto(Duration(-1))), "08 ff ff ff ff ff ff ff ff ff 01");
  Duration d;
  ASSERT_TRUE(DecodeProto(Unhex("08 80 b0 9d c2 df 01"), &d).ok());
  EXPECT_EQ(d.String(), "1m0s");
  ASSERT_TRUE(DecodeProto("", &d).ok());  // merges: nothing to set
  EXPECT_EQ(d.String(), "1m0s");
  EXPECT_EQ(DecodeProto(Unhex("0a 00"), &d).message(), "proto: wrong wireType = 2 for field Duration");
}

// ---------------------------------------------------------------------------------------
// FieldsV1

TEST(FieldsV1Test, Json) {
  EXPECT_EQ(Json(FieldsV1()), "null");
  EXPECT_EQ(Json(FieldsV1("{}")), "{}");
  EXPECT_EQ(Json(FieldsV1("{\"f:metadata\":{\"f:labels\":{\".\":{}}}}")),
            "{\"f:metadata\":{\"f:labels\":{\".\":{}}}}");
  // encoding/json compacts what MarshalJSON returns (and escapes <>&), keeping order.
  EXPECT_EQ(Json(FieldsV1(" {\"f:b\" : {}, \"f:<a>\": {} }\n")), "{\"f:b\":{},\"f:\\u003ca\\u003e\":{}}");
}

TEST(FieldsV1Test, JsonIndentedAtCurrentDepth) {
  typed::Slice<FieldsV1> v{FieldsV1("{\"f:a\":{\".\":{}},\"f:b\":{}}"), FieldsV1("{}")};
  EXPECT_EQ(Json(v, Style::kIndent),
            "[\n"
            "  {\n"
            "    \"f:a\": {\n"
            "      \".\": {}\n"
            "    },\n"
            "    \"f:b\": {}\n"
            "  },\n"
            "  {}\n"
            "]");
}

TEST(FieldsV1Test, JsonErrors) {
  // Empty (non-nil) or invalid raw bytes: encoding/json rejects what MarshalJSON returned.
  EXPECT_FALSE(JsonError(FieldsV1("")).ok());
  EXPECT_FALSE(JsonError(FieldsV1("{{")).ok());
  // CBOR (Go would transcode it; kstream has no CBOR codec).
  ::kstream::Status s = JsonError(FieldsV1("\xa1\x43" "foo\x43" "bar"));
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(JsonError(FieldsV1("\xf6")).code(), StatusCode::kUnimplemented);
}

TEST(FieldsV1Test, JsonDecode) {
  FieldsV1 f;
  ASSERT_TRUE(FromJson("null", &f).ok());
  EXPECT_TRUE(f.is_nil());
  ASSERT_TRUE(FromJson("{\"f:spec\": {\"f:replicas\": {}}}", &f).ok());
  EXPECT_EQ(f.raw, "{\"f:spec\":{\"f:replicas\":{}}}");
  // null leaves a set value as it is.
  ASSERT_TRUE(FromJson("null", &f).ok());
  EXPECT_EQ(f.raw, "{\"f:spec\":{\"f:replicas\":{}}}");
  // Documented difference: the raw text is re-encoded from the parsed value, so members
  // are sorted and numbers respelled (Go would keep the input text verbatim).
  ASSERT_TRUE(FromJson("{\"f:b\":{},\"f:a\":{},\"v:1.0\":1.0}", &f).ok());
  EXPECT_EQ(f.raw, "{\"f:a\":{},\"f:b\":{},\"v:1.0\":1}");
}

TEST(FieldsV1Test, Proto) {
  EXPECT_EQ(Hex(typed::EncodeProto(FieldsV1("{}"))), "0a 02 7b 7d");
  EXPECT_EQ(typed::EncodeProto(FieldsV1()), "");
  // Written whenever Raw is non-nil (gogo's `if m.Raw != nil`), even when empty.
  EXPECT_EQ(Hex(typed::EncodeProto(FieldsV1(""))), "0a 00");
  FieldsV1 f;
  ASSERT_TRUE(DecodeProto(Unhex("0a 02 7b 7d"), &f).ok());
  EXPECT_EQ(f, FieldsV1("{}"));
  ASSERT_TRUE(DecodeProto(Unhex("0a 00"), &f).ok());
  EXPECT_EQ(f, FieldsV1(""));
  EXPECT_FALSE(f.is_nil());
  FieldsV1 g;
  ASSERT_TRUE(DecodeProto("", &g).ok());
  EXPECT_TRUE(g.is_nil());
  EXPECT_EQ(DecodeProto(Unhex("08 00"), &g).message(), "proto: wrong wireType = 0 for field Raw");
}

// ---------------------------------------------------------------------------------------
// The upstream fixtures (Go's bytes): each value decoded from the JSON fixture encodes to
// the same JSON, and its protobuf body (length-prefixed, as a field holds it) occurs in
// the protobuf fixture.

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(KSTREAM_SHARED_DIR) + "/fixtures/k8s-api/HEAD/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const api::Value& At(const api::Value& v, std::initializer_list<std::string_view> path) {
  const api::Value* cur = &v;
  for (std::string_view key : path) {
    if (!key.empty() && key[0] >= '0' && key[0] <= '9') {
      cur = &cur->as_array().at(static_cast<size_t>(key[0] - '0'));
    } else {
      cur = cur->Find(key);
      EXPECT_NE(cur, nullptr) << key;
      if (cur == nullptr) {
        static const api::Value kNull;
        return kNull;
      }
    }
  }
  return *cur;
}

std::string LengthPrefixed(const std::string& body) {
  std::string out;
  encoding::protobuf::AppendVarint(&out, body.size());
  return out + body;
}

template <class T>
void CheckFixtureValue(const api::Value& json, const std::string& pb, std::string_view what) {
  SCOPED_TRACE(what);
  T v;
  typed::DecodeContext ctx;
  ASSERT_TRUE(DecodeJson(json, &v, ctx).ok());
  EXPECT_EQ(Json(v), *api::ToJson(json));
  std::string body = typed::EncodeProto(v);
  EXPECT_NE(pb.find(LengthPrefixed(body)), std::string::npos) << Hex(body);
  T back;
  ASSERT_TRUE(DecodeProto(body, &back).ok());
  EXPECT_EQ(back, v);
}

TEST(MetaV1FixtureTest, PodTimesAndManagedFields) {
  const api::Value pod = *api::ParseJson(ReadFixture("core.v1.Pod.json"));
  const std::string pb = ReadFixture("core.v1.Pod.pb");
  CheckFixtureValue<Time>(At(pod, {"metadata", "creationTimestamp"}), pb, "creationTimestamp");
  CheckFixtureValue<Time>(At(pod, {"metadata", "deletionTimestamp"}), pb, "deletionTimestamp");
  CheckFixtureValue<Time>(At(pod, {"metadata", "managedFields", "0", "time"}), pb, "time");
  CheckFixtureValue<FieldsV1>(At(pod, {"metadata", "managedFields", "0", "fieldsV1"}), pb,
                              "fieldsV1");
  EXPECT_NE(pb.find(Unhex("42 08 08 cd a1 e6 bb 04 10 00")), std::string::npos);
}

TEST(MetaV1FixtureTest, LeaseMicroTimes) {
  for (const char* name : {"coordination.k8s.io.v1.Lease", "coordination.k8s.io.v1beta1.Lease"}) {
    SCOPED_TRACE(name);
    const api::Value lease = *api::ParseJson(ReadFixture(std::string(name) + ".json"));
    const std::string pb = ReadFixture(std::string(name) + ".pb");
    CheckFixtureValue<MicroTime>(At(lease, {"spec", "acquireTime"}), pb, "acquireTime");
    CheckFixtureValue<MicroTime>(At(lease, {"spec", "renewTime"}), pb, "renewTime");
    CheckFixtureValue<Time>(At(lease, {"metadata", "creationTimestamp"}), pb, "creationTimestamp");
  }
}

TEST(MetaV1FixtureTest, EventTimes) {
  const api::Value ev = *api::ParseJson(ReadFixture("events.k8s.io.v1.Event.json"));
  const std::string pb = ReadFixture("events.k8s.io.v1.Event.pb");
  CheckFixtureValue<MicroTime>(At(ev, {"eventTime"}), pb, "eventTime");
}

TEST(GoTypeNameTest, MetaV1) {
  EXPECT_EQ(GoTypeName(static_cast<const Time*>(nullptr)), "v1.Time");
  EXPECT_EQ(GoTypeName(static_cast<const MicroTime*>(nullptr)), "v1.MicroTime");
  EXPECT_EQ(GoTypeName(static_cast<const Duration*>(nullptr)), "v1.Duration");
  EXPECT_EQ(GoTypeName(static_cast<const FieldsV1*>(nullptr)), "v1.FieldsV1");
  EXPECT_EQ(typed::GoTypeName(static_cast<const typed::Slice<Time>*>(nullptr)), "[]v1.Time");
}

}  // namespace
}  // namespace kstream::k8s::meta::v1
