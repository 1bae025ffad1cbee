package main

import (
	"time"

	"github.com/leadbot/leadbot/engine"
)

// cadenceConfig is engine.cadence: touches a rolling week per tier, in a
// new customer's first week, and the silence that alerts.
type cadenceConfig struct {
	A           int           `yaml:"a"`
	B           int           `yaml:"b"`
	C           int           `yaml:"c"`
	NewCustomer int           `yaml:"new_customer"`
	Silence     time.Duration `yaml:"silence"`
}

// milestoneConfig is engine.milestones: working days before the target
// close date per milestone, and how early each is reminded.
type milestoneConfig struct {
	DecisionMaker int           `yaml:"decision_maker"`
	Demo          int           `yaml:"demo"`
	Proposal      int           `yaml:"proposal"`
	RemindBefore  time.Duration `yaml:"remind_before"`
}

// maxPerWeek is the most touches a week a cadence may ask: three a day.
const maxPerWeek = 21

// maxOffset is the most working days back a milestone may lie: a year.
const maxOffset = 260

func defaultCadence() cadenceConfig {
	d := engine.DefaultCadence
	return cadenceConfig{A: d.PerWeek[engine.TierA], B: d.PerWeek[engine.TierB],
		C: d.PerWeek[engine.TierC], NewCustomer: d.NewCustomer, Silence: d.Silence}
}

func defaultMilestones() milestoneConfig {
	d := engine.DefaultMilestones
	return milestoneConfig{DecisionMaker: d.Offsets[engine.MilestoneDecisionMaker],
		Demo: d.Offsets[engine.MilestoneDemo], Proposal: d.Offsets[engine.MilestoneProposal],
		RemindBefore: d.RemindBefore}
}

func (c cadenceConfig) validate(bad func(key, format string, args ...any)) {
	perWeek := map[string]int{"a": c.A, "b": c.B, "c": c.C, "new_customer": c.NewCustomer}
	for key, n := range perWeek {
		if n < 0 || n > maxPerWeek {
			bad("engine.cadence."+key, "is %d; allowed: 0 (none) to %d touches a week",
				n, maxPerWeek)
		}
	}
	if c.Silence < 0 || (c.Silence > 0 && c.Silence < time.Hour) {
		bad("engine.cadence.silence", "is %s; want 0 (off) or at least 1h, such as 336h", c.Silence)
	}
}

func (m milestoneConfig) validate(bad func(key, format string, args ...any)) {
	steps := []struct {
		key string
		n   int
	}{{"decision_maker", m.DecisionMaker}, {"demo", m.Demo}, {"proposal", m.Proposal}}
	last := maxOffset + 1
	for _, st := range steps {
		switch {
		case st.n < 0 || st.n > maxOffset:
			bad("engine.milestones."+st.key, "is %d; allowed: 0 (not planned) to %d working days",
				st.n, maxOffset)
		case st.n > 0 && st.n >= last:
			bad("engine.milestones."+st.key,
				"is %d; it must come later, fewer working days before the target "+
					"than the one before it (%d)",
				st.n, last)
		}
		if st.n > 0 {
			last = st.n
		}
	}
	if m.RemindBefore <= 0 {
		bad("engine.milestones.remind_before", "is %s; want a positive duration such as 24h",
			m.RemindBefore)
	}
}

func (c cadenceConfig) engine() engine.Cadence {
	return engine.Cadence{
		PerWeek:     map[engine.Tier]int{engine.TierA: c.A, engine.TierB: c.B, engine.TierC: c.C},
		NewCustomer: c.NewCustomer,
		Silence:     c.Silence,
	}
}

func (m milestoneConfig) engine() engine.MilestonePlan {
	return engine.MilestonePlan{
		Offsets: map[engine.MilestoneKind]int{
			engine.MilestoneDecisionMaker: m.DecisionMaker,
			engine.MilestoneDemo:          m.Demo,
			engine.MilestoneProposal:      m.Proposal,
		},
		RemindBefore: m.RemindBefore,
	}
}
