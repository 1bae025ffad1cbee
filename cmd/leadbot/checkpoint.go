package main

import (
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/leadbot/leadbot/engine"
)

// checkpointSchedule parses a checkpoint cron spec in the time zone tz,
// unless the spec names its own with CRON_TZ=; "" is no schedule.
func checkpointSchedule(spec, tz string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	if !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") {
		spec = "CRON_TZ=" + tz + " " + spec
	}
	return cron.ParseStandard(spec)
}

func (c Config) validateCheckpoints(bad func(key, format string, args ...any)) {
	sc := c.Scheduler
	if _, err := checkpointSchedule(sc.CheckpointSpec, c.API.Timezone); err != nil {
		bad(
			"scheduler.checkpoint_spec (LEADBOT_CHECKPOINT_SPEC)",
			"%q is not a cron spec such as \"0 16 * * fri\" (%v)",
			sc.CheckpointSpec,
			err,
		)
	}
	if sc.UntouchedAfter < 0 {
		bad(
			"scheduler.untouched_after (LEADBOT_UNTOUCHED_AFTER)",
			"is %s; want a duration such as 48h, or 0 for no alert",
			sc.UntouchedAfter,
		)
	}
	if sc.UntouchedCount < 0 || sc.UntouchedCount > 1000 {
		bad(
			"scheduler.untouched_count (LEADBOT_UNTOUCHED_COUNT)",
			"is %d; allowed: 1 to 1000, or 0 for no alert",
			sc.UntouchedCount,
		)
	}
	if sc.AlertDigestOver < 0 {
		bad(
			"scheduler.alert_digest_over (LEADBOT_ALERT_DIGEST_OVER)",
			"is %d; want 0 (never fold) or more",
			sc.AlertDigestOver,
		)
	}
}

// checkpoints is the engine side of the checkpoint settings. A spec or
// zone that does not parse (which Validate reports) sends no digests.
func (c Config) checkpoints() engine.Checkpoints {
	sc := c.Scheduler
	cp := engine.Checkpoints{
		UntouchedAfter:  sc.UntouchedAfter,
		UntouchedCount:  sc.UntouchedCount,
		AlertDigestOver: sc.AlertDigestOver,
	}
	if loc, err := time.LoadLocation(c.API.Timezone); err == nil {
		cp.Zone = loc
	}
	every, err := checkpointSchedule(sc.CheckpointSpec, c.API.Timezone)
	if err == nil && every != nil {
		cp.Every = every
	}
	return cp
}
