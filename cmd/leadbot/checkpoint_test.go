package main

import (
	"strings"
	"testing"
	"time"
)

func TestCheckpointConfigNamesKey(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad spec", map[string]string{"LEADBOT_CHECKPOINT_SPEC": "fridays at four"},
			"scheduler.checkpoint_spec (LEADBOT_CHECKPOINT_SPEC): \"fridays at four\" is not a cron spec"},
		{"negative untouched_after", map[string]string{"LEADBOT_UNTOUCHED_AFTER": "-1h"},
			"scheduler.untouched_after (LEADBOT_UNTOUCHED_AFTER): is -1h0m0s"},
		{"negative untouched_count", map[string]string{"LEADBOT_UNTOUCHED_COUNT": "-2"},
			"scheduler.untouched_count (LEADBOT_UNTOUCHED_COUNT): is -2"},
		{"negative alert_digest_over", map[string]string{"LEADBOT_ALERT_DIGEST_OVER": "-1"},
			"scheduler.alert_digest_over (LEADBOT_ALERT_DIGEST_OVER): is -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("", false, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// The spec is read in api.timezone unless it names a zone itself, and
// an empty spec sends no digests.
func TestCheckpointSpecZone(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	from := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC) // a Friday
	tests := []struct {
		spec string
		want time.Time
	}{
		{"0 16 * * fri", time.Date(2026, 12, 4, 16, 0, 0, 0, sh)},
		{"CRON_TZ=UTC 0 16 * * fri", time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)},
		{"30 9 * * mon", time.Date(2026, 12, 7, 9, 30, 0, 0, sh)},
	}
	for _, tt := range tests {
		c, err := LoadConfig("", false, env(map[string]string{
			"LEADBOT_CHECKPOINT_SPEC": tt.spec, "LEADBOT_API_TIMEZONE": "Asia/Shanghai"}))
		if err != nil {
			t.Fatal(err)
		}
		cp := c.policy().Checkpoints
		if cp.Every == nil || !cp.Every.Next(from).Equal(tt.want) {
			t.Errorf("spec %q: next after %s = %v, want %s", tt.spec, from, cp.Every, tt.want)
		}
		if cp.Zone.String() != "Asia/Shanghai" || cp.UntouchedAfter != 48*time.Hour || cp.UntouchedCount != 3 ||
			cp.AlertDigestOver != 5 {
			t.Errorf("checkpoints = %+v, want the defaults in Asia/Shanghai", cp)
		}
	}
	c, err := LoadConfig("", false, env(map[string]string{"LEADBOT_CHECKPOINT_SPEC": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if c.policy().Checkpoints.Every != nil {
		t.Error("an empty spec still schedules checkpoints")
	}
}
