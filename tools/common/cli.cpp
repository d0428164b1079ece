// The shared shell of every hc tool: parse, run, report errors, exit.
#include "common/cli.h"

#include <hc/core/io.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

namespace hc::tool {
namespace {

std::string g_name = "hc";
bool g_quiet = false;

bool color() { return ::isatty(2) && std::getenv("NO_COLOR") == nullptr; }

void print_line(const char* label, const char* ansi, const std::string& message) {
  if (color())
    fmt::print(stderr, "{}: \033[{}m{}:\033[0m {}\n", g_name, ansi, label, message);
  else
    fmt::print(stderr, "{}: {}: {}\n", g_name, label, message);
}

void report(const Error& e) {
  print_line("error", "1;31", e.describe());
  if (!e.hint().empty()) print_line("hint", "1;36", e.hint());
}

/// Reads one line from the terminal with echo off; restores the terminal on
/// every path.
crypto::SecretString prompt_tty(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    throw Error(Exit::usage, "no passphrase: no terminal to ask on")
        .hint("use --passphrase-file FILE or set HC_PASSPHRASE");
  struct termios old {};
  bool have_termios = ::tcgetattr(fd, &old) == 0;
  if (have_termios) {
    struct termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ICANON;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  crypto::SecretString line;
  char c;
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = !line.empty();
      break;
    }
    if (c == '\n' || c == '\r') break;
    if (line.size() > 4096) {
      ok = false;
      break;
    }
    line.push_back(c);
  }
  c = 0;
  if (have_termios) ::tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  if (!ok) throw Error(Exit::usage, "no passphrase was entered");
  return line;
}

crypto::SecretString from_file(const std::string& path) {
  std::string raw = io::read_all(path, 64 * 1024);
  crypto::SecretString s(raw.begin(), raw.end());
  crypto::secure_zero(raw.data(), raw.size());
  // The first line is the passphrase, as with gpg --passphrase-file.
  auto nl = s.find('\n');
  if (nl != crypto::SecretString::npos) s.resize(nl);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

}  // namespace

void setup(CLI::App& app, const std::string& name) {
  g_name = name;
  app.set_version_flag("--version", std::string(name) + " (hc) " + HC_VERSION);
  app.footer(fmt::format(
      "Exit status: 0 ok, 1 invalid (a check failed), 2 usage, 65 bad data, 66 no input,\n"
      "73 cannot create output, 74 I/O error, 77 permission or passphrase, 70 internal.\n"
      "See {}(1) and hc(7).",
      name));
  app.get_formatter()->column_width(34);
}

int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_line("error", "1;31", e.what());
    print_line("hint", "1;36", fmt::format("try '{} --help'", g_name));
    return static_cast<int>(Exit::usage);
  }
  try {
    return body();
  } catch (const Error& e) {
    report(e);
    return static_cast<int>(e.code());
  } catch (const CLI::ParseError& e) {
    print_line("error", "1;31", e.what());
    return static_cast<int>(Exit::usage);
  } catch (const std::bad_alloc&) {
    report(Error(Exit::internal, "out of memory"));
    return static_cast<int>(Exit::internal);
  } catch (const std::exception& e) {
    report(Error(Exit::internal, fmt::format("internal error: {}", e.what())));
    return static_cast<int>(Exit::internal);
  }
}

void warn(const std::string& message) { print_line("warning", "1;33", message); }

void note(const std::string& message) {
  if (!g_quiet) fmt::print(stderr, "{}: {}\n", g_name, message);
}

void set_quiet(bool quiet) { g_quiet = quiet; }

bool stderr_is_tty() { return ::isatty(2); }

crypto::SecretString read_passphrase(const PassphraseSource& src, const std::string& what) {
  if (!src.file.empty()) return from_file(src.file);
  if (src.allow_env) {
    if (const char* env = std::getenv(src.env_name.c_str())) return crypto::SecretString(env);
  }
  return prompt_tty(fmt::format("Passphrase for {}: ", what));
}

crypto::SecretString read_new_passphrase(const PassphraseSource& src, const std::string& what) {
  crypto::SecretString p;
  if (!src.file.empty() || (src.allow_env && std::getenv(src.env_name.c_str()))) {
    p = read_passphrase(src, what);
  } else {
    p = prompt_tty(fmt::format("New passphrase for {}: ", what));
    auto again = prompt_tty("Repeat passphrase: ");
    if (p != again) throw Error(Exit::usage, "the passphrases do not match");
  }
  if (p.empty()) throw Error(Exit::usage, "empty passphrase").hint("use --no-passphrase to store the key unencrypted");
  return p;
}

}  // namespace hc::tool
