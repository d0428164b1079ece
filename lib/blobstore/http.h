// A small HTTP client over libcurl for the network backends: no redirects,
// http/https only, a whole-request timeout and a bound on the response body.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hc::blobstore {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string location;      ///< Location header, if any
  std::string content_type;  ///< Content-Type header, if any
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class HttpClient {
 public:
  HttpClient(long timeout_seconds, size_t max_response);
  /// Sends one request. Error{unavailable} if the server cannot be reached,
  /// Error{temp} on timeout, Error{data} if the response exceeds the bound.
  HttpResponse send(const HttpRequest& request) const;
  /// Percent-encodes `text` for a query value (RFC 3986 unreserved kept).
  static std::string escape(const std::string& text);

 private:
  long m_timeout;
  size_t m_max;
};

}  // namespace hc::blobstore
