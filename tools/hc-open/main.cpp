// hc-open: decrypt an age v1 file with hc keys or age identities (see
// hc-open(1)). Only authenticated chunks are ever written.
#include "common/cli.h"
#include "common/options.h"

#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/seal/age.h>

#include <csignal>

int main(int argc, char** argv) {
  CLI::App app{"Decrypt an age v1 file (from hc-seal or age -r) with an hc private key or an age identity file. "
               "Only authenticated 64 KiB chunks are written; a non-zero exit means the output must be discarded."};
  hc::tool::setup(app, "hc-open");
  std::vector<std::string> keys, identity_files;
  std::string input = "-", output;
  hc::tool::PassphraseSource passphrase;
  bool force = false;
  app.add_option("-k,--key", keys, "hc private key file (NAME.key); repeatable")->allow_extra_args(false);
  app.add_option("-i,--identity", identity_files, "age identity file (AGE-SECRET-KEY-1... lines); repeatable")->allow_extra_args(false);
  hc::tool::add_passphrase_file(app, passphrase, "Read the key's passphrase from the first line of FILE");
  app.add_option("INPUT", input, "age file to decrypt (default: standard input)");
  app.add_option("-o,--output", output, "Write to FILE, atomically: nothing is left there on failure");
  app.add_flag("-f,--force", force, "Replace an existing output file");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    if (keys.empty() && identity_files.empty())
      throw CLI::RequiredError("--key or --identity");
    std::vector<hc::crypto::SecretBytes> ids;
    for (const auto& k : keys) {
      ids.push_back(hc::tool::unlock_key(k, passphrase).x25519_secret);
    }
    for (const auto& f : identity_files) {
      if (hc::io::file_mode(f) & 077)
        hc::tool::warn(f + " can be read by other users: it holds a secret key");
      std::string text = hc::io::read_all(f, 1 << 20);
      for (auto& id : hc::seal::parse_identity_file(text, f)) ids.push_back(std::move(id));
      hc::crypto::secure_zero(text.data(), text.size());
    }
    hc::seal::FileSource in(input);
    if (output.empty() || output == "-") {
      // A closed pipe is an I/O error (74), not a silent death by SIGPIPE.
      std::signal(SIGPIPE, SIG_IGN);
      hc::seal::StdoutSink out;
      hc::seal::decrypt(ids, in, out);
    } else {
      // Plaintext may be private: the file is created 0600 and appears only
      // once every chunk has authenticated; on failure the temporary is removed.
      hc::seal::AtomicFileSink out(output, 0600, force ? hc::io::Overwrite::replace : hc::io::Overwrite::refuse);
      hc::seal::decrypt(ids, in, out);
      out.commit();
    }
    return 0;
  });
}
