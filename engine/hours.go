package engine

import (
	"fmt"
	"strings"
	"time"
)

// BusinessHours is the working day that first-touch deadlines count in:
// a tier A lead due "within 4 business hours" at 17:00 on a Friday is due
// on Monday morning, not at 21:00. The zero value counts every hour.
type BusinessHours struct {
	// Start and End are minutes after local midnight.
	Start, End int
	// Days are the working weekdays.
	Days [7]bool
	// Holidays are local dates (2006-01-02) with no working hours.
	Holidays map[string]bool
	On       bool
}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday,
	"mon": time.Monday,
	"tue": time.Tuesday,
	"wed": time.Wednesday,
	"thu": time.Thursday,
	"fri": time.Friday,
	"sat": time.Saturday,
}

// ParseBusinessHours reads hours such as "09:00-18:00", days such as
// "mon-fri" or "mon,tue,thu", and holiday dates. Empty hours mean every
// hour counts.
func ParseBusinessHours(hours, days string, holidays []string) (BusinessHours, error) {
	if strings.TrimSpace(hours) == "" {
		return BusinessHours{}, nil
	}
	from, to, ok := strings.Cut(hours, "-")
	start, err1 := clockMinutes(from)
	end, err2 := clockMinutes(to)
	if !ok || err1 != nil || err2 != nil || start >= end {
		return BusinessHours{}, fmt.Errorf(
			"business hours %q: want HH:MM-HH:MM within one day, such as 09:00-18:00",
			hours,
		)
	}
	b := BusinessHours{Start: start, End: end, On: true, Holidays: map[string]bool{}}
	if err := b.parseDays(days); err != nil {
		return BusinessHours{}, err
	}
	for _, h := range holidays {
		if _, err := time.Parse("2006-01-02", h); err != nil {
			return BusinessHours{}, fmt.Errorf("holiday %q: want a date such as 2026-10-01", h)
		}
		b.Holidays[h] = true
	}
	return b, nil
}

func (b *BusinessHours) parseDays(s string) error {
	for _, part := range strings.Split(strings.ToLower(strings.ReplaceAll(s, " ", "")), ",") {
		from, to, ranged := strings.Cut(part, "-")
		a, ok1 := weekdayNames[from]
		z, ok2 := weekdayNames[to]
		if !ranged {
			z, ok2 = a, ok1
		}
		if !ok1 || !ok2 {
			return fmt.Errorf("business days %q: want days such as mon-fri or mon,wed,fri", s)
		}
		for d := a; ; d = (d + 1) % 7 {
			b.Days[d] = true
			if d == z {
				break
			}
		}
	}
	return nil
}

// Add returns the time d of business hours after t, in loc's local time.
func (b BusinessHours) Add(t time.Time, d time.Duration, loc *time.Location) time.Time {
	if !b.On {
		return t.Add(d)
	}
	local := t.In(loc)
	for range 400 { // a year of days is enough for any sane deadline
		open, close := b.window(local)
		switch {
		case !open.IsZero() && local.Before(open):
			local = open
		case open.IsZero() || !local.Before(close):
			y, m, dd := local.Date()
			local = time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
			continue
		}
		if left := close.Sub(local); d <= left {
			return local.Add(d)
		} else {
			d -= left
			local = close
		}
	}
	return t.Add(d)
}

// window returns the working hours of t's local day, zero on a day off.
func (b BusinessHours) window(t time.Time) (time.Time, time.Time) {
	if !b.Days[t.Weekday()] || b.Holidays[t.Format("2006-01-02")] {
		return time.Time{}, time.Time{}
	}
	y, m, d := t.Date()
	open := time.Date(y, m, d, b.Start/60, b.Start%60, 0, 0, t.Location())
	close := time.Date(y, m, d, b.End/60, b.End%60, 0, 0, t.Location())
	return open, close
}
