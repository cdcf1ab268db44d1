#include "encoding/utf8.h"

namespace kstream::encoding {

void AppendUtf8(std::string* out, char32_t r) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

void AppendCoercedUtf8(std::string* out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t run = 0;  // start of the pending valid run
  for (size_t i = 0; i < n;) {
    size_t len = p[i] < 0x80 ? 1 : ValidUtf8Length(p + i, n - i);
    if (len == 0) {
      out->append(s.data() + run, i - run);
      out->append("\xEF\xBF\xBD");
      run = ++i;
    } else {
      i += len;
    }
  }
  out->append(s.data() + run, n - run);
}

}  // namespace kstream::encoding
