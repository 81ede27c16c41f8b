/* http_setup.c: what the HTTP client sets up for each request (see
 * http_setup.h): the checks before any network use, the headers, the
 * easy handle's options and method, and the capped body buffer. */
#include "http_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_errors.h"
#include "http_internal.h"

#define HTTP_KEEPALIVE_IDLE_S     15L
#define HTTP_KEEPALIVE_INTERVAL_S 5L
#define HTTP_KEEPALIVE_PROBES     3L

const char *http_method_of(const struct http_request *req)
{
  return req->method && *req->method ? req->method : "GET";
}
/* ---- body buffer ---- */

/* Moves the collected body into resp (NULL when empty) and frees the
 * buffer. */
void http_body_take(struct dynbuf *b, struct http_response *resp)
{
  resp->body = dynbuf_len(b) ? dynbuf_take(b, &resp->len) : NULL;
  dynbuf_free(b);
}

/* curl write callback: returning less than given aborts the transfer (a
 * body over the cap, or no memory: the buffer keeps which). */
size_t http_write_body(char *data, size_t size, size_t n, void *user)
{
  if (dynbuf_add(user, data, size * n) != DK_OK)
    return 0;
  return size * n;
}
/* ---- per-request setup ---- */

/* Wipes and frees a header list that may hold the bearer token. */
void http_headers_free(struct curl_slist *list)
{
  for (struct curl_slist *it = list; it; it = it->next)
    explicit_bzero(it->data, strlen(it->data));
  curl_slist_free_all(list);
}

/* Appends "Authorization: Bearer <token>"; the temporary copy is wiped. */
static enum dk_code add_bearer(struct curl_slist **list, const char *token,
                               struct dk_err *err)
{
  static const char prefix[] = "Authorization: Bearer ";
  size_t tlen = strlen(token);
  char *line;
  struct curl_slist *grown;

  if (strpbrk(token, "\r\n"))
    return dk_err_set(err, DK_EINVAL,
                      "bearer token contains a line break; check the token "
                      "file has a single line");
  line = malloc(sizeof(prefix) + tlen);
  if (!line)
    return dk_err_set(err, DK_ENOMEM, "out of memory building headers");
  memcpy(line, prefix, sizeof(prefix) - 1);
  memcpy(line + sizeof(prefix) - 1, token, tlen + 1);
  grown = curl_slist_append(*list, line);
  explicit_bzero(line, sizeof(prefix) + tlen);
  free(line);
  if (!grown)
    return dk_err_set(err, DK_ENOMEM, "out of memory building headers");
  *list = grown;
  return DK_OK;
}

/* Adds one constant header line. */
static enum dk_code add_header(struct curl_slist **list, const char *line,
                               struct dk_err *err)
{
  struct curl_slist *grown = curl_slist_append(*list, line);

  if (!grown)
    return dk_err_set(err, DK_ENOMEM, "out of memory building headers");
  *list = grown;
  return DK_OK;
}

/* Builds the header list for req: auth, content type, no Expect. */
enum dk_code http_build_headers(const struct http_request *req,
                                struct curl_slist **out, struct dk_err *err)
{
  struct curl_slist *list = NULL;
  enum dk_code rc = DK_OK;
  char ctype[256];

  if (req->bearer && *req->bearer)
    rc = add_bearer(&list, req->bearer, err);
  if (rc == DK_OK && req->body && req->content_type) {
    int n =
      snprintf(ctype, sizeof(ctype), "Content-Type: %s", req->content_type);

    if (n < 0 || (size_t)n >= sizeof(ctype) || strpbrk(ctype, "\r\n"))
      rc = dk_err_set(err, DK_EINVAL, "content type \"%.64s\" is invalid",
                      req->content_type);
    else
      rc = add_header(&list, ctype, err);
  }
  if (rc == DK_OK)
    rc = add_header(&list, "Expect:", err); /* no 100-continue round trip */
  if (rc != DK_OK) {
    http_headers_free(list);
    return rc;
  }
  *out = list;
  return DK_OK;
}

/* Options every transfer gets: timeouts, TLS verification, error buffer. */
void http_set_common_options(struct http_client *c, const char *url,
                             long timeout_ms)
{
  CURL *h = c->easy;

  curl_easy_reset(h); /* keeps the live connections */
  c->errbuf[0] = '\0';
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (c->ca_file) {
    curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(h, CURLOPT_CAPATH, NULL); /* only the given CAs */
  }
  /* A peer that is gone (a half-open connection, as under a long watch)
   * is noticed by the probes: the first after 15 s of silence, then every
   * 5 s (3 of them where libcurl can set the count; else the system's,
   * 9 on Linux: a minute in all). */
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, HTTP_KEEPALIVE_IDLE_S);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, HTTP_KEEPALIVE_INTERVAL_S);
#if LIBCURL_VERSION_NUM >= 0x080900
  curl_easy_setopt(h, CURLOPT_TCP_KEEPCNT, HTTP_KEEPALIVE_PROBES);
#endif
  curl_easy_setopt(h, CURLOPT_USERAGENT, HTTP_USER_AGENT);
}

/* Sets the method and the request body. */
void http_set_method(CURL *h, const struct http_request *req)
{
  const char *method = http_method_of(req);

  if (strcmp(method, "GET") == 0 && !req->body) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (strcmp(method, "HEAD") == 0) {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    return;
  }
  /* A body (even an empty one for POST/PUT/PATCH) goes out with a
   * Content-Length; CUSTOMREQUEST renames the method curl sends. */
  if (req->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
      strcmp(method, "PATCH") == 0) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)(req->body ? req->body_len : 0));
  }
  if (strcmp(method, "POST") != 0)
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
}

/* Rejects requests that cannot be sent, before touching the network. */
enum dk_code http_check_request(const struct http_request *req,
                                struct dk_err *err)
{
  const char *method;

  if (!req || !req->url)
    return dk_err_set(err, DK_EINVAL, "HTTP request without a URL");
  method = http_method_of(req);
  if (strncmp(req->url, "http://", 7) != 0 &&
      strncmp(req->url, "https://", 8) != 0) {
    char shown[HTTP_SAFE_URL_LEN];

    http_safe_url(req->url, shown, sizeof(shown));
    return dk_err_set(err, DK_EINVAL,
                      "%s %s: URL must start with http:// or https://", method,
                      shown);
  }
  if (strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(method))
    return dk_err_set(err, DK_EINVAL,
                      "HTTP method \"%.16s\" is invalid; use an upper-case "
                      "token such as GET or PATCH",
                      method);
  return DK_OK;
}
