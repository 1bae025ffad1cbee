package main

import (
	"context"
	"sync"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

// validateDigest checks the digest's cron spec; the time zone is
// api.timezone's, which Validate checks on its own.
func (c insightConfig) validateDigest(bad func(key, format string, args ...any)) {
	if _, err := checkpointSchedule(c.DigestSpec, "UTC"); err != nil {
		bad("insight.digest_spec (LEADBOT_INSIGHT_DIGEST_SPEC)",
			"%q is not a cron spec such as \"0 9 * * mon\" (%v)", c.DigestSpec, err)
	}
}

// healthDigests are the engine's digest settings: the spec in
// api.timezone, the reporter as its source of tiles, and the rebalance
// defaults for the suggested moves. An empty spec, or one that does not
// parse (which Validate reports), sends no digests.
func (c Config) healthDigests(src insight.Source, clock engine.Clock) engine.HealthDigests {
	o := engine.HealthDigests{Rebalance: c.Engine.Rebalance.options()}
	every, err := checkpointSchedule(c.Insight.DigestSpec, c.API.Timezone)
	if err != nil || every == nil {
		return o
	}
	o.Every, o.Report = every, c.reporter(src, clock).DigestReport
	return o
}

// digestJob is the scheduler's weekly health digest. It runs on the tick
// and leaves the once-only guarantee to the engine's scan mark; it only
// remembers the moment it last saw through, so that the report is not
// computed again on every tick of the week.
type digestJob struct {
	svc   *engine.Service
	opts  engine.HealthDigests
	clock engine.Clock

	mu   sync.Mutex
	done time.Time
}

func newDigestJob(svc *engine.Service, o engine.HealthDigests, clock engine.Clock) *digestJob {
	if clock == nil {
		clock = engine.SystemClock{}
	}
	return &digestJob{svc: svc, opts: o, clock: clock}
}

// run sends the latest digest due unless this process saw it through.
func (j *digestJob) run(ctx context.Context) (int, error) {
	if j.opts.Every == nil {
		return 0, nil
	}
	at := engine.LastCheckpoint(j.opts.Every, j.clock.Now())
	j.mu.Lock()
	defer j.mu.Unlock()
	if at.IsZero() || at.Equal(j.done) {
		return 0, nil
	}
	n, err := j.svc.ScanHealthDigest(ctx, j.opts)
	if err != nil {
		return 0, err
	}
	j.done = at
	return n, nil
}
