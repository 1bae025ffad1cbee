package engine

import (
	"context"
	"time"
)

// DueBy is what the scheduler's deadline scan asks the store for: the
// latest deadline at which each step is due.
type DueBy struct {
	// Remind is the latest deadline of a lead not reminded yet whose
	// reminder is due. A reminder that waits for the halfway point of a
	// short deadline is found here too, and skipped; the scan pages past
	// it, so it holds back no reminder due behind it.
	//
	// TODO: keep the reminder time on the lead, so that a scan does not
	// read the leads whose reminder waits, every tick.
	Remind time.Time
	// Alert[k] is the latest deadline of a lead below alert tier k+1
	// whose alert of that tier is due. Each is no later than the one
	// before.
	Alert [3]time.Time
	// AfterDue and AfterID are the last lead of the previous page of a
	// scan, zero for the first: a scan pages by deadline, then id.
	AfterDue time.Time
	AfterID  LeadID
}

// dueBy returns the cutoffs of the schedule at now.
func (sc Schedule) dueBy(now time.Time) DueBy {
	return DueBy{
		Remind: now.Add(sc.RemindBefore),
		Alert: [3]time.Time{
			now,
			now.Add(-sc.EscalateLeadAfter),
			now.Add(-sc.EscalateManagerAfter),
		},
	}
}

// StaleBy is what the recycling scan asks the store for: the latest
// follow-up at which each step is due.
type StaleBy struct {
	// Warn is the latest follow-up of a lead whose owner is due the
	// warning, unless warned already.
	Warn time.Time
	// Recycle is the latest follow-up of a lead due to go back to the
	// pool. It is no later than Warn.
	Recycle time.Time
	// AfterID is the last lead of the previous page of a scan that pages
	// by id, zero for the first.
	AfterID LeadID
}

// tickRoster is the roster one deadline scan sends alerts by: read in
// the first transaction that needs it and kept for the rest of the scan,
// rather than read again for every lead.
type tickRoster struct {
	reps []Rep
	read bool
}

func (r *tickRoster) get(ctx context.Context, tx Tx) ([]Rep, error) {
	if !r.read {
		reps, err := tx.Reps(ctx)
		if err != nil {
			return nil, err
		}
		r.reps, r.read = reps, true
	}
	return r.reps, nil
}
