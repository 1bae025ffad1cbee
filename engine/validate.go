package engine

import (
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on input, matched by the storage column sizes.
const (
	MaxIDLen         = 64
	MaxExternalIDLen = 128
	MaxNameLen       = 100
	MaxCompanyLen    = 256
	MaxShortLen      = 64
	MaxListItems     = 50
	MaxAttributes    = 64
	MaxAttributesLen = 16 << 10
	MaxCapacity      = 1000
	MaxAmount        = 1e13
	MaxCompanySize   = 100_000_000
)

// checker collects the first validation failure of a value.
type checker struct{ err *Error }

func (c *checker) fail(field, code, format string, args ...any) {
	if c.err == nil {
		c.err = invalid(field, code, format, args...)
	}
}

func (c *checker) text(field, v string, max int, required bool) {
	switch {
	case !utf8.ValidString(v):
		c.fail(field, "invalid_utf8", "is not valid UTF-8")
	case required && strings.TrimSpace(v) == "":
		c.fail(field, "missing_field", "is required")
	case utf8.RuneCountInString(v) > max:
		c.fail(field, "too_long", "is %d characters long, at most %d allowed",
			utf8.RuneCountInString(v), max)
	}
}

func (c *checker) list(field string, vs []string) {
	if len(vs) > MaxListItems {
		c.fail(field, "too_many", "has %d items, at most %d allowed", len(vs), MaxListItems)
	}
	for _, v := range vs {
		c.text(field, v, MaxShortLen, true)
	}
}

func (c *checker) number(field string, v, min, max float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < min || v > max {
		c.fail(field, "out_of_range", "is %v, must be from %v to %v", v, min, max)
	}
}

func (c *checker) oneOf(field, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.fail(field, "invalid_value", "is %q, must be one of %s", v, strings.Join(allowed, ", "))
}

func validRepID(id RepID) bool {
	if id == "" || len(id) > MaxIDLen {
		return false
	}
	for _, r := range id {
		ok := r == '-' || r == '_' || r == '.' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// Validate reports the first field of r that is not acceptable, as an
// *Error of kind Invalid.
func (r Rep) Validate() error {
	var c checker
	if !validRepID(r.ID) {
		c.fail("rep_id", "invalid_id",
			"%q must be 1 to %d letters, digits, '.', '-' or '_'", r.ID, MaxIDLen)
	}
	c.text("name", r.Name, MaxNameLen, true)
	c.text("team", r.Team, MaxShortLen, false)
	if r.Role == "" {
		c.fail("role", "missing_field", "is required")
	}
	c.oneOf("role", string(r.Role), string(RoleRep), string(RoleLead), string(RoleManager))
	c.text("level", r.Level, MaxShortLen, false)
	c.number("capacity", float64(r.Capacity), 0, MaxCapacity)
	c.list("industries", r.Industries)
	c.list("regions", r.Regions)
	c.list("skills", r.Skills)
	c.text("timezone", r.Timezone, MaxShortLen, false)
	if r.Timezone != "" && c.err == nil {
		if _, err := time.LoadLocation(r.Timezone); err != nil {
			c.fail(
				"timezone",
				"invalid_value",
				"%q is not an IANA time zone such as Asia/Shanghai",
				r.Timezone,
			)
		}
	}
	c.text("wecom_userid", r.WeComUserID, MaxShortLen, false)
	c.text("dingtalk_userid", r.DingTalkUserID, MaxShortLen, false)
	if r.Language != "" {
		c.oneOf("language", r.Language, "zh-CN", "en")
	}
	return errOrNil(c.err)
}

// Validate reports the first field of in that is not acceptable.
func (in LeadInput) Validate() error {
	var c checker
	c.text("external_id", in.ExternalID, MaxExternalIDLen, true)
	in.Profile.check(&c, "")
	c.text("timezone", in.Timezone, MaxShortLen, false)
	if in.Timezone != "" && c.err == nil && !knownZone(in.Timezone) {
		c.fail("timezone", "invalid_value",
			"%q is not an IANA time zone such as Asia/Shanghai", in.Timezone)
	}
	return errOrNil(c.err)
}

func (p Profile) check(c *checker, prefix string) {
	c.text(prefix+"company", p.Company, MaxCompanyLen, true)
	c.text(prefix+"contact.name", p.Contact.Name, MaxNameLen, false)
	c.text(prefix+"contact.phone", p.Contact.Phone, MaxShortLen, false)
	c.text(prefix+"industry", p.Industry, MaxShortLen, false)
	c.text(prefix+"product_line", p.ProductLine, MaxShortLen, false)
	if p.CustomerType != "" {
		c.oneOf(prefix+"customer_type", string(p.CustomerType),
			string(CustomerNew), string(CustomerExisting))
	}
	c.number(prefix+"company_size", float64(p.CompanySize), 0, MaxCompanySize)
	c.text(prefix+"region", p.Region, MaxShortLen, false)
	c.number(prefix+"expected_amount", p.ExpectedAmount, 0, MaxAmount)
	if p.CloseProbability != nil {
		c.number(prefix+"close_probability", *p.CloseProbability, 0, 1)
	}
	c.text(prefix+"source", p.Source, MaxShortLen, false)
	c.number(prefix+"interactions", float64(p.Interactions), 0, 1e6)
	p.checkAttributes(c, prefix+"attributes")
}

func (p Profile) checkAttributes(c *checker, field string) {
	if len(p.Attributes) > MaxAttributes {
		c.fail(
			field,
			"too_many",
			"has %d keys, at most %d allowed",
			len(p.Attributes),
			MaxAttributes,
		)
		return
	}
	for k := range p.Attributes {
		c.text(field+" key", k, MaxShortLen, true)
	}
	b, err := json.Marshal(p.Attributes)
	if err != nil {
		c.fail(field, "invalid_value", "cannot be stored: %v", err)
		return
	}
	if len(b) > MaxAttributesLen {
		c.fail(
			field,
			"too_long",
			"is %d bytes as JSON, at most %d allowed",
			len(b),
			MaxAttributesLen,
		)
	}
}

// Validate reports the first field of d that is not acceptable. The rep
// is checked against the roster by the service.
func (d Deal) Validate() error {
	var c checker
	c.text("lead.external_id", d.ExternalID, MaxExternalIDLen, false)
	d.Profile.check(&c, "lead.")
	if d.RepID == "" {
		c.fail("rep_id", "missing_field", "is required")
	}
	if d.Outcome == "" {
		c.fail("outcome", "missing_field", "is required")
	}
	c.oneOf("outcome", string(d.Outcome), string(Won), string(Lost))
	c.number("amount", d.Amount, 0, MaxAmount)
	if d.ClosedAt.IsZero() {
		c.fail("closed_at", "missing_field", "is required")
	}
	return errOrNil(c.err)
}

// errOrNil keeps a nil *Error from becoming a non-nil error.
func errOrNil(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}
