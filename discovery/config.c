/* config.c: see config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const cfg_log_levels[] = {"debug", "info", "warn", "error", NULL};
const char *const cfg_log_formats[] = {"text", "json", NULL};

static const struct cfg_option *find_option(const struct cfg_spec *spec,
                                            const char *name, size_t len)
{
  for (size_t i = 0; i < spec->n_opts; i++) {
    const char *n = spec->opts[i].name;
    if (strlen(n) == len && strncmp(n, name, len) == 0)
      return &spec->opts[i];
  }
  return NULL;
}

long cfg_parse_duration_ms(const char *text)
{
  const char *p = text;
  long total = 0;

  if (!p || !*p)
    return -1;
  while (*p) {
    char *end;
    long unit;

    const char *start = p;

    if (!isdigit((unsigned char)*p))
      return -1;
    errno = 0;
    long n = strtol(p, &end, 10);
    if (errno || end == p)
      return -1;
    p = end;
    if (strncmp(p, "ms", 2) == 0) {
      unit = 1;
      p += 2;
    } else if (*p == 's') {
      unit = 1000;
      p++;
    } else if (*p == 'm') {
      unit = 60000;
      p++;
    } else if (*p == 'h') {
      unit = 3600000;
      p++;
    } else if (*p == '\0' && start == text) {
      unit = 1000; /* bare number: seconds */
    } else {
      return -1;
    }
    if (n > (LONG_MAX - total) / unit)
      return -1;
    total += n * unit;
  }
  return total;
}

static int parse_bool(const char *v, bool *out)
{
  static const char *const yes[] = {"1", "true", "yes", "on"};
  static const char *const no[] = {"0", "false", "no", "off"};

  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(v, yes[i]) == 0) {
      *out = true;
      return 0;
    }
    if (strcasecmp(v, no[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return -1;
}

static const char *type_hint(const struct cfg_option *o, char *buf, size_t len)
{
  switch (o->type) {
    case CFG_INT:
      if (o->min != o->max)
        snprintf(buf, len, "an integer from %ld to %ld", o->min, o->max);
      else
        snprintf(buf, len, "an integer");
      return buf;
    case CFG_DURATION:
      return "a duration such as 500ms, 30s, 2m or 1m30s";
    case CFG_BOOL:
      return "true or false";
    case CFG_CHOICE: {
      size_t pos = 0;
      pos += (size_t)snprintf(buf, len, "one of:");
      for (const char *const *c = o->choices; c && *c && pos < len; c++)
        pos += (size_t)snprintf(buf + pos, len - pos, " %s", *c);
      return buf;
    }
    case CFG_STRING:
      break;
  }
  return "a non-empty string";
}

/* A whole decimal integer, as a port or a count is written: an optional
 * '-' and digits only. strtol alone would also take leading white space
 * and a '+' (" 80" as 80), which a value from a manifest should not
 * silently get. 0 and *out, or -1 (overflow included). */
static int parse_int(const char *value, long *out)
{
  const char *digits = value[0] == '-' ? value + 1 : value;
  char *end;
  long n;

  if (!isdigit((unsigned char)digits[0]))
    return -1;
  errno = 0;
  n = strtol(value, &end, 10);
  if (errno || *end)
    return -1;
  *out = n;
  return 0;
}

/* What to change in a refused value, when it is a common slip: white
 * space around it (a quoted YAML value), a sign. "" otherwise. */
static const char *fix_hint(const struct cfg_option *o, const char *value)
{
  size_t len = strlen(value);

  if (len && (isspace((unsigned char)value[0]) ||
              isspace((unsigned char)value[len - 1])))
    return "; remove the white space around it";
  if ((o->type == CFG_INT || o->type == CFG_DURATION) && value[0] == '+')
    return "; write it without the sign";
  return "";
}

/* Stores value into the option's target; on error writes why into err. */
static int set_value(const struct cfg_option *o, const char *value,
                     const char *from, char *err, size_t errlen)
{
  char buf[256];
  const char *hint;
  long n;

  switch (o->type) {
    case CFG_STRING:
      *(const char **)o->target = value;
      return 0;
    case CFG_INT:
      if (parse_int(value, &n) != 0 ||
          (o->min != o->max && (n < o->min || n > o->max)))
        goto invalid;
      *(long *)o->target = n;
      return 0;
    case CFG_DURATION:
      n = cfg_parse_duration_ms(value);
      if (n < 0 || (o->min != o->max && (n < o->min || n > o->max)))
        goto invalid;
      *(long *)o->target = n;
      return 0;
    case CFG_BOOL:
      if (parse_bool(value, (bool *)o->target) != 0)
        goto invalid;
      return 0;
    case CFG_CHOICE:
      for (const char *const *c = o->choices; c && *c; c++) {
        if (strcmp(*c, value) == 0) {
          *(const char **)o->target = *c;
          return 0;
        }
      }
      goto invalid;
  }
invalid:
  if (o->type == CFG_DURATION && o->min != o->max &&
      cfg_parse_duration_ms(value) >= 0) {
    snprintf(buf, sizeof(buf), "a duration from %ldms to %ldms", o->min,
             o->max);
    hint = buf;
  } else {
    hint = type_hint(o, buf, sizeof(buf));
  }
  snprintf(err, errlen,
           "invalid value \"%s\" for --%s (from %s): expected %s%s", value,
           o->name, from, hint, fix_hint(o, value));
  return -1;
}

/* Applies defaults, then the environment; flags come later. */
static int apply_defaults_and_env(const struct cfg_spec *spec, char *err,
                                  size_t errlen)
{
  for (size_t i = 0; i < spec->n_opts; i++) {
    const struct cfg_option *o = &spec->opts[i];
    const char *name = o->env;
    const char *env = name ? getenv(name) : NULL;
    char from[128];

    if ((!env || !*env) && o->env_alias) {
      name = o->env_alias;
      env = getenv(name);
    }
    if (o->source)
      *o->source = CFG_FROM_DEFAULT;
    if (o->def && set_value(o, o->def, "the default", err, errlen) != 0)
      return -1;
    if (env && *env) {
      snprintf(from, sizeof(from), "env %s", name);
      if (set_value(o, env, from, err, errlen) != 0)
        return -1;
      if (o->source)
        *o->source = CFG_FROM_ENV;
    }
  }
  return 0;
}

/* Handles one "--name[=value]" at argv[*i]; may consume argv[*i + 1]. */
static enum cfg_result parse_flag(const struct cfg_spec *spec, int argc,
                                  char **argv, int *i, char *err, size_t errlen)
{
  const char *arg = argv[*i] + 2;
  const char *eq = strchr(arg, '=');
  size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
  const struct cfg_option *o = find_option(spec, arg, len);
  const char *value = eq ? eq + 1 : NULL;

  if (!o) {
    snprintf(err, errlen, "unknown option --%.*s (see --help)", (int)len, arg);
    return CFG_INVALID;
  }
  if (!value && o->type == CFG_BOOL) {
    value = "true";
  } else if (!value) {
    if (*i + 1 >= argc) {
      snprintf(err, errlen, "option --%s needs a value: --%s=<%s>", o->name,
               o->name, o->type == CFG_STRING ? "value" : "value");
      return CFG_INVALID;
    }
    value = argv[++*i];
  }
  if (set_value(o, value, "the command line", err, errlen) != 0)
    return CFG_INVALID;
  if (o->source)
    *o->source = CFG_FROM_FLAG;
  return CFG_OK;
}

enum cfg_result cfg_parse(const struct cfg_spec *spec, int argc, char **argv,
                          struct cfg_rest *rest, char *err, size_t errlen)
{
  rest->argc = 0;
  rest->argv = argv + argc;
  err[0] = '\0';
  /* Help wins over bad values, but what follows -- is dkron's. */
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
      return CFG_HELP;
    if (strcmp(argv[i], "--version") == 0)
      return CFG_VERSION;
  }
  if (apply_defaults_and_env(spec, err, errlen) != 0)
    return CFG_INVALID;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      if (!spec->passthrough && i + 1 < argc) {
        snprintf(err, errlen, "arguments after -- are not accepted");
        return CFG_INVALID;
      }
      rest->argc = argc - i - 1;
      rest->argv = argv + i + 1;
      break;
    }
    if (strncmp(argv[i], "--", 2) != 0) {
      snprintf(
        err, errlen, "unexpected argument \"%s\": options are --name=value%s",
        argv[i], spec->passthrough ? "; arguments for dkron go after --" : "");
      return CFG_INVALID;
    }
    enum cfg_result r = parse_flag(spec, argc, argv, &i, err, errlen);
    if (r != CFG_OK)
      return r;
  }
  return CFG_OK;
}

static const char *type_metavar(enum cfg_type t)
{
  switch (t) {
    case CFG_INT:
      return "=N";
    case CFG_DURATION:
      return "=DURATION";
    case CFG_BOOL:
      return "[=BOOL]";
    case CFG_CHOICE:
      return "=CHOICE";
    case CFG_STRING:
      break;
  }
  return "=VALUE";
}

#define HELP_WIDTH 78

/* Prints text, each line after indent, wrapped at width columns on spaces;
 * a word longer than a line is kept whole. */
static void print_wrapped_at(FILE *out, const char *text, const char *indent,
                             size_t width)
{
  const size_t room = width - strlen(indent);

  while (*text) {
    size_t len = strlen(text);
    size_t cut = len;

    if (len > room) {
      cut = room;
      while (cut > 0 && text[cut] != ' ')
        cut--;
      if (cut == 0)
        cut = strcspn(text, " ");
    }
    fprintf(out, "%s%.*s\n", indent, (int)cut, text);
    text += cut;
    while (*text == ' ')
      text++;
  }
}

static void print_wrapped(FILE *out, const char *text)
{
  print_wrapped_at(out, text, "      ", HELP_WIDTH);
}

/* "env NAME (or the older ALIAS); default: VALUE", the default on a line
 * of its own when the whole does not fit. */
static void print_env_line(FILE *out, const struct cfg_option *o)
{
  char env[160];
  const char *def = o->def ? (*o->def ? o->def : "(empty)") : "(none)";
  int n = snprintf(env, sizeof(env), "env %s%s%s%s", o->env ? o->env : "(none)",
                   o->env_alias ? " (or the older " : "",
                   o->env_alias ? o->env_alias : "", o->env_alias ? ")" : "");

  if (n > 0 &&
      (size_t)n + strlen("      ; default: ") + strlen(def) <= HELP_WIDTH) {
    fprintf(out, "      %s; default: %s\n", env, def);
    return;
  }
  fprintf(out, "      %s;\n", env);
  fprintf(out, "      default: %s\n", def);
}

void cfg_print_help(const struct cfg_spec *spec, FILE *out)
{
  char hint[256];

  fprintf(out, "Usage: %s [options]%s\n\n%s\n\nOptions:\n", spec->prog,
          spec->passthrough ? " [-- dkron-args...]" : "", spec->summary);
  for (size_t i = 0; i < spec->n_opts; i++) {
    const struct cfg_option *o = &spec->opts[i];

    fprintf(out, "  --%s%s\n", o->name, type_metavar(o->type));
    print_wrapped(out, o->help);
    if (o->type == CFG_CHOICE)
      fprintf(out, "      Values: %s.\n", type_hint(o, hint, sizeof(hint)) + 8);
    print_env_line(out, o);
  }
  fprintf(out, "  -h, --help\n      Print this help and exit.\n"
               "  --version\n      Print the version and exit.\n");
  if (spec->passthrough) {
    char after[512];

    snprintf(after, sizeof(after), "After --: %s", spec->passthrough);
    fputc('\n', out);
    print_wrapped_at(out, after, "", HELP_WIDTH);
  }
}

struct step cfg_handle(const struct cfg_spec *spec, enum cfg_result res,
                       const char *version, const char *err)
{
  switch (res) {
    case CFG_OK:
      return step_go_on();
    case CFG_HELP:
      cfg_print_help(spec, stdout);
      return step_exit(0);
    case CFG_VERSION:
      printf("%s %s\n", spec->prog, version);
      return step_exit(0);
    case CFG_INVALID:
      break;
  }
  fprintf(stderr, "%s: %s\nRun '%s --help' for the options.\n", spec->prog, err,
          spec->prog);
  return step_exit(CFG_EXIT_INVALID);
}
