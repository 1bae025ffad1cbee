package main

import (
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
)

func TestCadenceFromEnv(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_ENGINE_CADENCE_B":                "3",
		"LEADBOT_ENGINE_CADENCE_SILENCE":          "240h",
		"LEADBOT_ENGINE_MILESTONES_PROPOSAL":      "5",
		"LEADBOT_ENGINE_MILESTONES_REMIND_BEFORE": "48h",
	}))
	if err != nil {
		t.Fatal(err)
	}
	p := c.policy()
	if got := p.Cadence.PerWeek[engine.TierB]; got != 3 {
		t.Errorf("cadence of tier B = %d, want 3", got)
	}
	if got := p.Cadence.PerWeek[engine.TierA]; got != 2 {
		t.Errorf("cadence of tier A = %d, want the default 2", got)
	}
	if p.Cadence.Silence != 240*time.Hour {
		t.Errorf("silence = %s, want 240h", p.Cadence.Silence)
	}
	if got := p.Milestones.Offsets[engine.MilestoneProposal]; got != 5 {
		t.Errorf("proposal offset = %d, want 5", got)
	}
	if p.Milestones.RemindBefore != 48*time.Hour {
		t.Errorf("milestone reminder = %s, want 48h", p.Milestones.RemindBefore)
	}
}
