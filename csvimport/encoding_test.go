package csvimport_test

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/leadbot/leadbot/csvimport"
)

const chineseFile = "编号,公司名称,行业\nL1,北京星辰科技有限公司,制造\nL2,上海某某贸易,零售\n"

func TestEncodings(t *testing.T) {
	gbk := toGBK(t, chineseFile)
	tests := []struct {
		name     string
		text     string
		encoding string
	}{
		{"utf-8", chineseFile, ""},
		{"utf-8 with byte order mark", "\uFEFF" + chineseFile, "auto"},
		{"gbk", gbk, ""},
		{"gbk named", gbk, "GBK"},
		{"gb18030 named", gbk, "gb18030"},
		{"utf-8 named", chineseFile, "utf-8"},
		{"utf-8 named with byte order mark", "\uFEFF" + chineseFile, "UTF8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sum := importLeads(t, tt.text, csvimport.Options{Encoding: tt.encoding})
			if len(got) != 2 || len(sum.Rejected) != 0 {
				t.Fatalf("leads = %+v, rejected %v, want 2 leads", got, sum.Rejected)
			}
			if got[0].ExternalID != "L1" || got[0].Company != "北京星辰科技有限公司" ||
				got[1].Industry != "零售" {
				t.Errorf("leads = %+v, want L1 北京星辰科技有限公司 and L2 in 零售", got)
			}
		})
	}
}

// TestSniffBoundary checks that a UTF-8 character cut by the end of the
// sniffed 64 KiB does not make the file GBK.
func TestSniffBoundary(t *testing.T) {
	const header = "编号,公司,备注\n"
	for _, cut := range []int{1, 2} {
		// "中" takes 3 bytes; cut of them fall inside the first 64 KiB.
		filler := strings.Repeat("a", 64<<10-len(header)-len("L1,Acme,")-cut)
		note := filler + "中文"
		text := header + "L1,Acme," + note + "\nL2,北京星辰,\n"
		got, sum := importLeads(t, text, csvimport.Options{})
		if len(got) != 2 || len(sum.Rejected) != 0 {
			t.Fatalf("cut %d: got %d leads, rejected %v, want 2", cut, len(got), sum.Rejected)
		}
		if got[0].Attributes["备注"] != note || got[1].Company != "北京星辰" {
			t.Errorf("cut %d: read as another encoding: company %q", cut, got[1].Company)
		}
	}
}

// TestGBKAfterSniff documents that GBK text after 64 KiB of ASCII is
// taken for UTF-8: its rows are rejected, and say what to do.
func TestGBKAfterSniff(t *testing.T) {
	text := "id,company,note\n" + strings.Repeat("L0,Acme,"+strings.Repeat("a", 100)+"\n", 700) +
		toGBK(t, "L1,北京星辰,\n")
	_, sum := importLeads(t, text, csvimport.Options{})
	if sum.Imported != 700 || len(sum.Rejected) != 1 {
		t.Fatalf("summary = %d imported, rejected %v, want 700 and one rejection",
			sum.Imported, sum.Rejected)
	}
	want := `column "company": is not valid UTF-8 (if the file is GBK, set the encoding to gbk)`
	if r := sum.Rejected[0]; r.Line != 702 || r.Reason != want {
		t.Errorf("rejection = %+v, want line 702: %s", r, want)
	}
}

func TestEncodingErrors(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		encoding string
		want     string
	}{
		{"utf-16", "\xFF\xFEi\x00d\x00", "", "file is UTF-16"},
		{"unknown encoding", chineseFile, "big5", `encoding "big5": want auto, utf-8 or gbk`},
		{"gbk read as utf-8", toGBK(t, chineseFile), "utf-8", "header is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, tt.text, csvimport.Leads, csvimport.Options{Encoding: tt.encoding})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Import() error = %v, want %q", err, tt.want)
			}
		})
	}
}

func toGBK(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encode %q as GBK: %v", s, err)
	}
	return b
}
