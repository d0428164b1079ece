// HTTP over libcurl (Debian's libcurl4-openssl-dev): a well-kept client that
// handles HTTP/1.1, TLS and timeouts, so hc does not parse HTTP itself.
#include "http.h"

#include <hc/core/error.h>

#include <cctype>
#include <memory>
#include <mutex>

#include <curl/curl.h>

namespace hc::blobstore {
namespace {

struct Sink {
  std::string* body;
  size_t max;
  bool overflow = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->body->size() + n > sink->max) {
    sink->overflow = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

bool header_is(const std::string& line, const char* name) {
  size_t len = std::char_traits<char>::length(name);
  if (line.size() <= len || line[len] != ':') return false;
  for (size_t i = 0; i < len; ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::string header_value(const std::string& line) {
  size_t b = line.find(':') + 1;
  while (b < line.size() && (line[b] == ' ' || line[b] == '\t')) ++b;
  size_t e = line.size();
  while (e > b && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' ')) --e;
  return line.substr(b, e - b);
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* resp = static_cast<HttpResponse*>(user);
  size_t n = size * count;
  if (n > 8192) return n;  // ignore absurd header lines
  std::string line(data, n);
  if (header_is(line, "location")) resp->location = header_value(line);
  if (header_is(line, "content-type")) resp->content_type = header_value(line);
  return n;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpClient::HttpClient(long timeout_seconds, size_t max_response) : m_timeout(timeout_seconds), m_max(max_response) {
  global_init();
}

std::string HttpClient::escape(const std::string& text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

HttpResponse HttpClient::send(const HttpRequest& request) const {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw Error(Exit::internal, "cannot start libcurl");
  CURL* c = curl.get();
  HttpResponse resp;
  Sink sink{&resp.body, m_max};
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  for (const auto& [k, v] : request.headers) {
    std::string line = k + ": " + v;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (!next) throw Error(Exit::internal, "out of memory for HTTP headers");
    headers.release();
    headers.reset(next);
  }
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, m_timeout);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, std::min(m_timeout, 30L));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(m_max));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "hc-store/0.1");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (request.method != "GET" && request.method != "POST")
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

  CURLcode rc = curl_easy_perform(c);
  std::string what = request.method + " " + request.url;
  if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED)
    throw Error(Exit::data, "response to " + what + " is larger than " + std::to_string(m_max) + " bytes");
  if (rc == CURLE_OPERATION_TIMEDOUT)
    throw Error(Exit::temp, "no answer to " + what + " within " + std::to_string(m_timeout) + " s");
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY)
    throw Error(Exit::unavailable, "cannot reach " + request.url + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  if (rc != CURLE_OK)
    throw Error(Exit::io, what + " failed: " + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

}  // namespace hc::blobstore
