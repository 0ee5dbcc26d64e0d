"""Warnings every target of the project compiles with."""
TH_COPTS = ["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"]
