package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/storage/storagetest"
)

func TestImportCommand(t *testing.T) {
	for _, driver := range storagetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			opts := storagetest.Options(t, driver)
			t.Setenv("LEADBOT_DATABASE_DRIVER", opts.Driver)
			t.Setenv("LEADBOT_DATABASE_DSN", opts.DSN)
			dir := t.TempDir()
			file := filepath.Join(dir, "leads.csv")
			os.WriteFile(file, []byte("编号,客户全称,预计金额\nx-1,甲公司,1000\nx-2,,5\n"), 0o600)

			code, out, errOut := runCmd(t, "import", "leads", file, "--map", "客户全称=company", "--dry-run")
			if code != 0 || !strings.Contains(out, "dry run") {
				t.Fatalf("dry run = %d\n%s\n%s", code, out, errOut)
			}
			code, out, errOut = runCmd(t, "import", "leads", file, "--map", "客户全称=company")
			if code != 0 || !strings.Contains(out, "imported 1") || !strings.Contains(out, "line 3") {
				t.Errorf("import = %d, want 1 imported and line 3 rejected\n%s\n%s", code, out, errOut)
			}
			code, out, _ = runCmd(t, "import", "leads", file, "--map", "客户全称=company")
			if code != 0 || !strings.Contains(out, "duplicates 1") {
				t.Errorf("second import = %d, want 1 duplicate\n%s", code, out)
			}
		})
	}
}

func TestImportCommandErrors(t *testing.T) {
	t.Setenv("LEADBOT_DATABASE_DSN", filepath.Join(t.TempDir(), "x.db"))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"import", "leads"}, "want the kind"},
		{"bad kind", []string{"import", "reps", "f.csv"}, `unknown kind "reps"`},
		{"bad mapping", []string{"import", "leads", "f.csv", "--map", "a=nothing"}, "--map"},
		{"missing file", []string{"import", "leads", filepath.Join(t.TempDir(), "none.csv")}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("leadbot %s = %d %q, want failure mentioning %q", strings.Join(tt.args, " "), code, errOut, tt.want)
			}
		})
	}
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	code, out, _ := runCmd(t, "--help")
	if code != 0 || !strings.Contains(out, "leadbot serve") || !strings.Contains(out, "leadbot import") {
		t.Errorf("--help = %d %q", code, out)
	}
	if code, _, errOut := runCmd(t, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command = %d %q, want 2 and a message", code, errOut)
	}
	if code, out, _ := runCmd(t, "version"); code != 0 || !strings.HasPrefix(out, "leadbot ") {
		t.Errorf("version = %d %q", code, out)
	}
}
