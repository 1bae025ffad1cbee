package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// IntakeOptions tune a batch intake.
type IntakeOptions struct {
	Actor Actor
	// DryRun runs every check and decision, then stores nothing.
	DryRun bool
	// Announce tells the reps who may claim a pooled lead that it is
	// there. Bulk imports leave it off: the pool is there to browse, and
	// a thousand cards at once would bury everything else.
	Announce bool
}

// IntakeResult is what became of one input of a batch.
type IntakeResult struct {
	Lead Lead
	// Created is false when the external id was already known: Lead is
	// then the existing lead, unchanged.
	Created bool
	// Err is the validation failure of this input, which stores nothing.
	Err error
}

// Intake takes in one lead: scored, then assigned, pooled or put on
// standby according to the mode. A lead whose external id is known
// already creates nothing: the existing lead comes back with created
// false.
func (s *Service) Intake(ctx context.Context, in LeadInput, actor Actor) (Lead, bool, error) {
	res, err := s.IntakeBatch(ctx, []LeadInput{in}, IntakeOptions{Actor: actor, Announce: true})
	if err != nil {
		return Lead{}, false, err
	}
	return res[0].Lead, res[0].Created, res[0].Err
}

// IntakeBatch takes in many leads in one transaction, with the same
// validation and idempotency as Intake. An invalid input is reported in
// its result and stores nothing; the valid ones go ahead.
func (s *Service) IntakeBatch(
	ctx context.Context,
	ins []LeadInput,
	opt IntakeOptions,
) ([]IntakeResult, error) {
	results := make([]IntakeResult, len(ins))
	first := make(map[string]int, len(ins)) // external id -> index of its first input
	var exts []string
	for i, in := range ins {
		if err := in.Validate(); err != nil {
			results[i].Err = err
			continue
		}
		if err := in.checkTarget(s.now()); err != nil {
			results[i].Err = err
			continue
		}
		if _, ok := first[in.ExternalID]; !ok {
			first[in.ExternalID] = i
			exts = append(exts, in.ExternalID)
		}
	}

	run := func() error {
		return s.dryRunnable(ctx, opt.DryRun, func(tx Tx, logs *logQueue) error {
			return s.intake(ctx, tx, ins, results, first, exts, opt, logs)
		})
	}
	err := run()
	if CodeOf(err) == "duplicate_external_id" {
		// A concurrent request stored one of these external ids after we
		// looked: look again, and it is now a known lead.
		err = run()
	}
	if err != nil {
		return nil, err
	}
	return results, nil
}

func (s *Service) intake(ctx context.Context, tx Tx, ins []LeadInput, results []IntakeResult,
	first map[string]int, exts []string, opt IntakeOptions, logs *logQueue) error {
	known, err := tx.LeadIDsByExternalID(ctx, exts)
	if err != nil {
		return err
	}
	now := s.now()

	var fresh []*Lead
	for _, ext := range exts {
		if id, ok := known[ext]; ok {
			l, err := tx.Lead(ctx, id)
			if err != nil {
				return err
			}
			results[first[ext]] = IntakeResult{Lead: l}
			continue
		}
		fresh = append(fresh, s.newLead(ins[first[ext]], now))
	}

	reps, err := s.placeNew(ctx, tx, fresh, now)
	if err != nil {
		return err
	}
	plans, err := s.collaborateAll(ctx, tx, fresh, reps, now)
	if err != nil {
		return err
	}
	if err := tx.InsertLeads(ctx, fresh); err != nil {
		return err
	}
	for _, l := range fresh {
		results[first[l.ExternalID]] = IntakeResult{Lead: *l, Created: true}
	}
	if err := s.recordIntake(ctx, tx, fresh, opt.Actor, logs); err != nil {
		return err
	}
	if err := s.startAll(ctx, tx, fresh, plans, logs); err != nil {
		return err
	}
	if err := s.planIntake(ctx, tx, fresh, opt.Actor); err != nil {
		return err
	}
	if err := s.announce(ctx, tx, fresh, reps, opt.Announce, now); err != nil {
		return err
	}

	// Repeats of an external id within the batch answer like a second
	// request would: with the lead the first one made or found.
	for i, in := range ins {
		if results[i].Err == nil && first[in.ExternalID] != i {
			results[i] = IntakeResult{Lead: results[first[in.ExternalID]].Lead}
		}
	}
	return nil
}

func (s *Service) newLead(in LeadInput, now time.Time) *Lead {
	sc := s.scorer.Score(in.Profile)
	return &Lead{
		ExternalID: in.ExternalID,
		Profile:    in.Profile,
		Score:      sc.Score,
		Tier:       sc.Tier,
		DueAt:      in.DueAt,
		CreatedAt:  now,
		// The date as given, whatever zone it was written in.
		TargetClose: in.TargetClose,
		Timezone:    in.Timezone,
		UpdatedAt:   now,
	}
}

// placeNew decides for each new lead: assign it now, or leave it in the
// pool, as the mode says; a lead to assign that finds nobody with room
// goes on standby.
func (s *Service) placeNew(
	ctx context.Context,
	tx Tx,
	leads []*Lead,
	now time.Time,
) ([]Rep, error) {
	var reps []Rep
	held, err := heldLike(ctx, tx, leads)
	if err != nil {
		return nil, err
	}
	for _, l := range leads {
		attached, err := s.attachDuplicate(ctx, tx, l, held, now)
		if err != nil {
			return nil, err
		}
		if attached {
			continue
		}
		if !s.assignsAtOnce(l.Tier) {
			l.Status = StatusPool
			l.Decision = &Decision{Strategy: "pool", At: now,
				Reasons: []string{s.poolReason(l.Tier)}, Inputs: s.inputsOf(*l, 0)}
			continue
		}
		if reps == nil {
			var err error
			if reps, err = tx.Reps(ctx); err != nil {
				return nil, err
			}
		}
		d, err := s.pick(ctx, tx, *l, reps, now)
		if err != nil {
			return nil, err
		}
		l.Decision = &d
		if d.RepID == "" {
			l.Status = StatusStandby
			continue
		}
		l.Status = StatusAssigned
		l.Assignee = d.RepID
		l.HeldSince = &now
		l.DueAt = s.dueAt(*l, reps[indexOfRep(reps, d.RepID)], now)
	}
	return reps, nil
}

// customerKeys names a customer by company and by contact phone.
func customerKeys(p Profile) (company, phone string) {
	company, phone = strings.TrimSpace(p.Company), strings.TrimSpace(p.Contact.Phone)
	if phone != "" {
		phone = "tel:" + phone
	}
	return "co:" + company, phone
}

// heldLike maps each customer key of the new leads to the newest held
// lead of that customer, in one look-up for the batch.
func heldLike(ctx context.Context, tx Tx, leads []*Lead) (map[string]Lead, error) {
	var companies, phones []string
	for _, l := range leads {
		companies = append(companies, strings.TrimSpace(l.Company))
		if p := strings.TrimSpace(l.Contact.Phone); p != "" {
			phones = append(phones, p)
		}
	}
	found, err := tx.HeldLeadsLike(ctx, companies, phones)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Lead, len(found))
	for _, l := range found {
		for _, k := range []string{customerKeysOf(l, 0), customerKeysOf(l, 1)} {
			if k != "" && l.ID > out[k].ID {
				out[k] = l
			}
		}
	}
	return out, nil
}

func customerKeysOf(l Lead, i int) string {
	company, phone := customerKeys(l.Profile)
	return [2]string{company, phone}[i]
}

// attachDuplicate gives a new lead for a customer someone already works
// (same company, or the same contact phone) to that owner, so that one
// customer does not get two reps. An owner without room leaves the lead
// to the ordinary routing.
func (s *Service) attachDuplicate(ctx context.Context, tx Tx, l *Lead, held map[string]Lead, now time.Time) (bool, error) {
	company, phone := customerKeys(l.Profile)
	h, ok := held[company]
	if p, okp := held[phone]; phone != "" && okp && (!ok || p.ID > h.ID) {
		h, ok = p, true
	}
	if !ok {
		return false, nil
	}
	owner, err := tx.Rep(ctx, h.Assignee)
	if err != nil {
		return false, err
	}
	if ok, err := tx.ReserveCapacity(ctx, owner.ID, now); err != nil || !ok {
		return false, err
	}
	d := Decision{Strategy: "duplicate", RepID: owner.ID, Load: owner.OpenTasks, At: now,
		Reasons: []string{s.policy.Lang.say(msgDuplicate, h.ID, displayName(owner))},
		Inputs:  s.inputsOf(*l, 0)}
	l.Status, l.Assignee, l.Decision, l.HeldSince = StatusAssigned, owner.ID, &d, &now
	l.DueAt = s.dueAt(*l, owner, now)
	return true, nil
}

// announce queues an assignment card for each new owner and, when asked,
// a pool card for each rep who may claim a pooled lead.
func (s *Service) announce(
	ctx context.Context,
	tx Tx,
	leads []*Lead,
	reps []Rep,
	pool bool,
	now time.Time,
) error {
	var notices []Notice
	for _, l := range leads {
		switch {
		case l.Status == StatusAssigned:
			notices = append(notices, assignedNotice(*l, now))
		case l.Status == StatusPool && pool:
			if reps == nil {
				var err error
				if reps, err = tx.Reps(ctx); err != nil {
					return err
				}
			}
			pool, err := s.poolNotices(ctx, tx, *l, reps, now)
			if err != nil {
				return err
			}
			notices = append(notices, pool...)
		}
	}
	return tx.Enqueue(ctx, notices...)
}

func (s *Service) assignsAtOnce(t Tier) bool {
	switch s.policy.Mode {
	case ModeAuto:
		return true
	case ModeHybrid:
		return t == TierA
	}
	return false
}

func (s *Service) poolReason(t Tier) string {
	if s.policy.Mode == ModeHybrid {
		return s.policy.Lang.say(msgPoolHybrid, t)
	}
	return s.policy.Lang.say(msgPoolMode)
}

// dueAt is the lead's own deadline, or the tier's first-touch time from
// now, counted in the owner's business hours.
func (s *Service) dueAt(l Lead, owner Rep, now time.Time) *time.Time {
	if l.DueAt != nil {
		return l.DueAt
	}
	due := s.firstTouch(l.Tier, owner, now)
	return &due
}

func (s *Service) firstTouch(t Tier, owner Rep, now time.Time) time.Time {
	loc := time.UTC
	if z, err := time.LoadLocation(owner.Timezone); err == nil && owner.Timezone != "" {
		loc = z
	}
	return s.policy.Hours.Add(now, s.policy.FirstTouch[t], loc).Truncate(time.Millisecond)
}

// pick asks the router for a rep and reserves one of the rep's open
// slots. When another transaction filled the rep in the meantime, the
// rep counts as full and the router is asked again. reps is updated with
// the reservation.
func (s *Service) pick(
	ctx context.Context,
	tx Tx,
	l Lead,
	reps []Rep,
	now time.Time,
) (Decision, error) {
	for range len(reps) + 1 {
		d := s.route(l, reps, now)
		d.Inputs = s.inputsOf(l, len(reps))
		if d.RepID == "" {
			d.At = now
			return d, nil
		}
		i := indexOfRep(reps, d.RepID)
		if i < 0 {
			return Decision{}, fmt.Errorf("route lead %s: strategy %s chose unknown rep %q",
				l.ExternalID, d.Strategy, d.RepID)
		}
		ok, err := tx.ReserveCapacity(ctx, d.RepID, now)
		if err != nil {
			return Decision{}, err
		}
		if ok {
			err := warnLoad(
				ctx,
				tx,
				d.RepID,
				reps[i].OpenTasks,
				reps[i].Capacity,
				now,
			)
			if err != nil {
				return Decision{}, err
			}
			d.Load = reps[i].OpenTasks
			reps[i].OpenTasks++
			reps[i].LastAssignedAt = now
			d.At = now
			s.learn.noteAssignment(l.Tier, d.RepID)
			return d, nil
		}
		reps[i].OpenTasks = reps[i].Capacity
	}
	return Decision{}, fmt.Errorf("route lead %s: strategy %s keeps choosing full reps",
		l.ExternalID, s.router.Name())
}

func indexOfRep(reps []Rep, id RepID) int {
	for i, r := range reps {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// recordIntake writes the history, ownership and decision rows of leads
// just stored, a few statements for the whole batch.
func (s *Service) recordIntake(
	ctx context.Context,
	tx Tx,
	leads []*Lead,
	actor Actor,
	logs *logQueue,
) error {
	var events []LeadEvent
	var owners []Ownership
	var decisions []LoggedDecision
	for _, l := range leads {
		events = append(events, LeadEvent{
			LeadID: l.ID,
			At:     l.CreatedAt,
			Event:  EventCreated,
			Actor:  actor,
			Detail: s.policy.Lang.say(msgCreated, l.Score, l.Tier, s.statusNote(*l)),
		})
		if l.Status == StatusAssigned {
			events = append(events, assignedEvent(*l))
			owners = append(owners, Ownership{LeadID: l.ID, RepID: l.Assignee, How: EventAssigned,
				StartedAt: l.CreatedAt})
		}
		decisions = append(decisions, LoggedDecision{l.ID, *l.Decision})
		logs.add("lead created", slog.String("lead_id", l.ID.String()),
			slog.String("tier", string(l.Tier)), slog.String("status", string(l.Status)),
			slog.String("rep_id", string(l.Assignee)))
	}
	if err := tx.StartOwnerships(ctx, owners...); err != nil {
		return err
	}
	if err := tx.AppendEvents(ctx, events...); err != nil {
		return err
	}
	return tx.AppendDecisions(ctx, decisions...)
}

func assignedEvent(l Lead) LeadEvent {
	detail := ""
	if l.Decision != nil && len(l.Decision.Reasons) > 0 {
		detail = l.Decision.Reasons[0]
	}
	return LeadEvent{LeadID: l.ID, At: l.UpdatedAt, Event: EventAssigned, Actor: ActorEngine,
		RepID: l.Assignee, Detail: detail}
}

func (s *Service) statusNote(l Lead) string {
	switch l.Status {
	case StatusAssigned:
		return s.policy.Lang.say(msgAtOnce)
	case StatusStandby:
		return s.policy.Lang.say(msgWaiting)
	}
	return s.policy.Lang.say(msgPooled)
}
