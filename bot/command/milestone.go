package command

import (
	"strconv"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// milestoneWords maps the words for each milestone, English in lower
// case, to its kind.
var milestoneWords = map[string]engine.MilestoneKind{
	"决策人": engine.MilestoneDecisionMaker, "联系决策人": engine.MilestoneDecisionMaker,
	"决策": engine.MilestoneDecisionMaker, "决策者": engine.MilestoneDecisionMaker,
	"dm": engine.MilestoneDecisionMaker, "decision-maker": engine.MilestoneDecisionMaker,
	"decision_maker": engine.MilestoneDecisionMaker, "decisionmaker": engine.MilestoneDecisionMaker,
	"decision": engine.MilestoneDecisionMaker,
	"演示":       engine.MilestoneDemo, "demo": engine.MilestoneDemo,
	"方案": engine.MilestoneProposal, "报价": engine.MilestoneProposal,
	"方案报价": engine.MilestoneProposal, "proposal": engine.MilestoneProposal,
	"quote": engine.MilestoneProposal,
}

// target reads the date, then an optional note.
func (p *parser) target() error {
	w, ok := p.nextChunk()
	if !ok {
		return p.fail(CodeMissingDate, "")
	}
	d, ok := parseDate(w)
	if !ok {
		return p.fail(CodeBadDate, w)
	}
	p.cmd.Date = d
	p.cmd.Note = p.rest()
	return nil
}

// parseDate reads a date as people write it: 2027-01-31, 2027/1/31,
// 2027.1.31 or 2027年1月31日.
func parseDate(w string) (time.Time, bool) {
	s := strings.TrimRight(trimTail(w), "日号")
	s = strings.NewReplacer("年", "-", "月", "-", "/", "-", ".", "-").Replace(s)
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	var n [3]int
	for i, part := range parts {
		v, err := strconv.Atoi(part)
		if err != nil || part == "" || len(part) > 4 || part[0] == '+' || part[0] == '-' {
			return time.Time{}, false
		}
		n[i] = v
	}
	d := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if n[0] < 1000 || d.Year() != n[0] || int(d.Month()) != n[1] || d.Day() != n[2] {
		return time.Time{}, false
	}
	return d, true
}

// milestone reads the milestone's word ("decision maker" may take two),
// then an optional note.
func (p *parser) milestone() error {
	w, ok := p.next()
	if !ok {
		return p.fail(CodeMissingMilestone, "")
	}
	k, ok := milestoneWords[strings.ToLower(trimTail(w))]
	if !ok {
		return p.fail(CodeBadMilestone, w)
	}
	if next, ok := p.peek(); ok && k == engine.MilestoneDecisionMaker &&
		strings.EqualFold(trimTail(next), "maker") {
		p.pos++
	}
	p.cmd.Milestone = k
	p.cmd.Note = p.rest()
	return nil
}
