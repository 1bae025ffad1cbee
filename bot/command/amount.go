package command

import (
	"math"
	"strconv"
	"strings"
)

// currencies are the signs people put before an amount, in lower case.
var currencies = []string{"¥", "rmb", "cny"}

// multipliers are the units people put after an amount, with the power
// of ten each stands for. 万 is written "w" in quick chat.
var multipliers = []struct {
	unit string
	exp  int
}{{"万", 4}, {"w", 4}, {"亿", 8}, {"k", 3}}

// amountLike reports whether w looks meant as an amount: it starts with
// a currency sign or a number.
func amountLike(w string) bool {
	s := strings.ToLower(w)
	for _, c := range currencies {
		if strings.HasPrefix(s, c) {
			return true
		}
	}
	s = strings.TrimLeft(s, "+-.")
	return s != "" && isDigit(rune(s[0]))
}

// unitWord reports whether w is a unit written apart from its number,
// as in "28 万".
func unitWord(w string) bool {
	switch strings.ToLower(trimTail(w)) {
	case "万", "万元", "元", "块", "亿", "w", "k", "yuan":
		return true
	}
	return false
}

// parseAmount reads a sum of money in yuan as sales people write it:
// "280000", "280,000", "¥280,000", "28万", "28.5万元", "28w", "1.2亿".
// It refuses signs, exponents, NaN and infinities.
//
// TODO: csvimport reads amounts with its own unexported parser; the two
// differ in small ways (exponents, "w", "k") until one package that both
// can import owns amounts.
func parseAmount(w string) (float64, bool) {
	s := strings.ToLower(trimTail(w))
	for _, c := range currencies {
		if t, ok := strings.CutPrefix(s, c); ok {
			s = t
			break
		}
	}
	for _, u := range []string{"元", "块", "yuan"} {
		if t, ok := strings.CutSuffix(s, u); ok {
			s = t
			break
		}
	}

	exp := 0
	for _, m := range multipliers {
		if t, ok := strings.CutSuffix(s, m.unit); ok {
			s, exp = t, m.exp
			break
		}
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if !decimal(s) {
		return 0, false
	}

	// The power of ten is applied in decimal, so that 1.2万 is exactly
	// 12000 and not 12000.000000000002.
	if exp != 0 {
		s += "e" + strconv.Itoa(exp)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// decimal reports whether s is digits with at most one decimal point.
func decimal(s string) bool {
	digits, points := 0, 0
	for _, c := range []byte(s) {
		switch {
		case '0' <= c && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}
