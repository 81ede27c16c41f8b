/* redact.h: scrubs credentials out of text that came from elsewhere (an
 * API server's Status message may echo request headers) before it goes
 * into a log line or an error message.
 *
 * Each of these is replaced with "[redacted]", case-insensitively:
 *   - the value of an Authorization header or field: "authorization" then
 *     ':' or '=' (quotes, spaces and '[' allowed around), then the
 *     credentials, with their scheme ("Basic ...") if any:
 *     "Authorization: Bearer abc" -> "Authorization: [redacted]";
 *   - the credential after "bearer" and white space:
 *     "bearer abc" -> "bearer [redacted]";
 *   - a JWT-shaped string: "eyJ", then base64url text with two dots.
 * A credential is a run of RFC 6750 token characters (letters, digits and
 * -._~+/=).
 */
#ifndef DK_REDACT_H
#define DK_REDACT_H

#include <stddef.h>

#define REDACTED "[redacted]"

/* Writes the scrubbed in to out (outlen bytes, NUL-terminated, cut to fit
 * after scrubbing, so a cut never exposes part of a secret). out must not
 * overlap in; outlen must be > 0. */
void redact_secrets(const char *in, char *out, size_t outlen);

#endif
