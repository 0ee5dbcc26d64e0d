/* tlsharness/fixtures.h — a deterministic PKI generator for tests.
 *
 * Beyond pyOpenSSL (modelled on python-trustme and OpenSSL's mkcert.sh):
 * make root and intermediate CAs, server and client leaves, CRLs, and the
 * whole default fixture set (docs/fixtures.md), deterministically: the same
 * seed on the same OpenSSL version gives byte-identical keys, certificates
 * and signatures. Every generator owns a private OSSL_LIB_CTX whose DRBGs
 * draw from a stream keyed by the seed; what it hands out (th_x509, th_pkey,
 * th_crl, PEM bytes) lives in the default library context and is owned by
 * the caller, independent of the generator's lifetime.
 *
 * Quick use (trustme-like):
 *   th_fixtures *fx = th_fixtures_new(1);
 *   th_fixtures_cert *ca = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
 *   th_fixtures_cert *srv = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_SERVER, NULL);
 *   th_fixtures_configure_server(server_ctx, srv);
 *   th_fixtures_configure_client(client_ctx, ca);
 *   ... th_fixtures_cert_free(srv); th_fixtures_cert_free(ca); th_fixtures_free(fx); */
#ifndef TLSHARNESS_FIXTURES_H
#define TLSHARNESS_FIXTURES_H

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct th_fixtures th_fixtures;           /* a seeded generator */
typedef struct th_fixtures_cert th_fixtures_cert; /* a certificate, its key, its issuer */

/* Key types. TH_FIXTURES_KEY_DEFAULT is EC P-256 (microseconds to make). */
typedef enum th_fixtures_key {
  TH_FIXTURES_KEY_DEFAULT = 0,
  TH_FIXTURES_KEY_RSA1024, /* only for the "key too small" edge case */
  TH_FIXTURES_KEY_RSA2048,
  TH_FIXTURES_KEY_RSA3072,
  TH_FIXTURES_KEY_RSA4096,
  TH_FIXTURES_KEY_P256,
  TH_FIXTURES_KEY_P384,
  TH_FIXTURES_KEY_P521,
  TH_FIXTURES_KEY_ED25519,
  TH_FIXTURES_KEY_ED448,
  TH_FIXTURES_KEY_DSA, /* DSA-2048 with a 256-bit q (RFC 5114 domain) */
  TH_FIXTURES_KEY_COUNT
} th_fixtures_key;

/* Roles: they choose the default extensions (see th_fixtures_issue). */
typedef enum th_fixtures_role {
  TH_FIXTURES_ROLE_ROOT = 1,     /* CA:TRUE, keyCertSign+cRLSign */
  TH_FIXTURES_ROLE_INTERMEDIATE, /* the same, issued by another CA */
  TH_FIXTURES_ROLE_SERVER,       /* CA:FALSE, serverAuth, SAN localhost,127.0.0.1,::1 */
  TH_FIXTURES_ROLE_CLIENT        /* CA:FALSE, clientAuth, SAN email:client@example.test */
} th_fixtures_role;

/* Fixed dates (GeneralizedTime text) and the verification time the default
 * set states: valid certificates run from NOT_BEFORE to NOT_AFTER, and are
 * verified at VERIFY_TIME (2025-01-01T00:00:00Z, `openssl verify -attime`). */
#define TH_FIXTURES_NOT_BEFORE "20200101000000Z"
#define TH_FIXTURES_NOT_AFTER "20991231235959Z"
#define TH_FIXTURES_VERIFY_TIME 1735689600L
/* The passphrase of every encrypted file of the default set. */
#define TH_FIXTURES_PASSWORD "fixtures"

/* What to issue. A zeroed struct (or NULL) takes every default. */
typedef struct th_fixtures_spec {
  int key;                /* a th_fixtures_key; 0: P-256 */
  const char *digest;     /* "sha256" when NULL; ignored for Ed25519/Ed448 */
  const char *common_name; /* NULL: derived from the role and serial */
  const char *not_before; /* "YYYYMMDDHHMMSSZ"; NULL: TH_FIXTURES_NOT_BEFORE */
  const char *not_after;  /* NULL: TH_FIXTURES_NOT_AFTER */
  long serial;            /* > 0: this serial; 0: the generator's next one */
  /* NULL-terminated identities for subjectAltName: an IPv4/IPv6 literal
   * becomes IP:, a text with '@' email:, anything else DNS:. NULL: the
   * role's default. */
  const char *const *names;
  /* NULL-terminated extra extensions in OpenSSL config syntax, "name=value"
   * (e.g. "extendedKeyUsage=clientAuth", "basicConstraints=critical,CA:TRUE,
   * pathlen:0", "1.3.6.1.4.1.55555.1=critical,DER:05:00"). One whose name
   * matches a default replaces it; "name=" with no value removes it. */
  const char *const *extensions;
  const th_pkey *reuse_key; /* non-NULL: certify this key instead of making one */
  /* Nonzero: the subject is the issuer's subject plus CN=common_name, as an
   * RFC 3820 proxy certificate needs (add its proxyCertInfo extension). */
  int proxy;
} th_fixtures_spec;

/* th_fixtures_new makes a generator keyed by seed. The caller frees it with
 * th_fixtures_free (objects it issued keep it alive by reference).
 * NULL with TH_ERR_CRYPTO when OpenSSL cannot set up the library context,
 * TH_ERR_NOMEM. */
th_fixtures *th_fixtures_new(unsigned long long seed);
/* th_fixtures_free drops the caller's reference (NULL-safe). */
void th_fixtures_free(th_fixtures *fx);
/* th_fixtures_up_ref takes another reference (NULL if not a generator). */
th_fixtures *th_fixtures_up_ref(th_fixtures *fx);
/* th_fixtures_seed returns the generator's seed (0 for a wrong type). */
unsigned long long th_fixtures_seed(const th_fixtures *fx);

/* th_fixtures_issue makes a certificate of role for a new key, signed by
 * issuer (NULL: self-signed, e.g. a root, or a self-signed leaf).
 * Default extensions: CAs get basicConstraints=critical,CA:TRUE and
 * keyUsage=critical,keyCertSign,cRLSign,digitalSignature; leaves get
 * basicConstraints=critical,CA:FALSE, keyUsage=critical,digitalSignature
 * (plus keyEncipherment for RSA), the role's extendedKeyUsage and
 * subjectAltName; all get subject and authority key identifiers. spec may
 * be NULL. The caller owns the result (th_fixtures_cert_free).
 * Errors: TH_ERR_TYPE (fx not a generator, issuer not a certificate),
 * TH_ERR_VALUE (unknown role or key type, issuer from another generator,
 * bad date, unknown digest, bad extension text), TH_ERR_CRYPTO. */
th_fixtures_cert *th_fixtures_issue(th_fixtures *fx, th_fixtures_cert *issuer, int role,
                                    const th_fixtures_spec *spec);
/* th_fixtures_cert_free drops the caller's reference (NULL-safe). */
void th_fixtures_cert_free(th_fixtures_cert *cert);
/* th_fixtures_cert_up_ref takes another reference (NULL if not one). */
th_fixtures_cert *th_fixtures_cert_up_ref(th_fixtures_cert *cert);

/* th_fixtures_cert_x509 returns the certificate as a new th_x509 the caller
 * owns (TH_ERR_TYPE for a wrong object). */
th_x509 *th_fixtures_cert_x509(const th_fixtures_cert *cert);
/* th_fixtures_cert_pkey returns its private key as a new th_pkey. */
th_pkey *th_fixtures_cert_pkey(const th_fixtures_cert *cert);
/* th_fixtures_cert_chain returns the certificates a peer should send after
 * this one: its issuers, nearest first, without the self-signed root. A
 * th_list of th_x509 (possibly empty) the caller frees with th_list_free. */
th_list *th_fixtures_cert_chain(const th_fixtures_cert *cert);
/* PEM text, caller frees with th_bytes_free: the certificate, its private
 * key (unencrypted PKCS#8), and the certificate followed by its chain. */
th_bytes *th_fixtures_cert_pem(const th_fixtures_cert *cert);
th_bytes *th_fixtures_key_pem(const th_fixtures_cert *cert);
th_bytes *th_fixtures_chain_pem(const th_fixtures_cert *cert);

/* th_fixtures_revoke records cert as revoked by ca (its issuer) with a CRL
 * reason code (0..10 except 7, RFC 5280) at TH_FIXTURES_NOT_BEFORE; the next
 * th_fixtures_crl of ca lists it. TH_ERR_TYPE, TH_ERR_VALUE (ca is not
 * cert's issuer, bad reason), TH_ERR_CRYPTO. */
int th_fixtures_revoke(th_fixtures_cert *ca, th_fixtures_cert *cert, int reason);
/* th_fixtures_crl makes ca's CRL listing what it revoked, valid from
 * last_update to next_update ("YYYYMMDDHHMMSSZ"; NULL: "20240101000000Z"
 * and TH_FIXTURES_NOT_AFTER), signed by signer's key (NULL: ca's own; a
 * different one makes a CRL that fails its signature check). The caller
 * owns the th_crl. TH_ERR_TYPE, TH_ERR_VALUE (bad date), TH_ERR_CRYPTO. */
th_crl *th_fixtures_crl(th_fixtures_cert *ca, const char *last_update, const char *next_update,
                        th_fixtures_cert *signer);

/* th_fixtures_configure_server makes ctx present cert (with its private key
 * and its chain, th_fixtures_cert_chain) — a server's identity, or a
 * client's for mutual TLS. TH_ERR_TYPE (ctx not a Context, cert not a
 * fixtures certificate), TH_ERR_SSL when OpenSSL refuses the key or
 * certificate (e.g. below ctx's security level). */
int th_fixtures_configure_server(th_context *ctx, const th_fixtures_cert *cert);
/* th_fixtures_configure_client makes ctx trust ca (adds it to ctx's
 * verification store). TH_ERR_TYPE, TH_ERR_SSL. */
int th_fixtures_configure_client(th_context *ctx, const th_fixtures_cert *ca);

/* The files th_fixtures_write_files wrote, as paths (NUL-terminated). */
typedef struct th_fixtures_files {
  char cert[1024];  /* <base>.pem: the certificate (PEM; <base>.der beside it) */
  char key[1024];   /* <base>.key.pem: its private key, unencrypted PKCS#8 PEM */
  char chain[1024]; /* <base>.chain.pem: the certificate then its intermediates
                       (what SSL_CTX_use_certificate_chain_file takes) */
  char ca[1024];    /* <base>.ca.pem: the root that issued it (the CA bundle a
                       peer trusts; the certificate itself when self-signed) */
  char p12[1024];   /* <base>.p12: key, certificate and chain, password
                       TH_FIXTURES_PASSWORD (<base>.nopass.p12: none) */
  char crl[1024];   /* <base>.issuer.crl.pem: the issuer's CRL listing what it
                       revoked so far (revoke first); "" when self-signed */
} th_fixtures_files;

/* th_fixtures_write_files writes cert and what goes with it as files under
 * dir (created if missing; existing files overwritten), named from base
 * (a plain file name), for applications that load paths, and fills *paths.
 * Errors: TH_ERR_TYPE (cert not a fixtures certificate, NULL argument),
 * TH_ERR_VALUE (base with '/', or empty; a path over 1023 bytes),
 * TH_ERR_SYSCALL (cannot write), TH_ERR_CRYPTO. *paths is unchanged on
 * error. */
int th_fixtures_write_files(th_fixtures_cert *cert, const char *dir, const char *base,
                            th_fixtures_files *paths);

/* th_fixtures_key_name returns "rsa2048", "p256", "ed25519", ... (static),
 * or NULL (TH_ERR_VALUE) for an unknown type. */
const char *th_fixtures_key_name(int key);
/* th_fixtures_key_from_name returns the TH_FIXTURES_KEY_* named name, or
 * TH_ERR_VALUE (TH_ERR_TYPE for NULL). */
int th_fixtures_key_from_name(const char *name);

/* Options of th_fixtures_write_set. A zeroed struct writes the default set. */
typedef struct th_fixtures_set_opts {
  /* Key types of the per-type chains (root, intermediate, server, client);
   * terminated by 0. NULL: RSA-2048, P-256, P-384, Ed25519, Ed448, DSA. */
  const int *keys;
  int extended;  /* also RSA-3072, RSA-4096 and P-521 */
  int progress;  /* print a progress line on stderr */
} th_fixtures_set_opts;

/* th_fixtures_write_set writes the fixture set of seed into the directory
 * dir (created if missing; existing files are overwritten): certificates,
 * keys, PKCS#12, chains, a CA bundle, a hashed CA directory, CRLs, a CSR,
 * DH parameters, the edge cases, and manifest.tsv listing every file with
 * its expected verdict (docs/fixtures.md). Returns the number of files
 * written (>= 0), or TH_ERR_TYPE (NULL dir), TH_ERR_VALUE (unknown key
 * type in opts), TH_ERR_SYSCALL (cannot write), TH_ERR_CRYPTO. */
int th_fixtures_write_set(const char *dir, unsigned long long seed,
                          const th_fixtures_set_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
