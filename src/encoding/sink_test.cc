#include "encoding/sink.h"

#include <gtest/gtest.h>

#include <string>

namespace kstream::encoding {
namespace {

TEST(WireBuffer, CopiesSmallWritesAndBorrowsLargeOnesOnlyWhenAllowed) {
  WireBuffer w(8);
  std::string big = "0123456789";
  ASSERT_TRUE(w.Write(big).ok());
  EXPECT_NE(w.data().data(), big.data());  // not borrowing: copied
  EXPECT_EQ(w.data(), "0123456789");
  w.Clear();
  EXPECT_TRUE(w.data().empty());

  w.SetBorrowing(true);
  ASSERT_TRUE(w.Write(big).ok());
  EXPECT_EQ(w.data().data(), big.data());  // borrowed: a view of the caller's bytes
  EXPECT_EQ(w.data().size(), big.size());
  w.Clear();

  ASSERT_TRUE(w.Write("abc").ok());  // small: copied
  ASSERT_TRUE(w.Write(big).ok());    // the buffer holds bytes: appended, not borrowed
  EXPECT_EQ(w.data(), "abc0123456789");
  w.Clear();

  // A write after a borrowed one copies the borrowed bytes first, so the caller may reuse them.
  ASSERT_TRUE(w.Write(big).ok());
  ASSERT_TRUE(w.Write("x").ok());
  big.assign("ZZZZZZZZZZ");
  EXPECT_EQ(w.data(), "0123456789x");
}

}  // namespace
}  // namespace kstream::encoding
