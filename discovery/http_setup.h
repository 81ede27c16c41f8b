/* http_setup.h: the HTTP client's set-up of each request (http_setup.c);
 * not part of the discovery API. */
#ifndef DK_HTTP_SETUP_H
#define DK_HTTP_SETUP_H

#include <curl/curl.h>
#include <stddef.h>

#include "dynbuf.h"
#include "err.h"
#include "http.h"

/* The request's method; "GET" when none is given. */
const char *http_method_of(const struct http_request *req);

/* Moves the collected body into resp (NULL when empty) and frees the
 * buffer. */
void http_body_take(struct dynbuf *b, struct http_response *resp);

/* curl write callback: returning less than given aborts the transfer (a
 * body over the cap, or no memory: the buffer keeps which). */
size_t http_write_body(char *data, size_t size, size_t n, void *user);

/* Wipes and frees a header list that may hold the bearer token. */
void http_headers_free(struct curl_slist *list);

/* Builds the header list for req: auth, content type, no Expect. */
enum dk_code http_build_headers(const struct http_request *req,
                                struct curl_slist **out, struct dk_err *err);

/* Options every transfer gets: timeouts, TLS verification, error buffer. */
void http_set_common_options(struct http_client *c, const char *url,
                             long timeout_ms);

/* Sets the method and the request body. */
void http_set_method(CURL *h, const struct http_request *req);

/* Rejects requests that cannot be sent, before touching the network. */
enum dk_code http_check_request(const struct http_request *req,
                                struct dk_err *err);

#endif
