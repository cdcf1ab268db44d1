// Deeply nested values cost heap, never native stack: every operation on a 10000-deep value
// (the parsers' limit) runs on a thread with a 512 KiB stack. A recursive implementation
// needs several MiB for this depth, so these tests fail (crash) if one creeps back in.
#include <gtest/gtest.h>
#include <pthread.h>

#include <functional>
#include <string>

#include "api/json.h"
#include "api/value.h"
#include "api/yaml.h"

namespace kstream::api {
namespace {

constexpr size_t kSmallStack = 512 * 1024;

// Runs fn on a thread with a small stack and waits for it.
void RunOnSmallStack(const std::function<void()>& fn) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, kSmallStack), 0);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(&fn)), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

std::string DeepJson(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += i % 2 == 0 ? "{\"k\":" : "[";
  s += "1";
  for (int i = depth - 1; i >= 0; --i) s += i % 2 == 0 ? "}" : "]";
  return s;
}

TEST(DeepValueTest, ParseEncodeCopyCompareDestroyOnASmallStack) {
  const std::string text = DeepJson(kMaxJsonDepth);
  bool done = false;
  RunOnSmallStack([&] {
    auto v = ParseJson(text);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    auto lenient = internal::ParseJsonLenient(text);
    ASSERT_TRUE(lenient.ok());
    EXPECT_TRUE(*v == *lenient);
    Value copy = *v;
    EXPECT_TRUE(copy == *v);
    EXPECT_EQ(*ToJson(copy), text);
    EXPECT_TRUE(ToJson(copy, encoding::json::Style::kIndent).ok());
    copy = Value(1);  // assignment destroys the deep value
    Value moved = std::move(*v);
    EXPECT_FALSE(moved == copy);
    done = true;
  });  // `moved` and `lenient` are destroyed on the small stack too
  EXPECT_TRUE(done);
}

TEST(DeepValueTest, YamlOnASmallStack) {
  const std::string text = DeepJson(kMaxJsonDepth);
  bool done = false;
  RunOnSmallStack([&] {
    Value v = *ParseJson(text);
    auto yaml = ToYaml(v);
    ASSERT_TRUE(yaml.ok()) << yaml.status().ToString();
    auto back = ParseYaml(*yaml);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == v);
    done = true;
  });
  EXPECT_TRUE(done);
}

TEST(DeepValueTest, BuiltInCodeDeeperThanTheParserLimit) {
  bool done = false;
  RunOnSmallStack([&] {
    Value v(1);
    for (int i = 0; i < 100000; ++i) {
      Value::Array wrapper;  // (an initializer list would copy v)
      wrapper.push_back(std::move(v));
      v = Value(std::move(wrapper));
    }
    std::string out;
    ASSERT_TRUE(AppendJson(v, &out).ok());
    EXPECT_EQ(out.size(), 200001u);
    Value copy = v;
    EXPECT_TRUE(copy == v);
    done = true;
  });
  EXPECT_TRUE(done);
}

TEST(ValueTest, NegativeZeroIsNotZero) {
  EXPECT_FALSE(Value(-0.0) == Value(0.0));
  EXPECT_TRUE(Value(-0.0) == Value(-0.0));
  EXPECT_FALSE(Value(1) == Value(1.0));
}

TEST(ValueTest, AssigningADescendantKeepsIt) {
  Value v = *ParseJson(R"({"a":{"b":[1,{"c":2}]}})");
  v = std::move(*v.Find("a"));
  EXPECT_EQ(*ToJson(v), R"({"b":[1,{"c":2}]})");
  Value w = *ParseJson(R"([[1,[2]],3])");
  w = w.as_array()[0];  // copy-assign from inside itself
  EXPECT_EQ(*ToJson(w), "[1,[2]]");
}

}  // namespace
}  // namespace kstream::api
