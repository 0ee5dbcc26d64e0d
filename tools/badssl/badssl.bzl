"""badssl_cc_test: a cc_test that runs while a badssl catalogue serves.

    load("@tlsharness//tools/badssl:badssl.bzl", "badssl_cc_test")
    badssl_cc_test(
        name = "my_client_test",
        srcs = ["my_client_test.c"],
        deps = ["//my:client"],
    )

The test binary runs under tools/badssl/with_badssl.sh, which starts
`badssl --serve`, waits for its ready line, exports BADSSL_DIR,
BADSSL_MANIFEST (manifest.json), BADSSL_MANIFEST_TSV and BADSSL_CA, runs the
test, and stops the server (docs/badssl.md). Extra keyword arguments go to
the cc_binary (copts, linkopts, defines, ...).
"""

def badssl_cc_test(name, srcs, deps = [], data = [], size = "medium", tags = [], **kwargs):
    badssl = Label("//tools/badssl:badssl")
    wrapper = Label("//tools/badssl:with_badssl.sh")
    native.cc_binary(
        name = name + "_bin",
        srcs = srcs,
        deps = deps,
        testonly = True,
        **kwargs
    )
    native.sh_test(
        name = name,
        srcs = [wrapper],
        args = ["$(rootpath %s)" % badssl, "$(rootpath :%s_bin)" % name],
        data = [badssl, ":" + name + "_bin"] + data,
        size = size,
        tags = tags,
    )
