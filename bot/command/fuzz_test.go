package command

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// FuzzParse checks that Parse never panics and that what it returns keeps
// the promises of Command and Error.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range errorTests {
		f.Add(tt.in)
	}

	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := Parse(text)
		if err != nil {
			checkError(t, text, err)
		} else {
			checkCommand(t, text, cmd)
		}
		if isASCII(text) {
			checkFullWidth(t, text, cmd, err)
		}
	})
}

// checkFullWidth checks that typing text with a full-width input method
// changes nothing but the note, which stays as typed.
func checkFullWidth(t *testing.T, text string, cmd Command, err error) {
	t.Helper()
	wide := widen(text)
	got, gotErr := Parse(wide)
	cmd.Note = widen(cmd.Note)
	if !reflect.DeepEqual(got, cmd) || !reflect.DeepEqual(gotErr, err) {
		t.Errorf("Parse(%q) = %s, %v, want %s, %v as for %q",
			wide, show(got), gotErr, show(cmd), err, text)
	}
}

func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
}

// widen writes s as a full-width input method does.
func widen(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return '\u3000'
		case '!' <= r && r <= '~':
			return r + 0xfee0
		}
		return r
	}, s)
}

func checkError(t *testing.T, text string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%q) error %T %v, want *Error", text, err, err)
	}
	if !slices.Contains(allCodes, e.Code) {
		t.Errorf("Parse(%q) error code %q, want a known code", text, e.Code)
	}
	if e.Verb != "" && !slices.Contains(allVerbs, e.Verb) {
		t.Errorf("Parse(%q) error verb %q, want a known verb", text, e.Verb)
	}
	if e.Lang != i18n.ZH && e.Lang != i18n.EN {
		t.Errorf("Parse(%q) error lang %q, want zh-CN or en", text, e.Lang)
	}
}

func checkCommand(t *testing.T, text string, cmd Command) {
	t.Helper()
	if !slices.Contains(allVerbs, cmd.Verb) {
		t.Fatalf("Parse(%q) verb %q, want a known verb", text, cmd.Verb)
	}
	if cmd.Lang != i18n.ZH && cmd.Lang != i18n.EN {
		t.Errorf("Parse(%q) lang %q, want zh-CN or en", text, cmd.Lang)
	}
	if cmd.Verb.NeedsLead() != (cmd.Lead > 0) {
		t.Errorf("Parse(%q) = %s with lead %d", text, cmd.Verb, cmd.Lead)
	}
	if cmd.Percent < 0 || cmd.Percent > 100 {
		t.Errorf("Parse(%q) percent %d, want 0..100", text, cmd.Percent)
	}
	if cmd.Note != strings.TrimSpace(cmd.Note) || !strings.Contains(text, cmd.Note) {
		t.Errorf("Parse(%q) note %q, want trimmed text of the input", text, cmd.Note)
	}

	switch cmd.Verb {
	case Done:
		if cmd.Outcome != engine.Won && cmd.Outcome != engine.Lost {
			t.Errorf("Parse(%q) outcome %q, want won or lost", text, cmd.Outcome)
		}
		if a := cmd.Amount; a != nil && (*a < 0 || math.IsInf(*a, 0) || math.IsNaN(*a)) {
			t.Errorf("Parse(%q) amount %v, want a finite amount", text, *a)
		}
	case Transfer:
		if cmd.Target == "" {
			t.Errorf("Parse(%q) has no target", text)
		}
	case Extend:
		if e := cmd.Extension; e != nil && (e.Days > 0) == (e.Hours > 0) {
			t.Errorf("Parse(%q) extension %+v, want days or hours", text, *e)
		}
	case Dispute:
		if cmd.Note == "" || cmd.Kind == "" {
			t.Errorf("Parse(%q) = kind %q reason %q, want both", text, cmd.Kind, cmd.Note)
		}
	case Target:
		if cmd.Date.IsZero() || cmd.Date.Location() != time.UTC || !cmd.Date.Equal(cmd.Date.Truncate(24*time.Hour)) {
			t.Errorf("Parse(%q) date %v, want a date at midnight UTC", text, cmd.Date)
		}
	case Milestone:
		if !slices.Contains(engine.MilestoneKinds, cmd.Milestone) {
			t.Errorf("Parse(%q) milestone %q, want a known kind", text, cmd.Milestone)
		}
	}
	if (cmd.Verb == SetQuota) != (cmd.Goal != nil) {
		t.Errorf("Parse(%q) = %s with goal %+v", text, cmd.Verb, cmd.Goal)
	}
	if g := cmd.Goal; g != nil {
		checkGoal(t, text, *g)
	}
	if (cmd.Verb == Target) != !cmd.Date.IsZero() || (cmd.Verb == Milestone) != (cmd.Milestone != "") {
		t.Errorf("Parse(%q) = %s with date %v, milestone %q", text, cmd.Verb, cmd.Date, cmd.Milestone)
	}
}

// checkGoal checks that a parsed target is one the engine accepts.
func checkGoal(t *testing.T, text string, g Goal) {
	t.Helper()
	in := engine.TargetInput{Team: g.Team, Period: g.Period, Metric: g.Metric,
		Amount: g.Amount, Split: g.Split}
	if g.Rep != "" {
		in.Rep = "r1" // a name is resolved to an id by the caller
	}
	if (g.Team == "") == (g.Rep == "") || g.Team != strings.TrimSpace(g.Team) {
		t.Errorf("Parse(%q) goal team %q rep %q, want one of them", text, g.Team, g.Rep)
	}
	if err := in.Validate(); err != nil && !strings.Contains(err.Error(), "team") {
		t.Errorf("Parse(%q) goal %+v: %v", text, g, err)
	}
}
