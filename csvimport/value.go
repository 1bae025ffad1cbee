package csvimport

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
)

var customerTypes = map[string]engine.CustomerType{
	"新客户":      engine.CustomerNew,
	"新":        engine.CustomerNew,
	"new":      engine.CustomerNew,
	"老客户":      engine.CustomerExisting,
	"老":        engine.CustomerExisting,
	"现有客户":     engine.CustomerExisting,
	"existing": engine.CustomerExisting,
}

var outcomes = map[string]engine.Outcome{
	"赢单":   engine.Won,
	"成交":   engine.Won,
	"won":  engine.Won,
	"输单":   engine.Lost,
	"丢单":   engine.Lost,
	"lost": engine.Lost,
}

// layouts are the ways of writing a time that cells may use. Month, day
// and hour may have one digit or two, as spreadsheets write them.
var layouts = []string{
	time.RFC3339,
	"2006-1-2 15:04",
	"2006-1-2",
	"2006/1/2 15:04",
	"2006/1/2",
	"2006-1-2 15:04:05",
	"2006/1/2 15:04:05",
	"2006-1-2T15:04:05",
	"2006年1月2日 15:04",
	"2006年1月2日",
}

var thousands = strings.NewReplacer(",", "", "，", "")

func parseCustomerType(s string) (engine.CustomerType, error) {
	t, ok := customerTypes[strings.ToLower(s)]
	if !ok {
		return "", fmt.Errorf("%q is not a customer type (want 新客户, 老客户, new or existing)", s)
	}
	return t, nil
}

func parseOutcome(s string) (engine.Outcome, error) {
	o, ok := outcomes[strings.ToLower(s)]
	if !ok {
		return "", fmt.Errorf("%q is not an outcome (want 赢单, 输单, won or lost)", s)
	}
	return o, nil
}

// parseAmount reads a sum of money in yuan: "1200000", "¥1,200,000",
// "120万", "1.2万元", "3亿".
func parseAmount(s string) (float64, error) {
	t := s
	for _, p := range []string{"¥", "￥", "RMB", "CNY"} {
		t = strings.TrimPrefix(t, p)
	}
	t = strings.TrimSpace(strings.TrimSuffix(t, "元"))
	num, exp := cutMultiplier(t)
	v, ok := number(num, exp)
	if !ok {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	return v, nil
}

// parseProbability reads a probability as a fraction: "0.6", "60%" and
// "60" are all 0.6, a bare number above 1 being a percentage.
func parseProbability(s string) (float64, error) {
	t, pct := strings.CutSuffix(s, "%")
	if !pct {
		t, pct = strings.CutSuffix(s, "％")
	}
	t = strings.TrimSpace(t)
	v, ok := number(t, 0)
	if ok && (pct || v > 1) {
		v, ok = number(t, -2)
	}
	if !ok || v < 0 || v > 1 {
		return 0, fmt.Errorf("%q is not a probability (want 0.6, 60%% or 60)", s)
	}
	return v, nil
}

// parseCount reads a whole number such as a head count: "1200", "1,200",
// "1200人", "1.2万".
func parseCount(s string) (int, error) {
	t := strings.TrimSpace(strings.TrimRight(s, "人次"))
	num, exp := cutMultiplier(t)
	v, ok := number(num, exp)
	if !ok || v != math.Trunc(v) || math.Abs(v) > 1e15 {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return int(v), nil
}

// cutMultiplier splits off a trailing 万 or 亿, returning the power of
// ten it stands for.
func cutMultiplier(s string) (string, int) {
	if t, ok := strings.CutSuffix(s, "万"); ok {
		return strings.TrimSpace(t), 4
	}
	if t, ok := strings.CutSuffix(s, "亿"); ok {
		return strings.TrimSpace(t), 8
	}
	return s, 0
}

// number reads a decimal number, with optional thousands separators,
// times 10 to the power exp. The power is applied in decimal, so that
// "1.2" and 4 make exactly 12000.
func number(s string, exp int) (float64, bool) {
	if strings.ContainsAny(s, ",，") {
		s = thousands.Replace(s)
	}
	if !plain(s) {
		return 0, false
	}
	if exp != 0 {
		s += "e" + strconv.Itoa(exp)
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// plain reports whether s is made only of the characters of a decimal
// number, which keeps out "NaN", "Inf" and hexadecimal.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789.+-eE", rune(s[i])) {
			return false
		}
	}
	return s != ""
}
