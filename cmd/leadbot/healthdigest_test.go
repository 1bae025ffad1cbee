package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func TestDigestSpecConfig(t *testing.T) {
	_, err := LoadConfig("", false, env(map[string]string{"LEADBOT_INSIGHT_DIGEST_SPEC": "mondays"}))
	want := "insight.digest_spec (LEADBOT_INSIGHT_DIGEST_SPEC): \"mondays\" is not a cron spec"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("LoadConfig error = %v, want it to contain %q", err, want)
	}

	c, err := LoadConfig("", false, env(map[string]string{"LEADBOT_API_TIMEZONE": "Asia/Shanghai"}))
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	from := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC) // a Friday
	o := c.healthDigests(nil, nil)
	if want := time.Date(2026, 12, 7, 9, 0, 0, 0, sh); o.Every == nil || !o.Every.Next(from).Equal(want) ||
		o.Report == nil {
		t.Errorf("default digest after %s = %v, want Monday 09:00 in Asia/Shanghai with a report", from, o.Every)
	}

	c, err = LoadConfig("", false, env(map[string]string{"LEADBOT_INSIGHT_DIGEST_SPEC": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if o := c.healthDigests(nil, nil); o.Every != nil || o.Report != nil {
		t.Error("an empty digest_spec still schedules digests")
	}
}

// The job reports once per digest moment however often it ticks, and
// again when the next moment comes.
func TestDigestJobReportsOncePerWeek(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 7, 9, 5, 0, 0, time.UTC))
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: engine.DefaultPolicy})
		lead := engine.Rep{ID: "lead", Name: "Lead", Team: "east", Role: engine.RoleLead, Active: true}
		if _, err := svc.PutRep(ctx, lead, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig("", false, env(map[string]string{"LEADBOT_API_TIMEZONE": "UTC"}))
		if err != nil {
			t.Fatal(err)
		}
		o := c.healthDigests(s, clock)
		reports, report := 0, o.Report
		o.Report = func(ctx context.Context, from, to time.Time) (engine.HealthReport, error) {
			reports++
			return report(ctx, from, to)
		}
		job := newDigestJob(svc, o, clock)
		sent := 0
		for range 3 {
			n, err := job.run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sent += n
			clock.Add(time.Minute)
		}
		if sent != 1 || reports != 1 {
			t.Errorf("three ticks sent %d digests from %d reports, want 1 from 1", sent, reports)
		}
		clock.Add(7 * 24 * time.Hour)
		if n, err := job.run(ctx); err != nil || n != 1 || reports != 2 {
			t.Errorf("next week: sent %d from %d reports, %v; want 1 more from 2", n, reports, err)
		}
	})
}
