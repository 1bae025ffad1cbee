package engine

import (
	"testing"
	"time"
)

func TestBusinessHoursAdd(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	b, err := ParseBusinessHours("09:00-18:00", "mon-fri", []string{"2026-12-25"})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		from  string
		d     time.Duration
		want  string
		hours BusinessHours
	}{
		{"within the day", "2026-12-02 10:00", 4 * time.Hour, "2026-12-02 14:00", b},
		{"before opening", "2026-12-02 07:30", 4 * time.Hour, "2026-12-02 13:00", b},
		{"friday evening to monday", "2026-12-04 17:00", 4 * time.Hour, "2026-12-07 12:00", b},
		{"at night", "2026-12-02 23:00", time.Hour, "2026-12-03 10:00", b},
		{"over a weekend", "2026-12-05 12:00", 9 * time.Hour, "2026-12-07 18:00", b},
		{"skips a holiday", "2026-12-24 17:00", 2 * time.Hour, "2026-12-28 10:00", b},
		{"three days", "2026-12-01 09:00", 27 * time.Hour, "2026-12-03 18:00", b},
		{"off counts every hour", "2026-12-04 17:00", 4 * time.Hour, "2026-12-04 21:00", BusinessHours{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.hours.Add(at(tt.from), tt.d, shanghai).In(shanghai).Format("2006-01-02 15:04")
			if got != tt.want {
				t.Errorf("Add(%s, %s) = %s, want %s", tt.from, tt.d, got, tt.want)
			}
		})
	}
}

func TestParseBusinessHours(t *testing.T) {
	bad := []struct{ hours, days string }{
		{"9-18", "mon-fri"}, {"18:00-09:00", "mon-fri"}, {"09:00-18:00", "weekdays"}, {"09:00-25:00", "mon"},
	}
	for _, b := range bad {
		if _, err := ParseBusinessHours(b.hours, b.days, nil); err == nil {
			t.Errorf("ParseBusinessHours(%q, %q) accepted", b.hours, b.days)
		}
	}
	if _, err := ParseBusinessHours("09:00-18:00", "mon-fri", []string{"someday"}); err == nil {
		t.Error("a bad holiday date was accepted")
	}
	b, err := ParseBusinessHours("08:30-17:30", "sat-mon", nil)
	if err != nil || !b.Days[time.Saturday] || !b.Days[time.Sunday] || !b.Days[time.Monday] || b.Days[time.Tuesday] {
		t.Errorf("sat-mon = %+v, %v; want the days to wrap over the week's end", b.Days, err)
	}
}
