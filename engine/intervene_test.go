package engine

import (
	"testing"
	"time"
)

func TestParseExtension(t *testing.T) {
	tests := []struct {
		in   string
		want Extension
		ok   bool
	}{
		{"1d", Extension{Days: 1}, true},
		{" 2D ", Extension{Days: 2}, true},
		{"4h", Extension{Hours: 4}, true},
		{"30d", Extension{Days: 30}, true},
		{"240h", Extension{Hours: 240}, true},
		{"31d", Extension{}, false},
		{"241h", Extension{}, false},
		{"0d", Extension{}, false},
		{"-1d", Extension{}, false},
		{"1.5d", Extension{}, false},
		{"1w", Extension{}, false},
		{"d", Extension{}, false},
		{"", Extension{}, false},
	}
	for _, tt := range tests {
		got, err := ParseExtension(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseExtension(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if !tt.ok && (err == nil || CodeOf(err) != "bad_extension" || FieldOf(err) != "extension") {
			t.Errorf("ParseExtension(%q) = %+v, %v; want a bad_extension error", tt.in, got, err)
		}
		if tt.ok && got.String() != tt.want.String() {
			t.Errorf("%+v.String() = %q", got, got.String())
		}
	}
}

// Working days skip weekends and holidays and keep the local time of
// day; without working hours every day counts.
func TestAddWorkdays(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	hours, err := ParseBusinessHours("09:00-18:00", "mon-fri", []string{"2026-12-07"})
	if err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 12, 4, 15, 0, 0, 0, shanghai)
	tests := []struct {
		name  string
		hours BusinessHours
		n     int
		want  time.Time
	}{
		{"over the weekend and a holiday Monday", hours, 1, time.Date(2026, 12, 8, 15, 0, 0, 0, shanghai)},
		{"three working days", hours, 3, time.Date(2026, 12, 10, 15, 0, 0, 0, shanghai)},
		{"every day counts", BusinessHours{}, 2, time.Date(2026, 12, 6, 15, 0, 0, 0, shanghai)},
	}
	for _, tt := range tests {
		if got := tt.hours.addWorkdays(friday.UTC(), tt.n, shanghai); !got.Equal(tt.want) {
			t.Errorf("%s: %s + %d = %s, want %s", tt.name, friday, tt.n, got, tt.want)
		}
	}
}
