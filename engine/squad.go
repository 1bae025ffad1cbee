package engine

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// CollaboratorRole says why a rep works on a lead beside its owner.
type CollaboratorRole string

// The collaborator roles.
const (
	// CollabSquad is a member of a temporary squad formed because a lead
	// of a key industry found no expert to own it.
	CollabSquad CollaboratorRole = "squad"
	// CollabPairing is a rep a pairing rule added, such as a technical
	// consultant for a large deal.
	CollabPairing CollaboratorRole = "pairing"
)

// The reasons a collaboration ends, as stored.
const (
	EndClosed  = "closed"
	EndExpired = "expired"
)

// Collaborator is a rep who works on a lead beside its owner for a
// while. Collaborators hold no capacity slot; see CollaborationOptions
// for how their load counts.
type Collaborator struct {
	LeadID LeadID
	RepID  RepID
	Role   CollaboratorRole
	// Rule names the pairing rule that added the rep; "" for a squad.
	Rule string
	// Reason says in the policy's language why the rep was chosen.
	Reason    string
	StartedAt time.Time
	// EndsAt is when a temporary collaboration lapses by itself; nil
	// lasts until the lead closes.
	EndsAt    *time.Time
	EndedAt   *time.Time
	EndReason string
}

// Live reports whether the collaboration has not ended.
func (c Collaborator) Live() bool { return c.EndedAt == nil }

// CollaborationEnd selects the live collaborations of a lead to end:
// all of them, or with DueBy set only those whose EndsAt is by then.
type CollaborationEnd struct {
	LeadID LeadID
	DueBy  *time.Time
	At     time.Time
	Reason string
}

// CollaborationOptions configure expert collaboration: squads for leads
// of key industries that no expert can own, and pairing rules. The yaml
// keys are the field names Validate reports. The zero value turns both
// off.
//
// A collaborator takes none of the capacity that owning leads uses. Their
// collaborations count two ways instead: nobody is in more than MaxPerRep
// live collaborations at once, and when collaborators are compared by
// load, each live collaboration weighs LoadWeight of an open task.
type CollaborationOptions struct {
	// KeyIndustries are the industries whose leads get a squad when no
	// expert can own them.
	KeyIndustries []string `yaml:"key_industries"`
	// ExpertRate and ExpertConfidence define an expert: a rep whose
	// learned win rate in the lead's industry reaches ExpertRate, with at
	// least ExpertConfidence of it their own history (0 to 1; with the
	// default profile strength, 0.3 is about 4 deals, 0.5 is 10).
	ExpertRate       float64 `yaml:"expert_rate"`
	ExpertConfidence float64 `yaml:"expert_confidence"`
	// SquadSize is the most squad members a lead gets.
	SquadSize int `yaml:"squad_size"`
	// SquadFor is how long a squad lasts unless the lead closes first;
	// 0 lasts until it closes. Pairing collaborators stay until close.
	SquadFor time.Duration `yaml:"squad_for"`
	// MaxPerRep caps the live collaborations of one rep.
	MaxPerRep int `yaml:"max_per_rep"`
	// LoadWeight is what one live collaboration adds to a rep's load, in
	// open tasks, when collaborators are compared.
	LoadWeight float64 `yaml:"load_weight"`
	// Pairing are the rules that add collaborators by the lead's fields.
	Pairing []PairingRule `yaml:"pairing"`
}

// DefaultCollaborationOptions have no key industries and no rules, so
// nothing happens until an installation names them.
var DefaultCollaborationOptions = CollaborationOptions{
	KeyIndustries:    []string{},
	ExpertRate:       0.4,
	ExpertConfidence: 0.3,
	SquadSize:        2,
	SquadFor:         14 * 24 * time.Hour,
	MaxPerRep:        3,
	LoadWeight:       0.5,
	Pairing:          []PairingRule{},
}

// Validate reports the first option out of range, as an *Error of kind
// Invalid whose field names the key and, for a rule, its index, such as
// pairing[1].add.tag.
func (o CollaborationOptions) Validate() error {
	var c checker
	c.list("key_industries", o.KeyIndustries)
	c.number("expert_rate", o.ExpertRate, 0, 1)
	c.number("expert_confidence", o.ExpertConfidence, 0, 1)
	c.number("squad_size", float64(o.SquadSize), 0, 20)
	if o.SquadFor < 0 {
		c.fail("squad_for", "out_of_range",
			"is %s, must be 0 (until close) or positive", o.SquadFor)
	}
	c.number("max_per_rep", float64(o.MaxPerRep), 0, MaxCapacity)
	c.number("load_weight", o.LoadWeight, 0, 10)
	names := map[string]int{}
	for i, r := range o.Pairing {
		r.check(&c, fmt.Sprintf("pairing[%d].", i))
		if j, ok := names[r.Name]; ok && r.Name != "" {
			c.fail(fmt.Sprintf("pairing[%d].name", i), "duplicate",
				"%q is also the name of pairing[%d]", r.Name, j)
		}
		names[r.Name] = i
	}
	return errOrNil(c.err)
}

func (o CollaborationOptions) on() bool {
	return o.MaxPerRep > 0 && (len(o.KeyIndustries) > 0 || len(o.Pairing) > 0)
}

func (o CollaborationOptions) keyIndustry(industry string) bool {
	return industry != "" && slices.ContainsFunc(o.KeyIndustries, func(k string) bool {
		return normKey(k) == normKey(industry)
	})
}

// collabPlan is what collaboration decided for one lead before the lead
// is stored: the collaborators (without the lead's id, which a new lead
// does not have yet) and the lines for the decision's reasons.
type collabPlan struct {
	members []Collaborator
	reasons []string
}

// collabRun plans the collaborators of the leads of one transaction,
// keeping the roster and the live collaboration counts up to date
// between leads.
type collabRun struct {
	s    *Service
	tx   Tx
	reps []Rep
	live map[RepID]int // nil until first needed
	k    *Knowledge
	view *leadView // of the lead being planned
	// zone is the time zone rule of the lead being planned: a
	// collaborator works with its customer too.
	zone *zoneCheck
}

func (s *Service) collabRun(tx Tx, reps []Rep) *collabRun {
	return &collabRun{s: s, tx: tx, reps: reps}
}

// plan decides the collaborators of a lead that just got an owner, and
// adds its lines to the lead's decision. A lead that already has live
// collaborators, such as one claimed again after a release, keeps them
// and gets no more.
//
// TODO: a hand-over or claim that makes a collaborator the owner leaves
// their collaboration live until close or expiry, so they count twice
// against max_per_rep meanwhile.
func (c *collabRun) plan(ctx context.Context, l *Lead, now time.Time) (collabPlan, error) {
	o := c.s.policy.Collaboration
	squad := o.keyIndustry(l.Industry)
	rules := matchingRules(o.Pairing, l.Profile)
	if !o.on() || l.Assignee == "" || (!squad && len(rules) == 0) {
		return collabPlan{}, nil
	}
	if err := c.load(ctx); err != nil {
		return collabPlan{}, err
	}
	if l.ID != 0 {
		had, err := c.tx.Collaborators(ctx, l.ID)
		if err != nil {
			return collabPlan{}, err
		}
		if slices.ContainsFunc(had, Collaborator.Live) {
			return collabPlan{}, nil
		}
	}

	var p collabPlan
	c.view = c.k.Profiles.view(l.Profile)
	c.zone = c.s.zoneCheck(l, now)
	taken := map[RepID]bool{l.Assignee: true}
	if squad && !c.expertAmong(l) {
		c.formSquad(&p, l, taken, now)
	}
	for _, r := range rules {
		c.pair(&p, l, r, taken, now)
	}
	for _, m := range p.members {
		c.live[m.RepID]++
	}
	if l.Decision != nil {
		l.Decision.Reasons = append(l.Decision.Reasons, p.reasons...)
	}
	return p, nil
}

func (c *collabRun) load(ctx context.Context) error {
	if c.k == nil {
		c.k = c.s.knowledge()
	}
	if c.reps == nil {
		reps, err := c.tx.Reps(ctx)
		if err != nil {
			return err
		}
		c.reps = reps
	}
	if c.live == nil {
		live, err := c.tx.LiveCollaborations(ctx)
		if err != nil {
			return err
		}
		c.live = live
	}
	return nil
}

// expertAmong reports whether the owner, or another rep who could own
// the lead now, is an expert in its industry.
func (c *collabRun) expertAmong(l *Lead) bool {
	o := c.s.policy.Collaboration
	for i := range c.reps {
		r := &c.reps[i]
		if r.ID != l.Assignee && fitOf(l, r, c.zone) != fitOK {
			continue
		}
		rec := c.record(r, ByIndustry)
		if rec.Rate >= o.ExpertRate && rec.Confidence >= o.ExpertConfidence {
			return true
		}
	}
	return false
}

// partialFit is a rep's best learned record in the lead's industry or
// product line.
type partialFit struct {
	i     int // index in the roster
	value string
	rate  float64
	deals int
	load  float64
}

// fitOfRep returns the rep's better cell of the lead's industry and
// product line; deals is 0 when the rep has closed none in either.
func (c *collabRun) fitOfRep(l *Lead, i int) partialFit {
	r := c.reps[i]
	f := partialFit{i: i, load: c.load1(r)}
	for _, cell := range [...]struct {
		d Dimension
		v string
	}{{ByIndustry, l.Industry}, {ByProductLine, l.ProductLine}} {
		if strings.TrimSpace(cell.v) == "" {
			continue
		}
		rec := c.record(&r, cell.d)
		switch {
		case rec.Deals > 0 && (f.deals == 0 || rec.Rate > f.rate),
			f.deals == 0 && rec.Deals == 0 && (f.value == "" || rec.Rate > f.rate):
			f.value, f.rate, f.deals = cell.v, rec.Rate, rec.Deals
		}
	}
	return f
}

// record is the rep's learned record in one cell of the lead being
// planned: the same as Profiles.Cell, from one view for the whole roster.
func (c *collabRun) record(r *Rep, d Dimension) Capability {
	tv := c.view.team(r.Team)
	return c.view.cell(r, tv, c.view.overall(r, tv), dimIndex(d))
}

// load1 is the rep's open tasks plus the weight of their collaborations.
func (c *collabRun) load1(r Rep) float64 {
	return float64(r.OpenTasks) + c.s.policy.Collaboration.LoadWeight*float64(c.live[r.ID])
}

// mayCollaborate reports whether a rep may join a lead's work: present,
// not a manager, covering the lead's region and sharing enough working
// hours with its customer, under the collaboration cap and not on the
// lead already. Capacity is not asked for: a
// collaborator holds no slot.
func (c *collabRun) mayCollaborate(l *Lead, r *Rep, taken map[RepID]bool) bool {
	return r.Active && !r.Away && r.Role != RoleManager && covers(r, l.Region) &&
		c.zone.fits(r) && !taken[r.ID] && c.live[r.ID] < c.s.policy.Collaboration.MaxPerRep
}

// formSquad adds the best partial fits: the reps with the highest
// learned win rate in the lead's industry or product line, among those
// who have closed a deal in either; less load breaks a tie, then the id.
func (c *collabRun) formSquad(p *collabPlan, l *Lead, taken map[RepID]bool, now time.Time) {
	o := c.s.policy.Collaboration
	lang := c.s.policy.Lang
	var fits []partialFit
	for i := range c.reps {
		if !c.mayCollaborate(l, &c.reps[i], taken) {
			continue
		}
		if f := c.fitOfRep(l, i); f.deals > 0 {
			fits = append(fits, f)
		}
	}
	slices.SortFunc(fits, func(a, b partialFit) int {
		return cmp.Or(cmp.Compare(b.rate, a.rate), cmp.Compare(a.load, b.load),
			cmp.Compare(c.reps[a.i].ID, c.reps[b.i].ID))
	})
	fits = fits[:min(len(fits), o.SquadSize)]
	if len(fits) == 0 {
		p.reasons = append(p.reasons, lang.sq(sqSquadNone, l.Industry))
		return
	}

	var ends *time.Time
	if o.SquadFor > 0 {
		t := now.Add(o.SquadFor)
		ends = &t
	}
	names := make([]string, len(fits))
	for j, f := range fits {
		r := c.reps[f.i]
		names[j] = lang.sq(sqMember, displayName(r), f.value, pct(f.rate))
		taken[r.ID] = true
		p.members = append(p.members, Collaborator{
			RepID:     r.ID,
			Role:      CollabSquad,
			Reason:    lang.sq(sqSquadReason, l.Industry, names[j]),
			StartedAt: now,
			EndsAt:    ends,
		})
	}
	p.reasons = append(p.reasons,
		lang.sq(sqSquad, l.Industry, strings.Join(names, lang.say(msgListSep))))
}

// knowledge returns the latest learned snapshot, or the priors.
func (s *Service) knowledge() *Knowledge {
	s.learn.mu.Lock()
	defer s.learn.mu.Unlock()
	return s.learn.k.orEmpty()
}

// collaborateAll plans the collaborators of new leads that were
// assigned, in the order of leads.
func (s *Service) collaborateAll(
	ctx context.Context,
	tx Tx,
	leads []*Lead,
	reps []Rep,
	now time.Time,
) ([]collabPlan, error) {
	if !s.policy.Collaboration.on() {
		return nil, nil
	}
	run := s.collabRun(tx, reps)
	plans := make([]collabPlan, len(leads))
	for i, l := range leads {
		if l.Status != StatusAssigned {
			continue
		}
		p, err := run.plan(ctx, l, now)
		if err != nil {
			return nil, err
		}
		plans[i] = p
	}
	return plans, nil
}

// startAll records the planned collaborators of leads just stored.
func (s *Service) startAll(ctx context.Context, tx Tx, leads []*Lead, plans []collabPlan,
	logs *logQueue) error {
	for i, p := range plans {
		if err := s.startCollaboration(ctx, tx, *leads[i], p, logs); err != nil {
			return err
		}
	}
	return nil
}

// startCollaboration stores a lead's planned collaborators, writes a
// history line for each and tells each of them.
func (s *Service) startCollaboration(ctx context.Context, tx Tx, l Lead, p collabPlan,
	logs *logQueue) error {
	if len(p.members) == 0 {
		return nil
	}
	events := make([]LeadEvent, len(p.members))
	notices := make([]Notice, len(p.members))
	for j := range p.members {
		m := &p.members[j]
		m.LeadID = l.ID
		events[j] = LeadEvent{LeadID: l.ID, At: m.StartedAt, Event: EventCollabJoined,
			Actor: ActorEngine, RepID: m.RepID, Detail: m.Reason}
		notices[j] = Notice{
			Key:    noticeKey(NoticeCollaborator, l.ID, m.RepID, m.StartedAt),
			Kind:   NoticeCollaborator,
			LeadID: l.ID,
			To:     m.RepID,
			Text:   string(m.Role),
			Args:   map[string]string{"rule": m.Rule, "reason": m.Reason},
			At:     m.StartedAt,
		}
	}
	if err := tx.StartCollaborations(ctx, p.members...); err != nil {
		return err
	}
	if err := tx.AppendEvents(ctx, events...); err != nil {
		return err
	}
	if err := tx.Enqueue(ctx, notices...); err != nil {
		return err
	}
	for _, m := range p.members {
		logs.add("collaborator added", slog.String("lead_id", l.ID.String()),
			slog.String("rep_id", string(m.RepID)), slog.String("role", string(m.Role)),
			slog.String("rule", m.Rule))
	}
	return nil
}

// collaborate plans and, once the lead's owner change is stored, starts
// the collaborators of one lead that just got an owner: a claim or a
// standby lead that found room.
func (s *Service) collaborate(ctx context.Context, tx Tx, reps []Rep, l *Lead,
	now time.Time) (func(logs *logQueue) error, error) {
	p, err := s.collabRun(tx, reps).plan(ctx, l, now)
	if err != nil {
		return nil, err
	}
	lead := l
	return func(logs *logQueue) error {
		return s.startCollaboration(ctx, tx, *lead, p, logs)
	}, nil
}

// endCollaboration ends the selected live collaborations of a lead and
// writes a history line for each.
func (s *Service) endCollaboration(ctx context.Context, tx Tx, e CollaborationEnd) (int, error) {
	ended, err := tx.EndCollaborations(ctx, e)
	if err != nil || len(ended) == 0 {
		return 0, err
	}
	reps, err := tx.Reps(ctx)
	if err != nil {
		return 0, err
	}
	m := sqReleasedClosed
	if e.Reason == EndExpired {
		m = sqReleasedExpired
	}
	events := make([]LeadEvent, len(ended))
	for j, c := range ended {
		name := string(c.RepID)
		if i := indexOfRep(reps, c.RepID); i >= 0 {
			name = displayName(reps[i])
		}
		events[j] = LeadEvent{LeadID: e.LeadID, At: e.At, Event: EventCollabLeft,
			Actor: ActorEngine, RepID: c.RepID, Detail: s.policy.Lang.sq(m, name)}
	}
	if err := tx.AppendEvents(ctx, events...); err != nil {
		return 0, err
	}
	// The collaborators' cards show that they are done; at a close the
	// same notice is queued already, and its key makes it one.
	return len(ended), tx.Enqueue(ctx, changedNotice(e.LeadID, e.At))
}

// expireBatch is how many lapsed collaborations one scan ends.
const expireBatch = 200

// ExpireCollaborations ends the temporary collaborations whose time is
// up, each lead in a transaction of its own, and returns how many ended.
// The scheduler runs it every tick.
func (s *Service) ExpireCollaborations(ctx context.Context) (int, error) {
	now := s.now()
	lapsed, err := s.store.LapsedCollaborations(ctx, now, expireBatch)
	if err != nil {
		return 0, err
	}
	var leads []LeadID
	for _, c := range lapsed {
		if !slices.Contains(leads, c.LeadID) {
			leads = append(leads, c.LeadID)
		}
	}
	total := 0
	for _, id := range leads {
		err := s.update(ctx, func(tx Tx, logs *logQueue) error {
			n, err := s.endCollaboration(ctx, tx, CollaborationEnd{LeadID: id, DueBy: &now,
				At: now, Reason: EndExpired})
			if n > 0 {
				total += n
				logs.add("collaborators released", slog.String("lead_id", id.String()),
					slog.Int("count", n), slog.String("reason", EndExpired))
			}
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Collaborators returns everyone who worked on a lead beside its owner,
// live or ended, oldest first; NotFound for an unknown lead.
func (s *Service) Collaborators(ctx context.Context, id LeadID) ([]Collaborator, error) {
	if _, err := s.store.Lead(ctx, id); err != nil {
		return nil, err
	}
	return s.store.Collaborators(ctx, id)
}

// sqMsg names one sentence of the collaboration reasons.
type sqMsg int

const (
	sqSquad sqMsg = iota
	sqSquadNone
	sqMember
	sqSquadReason
	sqPairing
	sqPairingNone
	sqPairingOwner
	sqPairingReason
	sqReleasedClosed
	sqReleasedExpired
	sqCount
)

var sqCatalog = map[Lang]*[sqCount]string{
	Chinese: {
		sqSquad:           "重点行业%s无匹配专家，组建临时小组：%s",
		sqSquadNone:       "重点行业%s无匹配专家，也没有可加入临时小组的销售",
		sqMember:          "%s（%s 胜率 %s）",
		sqSquadReason:     "重点行业%s无匹配专家，加入临时小组：%s",
		sqPairing:         "配对规则「%s」：加入%s %s（负载 %s）",
		sqPairingNone:     "配对规则「%s」：没有可加入的%s",
		sqPairingOwner:    "配对规则「%s」：跟进人本身就是%s",
		sqPairingReason:   "配对规则「%s」：作为%s加入（负载 %s）",
		sqReleasedClosed:  "%s 结束协作：线索已结案",
		sqReleasedExpired: "%s 结束协作：临时小组到期",
	},
	English: {
		sqSquad:           "no expert for key industry %s: temporary squad of %s",
		sqSquadNone:       "no expert for key industry %s, and nobody free to form a squad",
		sqMember:          "%s (%s win rate %s)",
		sqSquadReason:     "no expert for key industry %s: joins the temporary squad as %s",
		sqPairing:         "pairing rule %q: adds %s %s (load %s)",
		sqPairingNone:     "pairing rule %q: no %s is free to join",
		sqPairingOwner:    "pairing rule %q: the owner is a %s already",
		sqPairingReason:   "pairing rule %q: joins as %s (load %s)",
		sqReleasedClosed:  "%s stops collaborating: the lead is closed",
		sqReleasedExpired: "%s stops collaborating: the temporary squad's time is up",
	},
}

// sq formats one collaboration sentence.
func (l Lang) sq(m sqMsg, args ...any) string {
	return fmt.Sprintf(sqCatalog[l.resolved()][m], args...)
}
