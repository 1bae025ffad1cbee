// Package i18n holds everything Leadbot says in chat, in Simplified
// Chinese (the default) and English, and fills in the named placeholders
// of its templates.
//
// Each language is a YAML file embedded at build time that maps a message
// key to a template such as "已抢到 {lead}：{company}". Both files have
// the same keys and every template uses the same placeholders in both
// languages; the package tests hold them to that.
//
// Some keys are built from domain values, so that the chat layer can look
// them up without a table of its own: "status." + engine.Status,
// "tier." + engine.Tier, "role." + engine.Role, "dispute_kind." +
// engine.DisputeKind, "dispute_status." + engine.DisputeStatus and
// "event." + engine.Event.
package i18n

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Lang is a language Leadbot speaks, named by its BCP 47 tag.
type Lang string

// The languages. ZH is the default.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Args holds the values of a template's placeholders by name.
type Args map[string]any

//go:embed zh-CN.yaml en.yaml
var files embed.FS

// catalogues maps each language to its templates by key. The files are
// compiled into the binary and the tests load them, so a catalogue that
// does not parse cannot ship and load may panic at start-up.
var catalogues = load(ZH, EN)

func load(langs ...Lang) map[Lang]map[string]string {
	out := make(map[Lang]map[string]string, len(langs))
	for _, lang := range langs {
		m, err := read(lang)
		if err != nil {
			panic(err)
		}
		out[lang] = m
	}
	return out
}

func read(lang Lang) (map[string]string, error) {
	name := string(lang) + ".yaml"
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("i18n: read %s: %w", name, err)
	}

	var m map[string]string
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
	}
	return m, nil
}

// Parse reads a language as users, platforms and browsers name it: "zh",
// "zh-CN", "zh_CN", "cn", "en", "en-US", "EN_gb", or an Accept-Language
// list, of which the first choice counts. Anything that is not English
// is ZH, the default.
func Parse(s string) Lang {
	first, _, _ := strings.Cut(s, ",")
	first, _, _ = strings.Cut(first, ";")
	first = strings.ToLower(strings.TrimSpace(first))
	primary, _, _ := strings.Cut(strings.ReplaceAll(first, "_", "-"), "-")
	if primary == "en" || primary == "english" {
		return EN
	}
	return ZH
}

// T returns the message key in lang with its placeholders filled from
// args. A key missing in lang is taken from ZH; a key missing everywhere
// comes back as the key itself, so that a slip shows up in chat instead
// of an empty message. Values are written as fmt.Sprint writes them,
// except floating-point numbers, which are written in plain decimal
// (280000, not 2.8e+05). A placeholder without a value is left as it is.
func T(lang Lang, key string, args Args) string {
	tmpl, ok := catalogues[lang][key]
	if !ok {
		tmpl, ok = catalogues[ZH][key]
	}
	if !ok {
		return key
	}
	return fill(tmpl, args)
}

// fill replaces each {name} in tmpl that args has a value for.
func fill(tmpl string, args Args) string {
	if len(args) == 0 || !strings.Contains(tmpl, "{") {
		return tmpl
	}

	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		end += open
		b.WriteString(tmpl[:open])
		if v, ok := args[tmpl[open+1:end]]; ok {
			b.WriteString(format(v))
		} else {
			b.WriteString(tmpl[open : end+1])
		}
		tmpl = tmpl[end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

func format(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32)
	}
	return fmt.Sprint(v)
}
