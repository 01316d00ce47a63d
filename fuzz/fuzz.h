/*
 * fuzz.h -- the entry points of a libFuzzer target (fuzz/fuzz_<name>.c).
 *
 * A target defines LLVMFuzzerTestOneInput (and, if it needs one-time
 * set-up, LLVMFuzzerInitialize) with these prototypes; it may include this
 * header or declare them itself. The same target is linked
 * either to libFuzzer (clang, -DDANCE_FUZZ=ON) or to standalone_main.c,
 * which replays the seed corpus and the regression inputs as a ctest test.
 */
#ifndef DANCE_FUZZ_H
#define DANCE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input. data is exactly size bytes (not NUL-terminated). Return 0;
 * report a bug by crashing (abort, sanitizer report). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional one-time set-up, called before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif /* DANCE_FUZZ_H */
