/* dkron_config.c: see dkron_config.h. */
#include "dkron_config.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* mkdir -p of path's directory (dkron creates its data dir the same way). */
static void make_parents(const char *path)
{
  char dir[4096];

  snprintf(dir, sizeof(dir), "%s", path);
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    (void)mkdir(dir, 0700);
    *p = '/';
  }
}

enum dk_code dkron_config_write(const char *path, long reconcile_interval_ms,
                                struct dk_err *err)
{
  char tmp[4096];
  FILE *f;
  int ok;

  if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
    return dk_err_set(err, DK_EINVAL, "config path too long: %s", path);
  make_parents(path);
  f = fopen(tmp, "w");
  if (!f)
    return dk_err_set(err, DK_EIO,
                      "cannot write dkron's config file %s: %s; the data "
                      "dir must be writable",
                      tmp, strerror(errno));
  ok = fprintf(f,
               "{\n  \"_comment\": \"written by dkron-server-wrapper at "
               "every start\",\n  \"reconcileinterval\": \"%ldms\"\n}\n",
               reconcile_interval_ms) > 0;
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    return dk_err_set(err, DK_EIO, "cannot write dkron's config file %s: %s",
                      path, strerror(e));
  }
  return DK_OK;
}

void dkron_config_warn_hidden(void)
{
  const char *home = getenv("HOME");
  char pattern[4096];
  const char *dirs[3] = {"/etc/dkron", NULL, "./config"};
  char home_dir[4096];

  if (home && home[0]) {
    snprintf(home_dir, sizeof(home_dir), "%s/.dkron", home);
    dirs[1] = home_dir;
  }
  for (size_t i = 0; i < 3; i++) {
    glob_t g;

    if (!dirs[i])
      continue;
    snprintf(pattern, sizeof(pattern), "%s/dkron.*", dirs[i]);
    if (glob(pattern, 0, NULL, &g) == 0) {
      for (size_t k = 0; k < g.gl_pathc; k++)
        LOG_WARNF("dkron will not read %s: the wrapper gives it its own "
                  "--config; move those settings to flags after -- or to "
                  "DKRON_* variables",
                  g.gl_pathv[k]);
    }
    globfree(&g);
  }
}
