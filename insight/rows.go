package insight

import (
	"time"

	"github.com/leadbot/leadbot/engine"
)

// TaskCount is one holder's tasks due in a stretch: leads with a
// deadline in it, and how many were followed up or closed by then.
type TaskCount struct {
	Rep    engine.RepID
	Due    int
	OnTime int
}

// HeldQuery is what the state of held leads is counted against.
type HeldQuery struct {
	// StalledBefore and UntouchedBefore: a lead whose latest follow-up
	// (or, without one, its assignment) is before them is stalled, or
	// untouched.
	StalledBefore   time.Time
	UntouchedBefore time.Time
	// Cadence says, by the first rule that matches a lead, when its
	// latest follow-up must be after; a lead no rule matches needs no
	// touches.
	Cadence []CadenceRule
}

// CadenceRule is the follow-up a held lead of one tier needs: its latest
// follow-up (or its assignment) must not be before Before. When NewSince
// is set the rule is for new customers held since after it only.
type CadenceRule struct {
	Tier     engine.Tier
	NewSince *time.Time
	Before   time.Time
}

// HeldCount is the state of one holder's assigned leads.
type HeldCount struct {
	Rep       engine.RepID
	Held      int
	Stalled   int
	Untouched int
	// Cadenced counts the leads under a cadence, Behind those of them
	// past it.
	Cadenced int
	Behind   int
}

// KeyAccountCount is the open tier A leads of one holder, "" for those
// in the pool or waiting on standby.
type KeyAccountCount struct {
	Rep  engine.RepID
	Open int
}

// ClosedCount is one holder's leads of one tier closed in a period.
type ClosedCount struct {
	Rep       engine.RepID
	Tier      engine.Tier
	Won       int
	Lost      int
	WonAmount float64
}

// Holding is a stretch of holding a lead that started in a period, with
// the holder's first follow-up in it (nil while there is none).
type Holding struct {
	Rep        engine.RepID
	Start      time.Time
	FirstTouch *time.Time
}

// Cycle is a lead closed in a period and when it was first assigned.
type Cycle struct {
	Rep        engine.RepID
	AssignedAt time.Time
	ClosedAt   time.Time
}

// Reply is a notice delivered to a rep about a lead, and when the rep
// next acted on that lead (nil while they have not).
type Reply struct {
	Rep     engine.RepID
	SentAt  time.Time
	ActedAt *time.Time
}

// Action is one thing a rep did to a lead, from its history.
type Action struct {
	Rep engine.RepID
	At  time.Time
}

// CadenceRules are the cadence's rules at asOf for HeldQuery: per tier a
// new customer's first week first, where it asks more, then the tier's.
func CadenceRules(c engine.Cadence, asOf time.Time) []CadenceRule {
	const week = 7 * 24 * time.Hour
	var out []CadenceRule
	for _, t := range []engine.Tier{engine.TierA, engine.TierB, engine.TierC} {
		n := c.PerWeek[t]
		if c.NewCustomer > n {
			since := asOf.Add(-week)
			out = append(out, CadenceRule{Tier: t, NewSince: &since,
				Before: asOf.Add(-week / time.Duration(c.NewCustomer))})
		}
		if n > 0 {
			out = append(out, CadenceRule{Tier: t, Before: asOf.Add(-week / time.Duration(n))})
		}
	}
	return out
}
