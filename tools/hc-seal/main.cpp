// hc-seal: encrypt a file for one or more recipients in the age v1 format
// (see hc-seal(1)).
#include "common/cli.h"

#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/seal/age.h>
#include <hc/seal/armor.h>

#include <algorithm>
#include <csignal>
#include <unistd.h>

namespace {

/// A recipient given as "age1..." or as an hc key file (public or private).
hc::crypto::X25519Public recipient(const std::string& arg) {
  if (arg.rfind("age1", 0) == 0 && !hc::io::exists(arg)) return hc::seal::parse_recipient(arg);
  return hc::keys::load_public(arg).x25519;
}

void seal(const std::vector<hc::crypto::X25519Public>& to, hc::seal::Source& in, hc::seal::Sink& out, bool armor) {
  if (!armor) return hc::seal::encrypt(to, in, out);
  hc::seal::ArmorSink text(out);
  hc::seal::encrypt(to, in, text);
  text.finish();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Encrypt a file for one or more recipients in the age v1 format (age-encryption.org/v1), "
               "streaming it in 64 KiB chunks. age -d opens the result."};
  hc::tool::setup(app, "hc-seal");
  std::vector<std::string> to;
  std::string input = "-", output;
  bool force = false, armor = false;
  app.add_option("-r,--to", to, "Recipient: an hc key file (NAME.pub) or an age recipient (age1...); repeatable")
      ->required()
      ->allow_extra_args(false);
  app.add_option("INPUT", input, "File to encrypt (default: standard input)");
  app.add_option("-o,--output", output, "Write to FILE, atomically (default: standard output)");
  app.add_flag("-f,--force", force, "Replace an existing output file");
  app.add_flag("-a,--armor", armor, "Write age's ASCII armor (PEM-like text) instead of binary");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    std::vector<hc::crypto::X25519Public> recipients;
    for (const auto& t : to) {
      auto r = recipient(t);
      if (std::find(recipients.begin(), recipients.end(), r) == recipients.end()) recipients.push_back(r);
    }
    if ((output.empty() || output == "-") && !armor && ::isatty(1))
      throw hc::Error(hc::Exit::usage, "refusing to write an encrypted file to a terminal").hint("use -o FILE or a pipe");
    hc::seal::FileSource in(input);
    if (output.empty() || output == "-") {
      std::signal(SIGPIPE, SIG_IGN);  // a closed pipe is an I/O error (74)
      hc::seal::StdoutSink out;
      seal(recipients, in, out, armor);
    } else {
      hc::seal::AtomicFileSink out(output, 0644, force ? hc::io::Overwrite::replace : hc::io::Overwrite::refuse);
      seal(recipients, in, out, armor);
      out.commit();
    }
    return 0;
  });
}
