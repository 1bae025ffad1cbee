package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseLeadID(t *testing.T) {
	tests := []struct {
		in   string
		want LeadID
		ok   bool
	}{
		{"L12", 12, true}, {"l12", 12, true}, {"12", 12, true}, {"#12", 12, true},
		{"#L12", 12, true}, {" 7 ", 7, true},
		{"", 0, false}, {"L", 0, false}, {"L0", 0, false}, {"-3", 0, false}, {"D12", 0, false}, {"12a", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseLeadID(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseLeadID(%q) = %v, %v; want %v, ok %t", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if got := LeadID(42).String(); got != "L42" {
		t.Errorf("LeadID(42) = %q, want L42", got)
	}
}

func prob(p float64) *float64 { return &p }

func TestGridScorerTiers(t *testing.T) {
	s := GridScorer{Grid: DefaultGrid, DefaultProbability: 0.2}
	tests := []struct {
		name   string
		p      Profile
		tier   Tier
		reason string
	}{
		{"likely large", Profile{ExpectedAmount: 300_000, CloseProbability: prob(0.6)}, TierA, "close probability 60%"},
		{"likely mid", Profile{ExpectedAmount: 60_000, CloseProbability: prob(0.9)}, TierA, "mid-size"},
		{"likely small", Profile{ExpectedAmount: 1_000, CloseProbability: prob(0.9)}, TierB, "small"},
		{"maybe large", Profile{ExpectedAmount: 200_000, CloseProbability: prob(0.3)}, TierA, "large"},
		{"maybe mid", Profile{ExpectedAmount: 50_000, CloseProbability: prob(0.5)}, TierB, ""},
		{"maybe small", Profile{ExpectedAmount: 49_999, CloseProbability: prob(0.5)}, TierC, ""},
		{"unlikely large", Profile{ExpectedAmount: 1e6, CloseProbability: prob(0.1)}, TierB, ""},
		{"unlikely mid", Profile{ExpectedAmount: 100_000, CloseProbability: prob(0.29)}, TierC, ""},
		{"no probability", Profile{ExpectedAmount: 1e6}, TierB, "assumed 20%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Score(tt.p)
			if got.Tier != tt.tier {
				t.Errorf("Score(%v yuan) tier = %s, want %s", tt.p.ExpectedAmount, got.Tier, tt.tier)
			}
			if got.Score < 0 || got.Score > 100 {
				t.Errorf("score = %v, want within 0..100", got.Score)
			}
			if !strings.Contains(strings.Join(got.Reasons, "; "), tt.reason) {
				t.Errorf("reasons = %q, want mention of %q", got.Reasons, tt.reason)
			}
		})
	}
	low := s.Score(Profile{ExpectedAmount: 1000, CloseProbability: prob(0.1)}).Score
	high := s.Score(Profile{ExpectedAmount: 500_000, CloseProbability: prob(0.9)}).Score
	if low >= high {
		t.Errorf("score of a small unlikely deal %v >= a large likely one %v", low, high)
	}
}

func TestRoundRobin(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rep := func(id string, open, capacity int, last time.Duration) Rep {
		r := Rep{ID: RepID(id), Name: id, Role: RoleRep, Active: true, OpenTasks: open, Capacity: capacity}
		if last > 0 {
			r.LastAssignedAt = t0.Add(last)
		}
		return r
	}
	inactive := rep("off", 0, 5, 0)
	inactive.Active = false
	manager := rep("boss", 0, 5, 0)
	manager.Role = RoleManager

	tests := []struct {
		name string
		reps []Rep
		want RepID
	}{
		{"never assigned goes first", []Rep{rep("a", 0, 5, time.Hour), rep("b", 0, 5, 0)}, "b"},
		{"longest waiting", []Rep{rep("a", 0, 5, 2*time.Hour), rep("b", 0, 5, time.Hour)}, "b"},
		{"skips full", []Rep{rep("a", 5, 5, 0), rep("b", 1, 5, time.Hour)}, "b"},
		{"skips inactive and managers", []Rep{inactive, manager, rep("c", 0, 1, time.Hour)}, "c"},
		{"skips zero capacity", []Rep{rep("z", 0, 0, 0), rep("c", 0, 1, time.Hour)}, "c"},
		{"nobody with room", []Rep{rep("a", 5, 5, 0), inactive}, ""},
		{"empty roster", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := RoundRobin{}.Route(Lead{}, tt.reps)
			if d.RepID != tt.want {
				t.Errorf("Route = %q, want %q (reasons %q)", d.RepID, tt.want, d.Reasons)
			}
			if len(d.Reasons) == 0 || d.Strategy != RoundRobinName {
				t.Errorf("decision = %+v, want round-robin with reasons", d)
			}
			if tt.want == "" && len(d.Candidates) != 0 {
				t.Errorf("standby decision lists candidates %v", d.Candidates)
			}
		})
	}
}

func TestRepValidate(t *testing.T) {
	ok := Rep{ID: "r1", Name: "张三", Role: RoleRep, Capacity: 8, Timezone: "Asia/Shanghai"}
	tests := []struct {
		name  string
		edit  func(*Rep)
		field string
	}{
		{"valid", func(*Rep) {}, ""},
		{"id with space", func(r *Rep) { r.ID = "a b" }, "rep_id"},
		{"empty name", func(r *Rep) { r.Name = " " }, "name"},
		{"bad role", func(r *Rep) { r.Role = "boss" }, "role"},
		{"negative capacity", func(r *Rep) { r.Capacity = -1 }, "capacity"},
		{"huge capacity", func(r *Rep) { r.Capacity = MaxCapacity + 1 }, "capacity"},
		{"bad zone", func(r *Rep) { r.Timezone = "Nowhere/City" }, "timezone"},
		{"empty industry", func(r *Rep) { r.Industries = []string{""} }, "industries"},
		{"bad utf-8", func(r *Rep) { r.Team = "\xff" }, "team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			err := r.Validate()
			if got := FieldOf(err); got != tt.field || (tt.field != "" && KindOf(err) != Invalid) {
				t.Errorf("Validate() = %v (field %q), want field %q", err, got, tt.field)
			}
		})
	}
}

func TestLeadValidate(t *testing.T) {
	ok := LeadInput{ExternalID: "crm-1", Profile: Profile{Company: "甲"}}
	tests := []struct {
		name  string
		edit  func(*LeadInput)
		field string
	}{
		{"valid", func(*LeadInput) {}, ""},
		{"no external id", func(l *LeadInput) { l.ExternalID = "" }, "external_id"},
		{"customer type", func(l *LeadInput) { l.CustomerType = "vip" }, "customer_type"},
		{"probability", func(l *LeadInput) { l.CloseProbability = prob(-0.1) }, "close_probability"},
		{"too many attributes", func(l *LeadInput) {
			l.Attributes = map[string]any{}
			for i := range MaxAttributes + 1 {
				l.Attributes[strings.Repeat("k", i+1)] = i
			}
		}, "attributes"},
		{"huge attribute", func(l *LeadInput) {
			l.Attributes = map[string]any{"note": strings.Repeat("x", MaxAttributesLen)}
		}, "attributes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			if got := FieldOf(in.Validate()); got != tt.field {
				t.Errorf("Validate() field = %q, want %q", got, tt.field)
			}
		})
	}
}

func TestGridValidate(t *testing.T) {
	if err := DefaultGrid.Validate(); err != nil {
		t.Errorf("DefaultGrid.Validate() = %v", err)
	}
	bad := DefaultGrid
	bad.ProbabilityMid = 0.7
	if bad.Validate() == nil {
		t.Error("grid with mid probability above high validated")
	}
}

func TestCodeOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&Error{Kind: Conflict, Code: "already_claimed"}, "already_claimed"},
		{fmt.Errorf("claim: %w", &Error{Kind: NotFound}), NotFound.String()},
		{errors.New("plain"), Other.String()},
	} {
		if got := CodeOf(tt.err); got != tt.want {
			t.Errorf("CodeOf(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
