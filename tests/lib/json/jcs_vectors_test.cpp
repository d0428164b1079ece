// RFC 8785 conformance: the JCS author's input/output pairs and 5,029 number
// cases from ../shared/testdata/jcs (see its README).
#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/json/json.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using hc::json::canonical;
using hc::json::parse;

TEST_CASE("every JCS input canonicalizes to its output byte for byte", "[jcs]") {
  fs::path dir = fs::path(HC_TESTDATA) / "jcs";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir / "input")) {
    auto name = entry.path().filename().string();
    INFO(name);
    std::string in = hc::io::read_all(entry.path().string());
    std::string want = hc::io::read_all((dir / "output" / name).string());
    CHECK(canonical(parse(in, name)) == want);
    ++checked;
  }
  CHECK(checked == 6);
}

TEST_CASE("every line of numbers.csv serializes as ECMAScript does", "[jcs]") {
  std::ifstream f(std::string(HC_TESTDATA) + "/jcs/numbers.csv");
  REQUIRE(f);
  std::string line;
  int checked = 0, failed = 0;
  while (std::getline(f, line)) {
    auto comma = line.find(',');
    REQUIRE(comma == 16);
    uint64_t bits = std::stoull(line.substr(0, 16), nullptr, 16);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    std::string want = line.substr(comma + 1);
    std::string got = hc::json::format_number(d);
    if (got != want) {
      ++failed;
      UNSCOPED_INFO(line << " gave " << got);
    }
    ++checked;
  }
  CHECK(failed == 0);
  CHECK(checked == 5029);
}

TEST_CASE("numbers survive a parse and canonicalize round trip", "[jcs]") {
  CHECK(canonical(parse("[1e21, 1e20, 0.000001, 1e-7, -0, 123456789012345678901234567890]")) ==
        "[1e+21,100000000000000000000,0.000001,1e-7,0,1.2345678901234568e+29]");
  CHECK(canonical(parse("9007199254740993")) == "9007199254740992");
}

TEST_CASE("I-JSON violations are rejected with a clear error", "[json]") {
  auto fails_with = [](std::string_view text, std::string_view needle) {
    try {
      parse(text, "doc.json");
    } catch (const hc::Error& e) {
      CHECK(e.code() == hc::Exit::data);
      CHECK(e.file() == "doc.json");
      CHECK_THAT(e.message(), Catch::Contains(std::string(needle)));
      return;
    }
    FAIL("accepted: " << text);
  };
  fails_with(R"({"a":1,"a":2})", "duplicate member name \"a\"");
  fails_with(R"({"a":{"b":1,"b":1}})", "duplicate member name \"b\"");
  fails_with(R"("\ud800")", "surrogate");
  fails_with(R"("\udc00x")", "surrogate");
  fails_with("NaN", "invalid literal");
  fails_with("[Infinity]", "invalid literal");
  fails_with("1e999", "out of the range");
  fails_with("\"\xff\"", "UTF-8");
  fails_with("{\"a\":1} x", "end of input");
  fails_with(std::string(65, '[') + std::string(65, ']'), "nesting deeper than 64 levels");
}

TEST_CASE("errors name the line and column", "[json]") {
  try {
    parse("{\n  \"a\": 1,\n  \"b\": tru}\n", "x.json");
    FAIL("accepted");
  } catch (const hc::Error& e) {
    CHECK(e.line() == 3);
    CHECK(e.describe().rfind("x.json:3: column", 0) == 0);
  }
}

TEST_CASE("UTF-16 member order differs from UTF-8 order above U+E000", "[jcs]") {
  // In UTF-8, U+E000 (EE 80 80) sorts before U+1F600 (F0 9F 98 80); in UTF-16
  // U+1F600 is D83D DE00, which sorts before E000. RFC 8785 wants UTF-16.
  auto v = parse(R"({"\ue000":1,"\ud83d\ude00":2,"a":3})");
  CHECK(canonical(v) == "{\"a\":3,\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1}");
}

TEST_CASE("strings use the minimal escapes", "[jcs]") {
  CHECK(canonical(parse(R"("\u0001\u001f\"\\\/\b\f\n\r\t\u00e9\u2028")")) ==
        "\"\\u0001\\u001f\\\"\\\\/\\b\\f\\n\\r\\t\xc3\xa9\xe2\x80\xa8\"");
}
