package main

import (
	"strings"
	"testing"
)

func TestDashboardConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		set  func(c *Config)
		want string
	}{
		{"short secret", func(c *Config) { c.Dashboard.Secret = "tooshort" },
			"config dashboard.secret: has 8 characters; want at least 16"},
		{"no ttl", func(c *Config) { c.Dashboard.LinkTTL = 0 }, "config dashboard.link_ttl: is 0s"},
		{"bad base", func(c *Config) { c.Dashboard.BaseURL = "leadbot.example" }, "config dashboard.base_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.set(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "tooshort") {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
	c := DefaultConfig()
	c.Dashboard.Secret = "0123456789abcdef"
	c.Dashboard.BaseURL = "https://leadbot.example.com/"
	if err := c.Validate(); err != nil {
		t.Errorf("Validate = %v, want nil", err)
	}
	if got := c.dashboardBase(); got != "https://leadbot.example.com" {
		t.Errorf("dashboardBase = %q", got)
	}
}
