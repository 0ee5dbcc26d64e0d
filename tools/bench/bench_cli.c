/* bench_cli.c — the bench binary's entry point (kept apart from
 * bench_main.c so that the unit tests can link the option parser). */
#include "tools/bench/bench.h"

int main(int argc, char **argv) { return bench_main(argc, argv); }
