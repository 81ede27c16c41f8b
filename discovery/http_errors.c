/* http_errors.c: what a failed transfer of the HTTP client means (see
 * http_errors.h): libcurl's results mapped onto the project's codes, with
 * curl's own words, the OS error and a hint; URLs shown without secrets. */
#include "http_errors.h"

#include <stdio.h>
#include <string.h>

#include "http_internal.h"

/* Copies url for messages and logs: no user:password@, no ?query (which
 * may carry secrets) and no #fragment. */
void http_safe_url(const char *url, char *out, size_t cap)
{
  const char *scheme_end = strstr(url, "://");
  const char *host = scheme_end ? scheme_end + 3 : url;
  size_t host_len = strcspn(host, "/?#");
  const char *at = memchr(host, '@', host_len);
  size_t n = 0;

  if (at) {
    size_t prefix = (size_t)(host - url);

    n = prefix < cap - 1 ? prefix : cap - 1;
    memcpy(out, url, n);
    host = at + 1;
  }
  for (const char *p = at ? host : url; *p && *p != '?' && *p != '#'; p++) {
    if (n + 1 >= cap)
      break;
    out[n++] = *p;
  }
  out[n] = '\0';
}
/* ---- error mapping ---- */

/* Maps libcurl results onto the project's codes; b tells a cap overflow
 * (DK_ETOOBIG) or no memory from other write errors. */
static enum dk_code map_curl_code(CURLcode rc, const struct dynbuf *b)
{
  switch (rc) {
    case CURLE_OK:
      return DK_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return DK_ECONNECT;
    case CURLE_OPERATION_TIMEDOUT:
      return DK_ETIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return DK_ETLS;
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
      return DK_EPARSE;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return DK_EIO;
    case CURLE_WRITE_ERROR:
      return b && b->failed != DK_OK ? b->failed : DK_EIO;
    case CURLE_OUT_OF_MEMORY:
      return DK_ENOMEM;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return DK_EINVAL;
    case CURLE_ABORTED_BY_CALLBACK:
      return DK_ECANCELED;
    default:
      return DK_EIO;
  }
}

/* What to do about each kind of transport failure, for the message. */
static const char *hint_for(enum dk_code code)
{
  switch (code) {
    case DK_ECONNECT:
      return "check the host, port and that the server is up";
    case DK_ETIMEOUT:
      return "the server did not answer in time; check it is healthy or "
             "raise the timeout";
    case DK_ETLS:
      return "check the CA file (ca_file) matches the server certificate "
             "and the URL host is in its SAN";
    case DK_EPARSE:
      return "the reply was truncated or empty";
    default:
      return NULL;
  }
}

/* Fills err for a failed transfer, with curl's own words and a hint. */
enum dk_code http_transfer_error(struct http_client *c, const char *method,
                                 const char *url, CURLcode rc,
                                 const struct dynbuf *b, struct dk_err *err)
{
  enum dk_code code = map_curl_code(rc, b);
  char shown[HTTP_SAFE_URL_LEN];
  char why[CURL_ERROR_SIZE + 64];
  long os_errno = 0;

  http_safe_url(url, shown, sizeof(shown));
  /* curl's text says "Couldn't connect"; the OS error says why. */
  curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &os_errno);
  snprintf(why, sizeof(why), "%s%s%s",
           c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc),
           os_errno ? ": " : "", os_errno ? strerror((int)os_errno) : "");
  if (code == DK_ETOOBIG)
    return dk_err_set(err, code,
                      "%s %s: response body exceeds the %zu-byte cap (%s); "
                      "raise max_body in the client options",
                      method, shown, b->max, dk_code_name(code));
  if (!hint_for(code))
    return dk_err_set(err, code, "%s %s: %s (%s)", method, shown, why,
                      dk_code_name(code));
  return dk_err_set(err, code, "%s %s: %s (%s; %s)", method, shown, why,
                    dk_code_name(code), hint_for(code));
}
enum dk_code http_interrupted_error(const char *method, const char *url,
                                    struct dk_err *err)
{
  char shown[HTTP_SAFE_URL_LEN];

  http_safe_url(url, shown, sizeof(shown));
  return dk_err_set(err, DK_ECANCELED,
                    "%s %s: abandoned: the caller stopped it (a stop signal "
                    "arrived, or its time budget ran out)",
                    method, shown);
}
