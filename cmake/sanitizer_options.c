/*
 * sanitizer_options.c -- default options of AddressSanitizer,
 * LeakSanitizer and UndefinedBehaviorSanitizer for every dance executable
 * of a -DDANCE_SANITIZE=ON build (tests, CLI, helpers).
 *
 * Compiled into the executables themselves (the sanitizer runtimes look
 * these functions up there), so the options hold however a program is
 * started: by ctest, by a test that runs the CLI, or by hand. ASAN_OPTIONS,
 * LSAN_OPTIONS and UBSAN_OPTIONS in the environment override them.
 *
 * Why abort_on_error: Criterion runs each test in a worker process that
 * reports "passed" before it exits; LeakSanitizer checks at exit and, with
 * its default exitcode, only changes the worker's exit status, which
 * Criterion 2.4 ignores once a test has ended. An abort makes the worker
 * die by a signal instead, which Criterion reports ("The test `S::T`
 * crashed during its setup or teardown") and counts as a warning, so the
 * test binary, and with it ctest, fails.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define DANCE_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || \
        __has_feature(undefined_behavior_sanitizer)
#define DANCE_SAN 1
#endif
#endif

#ifdef DANCE_SAN
#include <stdlib.h>

#define DANCE_SAN_API __attribute__((visibility("default"), used))

/*
 * Criterion's runner process (the parent of the test workers) leaks a
 * little of its own: BoxFort's bookkeeping for a .timeout, 48 bytes under
 * criterion_run_all_tests(). Test code runs in the workers, which BoxFort
 * starts with BXFI_MAP in the environment. So leaks are checked in every
 * worker and in every program that is not a Criterion runner (the CLI,
 * the fuzz replays, helpers), and not in the runner itself; memory errors
 * are reported everywhere. The weak reference is NULL in programs that do
 * not link Criterion. LeakSanitizer reads the suppressions when it checks,
 * at exit, when the environment can be read (unlike the options, which it
 * reads before libc is set up).
 */
extern void criterion_run_all_tests(void) __attribute__((weak));

/* The names are the sanitizer runtimes' interface, reserved identifiers
 * by design. */
// NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
DANCE_SAN_API const char *__asan_default_options(void);
DANCE_SAN_API const char *__lsan_default_options(void);
DANCE_SAN_API const char *__lsan_default_suppressions(void);
DANCE_SAN_API const char *__ubsan_default_options(void);

/* Not strict_string_checks: it makes strndup(p, n) and strnlen(p, n)
 * demand a NUL within the buffer, but (pointer, length) parsing with a
 * correct bound is what conventions.md asks for. */
DANCE_SAN_API const char *__asan_default_options(void)
{
	return "detect_leaks=1:abort_on_error=1:"
	       "detect_stack_use_after_return=1:check_initialization_order=1:"
	       "strict_init_order=1";
}

DANCE_SAN_API const char *__lsan_default_options(void)
{
	return "abort_on_error=1";
}

DANCE_SAN_API const char *__lsan_default_suppressions(void)
{
	if (criterion_run_all_tests != NULL && getenv("BXFI_MAP") == NULL)
		return "leak:*\n"; /* the Criterion runner, see above */
	return "";
}

DANCE_SAN_API const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1:abort_on_error=1";
}
// NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
#else
/* Not a sanitizer build: nothing to configure. */
typedef int dance_sanitizer_options_unused;
#endif
