// hc-extract: remove parts of a signed record (see hc-extract(1)).
#include "common/cli.h"
#include "common/options.h"

#include <hc/ces/ces.h>
#include <hc/core/io.h>

int main(int argc, char** argv) {
  CLI::App app{"Remove parts of an SD-JWT-signed FHIR record; the rest still verifies against the signer's key. "
               "Optionally add a key-binding JWT as the patient."};
  hc::tool::setup(app, "hc-extract");
  hc::ces::ExtractOptions o;
  std::string input = "-", output, policy_file, holder_key_file;
  hc::tool::PassphraseSource passphrase;
  bool compact = false, as_json = false, force = false;
  app.add_option("--remove", o.remove, "Remove this part (JSON Pointer into the resource, e.g. /address/0/line)")
      ->allow_extra_args(false);
  app.add_option("--keep", o.keep, "Keep only these parts (and what must stay)")->allow_extra_args(false);
  app.add_option("--policy", policy_file, "Extraction policy file: {\"remove\": [...]} and/or {\"keep\": [...]}");
  auto* hk = app.add_option("--holder-key", holder_key_file, "Add a key-binding JWT signed with this private key");
  auto* aud = app.add_option("--aud", o.aud, "Key-binding audience (who it is for)");
  auto* nonce = app.add_option("--nonce", o.nonce, "Key-binding nonce (from the verifier)");
  hk->needs(aud)->needs(nonce);
  aud->needs(hk);
  nonce->needs(hk);
  hc::tool::add_passphrase_file(app, passphrase, "Read the holder key's passphrase from FILE");
  app.add_flag("--compact", compact, "Write the compact ~ serialization");
  app.add_flag("--json", as_json, "Write the JSON serialization")->excludes("--compact");
  app.add_option("-o,--output", output, "Write to FILE (atomically) instead of standard output");
  app.add_flag("-f,--force", force, "Replace an existing output file");
  app.add_option("FILE", input, "Signed record (either serialization); - or none = stdin");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    if (!policy_file.empty()) hc::ces::load_extract_policy(policy_file, o);
    std::string text = hc::io::read_all(input, 16u << 20);
    auto doc = hc::ces::open_document(text, input == "-" ? "<stdin>" : input);
    std::optional<hc::keys::SecretKey> holder;
    if (!holder_key_file.empty()) {
      holder = hc::tool::unlock_key(holder_key_file, passphrase);
      o.holder_key = &*holder;
    }
    auto out = hc::ces::extract(std::move(doc), o);
    bool was_json = text.find_first_not_of(" \t\r\n") != std::string::npos &&
                    text[text.find_first_not_of(" \t\r\n")] == '{';
    bool write_compact = compact || (!as_json && !was_json);
    hc::io::write_output(output, write_compact ? out.compact() + "\n" : out.json_line(), force);
    return 0;
  });
}
