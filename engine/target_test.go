package engine

import (
	"slices"
	"testing"
	"time"
)

func TestPeriodOfShanghai(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name       string
		kind       PeriodKind
		at         string
		start, end string
	}{
		// Sunday 23:30 in Shanghai is still the week that began Monday
		// 2026-11-23, though in UTC it is Sunday afternoon.
		{"week sunday night", PeriodWeek, "2026-11-29T15:30:00Z",
			"2026-11-22T16:00:00Z", "2026-11-29T16:00:00Z"},
		// Monday 00:00 in Shanghai (Sunday 16:00 UTC) begins a week.
		{"week monday midnight", PeriodWeek, "2026-11-29T16:00:00Z",
			"2026-11-29T16:00:00Z", "2026-12-06T16:00:00Z"},
		{"week wednesday", PeriodWeek, "2026-12-02T04:00:00Z",
			"2026-11-29T16:00:00Z", "2026-12-06T16:00:00Z"},
		// 1 December 07:00 in Shanghai is 30 November 23:00 UTC.
		{"month first morning", PeriodMonth, "2026-11-30T23:00:00Z",
			"2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z"},
		{"month last evening", PeriodMonth, "2026-11-30T15:59:00Z",
			"2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z"},
		{"quarter four", PeriodQuarter, "2026-12-02T04:00:00Z",
			"2026-09-30T16:00:00Z", "2026-12-31T16:00:00Z"},
		{"quarter one from new year", PeriodQuarter, "2026-12-31T16:00:00Z",
			"2026-12-31T16:00:00Z", "2027-03-31T16:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PeriodOf(tt.kind, utc(tt.at), sh)
			if !p.Start.Equal(utc(tt.start)) || !p.End.Equal(utc(tt.end)) {
				t.Errorf("PeriodOf(%s, %s) = %s to %s, want %s to %s", tt.kind, tt.at,
					p.Start.UTC().Format(time.RFC3339), p.End.UTC().Format(time.RFC3339),
					tt.start, tt.end)
			}
		})
	}
}

func TestLargestRemainder(t *testing.T) {
	tests := []struct {
		name    string
		amount  int64
		weights []int64
		want    []int64
	}{
		{"even thirds", 20, []int64{1, 1, 1}, []int64{7, 7, 6}},
		{"capacity exact", 20, []int64{5, 3, 2}, []int64{10, 6, 4}},
		// Quotas 4.2, 2.1, 0.7: the floors give 6, the unit left goes to
		// the largest remainder, 0.7.
		{"capacity remainder", 7, []int64{6, 3, 1}, []int64{4, 2, 1}},
		{"fewer units than reps", 2, []int64{1, 1, 1}, []int64{1, 1, 0}},
		{"no capacity falls back to even", 5, []int64{0, 0}, []int64{3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := largestRemainder(tt.amount, slices.Clone(tt.weights))
			if !slices.Equal(got, tt.want) {
				t.Errorf("largestRemainder(%d, %v) = %v, want %v", tt.amount, tt.weights, got,
					tt.want)
			}
		})
	}
}

func TestProgressStatus(t *testing.T) {
	tests := []struct {
		name    string
		amount  int64
		done    float64
		elapsed float64
		want    ProgressStatus
		expect  int64
	}{
		{"met", 20, 20, 0.5, StatusMet, 10},
		{"on pace", 20, 10, 0.5, StatusOnTrack, 10},
		{"short of pace", 20, 9, 0.5, StatusBehind, 10},
		// At the very start nothing is expected yet.
		{"first minute", 20, 0, 0.001, StatusOnTrack, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := progressOf(tt.amount, tt.done, tt.elapsed)
			if p.Status != tt.want || p.Expected != tt.expect {
				t.Errorf("progressOf(%d, %v, %v) = %s expecting %d, want %s expecting %d",
					tt.amount, tt.done, tt.elapsed, p.Status, p.Expected, tt.want, tt.expect)
			}
		})
	}
}

func TestTargetInputValidate(t *testing.T) {
	ok := TargetInput{Team: "east", Period: PeriodWeek, Metric: MetricExistingReviews, Amount: 20}
	tests := []struct {
		name  string
		edit  func(*TargetInput)
		field string
	}{
		{"valid", func(*TargetInput) {}, ""},
		{"no scope", func(in *TargetInput) { in.Team = "" }, "team"},
		{"both scopes", func(in *TargetInput) { in.Rep = "r1" }, "rep"},
		{"bad period", func(in *TargetInput) { in.Period = "day" }, "period"},
		{"bad metric", func(in *TargetInput) { in.Metric = "calls" }, "metric"},
		{"negative amount", func(in *TargetInput) { in.Amount = -1 }, "amount"},
		{"bad split", func(in *TargetInput) { in.Split = "random" }, "split"},
		{"split on rep", func(in *TargetInput) { in.Team, in.Rep, in.Split = "", "r1", SplitEven },
			"split"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			err := in.Validate()
			if got := FieldOf(err); got != tt.field || (tt.field != "" && KindOf(err) != Invalid) {
				t.Errorf("Validate() = %v (field %q), want field %q", err, got, tt.field)
			}
		})
	}
}
