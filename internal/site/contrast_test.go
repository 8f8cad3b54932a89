package site_test

import (
	"errors"
	"testing"

	"portique/internal/site"
	"portique/internal/valid"
)

func TestContrastRatio(t *testing.T) {
	if r := site.Contrast("#000000", "#ffffff"); r < 20.99 || r > 21.01 {
		t.Fatalf("black on white = %v, want 21", r)
	}
	if r := site.Contrast("#767676", "#ffffff"); r < 4.5 || r > 4.6 {
		t.Fatalf("#767676 on white = %v, want 4.54", r)
	}
}

// A light orange fails every use on white: it is refused with the ratio
// and a darker orange that passes; that suggestion is itself accepted.
func TestIdentityColourRefused(t *testing.T) {
	_, err := site.Validate(map[string]string{site.Primary: "#FFA500"})
	var ve valid.Errors
	if !errors.As(err, &ve) || ve.Key(site.Primary) != "site.error.contrast" {
		t.Fatalf("orange accepted: %v", err)
	}
	args := ve[site.Primary].Args
	if len(args) != 2 || args[0] != "1.97" {
		t.Fatalf("args = %v, want ratio 1.97 and a suggestion", args)
	}
	sug := args[1].(string)
	if r := site.Contrast(sug, "#ffffff"); r < site.MinContrast {
		t.Fatalf("suggestion %s fails (%v)", sug, r)
	}
	if out, err := site.Validate(map[string]string{site.Primary: sug, site.Secondary: "#1A237E"}); err != nil || out[site.Secondary] != "#1a237e" {
		t.Fatalf("passing colours refused: %v %v", out, err)
	}
}
