// hc-verify: check a signed (and possibly extracted) record (see hc-verify(1)).
#include "common/cli.h"
#include "common/options.h"

#include <hc/ces/ces.h>
#include <hc/core/io.h>

#include <filesystem>

int main(int argc, char** argv) {
  CLI::App app{"Verify an SD-JWT-signed FHIR record strictly and print a JSON verdict (exit 0 valid, 1 invalid)."};
  hc::tool::setup(app, "hc-verify");
  std::vector<std::string> signers;
  std::string trust_dir, input = "-", at, aud, nonce;
  bool resource_only = false, require_kb = false, pretty = false;
  auto* s = app.add_option("--signer", signers, "The signer's public key file (repeatable)")->allow_extra_args(false);
  auto* t = app.add_option("--trust", trust_dir, "A folder of trusted public key files (*.pub)");
  s->excludes(t);
  app.add_option("--aud", aud, "Require a key-binding JWT for this audience");
  app.add_option("--nonce", nonce, "Require a key-binding JWT with this nonce");
  app.add_flag("--require-kb", require_kb, "Require a key-binding JWT by the holder");
  app.add_option("--at", at, "Check validity at this time instead of now (seconds, RFC 3339 or +N[smhd])");
  app.add_flag("--resource", resource_only, "Print only the disclosed FHIR resource");
  app.add_flag("--pretty", pretty, "Indent the output");
  app.add_option("FILE", input, "Signed record (either serialization); - or none = stdin");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    if (signers.empty() && trust_dir.empty())
      throw hc::Error(hc::Exit::usage, "no trusted key").hint("give --signer doctor.pub or --trust DIR");
    hc::ces::VerifyOptions o;
    for (const auto& f : signers) o.trusted.push_back(hc::keys::load_public(f));
    if (!trust_dir.empty()) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(trust_dir, ec))
        if (e.path().extension() == ".pub") o.trusted.push_back(hc::keys::load_public(e.path().string()));
      if (ec) throw hc::Error(hc::Exit::no_input, "cannot read the trust folder: " + ec.message()).file(trust_dir);
    }
    if (!at.empty()) o.now = hc::ces::parse_time(at, hc::ces::now_seconds());
    if (!aud.empty()) o.aud = aud;
    if (!nonce.empty()) o.nonce = nonce;
    o.require_kb = require_kb;
    auto sd = hc::ces::parse_sd_jwt(hc::io::read_all(input, o.limits.max_bytes), input == "-" ? "<stdin>" : input,
                                    o.limits);
    hc::ces::Verdict v;
    try {
      v = hc::ces::verify(sd, o);
    } catch (const hc::Error& e) {
      if (e.code() != hc::Exit::invalid) throw;
      // Checked and found invalid: the verdict goes to stdout, the reason to stderr too.
      if (!resource_only) hc::tool::print_json({{"valid", false}, {"error", e.message()}}, pretty);
      throw;
    }
    hc::tool::print_json(resource_only ? v.resource : v.to_json(), pretty);
    return 0;
  });
}
