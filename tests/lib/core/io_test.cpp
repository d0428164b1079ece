// lib/core I/O conventions that every tool relies on: line splitting of
// in-memory JSON Lines, bounded reads, and atomic, never-clobbering writes.
#include <hc/core/error.h>
#include <hc/core/io.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <sys/stat.h>

namespace fs = std::filesystem;
using hc::Error;
using hc::Exit;

namespace {

std::vector<std::pair<std::string, size_t>> lines_of(std::string_view text) {
  std::vector<std::pair<std::string, size_t>> out;
  hc::io::for_each_line(text, [&](std::string_view t, size_t n) { out.emplace_back(std::string(t), n); });
  return out;
}

// A fresh folder per test case, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hc-io-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("for_each_line skips blank lines but counts them") {
  auto v = lines_of("a\n\n  \r\nb\r\n\tc");
  REQUIRE(v.size() == 3);
  CHECK(v[0] == std::pair<std::string, size_t>{"a", 1});
  CHECK(v[1] == std::pair<std::string, size_t>{"b\r", 4});
  CHECK(v[2] == std::pair<std::string, size_t>{"\tc", 5});
  CHECK(lines_of("").empty());
  CHECK(lines_of("\n\n \t\n").empty());
  CHECK(lines_of("x\n").size() == 1);
}

TEST_CASE("for_each_line stops at what the callback throws") {
  size_t seen = 0;
  CHECK_THROWS_AS(hc::io::for_each_line("a\nb\nc\n",
                                        [&](std::string_view, size_t n) {
                                          if (n == 2) throw Error(Exit::data, "stop");
                                          ++seen;
                                        }),
                  Error);
  CHECK(seen == 1);
}

TEST_CASE("read_all refuses a file larger than its bound and names a missing one") {
  TempDir d;
  hc::io::write_file(d / "f", "0123456789");
  CHECK(hc::io::read_all(d / "f", 10) == "0123456789");
  try {
    hc::io::read_all(d / "f", 9);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::data);
  }
  try {
    hc::io::read_all(d / "missing");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::no_input);
    CHECK(e.describe().find("missing") != std::string::npos);
  }
}

TEST_CASE("LineReader numbers lines, strips CRLF and refuses an over-long line") {
  TempDir d;
  hc::io::write_file(d / "l", "one\r\ntwo\n" + std::string(100, 'x') + "\n");
  hc::io::LineReader r(d / "l", 50);
  std::string line;
  REQUIRE(r.next(line));
  CHECK(line == "one");
  REQUIRE(r.next(line));
  CHECK(line == "two");
  CHECK(r.line_number() == 2);
  try {
    r.next(line);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::data);
    CHECK(e.line() == 3);
  }
}

TEST_CASE("AtomicFile shows nothing until commit and leaves no temporary behind") {
  TempDir d;
  std::string path = d / "out.json";
  {
    hc::io::AtomicFile f(path, 0600);
    f.write("half");
    CHECK_FALSE(fs::exists(path));
  }  // destroyed without commit
  CHECK_FALSE(fs::exists(path));
  CHECK(fs::is_empty(d.path));

  {
    hc::io::AtomicFile f(path, 0600);
    f.write("whole");
    f.commit();
  }
  CHECK(slurp(path) == "whole");
  CHECK(hc::io::file_mode(path) == 0600);
  size_t entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(d.path)) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("write_file never clobbers unless asked to") {
  TempDir d;
  std::string path = d / "keep";
  hc::io::write_file(path, "first");
  try {
    hc::io::write_file(path, "second");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::cant_create);
  }
  CHECK(slurp(path) == "first");
  hc::io::write_file(path, "second", 0644, hc::io::Overwrite::replace);
  CHECK(slurp(path) == "second");
}
