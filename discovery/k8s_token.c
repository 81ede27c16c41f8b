/* k8s_token.c: the service-account token of the Kubernetes client (see
 * k8s_token.h): read from its file, re-read when the file changes or after
 * a 401, wiped when released. */
#include "k8s_token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "k8s_internal.h"
#include "log.h"

#define SA_PREFIX "system:serviceaccount:"

void k8s_token_release(struct k8s_token *t)
{
  if (t->value) {
    explicit_bzero(t->value, TOKEN_MAX + 1);
    free(t->value);
  }
  memset(t, 0, sizeof(*t));
}

static bool token_file_changed(const struct k8s_token *t, const struct stat *st)
{
  return !t->value || t->dev != st->st_dev || t->ino != st->st_ino ||
         t->size != st->st_size || t->mtime.tv_sec != st->st_mtim.tv_sec ||
         t->mtime.tv_nsec != st->st_mtim.tv_nsec;
}

/* A bearer token is printable ASCII without spaces; anything else would
 * corrupt the Authorization header. */
static bool token_chars_ok(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
      return false;
  return true;
}

static int base64url_value(char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-' || c == '+')
    return 62;
  if (c == '_' || c == '/')
    return 63;
  return -1;
}

/* Decodes n base64url characters into out (room for n * 3 / 4 bytes);
 * returns the decoded length or -1 on an invalid character. */
static long base64url_decode(const char *in, size_t n, unsigned char *out)
{
  unsigned long bits = 0;
  int nbits = 0;
  long len = 0;

  for (size_t i = 0; i < n && in[i] != '='; i++) {
    int v = base64url_value(in[i]);
    if (v < 0)
      return -1;
    bits = ((bits << 6) | (unsigned long)v) & 0xffffffUL;
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out[len++] = (unsigned char)((bits >> nbits) & 0xffu);
    }
  }
  return len;
}

/* The "sub" claim of a service-account JWT ("system:serviceaccount:ns:sa"),
 * for error messages only; out is "" if the token is not such a JWT. */
static void subject_from_jwt(const char *token, char *out, size_t outlen)
{
  const char *dot1 = strchr(token, '.');
  const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  unsigned char *payload;
  cJSON *claims = NULL;
  const cJSON *sub;
  size_t n;
  long len;

  out[0] = '\0';
  if (!dot2)
    return;
  n = (size_t)(dot2 - dot1 - 1);
  payload = malloc(n * 3 / 4 + 1);
  if (!payload)
    return;
  len = base64url_decode(dot1 + 1, n, payload);
  if (len > 0) {
    size_t end;

    payload[len] = '\0';
    json_parse((const char *)payload, (size_t)len, &claims, &end);
  }
  sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
  if (cJSON_IsString(sub) &&
      strncmp(sub->valuestring, SA_PREFIX, strlen(SA_PREFIX)) == 0)
    snprintf(out, outlen, "%s", sub->valuestring);
  cJSON_Delete(claims);
  explicit_bzero(payload, n * 3 / 4 + 1);
  free(payload);
}

/* Reads the token file into a fresh struct k8s_token. */
static enum dk_code token_read(const char *path, struct k8s_token *t,
                               struct dk_err *err)
{
  struct stat st;
  enum dk_code rc = DK_OK;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  memset(t, 0, sizeof(*t));
  if (fd < 0)
    return dk_err_set(err, DK_EIO, "read service-account token file %s: %s",
                      path, strerror(errno));
  t->value = malloc(TOKEN_MAX + 1);
  if (!t->value) {
    rc = dk_err_set(err, DK_ENOMEM, "out of memory reading the token");
    goto out;
  }
  if (fstat(fd, &st) != 0 ||
      k8s_read_file_trimmed(fd, t->value, TOKEN_MAX, &t->len) != 0) {
    rc = dk_err_set(err, DK_EIO, "read service-account token file %s: %s", path,
                    strerror(errno));
    goto out;
  }
  if (t->len == 0 || !token_chars_ok(t->value, t->len)) {
    rc = dk_err_set(err, DK_EINVAL,
                    "service-account token file %s is %s: mount a valid "
                    "token or set --kube-token-file",
                    path, t->len ? "not a token" : "empty");
    goto out;
  }
  t->dev = st.st_dev;
  t->ino = st.st_ino;
  t->size = st.st_size;
  t->mtime = st.st_mtim;
out:
  close(fd);
  if (rc != DK_OK)
    k8s_token_release(t);
  return rc;
}

/* Re-reads the token when forced (after a 401) or when its file changed
 * (a cheap stat per request); the old token is wiped. */
enum dk_code k8s_token_refresh(struct k8s_client *c, bool force,
                               struct dk_err *err)
{
  struct k8s_token fresh;
  struct stat st;
  enum dk_code rc;

  if (!force && c->token.value && stat(c->token_file, &st) == 0 &&
      !token_file_changed(&c->token, &st))
    return DK_OK;
  rc = token_read(c->token_file, &fresh, err);
  if (rc != DK_OK)
    return rc;
  if (c->token.value)
    LOG_DEBUGF("re-read the service-account token from %s", c->token_file);
  k8s_token_release(&c->token);
  c->token = fresh;
  if (!c->sa_configured)
    subject_from_jwt(c->token.value, c->service_account,
                     sizeof(c->service_account));
  return DK_OK;
}
