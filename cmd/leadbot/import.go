package main

import (
	"context"
	"errors"
	"io"
)

// TODO: replace with the CSV importer.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
