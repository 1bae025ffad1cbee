package i18n

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/engine"
)

// placeholder matches what fill replaces: a name in braces.
var placeholder = regexp.MustCompile(`\{([^{}]*)\}`)

// placeholders returns the sorted, distinct placeholder names of tmpl.
func placeholders(tmpl string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(tmpl, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
	}{
		{"zh", ZH},
		{"zh-CN", ZH},
		{"zh_CN", ZH},
		{"zh-Hans-CN", ZH},
		{"cn", ZH},
		{"  ZH-cn ", ZH},
		{"en", EN},
		{"EN", EN},
		{"en-US", EN},
		{"en_GB", EN},
		{"english", EN},
		{"en-US,en;q=0.9,zh-CN;q=0.8", EN},
		{"zh-CN,zh;q=0.9,en;q=0.8", ZH},
		{"en;q=0.9", EN},
		{"fr", ZH},
		{"", ZH},
		{"eng", ZH},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Parse(tt.in); got != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	zh, en := catalogues[ZH], catalogues[EN]
	for _, key := range slices.Sorted(maps.Keys(zh)) {
		if _, ok := en[key]; !ok {
			t.Errorf("key %q is in zh-CN.yaml, missing in en.yaml", key)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(en)) {
		if _, ok := zh[key]; !ok {
			t.Errorf("key %q is in en.yaml, missing in zh-CN.yaml", key)
		}
	}
}

func TestTemplatesUseTheSamePlaceholders(t *testing.T) {
	for _, key := range slices.Sorted(maps.Keys(catalogues[ZH])) {
		zh := placeholders(catalogues[ZH][key])
		en := placeholders(catalogues[EN][key])
		if !slices.Equal(zh, en) {
			t.Errorf("%s: zh-CN uses %v, en uses %v", key, zh, en)
		}
	}
}

func TestTemplatesAreWellFormed(t *testing.T) {
	name := regexp.MustCompile(`^[a-z][a-z_]*$`)
	for lang, cat := range catalogues {
		for key, tmpl := range cat {
			if strings.TrimSpace(tmpl) == "" {
				t.Errorf("%s %s: empty template", lang, key)
			}
			for _, p := range placeholders(tmpl) {
				if !name.MatchString(p) {
					t.Errorf("%s %s: bad placeholder {%s}", lang, key, p)
				}
			}
			rest := placeholder.ReplaceAllString(tmpl, "")
			if strings.ContainsAny(rest, "{}") {
				t.Errorf("%s %s: unbalanced brace in %q", lang, key, tmpl)
			}
		}
	}
}

func TestTFillsEveryPlaceholder(t *testing.T) {
	for _, lang := range []Lang{ZH, EN} {
		for key, tmpl := range catalogues[lang] {
			args := Args{}
			for _, p := range placeholders(tmpl) {
				args[p] = "x"
			}
			got := T(lang, key, args)
			if placeholder.MatchString(got) {
				t.Errorf("T(%s, %s) = %q, want no {...} left", lang, key, got)
			}
		}
	}
}

func TestT(t *testing.T) {
	amount := 280000.0
	tests := []struct {
		name string
		lang Lang
		key  string
		args Args
		want string
	}{
		{
			name: "chinese",
			lang: ZH,
			key:  "claim.ok",
			args: Args{"lead": engine.LeadID(12), "company": "华东某医院", "due": "明天 18:00"},
			want: "已抢到 L12：华东某医院，请在 明天 18:00 前首次跟进。",
		},
		{
			name: "english",
			lang: EN,
			key:  "progress.ok",
			args: Args{"lead": engine.LeadID(7), "percent": 40},
			want: "Progress on L7 recorded: 40%.",
		},
		{
			name: "float in plain decimal",
			lang: EN,
			key:  "done.won_amount",
			args: Args{"lead": "L3", "amount": amount},
			want: "Congratulations! L3 is closed as won, 280000.",
		},
		{
			name: "unknown language is chinese",
			lang: "fr",
			key:  "button.claim",
			want: "抢单",
		},
		{
			name: "missing value left in place",
			lang: ZH,
			key:  "lead.taken",
			args: Args{"lead": "L1"},
			want: "慢了一步，L1 已被 {name} 抢走了。",
		},
		{
			name: "value with braces not refilled",
			lang: EN,
			key:  "transfer.ok",
			args: Args{"lead": "{name}", "name": "Bob"},
			want: "{name} has been handed over to Bob.",
		},
		{
			name: "unknown key",
			lang: EN,
			key:  "no.such.key",
			want: "no.such.key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := T(tt.lang, tt.key, tt.args)
			if got != tt.want {
				t.Errorf("T(%s, %s) = %q, want %q", tt.lang, tt.key, got, tt.want)
			}
		})
	}
}

func TestTFallsBackToChinese(t *testing.T) {
	const key = "test.only_in_zh"
	catalogues[ZH][key] = "只有中文 {n}"
	t.Cleanup(func() { delete(catalogues[ZH], key) })

	got := T(EN, key, Args{"n": 1})
	if want := "只有中文 1"; got != want {
		t.Errorf("T(en, %s) = %q, want %q", key, got, want)
	}
}

// TestDomainNames checks that every domain value the chat layer shows by
// name has one, under the prefix the package comment promises.
func TestDomainNames(t *testing.T) {
	var keys []string
	add := func(prefix string, values ...string) {
		for _, v := range values {
			keys = append(keys, prefix+v)
		}
	}
	add("tier.", string(engine.TierA), string(engine.TierB), string(engine.TierC))
	add("status.", string(engine.StatusPool), string(engine.StatusStandby),
		string(engine.StatusAssigned), string(engine.StatusWon), string(engine.StatusLost))
	add("role.", string(engine.RoleRep), string(engine.RoleLead), string(engine.RoleManager))
	add("dispute_kind.", string(engine.DisputeOwnership),
		string(engine.DisputeCommission), string(engine.DisputeCrossRegion))
	add("dispute_status.", string(engine.DisputeOpen), string(engine.DisputeApproved),
		string(engine.DisputeRejected), string(engine.DisputeAuto))
	add("event.", string(engine.EventCreated), string(engine.EventAssigned),
		string(engine.EventClaimed), string(engine.EventReleased),
		string(engine.EventTransferred), string(engine.EventProgress),
		string(engine.EventReminded), string(engine.EventAlerted),
		string(engine.EventDisputed), string(engine.EventDecided),
		string(engine.EventClosed))

	for _, key := range keys {
		if _, ok := catalogues[ZH][key]; !ok {
			t.Errorf("no name for %s", key)
		}
	}
}

func TestChineseStatusNames(t *testing.T) {
	want := map[engine.Status]string{
		engine.StatusPool:     "公海",
		engine.StatusStandby:  "排队中",
		engine.StatusAssigned: "跟进中",
		engine.StatusWon:      "赢单",
		engine.StatusLost:     "输单",
	}
	for s, w := range want {
		if got := T(ZH, "status."+string(s), nil); got != w {
			t.Errorf("T(zh-CN, status.%s) = %q, want %q", s, got, w)
		}
	}
}
