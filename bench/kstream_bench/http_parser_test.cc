#include "kstream_bench/http_parser.h"

#include <gtest/gtest.h>

namespace kstream::bench {
namespace {

struct Parsed {
  Status status;
  ResponseParser parser;
  std::string body;
  size_t consumed = 0;
};

// Feeds `pieces`, then EOF when `eof`.
void Parse(Parsed& p, const std::vector<std::string_view>& pieces, bool eof) {
  auto on_body = [&](std::string_view b) {
    p.body.append(b);
    return Status::Ok();
  };
  for (auto piece : pieces) {
    auto r = p.parser.Feed(piece, on_body);
    if (!r.ok()) {
      p.status = r.status();
      return;
    }
    p.consumed += *r;
    if (p.parser.done()) break;
  }
  if (eof) p.status = p.parser.Eof();
}

// Parses `wire` whole, split at every offset, and byte by byte; all must agree.
void ExpectResponse(const std::string& wire, int status, const std::string& body, bool eof = false) {
  std::string_view w = wire;
  for (size_t k = 0; k <= w.size(); ++k) {
    Parsed p;
    Parse(p, {w.substr(0, k), w.substr(k)}, eof);
    ASSERT_TRUE(p.status.ok()) << "split at " << k << ": " << p.status.ToString();
    ASSERT_TRUE(p.parser.done()) << "split at " << k;
    EXPECT_EQ(p.parser.head().status, status);
    ASSERT_EQ(p.body, body) << "split at " << k;
  }
  Parsed p;
  std::vector<std::string_view> bytes;
  for (size_t k = 0; k < w.size(); ++k) bytes.push_back(w.substr(k, 1));
  Parse(p, bytes, eof);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.body, body);
}

TEST(HttpParserTest, ContentLength) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 11\r\n\r\nhello world";
  ExpectResponse(wire, 200, "hello world");
  Parsed p;
  Parse(p, {wire + "HTTP/1.1 200 OK\r\n"}, false);
  EXPECT_TRUE(p.parser.done());
  EXPECT_EQ(p.consumed, wire.size());  // the next response's bytes are left alone
  EXPECT_EQ(p.parser.head().Header("CONTENT-TYPE"), "application/json");
  EXPECT_FALSE(p.parser.chunked());
  EXPECT_FALSE(p.parser.close_after());
}

TEST(HttpParserTest, Chunked) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/yaml\r\n\r\n"
      "5\r\nhello\r\n"
      "1;ext=1\r\n \r\n"
      "A\r\n0123456789\r\n"
      "0\r\nX-Trailer: yes\r\n\r\n";
  ExpectResponse(wire, 200, "hello 0123456789");
  Parsed p;
  Parse(p, {wire}, false);
  EXPECT_TRUE(p.parser.chunked());
  EXPECT_EQ(p.parser.chunks(), 3u);
  EXPECT_EQ(p.parser.body_bytes(), 16u);
}

TEST(HttpParserTest, BodyUntilClose) {
  ExpectResponse("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc", 200, "abc", /*eof=*/true);
  ExpectResponse("HTTP/1.0 200 OK\r\n\r\nabc", 200, "abc", /*eof=*/true);
}

TEST(HttpParserTest, NoBody) {
  ExpectResponse("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 204, "");
  ExpectResponse("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 201, "");
}

TEST(HttpParserTest, CutShortResponsesFail) {
  // A chunked body without its terminating chunk: what kstream sends when a stream fails
  // after the first byte.
  Parsed a;
  Parse(a, {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"}, true);
  EXPECT_FALSE(a.status.ok());
  EXPECT_EQ(a.status.message(),
            "HTTP: the connection closed before the end of the chunked body (no terminating chunk), after 5 body bytes");
  Parsed b;
  Parse(b, {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"}, true);
  EXPECT_EQ(b.status.message(),
            "HTTP: the connection closed 5 bytes before the end of the body (Content-Length), after 5 bytes");
  Parsed c;
  Parse(c, {"HTTP/1.1 200 OK\r\nContent-Le"}, true);
  EXPECT_EQ(c.status.message(), "HTTP: the connection closed inside the response head");
  Parsed d;
  Parse(d, {}, true);
  EXPECT_EQ(d.status.message(), "HTTP: the connection closed before a response");
  Parsed e;  // inside the trailer
  Parse(e, {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"}, true);
  EXPECT_FALSE(e.status.ok());
}

TEST(HttpParserTest, MalformedResponsesFail) {
  const char* bad[] = {
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n",
  };
  for (const char* w : bad) {
    Parsed p;
    Parse(p, {w}, false);
    EXPECT_FALSE(p.status.ok()) << w;
  }
  Parsed big;
  std::string huge = "HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a');
  Parse(big, {huge}, false);
  EXPECT_FALSE(big.status.ok());
}

TEST(HttpParserTest, BodyCallbackErrorsStopTheParse) {
  ResponseParser p;
  auto r = p.Feed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
                  [](std::string_view) { return InvalidArgument("bad body"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "bad body");
}

TEST(HttpParserTest, ResetForKeepAlive) {
  ResponseParser p;
  std::string body;
  auto on_body = [&](std::string_view b) {
    body.append(b);
    return Status::Ok();
  };
  ASSERT_TRUE(p.Feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", on_body).ok());
  ASSERT_TRUE(p.done());
  p.Reset();
  ASSERT_TRUE(p.Feed("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 1\r\n\r\nb", on_body).ok());
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.head().status, 404);
  EXPECT_EQ(p.head().reason, "Not Found");
  EXPECT_TRUE(p.close_after());
  EXPECT_EQ(body, "ab");
}

TEST(HttpParserTest, Urls) {
  auto u = ParseUrl("https://127.0.0.1:6443/api/v1/configmaps?resourceVersion=0");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "6443");
  EXPECT_EQ(u->target, "/api/v1/configmaps?resourceVersion=0");
  EXPECT_EQ(u->Origin(), "https://127.0.0.1:6443");
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:6443");

  u = ParseUrl("http://localhost");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->HostHeader(), "localhost");

  u = ParseUrl("http://[::1]:8080/x#frag");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/x");
  EXPECT_EQ(u->HostHeader(), "[::1]:8080");

  for (const char* bad : {"ftp://x", "127.0.0.1:80", "http://", "http://h:0", "http://h:99999", "http://h:x/",
                          "http://u@h/", "http://[::1/"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
}

TEST(HttpParserTest, Helpers) {
  EXPECT_EQ(QueryEscape("a b/c=d&e~f_g-h.i"), "a%20b%2Fc%3Dd%26e~f_g-h.i");
  EXPECT_EQ(MediaType("Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(MediaType("application/json;as=Table;v=v1;g=meta.k8s.io"), "application/json");
  EXPECT_EQ(MediaType(""), "");
}

}  // namespace
}  // namespace kstream::bench
