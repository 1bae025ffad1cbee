package command

import (
	"math"
	"strings"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Goal is the target SetQuota sets: Amount of Metric in every Period,
// for a team or for one rep.
type Goal struct {
	// Team is the team of a team target, as typed; "" for a rep target.
	Team string
	// Rep is whom a rep target is for: the name or id after "@",
	// full-width forms folded; "" for a team target.
	Rep    string
	Period engine.PeriodKind
	Metric engine.Metric
	// Amount is a count, or whole yuan for revenue; 0 ends the target.
	Amount int64
	// Split is how a team target is broken down; "" (even) unless the
	// user named one, and always "" for a rep target.
	Split engine.TargetSplit
}

// periodWords maps the words for each period kind, English in lower
// case, to the kind.
var periodWords = map[string]engine.PeriodKind{
	"每周": engine.PeriodWeek, "周": engine.PeriodWeek, "本周": engine.PeriodWeek,
	"每星期": engine.PeriodWeek, "week": engine.PeriodWeek, "weekly": engine.PeriodWeek,
	"每月": engine.PeriodMonth, "月": engine.PeriodMonth, "本月": engine.PeriodMonth,
	"month": engine.PeriodMonth, "monthly": engine.PeriodMonth,
	"每季": engine.PeriodQuarter, "季": engine.PeriodQuarter, "季度": engine.PeriodQuarter,
	"每季度": engine.PeriodQuarter, "本季度": engine.PeriodQuarter,
	"quarter": engine.PeriodQuarter, "quarterly": engine.PeriodQuarter,
}

// metricWords maps the Chinese names of the metrics, as the quota
// replies show them, and a few short forms to the metrics; the metric
// keys themselves are accepted as well.
var metricWords = map[string]engine.Metric{
	"跟进": engine.MetricTouches, "老客户回访": engine.MetricExistingReviews,
	"回访": engine.MetricExistingReviews, "抢单": engine.MetricClaimed,
	"赢单": engine.MetricWon, "赢单金额": engine.MetricRevenue,
	"金额": engine.MetricRevenue, "营收": engine.MetricRevenue,
}

// splitWords maps the words for a split, English in lower case.
var splitWords = map[string]engine.TargetSplit{
	"按容量": engine.SplitCapacity, "容量": engine.SplitCapacity,
	"capacity": engine.SplitCapacity,
	"平均":       engine.SplitEven, "均分": engine.SplitEven, "按人均": engine.SplitEven,
	"even": engine.SplitEven, "evenly": engine.SplitEven,
}

// setQuota reads "set quota", the English form of 设指标, whose first
// word alone is no verb.
func (p *parser) setQuota() bool {
	if p.pos+1 >= len(p.toks) || strings.ToLower(p.word(p.pos)) != "set" {
		return false
	}
	switch strings.ToLower(trimTail(p.word(p.pos + 1))) {
	case "quota", "quotas", "target", "targets":
	default:
		return false
	}
	p.pos += 2
	p.cmd.Verb, p.cmd.Lang = SetQuota, i18n.EN
	return true
}

// goal reads whom the target is for (a team, or "@" and a rep), the
// period, the metric, the amount and an optional split.
func (p *parser) goal() error {
	g := &Goal{}
	p.cmd.Goal = g
	w, ok := p.nextChunk()
	if !ok {
		return p.fail(CodeMissingGoal, "")
	}
	if name := strings.TrimLeft(trimTail(w), "@"); strings.HasPrefix(w, "@") {
		g.Rep = name
	} else {
		g.Team = trimTail(w)
	}
	if g.Rep == "" && g.Team == "" {
		return p.fail(CodeMissingGoal, "")
	}

	if w, ok = p.next(); !ok {
		return p.fail(CodeMissingGoal, "")
	}
	if g.Period, ok = periodWords[strings.ToLower(trimTail(w))]; !ok {
		return p.fail(CodeBadPeriod, w)
	}

	if w, ok = p.next(); !ok {
		return p.fail(CodeMissingGoal, "")
	}
	if g.Metric, ok = metric(w); !ok {
		return p.fail(CodeBadMetric, w)
	}

	if err := p.goalAmount(g); err != nil {
		return err
	}
	return p.goalSplit(g)
}

// metric reads a metric's key or Chinese name.
func metric(w string) (engine.Metric, bool) {
	s := strings.ToLower(trimTail(w))
	if m, ok := metricWords[s]; ok {
		return m, true
	}
	for _, m := range engine.Metrics {
		if string(m) == s {
			return m, true
		}
	}
	return "", false
}

// goalAmount reads a whole amount from 0 up: "20", "5万", "50,000".
func (p *parser) goalAmount(g *Goal) error {
	w, ok := p.next()
	if !ok {
		return p.fail(CodeMissingGoal, "")
	}
	if u, ok := p.peek(); ok && unitWord(u) && p.endsChunk(p.pos) && p.endsChunk(p.pos-1) {
		w += u
		p.pos++
	}
	v, ok := parseAmount(w)
	if !ok || v < 0 || v > engine.MaxTargetAmount || v != math.Trunc(v) {
		return p.fail(CodeBadGoalAmount, w)
	}
	g.Amount = int64(v)
	return nil
}

// goalSplit reads the optional split of a team target, "按容量" or "by
// capacity"; nothing may follow it.
func (p *parser) goalSplit(g *Goal) error {
	w, ok := p.next()
	if !ok {
		return nil
	}
	s := strings.ToLower(trimTail(w))
	if s == "by" {
		if w, ok = p.next(); !ok {
			return p.fail(CodeBadSplit, "by")
		}
		s = strings.ToLower(trimTail(w))
	}
	sp, ok := splitWords[s]
	if !ok || g.Rep != "" {
		return p.fail(CodeBadSplit, w)
	}
	if more, ok := p.peek(); ok {
		return p.fail(CodeBadSplit, more)
	}
	g.Split = sp
	return nil
}
