"""Warnings every target of the project compiles with.

A function that the OpenSSL under test deprecates is an error only under
--config=strict (the CI's builds of the matrix, whose headers we know): an
OpenSSL newer than the matrix may deprecate what we call, and the suite must
still build and validate it (the warning stays in the build log)."""
TH_COPTS = ["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"] + select({
    "//bazel:strict": ["-Werror=deprecated-declarations"],
    "//conditions:default": ["-Wno-error=deprecated-declarations"],
})
