package command

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// token is a word of the normalised text, the runes norm[start:end].
// Tokens of one chunk had no white space or separator between them: the
// lexer split them where Chinese meets Latin script, as in "抢单12".
type token struct {
	start, end int
	chunk      int
}

// normalize folds full-width forms to their ASCII twins (１２ to 12, ＃
// to #, the ideographic space to a space) and zero-width characters to
// spaces. It returns the folded runes and, for each, the byte offset in s
// it came from, with len(s) at the end, so that free text can be cut
// from s as the user typed it.
func normalize(s string) ([]rune, []int) {
	norm := make([]rune, 0, len(s))
	off := make([]int, 0, len(s)+1)
	for i, r := range s {
		norm = append(norm, fold(r))
		off = append(off, i)
	}
	return norm, append(off, len(s))
}

func fold(r rune) rune {
	if invisible(r) {
		return ' '
	}
	if f := width.LookupRune(r).Folded(); f != 0 {
		return f
	}
	return r
}

// invisible reports whether r is a zero-width character, which text
// copied from documents and web pages often carries.
func invisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return false
}

// lex splits the normalised text into tokens at white space and
// separators, and between Chinese and Latin script.
func lex(norm []rune) []token {
	var toks []token
	start, chunk := -1, 0
	for i, r := range norm {
		switch {
		case unicode.IsSpace(r) || separator(norm, i):
			if start >= 0 {
				toks = append(toks, token{start, i, chunk})
				start = -1
				chunk++
			}
		case start < 0:
			start = i
		case scriptBreak(norm[i-1], r):
			toks = append(toks, token{start, i, chunk})
			start = i
		}
	}
	if start >= 0 {
		toks = append(toks, token{start, len(norm), chunk})
	}
	return toks
}

// separator reports whether norm[i] separates words as a space does.
// Chinese users often put a comma or colon between the parts of a
// command ("进度 12，40%"); a comma within a number ("280,000") stays.
func separator(norm []rune, i int) bool {
	switch norm[i] {
	case ';', ':', '、', '。':
		return true
	case ',':
		return !thousands(norm, i)
	}
	return false
}

// thousands reports whether the comma at norm[i] groups the digits of a
// number: a digit before it, exactly three after.
func thousands(norm []rune, i int) bool {
	if i == 0 || !isDigit(norm[i-1]) || i+3 >= len(norm) {
		return false
	}
	for j := i + 1; j <= i+3; j++ {
		if !isDigit(norm[j]) {
			return false
		}
	}
	return i+4 == len(norm) || !isDigit(norm[i+4])
}

// scriptBreak reports whether a word ends between a and b: where Chinese
// meets Latin script, except for a number and its unit ("28万").
func scriptBreak(a, b rune) bool {
	switch {
	case han(a) && latin(b):
		return true
	case latin(a) && han(b):
		return !(isDigit(a) && strings.ContainsRune("万亿元块", b))
	}
	return false
}

func han(r rune) bool { return unicode.Is(unicode.Han, r) }

func latin(r rune) bool { return r < utf8.RuneSelf || r == '¥' }

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// trimTail drops the punctuation and symbols people end a word with
// ("12。", "claim 12!", "张三😀"), but not a percent sign.
func trimTail(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return r != '%' && (unicode.IsPunct(r) || unicode.IsSymbol(r))
	})
}
