package main

import (
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

// insightConfig is insight: how long a silence stalls a held lead, the
// levels the health tiles are judged by, and when the weekly health
// digest goes to leads and managers.
type insightConfig struct {
	StallAfter time.Duration      `yaml:"stall_after"`
	Thresholds insight.Thresholds `yaml:"thresholds"`
	DigestSpec string             `yaml:"digest_spec"`
}

func defaultInsight() insightConfig {
	return insightConfig{StallAfter: insight.DefaultStallAfter,
		Thresholds: insight.DefaultThresholds, DigestSpec: "0 9 * * mon"}
}

func (c insightConfig) validate(bad func(key, format string, args ...any)) {
	if c.StallAfter < time.Hour {
		bad("insight.stall_after", "is %s; want at least 1h, such as 168h", c.StallAfter)
	}
	c.validateDigest(bad)
	t := c.Thresholds
	floors := []struct {
		key string
		f   insight.Floor
	}{{"completion", t.Completion}, {"coverage", t.Coverage}}
	for _, x := range floors {
		key := "insight.thresholds." + x.key
		if x.f.Healthy < 0 || x.f.Healthy > 1 {
			bad(key+".healthy_above", "is %g; want a share from 0 to 1, such as 0.85", x.f.Healthy)
		}
		if x.f.Warning < 0 || x.f.Warning > x.f.Healthy {
			bad(key+".warning_above", "is %g; want a share from 0 to healthy_above (%g)",
				x.f.Warning, x.f.Healthy)
		}
	}
	ceilings := []struct {
		key string
		c   insight.Ceiling
		max float64
	}{
		{"stalled", t.Stalled, 1},
		{"unfollowed", t.Unfollowed, 1},
		{"after_hours", t.AfterHours, 1},
		{"slowing_replies", t.SlowingReplies, 100},
	}
	for _, x := range ceilings {
		key := "insight.thresholds." + x.key
		if x.c.Alert <= 0 || x.c.Alert > x.max {
			bad(key+".alert_above", "is %g; want more than 0 and at most %g", x.c.Alert, x.max)
		}
		if x.c.Warning < 0 || x.c.Warning > x.c.Alert {
			bad(key+".warning_above", "is %g; want from 0 to alert_above (%g)",
				x.c.Warning, x.c.Alert)
		}
	}
}

// insightSettings are the health metrics' settings: the thresholds, and
// the engine's own rules of cadence, untouched work and working hours.
func (c Config) insightSettings() insight.Settings {
	p := c.policy()
	zone := p.Checkpoints.Zone
	if zone == nil {
		zone, _ = time.LoadLocation(c.API.Timezone)
	}
	return insight.Settings{
		Thresholds:     c.Insight.Thresholds,
		StallAfter:     c.Insight.StallAfter,
		UntouchedAfter: c.Scheduler.UntouchedAfter,
		UntouchedCount: c.Scheduler.UntouchedCount,
		Cadence:        p.Cadence,
		Hours:          p.Hours,
		Zone:           zone,
	}
}

// reporter makes health reports from store.
func (c Config) reporter(store insight.Source, clock engine.Clock) *insight.Reporter {
	return insight.NewReporter(store, c.insightSettings(), clock)
}
