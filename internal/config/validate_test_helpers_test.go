package config

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// validationCase is one table row: YAML in, the problems `loom analyze` prints out.
type validationCase struct {
	name string
	yaml string
	want []string
}

// obj writes one object of kind in namespace default, named name, with spec
// given in YAML flow style.
func obj(kind, name, spec string) string {
	group := "networking.istio.io/v1"
	if kindGroup(Kind(kind)) == groupSecurity {
		group = "security.istio.io/v1"
	}
	return fmt.Sprintf("---\napiVersion: %s\nkind: %s\nmetadata: {name: %s, namespace: default}\nspec: %s\n", group, kind, name, spec)
}

func runValidationCases(t *testing.T, cases []validationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap := Loader{}.LoadBytes("t.yaml", []byte(tc.yaml))
			if diff := cmp.Diff(tc.want, problemStrings(snap.Problems)); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nyaml:\n%s", diff, tc.yaml)
			}
		})
	}
}
