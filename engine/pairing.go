package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PairingRule is a rule the best reps write down, such as "budget over
// 500,000: add a technical consultant": when a lead that just got an
// owner matches When, the rule adds Add.Count collaborators who carry
// Add.Tag among their skills.
type PairingRule struct {
	Name string           `yaml:"name"`
	When PairingCondition `yaml:"when"`
	Add  PairingTarget    `yaml:"add"`
}

// PairingCondition is a test of a lead's fields. Every field that is set
// must hold; a condition must set at least one. Texts compare without
// regard to case or surrounding spaces.
type PairingCondition struct {
	// AmountOver and AmountUnder bound expected_amount, exclusive.
	AmountOver  *float64 `yaml:"amount_over"`
	AmountUnder *float64 `yaml:"amount_under"`
	// Industries and ProductLines hold when the lead's is one of them.
	Industries   []string `yaml:"industries"`
	ProductLines []string `yaml:"product_lines"`
	// CustomerType is new or existing.
	CustomerType CustomerType `yaml:"customer_type"`
	// SizeOver and SizeUnder bound company_size, exclusive.
	SizeOver  *int `yaml:"size_over"`
	SizeUnder *int `yaml:"size_under"`
	// Attributes hold when each named attribute, written as text, equals
	// the value given.
	Attributes map[string]string `yaml:"attributes"`
}

// PairingTarget is whom a rule adds: reps whose skills include Tag and,
// when Level is set, of that level. Among them the one with the least
// load (open tasks plus weighted collaborations) comes first, then the
// better learned record in the lead's industry or product line, then
// the lower id.
type PairingTarget struct {
	Tag   string `yaml:"tag"`
	Level string `yaml:"level"`
	// Count is how many to add (default 1).
	Count int `yaml:"count"`
}

func (r PairingRule) check(c *checker, prefix string) {
	c.text(prefix+"name", r.Name, MaxShortLen, true)
	w := r.When
	if w.AmountOver == nil && w.AmountUnder == nil && len(w.Industries) == 0 &&
		len(w.ProductLines) == 0 && w.CustomerType == "" && w.SizeOver == nil &&
		w.SizeUnder == nil && len(w.Attributes) == 0 {
		c.fail(prefix+"when", "missing_field",
			"sets no condition; a rule for every lead is not a pairing rule")
	}
	bound := func(key string, v *float64, max float64) {
		if v != nil {
			c.number(prefix+"when."+key, *v, 0, max)
		}
	}
	bound("amount_over", w.AmountOver, MaxAmount)
	bound("amount_under", w.AmountUnder, MaxAmount)
	size := func(key string, v *int) {
		if v != nil {
			c.number(prefix+"when."+key, float64(*v), 0, MaxCompanySize)
		}
	}
	size("size_over", w.SizeOver)
	size("size_under", w.SizeUnder)
	c.list(prefix+"when.industries", w.Industries)
	c.list(prefix+"when.product_lines", w.ProductLines)
	if w.CustomerType != "" {
		c.oneOf(prefix+"when.customer_type", string(w.CustomerType),
			string(CustomerNew), string(CustomerExisting))
	}
	for k := range w.Attributes {
		c.text(prefix+"when.attributes key", k, MaxShortLen, true)
	}
	c.text(prefix+"add.tag", r.Add.Tag, MaxShortLen, true)
	c.text(prefix+"add.level", r.Add.Level, MaxShortLen, false)
	c.number(prefix+"add.count", float64(r.Add.Count), 0, 10)
}

// matches reports whether the lead's profile meets every condition set.
func (w PairingCondition) matches(p Profile) bool {
	in := func(list []string, v string) bool {
		return len(list) == 0 || slices.ContainsFunc(list, func(s string) bool {
			return normKey(s) == normKey(v)
		})
	}
	switch {
	case w.AmountOver != nil && !(p.ExpectedAmount > *w.AmountOver),
		w.AmountUnder != nil && !(p.ExpectedAmount < *w.AmountUnder),
		w.SizeOver != nil && !(p.CompanySize > *w.SizeOver),
		w.SizeUnder != nil && !(p.CompanySize < *w.SizeUnder),
		!in(w.Industries, p.Industry),
		!in(w.ProductLines, p.ProductLine),
		w.CustomerType != "" && w.CustomerType != p.CustomerType:
		return false
	}
	for k, want := range w.Attributes {
		v, ok := p.Attributes[k]
		if !ok || normKey(fmt.Sprint(v)) != normKey(want) {
			return false
		}
	}
	return true
}

func matchingRules(rules []PairingRule, p Profile) []PairingRule {
	var out []PairingRule
	for _, r := range rules {
		if r.When.matches(p) {
			out = append(out, r)
		}
	}
	return out
}

// HasSkill reports whether the rep carries a skill tag, such as
// technical_consultant.
func (r Rep) HasSkill(tag string) bool {
	return slices.ContainsFunc(r.Skills, func(s string) bool { return normKey(s) == normKey(tag) })
}

func (t PairingTarget) fits(r *Rep) bool {
	return r.HasSkill(t.Tag) && (t.Level == "" || normKey(r.Level) == normKey(t.Level))
}

// pair adds the collaborators one matching rule asks for. An owner who
// fits the target satisfies the rule alone.
func (c *collabRun) pair(p *collabPlan, l *Lead, rule PairingRule, taken map[RepID]bool,
	now time.Time) {
	lang := c.s.policy.Lang
	if i := indexOfRep(c.reps, l.Assignee); i >= 0 && rule.Add.fits(&c.reps[i]) {
		p.reasons = append(p.reasons, lang.sq(sqPairingOwner, rule.Name, rule.Add.Tag))
		return
	}
	var fits []partialFit
	for i := range c.reps {
		r := &c.reps[i]
		if rule.Add.fits(r) && c.mayCollaborate(l, r, taken) {
			fits = append(fits, c.fitOfRep(l, i))
		}
	}
	slices.SortFunc(fits, func(a, b partialFit) int {
		return cmp.Or(cmp.Compare(a.load, b.load), cmp.Compare(b.rate, a.rate),
			cmp.Compare(c.reps[a.i].ID, c.reps[b.i].ID))
	})
	fits = fits[:min(len(fits), max(1, rule.Add.Count))]
	if len(fits) == 0 {
		p.reasons = append(p.reasons, lang.sq(sqPairingNone, rule.Name, rule.Add.Tag))
		return
	}
	names := make([]string, len(fits))
	for j, f := range fits {
		r := c.reps[f.i]
		names[j] = displayName(r)
		taken[r.ID] = true
		p.members = append(p.members, Collaborator{
			RepID:     r.ID,
			Role:      CollabPairing,
			Rule:      rule.Name,
			Reason:    lang.sq(sqPairingReason, rule.Name, rule.Add.Tag, decimal(f.load)),
			StartedAt: now,
		})
	}
	loads := make([]string, len(fits))
	for j, f := range fits {
		loads[j] = decimal(f.load)
	}
	p.reasons = append(p.reasons, lang.sq(sqPairing, rule.Name, rule.Add.Tag,
		strings.Join(names, lang.say(msgListSep)), strings.Join(loads, lang.say(msgListSep))))
}
