package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// The types below are the JSON of the REST contract. They stay apart
// from engine's types so that the contract changes only on purpose.

type repIn struct {
	Name           *string  `json:"name"`
	Team           string   `json:"team"`
	Role           *string  `json:"role"`
	Level          string   `json:"level"`
	Capacity       *int     `json:"capacity"`
	Industries     []string `json:"industries"`
	Regions        []string `json:"regions"`
	Timezone       string   `json:"timezone"`
	WeComUserID    string   `json:"wecom_userid"`
	DingTalkUserID string   `json:"dingtalk_userid"`
	Active         *bool    `json:"active"`
	Language       string   `json:"language"`
	Away           bool     `json:"away"`
	Skills         []string `json:"skills"`
}

func (in repIn) toEngine(id string) (engine.Rep, error) {
	switch {
	case in.Name == nil:
		return engine.Rep{}, missing("name")
	case in.Role == nil:
		return engine.Rep{}, missing("role")
	case in.Capacity == nil:
		return engine.Rep{}, missing("capacity")
	}
	r := engine.Rep{
		ID:             engine.RepID(id),
		Name:           *in.Name,
		Team:           in.Team,
		Role:           engine.Role(*in.Role),
		Level:          in.Level,
		Capacity:       *in.Capacity,
		Industries:     in.Industries,
		Regions:        in.Regions,
		Timezone:       in.Timezone,
		WeComUserID:    in.WeComUserID,
		DingTalkUserID: in.DingTalkUserID,
		Language:       in.Language,
		Away:           in.Away,
		Skills:         in.Skills,
		Active:         true,
	}
	if in.Active != nil {
		r.Active = *in.Active
	}
	return r, nil
}

func missing(field string) error {
	return &engine.Error{
		Kind:  engine.Invalid,
		Code:  "missing_field",
		Field: field,
		Msg:   "is required",
	}
}

type repOut struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Team           string     `json:"team"`
	Role           string     `json:"role"`
	Level          string     `json:"level"`
	Capacity       int        `json:"capacity"`
	OpenTasks      int        `json:"open_tasks"`
	Industries     []string   `json:"industries"`
	Regions        []string   `json:"regions"`
	Timezone       string     `json:"timezone"`
	WeComUserID    string     `json:"wecom_userid"`
	DingTalkUserID string     `json:"dingtalk_userid"`
	Active         bool       `json:"active"`
	Language       string     `json:"language"`
	Away           bool       `json:"away"`
	Skills         []string   `json:"skills"`
	LastAssignedAt *time.Time `json:"last_assigned_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func (s *Server) repOut(r engine.Rep) repOut {
	out := repOut{
		ID:             string(r.ID),
		Name:           r.Name,
		Team:           r.Team,
		Role:           string(r.Role),
		Level:          r.Level,
		Capacity:       r.Capacity,
		OpenTasks:      r.OpenTasks,
		Industries:     nonNil(r.Industries),
		Regions:        nonNil(r.Regions),
		Timezone:       r.Timezone,
		WeComUserID:    r.WeComUserID,
		DingTalkUserID: r.DingTalkUserID,
		Active:         r.Active,
		Language:       r.Language,
		Away:           r.Away,
		Skills:         nonNil(r.Skills),
		CreatedAt:      r.CreatedAt.In(s.loc),
		UpdatedAt:      r.UpdatedAt.In(s.loc),
	}
	if !r.LastAssignedAt.IsZero() {
		t := r.LastAssignedAt.In(s.loc)
		out.LastAssignedAt = &t
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type contactJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// profileJSON is the description of a lead, shared by intake, history
// and the lead answer.
type profileJSON struct {
	Company          string         `json:"company"`
	Contact          contactJSON    `json:"contact"`
	Industry         string         `json:"industry"`
	ProductLine      string         `json:"product_line"`
	CustomerType     string         `json:"customer_type"`
	CompanySize      int            `json:"company_size"`
	Region           string         `json:"region"`
	ExpectedAmount   float64        `json:"expected_amount"`
	CloseProbability *float64       `json:"close_probability"`
	Source           string         `json:"source"`
	Interactions     int            `json:"interactions"`
	Attributes       map[string]any `json:"attributes"`
}

func (p profileJSON) toEngine() engine.Profile {
	return engine.Profile{
		Company:          p.Company,
		Contact:          engine.Contact(p.Contact),
		Industry:         p.Industry,
		ProductLine:      p.ProductLine,
		CustomerType:     engine.CustomerType(p.CustomerType),
		CompanySize:      p.CompanySize,
		Region:           p.Region,
		ExpectedAmount:   p.ExpectedAmount,
		CloseProbability: p.CloseProbability,
		Source:           p.Source,
		Interactions:     p.Interactions,
		Attributes:       p.Attributes,
	}
}

func profileOut(p engine.Profile) profileJSON {
	attrs := p.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	return profileJSON{
		Company:          p.Company,
		Contact:          contactJSON(p.Contact),
		Industry:         p.Industry,
		ProductLine:      p.ProductLine,
		CustomerType:     string(p.CustomerType),
		CompanySize:      p.CompanySize,
		Region:           p.Region,
		ExpectedAmount:   p.ExpectedAmount,
		CloseProbability: p.CloseProbability,
		Source:           p.Source,
		Interactions:     p.Interactions,
		Attributes:       attrs,
	}
}

type leadIn struct {
	ExternalID string `json:"external_id"`
	profileJSON
	DueAt         *string `json:"due_at"`
	TargetCloseAt *string `json:"target_close_at"`
	Timezone      string  `json:"timezone"`
}

func (in leadIn) toEngine(prefix string) (engine.LeadInput, error) {
	due, err := parseTime(prefix+"due_at", in.DueAt)
	if err != nil {
		return engine.LeadInput{}, err
	}
	target, err := parseDate(prefix+"target_close_at", in.TargetCloseAt)
	if err != nil {
		return engine.LeadInput{}, err
	}
	return engine.LeadInput{
		ExternalID:  in.ExternalID,
		Profile:     in.profileJSON.toEngine(),
		DueAt:       due,
		TargetClose: target,
		Timezone:    in.Timezone,
	}, nil
}

// parseTime reads an optional RFC 3339 time, which must carry an offset.
func parseTime(field string, s *string) (*time.Time, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return nil, &engine.Error{
			Kind:  engine.Invalid,
			Code:  "invalid_time",
			Field: field,
			Msg: fmt.Sprintf(
				"is %q, want an RFC 3339 time with an offset such as 2026-12-05T18:00:00+08:00",
				*s,
			),
		}
	}
	return &t, nil
}

type leadOut struct {
	ID         string `json:"id"`
	ExternalID string `json:"external_id"`
	profileJSON
	Score     float64       `json:"score"`
	Tier      string        `json:"tier"`
	Status    string        `json:"status"`
	Assignee  *string       `json:"assignee"`
	DueAt     *time.Time    `json:"due_at"`
	Decision  *decisionJSON `json:"decision"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	ClosedAt  *time.Time    `json:"closed_at,omitempty"`
	Amount    *float64      `json:"amount,omitempty"`
	Progress  int           `json:"progress"`
	Accepted  *time.Time    `json:"accepted_at"`
	TouchedAt *time.Time    `json:"touched_at"`
	// Collaborators is set by GET /api/v1/leads/{id} only; a pointer,
	// so that a lead with none there shows an empty array.
	Collaborators *[]collaboratorJSON `json:"collaborators,omitempty"`
	// TargetCloseAt is a date, 2006-01-02.
	TargetCloseAt *string `json:"target_close_at"`
	// Timezone is the customer's IANA time zone, "" if the lead named none.
	Timezone string `json:"timezone"`
}

type decisionJSON struct {
	Strategy   string          `json:"strategy"`
	RepID      *string         `json:"rep_id"`
	Reasons    []string        `json:"reasons"`
	Candidates []candidateJSON `json:"candidates"`
	At         time.Time       `json:"at"`
	Experiment string          `json:"experiment,omitempty"`
	Arm        string          `json:"arm,omitempty"`
	Inputs     *inputsJSON     `json:"inputs"`
}

// inputsJSON is what a decision knew of its lead when it was made.
type inputsJSON struct {
	Score            float64  `json:"score"`
	Tier             string   `json:"tier"`
	CloseProbability *float64 `json:"close_probability"`
	ExpectedAmount   float64  `json:"expected_amount"`
	Industry         string   `json:"industry"`
	ProductLine      string   `json:"product_line"`
	CustomerType     string   `json:"customer_type"`
	CompanySize      int      `json:"company_size"`
	Region           string   `json:"region"`
	Source           string   `json:"source"`
	Timezone         string   `json:"timezone"`
	Mode             string   `json:"mode"`
	Roster           int      `json:"roster"`
}

type candidateJSON struct {
	RepID string     `json:"rep_id"`
	Score float64    `json:"score"`
	Parts []partJSON `json:"parts"`
}

type partJSON struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Weight float64 `json:"weight"`
}

func (s *Server) leadOut(l engine.Lead) leadOut {
	out := leadOut{
		ID:          l.ID.String(),
		ExternalID:  l.ExternalID,
		profileJSON: profileOut(l.Profile),
		Score:       l.Score,
		Tier:        string(l.Tier),
		Status:      string(l.Status),
		Assignee:    optional(string(l.Assignee)),
		DueAt:       s.timePtr(l.DueAt),
		CreatedAt:   l.CreatedAt.In(s.loc),
		UpdatedAt:   l.UpdatedAt.In(s.loc),
		ClosedAt:    s.timePtr(l.ClosedAt),
		Amount:      l.ClosedAmount,
		Progress:    l.Progress,
		Accepted:    s.timePtr(l.AcceptedAt),
		TouchedAt:   s.timePtr(l.TouchedAt),
		Timezone:    l.Timezone,
	}
	if l.TargetClose != nil {
		d := l.TargetClose.Format(time.DateOnly)
		out.TargetCloseAt = &d
	}
	if l.Decision != nil {
		d := s.decisionOut(*l.Decision)
		out.Decision = &d
	}
	return out
}

func (s *Server) decisionOut(d engine.Decision) decisionJSON {
	out := decisionJSON{Strategy: d.Strategy, RepID: optional(string(d.RepID)),
		Reasons: nonNil(d.Reasons), Candidates: []candidateJSON{}, At: d.At.In(s.loc),
		Experiment: d.Experiment, Arm: string(d.Arm)}
	for _, c := range d.Candidates {
		out.Candidates = append(out.Candidates, candidateOut(c))
	}
	if in := d.Inputs; in != nil {
		out.Inputs = &inputsJSON{Score: in.Score, Tier: string(in.Tier),
			CloseProbability: in.CloseProbability, ExpectedAmount: in.ExpectedAmount,
			Industry: in.Industry, ProductLine: in.ProductLine,
			CustomerType: string(in.CustomerType), CompanySize: in.CompanySize,
			Region: in.Region, Source: in.Source, Timezone: in.Timezone, Mode: string(in.Mode),
			Roster: in.Roster}
	}
	return out
}

// decisionLogOut is a lead's decision log: the latest decision and every
// one before it.
type decisionLogOut struct {
	LeadID string         `json:"lead_id"`
	Latest *decisionJSON  `json:"latest"`
	Log    []decisionJSON `json:"log"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) timePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.In(s.loc)
	return &v
}

type historyIn struct {
	Lead     leadIn  `json:"lead"`
	RepID    string  `json:"rep_id"`
	Outcome  string  `json:"outcome"`
	Amount   float64 `json:"amount"`
	ClosedAt *string `json:"closed_at"`
}

func (in historyIn) toEngine() (engine.Deal, error) {
	closed, err := parseTime("closed_at", in.ClosedAt)
	if err != nil {
		return engine.Deal{}, err
	}
	d := engine.Deal{ExternalID: in.Lead.ExternalID, Profile: in.Lead.profileJSON.toEngine(),
		RepID: engine.RepID(in.RepID), Outcome: engine.Outcome(in.Outcome), Amount: in.Amount}
	if closed != nil {
		d.ClosedAt = *closed
	}
	return d, nil
}

type rejectedJSON struct {
	Index int    `json:"index"`
	Error string `json:"error"`
}

type historyOut struct {
	Imported int            `json:"imported"`
	Rejected []rejectedJSON `json:"rejected"`
}

type eventOut struct {
	At     time.Time `json:"at"`
	Event  string    `json:"event"`
	Actor  string    `json:"actor"`
	RepID  *string   `json:"rep_id"`
	Detail string    `json:"detail"`
}

func (s *Server) eventOut(e engine.LeadEvent) eventOut {
	return eventOut{At: e.At.In(s.loc), Event: string(e.Event), Actor: string(e.Actor),
		RepID: optional(string(e.RepID)), Detail: e.Detail}
}

type disputeOut struct {
	ID            string     `json:"id"`
	LeadID        string     `json:"lead_id"`
	Kind          string     `json:"kind"`
	Status        string     `json:"status"`
	FiledBy       string     `json:"filed_by"`
	Against       *string    `json:"against"`
	Reason        string     `json:"reason"`
	FiledAt       time.Time  `json:"filed_at"`
	DecidedBy     *string    `json:"decided_by"`
	DecidedAt     *time.Time `json:"decided_at"`
	Comment       string     `json:"comment"`
	Split         *float64   `json:"split,omitempty"`
	ProposedSplit *float64   `json:"proposed_split,omitempty"`
}

func (s *Server) disputeOut(d engine.Dispute) disputeOut {
	return disputeOut{ID: d.ID.String(), LeadID: d.LeadID.String(), Kind: string(d.Kind),
		Status: string(d.Status), FiledBy: string(d.FiledBy), Against: optional(string(d.Against)),
		Reason: d.Reason, FiledAt: d.FiledAt.In(s.loc), DecidedBy: optional(string(d.DecidedBy)),
		DecidedAt: s.timePtr(d.DecidedAt), Comment: d.Comment, Split: d.Split, ProposedSplit: d.Proposed}
}

// pathLead reads the {id} of a lead path; an id that cannot be a lead's
// is as unknown as one that is not stored.
func pathLead(r *http.Request) (engine.LeadID, error) {
	id, err := engine.ParseLeadID(r.PathValue("id"))
	if err != nil {
		return 0, &apiError{status: http.StatusNotFound, code: "lead_not_found",
			msg: fmt.Sprintf("no lead has id %q", r.PathValue("id"))}
	}
	return id, nil
}

// collaboratorJSON is a rep who works on a lead beside its owner.
type collaboratorJSON struct {
	RepID     string     `json:"rep_id"`
	Role      string     `json:"role"`
	Rule      *string    `json:"rule"`
	Reason    string     `json:"reason"`
	StartedAt time.Time  `json:"started_at"`
	EndsAt    *time.Time `json:"ends_at"`
	EndedAt   *time.Time `json:"ended_at"`
	EndReason *string    `json:"end_reason"`
}

// collaboratorsOut lists a lead's collaborators, live and ended, as a
// non-nil array so that the lead answer always carries the key.
func (s *Server) collaboratorsOut(cs []engine.Collaborator) []collaboratorJSON {
	out := make([]collaboratorJSON, len(cs))
	for i, c := range cs {
		out[i] = collaboratorJSON{
			RepID:     string(c.RepID),
			Role:      string(c.Role),
			Rule:      optional(c.Rule),
			Reason:    c.Reason,
			StartedAt: c.StartedAt.In(s.loc),
			EndsAt:    s.timePtr(c.EndsAt),
			EndedAt:   s.timePtr(c.EndedAt),
			EndReason: optional(c.EndReason),
		}
	}
	return out
}
