package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/cronkit/cronkit/lib/redact"
)

// FilePrefix marks a value to be read from a file: "file:/run/secrets/key".
const FilePrefix = "file:"

// ResolveValue returns v, or the contents of the file it names when it starts
// with "file:" (trailing newlines trimmed, as editors and `echo` add one).
// For a secret, a file that others may read is reported through warn, so the
// key still works but the operator learns to chmod 600 it.
func ResolveValue(v string, secret bool, warn func(string)) (string, error) {
	path, ok := strings.CutPrefix(v, FilePrefix)
	if !ok {
		return v, nil
	}
	if path == "" {
		return "", fmt.Errorf("empty file name in %q", v)
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading value from file: %w", err)
	}
	if st.IsDir() {
		return "", fmt.Errorf("reading value from file: %s is a directory", path)
	}
	if secret && st.Mode().Perm()&0o077 != 0 && warn != nil {
		warn(fmt.Sprintf("secret file %s has mode %04o; it should be readable by its owner only (chmod 600)", path, st.Mode().Perm()))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading value from file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// Redact replaces every secret in s with "[REDACTED]", in every form a
// server may echo it back, and any password in a URL (lib/redact's rule, the
// HTTP layer's too, so that what it hides stays hidden here). Secrets shorter
// than 4 bytes are ignored: replacing "a" everywhere would mangle the message.
func Redact(s string, secrets ...string) string { return redact.String(s, secrets...) }
