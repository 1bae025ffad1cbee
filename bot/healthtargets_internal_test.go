package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// In English, a lead's digest tallies the team's targets in a field and
// lists them in the note, naming three reps behind and counting the
// rest; a manager's has a tally per team with targets.
func TestHealthDigestTargetsEnglish(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	behind := []engine.RepBehind{{Rep: "a", Name: "Amy", Done: 1, Share: 3},
		{Rep: "b", Name: "Ben", Done: 0.5, Share: 3}, {Rep: "c", Name: "Cal", Share: 2}}
	lead := engine.HealthDigest{At: at, From: at.AddDate(0, 0, -7), To: at, Team: "east",
		Targets: []engine.DigestTarget{
			{Period: engine.PeriodWeek, Metric: engine.MetricTouches, Elapsed: 1, Amount: 10,
				Done: 12, Expected: 10, Status: engine.StatusMet, Behind: []engine.RepBehind{}},
			{Period: engine.PeriodQuarter, Metric: engine.MetricRevenue, Elapsed: 0.7391,
				Amount: 10, Done: 1.5, Expected: 7, Status: engine.StatusBehind, Behind: behind,
				MoreBehind: 2},
		}}
	r := NewRenderer(nil, i18n.EN, time.UTC)
	_, c := r.healthDigestCard(lead, engine.Rep{ID: "lead", Role: engine.RoleLead, Team: "east"})
	want := Field{Label: "Targets", Value: "1 of 2 met, 1 behind"}
	if len(c.Fields) != 1 || c.Fields[0] != want {
		t.Errorf("fields = %+v, want %+v alone", c.Fields, want)
	}
	lines := "Team targets:\nLast week follow-ups: 12 of 10, met\n" +
		"This quarter (73% gone) revenue won: 1.5 of 10, behind\n" +
		"  behind their share: Amy 1/3; Ben 0.5/3; Cal 0/2; 2 more"
	if !strings.HasSuffix(c.Note, lines) {
		t.Errorf("note = %q, want it to end with %q", c.Note, lines)
	}

	boss := engine.HealthDigest{At: at, From: at.AddDate(0, 0, -7), To: at,
		Teams: []engine.TeamHeadline{
			{Team: "east", Targets: &engine.TargetTally{Total: 3, Met: 2, Behind: 1}},
			{Team: "west"},
		}}
	_, c = r.healthDigestCard(boss, engine.Rep{ID: "boss", Role: engine.RoleManager})
	got := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		got[i] = f.Label + "=" + f.Value
	}
	wantFields := "Team east=all healthy|east quota=2 of 3 met, 1 behind|Team west=all healthy"
	if strings.Join(got, "|") != wantFields {
		t.Errorf("manager's fields = %q, want %q", strings.Join(got, "|"), wantFields)
	}
}
