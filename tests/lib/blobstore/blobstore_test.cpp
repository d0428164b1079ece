// The off-chain store: addresses, the local backend (atomic, verified,
// self-repairing), and the parsers of FHIR server answers (untrusted input).
// The FHIR backend against a real FHIR server is tests/cli/hc-store/fhir.sh.
#include <catch2/catch.hpp>

#include <hc/blobstore/blobstore.h>
#include <hc/blobstore/fhir.h>
#include <hc/blobstore/local.h>
#include <hc/core/error.h>
#include <hc/core/io.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace hc::blobstore;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hc-blobstore-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

hc::Exit code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const hc::Error& e) {
    return e.code();
  }
  return hc::Exit::ok;
}

const std::string k_hello_id = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";  // "hello"

}  // namespace

TEST_CASE("addresses are SHA-256 in lowercase hex") {
  CHECK(address("hello") == k_hello_id);
  CHECK(parse_address(k_hello_id) == k_hello_id);
  CHECK(parse_address("sha256:" + k_hello_id) == k_hello_id);
  CHECK(nih_uri(k_hello_id) == "nih:sha-256;" + k_hello_id);
  for (std::string bad : {std::string("abc"), std::string(64, 'A'), k_hello_id + "0", std::string(64, 'g')})
    CHECK(code_of([&] { parse_address(bad); }) == hc::Exit::usage);
}

TEST_CASE("store specs") {
  CHECK(code_of([] { open(""); }) == hc::Exit::usage);
  CHECK(code_of([] { open("s3://bucket"); }) == hc::Exit::usage);
  CHECK(code_of([] { open("fhir+ftp://host/fhir"); }) == hc::Exit::usage);
  CHECK(code_of([] { open("fhir+http://host/fhir?x=1"); }) == hc::Exit::usage);
  CHECK(open("fhir+http://127.0.0.1:1/fhir/")->describe() == "fhir+http://127.0.0.1:1/fhir/");
}

TEST_CASE("local store: put, get, list, idempotence") {
  TempDir t;
  auto root = (t.path / "store").string();
  auto store = open(root);
  CHECK(code_of([&] { store->list(); }) == hc::Exit::no_input);
  auto a = put_bytes(*store, "hello");
  CHECK(a.id == k_hello_id);
  CHECK(a.size == 5);
  CHECK(a.created);
  CHECK(a.location == root + "/objects/2c/" + k_hello_id);
  CHECK(hc::io::file_mode(a.location) == 0600);
  CHECK_FALSE(put_bytes(*store, "hello").created);
  auto b = put_bytes(*store, std::string(200000, 'x'));
  CHECK(get_bytes(*store, k_hello_id) == "hello");
  CHECK(get_bytes(*store, b.id) == std::string(200000, 'x'));
  auto all = store->list();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id < all[1].id);
  CHECK(fs::is_empty(fs::path(root) / "tmp"));
  CHECK(code_of([&] { get_bytes(*store, std::string(64, '0')); }) == hc::Exit::no_input);
  auto empty = put_bytes(*store, "");
  CHECK(empty.id == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(get_bytes(*store, empty.id).empty());
}

TEST_CASE("local store: damage is caught before any byte is released, and put repairs it") {
  TempDir t;
  auto store = open(t.path.string());
  auto a = put_bytes(*store, "hello");
  {
    std::ofstream f(a.location, std::ios::app);
    f << "!";
  }
  std::string released;
  try {
    store->get(a.id, [&](std::string_view s) { released.append(s); });
    FAIL("damaged object was returned");
  } catch (const hc::Error& e) {
    CHECK(e.code() == hc::Exit::invalid);
    CHECK(e.file() == a.location);
  }
  CHECK(released.empty());
  CHECK(code_of([&] { store->verify(a.id); }) == hc::Exit::invalid);
  CHECK(put_bytes(*store, "hello").created);  // repaired
  CHECK(get_bytes(*store, a.id) == "hello");
}

TEST_CASE("local store: failures leave nothing behind") {
  TempDir t;
  auto root = t.path.string();
  StoreOptions small;
  small.max_object = 10;
  auto store = open(root, small);
  CHECK(code_of([&] { put_bytes(*store, "01234567890"); }) == hc::Exit::data);
  CHECK(code_of([&] {
          int calls = 0;
          store->put(
              [&](uint8_t* buf, size_t) -> size_t {
                if (++calls > 1) throw hc::Error(hc::Exit::io, "read error");
                buf[0] = 'x';
                return 1;
              },
              {});
        }) == hc::Exit::io);
  CHECK(fs::is_empty(fs::path(root) / "tmp"));
  CHECK(store->list().empty());
}

TEST_CASE("local store: refuses folders that are not stores") {
  TempDir t;
  { std::ofstream(t.path / "notes.txt") << "x"; }
  auto store = open(t.path.string());
  CHECK(code_of([&] { put_bytes(*store, "hello"); }) == hc::Exit::config);
  CHECK(code_of([&] { store->list(); }) == hc::Exit::config);
  fs::remove(t.path / "notes.txt");
  put_bytes(*store, "hello");
  { std::ofstream(t.path / "hc-store.json") << R"({"type":"hc-blobstore-v1","fanout":3})"; }
  CHECK(code_of([&] { store->list(); }) == hc::Exit::config);
}

TEST_CASE("FHIR answers: search bundles") {
  std::string id(64, 'a');
  std::string doc = R"({"resourceType":"DocumentReference","id":"d1","identifier":[{"system":"urn:ietf:rfc:3986","value":"nih:sha-256;)" +
                    id + R"("}],"content":[{"attachment":{"url":"Binary/b-1","size":5}}]})";
  std::string bundle = R"({"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"http://elsewhere/x?a=1&_offset=100"}],"entry":[{"resource":)" +
                       doc + R"(},{"resource":{"resourceType":"OperationOutcome"}}]})";
  std::string next;
  auto refs = fhir::parse_search(bundle, id, &next, 1 << 20);
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].resource_id == "d1");
  CHECK(refs[0].binary_id == "b-1");
  CHECK(refs[0].object_id == id);
  CHECK(*refs[0].size == 5);
  CHECK(next == "a=1&_offset=100");  // only the query is kept: the host is ours
  CHECK(fhir::parse_search(bundle, std::string(64, 'b'), nullptr, 1 << 20).empty());
  CHECK(fhir::parse_search(R"({"resourceType":"Bundle"})", "", nullptr, 100).empty());

  auto bad = [&](const std::string& text) { return code_of([&] { fhir::parse_search(text, "", &next, 1 << 20); }); };
  CHECK(bad("[]") == hc::Exit::data);
  CHECK(bad(R"({"resourceType":"Patient"})") == hc::Exit::data);
  CHECK(bad(R"({"resourceType":"Bundle","entry":{}})") == hc::Exit::data);
  std::string evil = doc;
  evil.replace(evil.find("Binary/b-1"), 10, "http://evil/Binary/1");
  CHECK(bad(R"({"resourceType":"Bundle","entry":[{"resource":)" + evil + "}]}") == hc::Exit::data);
  std::string neg = doc;
  neg.replace(neg.find("\"size\":5"), 8, "\"size\":-5");
  CHECK(bad(R"({"resourceType":"Bundle","entry":[{"resource":)" + neg + "}]}") == hc::Exit::data);
  CHECK(bad(R"({"resourceType":"Bundle","link":[{"relation":"next","url":"nowhere"}]})") == hc::Exit::data);
  CHECK(code_of([&] { fhir::parse_search(bundle, "", nullptr, 50); }) == hc::Exit::data);  // size bound
}

TEST_CASE("FHIR answers: Binary, created ids, outcomes") {
  CHECK(fhir::parse_binary(R"({"resourceType":"Binary","data":"aGVsbG8="})", 1000) == "hello");
  CHECK(code_of([] { fhir::parse_binary(R"({"resourceType":"Binary","data":"aGVsbG8"})", 1000); }) == hc::Exit::data);
  CHECK(code_of([] { fhir::parse_binary(R"({"resourceType":"Binary"})", 1000); }) == hc::Exit::data);
  CHECK(code_of([] { fhir::parse_binary(R"({"resourceType":"Patient","data":""})", 1000); }) == hc::Exit::data);
  CHECK(fhir::parse_created_id(R"({"resourceType":"Binary","id":"abc"})", "", "Binary", 1000) == "abc");
  CHECK(fhir::parse_created_id("", "http://h/fhir/Binary/x-1/_history/2", "Binary", 1000) == "x-1");
  CHECK(fhir::parse_created_id("", "Binary/x-1", "Binary", 1000) == "x-1");
  CHECK(code_of([] { fhir::parse_created_id("", "http://h/fhir/NotBinary/x", "Binary", 1000); }) == hc::Exit::data);
  CHECK(code_of([] { fhir::parse_created_id(R"({"resourceType":"Binary","id":"a/b"})", "", "Binary", 1000); }) ==
        hc::Exit::data);
  CHECK(fhir::outcome_text(R"({"resourceType":"OperationOutcome","issue":[{"diagnostics":"bad\nthing"}]})") ==
        "bad?thing");
  CHECK(fhir::outcome_text("not json").empty());
}

TEST_CASE("FHIR store that is not there") {
  auto store = open("fhir+http://127.0.0.1:1/fhir", {.max_object = 0, .timeout_seconds = 5});
  CHECK(code_of([&] { store->list(); }) == hc::Exit::unavailable);
  CHECK(code_of([&] { put_bytes(*store, "hello"); }) == hc::Exit::unavailable);
}
