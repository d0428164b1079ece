// hc-store: put, get, list and verify sealed objects in the off-chain store
// (see hc-store(1)).
#include "common/cli.h"
#include "common/options.h"

#include <hc/blobstore/blobstore.h>
#include <hc/core/io.h>
#include <hc/json/json.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

namespace {

std::string default_store() {
  if (const char* s = std::getenv("HC_STORE"); s && *s) return s;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/hc/store";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/hc/store";
  return "hc-store";
}

hc::json::Value to_json(const hc::blobstore::ObjectInfo& o) {
  return {{"id", o.id}, {"size", o.size}, {"location", o.location}};
}

/// A Reader over a file or stdin ("-").
hc::blobstore::ObjectInfo put_file(hc::blobstore::Backend& store, const std::string& path,
                                   const hc::blobstore::PutOptions& opts) {
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw hc::Error(hc::Exit::no_input, std::string("cannot open: ") + std::strerror(errno)).file(path);
  std::unique_ptr<int, void (*)(int*)> closer(path == "-" ? nullptr : &fd, [](int* f) { ::close(*f); });
  return store.put(
      [&](uint8_t* buf, size_t n) -> size_t {
        for (;;) {
          ssize_t r = ::read(fd, buf, n);
          if (r >= 0) return static_cast<size_t>(r);
          if (errno != EINTR)
            throw hc::Error(hc::Exit::io, std::string("cannot read: ") + std::strerror(errno)).file(path);
        }
      },
      opts);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Keep sealed objects in the off-chain store, addressed by the SHA-256 of their bytes: a local "
               "folder by default, or a FHIR R4 server (Binary + DocumentReference)."};
  hc::tool::setup(app, "hc-store");
  std::string store = default_store(), output, content_type = "application/octet-stream";
  std::vector<std::string> files, ids;
  std::string id;
  bool quiet = false, force = false;
  uint64_t max_size = 0;
  long timeout = 60;
  app.add_option("-s,--store", store, "Store: a folder, or fhir+http(s)://HOST[:PORT]/BASE (default $HC_STORE)")
      ->capture_default_str();
  app.add_option("--max-size", max_size, "Largest object in bytes (default 1 GiB local, 64 MiB FHIR)");
  app.add_option("--timeout", timeout, "Seconds for each request to a FHIR server (default 60)")
      ->check(CLI::Range(1, 3600));
  app.add_flag("-q,--quiet", quiet, "Print nothing but data and errors");
  app.require_subcommand(1);

  auto* cmd_put = app.add_subcommand("put", "Store files (or standard input) and print their addresses");
  cmd_put->add_option("FILE", files, "Sealed files to store (default: standard input)");
  cmd_put->add_option("--content-type", content_type, "Media type recorded with the object (FHIR contentType)");
  auto* cmd_get = app.add_subcommand("get", "Write the bytes of object ID, after checking them against ID");
  cmd_get->add_option("ID", id, "Object address: 64 hex digits")->required();
  cmd_get->add_option("-o,--output", output, "Write to FILE (atomically) instead of standard output");
  cmd_get->add_flag("-f,--force", force, "Replace an existing output file");
  auto* cmd_list = app.add_subcommand("list", "Print every object in the store, one JSON line each");
  auto* cmd_verify = app.add_subcommand("verify", "Check objects (default: all) against their addresses");
  cmd_verify->add_option("ID", ids, "Object addresses to check");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    hc::tool::set_quiet(quiet);
    auto backend = hc::blobstore::open(store, {.max_object = max_size, .timeout_seconds = timeout});
    if (cmd_put->parsed()) {
      if (files.empty()) files.push_back("-");
      for (const auto& f : files) {
        auto info = put_file(*backend, f, {.content_type = content_type});
        auto j = to_json(info);
        j["created"] = info.created;
        hc::tool::print_json(j);
        hc::tool::note((info.created ? "stored " : "already stored ") + (f == "-" ? "<stdin>" : f) + " as " + info.id);
      }
    } else if (cmd_get->parsed()) {
      std::string address = hc::blobstore::parse_address(id);
      if (output.empty() || output == "-") {
        backend->get(address, [](std::string_view chunk) { hc::io::write_stdout(chunk); });
      } else {
        hc::io::AtomicFile file(output, 0600, force ? hc::io::Overwrite::replace : hc::io::Overwrite::refuse);
        backend->get(address, [&](std::string_view chunk) { file.write(chunk); });
        file.commit();
      }
    } else if (cmd_list->parsed()) {
      for (const auto& info : backend->list()) hc::tool::print_json(to_json(info));
    } else if (cmd_verify->parsed()) {
      if (ids.empty())
        for (const auto& info : backend->list()) ids.push_back(info.id);
      int worst = 0;
      for (const auto& one : ids) {
        hc::json::Value j;
        try {
          j = to_json(backend->verify(hc::blobstore::parse_address(one)));
          j["ok"] = true;
        } catch (const hc::Error& e) {
          if (e.code() == hc::Exit::usage) throw;
          j = {{"id", one}, {"ok", false}, {"error", e.describe()}, {"code", hc::exit_name(e.code())}};
          hc::tool::warn(e.describe());
          if (worst == 0) worst = static_cast<int>(e.code());
        }
        hc::tool::print_json(j);
      }
      hc::tool::note(std::to_string(ids.size()) + " object(s) checked" + (worst ? ", some failed" : ", all intact"));
      return worst;
    }
    return 0;
  });
}
