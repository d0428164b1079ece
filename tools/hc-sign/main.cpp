// hc-sign: sign FHIR R4 resources as SD-JWTs (see hc-sign(1)).
#include "common/cli.h"
#include "common/options.h"

#include <hc/ces/ces.h>
#include <hc/core/io.h>

#include <fmt/format.h>

int main(int argc, char** argv) {
  CLI::App app{"Sign FHIR R4 resources (or Bundles) as SD-JWTs (RFC 9901) with EdDSA, so that the patient can "
               "remove parts later and the rest still verifies."};
  hc::tool::setup(app, "hc-sign");
  std::string key_file, holder_file, policy_file, input = "-", output, expires;
  hc::tool::PassphraseSource passphrase;
  bool compact = false, stream = false, force = false, quiet = false;
  app.add_option("--key", key_file, "The signer's (doctor's) private key file")->required();
  app.add_option("--holder", holder_file, "Bind to this patient public key (cnf claim), for key-binding JWTs");
  app.add_option("--policy", policy_file, "Extraction policy file (default: the built-in one)");
  app.add_option("--expires", expires, "Expiry: seconds since 1970, RFC 3339 UTC, or +N[smhd]");
  app.add_flag("--compact", compact, "Write the compact ~ serialization instead of JSON");
  app.add_flag("--stream", stream, "JSON Lines in, one SD-JWT per line out");
  hc::tool::add_passphrase_file(app, passphrase, "Read the key's passphrase from FILE");
  app.add_option("-o,--output", output, "Write to FILE (atomically) instead of standard output");
  app.add_flag("-f,--force", force, "Replace an existing output file");
  app.add_flag("-q,--quiet", quiet, "Print nothing but data and errors");
  app.add_option("FILE", input, "FHIR resource (JSON), or JSON Lines with --stream; - or none = stdin");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    hc::tool::set_quiet(quiet);
    hc::ces::SignOptions opts;
    hc::ces::Policy policy;
    if (!policy_file.empty()) {
      policy = hc::ces::load_policy(policy_file);
      opts.policy = &policy;
    }
    if (!holder_file.empty()) opts.holder = hc::keys::load_public(holder_file).ed25519;
    if (!expires.empty()) opts.exp = hc::ces::parse_time(expires, hc::ces::now_seconds());
    auto key = hc::tool::unlock_key(key_file, passphrase);
    hc::ces::Signer signer(key, opts);
    const auto form = compact ? hc::ces::Serialization::compact : hc::ces::Serialization::json;
    if (!stream) {
      auto text = hc::io::read_all(input);
      std::string out;
      signer.sign_line(text, input == "-" ? "<stdin>" : input, form, out);
      hc::io::write_output(output, out, force);
      return 0;
    }
    // Stream mode: one output line per input line, written as it is made,
    // so memory stays flat however many records go through.
    hc::io::LineReader lines(input);
    std::unique_ptr<hc::io::AtomicFile> file;
    if (!output.empty() && output != "-")
      file = std::make_unique<hc::io::AtomicFile>(output, 0644,
                                                  force ? hc::io::Overwrite::replace : hc::io::Overwrite::refuse);
    std::string line, batch;
    size_t count = 0;
    while (lines.next(line)) {
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      try {
        signer.sign_line(line, lines.name(), form, batch);
      } catch (hc::Error& e) {
        e.file(lines.name() == "-" ? "<stdin>" : lines.name()).line(lines.line_number());
        throw;
      }
      ++count;
      if (batch.size() >= 1u << 16) {
        file ? file->write(batch) : hc::io::write_stdout(batch);
        batch.clear();
      }
    }
    file ? file->write(batch) : hc::io::write_stdout(batch);
    if (file) file->commit();
    hc::tool::note(fmt::format("signed {} record{}", count, count == 1 ? "" : "s"));
    return 0;
  });
}
