// parse() has a fast path; for every input it must give what the reference
// path (nlohmann's lexer under the strict handler) gives: the same value,
// type for type, or the same error with the same line and message.
#include <hc/core/error.h>
#include <hc/json/json.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <functional>

namespace {

std::string outcome(std::string_view text, unsigned depth) {
  hc::json::Limits l{.max_bytes = 1 << 20, .max_depth = depth};
  auto describe = [&](auto parse) -> std::string {
    try {
      auto v = parse();
      // dump() keeps the types apart (1 vs 1.0 vs -0.0); the type tags do too.
      std::string tags;
      std::function<void(const hc::json::Value&)> walk = [&](const hc::json::Value& x) {
        tags += std::to_string(static_cast<int>(x.type()));
        if (x.is_structured())
          for (const auto& c : x) walk(c);
      };
      walk(v);
      return v.dump() + "|" + tags;
    } catch (const hc::Error& e) {
      return "error|" + e.file() + "|" + std::to_string(e.line()) + "|" + e.message();
    }
  };
  std::string fast = describe([&] { return hc::json::parse(text, "t", l); });
  std::string ref = describe([&] { return hc::json::parse_reference(text, "t", l); });
  CHECK(fast == ref);
  return fast;
}

}  // namespace

TEST_CASE("the fast path and the reference parser agree") {
  const char* cases[] = {
      "{}", "[]", " [1, -0, 0, -1, 0.5, -0.0, 1e2, 1E+2, 1e-400, 1e400, 123456789012345678, 1234567890123456789]",
      "[18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809]",
      R"({"a":"\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r","b":[true,false,null]})", R"(["\ud800"])", R"(["\udc00"])",
      R"(["\ud800\u0041"])", R"(["\u0000"])", "[\"\x01\"]", "[\"\x7f\"]", "\xef\xbb\xbf{}", R"({"a":1,"a":2})",
      "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[+1]", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[1 2]", "{} x", "",
      "   ", "nul", "truex", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xe2\x82\"]",
      "[\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbf\"]", "[[[[[]]]]]", "{\"a\":{\"b\":{\"c\":{}}}}", "[\"\\x\"]",
      "[\"\\u12G4\"]", "\n[\n1,\n2\n,\nx]", "{\"\":0}", "0", "-5", "\"s\"", "[1]\n",
  };
  for (const char* c : cases) {
    INFO(c);
    outcome(c, 64);
    outcome(c, 3);
  }
  CHECK(outcome("[[[[]]]]", 3).rfind("error|", 0) == 0);
  CHECK(outcome(R"({"a":1,"a":2})", 64).find("duplicate member name") != std::string::npos);
  // A NUL byte ends nlohmann's input; parse() refuses it wherever it is.
  for (std::string_view nul : {std::string_view("3\0{", 3), std::string_view("[1]\0", 4), std::string_view("[\"a\0\"]", 6),
                               std::string_view("\0", 1)})
    CHECK(outcome(nul, 64).find("a NUL byte is not allowed") != std::string::npos);
  CHECK(outcome(std::string_view("[1,\n2]\0", 7), 64) == "error|t|2|column 3: a NUL byte is not allowed in JSON text");
}
