"""Repository rules that bring system libraries in through one label each.

openssl_repository honours OPENSSL_PREFIX (an OpenSSL installation prefix with
include/ and lib/ or lib64/); without it the system's OpenSSL is used. The same
test suite can therefore be pointed at another OpenSSL build:

    OPENSSL_PREFIX=/opt/openssl-3.3 bazel test //...
"""

def _find_libdir(rctx, prefix):
    for sub in ["lib64", "lib", "lib/x86_64-linux-gnu"]:
        d = rctx.path(prefix + "/" + sub)
        if d.get_child("libssl.so").exists or d.get_child("libssl.a").exists:
            return str(d)
    fail("OPENSSL_PREFIX=%s has no lib/libssl.so or lib64/libssl.so" % prefix)

def _openssl_impl(rctx):
    prefix = rctx.os.environ.get("OPENSSL_PREFIX", "").rstrip("/")
    modules = ""
    if prefix:
        if not rctx.path(prefix + "/include/openssl/ssl.h").exists:
            fail("OPENSSL_PREFIX=%s has no include/openssl/ssl.h" % prefix)
        rctx.symlink(prefix + "/include", "include")
        libdir = _find_libdir(rctx, prefix)
        binary = prefix + "/bin/openssl"
        # A prefix unpacked from binary packages (tools/openssl-builds'
        # 3.0.17-deb) keeps its providers here while its libcrypto looks in
        # the distribution's directory: tests point OPENSSL_MODULES here so
        # that they never load another build's providers.
        if rctx.path(libdir + "/ossl-modules").exists:
            modules = libdir + "/ossl-modules"
        includes = '["include"]'
        hdrs = 'glob(["include/openssl/*.h"])'
        linkopts = '["-L%s", "-Wl,-rpath,%s", "-lssl", "-lcrypto"]' % (libdir, libdir)
    else:
        # System build: headers are on the default search path (Debian keeps
        # configuration.h in the multiarch directory), so none are copied here.
        includes = "[]"
        hdrs = "[]"
        linkopts = '["-lssl", "-lcrypto"]'
        res = rctx.execute(["sh", "-c", "command -v openssl"])
        binary = res.stdout.strip() or "/usr/bin/openssl"
        prefix = "system"
    rctx.file("BUILD", """
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "ssl",
    hdrs = {hdrs},
    includes = {includes},
    linkopts = {linkopts} + ["-lpthread"],
)

# The matching command-line tool, for cross-checks in tests, and the
# prefix's provider directory (empty: the library's built-in one).
cc_library(
    name = "tool",
    defines = ['TH_OPENSSL_BIN=\\\\"{binary}\\\\"', 'TH_OPENSSL_PREFIX=\\\\"{prefix}\\\\"',
               'TH_OPENSSL_MODULES=\\\\"{modules}\\\\"'],
)
""".format(hdrs = hdrs, includes = includes, linkopts = linkopts, binary = binary, prefix = prefix,
           modules = modules))

openssl_repository = repository_rule(
    implementation = _openssl_impl,
    environ = ["OPENSSL_PREFIX"],
    local = True,
)

def _criterion_impl(rctx):
    if not rctx.path("/usr/include/criterion/criterion.h").exists:
        fail("Criterion is not installed: run tools/bootstrap (libcriterion-dev)")
    # Criterion 2.4 leaks one strdup() of its output option
    # (criterion_handle_args); the suppression travels with the library so
    # every Criterion test under --config=asan finds it in its runfiles.
    rctx.file("lsan.supp", "leak:criterion_handle_args\n")
    rctx.file("BUILD", """
package(default_visibility = ["//visibility:public"])
exports_files(["lsan.supp"])
cc_library(name = "criterion", data = ["lsan.supp"], linkopts = ["-lcriterion"])
""")

criterion_repository = repository_rule(implementation = _criterion_impl, local = True)
