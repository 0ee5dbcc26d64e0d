/* manifest.c — the catalogue as text (--list), as JSON (--list --json) and
 * as DIR/manifest.json (--serve). The JSON shape (docs/badssl.md):
 *   {"tool": "tlsharness-badssl", "version": 1, "seed": N, "ca": "ca.pem",
 *    "endpoints": [{"id", "group", "description", "served", "host",
 *                   "address", "port" (null when not served or not listening),
 *                   "expected": "ok"|"fail", "reason", "not_served_reason"?,
 *                   "crl"?, "ocsp_stapled", "quirks": {client: {"expected",
 *                   "reason"}}}]} */
#include <string.h>

#include "tools/badssl/badssl.h"

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      fprintf(f, "\\%c", ch);
    else if (ch < 0x20)
      fprintf(f, "\\u%04x", ch);
    else
      fputc(ch, f);
  }
  fputc('"', f);
}

static void json_field(FILE *f, const char *name, const char *value, int comma) {
  fprintf(f, "%s", comma ? ", " : "");
  json_str(f, name);
  fputs(": ", f);
  json_str(f, value);
}

static void json_quirks(FILE *f, const bs_def *d) {
  fputs(", \"quirks\": {", f);
  for (int i = 0, k = 0; i < BS_MAX_QUIRKS; i++) {
    const bs_quirk *q = &d->quirks[i];
    if (q->client == NULL) continue;
    fprintf(f, "%s", k++ ? ", " : "");
    json_str(f, q->client);
    fputs(": {", f);
    json_field(f, "expected", bs_verdict_name(q->verdict), 0);
    json_field(f, "reason", q->why, 1);
    fputs("}", f);
  }
  fputs("}", f);
}

static void json_endpoint(FILE *f, const bs_endpoint *ep) {
  const bs_def *d = ep->def;
  fputs("    {", f);
  json_field(f, "id", d->id, 0);
  json_field(f, "group", d->group, 1);
  json_field(f, "description", d->desc, 1);
  fprintf(f, ", \"served\": %s", ep->served ? "true" : "false");
  json_field(f, "host", bs_host(ep), 1);
  json_field(f, "address", bs_addr(ep), 1);
  if (ep->served && ep->port > 0)
    fprintf(f, ", \"port\": %d", ep->port);
  else
    fputs(", \"port\": null", f);
  json_field(f, "expected", bs_verdict_name(d->expect), 1);
  json_field(f, "reason", d->why, 1);
  if (!ep->served) json_field(f, "not_served_reason", ep->reason, 1);
  if (ep->crl[0]) json_field(f, "crl", ep->crl, 1);
  fprintf(f, ", \"ocsp_stapled\": %s", ep->ocsp ? "true" : "false");
  json_quirks(f, d);
  fputs("}", f);
}

int bs_write_json(const bs_cat *cat, FILE *f) {
  fprintf(f, "{\"tool\": \"tlsharness-badssl\", \"version\": 1, \"seed\": %llu, ", cat->seed);
  fputs("\"ca\": \"ca.pem\",\n  \"endpoints\": [\n", f);
  for (size_t i = 0; i < cat->n; i++) {
    json_endpoint(f, &cat->ep[i]);
    fputs(i + 1 < cat->n ? ",\n" : "\n", f);
  }
  fputs("  ]\n}\n", f);
  return ferror(f) ? TH_ERR_SYSCALL : TH_OK;
}

/* manifest.tsv: the served endpoints, one a line, for shell loops and C:
 * id host address port expected crl ("-" when none). */
static int write_tsv(const bs_cat *cat, FILE *f) {
  for (size_t i = 0; i < cat->n; i++) {
    const bs_endpoint *ep = &cat->ep[i];
    if (ep->served && ep->port > 0)
      fprintf(f, "%s\t%s\t%s\t%d\t%s\t%s\n", ep->def->id, bs_host(ep), bs_addr(ep), ep->port,
              bs_verdict_name(ep->def->expect), ep->crl[0] ? ep->crl : "-");
  }
  return ferror(f) ? TH_ERR_SYSCALL : TH_OK;
}

static int write_atomic(const bs_cat *cat, const char *name, int (*fn)(const bs_cat *, FILE *)) {
  char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
  snprintf(path, sizeof path, "%s/%s", cat->dir, name);
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", cat->dir, name);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) return TH_ERR_SYSCALL;
  int rc = fn(cat, f);
  if (fclose(f) != 0) rc = TH_ERR_SYSCALL;
  /* Readers never see half a manifest. */
  if (rc == TH_OK && rename(tmp, path) != 0) rc = TH_ERR_SYSCALL;
  return rc;
}

int bs_write_manifest(const bs_cat *cat) {
  int rc = write_atomic(cat, "manifest.tsv", write_tsv);
  return rc == TH_OK ? write_atomic(cat, "manifest.json", bs_write_json) : rc;
}

void bs_print_list(const bs_cat *cat, FILE *f) {
  size_t served = 0;
  fprintf(f, "%-28s %-11s %-6s %-5s %s\n", "ENDPOINT", "GROUP", "PORT", "WANT", "DESCRIPTION");
  for (size_t i = 0; i < cat->n; i++) {
    const bs_endpoint *ep = &cat->ep[i];
    char port[16];
    if (ep->served && ep->port > 0)
      snprintf(port, sizeof port, "%d", ep->port);
    else
      snprintf(port, sizeof port, "%s", ep->served ? "-" : "off");
    fprintf(f, "%-28s %-11s %-6s %-5s %s\n", ep->def->id, ep->def->group, port,
            bs_verdict_name(ep->def->expect), ep->def->desc);
    if (!ep->served)
      fprintf(f, "%-28s   not served: %s\n", "", ep->reason);
    else
      served++;
  }
  fprintf(f, "%zu endpoints, %zu served, %zu not served on this OpenSSL build\n", cat->n, served,
          cat->n - served);
}
