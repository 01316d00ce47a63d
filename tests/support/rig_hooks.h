/*
 * rig_hooks.h -- Criterion report hooks that run the shared DNS rig of a
 * test binary: started in the runner before the first test (tests attach
 * with rig_start()), stopped after the last one, its run directory kept
 * when a test failed or crashed. Include it in exactly one file of a test
 * binary (each tests/rig_*.c is its own binary), after rig.h.
 */
#ifndef DANCE_TEST_RIG_HOOKS_H
#define DANCE_TEST_RIG_HOOKS_H

#include "rig.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>

ReportHook(PRE_ALL)(struct criterion_test_set *rig_set_)
{
	(void)rig_set_;
	(void)rig_start();
}

ReportHook(POST_ALL)(struct criterion_global_stats *rig_stats_)
{
	rig_finish(rig_stats_->tests_failed + rig_stats_->tests_crashed > 0);
}

#endif /* DANCE_TEST_RIG_HOOKS_H */
