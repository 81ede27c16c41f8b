/* http_errors.h: the codes and messages of the HTTP client's failed
 * transfers (http_errors.c); not part of the discovery API. */
#ifndef DK_HTTP_ERRORS_H
#define DK_HTTP_ERRORS_H

#include <curl/curl.h>
#include <stddef.h>

#include "dynbuf.h"
#include "err.h"

#define HTTP_SAFE_URL_LEN 256

struct http_client;

/* Copies url for messages and logs: no user:password@, no ?query (which
 * may carry secrets) and no #fragment. */
void http_safe_url(const char *url, char *out, size_t cap);

/* Fills err for a failed transfer, with curl's own words and a hint. */
enum dk_code http_transfer_error(struct http_client *c, const char *method,
                                 const char *url, CURLcode rc,
                                 const struct dynbuf *b, struct dk_err *err);

/* The request was abandoned because the client's interrupt said stop. */
enum dk_code http_interrupted_error(const char *method, const char *url,
                                    struct dk_err *err);

#endif
