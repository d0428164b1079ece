// Shared tool options and steps (see options.h).
#include "common/options.h"

#include <hc/core/io.h>

#include <cstdlib>

namespace hc::tool {

keys::PassphraseFn passphrase_for(const std::string& what, const PassphraseSource& src) {
  return [what, src] { return read_passphrase(src, what); };
}

keys::SecretKey unlock_key(const std::string& path, const PassphraseSource& src) {
  return keys::load_secret(path, passphrase_for(path, src));
}

void print_json(const json::Value& value, bool pretty) { io::write_stdout(json::dump(value, pretty)); }

std::string ledger_dir(const LedgerOptions& o) {
  if (!o.dir.empty()) return o.dir;
  if (const char* e = std::getenv("HC_LEDGER"); e && *e) return e;
  throw Error(Exit::usage, "no ledger folder").hint("give -d DIR or set HC_LEDGER");
}

CLI::Option* add_ledger_dir(CLI::App& app, LedgerOptions& o) {
  return app.add_option("-d,--dir", o.dir, "Ledger folder (default: $HC_LEDGER)");
}

CLI::Option* add_producer(CLI::App& app, LedgerOptions& o, const std::string& description) {
  return app.add_option("--producer", o.producer, description);
}

CLI::Option* add_passphrase_file(CLI::App& app, PassphraseSource& src, const std::string& description) {
  return app.add_option("--passphrase-file", src.file, description);
}

}  // namespace hc::tool
