// Package goldenfile reads the tests' golden data: gzipped JSON written by the scripts in tools/.
package goldenfile

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
)

// Decode decodes the gzipped JSON file at path into v. A missing file is an error that names the
// script that writes it (regenerate).
func Decode(path, regenerate string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("golden data missing (regenerate with %s): %w", regenerate, err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := json.NewDecoder(z).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
