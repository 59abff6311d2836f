#ifndef FLOWLINE_FUZZ_DRIVER_H
#define FLOWLINE_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, callable from a main function of our own (libFuzzer ≥ 12, "Using libFuzzer
/// as a library"). SwiftPM links an executable target's main as `<module>_main` (it builds it with
/// `-entry-point-function-name <module>_main` and links with `--defsym main=<module>_main`), and
/// with `-parse-as-library` there is no Swift main to rename; so each fuzz target defines
/// `<module>_main` with `@_cdecl`, which calls this. Were the main not renamed, libFuzzer's own
/// main would run instead, with the same result.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// Runs libFuzzer with the command line `argc`/`argv` on `callback` (the target's
/// `LLVMFuzzerTestOneInput`); returns libFuzzer's exit status.
static inline int flowline_fuzz_main(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}

#endif
