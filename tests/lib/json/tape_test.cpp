// A Tape must accept what parse() accepts and give the same canonical form;
// what it refuses, parse() refuses too (or is one of the few texts the Tape
// leaves to parse(): a byte-order mark, a number token over 63 characters).
#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/json/json.h>
#include <hc/json/tape.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using hc::json::Tape;

namespace {

/// The canonical text parse() leads to, or "error".
std::string by_dom(std::string_view text, const hc::json::Limits& l) {
  try {
    return hc::json::canonical(hc::json::parse(text, "t", l));
  } catch (const hc::Error&) {
    return "error";
  }
}

std::string by_tape(std::string_view text, const hc::json::Limits& l) {
  Tape t;
  if (!t.read(text, l)) return "error";
  std::string out;
  hc::json::canonical_append(out, t, 0);
  return out;
}

}  // namespace

TEST_CASE("the tape reads what parse() reads, to the same canonical text") {
  const char* cases[] = {
      "{}", "[]", " [1, -0, 0, -1, 0.5, -0.0, 1e2, 1E+2, 1e-400, 1e400, 123456789012345678, 1234567890123456789]",
      "[18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809, 9007199254740993]",
      "[1e21, 1e20, 0.000001, 1e-7, 4.50, 2e-3, 333333333.33333329, 1E400, -1e-400]",
      R"({"a":"\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r","b":[true,false,null]})", R"(["\ud800"])", R"(["\udc00"])",
      R"(["\ud800\u0041"])", R"(["\u0000\u001f\u007f"])", "[\"\x01\"]", "[\"\x7f\"]", R"({"a":1,"a":2})",
      R"({"a":1,"\u0061":2})", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[+1]", "{\"a\" 1}", "{\"a\":1,}", "[1,]",
      "[1 2]", "{} x", "", "   ", "nul", "truex", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]",
      "[\"\xe2\x82\"]", "[\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbf\"]", "[[[[[]]]]]", "{\"a\":{\"b\":{\"c\":{}}}}",
      "[\"\\x\"]", "[\"\\u12G4\"]", "\n[\n1,\n2\n,\nx]", "{\"\":0}", "0", "-5", "\"s\"", "[1]\n",
      // Member order: bytes, except names with code points from U+E000
      // (UTF-16 puts U+FFFF after a surrogate pair, UTF-8 before it).
      "{\"b\":1,\"a\":2,\"aa\":3,\"A\":4,\"\xef\xbf\xbf\":5,\"\xf0\x9f\x98\x80\":6,\"\xc3\xa9\":7}",
      R"({"z":{"y":[{"b":1,"a":[3,{"d":4,"c":5}]}]},"_sd":"x"})",
  };
  for (const char* c : cases) {
    INFO(c);
    for (unsigned depth : {64u, 3u}) {
      hc::json::Limits l{.max_bytes = 1 << 20, .max_depth = depth};
      CHECK(by_tape(c, l) == by_dom(c, l));
    }
  }
  CHECK(by_tape(R"({"a":1,"\u0061":2})", {}) == "error");
  CHECK(by_tape("[[[[]]]]", {.max_depth = 3}) == "error");
  CHECK(by_tape("[1,2,3]", {.max_bytes = 6}) == "error");
}

TEST_CASE("the tape writes fractions as parse() and canonical_append do") {
  // Around the tape's shortcut for fractions it keeps as written: 15 and 16
  // significant digits, 1e-6 against 1e-7, trailing zeros, signs, exponents.
  const char* cases[] = {"0.5", "-0.5", "118.5", "76.25", "0.000001", "0.0000015", "0.0000001", "-0.000001",
                         "0.10", "5.0", "-0.0", "0.0", "123456789012345.6", "12345678901234.5", "1.23456789012345",
                         "1.234567890123456", "0.123456789012345", "0.000001234567890123", "999999999999999.9",
                         "99999999999999.9", "100000000000000000000.5", "1.5e3", "1.5E-3", "0.30000000000000004",
                         "9007199254740993.5", "0.1000000000000001", "00.5"};
  for (const char* c : cases) {
    std::string doc = std::string("[") + c + "]";
    INFO(doc);
    CHECK(by_tape(doc, {}) == by_dom(doc, {}));
  }
  // Random fractions: 1 to 17 digits, the point anywhere, leading zeros.
  std::mt19937_64 rng(20261127);
  for (int i = 0; i < 20000; ++i) {
    size_t digits = 1 + rng() % 17, point = rng() % (digits + 1), zeros = rng() % 4 == 0 ? rng() % 9 : 0;
    std::string d;
    for (size_t k = 0; k < digits; ++k) d += static_cast<char>('0' + rng() % 10);
    std::string text = (rng() % 2 ? "-" : "");
    std::string ip = d.substr(0, point), fp = std::string(zeros, '0') + d.substr(point);
    while (ip.size() > 1 && ip[0] == '0') ip.erase(0, 1);
    if (ip.empty()) ip = "0";
    if (fp.empty()) fp = "0";
    text += ip + "." + fp;
    INFO(text);
    REQUIRE(by_tape(text, {}) == by_dom(text, {}));
  }
}

TEST_CASE("the tape leaves a byte-order mark and very long numbers to parse()") {
  std::string bom = "\xef\xbb\xbf{\"a\":1}";
  std::string long_number = "[1." + std::string(70, '5') + "]";
  for (const std::string& text : {bom, long_number}) {
    CHECK(by_tape(text, {}) == "error");
    std::string c = by_dom(text, {});
    REQUIRE(c != "error");
    CHECK(by_tape(c, {}) == c);  // parse() then the canonical text: the fallback route
  }
}

TEST_CASE("the tape's accessors") {
  Tape t;
  REQUIRE(t.read(R"({"b":[10,"x",{"k":null}],"a":"\u0041\"","c":true})"));
  CHECK(t.kind(0) == Tape::Kind::object);
  CHECK(t.size(0) == 3);
  CHECK(t.text(t.member(0, 0)) == "a");
  CHECK(t.text(t.member(0, 1)) == "b");
  CHECK(t.text(t.member(0, 2)) == "c");
  Tape::Index a = t.find(0, "a");
  REQUIRE(a != Tape::npos);
  CHECK(t.kind(a) == Tape::Kind::string);
  CHECK(t.text(a) == "A\"");
  CHECK_FALSE(t.plain(a));
  CHECK(t.find(0, "zz") == Tape::npos);
  Tape::Index b = t.find(0, "b");
  REQUIRE(t.kind(b) == Tape::Kind::array);
  CHECK(t.size(b) == 3);
  Tape::Index e0 = b + 1, e1 = t.next(e0), e2 = t.next(e1);
  CHECK(t.text(e0) == "10");
  CHECK(t.text(e1) == "x");
  CHECK(t.plain(e1));
  CHECK(t.kind(e2) == Tape::Kind::object);
  CHECK(t.next(e2) == t.next(b));
  CHECK(t.kind(t.find(e2, "k")) == Tape::Kind::null);
  CHECK(t.text(t.find(0, "c")) == "true");
}

TEST_CASE("the tape canonicalizes the JCS vectors and random documents as parse() does") {
  fs::path dir = fs::path(HC_TESTDATA) / "jcs";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir / "input")) {
    std::string in = hc::io::read_all(entry.path().string());
    std::string want = hc::io::read_all((dir / "output" / entry.path().filename()).string());
    INFO(entry.path().filename().string());
    CHECK(by_tape(in, {}) == want);
    ++checked;
  }
  CHECK(checked == 6);

  std::mt19937_64 rng(20261127);
  const char* atoms[] = {"0", "-0", "1.5", "1e21", "1e-7", "123456789012345678901", "true", "null",
                         "\"a\"", "\"\\u00e9\\n\"", "\"\xef\xbf\xbf\"", "\"\\\"\\\\\""};
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    unsigned r = static_cast<unsigned>(rng() % 4);
    if (depth > 4 || r == 0) return atoms[rng() % std::size(atoms)];
    std::string s;
    size_t n = rng() % 5;
    if (r == 1) {
      s = "[";
      for (size_t i = 0; i < n; ++i) s += (i ? "," : "") + gen(depth + 1);
      return s + "]";
    }
    s = "{";
    for (size_t i = 0; i < n; ++i) {
      std::string name = std::string(1, static_cast<char>('a' + rng() % 4)) + (rng() % 2 ? "\xc3\xa9" : "");
      s += (i ? "," : "") + ("\"" + name + "\":") + gen(depth + 1);
    }
    return s + "}";
  };
  for (int i = 0; i < 500; ++i) {
    std::string doc = gen(0);
    INFO(doc);
    CHECK(by_tape(doc, {}) == by_dom(doc, {}));  // duplicates included: both refuse
  }
}

namespace {

/// UTF-8 (well-formed) to UTF-16 code units, for an order computed apart
/// from the library's.
std::u16string utf16(std::string_view s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
    char32_t cp;
    size_t n;
    if (b(0) < 0x80) cp = b(0), n = 1;
    else if (b(0) < 0xE0) cp = (b(0) & 0x1F) << 6 | (b(1) & 0x3F), n = 2;
    else if (b(0) < 0xF0) cp = (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F), n = 3;
    else cp = (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F), n = 4;
    i += n;
    if (cp >= 0x10000) {
      out += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
      out += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

/// A JSON string for `s`, every byte below 0x20 and every third ASCII
/// letter escaped as \u00XX (names then reach the tape both ways).
std::string quoted(std::string_view s, bool escape_some) {
  std::string out = "\"";
  int k = 0;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || c == '"' || c == '\\' || (escape_some && u < 0x80 && ++k % 3 == 0)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// The names of object `i`'s members in the tape's order.
std::vector<std::string> member_names(const Tape& t, Tape::Index i) {
  std::vector<std::string> out;
  for (uint32_t k = 0; k < t.size(i); ++k) out.emplace_back(t.text(t.member(i, k)));
  return out;
}

/// Reads an object with these names (values their positions), and checks
/// the tape's member order against a sort by UTF-16 code units, or that it
/// refuses the object when a name repeats; parse() must agree either way.
void check_members(const std::vector<std::string>& names, bool escape_some) {
  std::string doc = "{";
  for (size_t k = 0; k < names.size(); ++k) doc += (k ? "," : "") + quoted(names[k], escape_some) + ":" + std::to_string(k);
  doc += "}";
  INFO(doc);
  std::vector<std::string> want = names;
  std::sort(want.begin(), want.end(), [](const std::string& a, const std::string& b) { return utf16(a) < utf16(b); });
  bool duplicate = std::adjacent_find(want.begin(), want.end()) != want.end();
  Tape t;
  REQUIRE(t.read(doc) == !duplicate);
  CHECK(by_tape(doc, {}) == by_dom(doc, {}));
  if (duplicate) return;
  CHECK(member_names(t, 0) == want);
  for (uint32_t k = 0; k < t.size(0); ++k) {
    Tape::Index name = t.member(0, k);
    size_t at = static_cast<size_t>(std::find(names.begin(), names.end(), t.text(name)) - names.begin());
    CHECK(t.text(name + 1) == std::to_string(at));  // each name keeps its value
  }
}

}  // namespace

TEST_CASE("the tape sorts members by UTF-16 code units and refuses duplicate names") {
  using V = std::vector<std::string>;
  const std::string nul(1, '\0');
  const V cases[] = {
      {},
      {"a"},
      {"", "a", "b", "c", "d", "e", "f", "g", "h"},             // already sorted
      {"z", "y", "x", "w", "v", "u", "t", "s", "r", "q", ""},   // reverse sorted
      {"resourceType", "id", "status", "category", "code", "subject", "effectiveDateTime", "performer",
       "interpretation", "bodySite", "component", "note"},     // FHIR's order
      {"value", "unit", "system", "code"},
      // Equal first eight bytes (and more), prefixes of each other, NULs
      // after a shorter name (its key ties with the longer one's).
      {"effectiveDateTime", "effectivePeriod", "effectiv", "effective", "effectiveInstant", "effectiv" + nul,
       "effectiv" + nul + "x", "effecti", "effectiveDateTimf"},
      {"a" + nul, "a", "a" + nul + nul, "a" + nul + "b", "b", nul, "", nul + nul},
      {"abcdefgh", "abcdefghi", "abcdefg", "abcdefgi", "abcdefgg", "abcdefghh", "abcdefgha"},
      // UTF-8 byte order and UTF-16 order differ from U+E000 up: U+FF61
      // sorts before U+1F600 in bytes, after it in UTF-16.
      {"\xef\xbd\xa1", "\xf0\x9f\x98\x80"},
      {"\xf0\x9f\x98\x80", "\xef\xbd\xa1", "a", "\xc3\xa9", "\xee\x80\x80", "\xed\x9f\xbf", "\xef\xbf\xbf"},
      {"aaaaaaaa\xef\xbd\xa1", "aaaaaaaa\xf0\x9f\x98\x80", "aaaaaaaa", "aaaaaaa\xc3\xa9"},
      {"\xc3\xa9", "\xc3\xa8", "e", "\xdf\xbf", "\xe0\xa0\x80"},  // below U+E000: bytes and UTF-16 agree
      // Duplicates: adjacent, apart, first and last, long shared prefixes,
      // empty, with NULs, above U+E000.
      {"a", "a"},
      {"a", "b", "c", "a"},
      {"c", "b", "a", "c"},
      {"subjectReference", "code", "subjectReference"},
      {"abcdefghij", "abcdefghik", "abcdefghij"},
      {"", "x", ""},
      {"a" + nul, "a", "a" + nul},
      {"\xf0\x9f\x98\x80", "\xef\xbd\xa1", "\xf0\x9f\x98\x80"},
      {"b", "a", "c", "b"},
  };
  for (const V& names : cases)
    for (bool escape_some : {false, true}) check_members(names, escape_some);

  // Random objects over names that tie in their first eight bytes, hold
  // NULs, or sort differently in UTF-16, a repeated name now and then.
  const char* pool[] = {"", "a", "ab", "abcdefgh", "abcdefghi", "abcdefghj", "abcdefgh\xef\xbd\xa1",
                        "abcdefgh\xf0\x9f\x98\x80", "code", "coding", "codingSystem", "\xc3\xa9", "\xef\xbd\xa1",
                        "\xf0\x9f\x98\x80", "valueQuantity", "valueQuantitz", "z"};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    V names;
    size_t n = rng() % 12;
    for (size_t k = 0; k < n; ++k) {
      std::string s = pool[rng() % std::size(pool)];
      if (rng() % 5 == 0) s += nul;
      if (rng() % 5 == 0) s += static_cast<char>('a' + rng() % 3);
      names.push_back(s);
    }
    if (rng() % 2) {  // mostly distinct names, so that most objects are read
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      std::shuffle(names.begin(), names.end(), rng);
    }
    check_members(names, rng() % 2);
  }
}

TEST_CASE("the tape reads strings with each kind of byte at each position") {
  // The string scanner looks at sixteen bytes at a time, then fewer near
  // the end of the text: every byte that ends a run of plain ASCII, at
  // every position of a string, the string at every distance from the end.
  const std::string stops[] = {"\"",     "\\",       "\\\"",     "\\u00e9", "\x01",     "\x1f", "\x7f",
                               "\xc3\xa9", "\xee\x80\x80", "\xf0\x9f\x98\x80", "\xc3",  "\x80", "\xff", " ~"};
  for (const std::string& stop : stops)
    for (size_t at = 0; at < 40; ++at)
      for (size_t after : {0u, 1u, 7u, 15u, 16u, 17u, 40u}) {
        std::string doc = "[\"" + std::string(at, 'a') + stop + std::string(after, 'b') + "\"" + "]";
        INFO(doc);
        CHECK(by_tape(doc, {}) == by_dom(doc, {}));
        std::string spaced = doc + std::string(after, ' ');
        CHECK(by_tape(spaced, {}) == by_dom(spaced, {}));
      }
}
